/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the matrix*.c files share and matrix.h does not publish: the jobs
 * and their reports (matrix.c), the cells (matrix_cells.c), the ratio
 * measurements (matrix_ratios.c) and the two documents (matrix_out.c).
 */
#ifndef IOG_MATRIX_INT_H
#define IOG_MATRIX_INT_H

#include "matrix.h"
#include "runs.h"

#include <stdbool.h>
#include <stddef.h>

#define MX_REASON_MAX 400

enum mx_verdict {
	MX_PASS,
	MX_FAIL,
	MX_SKIP,
	MX_XFAIL,
};

struct mx_job {
	char *topology, *kernel; /* row and column keys */
	int status; /* check.sh's exit status, -1 if unknown */
	char *run; /* the run directory, NULL if none */
	char *link; /* the same for links from DIR */
	char *log; /* relative to DIR, NULL if none */
	char *reason; /* from jobs.tsv, NULL if none */
	struct runs_report rep;
	bool has_rep; /* rep loaded (it may still have a problem) */
	char *load_error; /* report.json unreadable: why */
	bool ignored; /* a later job has the same keys */
};

struct mx_ratio {
	char *label;
	double value;
};

struct mx {
	const char *dir;
	char *real_dir;
	const char *title;
	struct mx_job *jobs;
	size_t n;
	char **topos, **kernels;
	size_t ntopos, nkernels;
	size_t ignored;
	bool from_jobs; /* jobs.tsv, not a scan */
	struct report_meta facts;
	struct mx_ratio *ratios;
	size_t nratios;
	bool oom;
};

struct mx_cell {
	enum mx_verdict v;
	char counts[96];
	char reason[MX_REASON_MAX];
	bool has_elapsed;
	double elapsed;
	const char *status; /* a run that did not complete: its status */
	const char *link; /* run directory for report.md */
	const char *dir; /* run directory without a report */
	const char *log;
};

struct mx_totals {
	size_t runs, v[4];
};

/* ---- matrix.c ---- */

/* "DIR/NAME", or NULL when out of memory. */
char *mx_path(const char *dir, const char *name);
bool mx_exists(const char *dir, const char *name);
/* DIR/NAME is there and not empty. */
bool mx_nonempty(const char *dir, const char *name);
/* k into the list (a copy) unless it is there already.  0 or -1. */
int mx_add_key(char ***keys, size_t *n, const char *k);
void mx_free_keys(char **k, size_t n);
/* A matrix.txt fact, NULL when missing or empty. */
const char *mx_fact(const struct mx *m, const char *key);
/* The job of a cell that counts, or NULL. */
const struct mx_job *mx_job(const struct mx *m, const char *topo,
			    const char *kern);

static inline bool mx_usable(const struct mx_job *j)
{
	return j && j->has_rep && !j->rep.problem;
}

/* ---- matrix_cells.c ---- */

void mx_suite_cell(const struct mx_job *j, const char *suite,
		   struct mx_cell *c);
/* The run row's cell: the whole run, or why there is no report. */
void mx_run_cell(const struct mx_job *j, struct mx_cell *c);
/* The suites of a topology, in the order its runs list them. */
char **mx_suites(const struct mx *m, const char *topo, size_t *n);
/* The verdicts of the run cells. */
void mx_totals(const struct mx *m, struct mx_totals *t);
/* The release a kernel column ran, from its first report. */
const char *mx_release(const struct mx *m, const char *kern);

/* ---- matrix_ratios.c ---- */

/* Every ratio measurement of the runs shown into m->ratios. */
void mx_collect_ratios(struct mx *m);
/* DIR/ratios.tsv and DIR/ratios.gp, or none of the ratios.* files. */
int mx_write_ratios(struct mx *m, char *err, size_t errlen);

/* ---- matrix_out.c ---- */

void mx_markdown(struct report_buf *b, const struct mx *m);
void mx_html(struct report_buf *b, const struct mx *m);

#endif /* IOG_MATRIX_INT_H */
