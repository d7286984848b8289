// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the report_*.c files share and report.h does not publish: the
 * walk over a completed tree and its verdict (report.c), and the text
 * helpers of the buffer and of Markdown.
 */
#ifndef IOG_REPORT_INT_H
#define IOG_REPORT_INT_H

#include "report.h"

/* ---- report_buf.c ---- */

void report_buf_cut(struct report_buf *b, size_t len);
size_t report_utf8(const unsigned char *s, size_t n);

/* ---- report.c ---- */

/* key=value into m; a key already there gets the new value.  0 or -1. */
int report_meta_set(struct report_meta *m, const char *k, size_t kl,
		    const char *v, size_t vl);
/* meta "status"; "error" when it is missing or empty. */
const char *report_status(const struct report_meta *m);
/* The kernel release from meta or the guest's facts, or NULL. */
const char *report_release(const struct ktap_node *root,
			   const struct report_meta *m);
/* "PASS", "FAIL" or "INTERRUPTED". */
const char *report_verdict(const struct ktap_node *root,
			   const struct report_meta *m);
/* The node's name, or "#N" when it has none. */
void report_display_name(struct report_buf *b, const struct ktap_node *n);

typedef void (*report_visit_fn)(const struct ktap_node *n, const char *path,
				void *ctx);
/*
 * fn for each node below n that report_count() counts, with its path from
 * n ("suite/test").
 */
void report_walk(const struct ktap_node *n, report_visit_fn fn, void *ctx);

/* ---- report_md.c ---- */

void report_md_text(struct report_buf *b, const char *s, bool code);

#endif /* IOG_REPORT_INT_H */
