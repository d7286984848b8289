// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reading finished runs back: a run directory's report.json (checked
 * against the schema report_json.c writes), a run directory that has none,
 * and a directory of many runs (a matrix, or results/).  Used by
 * iog-compare and iog-matrix.
 */
#ifndef IOG_RUNS_H
#define IOG_RUNS_H

#include <stdbool.h>
#include <stddef.h>

#include "json.h"
#include "report.h"

/* report.json files larger than this are refused. */
#define RUNS_REPORT_MAX (512UL * 1024 * 1024)
/* A directory of runs holds at most this many. */
#define RUNS_MAX 10000

struct runs_metric {
	const char *name;
	double value;
	bool has_value; /* false: null in the report (not finite) */
	const char *unit;
};

/* A test of a suite, or (tests == NULL in runs_suite) the suite itself. */
struct runs_test {
	const char *name; /* path within its suite */
	const char *result; /* "pass", "fail", "skip", "xfail", ... */
	const char *reason;
	const char **diags;
	size_t ndiags;
	struct runs_metric *metrics;
	size_t nmetrics;
};

struct runs_suite {
	struct runs_test self; /* name, result, reason, diags, metrics */
	struct runs_test *tests;
	size_t ntests;
};

struct runs_report {
	char *dir; /* the run directory (of report.json) */
	char *json_path; /* NULL when there is no report */
	/*
	 * Why there is no usable report (e.g. "no report.json"), else NULL.
	 * The fields below are then from meta.txt where it exists, else "".
	 */
	char *problem;
	/* Strings are never NULL; "" when absent. */
	const char *topology, *kernel, *release, *status, *status_detail;
	const char *reproduce, *command, *started, *verdict, *console;
	double elapsed_s;
	bool has_elapsed;
	struct runs_suite *suites;
	size_t nsuites;
	/* owned storage */
	struct json_value *doc;
	struct report_meta meta;
};

struct runs_set {
	char *path; /* as given */
	bool single; /* a report.json or a run directory, not a collection */
	struct runs_report *runs;
	size_t n;
};

/*
 * Load one run: path is a report.json or a directory holding one.  A
 * directory without report.json loads as a run with a problem (0 is
 * returned).  Returns 0, or -1 with err saying which file and, for JSON
 * and schema errors, line:column.
 */
int runs_load(struct runs_report *r, const char *path, char *err,
	      size_t errlen);
void runs_free(struct runs_report *r);

/*
 * Load path: a report.json or a run directory (one run), or a directory
 * of run directories, looked for up to two levels deep (DIR/RUN and
 * DIR/X/RUN, e.g. a matrix's runs/).  A subdirectory counts as a run when
 * it holds report.json or meta.txt.  Runs are sorted by directory.
 * Returns 0, or -1 with err.
 */
int runs_set_load(struct runs_set *s, const char *path, char *err,
		  size_t errlen);
void runs_set_free(struct runs_set *s);

/*
 * The run directories in dir, as runs_set_load() finds them, sorted.
 * Returns 0 (possibly with none), or -1 with err.
 */
int runs_find(const char *dir, char ***paths, size_t *n, char *err,
	      size_t errlen);
void runs_paths_free(char **paths, size_t n);

/* pass, skip and xfail are fine; anything else is a failure. */
bool runs_result_ok(const char *result);

/*
 * Counts of a suite's tests, as report.c counts them: the suite itself
 * when it has no tests, or when it failed for its own reason (no test of
 * it failed).
 */
struct runs_counts {
	unsigned int pass, fail, skip, xfail, timeout, error, other;
};
void runs_suite_counts(const struct runs_suite *s, struct runs_counts *c);
/* No fail, timeout, error or other. */
bool runs_counts_ok(const struct runs_counts *c);

/*
 * Read at most max bytes of a file into a NUL-terminated buffer.  0, or
 * an errno (EFBIG when longer than max).
 */
int runs_read_file(const char *path, size_t max, char **buf, size_t *len);

/*
 * Whether the suite itself counts as a result of its own (see above):
 * report.json lists its tests, but a suite without any, or one that failed
 * with all its tests fine (a plan mismatch), is a result too.
 */
bool runs_suite_counts_itself(const struct runs_suite *s);

/* ---- writing Markdown and HTML ---- */

/*
 * Text for Markdown prose and table cells: Markdown punctuation and "|"
 * escaped, line breaks and other control characters as spaces.
 */
void runs_md_text(struct report_buf *b, const char *s);
/*
 * s as an inline code span (fenced by enough backticks), for prose: in a
 * table cell a "|" would end the cell, and a code span cannot escape it.
 */
void runs_md_code(struct report_buf *b, const char *s);
/*
 * A fenced code block of lines (control characters but tab shown as
 * \xNN, the fence longer than any backtick run inside).
 */
void runs_md_block(struct report_buf *b, const char *const *lines, size_t n);
/* Text for HTML: & < > " ' escaped, control characters as spaces. */
void runs_html_text(struct report_buf *b, const char *s);
/*
 * A path for a Markdown or HTML link: unreserved bytes as they are, the
 * rest percent-encoded.
 */
void runs_url_path(struct report_buf *b, const char *s);

#endif /* IOG_RUNS_H */
