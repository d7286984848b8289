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
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "model.h"
#include "pci_quirks.h"
#include "pci_topo.h"
#include "probe.h"
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

/* ---- measurements ------------------------------------------------------ */

static inline int suite_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of v[0..n) (n > 0); v is left as it was. */
static inline double suite_median(const double *v, size_t n)
{
	double s[n];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), suite_cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* ---- the kernel log and the clock --------------------------------------- */

static inline double suite_now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

/* /dev/kmsg, positioned after the last record so far; -1 if unreadable. */
static inline int suite_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/*
 * The next record's message (its first line, without the prefix) into
 * msg: 1, or 0 when none is pending, -1 on a read error.  Records the
 * ring overwrote before they were read are skipped.
 */
static inline int suite_kmsg_next(int fd, char *msg, size_t len)
{
	char rec[2048], *m;
	ssize_t n;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		if (!n)
			return 0;
		rec[n] = '\0';
		m = strchr(rec, ';');
		m = m ? m + 1 : rec;
		n = strcspn(m, "\n");
		if ((size_t)n >= len)
			n = len - 1;
		memcpy(msg, m, n);
		msg[n] = '\0';
		return 1;
	}
}

/* ---- the reference model ---------------------------------------------- */

/* A device a driver probes (virtio-iommu's input; model/probe.h). */
struct suite_bound {
	char *bdf;
	char module[64]; /* the first matching driver's module, "" if none */
	long rank; /* place in the predicted probe order */
};

/*
 * DESIGN.md, "The reference model": the model predicts from config space,
 * the IOMMU kind and (virtio-iommu) the devices a driver probes, derived
 * from the drivers present and their ID tables; the kernel's own grouping
 * is never its input.
 */
struct suite_model {
	enum model_iommu_kind kind;
	char kind_from[PATH_MAX]; /* where the kind came from */
	/* virtio-iommu: the devices a driver probes, in probe order */
	struct suite_bound *bound;
	size_t nr_bound;
	struct model_probes probes; /* the same, with driver and timing */
	bool order_known; /* the order IDs are allocated in (R1, R2) */
	char order_why[1024]; /* why it is unknown */
	struct model *m;
	struct model_partition p;
	bool have_p;
};

static inline void suite_model_put(struct suite_model *sm)
{
	for (size_t i = 0; i < sm->nr_bound; i++)
		free(sm->bound[i].bdf);
	free(sm->bound);
	model_probes_free(&sm->probes);
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
	return model_iommu_kind_detect(root, kind, from, fromlen);
}

/* The PCI alias file (model/probe.h): IOG_PCI_ALIASES, or the image's. */
static inline const char *suite_pci_aliases_path(void)
{
	const char *e = getenv("IOG_PCI_ALIASES");

	return e && *e ? e : "/etc/iog/pci-aliases";
}

/*
 * virtio-iommu's input: the devices a registered driver's ID table
 * matches (or that are bound), in predicted probe order (model/probe.h),
 * from the alias file harness/image.sh ships and the drivers and modules
 * sysfs shows.  0; 1 if it cannot be derived here (no alias file, a
 * driver whose table is unknown), with the reason in why; -1 on error.
 */
static inline int suite_virtio_probed(const char *root, struct suite_model *sm,
				      char *why, size_t whylen)
{
	const char *order = getenv("IOG_MODULE_ORDER");
	struct model_pci_aliases a = {0};
	char err[MODEL_PROBE_WHY_LEN];
	int ret;

	if (model_pci_aliases_load(&a, suite_pci_aliases_path(), err,
				   sizeof(err))) {
		snprintf(why, whylen,
			 "virtio-iommu groups the devices a driver probes, "
			 "and which those are comes from the drivers' ID "
			 "tables: %s",
			 err);
		return 1;
	}
	ret = model_probes_live(model_topo(sm->m), root, &a, order, &sm->probes,
				err, sizeof(err));
	model_pci_aliases_free(&a);
	if (ret) {
		snprintf(why, whylen, "deriving the probed devices: %s", err);
		return -1;
	}
	if (!sm->probes.complete) {
		snprintf(why, whylen,
			 "virtio-iommu groups the devices a driver probes, "
			 "and which those are cannot be derived: %s",
			 sm->probes.incomplete);
		return 1;
	}
	sm->bound =
		calloc(sm->probes.nr ? sm->probes.nr : 1, sizeof(*sm->bound));
	if (!sm->bound) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < sm->probes.nr; i++) {
		struct suite_bound *b = &sm->bound[sm->nr_bound];

		b->bdf = strdup(sm->probes.v[i].bdf);
		if (!b->bdf) {
			snprintf(why, whylen, "out of memory");
			return -1;
		}
		snprintf(b->module, sizeof(b->module), "%s",
			 sm->probes.v[i].module);
		b->rank = (long)i;
		sm->nr_bound++;
	}
	if (!sm->probes.order_known) {
		sm->order_known = false;
		if (!order || !order[strspn(order, " \t\n")])
			snprintf(sm->order_why, sizeof(sm->order_why),
				 "virtio-iommu numbers groups in driver probe "
				 "order and IOG_MODULE_ORDER is not set: the "
				 "order is unknown (R1, R2)");
		else
			snprintf(sm->order_why, sizeof(sm->order_why),
				 "virtio-iommu numbers groups in driver probe "
				 "order, and %s (IOG_MODULE_ORDER): the order "
				 "is unknown (R1, R2)",
				 sm->probes.order_why);
	}
	return 0;
}

/*
 * After the prediction: the IDs are known only if every grouped device's
 * probe time is, and if the grouped devices do not come both from the
 * deferred-probe retry and from modules loaded after virtio_iommu.  The
 * retry runs on system_unbound_wq (drivers/base/dd.c) while /init loads
 * the next module without waiting for it, so those two race.
 */
static inline void suite_virtio_order_check(struct suite_model *sm)
{
	const char *order = getenv("IOG_MODULE_ORDER");
	const struct model_probe *deferred = NULL, *at_load = NULL;

	for (size_t i = 0; sm->order_known && i < sm->probes.nr; i++) {
		const struct model_probe *b = &sm->probes.v[i];
		const struct model_pdev *d =
			model_partition_dev(&sm->p, b->bdf);

		if (!d || d->group < 0)
			continue;
		if (b->when == MODEL_PROBE_DEFERRED && !deferred)
			deferred = b;
		if (b->when == MODEL_PROBE_AT_LOAD && !at_load)
			at_load = b;
		if (b->when != MODEL_PROBE_UNKNOWN)
			continue;
		sm->order_known = false;
		snprintf(
			sm->order_why, sizeof(sm->order_why),
			"%s's driver module %s is not in IOG_MODULE_ORDER='%s': "
			"the probe order is unknown (R1, R2)",
			b->bdf, b->module[0] ? b->module : b->driver,
			order ? order : "");
	}
	if (sm->order_known && deferred && at_load) {
		sm->order_known = false;
		snprintf(sm->order_why, sizeof(sm->order_why),
			 "virtio-iommu groups %s (%s, deferred until "
			 "virtio_iommu registered) from the deferred-probe "
			 "work and %s (%s) as its module loads; /init loads "
			 "the next module without waiting for that work "
			 "(drivers/base/dd.c: system_unbound_wq), so which "
			 "comes first is a race: the IDs are not predictable "
			 "(R1, R2)",
			 deferred->bdf, deferred->driver, at_load->bdf,
			 at_load->driver);
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
	/* The kernel under test is the one running: its quirk rows apply. */
	if (!strcmp(root, "/sys") && model_kernel_running(&o.kernel))
		o.kernel = 0;
	sm->order_known = true;
	if (sm->kind == MODEL_IOMMU_VIRTIO) {
		char why[1024];
		size_t nb = 0;

		bad = suite_virtio_probed(root, sm, why, sizeof(why));
		/* Our own image always ships the alias file. */
		if (bad > 0 && must && access(suite_pci_aliases_path(), F_OK))
			bad = -1;
		if (bad > 0)
			SKIP(return false, "%s", why);
		ASSERT_EQ(0, bad)
		TH_LOG("%s%s", why,
		       must ? " (IOG_EXPECT_GROUPS=1: harness/image.sh ships "
			      "the alias file)"
			    : "");
		bdfs = calloc(2 * sm->nr_bound + 1, sizeof(*bdfs));
		ASSERT_NE(NULL, bdfs) TH_LOG("out of memory");
		for (size_t i = 0; i < sm->nr_bound; i++) {
			bdfs[i] = sm->bound[i].bdf;
			if (sm->probes.v[i].bound)
				bdfs[sm->nr_bound + nb++] = sm->bound[i].bdf;
		}
		o.probed = bdfs;
		o.nr_probed = sm->nr_bound;
		o.bound = bdfs + sm->nr_bound;
		o.nr_bound = nb;
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
	/* Config space read as root is complete: none, except on hosts. */
	for (size_t i = 0; i < sm->p.nr; i++)
		if (sm->p.groups[i].certainty != MODEL_DECIDED)
			TH_LOG("model group %d is not compared: %s",
			       sm->p.groups[i].id, sm->p.groups[i].undecidable);
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
