// SPDX-License-Identifier: GPL-2.0-only
/*
 * iog-compare: what changed between two runs, or two sets of runs (a
 * matrix), as Markdown for a merge-request comment.
 *
 * Runs are matched by (topology, kernel name), tests by suite and test
 * name.  A regression is a test that passed, skipped or was an expected
 * failure and now fails, times out or errs (or a new test that fails); a
 * run of BASE missing from NEW or without a report there; a run that
 * completed and now did not; and a measurement that got worse beyond the
 * tolerance, for units with a direction (times: lower is better; rates:
 * higher is better).
 */
#ifndef IOG_COMPARE_H
#define IOG_COMPARE_H

#include <stdio.h>

#define COMPARE_TOLERANCE_DEFAULT 20.0
/* Evidence lines shown for each new failure. */
#define COMPARE_EVIDENCE_LINES 12
/* New failures shown with their evidence; the rest only in the table. */
#define COMPARE_DETAILS_MAX 25
/* Rows of one table. */
#define COMPARE_ROWS_MAX 100

/*
 * Which way a unit is better: -1 lower (a time: s, ms, us, ns, ...), +1
 * higher (a rate: MB/s, ops/s, GiB/s, ..., iops), 0 neither.
 */
int compare_unit_direction(const char *unit);

/*
 * The whole of iog-compare, with argv as main()'s.  Markdown goes to out,
 * problems to errf.  Returns the exit status: 0 no regression, 1 a
 * regression, 2 usage, I/O or parse error.
 */
int compare_main(int argc, char **argv, FILE *out, FILE *errf);

#endif /* IOG_COMPARE_H */
