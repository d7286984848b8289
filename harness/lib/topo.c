// SPDX-License-Identifier: GPL-2.0-only
/*
 * Topology file parser.  Everything is checked before QEMU sees it, so a
 * typo is reported as FILE:LINE instead of as a confusing QEMU failure.
 */
#include "topo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Caps that keep the duplicate checks cheap on hostile input. */
#define TOPO_DRIVES_MAX 64
#define TOPO_NETDEVS_MAX 64
#define TOPO_OBJECTS_MAX 64
#define TOPO_LIST_MAX 256
#define TOPO_TOKENS_MAX (TOPO_LINE_MAX / 2 + 1)

struct topo_bdfset {
	uint64_t *slot; /* (key + 1) << 32 | line; 0 is empty */
	size_t cap, n;
};

struct topo_pstate {
	const char *fname;
	char *err;
	size_t errlen;
	int line;
	struct topo *t;
	int line_name, line_machine, line_iommu, line_memory, line_smp;
	int line_cpu, line_timeout, line_suites;
	char *iommu_opts;
	struct topo_strv user_append;
	struct topo_strv user_modules;
	struct topo_bdfset bdfs;
};

static const char *const topo_ws = " \t\r\v\f";

/* Copy len bytes of s for a message: printable, one line, bounded. */
static const char *topo_qn(char *buf, size_t n, const char *s, size_t len)
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

static const char *topo_q(char *buf, size_t n, const char *s)
{
	return topo_qn(buf, n, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static int topo_err(struct topo_pstate *p,
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

static int topo_oom(struct topo_pstate *p)
{
	return topo_err(p, "out of memory");
}

void topo_strv_free(struct topo_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

static int topo_strv_add(struct topo_strv *sv, const char *s)
{
	char *d = strdup(s);
	char **v;

	if (!d)
		return -1;
	v = realloc(sv->v, (sv->n + 1) * sizeof(*v));
	if (!v) {
		free(d);
		return -1;
	}
	v[sv->n++] = d;
	sv->v = v;
	return 0;
}

__attribute__((format(printf, 2, 3))) static int
topo_strv_addf(struct topo_strv *sv, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -1;
	r = topo_strv_add(sv, s);
	free(s);
	return r;
}

static bool topo_strv_has(const struct topo_strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], s))
			return true;
	return false;
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

static int topo_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Read 1..maxd hex digits ending at stop; returns the value or -1. */
static long topo_hexfield(const char **sp, int maxd, char stop)
{
	const char *s = *sp;
	long v = 0;
	int n = 0, d;

	while ((d = topo_hexval(*s)) >= 0) {
		if (++n > maxd)
			return -1;
		v = v * 16 + d;
		s++;
	}
	if (!n || *s != stop)
		return -1;
	*sp = s + (stop ? 1 : 0);
	return v;
}

int topo_parse_bdf(const char *s, char out[13])
{
	long dom = 0, bus, dev, fn;
	int colons = 0;

	for (const char *c = s; *c; c++)
		colons += *c == ':';
	if (colons == 2) {
		dom = topo_hexfield(&s, 4, ':');
		if (dom < 0)
			return -1;
	} else if (colons != 1) {
		return -1;
	}
	bus = topo_hexfield(&s, 2, ':');
	if (bus < 0)
		return -1;
	dev = topo_hexfield(&s, 2, '.');
	if (dev < 0 || dev > 0x1f)
		return -1;
	fn = topo_hexfield(&s, 1, '\0');
	if (fn < 0 || fn > 7)
		return -1;
	/* The masks are no-ops; they bound the output for -Wformat. */
	snprintf(out, 13, "%04x:%02x:%02x.%x", (unsigned int)dom & 0xffff,
		 (unsigned int)bus & 0xff, (unsigned int)dev & 0x1f,
		 (unsigned int)fn & 7);
	return 0;
}

static uint32_t topo_bdf_key(const char *n)
{
	/* n is normalised: dddd:bb:dd.f */
	unsigned int dom, bus, dev, fn;

	if (sscanf(n, "%4x:%2x:%2x.%1x", &dom, &bus, &dev, &fn) != 4)
		return 0;
	return dom << 16 | bus << 8 | dev << 3 | fn;
}

static size_t topo_hash(uint32_t k, size_t cap)
{
	return (size_t)((k * 2654435761u) & (cap - 1));
}

/* Returns the earlier line of key, 0 if new (then added), -1 on ENOMEM. */
static int topo_bdfset_add(struct topo_bdfset *s, uint32_t key, int line)
{
	size_t i;

	if ((s->n + 1) * 2 > s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 64;
		uint64_t *ns = calloc(ncap, sizeof(*ns));

		if (!ns)
			return -1;
		for (size_t j = 0; j < s->cap; j++) {
			uint64_t e = s->slot[j];

			if (!e)
				continue;
			i = topo_hash((uint32_t)((e >> 32) - 1), ncap);
			while (ns[i])
				i = (i + 1) & (ncap - 1);
			ns[i] = e;
		}
		free(s->slot);
		s->slot = ns;
		s->cap = ncap;
	}
	i = topo_hash(key, s->cap);
	while (s->slot[i]) {
		if ((uint32_t)((s->slot[i] >> 32) - 1) == key)
			return (int)(uint32_t)s->slot[i];
		i = (i + 1) & (s->cap - 1);
	}
	s->slot[i] = ((uint64_t)key + 1) << 32 | (uint32_t)line;
	s->n++;
	return 0;
}

/* Decimal in [1, max]. */
static int topo_uint(const char *s, unsigned long long max,
		     unsigned long long *out)
{
	unsigned long long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > max / 10 || v * 10 + (unsigned)(*s - '0') > max)
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (!v)
		return -1;
	*out = v;
	return 0;
}

static int topo_size(const char *s, unsigned long long *out)
{
	unsigned long long mult = 1, v = 0;
	size_t n = strlen(s);
	char digits[32];

	if (!n || n >= sizeof(digits))
		return -1;
	switch (s[n - 1]) {
	case 'K':
	case 'k':
		mult = 1ULL << 10;
		break;
	case 'M':
	case 'm':
		mult = 1ULL << 20;
		break;
	case 'G':
	case 'g':
		mult = 1ULL << 30;
		break;
	}
	if (mult != 1)
		n--;
	memcpy(digits, s, n);
	digits[n] = '\0';
	if (topo_uint(digits, TOPO_DRIVE_MAX / mult, &v))
		return -1;
	*out = v * mult;
	return 0;
}

static bool topo_chars_ok(const char *s, const char *extra)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		char c = *s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || (c && strchr(extra, c)))
			continue;
		return false;
	}
	return true;
}

/* Drive, netdev and object ids: what QEMU accepts as an id, and no comma. */
static bool topo_id_ok(const char *s)
{
	return ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')) &&
	       topo_chars_ok(s, "._-");
}

/* Statements allowed once: remembers the line, complains on the second. */
static int topo_once(struct topo_pstate *p, int *seen, const char *what)
{
	if (*seen)
		return topo_err(p, "'%s' is already given at line %d", what,
				*seen);
	*seen = p->line;
	return 0;
}

static int topo_nargs(struct topo_pstate *p, int argc, char **argv, int min,
		      int max)
{
	char q[80];

	if (argc - 1 < min) {
		if (min == 1 && max == 1)
			return topo_err(p, "'%s' needs an argument",
					topo_q(q, sizeof(q), argv[0]));
		return topo_err(p, "'%s' needs at least %d argument%s",
				topo_q(q, sizeof(q), argv[0]), min,
				min == 1 ? "" : "s");
	}
	if (max >= 0 && argc - 1 > max) {
		char q2[80];

		return topo_err(p, "'%s' takes %s%d argument%s, extra '%s'",
				topo_q(q, sizeof(q), argv[0]),
				min == max ? "" : "at most ", max,
				max == 1 ? "" : "s",
				topo_q(q2, sizeof(q2), argv[max + 1]));
	}
	return 0;
}

static int topo_set_str(struct topo_pstate *p, char **dst, const char *s)
{
	char *d = strdup(s);

	if (!d)
		return topo_oom(p);
	free(*dst);
	*dst = d;
	return 0;
}

static int topo_number(struct topo_pstate *p, const char *what, const char *s,
		       unsigned long long max, unsigned int *out)
{
	unsigned long long v;
	char q[80];

	if (topo_uint(s, max, &v))
		return topo_err(p, "bad number '%s' for '%s' (want 1 to %llu)",
				topo_q(q, sizeof(q), s), what, max);
	*out = (unsigned int)v;
	return 0;
}

static int topo_add_bdf(struct topo_pstate *p, const char *s, char out[13])
{
	char q[80];
	int prev;

	if (topo_parse_bdf(s, out))
		return topo_err(p,
				"bad BDF '%s' (want DDDD:BB:DD.F or BB:DD.F)",
				topo_q(q, sizeof(q), s));
	prev = topo_bdfset_add(&p->bdfs, topo_bdf_key(out), p->line);
	if (prev < 0)
		return topo_oom(p);
	if (prev > 0)
		return topo_err(p, "%s is already declared at line %d", out,
				prev);
	return 0;
}

static int topo_st_iommu(struct topo_pstate *p, int argc, char **argv)
{
	static const struct {
		const char *name;
		enum topo_iommu kind;
	} kinds[] = {
		{"intel", TOPO_IOMMU_INTEL},
		{"amd", TOPO_IOMMU_AMD},
		{"virtio", TOPO_IOMMU_VIRTIO},
		{"none", TOPO_IOMMU_NONE},
	};
	char q[80];
	size_t i;

	if (topo_nargs(p, argc, argv, 1, 2) ||
	    topo_once(p, &p->line_iommu, "iommu"))
		return -1;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(argv[1], kinds[i].name))
			break;
	if (i == sizeof(kinds) / sizeof(kinds[0]))
		return topo_err(
			p,
			"unknown iommu '%s' (want intel, amd, virtio or none)",
			topo_q(q, sizeof(q), argv[1]));
	p->t->iommu = kinds[i].kind;
	if (argc == 3) {
		if (p->t->iommu == TOPO_IOMMU_NONE)
			return topo_err(p, "'iommu none' takes no options");
		if (argv[2][0] == ',')
			return topo_err(p, "bad iommu options '%s'",
					topo_q(q, sizeof(q), argv[2]));
		return topo_set_str(p, &p->iommu_opts, argv[2]);
	}
	return 0;
}

static int topo_st_drive(struct topo_pstate *p, int argc, char **argv)
{
	struct topo *t = p->t;
	struct topo_drive *d;
	unsigned long long bytes;
	char q[80];

	if (topo_nargs(p, argc, argv, 2, 2))
		return -1;
	if (!topo_id_ok(argv[1]))
		return topo_err(
			p,
			"bad drive id '%s' (want a letter, then [A-Za-z0-9._-])",
			topo_q(q, sizeof(q), argv[1]));
	for (size_t i = 0; i < t->ndrives; i++)
		if (!strcmp(t->drives[i].id, argv[1]))
			return topo_err(
				p, "drive '%s' is already declared at line %d",
				topo_q(q, sizeof(q), argv[1]),
				t->drives[i].line);
	if (t->ndrives >= TOPO_DRIVES_MAX)
		return topo_err(p, "too many drives (at most %d)",
				TOPO_DRIVES_MAX);
	if (topo_size(argv[2], &bytes))
		return topo_err(
			p,
			"bad drive size '%s' (want 1 byte to 64G, bytes or a K, M or G suffix)",
			topo_q(q, sizeof(q), argv[2]));
	d = realloc(t->drives, (t->ndrives + 1) * sizeof(*d));
	if (!d)
		return topo_oom(p);
	t->drives = d;
	d[t->ndrives].id = strdup(argv[1]);
	if (!d[t->ndrives].id)
		return topo_oom(p);
	d[t->ndrives].bytes = bytes;
	d[t->ndrives].line = p->line;
	t->ndrives++;
	return 0;
}

static int topo_st_netdev(struct topo_pstate *p, int argc, char **argv)
{
	struct topo *t = p->t;
	struct topo_netdev *n;
	char q[80];

	if (topo_nargs(p, argc, argv, 1, 1))
		return -1;
	if (!topo_id_ok(argv[1]))
		return topo_err(
			p,
			"bad netdev id '%s' (want a letter, then [A-Za-z0-9._-])",
			topo_q(q, sizeof(q), argv[1]));
	for (size_t i = 0; i < t->nnetdevs; i++)
		if (!strcmp(t->netdevs[i].id, argv[1]))
			return topo_err(
				p, "netdev '%s' is already declared at line %d",
				topo_q(q, sizeof(q), argv[1]),
				t->netdevs[i].line);
	if (t->nnetdevs >= TOPO_NETDEVS_MAX)
		return topo_err(p, "too many netdevs (at most %d)",
				TOPO_NETDEVS_MAX);
	n = realloc(t->netdevs, (t->nnetdevs + 1) * sizeof(*n));
	if (!n)
		return topo_oom(p);
	t->netdevs = n;
	n[t->nnetdevs].id = strdup(argv[1]);
	if (!n[t->nnetdevs].id)
		return topo_oom(p);
	n[t->nnetdevs].line = p->line;
	t->nnetdevs++;
	return 0;
}

static bool topo_memeq(const char *s, size_t n, const char *lit)
{
	return n == strlen(lit) && !memcmp(s, lit, n);
}

/*
 * Object types that touch nothing on the host: a topology file is never
 * executed, and it must not make QEMU open or map host files.
 */
static const char *const topo_object_types[] = {
	"rng-builtin",
	"rng-random",
	"memory-backend-ram",
};

static int topo_st_object(struct topo_pstate *p, int argc, char **argv)
{
	struct topo *t = p->t;
	const char *v = argv[1], *id = NULL;
	size_t tlen, idlen = 0, i;
	struct topo_object *o;
	char q[80], *ids;

	if (topo_nargs(p, argc, argv, 1, 1))
		return -1;
	/* QEMU reads ",," as a comma inside a value; the checks here do not. */
	if (strstr(v, ",,"))
		return topo_err(
			p,
			"object '%s' has ',,' (an escaped comma), which no allowed object needs",
			topo_q(q, sizeof(q), v));
	tlen = strcspn(v, ",");
	for (i = 0; i < sizeof(topo_object_types) / sizeof(*topo_object_types);
	     i++)
		if (topo_memeq(v, tlen, topo_object_types[i]))
			break;
	if (i == sizeof(topo_object_types) / sizeof(*topo_object_types))
		return topo_err(
			p,
			"object type '%s' is not allowed (want rng-builtin, rng-random or memory-backend-ram: a topology never touches host files)",
			topo_qn(q, sizeof(q), v, tlen));
	for (const char *c = v + tlen; *c;) {
		const char *kv = c + 1, *eq;
		size_t n = strcspn(kv, ","), klen;

		c = kv + n;
		eq = memchr(kv, '=', n);
		if (!eq)
			return topo_err(
				p, "bad object property '%s' (want KEY=VALUE)",
				topo_qn(q, sizeof(q), kv, n));
		klen = (size_t)(eq - kv);
		if (topo_memeq(kv, klen, "qom-type"))
			return topo_err(
				p,
				"object property '%s' would change the object's type",
				topo_qn(q, sizeof(q), kv, n));
		if (topo_memeq(kv, klen, "filename") &&
		    !topo_memeq(eq + 1, n - klen - 1, "/dev/urandom") &&
		    !topo_memeq(eq + 1, n - klen - 1, "/dev/random"))
			return topo_err(
				p,
				"object filename '%s' is not allowed (want /dev/urandom or /dev/random: a topology never touches host files)",
				topo_qn(q, sizeof(q), eq + 1, n - klen - 1));
		if (topo_memeq(kv, klen, "id")) {
			if (id)
				return topo_err(p, "object '%s' has two ids",
						topo_q(q, sizeof(q), v));
			id = eq + 1;
			idlen = n - klen - 1;
		}
	}
	if (!id)
		return topo_err(p,
				"object '%s' has no id= (want TYPE,id=ID,...)",
				topo_q(q, sizeof(q), v));
	ids = strndup(id, idlen);
	if (!ids)
		return topo_oom(p);
	if (!topo_id_ok(ids)) {
		topo_err(
			p,
			"bad object id '%s' (want a letter, then [A-Za-z0-9._-])",
			topo_q(q, sizeof(q), ids));
		free(ids);
		return -1;
	}
	for (i = 0; i < t->nobjects; i++)
		if (!strcmp(t->objects[i].id, ids)) {
			topo_err(p,
				 "object '%s' is already declared at line %d",
				 topo_q(q, sizeof(q), ids), t->objects[i].line);
			free(ids);
			return -1;
		}
	if (t->nobjects >= TOPO_OBJECTS_MAX) {
		free(ids);
		return topo_err(p, "too many objects (at most %d)",
				TOPO_OBJECTS_MAX);
	}
	o = realloc(t->objects, (t->nobjects + 1) * sizeof(*o));
	if (!o) {
		free(ids);
		return topo_oom(p);
	}
	t->objects = o;
	o += t->nobjects;
	o->id = ids;
	o->line = p->line;
	o->args = strdup(v);
	t->nobjects++;
	if (!o->args)
		return topo_oom(p);
	return 0;
}

/* modules, suites, qemu-trace: checked names, duplicates dropped. */
static int topo_st_names(struct topo_pstate *p, int argc, char **argv,
			 struct topo_strv *sv, const char *what,
			 const char *extra)
{
	char q[80];

	if (topo_nargs(p, argc, argv, 1, -1))
		return -1;
	for (int i = 1; i < argc; i++) {
		if (!topo_chars_ok(argv[i], extra))
			return topo_err(
				p, "bad %s name '%s' (want [A-Za-z0-9%s]+)",
				what, topo_q(q, sizeof(q), argv[i]), extra);
		if (topo_strv_has(sv, argv[i]))
			continue;
		if (sv->n >= TOPO_LIST_MAX)
			return topo_err(p, "too many %s (at most %d)", argv[0],
					TOPO_LIST_MAX);
		if (topo_strv_add(sv, argv[i]))
			return topo_oom(p);
	}
	return 0;
}

/*
 * guest-env NAME=VALUE...: settings the suites read (/etc/iog/env), IOG_
 * names only and values without shell quoting; a make variable of the
 * same name overrides the topology's.
 */
static int topo_st_guest_env(struct topo_pstate *p, int argc, char **argv)
{
	struct topo *t = p->t;
	char q[80];

	if (topo_nargs(p, argc, argv, 1, -1))
		return -1;
	for (int i = 1; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		size_t nlen = eq ? (size_t)(eq - argv[i]) : 0;
		bool name_ok = nlen > 4 && !strncmp(argv[i], "IOG_", 4);

		for (size_t k = 0; name_ok && k < nlen; k++) {
			char c = argv[i][k];

			name_ok = (c >= 'A' && c <= 'Z') ||
				  (c >= '0' && c <= '9') || c == '_';
		}
		if (!name_ok || !topo_chars_ok(eq + 1, "._,:/+-"))
			return topo_err(
				p,
				"bad guest-env '%s' (want IOG_NAME=VALUE, NAME [A-Z0-9_]+, VALUE [A-Za-z0-9._,:/+-]+)",
				topo_q(q, sizeof(q), argv[i]));
		for (size_t k = 0; k < t->guest_env.n; k++)
			if (!strncmp(t->guest_env.v[k], argv[i], nlen + 1))
				return topo_err(p, "guest-env %.*s set twice",
						(int)nlen, argv[i]);
		if (t->guest_env.n >= TOPO_LIST_MAX)
			return topo_err(p, "too many guest-env (at most %d)",
					TOPO_LIST_MAX);
		if (topo_strv_add(&t->guest_env, argv[i]))
			return topo_oom(p);
	}
	return 0;
}

static int topo_st_group(struct topo_pstate *p, int argc, char **argv)
{
	struct topo *t = p->t;
	struct topo_group *g;
	char bdf[13];

	if (topo_nargs(p, argc, argv, 1, -1))
		return -1;
	g = realloc(t->groups, (t->ngroups + 1) * sizeof(*g));
	if (!g)
		return topo_oom(p);
	t->groups = g;
	g += t->ngroups++;
	memset(g, 0, sizeof(*g));
	g->line = p->line;
	for (int i = 1; i < argc; i++) {
		if (topo_add_bdf(p, argv[i], bdf))
			return -1;
		if (topo_strv_add(&g->bdfs, bdf))
			return topo_oom(p);
	}
	return 0;
}

static int topo_statement(struct topo_pstate *p, int argc, char **argv)
{
	struct topo *t = p->t;
	const char *st = argv[0];
	char q[80];

	if (!strcmp(st, "name")) {
		if (topo_nargs(p, argc, argv, 1, 1) ||
		    topo_once(p, &p->line_name, st))
			return -1;
		if (!topo_chars_ok(argv[1], "._-"))
			return topo_err(p,
					"bad name '%s' (want [A-Za-z0-9._-]+)",
					topo_q(q, sizeof(q), argv[1]));
		return topo_set_str(p, &t->name, argv[1]);
	}
	if (!strcmp(st, "machine")) {
		if (topo_nargs(p, argc, argv, 1, 1) ||
		    topo_once(p, &p->line_machine, st))
			return -1;
		return topo_set_str(p, &t->machine, argv[1]);
	}
	if (!strcmp(st, "iommu"))
		return topo_st_iommu(p, argc, argv);
	if (!strcmp(st, "memory")) {
		if (topo_nargs(p, argc, argv, 1, 1) ||
		    topo_once(p, &p->line_memory, st))
			return -1;
		return topo_number(p, st, argv[1], TOPO_MEMORY_MAX,
				   &t->memory_mib);
	}
	if (!strcmp(st, "smp")) {
		if (topo_nargs(p, argc, argv, 1, 1) ||
		    topo_once(p, &p->line_smp, st))
			return -1;
		return topo_number(p, st, argv[1], TOPO_SMP_MAX, &t->smp);
	}
	if (!strcmp(st, "cpu")) {
		if (topo_nargs(p, argc, argv, 1, 1) ||
		    topo_once(p, &p->line_cpu, st))
			return -1;
		return topo_set_str(p, &t->cpu, argv[1]);
	}
	if (!strcmp(st, "timeout")) {
		if (topo_nargs(p, argc, argv, 1, 1) ||
		    topo_once(p, &p->line_timeout, st))
			return -1;
		return topo_number(p, st, argv[1], TOPO_TIMEOUT_MAX,
				   &t->timeout_s);
	}
	if (!strcmp(st, "append")) {
		if (topo_nargs(p, argc, argv, 1, -1))
			return -1;
		for (int i = 1; i < argc; i++) {
			if (p->user_append.n >= TOPO_LIST_MAX * 4)
				return topo_err(p, "too many kernel arguments");
			if (topo_strv_add(&p->user_append, argv[i]))
				return topo_oom(p);
		}
		return 0;
	}
	if (!strcmp(st, "device") || !strcmp(st, "-device")) {
		if (topo_nargs(p, argc, argv, 1, 1))
			return -1;
		if (argv[1][0] == ',')
			return topo_err(
				p, "'%s' value '%s' names no device driver", st,
				topo_q(q, sizeof(q), argv[1]));
		if (topo_strv_add(&t->devices, argv[1]))
			return topo_oom(p);
		return 0;
	}
	if (!strcmp(st, "drive"))
		return topo_st_drive(p, argc, argv);
	if (!strcmp(st, "netdev"))
		return topo_st_netdev(p, argc, argv);
	if (!strcmp(st, "object") || !strcmp(st, "-object"))
		return topo_st_object(p, argc, argv);
	if (!strcmp(st, "modules"))
		return topo_st_names(p, argc, argv, &p->user_modules, "module",
				     "_-");
	/*
	 * Once: a second line would silently add to the first (a copy of a
	 * topology with "suites X" appended ran every suite of the original).
	 */
	if (!strcmp(st, "suites")) {
		if (topo_once(p, &p->line_suites, "suites"))
			return -1;
		return topo_st_names(p, argc, argv, &t->suites, "suite", "._-");
	}
	if (!strcmp(st, "guest-env"))
		return topo_st_guest_env(p, argc, argv);
	if (!strcmp(st, "qemu-trace"))
		return topo_st_names(p, argc, argv, &t->traces, "trace event",
				     "_*");
	if (!strcmp(st, "expect-group"))
		return topo_st_group(p, argc, argv);
	if (!strcmp(st, "expect-nogroup")) {
		char bdf[13];

		if (topo_nargs(p, argc, argv, 1, 1) ||
		    topo_add_bdf(p, argv[1], bdf))
			return -1;
		if (topo_strv_add(&t->nogroup, bdf))
			return topo_oom(p);
		return 0;
	}
	/* QEMU options pasted into a file: say what stands in for them. */
	if (!strcmp(st, "-drive"))
		return topo_err(
			p,
			"unknown statement '-drive' (write 'drive ID SIZE' for a scratch disk made per run, and '-device ...,drive=ID')");
	if (!strcmp(st, "-netdev"))
		return topo_err(
			p,
			"unknown statement '-netdev' (write 'netdev ID', a backend connected to nothing, and '-device ...,netdev=ID')");
	return topo_err(p, "unknown statement '%s'", topo_q(q, sizeof(q), st));
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

int topo_qemu_args(const struct topo *t, struct topo_strv *out)
{
	char num[16];

	memset(out, 0, sizeof(*out));
	if (topo_strv_add(out, "-machine") ||
	    topo_strv_add(out, t->machine ? t->machine : "") ||
	    topo_strv_add(out, "-m"))
		goto fail;
	snprintf(num, sizeof(num), "%u", t->memory_mib);
	if (topo_strv_add(out, num) || topo_strv_add(out, "-smp"))
		goto fail;
	snprintf(num, sizeof(num), "%u", t->smp);
	if (topo_strv_add(out, num) || topo_strv_add(out, "-cpu") ||
	    topo_strv_add(out, t->cpu ? t->cpu : "max"))
		goto fail;
	if (t->iommu_device && (topo_strv_add(out, "-device") ||
				topo_strv_add(out, t->iommu_device)))
		goto fail;
	for (size_t i = 0; i < t->nobjects; i++)
		if (topo_strv_add(out, "-object") ||
		    topo_strv_add(out, t->objects[i].args))
			goto fail;
	/* A hub of its own and no other port: no traffic leaves the NIC. */
	for (size_t i = 0; i < t->nnetdevs; i++)
		if (topo_strv_add(out, "-netdev") ||
		    topo_strv_addf(out, "hubport,id=%s,hubid=%zu",
				   t->netdevs[i].id, TOPO_HUB_FIRST + i))
			goto fail;
	for (size_t i = 0; i < t->devices.n; i++)
		if (topo_strv_add(out, "-device") ||
		    topo_strv_add(out, t->devices.v[i]))
			goto fail;
	/* Their log goes nowhere (QEMU_TRACE in check.sh keeps it). */
	for (size_t i = 0; i < t->traces.n; i++)
		if (topo_strv_add(out, "-trace") ||
		    topo_strv_add(out, t->traces.v[i]))
			goto fail;
	if (t->traces.n &&
	    (topo_strv_add(out, "-D") || topo_strv_add(out, "/dev/null")))
		goto fail;
	return 0;
fail:
	topo_strv_free(out);
	return -1;
}

static int topo_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int topo_cmp_group(const void *a, const void *b)
{
	const struct topo_strv *ga = a, *gb = b;

	return strcmp(ga->v[0], gb->v[0]);
}

/* Append to a malloc'd string; frees it and returns NULL on failure. */
static char *topo_cat(char *s, size_t *len, const char *add)
{
	size_t n = strlen(add);
	char *r = realloc(s, *len + n + 1);

	if (!r) {
		free(s);
		return NULL;
	}
	memcpy(r + *len, add, n + 1);
	*len += n;
	return r;
}

char *topo_expect_text(const struct topo *t, const char *source)
{
	struct topo_strv *gs = NULL;
	char **ng = NULL;
	char *s = NULL;
	size_t len = 0;

	s = topo_cat(s, &len, "# generated from ");
	if (s)
		s = topo_cat(s, &len, source ? source : "<input>");
	if (s)
		s = topo_cat(s, &len, "\n");
	if (!s)
		return NULL;
	/* Sort copies of the pointer arrays; the topology stays as read. */
	gs = calloc(t->ngroups + 1, sizeof(*gs));
	ng = calloc(t->nogroup.n + 1, sizeof(*ng));
	if (!gs || !ng)
		goto fail;
	for (size_t i = 0; i < t->ngroups; i++) {
		gs[i].n = t->groups[i].bdfs.n;
		gs[i].v = calloc(gs[i].n + 1, sizeof(char *));
		if (!gs[i].v)
			goto fail;
		memcpy(gs[i].v, t->groups[i].bdfs.v, gs[i].n * sizeof(char *));
		qsort(gs[i].v, gs[i].n, sizeof(char *), topo_cmp_str);
	}
	for (size_t i = 0; i < t->ngroups; i++)
		if (!gs[i].n)
			goto fail;
	qsort(gs, t->ngroups, sizeof(*gs), topo_cmp_group);
	if (t->nogroup.n)
		memcpy(ng, t->nogroup.v, t->nogroup.n * sizeof(char *));
	qsort(ng, t->nogroup.n, sizeof(char *), topo_cmp_str);
	for (size_t i = 0; i < t->ngroups && s; i++) {
		s = topo_cat(s, &len, "group");
		for (size_t j = 0; j < gs[i].n && s; j++) {
			s = topo_cat(s, &len, " ");
			if (s)
				s = topo_cat(s, &len, gs[i].v[j]);
		}
		if (s)
			s = topo_cat(s, &len, "\n");
	}
	for (size_t i = 0; i < t->nogroup.n && s; i++) {
		s = topo_cat(s, &len, "nogroup ");
		if (s)
			s = topo_cat(s, &len, ng[i]);
		if (s)
			s = topo_cat(s, &len, "\n");
	}
	goto out;
fail:
	free(s);
	s = NULL;
out:
	if (gs)
		for (size_t i = 0; i < t->ngroups; i++)
			free(gs[i].v);
	free(gs);
	free(ng);
	return s;
}
