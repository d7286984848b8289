// SPDX-License-Identifier: GPL-2.0-only
/*
 * Topology file reader: lines into statements, defaults, the public entry
 * points.  Everything is checked before QEMU sees it, so a typo is reported
 * as FILE:LINE instead of as a confusing QEMU failure.
 */
#include "topo_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const topo_ws = " \t\r\v\f";

/* Copy len bytes of s for a message: printable, one line, bounded. */
const char *topo_qn(char *buf, size_t n, const char *s, size_t len)
{
	size_t i = 0;

	for (; len && i + 4 < n; s++, len--)
		buf[i++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
	if (len) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

const char *topo_q(char *buf, size_t n, const char *s)
{
	return topo_qn(buf, n, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) int topo_err(struct topo_pstate *p,
						   const char *fmt, ...)
{
	char name[256];
	size_t off;
	va_list ap;
	int r;

	if (!p->err || !p->errlen)
		return -1;
	topo_q(name, sizeof(name), p->fname);
	if (p->line > 0)
		r = snprintf(p->err, p->errlen, "%s:%d: ", name, p->line);
	else
		r = snprintf(p->err, p->errlen, "%s: ", name);
	off = r < 0 ? 0 : (size_t)r;
	if (off >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + off, p->errlen - off, fmt, ap);
	va_end(ap);
	return -1;
}

int topo_oom(struct topo_pstate *p)
{
	return topo_err(p, "out of memory");
}

void topo_free(struct topo *t)
{
	if (!t)
		return;
	free(t->name);
	free(t->machine);
	free(t->iommu_device);
	free(t->cpu);
	topo_strv_free(&t->append);
	topo_strv_free(&t->modules);
	topo_strv_free(&t->devices);
	for (size_t i = 0; i < t->ndrives; i++)
		free(t->drives[i].id);
	free(t->drives);
	for (size_t i = 0; i < t->nnetdevs; i++)
		free(t->netdevs[i].id);
	free(t->netdevs);
	for (size_t i = 0; i < t->nobjects; i++) {
		free(t->objects[i].args);
		free(t->objects[i].id);
	}
	free(t->objects);
	topo_strv_free(&t->suites);
	topo_strv_free(&t->traces);
	topo_strv_free(&t->guest_env);
	for (size_t i = 0; i < t->ngroups; i++)
		topo_strv_free(&t->groups[i].bdfs);
	free(t->groups);
	topo_strv_free(&t->nogroup);
	memset(t, 0, sizeof(*t));
}

const char *topo_iommu_name(enum topo_iommu kind)
{
	switch (kind) {
	case TOPO_IOMMU_NONE:
		return "none";
	case TOPO_IOMMU_INTEL:
		return "intel";
	case TOPO_IOMMU_AMD:
		return "amd";
	case TOPO_IOMMU_VIRTIO:
		return "virtio";
	default:
		return "unset";
	}
}

static int topo_line(struct topo_pstate *p, const char *s, size_t n)
{
	char *argv[TOPO_TOKENS_MAX];
	char lb[TOPO_LINE_MAX + 1];
	int argc = 0;
	char *c;

	if (n > TOPO_LINE_MAX)
		return topo_err(p, "line longer than %d bytes", TOPO_LINE_MAX);
	if (memchr(s, '\0', n))
		return topo_err(p, "NUL byte in line");
	memcpy(lb, s, n);
	lb[n] = '\0';
	/* '#' starts a comment only at the start or after whitespace. */
	for (size_t i = 0; i < n; i++)
		if (lb[i] == '#' && (i == 0 || strchr(topo_ws, lb[i - 1]))) {
			lb[i] = '\0';
			break;
		}
	for (c = lb;;) {
		c += strspn(c, topo_ws);
		if (!*c)
			break;
		argv[argc++] = c;
		c += strcspn(c, topo_ws);
		if (*c)
			*c++ = '\0';
	}
	if (!argc)
		return 0;
	return topo_statement(p, argc, argv);
}

static int topo_default_name(struct topo_pstate *p)
{
	const char *b = strrchr(p->fname, '/');
	size_t n;
	char *name;

	b = b ? b + 1 : p->fname;
	n = strlen(b);
	if (n > 5 && !strcmp(b + n - 5, ".topo"))
		n -= 5;
	name = strndup(b, n);
	if (!name)
		return topo_oom(p);
	if (!topo_chars_ok(name, "._-")) {
		char q[80];

		topo_err(
			p,
			"cannot use '%s' from the file name as the run name; add 'name NAME'",
			topo_q(q, sizeof(q), name));
		free(name);
		return -1;
	}
	p->t->name = name;
	return 0;
}

/* Defaults and the IOMMU's implied device, kernel argument and module. */
static int topo_finish(struct topo_pstate *p)
{
	struct topo *t = p->t;
	const char *dev = NULL, *arg = NULL, *mod = NULL;

	p->line = 0;
	if (!t->machine)
		return topo_err(p, "missing 'machine' statement");
	if (t->iommu == TOPO_IOMMU_UNSET)
		return topo_err(p, "missing 'iommu' statement");
	if (!t->name && topo_default_name(p))
		return -1;
	if (!t->memory_mib)
		t->memory_mib = 1024;
	if (!t->smp)
		t->smp = 1;
	if (!t->cpu && topo_set_str(p, &t->cpu, "max"))
		return -1;
	switch (t->iommu) {
	case TOPO_IOMMU_INTEL:
		dev = "intel-iommu";
		arg = "intel_iommu=on";
		if (!p->iommu_opts)
			dev = "intel-iommu,intremap=on,caching-mode=on";
		break;
	case TOPO_IOMMU_AMD:
		dev = "amd-iommu";
		arg = "amd_iommu=on";
		if (!p->iommu_opts)
			dev = "amd-iommu,intremap=on";
		break;
	case TOPO_IOMMU_VIRTIO:
		dev = "virtio-iommu-pci";
		mod = "virtio_iommu";
		break;
	default:
		break;
	}
	if (dev) {
		if (p->iommu_opts) {
			size_t n = strlen(dev) + strlen(p->iommu_opts) + 2;

			t->iommu_device = malloc(n);
			if (!t->iommu_device)
				return topo_oom(p);
			snprintf(t->iommu_device, n, "%s,%s", dev,
				 p->iommu_opts);
		} else if (topo_set_str(p, &t->iommu_device, dev)) {
			return -1;
		}
	}
	if (arg && topo_strv_add(&t->append, arg))
		return topo_oom(p);
	for (size_t i = 0; i < p->user_append.n; i++)
		if (topo_strv_add(&t->append, p->user_append.v[i]))
			return topo_oom(p);
	if (mod && topo_strv_add(&t->modules, mod))
		return topo_oom(p);
	for (size_t i = 0; i < p->user_modules.n; i++)
		if (!topo_strv_has(&t->modules, p->user_modules.v[i]) &&
		    topo_strv_add(&t->modules, p->user_modules.v[i]))
			return topo_oom(p);
	return 0;
}

int topo_parse_buf(const char *fname, const char *buf, size_t len,
		   struct topo *t, char *err, size_t errlen)
{
	struct topo_pstate p = {
		.fname = fname ? fname : "<input>",
		.err = err,
		.errlen = errlen,
		.t = t,
	};
	size_t off = 0;
	int r = 0;

	if (err && errlen)
		err[0] = '\0';
	memset(t, 0, sizeof(*t));
	if (!buf)
		len = 0;
	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (buf + off)) : len - off;

		p.line++;
		r = topo_line(&p, buf + off, n);
		if (r)
			break;
		off += n + (nl ? 1 : 0);
	}
	if (!r)
		r = topo_finish(&p);
	free(p.iommu_opts);
	topo_strv_free(&p.user_append);
	topo_strv_free(&p.user_modules);
	free(p.bdfs.slot);
	if (r)
		topo_free(t);
	return r ? -1 : 0;
}

int topo_parse_file(const char *path, struct topo *t, char *err, size_t errlen)
{
	struct topo_pstate p = {.fname = path, .err = err, .errlen = errlen};
	size_t len = 0;
	char *buf;
	int fd, r;

	memset(t, 0, sizeof(*t));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return topo_err(&p, "cannot open: %s", strerror(errno));
	buf = malloc(TOPO_FILE_MAX + 1);
	if (!buf) {
		close(fd);
		return topo_oom(&p);
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, TOPO_FILE_MAX + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = errno;
			free(buf);
			close(fd);
			return topo_err(&p, "cannot read: %s", strerror(r));
		}
		if (!n)
			break;
		len += (size_t)n;
		if (len > TOPO_FILE_MAX) {
			free(buf);
			close(fd);
			return topo_err(&p, "larger than %d bytes",
					TOPO_FILE_MAX);
		}
	}
	close(fd);
	r = topo_parse_buf(path, buf, len, t, err, errlen);
	free(buf);
	return r;
}
