// SPDX-License-Identifier: GPL-2.0-only
/*
 * iog-matrix: the topology x kernel x suite table of a matrix of runs, as
 * DIR/matrix.md and a self-contained DIR/matrix.html.
 *
 * DIR is what harness/matrix.sh makes:
 *   jobs.tsv     one line per check.sh run, tab-separated: topology, kernel,
 *                exit status, run directory (empty when check.sh made none),
 *                log file, reason (why there is no report, if known); lines
 *                starting with '#' are comments
 *   matrix.txt   key=value facts about the whole matrix (started, elapsed_s,
 *                jobs, nproc, topologies, kernels, host, interrupted)
 *   runs/        the run directories
 * Without jobs.tsv, every run directory found in DIR (as iog-compare finds
 * them) is a job, keyed by its report's topology and kernel.
 *
 * When some report has metrics named ratio_*, DIR/ratios.tsv (label, value)
 * and DIR/ratios.gp (a gnuplot script writing ratios.png and ratios.svg)
 * are written too; a ratios.png that exists is embedded in the HTML.
 */
#ifndef IOG_MATRIX_H
#define IOG_MATRIX_H

#include <stdio.h>

/* jobs.tsv lines beyond this many are refused. */
#define MATRIX_JOBS_MAX 10000
/* An embedded plot larger than this is linked instead. */
#define MATRIX_PNG_MAX (8UL * 1024 * 1024)

/*
 * The whole of iog-matrix, with argv as main()'s.  A summary line goes to
 * out, problems to errf.  Returns the exit status: 0 every run passed, 1
 * some run failed or has no report, 2 usage or I/O error.
 */
int matrix_main(int argc, char **argv, FILE *out, FILE *errf);

#endif /* IOG_MATRIX_H */
