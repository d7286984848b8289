/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What compare.c (reading and diffing) and compare_md.c (the Markdown)
 * share and compare.h does not publish: the items of a comparison and the
 * run-level tests both sides use.
 */
#ifndef IOG_COMPARE_INT_H
#define IOG_COMPARE_INT_H

#include "compare.h"
#include "runs.h"

#include <stdbool.h>
#include <string.h>

enum cmp_kind {
	CMP_NEW_FAIL,
	CMP_M_WORSE,
	CMP_FIXED,
	CMP_NEW_SKIP,
	CMP_STILL,
	CMP_OTHER,
	CMP_APPEARED,
	CMP_DISAPPEARED,
	CMP_M_BETTER,
	CMP_M_CHANGED,
	CMP_M_ONE_SIDE,
	CMP_NKINDS,
};

/* A suite (itself) or a test of one run, under its key. */
struct cmp_holder {
	char *key;
	size_t order; /* for a stable sort */
	const struct runs_suite *s;
	const struct runs_test *t; /* a test, or &s->self */
	bool is_suite;
	bool counts; /* a result of its own (tests always) */
};

struct cmp_pair {
	const struct runs_report *b, *n; /* either may be NULL */
	char *label;
	struct cmp_holder *hb, *hn;
	size_t nhb, nhn;
};

struct cmp_item {
	enum cmp_kind kind;
	const struct cmp_pair *pair;
	const struct cmp_holder *b, *n;
	const struct runs_metric *mb, *mn;
	double rel;
};

struct cmp {
	double tol; /* percent */
	const char *base_path, *new_path;
	struct runs_set base, new;
	struct cmp_pair *pairs;
	size_t npairs;
	size_t base_dups, new_dups; /* runs ignored for a newer one */
	struct cmp_item *items;
	size_t nitems, cap;
	size_t nkind[CMP_NKINDS];
	bool oom;
};

/* ---- run level ---- */

static inline bool cmp_completed(const struct runs_report *r)
{
	return !strcmp(r->status, "completed");
}

/* A run of BASE that NEW lacks, or has without a report. */
static inline bool cmp_missing(const struct cmp_pair *p)
{
	return p->b && !p->b->problem && (!p->n || p->n->problem);
}

static inline bool cmp_status_worse(const struct cmp_pair *p)
{
	return p->b && p->n && !p->b->problem && !p->n->problem &&
	       cmp_completed(p->b) && !cmp_completed(p->n);
}

static inline bool cmp_status_changed(const struct cmp_pair *p)
{
	return p->b && p->n && !p->b->problem && !p->n->problem &&
	       strcmp(p->b->status, p->n->status);
}

/* ---- compare_md.c ---- */

/* The whole Markdown of a finished comparison into o. */
void cmp_markdown(struct report_buf *o, const struct cmp *c, bool regression);

#endif /* IOG_COMPARE_INT_H */
