// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shared bits of the guest suites.  Include after kselftest_harness.h.
 * The suites compare the kernel with the reference model (harness/model).
 * The code is in suites/lib/suite.c, linked into every suite program,
 * which also makes stdout line-buffered: kselftest prints results on
 * stdout and TH_LOG diagnostics on stderr, the guest merges both into one
 * stream, and stdout must not sit on lines that stderr has overtaken.
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
#include "pci_quirks.h"
#include "pci_topo.h"
#include "probe.h"
#include "sysfs.h"

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
void suite_print_partition(FILE *out, const char *title,
			   const struct sysfs_partition *part, bool with_ids);

/* IOG_EXPECT_GROUPS=1: the topology has an IOMMU (set by the harness). */
static inline bool suite_expect_groups(void)
{
	const char *e = getenv("IOG_EXPECT_GROUPS");

	return e && !strcmp(e, "1");
}

/* Print text one "# " line per line, so that KTAP stays intact. */
void suite_print_text(FILE *out, const char *indent, const char *text);

/* ---- measurements ------------------------------------------------------ */

/* The median of v[0..n) (n > 0); v is left as it was. */
double suite_median(const double *v, size_t n);

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
int suite_kmsg_next(int fd, char *msg, size_t len);

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

void suite_model_put(struct suite_model *sm);

/* Declare an unloaded model, freed on scope exit. */
#define SUITE_MODEL(sm) \
	struct suite_model sm __attribute__((cleanup(suite_model_put))) = {0}

/* snprintf for paths: -1 (and an empty buf) if it does not fit. */
int suite_pathf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

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

/*
 * Load the model from the live config space under sysfs_root() and boot
 * it.  The kind comes from IOG_IOMMU (intel|amd|virtio|none), else from
 * ROOT/class/iommu.  IOMMU none: SKIP.  A model that cannot load (config
 * space past 64 bytes needs root) FAILs when IOG_EXPECT_GROUPS=1 -- the
 * harness's own guest runs us as root, so it must work there -- and SKIPs
 * otherwise (host mode as a user).  Returns false when the test has ended.
 */
bool suite_model_get(struct __test_metadata *_metadata, struct suite_model *sm);

/*
 * The model's groups as a sysfs_partition (members sorted, ascending ID),
 * to compare with the kernel's and print alike.  0 or -1 (ENOMEM).
 */
int suite_model_sysfs_partition(const struct model_partition *p,
				struct sysfs_partition *out);

/* The model's side in full: its groups, then the devices it leaves out. */
void suite_print_model(FILE *out, const struct suite_model *sm,
		       const struct sysfs_partition *mp);

#endif /* IOG_SUITE_H */
