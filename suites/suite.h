// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shared bits of the guest suites.  Include after kselftest_harness.h.
 *
 * kselftest prints results on stdout and TH_LOG diagnostics on stderr; the
 * guest merges both into one stream, so stdout must not sit on lines that
 * stderr has already overtaken.
 */
#ifndef IOG_SUITE_H
#define IOG_SUITE_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
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

#endif /* IOG_SUITE_H */
