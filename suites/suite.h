// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shared bits of the guest suites.  Include after kselftest_harness.h.
 * The suites compare the kernel with the reference model (harness/model).
 *
 * kselftest prints results on stdout and TH_LOG diagnostics on stderr; the
 * guest merges both into one stream, so stdout must not sit on lines that
 * stderr has already overtaken.
 */
#ifndef IOG_SUITE_H
#define IOG_SUITE_H

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "model.h"
#include "pci_topo.h"
#include "sysfs.h"

static void __attribute__((constructor)) suite_line_buffered(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

static inline void suite_snapshot_put(struct sysfs_snapshot *s)
{
	sysfs_snapshot_free(s);
}

static inline void suite_problems_put(struct sysfs_problems *p)
{
	sysfs_problems_free(p);
}

/* Declare and take a snapshot of sysfs_root(); freed on scope exit. */
#define SUITE_SNAPSHOT(s)                                           \
	struct sysfs_snapshot s                                     \
		__attribute__((cleanup(suite_snapshot_put))) = {0}; \
	int s##_errno = sysfs_snapshot_take(NULL, &s) ? errno : 0;  \
	ASSERT_EQ(0, s##_errno)                                     \
	TH_LOG("cannot read %s: %s", sysfs_root(), strerror(s##_errno))

/* Declare an empty problem list, freed on scope exit. */
#define SUITE_PROBLEMS(p)       \
	struct sysfs_problems p \
		__attribute__((cleanup(suite_problems_put))) = {0}

/* Log every problem of p, one TH_LOG line each, and return their number. */
#define SUITE_LOG_PROBLEMS(p)                                             \
	({                                                                \
		for (size_t __i = 0; __i < (p)->nr; __i++)                \
			TH_LOG("%s", (p)->msg[__i]);                      \
		if ((p)->dropped)                                         \
			TH_LOG("(%zu more problems lost: out of memory)", \
			       (p)->dropped);                             \
		sysfs_problems_count(p);                                  \
	})

/*
 * Print a partition, one group a line, as "# TITLE group ID {BDF ...}"
 * (with_ids false: "# TITLE group {BDF ...}" for declared groups).
 */
static inline void suite_print_partition(FILE *out, const char *title,
					 const struct sysfs_partition *part,
					 bool with_ids)
{
	if (!part->nr)
		fprintf(out, "# %s: none\n", title);
	for (size_t i = 0; i < part->nr; i++) {
		char *s = sysfs_pgroup_str(&part->groups[i]);

		if (with_ids)
			fprintf(out, "# %s group %ld %s\n", title,
				part->groups[i].id, s ? s : "?");
		else
			fprintf(out, "# %s group %s\n", title, s ? s : "?");
		free(s);
	}
	fflush(out);
}

/* IOG_EXPECT_GROUPS=1: the topology has an IOMMU (set by the harness). */
static inline bool suite_expect_groups(void)
{
	const char *e = getenv("IOG_EXPECT_GROUPS");

	return e && !strcmp(e, "1");
}

/* Print text one "# " line per line, so that KTAP stays intact. */
static inline void suite_print_text(FILE *out, const char *indent,
				    const char *text)
{
	const char *s = text ? text : "";

	while (*s) {
		size_t n = strcspn(s, "\n");

		fprintf(out, "# %s%.*s\n", indent, (int)n, s);
		s += n + (s[n] == '\n');
	}
	fflush(out);
}

/* ---- the reference model ---------------------------------------------- */

/* A device with a driver bound (virtio-iommu's input). */
struct suite_bound {
	char *bdf;
	char module[64]; /* the driver's module, "" if none */
	long rank; /* when it probed: see suite_driver_rank() */
};

/*
 * DESIGN.md, "The reference model": the model predicts from config space,
 * the IOMMU kind and (virtio-iommu) the bound devices; the kernel's own
 * grouping is never its input.
 */
struct suite_model {
	enum model_iommu_kind kind;
	char kind_from[PATH_MAX]; /* where the kind came from */
	struct suite_bound *bound; /* virtio-iommu: probe order */
	size_t nr_bound;
	bool order_known; /* the order IDs are allocated in (R1, R2) */
	char order_why[512]; /* why it is unknown */
	struct model *m;
	struct model_partition p;
	bool have_p;
};

static inline void suite_model_put(struct suite_model *sm)
{
	for (size_t i = 0; i < sm->nr_bound; i++)
		free(sm->bound[i].bdf);
	free(sm->bound);
	if (sm->have_p)
		model_partition_free(&sm->p);
	model_free(sm->m);
	memset(sm, 0, sizeof(*sm));
}

/* Declare an unloaded model, freed on scope exit. */
#define SUITE_MODEL(sm) \
	struct suite_model sm __attribute__((cleanup(suite_model_put))) = {0}

/* snprintf for paths: -1 (and an empty buf) if it does not fit. */
static inline int suite_pathf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline int suite_pathf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		buf[0] = '\0';
		return -1;
	}
	return 0;
}

/*
 * The IOMMU kind from ROOT/class/iommu, as iogroups detects it: dmar*
 * (VT-d), ivhd* (AMD-Vi), a device link through virtio (virtio-iommu).
 * 0, or -1 if nothing there says.
 */
static inline int suite_detect_iommu(const char *root,
				     enum model_iommu_kind *kind, char *from,
				     size_t fromlen)
{
	char dir[PATH_MAX], path[PATH_MAX], link[PATH_MAX];
	struct dirent *e;
	int found = -1;
	DIR *d;

	d = suite_pathf(dir, sizeof(dir), "%s/class/iommu", root)
		    ? NULL
		    : opendir(dir);
	if (!d)
		return -1;
	while (found < 0 && (e = readdir(d))) {
		ssize_t n;

		if (e->d_name[0] == '.')
			continue;
		if (!strncmp(e->d_name, "dmar", 4)) {
			*kind = MODEL_IOMMU_INTEL;
			found = 0;
		} else if (!strncmp(e->d_name, "ivhd", 4)) {
			*kind = MODEL_IOMMU_AMD;
			found = 0;
		} else {
			suite_pathf(path, sizeof(path), "%s/%s/device", dir,
				    e->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n > 0) {
				link[n] = '\0';
				if (strstr(link, "virtio")) {
					*kind = MODEL_IOMMU_VIRTIO;
					found = 0;
				}
			}
		}
		if (!found)
			suite_pathf(from, fromlen, "%s/%s", dir, e->d_name);
	}
	closedir(d);
	return found;
}

/* Module name as the kernel spells it: basename, no .ko, '_' for '-'. */
static inline void suite_modname(const char *in, char *out, size_t size)
{
	const char *b = strrchr(in, '/') ? strrchr(in, '/') + 1 : in;
	size_t n = strcspn(b, ".");

	if (n >= size)
		n = size - 1;
	memcpy(out, b, n);
	out[n] = '\0';
	for (char *c = out; *c; c++)
		if (*c == '-')
			*c = '_';
}

/* Position of mod in the space-separated list, or -1. */
static inline long suite_module_rank(const char *list, const char *mod)
{
	char *copy = strdup(list), *save = NULL, name[64];
	long i = 0, found = -1;

	if (!copy)
		return -1;
	for (char *t = strtok_r(copy, " \t\n", &save); t && found < 0;
	     t = strtok_r(NULL, " \t\n", &save), i++) {
		suite_modname(t, name, sizeof(name));
		if (!strcmp(name, mod))
			found = i;
	}
	free(copy);
	return found;
}

/* Rank of a driver that no IOG_MODULE_ORDER entry places. */
#define SUITE_RANK_UNKNOWN LONG_MAX

static inline int suite_bound_cmp(const void *a, const void *b)
{
	const struct suite_bound *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return strcmp(x->bdf, y->bdf);
}

/*
 * Where a bound device's driver probed: -1 for a built-in driver (no
 * module link, or a module without initstate: built into the kernel, it
 * probed at boot or, deferred, as soon as the IOMMU registered), else the
 * module's place in order, or SUITE_RANK_UNKNOWN.
 */
static inline long suite_driver_rank(const char *dev, const char *order,
				     char *module, size_t size)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t len;
	long rank;

	module[0] = '\0';
	len = suite_pathf(path, sizeof(path), "%s/driver/module", dev)
		      ? -1
		      : readlink(path, link, sizeof(link) - 1);
	if (len <= 0)
		return -1;
	link[len] = '\0';
	suite_modname(link, module, size);
	if (suite_pathf(path, sizeof(path), "%s/driver/module/initstate",
			dev) ||
	    access(path, F_OK))
		return -1;
	rank = order ? suite_module_rank(order, module) : -1;
	return rank < 0 ? SUITE_RANK_UNKNOWN : rank;
}

/*
 * virtio-iommu (6.12) groups the devices whose drivers probe after it, in
 * probe order (observed-q35.md).  Drivers bind when their module loads,
 * so: devices with a driver link, built-in drivers first, then by the
 * driver module's place in IOG_MODULE_ORDER, BDF order within one driver
 * (bus order = device_add order, R2).  Without IOG_MODULE_ORDER: BDF
 * order, and the order IDs are allocated in is unknown.  0, or -1.
 */
static inline int suite_virtio_bound(const char *root, struct suite_model *sm)
{
	const char *order = getenv("IOG_MODULE_ORDER");
	struct suite_bound *v = NULL;
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent **list = NULL;
	size_t nr = 0;
	int n, ret = -1;
	struct stat st;

	if (order && !*order)
		order = NULL;
	sm->order_known = order;
	if (!order)
		snprintf(sm->order_why, sizeof(sm->order_why),
			 "virtio-iommu numbers groups in driver probe order "
			 "and IOG_MODULE_ORDER is not set: the order is "
			 "unknown (R1, R2)");
	if (suite_pathf(dir, sizeof(dir), "%s/bus/pci/devices", root))
		return -1;
	n = scandir(dir, &list, NULL, alphasort);
	if (n > 0) {
		v = calloc(n, sizeof(*v));
		if (!v)
			goto out;
	}
	for (int i = 0; i < n; i++) {
		struct suite_bound *b = &v[nr];

		if (!sysfs_is_bdf(list[i]->d_name))
			continue;
		if (suite_pathf(path, sizeof(path), "%s/%s/driver", dir,
				list[i]->d_name) ||
		    lstat(path, &st))
			continue;
		path[strlen(path) - strlen("/driver")] = '\0';
		b->bdf = strdup(list[i]->d_name);
		if (!b->bdf)
			goto out;
		b->rank = suite_driver_rank(path, order, b->module,
					    sizeof(b->module));
		nr++;
	}
	if (nr)
		qsort(v, nr, sizeof(*v), suite_bound_cmp);
	sm->bound = calloc(nr ? nr : 1, sizeof(*sm->bound));
	if (!sm->bound)
		goto out;
	for (size_t i = 0; i < nr; i++)
		sm->bound[i] = v[i];
	sm->nr_bound = nr;
	nr = 0;
	ret = 0;
out:
	for (size_t i = 0; v && i < nr; i++)
		free(v[i].bdf);
	free(v);
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
	return ret;
}

/*
 * Unlisted modules make the IDs' order unknown only if the model groups a
 * device they drive: those come last, so they shift no other ID.
 */
static inline void suite_virtio_order_check(struct suite_model *sm)
{
	const char *order = getenv("IOG_MODULE_ORDER");

	for (size_t i = 0; sm->order_known && i < sm->nr_bound; i++) {
		const struct suite_bound *b = &sm->bound[i];
		const struct model_pdev *d =
			model_partition_dev(&sm->p, b->bdf);

		if (b->rank != SUITE_RANK_UNKNOWN || !d || d->group < 0)
			continue;
		sm->order_known = false;
		snprintf(
			sm->order_why, sizeof(sm->order_why),
			"%s's driver module %s is not in IOG_MODULE_ORDER='%s': "
			"the probe order is unknown (R1, R2)",
			b->bdf, b->module, order ? order : "");
	}
}

/*
 * Load the model from the live config space under sysfs_root() and boot
 * it.  The kind comes from IOG_IOMMU (intel|amd|virtio|none), else from
 * ROOT/class/iommu.  IOMMU none: SKIP.  A model that cannot load (config
 * space past 64 bytes needs root) FAILs when IOG_EXPECT_GROUPS=1 -- the
 * harness's own guest runs us as root, so it must work there -- and SKIPs
 * otherwise (host mode as a user).  Returns false when the test has ended.
 */
static inline bool suite_model_get(struct __test_metadata *_metadata,
				   struct suite_model *sm)
{
	const char *root = sysfs_root(), *env = getenv("IOG_IOMMU");
	const char **bdfs = NULL;
	struct model_opts o = {0};
	char err[MODEL_ERR_LEN];
	bool must = suite_expect_groups();
	int bad;

	if (env && *env) {
		if (!strcmp(env, "none"))
			SKIP(return false,
				    "IOG_IOMMU=none: no IOMMU, so the model "
				    "predicts no groups to compare");
		bad = model_iommu_kind_parse(env, &sm->kind);
		ASSERT_EQ(0, bad)
		TH_LOG("IOG_IOMMU='%s': want intel, amd, virtio or none", env);
		snprintf(sm->kind_from, sizeof(sm->kind_from), "IOG_IOMMU=%s",
			 env);
	} else {
		bad = suite_detect_iommu(root, &sm->kind, sm->kind_from,
					 sizeof(sm->kind_from));
		if (bad && !must)
			SKIP(return false,
				    "IOMMU kind unknown: IOG_IOMMU unset and "
				    "%s/class/iommu names no dmar*, ivhd* or "
				    "virtio IOMMU",
				    root);
		ASSERT_EQ(0, bad)
		TH_LOG("IOMMU kind unknown although IOG_EXPECT_GROUPS=1: "
		       "IOG_IOMMU unset and %s/class/iommu names no dmar*, "
		       "ivhd* or virtio IOMMU",
		       root);
	}
	bad = model_load_live(&sm->m, root, err, sizeof(err));
	if (bad && !must)
		SKIP(return false, "reference model unavailable: %s", err);
	ASSERT_EQ(0, bad)
	TH_LOG("the reference model cannot read config space although "
	       "IOG_EXPECT_GROUPS=1 (the harness's guest runs as root): %s",
	       err);
	o.iommu = sm->kind;
	sm->order_known = true;
	if (sm->kind == MODEL_IOMMU_VIRTIO) {
		bad = suite_virtio_bound(root, sm);
		ASSERT_EQ(0, bad)
		TH_LOG("listing bound devices: out of memory");
		bdfs = calloc(sm->nr_bound ? sm->nr_bound : 1, sizeof(*bdfs));
		ASSERT_NE(NULL, bdfs) TH_LOG("out of memory");
		for (size_t i = 0; i < sm->nr_bound; i++)
			bdfs[i] = sm->bound[i].bdf;
		o.bound = bdfs;
		o.nr_bound = sm->nr_bound;
#if defined(__x86_64__) || defined(__i386__)
		/*
		 * x86: the device reports the APIC's MSI window in its PROBE
		 * replies (QEMU declares it for virtio-iommu-pci; 6.12 shows
		 * it as every group's msi region), so the driver's software
		 * window does not apply (R13).
		 */
		o.virtio_msi_start = 0xfee00000ULL;
		o.virtio_msi_end = 0xfeefffffULL;
#endif
	}
	bad = model_boot(sm->m, &o, err, sizeof(err));
	free(bdfs);
	ASSERT_EQ(0, bad) TH_LOG("reference model: %s", err);
	bad = model_partition(sm->m, &sm->p);
	ASSERT_EQ(0, bad) TH_LOG("reference model: out of memory");
	sm->have_p = true;
	if (sm->kind == MODEL_IOMMU_VIRTIO)
		suite_virtio_order_check(sm);
	TH_LOG("model: %s IOMMU (from %s), %zu PCI devices from %s, %zu "
	       "groups predicted",
	       model_iommu_kind_name(sm->kind), sm->kind_from,
	       model_topo(sm->m)->nr, model_topo(sm->m)->source, sm->p.nr);
	return true;
}

static inline int suite_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The model's groups as a sysfs_partition (members sorted, ascending ID),
 * to compare with the kernel's and print alike.  0 or -1 (ENOMEM).
 */
static inline int suite_model_sysfs_partition(const struct model_partition *p,
					      struct sysfs_partition *out)
{
	memset(out, 0, sizeof(*out));
	out->groups = calloc(p->nr ? p->nr : 1, sizeof(*out->groups));
	if (!out->groups)
		return -1;
	for (size_t i = 0; i < p->nr; i++) {
		struct sysfs_pgroup *g = &out->groups[out->nr++];

		g->id = p->groups[i].id;
		g->bdfs = calloc(p->groups[i].nr ? p->groups[i].nr : 1,
				 sizeof(*g->bdfs));
		if (!g->bdfs)
			goto oom;
		for (size_t j = 0; j < p->groups[i].nr; j++) {
			g->bdfs[j] = strdup(p->groups[i].bdfs[j]);
			if (!g->bdfs[j])
				goto oom;
			g->nr++;
		}
		qsort(g->bdfs, g->nr, sizeof(*g->bdfs), suite_cmp_str);
	}
	return 0;
oom:
	sysfs_partition_free(out);
	return -1;
}

/* The model's side in full: its groups, then the devices it leaves out. */
static inline void suite_print_model(FILE *out, const struct suite_model *sm,
				     const struct sysfs_partition *mp)
{
	suite_print_partition(out, "model", mp, true);
	for (size_t i = 0; i < sm->p.nr_devs; i++)
		if (sm->p.devs[i].group < 0)
			fprintf(out, "# model nogroup %s: %s\n",
				sm->p.devs[i].bdf, sm->p.devs[i].why);
	fflush(out);
}

#endif /* IOG_SUITE_H */
