// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which PCI devices a driver probes, and in which order (probe.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe.h"

#define VIRTIO_IOMMU_MODULE "virtio_iommu"

/* ---- the alias file ---------------------------------------------------- */

void model_pci_aliases_free(struct model_pci_aliases *a)
{
	for (size_t i = 0; i < a->nr; i++) {
		free(a->v[i].pattern);
		free(a->v[i].name);
	}
	free(a->v);
	for (size_t i = 0; i < a->nr_builtin_drivers; i++)
		free(a->builtin_drivers[i]);
	free(a->builtin_drivers);
	free(a->path);
	memset(a, 0, sizeof(*a));
}

static int grow(void **v, size_t *cap, size_t nr, size_t size)
{
	void *n;

	if (nr < *cap)
		return 0;
	n = realloc(*v, (*cap ? *cap * 2 : 256) * size);
	if (!n)
		return -1;
	*v = n;
	*cap = *cap ? *cap * 2 : 256;
	return 0;
}

/* src into dst, cut to fit. */
static void copy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Module names compare with '-' and '_' as one (the kernel's spelling). */
static void modname(char *s)
{
	for (; *s; s++)
		if (*s == '-')
			*s = '_';
}

int model_pci_aliases_load(struct model_pci_aliases *a, const char *path,
			   char *err, size_t errlen)
{
	size_t cap = 0, dcap = 0, lineno = 0, len = 0;
	char *line = NULL;
	FILE *f;

	memset(a, 0, sizeof(*a));
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	a->path = strdup(path);
	if (!a->path)
		goto oom;
	while (getline(&line, &len, f) > 0) {
		char *save = NULL, *kind, *pat = NULL, *name, *extra;

		lineno++;
		kind = strtok_r(line, " \t\n", &save);
		if (!kind || kind[0] == '#')
			continue;
		if (!strcmp(kind, "builtin-driver")) {
			name = strtok_r(NULL, " \t\n", &save);
			extra = name ? strtok_r(NULL, " \t\n", &save) : NULL;
			if (!name || extra)
				goto bad;
			if (grow((void **)&a->builtin_drivers, &dcap,
				 a->nr_builtin_drivers,
				 sizeof(*a->builtin_drivers)))
				goto oom;
			a->builtin_drivers[a->nr_builtin_drivers] =
				strdup(name);
			if (!a->builtin_drivers[a->nr_builtin_drivers])
				goto oom;
			a->nr_builtin_drivers++;
			continue;
		}
		if (strcmp(kind, "alias") && strcmp(kind, "builtin"))
			goto bad;
		pat = strtok_r(NULL, " \t\n", &save);
		name = pat ? strtok_r(NULL, " \t\n", &save) : NULL;
		extra = name ? strtok_r(NULL, " \t\n", &save) : NULL;
		if (!name || extra || strncmp(pat, "pci:", 4))
			goto bad;
		if (grow((void **)&a->v, &cap, a->nr, sizeof(*a->v)))
			goto oom;
		a->v[a->nr].pattern = strdup(pat);
		a->v[a->nr].name = strdup(name);
		a->v[a->nr].builtin = kind[0] == 'b';
		a->nr++;
		if (!a->v[a->nr - 1].pattern || !a->v[a->nr - 1].name)
			goto oom;
		continue;
	bad:
		snprintf(err, errlen,
			 "%s:%zu: want 'alias pci:PATTERN MODULE', 'builtin "
			 "pci:PATTERN NAME' or 'builtin-driver NAME'",
			 path, lineno);
		goto fail;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		goto fail;
	}
	free(line);
	fclose(f);
	return 0;
oom:
	snprintf(err, errlen, "%s: out of memory", path);
fail:
	free(line);
	fclose(f);
	model_pci_aliases_free(a);
	return -1;
}

bool model_pci_alias_match(const char *pattern, const char *modalias)
{
	return !fnmatch(pattern, modalias, 0);
}

/* ---- the registered drivers -------------------------------------------- */

struct rdrv {
	char name[64];
	char module[64]; /* "" if the driver has no module link */
	bool builtin; /* no loaded module behind it */
	bool known; /* its table is in the alias file */
	int cls; /* 0 built in, 1 module before virtio_iommu, 2 after, 3 ? */
	unsigned long long sub; /* within cls: ino or load position */
	enum model_probe_when when;
};

struct ctx {
	const char *root;
	const struct model_pci_aliases *a;
	struct rdrv *d;
	size_t nr;
	char *err;
	size_t errlen;
};

static int pathf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int pathf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

void model_link_base(const char *path, char *out, size_t size)
{
	char link[PATH_MAX];
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	const char *b;

	out[0] = '\0';
	if (n <= 0)
		return;
	link[n] = '\0';
	b = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	copy(out, size, b);
}

/* Position of mod in the space-separated list, or -1. */
static long order_pos(const char *list, const char *mod)
{
	char name[64];
	long pos = 0;

	if (!list)
		return -1;
	for (const char *s = list; *s;) {
		size_t n;
		const char *b, *e;

		s += strspn(s, " \t\n");
		n = strcspn(s, " \t\n");
		if (!n)
			break;
		/* basename, no .ko... suffix */
		b = s;
		for (const char *c = s; c < s + n; c++)
			if (*c == '/')
				b = c + 1;
		e = memchr(b, '.', s + n - b);
		if (!e)
			e = s + n;
		if ((size_t)(e - b) < sizeof(name)) {
			memcpy(name, b, e - b);
			name[e - b] = '\0';
			modname(name);
			if (!strcmp(name, mod))
				return pos;
		}
		pos++;
		s += n;
	}
	return -1;
}

static bool is_builtin_name(const struct model_pci_aliases *a,
			    const struct rdrv *d)
{
	for (size_t i = 0; i < a->nr_builtin_drivers; i++)
		if (!strcmp(a->builtin_drivers[i], d->name))
			return true;
	for (size_t i = 0; i < a->nr; i++)
		if (a->v[i].builtin &&
		    (!strcmp(a->v[i].name, d->name) ||
		     (d->module[0] && !strcmp(a->v[i].name, d->module))))
			return true;
	return false;
}

static int cmp_drv_key(const struct rdrv *x, const struct rdrv *y)
{
	if (x->cls != y->cls)
		return x->cls < y->cls ? -1 : 1;
	if (x->sub != y->sub)
		return x->sub < y->sub ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int read_drivers(struct ctx *c, const char *order, long vpos)
{
	char dir[PATH_MAX], path[PATH_MAX + 64];
	struct dirent **list = NULL;
	int n;

	if (pathf(dir, sizeof(dir), "%s/bus/pci/drivers", c->root)) {
		snprintf(c->err, c->errlen, "%s: path too long", c->root);
		return -1;
	}
	n = scandir(dir, &list, NULL, alphasort);
	if (n < 0) {
		/* No PCI drivers at all: nothing probes. */
		if (errno == ENOENT)
			return 0;
		snprintf(c->err, c->errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	c->d = calloc(n ? n : 1, sizeof(*c->d));
	if (!c->d) {
		snprintf(c->err, c->errlen, "out of memory");
		goto out;
	}
	for (int i = 0; i < n; i++) {
		struct rdrv *d = &c->d[c->nr];
		struct stat st;
		long pos;

		if (list[i]->d_name[0] == '.' ||
		    strlen(list[i]->d_name) >= sizeof(d->name) ||
		    pathf(path, sizeof(path), "%s/%s", dir, list[i]->d_name) ||
		    stat(path, &st) || !S_ISDIR(st.st_mode))
			continue;
		copy(d->name, sizeof(d->name), list[i]->d_name);
		pathf(path, sizeof(path), "%s/%s/module", dir, d->name);
		model_link_base(path, d->module, sizeof(d->module));
		modname(d->module);
		d->builtin = true;
		if (d->module[0] &&
		    !pathf(path, sizeof(path), "%s/module/%s/initstate",
			   c->root, d->module) &&
		    !access(path, F_OK))
			d->builtin = false;
		/*
		 * kernfs numbers its nodes in creation order (an IDR,
		 * allocated cyclically), so among the built-in drivers the
		 * driver directory's inode is the registration order.
		 */
		pos = d->builtin ? -1 : order_pos(order, d->module);
		if (d->builtin) {
			d->cls = 0;
			d->sub = st.st_ino;
		} else if (pos >= 0 && vpos >= 0) {
			d->cls = pos < vpos ? 1 : 2;
			d->sub = pos;
		} else {
			d->cls = pos >= 0 ? 2 : 3;
			d->sub = pos >= 0 ? (unsigned long long)pos : st.st_ino;
		}
		if (vpos < 0)
			d->when = MODEL_PROBE_UNKNOWN;
		else
			d->when = d->cls <= 1	? MODEL_PROBE_DEFERRED
				  : d->cls == 2 ? MODEL_PROBE_AT_LOAD
						: MODEL_PROBE_UNKNOWN;
		/* modules.alias holds every module's aliases (if any). */
		d->known = !d->builtin || is_builtin_name(c->a, d);
		c->nr++;
	}
out:
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
	return c->d ? 0 : -1;
}

/* The registered driver an alias line applies to with the lowest key. */
static int line_driver(const struct ctx *c, const struct model_pci_alias *l)
{
	int best = -1;

	for (size_t i = 0; i < c->nr; i++) {
		const struct rdrv *d = &c->d[i];
		bool applies;

		if (l->builtin)
			applies = d->builtin && (!strcmp(l->name, d->name) ||
						 !strcmp(l->name, d->module));
		else
			applies = !d->builtin && !strcmp(l->name, d->module);
		if (applies && (best < 0 || cmp_drv_key(d, &c->d[best]) < 0))
			best = (int)i;
	}
	return best;
}

static void appendf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void appendf(char *buf, size_t size, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}

struct hit {
	struct model_probe p;
	int drv; /* index into ctx.d, or -1 */
	size_t boot;
};

static int cmp_hit(const void *a, const void *b, void *data)
{
	const struct hit *x = a, *y = b;
	const struct ctx *c = data;
	int r;

	if ((x->drv < 0) != (y->drv < 0))
		return x->drv < 0 ? 1 : -1;
	if (x->drv >= 0 && x->drv != y->drv) {
		r = cmp_drv_key(&c->d[x->drv], &c->d[y->drv]);
		if (r)
			return r;
	}
	return x->boot < y->boot ? -1 : x->boot > y->boot;
}

int model_probes_live(const struct model_pci_topo *t, const char *sysfs_root,
		      const struct model_pci_aliases *a,
		      const char *module_order, struct model_probes *out,
		      char *err, size_t errlen)
{
	struct ctx c = {.root = sysfs_root ? sysfs_root : "/sys",
			.a = a,
			.err = err,
			.errlen = errlen};
	char path[PATH_MAX], modalias[256], drv[64];
	struct hit *hits = NULL;
	int *line_drv = NULL;
	size_t nr = 0;
	long vpos;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	out->complete = true;
	out->order_known = true;
	if (module_order && !module_order[strspn(module_order, " \t\n")])
		module_order = NULL;
	vpos = order_pos(module_order, VIRTIO_IOMMU_MODULE);
	if (read_drivers(&c, module_order, vpos))
		goto out;
	if (!module_order) {
		out->order_known = false;
		snprintf(out->order_why, sizeof(out->order_why),
			 "the module load order is not known");
	} else if (vpos < 0) {
		out->order_known = false;
		if (!pathf(path, sizeof(path), "%s/module/%s", c.root,
			   VIRTIO_IOMMU_MODULE) &&
		    !access(path, F_OK) &&
		    !pathf(path, sizeof(path), "%s/module/%s/initstate", c.root,
			   VIRTIO_IOMMU_MODULE) &&
		    access(path, F_OK))
			snprintf(out->order_why, sizeof(out->order_why),
				 "virtio_iommu is built in: when its driver "
				 "registers among the built-in drivers is not "
				 "modelled");
		else
			snprintf(out->order_why, sizeof(out->order_why),
				 "virtio_iommu is not in the module load order "
				 "'%s'",
				 module_order);
	}
	for (size_t i = 0; i < c.nr; i++) {
		if (c.d[i].known)
			continue;
		if (out->complete)
			appendf(out->incomplete, sizeof(out->incomplete),
				"no ID table in %s for the built-in PCI "
				"driver(s)",
				a->path ? a->path : "the alias file");
		out->complete = false;
		appendf(out->incomplete, sizeof(out->incomplete), " %s",
			c.d[i].name);
	}
	line_drv = calloc(a->nr ? a->nr : 1, sizeof(*line_drv));
	hits = calloc(t->nr ? t->nr : 1, sizeof(*hits));
	if (!line_drv || !hits) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < a->nr; i++)
		line_drv[i] = line_driver(&c, &a->v[i]);
	for (size_t i = 0; i < t->nr; i++) {
		const struct model_pci_dev *dev = t->boot_order[i];
		struct hit *h = &hits[nr];
		bool have_alias = false;
		FILE *f;

		memset(h, 0, sizeof(*h));
		h->drv = -1;
		h->boot = i;
		copy(h->p.bdf, sizeof(h->p.bdf), dev->bdf);
		modalias[0] = '\0';
		if (!pathf(path, sizeof(path), "%s/bus/pci/devices/%s/modalias",
			   c.root, dev->bdf) &&
		    (f = fopen(path, "r"))) {
			have_alias = fgets(modalias, sizeof(modalias), f);
			modalias[strcspn(modalias, "\n")] = '\0';
			fclose(f);
		}
		if (!have_alias || !modalias[0]) {
			if (out->complete)
				snprintf(out->incomplete,
					 sizeof(out->incomplete),
					 "%s has no modalias in %s/bus/pci",
					 dev->bdf, c.root);
			out->complete = false;
		}
		for (size_t l = 0; have_alias && l < a->nr; l++) {
			int d = line_drv[l];

			if (d < 0 || (h->drv >= 0 &&
				      cmp_drv_key(&c.d[d], &c.d[h->drv]) >= 0))
				continue;
			if (model_pci_alias_match(a->v[l].pattern, modalias))
				h->drv = d;
		}
		/* A bound device was probed, whatever the tables say. */
		pathf(path, sizeof(path), "%s/bus/pci/devices/%s/driver",
		      c.root, dev->bdf);
		model_link_base(path, drv, sizeof(drv));
		if (drv[0]) {
			h->p.bound = true;
			for (size_t k = 0; k < c.nr; k++)
				if (!strcmp(c.d[k].name, drv) &&
				    (h->drv < 0 ||
				     cmp_drv_key(&c.d[k], &c.d[h->drv]) < 0))
					h->drv = (int)k;
		}
		if (h->drv < 0 && !h->p.bound)
			continue;
		if (h->drv >= 0) {
			const struct rdrv *d = &c.d[h->drv];

			copy(h->p.driver, sizeof(h->p.driver), d->name);
			copy(h->p.module, sizeof(h->p.module), d->module);
			h->p.builtin = d->builtin;
			h->p.when = d->when;
		} else {
			copy(h->p.driver, sizeof(h->p.driver), drv);
			h->p.when = MODEL_PROBE_UNKNOWN;
		}
		nr++;
	}
	qsort_r(hits, nr, sizeof(*hits), cmp_hit, &c);
	out->v = calloc(nr ? nr : 1, sizeof(*out->v));
	if (!out->v) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nr; i++)
		out->v[i] = hits[i].p;
	out->nr = nr;
	ret = 0;
out:
	free(hits);
	free(line_drv);
	free(c.d);
	if (ret)
		model_probes_free(out);
	return ret;
}

void model_probes_free(struct model_probes *p)
{
	free(p->v);
	p->v = NULL;
	p->nr = 0;
}
