// SPDX-License-Identifier: GPL-2.0-only
/*
 * Run report: completes the guest's KTAP tree with what the host knows
 * (meta.txt), then writes report.ktap, report.json and report.md.
 *
 * report.c: meta.txt, completion, counts and verdict; report_buf.c: the
 * text buffer; report_json.c, report_md.c: one writer each; report_run.c:
 * iog-report end to end.
 */
#ifndef IOG_REPORT_H
#define IOG_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ktap.h"

/* Inputs larger than these are cut (raw) or refused (meta). */
#define REPORT_RAW_MAX (64UL * 1024 * 1024)
#define REPORT_META_MAX (1024UL * 1024)
/* Evidence blocks in report.md stop after this many lines. */
#define REPORT_MD_LINES_MAX 400
/* report.md of a run that did not complete: its console's last lines. */
#define REPORT_CONSOLE_LINES 30
#define REPORT_CONSOLE_BYTES 16384
/* Failures printed on the terminal show this many evidence lines. */
/* Failures printed on the terminal, at most. */
#define REPORT_TTY_FAILURES_MAX 50
#define REPORT_TTY_LINES_MAX 20
/* Expected suites (meta "suites") beyond this many, or longer names, are
 * ignored. */
#define REPORT_SUITES_MAX 1024
#define REPORT_NAME_MAX 256

/* ---- growable text buffer ---- */

struct report_buf {
	char *s; /* NUL-terminated once anything was added */
	size_t len, cap;
	bool oom; /* an append failed; the content is incomplete */
};

void report_buf_free(struct report_buf *b);
void report_buf_add(struct report_buf *b, const char *s, size_t n);
void report_buf_puts(struct report_buf *b, const char *s);
__attribute__((format(printf, 2, 3))) void
report_buf_printf(struct report_buf *b, const char *fmt, ...);

/*
 * s as a JSON string with its quotes: control characters as \u00XX, each
 * byte that is not part of valid UTF-8 as \ufffd.  NULL gives null.
 */
void report_json_string(struct report_buf *b, const char *s);
void report_json_string_n(struct report_buf *b, const char *s, size_t n);

/* ---- meta.txt ---- */

struct report_meta {
	char **keys;
	char **values;
	size_t n;
};

/* key=value lines; the last of a key wins.  0, or -1 on ENOMEM. */
int report_meta_parse(const char *buf, size_t len, struct report_meta *m);
/* The value of key, NULL if absent. */
const char *report_meta_get(const struct report_meta *m, const char *key);
void report_meta_free(struct report_meta *m);

/* ---- completion and verdict ---- */

/*
 * Complete the tree from ktap_parse() for the run described by m:
 * - tests without a result line, and expected suites (meta "suites") that
 *   never started, become TIMEOUT (status timeout) or ERROR, with the
 *   status_detail as reason;
 * - a node whose plan differs from its number of results becomes ERROR;
 * - an ok (or skipped) node with a failed child becomes FAIL;
 * - a run that did not complete, or that produced no results at all,
 *   gets a top-level "run" node that says so.
 * Returns 0, or -1 when memory runs out.
 */
int report_complete(struct ktap_node *root, const struct report_meta *m);

struct report_counts {
	unsigned int pass, fail, skip, xfail, timeout, error;
};

/*
 * Count leaf tests under n (n itself if it has no children).  A node that
 * failed for its own reason (no failed test below it, e.g. a plan
 * mismatch) counts as well, so a failure is never lost from the counts.
 */
void report_count(const struct ktap_node *n, struct report_counts *c);

/* No fail, timeout or error. */
bool report_counts_pass(const struct report_counts *c);

/* ---- outputs ---- */

/* report.json and report.md for a completed tree.  0, or -1 on ENOMEM. */
int report_json(struct report_buf *b, const struct ktap_node *root,
		const struct report_meta *m);
int report_markdown(struct report_buf *b, const struct ktap_node *root,
		    const struct report_meta *m);

/*
 * Write data to DIR/NAME through DIR/.NAME.tmp and rename().  Returns 0,
 * or -1 with a message naming the file in err.
 */
int report_write_atomic(const char *dir, const char *name, const char *data,
			size_t len, char *err, size_t errlen);

/*
 * The whole of iog-report: read raw and meta, complete, write the three
 * files into outdir, print the summary line to out, and each failure
 * (with the first lines of its evidence) and any problem to errf.
 * Returns the exit status: 0 all tests fine, 1 something failed, 2 usage
 * or I/O error.
 */
int report_run(const char *raw, const char *meta, const char *outdir, FILE *out,
	       FILE *errf);
/* Same, applying a known-deviations list (NULL: none; see deviations.h). */
int report_run_with(const char *raw, const char *meta, const char *deviations,
		    const char *outdir, FILE *out, FILE *errf);

#endif /* IOG_REPORT_H */
