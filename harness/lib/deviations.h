/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Known deviations: a committed list of real kernel failures (kernel
 * release pattern, topology pattern, test, reason, evidence) that turns a
 * listed failure into XFAIL so a merge gate can pass on an unchanged
 * kernel.  A listed test that passes is reported, so the list shrinks when
 * the kernel is fixed.
 *
 * File format, one entry per line, fields separated by '|':
 *   RELEASE-GLOB | TOPOLOGY-GLOB | SUITE/TEST-GLOB | REASON | EVIDENCE
 */
#ifndef IOG_DEVIATIONS_H
#define IOG_DEVIATIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "ktap.h"

struct deviation {
	char *release;
	char *topology;
	char *test;
	char *reason;
	char *evidence;
	int line;
	bool matched; /* applies to this run's kernel and topology */
	bool seen; /* a failure it describes happened */
};

struct deviation_list {
	char *file;
	struct deviation *v;
	size_t n;
};

/* 0 on success; on a malformed line -1 with "FILE:LINE: message" in err. */
int deviations_parse(const char *fname, const char *buf, size_t len,
		     struct deviation_list *l, char *err, size_t errlen);
void deviations_free(struct deviation_list *l);

/*
 * Turn the failures the list describes into XFAIL and note, on the suite
 * of each entry that applies but saw no failure, that the deviation is
 * gone.  Returns the number of tests turned into XFAIL, -1 on ENOMEM.
 */
int deviations_apply(struct ktap_node *root, struct deviation_list *l,
		     const char *release, const char *topology);

#endif
