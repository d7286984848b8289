// SPDX-License-Identifier: GPL-2.0-only
/*
 * iog-compare.  Both sides are loaded completely first (any file that is
 * not a valid report is exit status 2 before anything is compared), then
 * runs are paired by key, each pair's tests and measurements are merged
 * by sorted keys, and every difference becomes an item of one category.
 * The Markdown lists the categories that are not empty, regressions first.
 */
#include "compare.h"
#include "runs.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* ---- units ---- */

int compare_unit_direction(const char *unit)
{
	static const char *const times[] = {
		"s",  "ms",  "us",   "\xc2\xb5s", "\xce\xbcs", "ns",
		"ps", "sec", "secs", "seconds",	  "min",       "minutes",
	};
	static const char *const rates[] = {"iops", "ops", "hz",
					    "khz",  "mhz", "ghz"};
	size_t n = unit ? strlen(unit) : 0;

	if (!n)
		return 0;
	for (size_t i = 0; i < sizeof(times) / sizeof(*times); i++)
		if (!strcmp(unit, times[i]))
			return -1;
	for (size_t i = 0; i < sizeof(rates) / sizeof(*rates); i++)
		if (!strcasecmp(unit, rates[i]))
			return 1;
	/* B/s, MB/s, GiB/s, ops/s, maps/s, .../sec; bps, Mbps, Gbps */
	if ((n > 2 && !strcmp(unit + n - 2, "/s")) ||
	    (n > 4 && !strcasecmp(unit + n - 4, "/sec")) ||
	    (n >= 3 && !strcasecmp(unit + n - 3, "bps")))
		return 1;
	return 0;
}

/* ---- items ---- */

static struct cmp_item *cmp_add(struct cmp *c, enum cmp_kind kind,
				const struct cmp_pair *p,
				const struct cmp_holder *b,
				const struct cmp_holder *n)
{
	struct cmp_item *it;

	if (c->nitems == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 64;
		struct cmp_item *ni = realloc(c->items, ncap * sizeof(*ni));

		if (!ni) {
			c->oom = true;
			return NULL;
		}
		c->items = ni;
		c->cap = ncap;
	}
	it = &c->items[c->nitems++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->pair = p;
	it->b = b;
	it->n = n;
	it->rel = NAN;
	c->nkind[kind]++;
	return it;
}

/* ---- pairing runs ---- */

static char *cmp_run_key(const struct runs_report *r)
{
	char *k;

	if (r->topology[0] && r->kernel[0]) {
		if (asprintf(&k, "%s\x1f%s", r->topology, r->kernel) < 0)
			return NULL;
	} else if (asprintf(&k, "\x1e%s", r->dir) < 0) {
		return NULL;
	}
	return k;
}

struct cmp_runref {
	char *key;
	const struct runs_report *r;
};

static int cmp_runref_cmp(const void *a, const void *b)
{
	const struct cmp_runref *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (!c)
		c = strcmp(x->r->started, y->r->started);
	if (!c)
		c = strcmp(x->r->dir, y->r->dir);
	return c;
}

/* The runs of a set by key, the newest of each key only. */
static struct cmp_runref *cmp_runrefs(struct cmp *c, const struct runs_set *s,
				      size_t *n, size_t *dups)
{
	struct cmp_runref *v = calloc(s->n + 1, sizeof(*v));
	size_t k = 0;

	*n = 0;
	if (!v) {
		c->oom = true;
		return NULL;
	}
	for (size_t i = 0; i < s->n; i++) {
		v[i].r = &s->runs[i];
		v[i].key = cmp_run_key(&s->runs[i]);
		if (!v[i].key) {
			c->oom = true;
			for (size_t j = 0; j < i; j++)
				free(v[j].key);
			free(v);
			return NULL;
		}
	}
	qsort(v, s->n, sizeof(*v), cmp_runref_cmp);
	for (size_t i = 0; i < s->n; i++) {
		if (i + 1 < s->n && !strcmp(v[i].key, v[i + 1].key)) {
			free(v[i].key);
			(*dups)++;
			continue;
		}
		v[k++] = v[i];
	}
	*n = k;
	return v;
}

static char *cmp_label(const struct runs_report *r)
{
	char *l;

	if (r->topology[0] || r->kernel[0]) {
		if (asprintf(&l, "%s / %s", r->topology[0] ? r->topology : "?",
			     r->kernel[0] ? r->kernel : "?") < 0)
			return NULL;
		return l;
	}
	return strdup(r->dir);
}

static int cmp_pair_runs(struct cmp *c)
{
	struct cmp_runref *b = NULL, *n = NULL;
	size_t nb = 0, nn = 0, i = 0, j = 0;
	int ret = -1;

	c->pairs = calloc(c->base.n + c->new.n + 1, sizeof(*c->pairs));
	if (!c->pairs)
		goto out;
	/* Two single runs are compared whatever their keys. */
	if (c->base.single && c->new.single) {
		struct cmp_pair *p = &c->pairs[c->npairs++];
		char *lb = cmp_label(&c->base.runs[0]);
		char *ln = cmp_label(&c->new.runs[0]);

		p->b = &c->base.runs[0];
		p->n = &c->new.runs[0];
		if (lb && ln && strcmp(lb, ln)) {
			if (asprintf(&p->label, "%s \xe2\x86\x92 %s", lb, ln) <
			    0)
				p->label = NULL;
		} else {
			p->label = ln;
			ln = NULL;
		}
		free(lb);
		free(ln);
		ret = p->label ? 0 : -1;
		goto out;
	}
	b = cmp_runrefs(c, &c->base, &nb, &c->base_dups);
	n = cmp_runrefs(c, &c->new, &nn, &c->new_dups);
	if (!b || !n)
		goto out;
	while (i < nb || j < nn) {
		int d = i >= nb ? 1 : j >= nn ? -1 : strcmp(b[i].key, n[j].key);
		struct cmp_pair *p = &c->pairs[c->npairs++];

		if (d <= 0)
			p->b = b[i++].r;
		if (d >= 0)
			p->n = n[j++].r;
		p->label = cmp_label(p->n ? p->n : p->b);
		if (!p->label)
			goto out;
	}
	ret = 0;
out:
	for (size_t k = 0; b && k < nb; k++)
		free(b[k].key);
	for (size_t k = 0; n && k < nn; k++)
		free(n[k].key);
	free(b);
	free(n);
	if (ret)
		c->oom = true;
	return ret;
}

/* ---- holders ---- */

static int cmp_holder_cmp(const void *a, const void *b)
{
	const struct cmp_holder *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void cmp_holders_free(struct cmp_holder *h, size_t n)
{
	for (size_t i = 0; h && i < n; i++)
		free(h[i].key);
	free(h);
}

/*
 * Every suite and test of r under "SUITE\x1fS" or "SUITE\x1fTTEST", sorted;
 * a key seen before gets "\x1f#K" so that repeats pair in order.
 */
static int cmp_holders(const struct runs_report *r, struct cmp_holder **out,
		       size_t *nout)
{
	struct cmp_holder *h;
	size_t n = 0, total = 0;

	*out = NULL;
	*nout = 0;
	for (size_t i = 0; i < r->nsuites; i++)
		total += 1 + r->suites[i].ntests;
	h = calloc(total + 1, sizeof(*h));
	if (!h)
		return -1;
	for (size_t i = 0; i < r->nsuites; i++) {
		const struct runs_suite *s = &r->suites[i];

		h[n].s = s;
		h[n].t = &s->self;
		h[n].is_suite = true;
		h[n].counts = runs_suite_counts_itself(s);
		h[n].order = n;
		if (asprintf(&h[n].key, "%s\x1fS", s->self.name) < 0) {
			h[n].key = NULL;
			goto oom;
		}
		n++;
		for (size_t j = 0; j < s->ntests; j++) {
			h[n].s = s;
			h[n].t = &s->tests[j];
			h[n].counts = true;
			h[n].order = n;
			if (asprintf(&h[n].key, "%s\x1fT%s", s->self.name,
				     s->tests[j].name) < 0) {
				h[n].key = NULL;
				goto oom;
			}
			n++;
		}
	}
	qsort(h, n, sizeof(*h), cmp_holder_cmp);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;

		while (j < n && !strcmp(h[j].key, h[i].key))
			j++;
		for (size_t m = i + 1; m < j; m++) {
			char *nk;

			if (asprintf(&nk, "%s\x1f#%zu", h[m].key, m - i + 1) <
			    0)
				goto oom;
			free(h[m].key);
			h[m].key = nk;
		}
		i = j;
	}
	qsort(h, n, sizeof(*h), cmp_holder_cmp);
	*out = h;
	*nout = n;
	return 0;
oom:
	cmp_holders_free(h, n + 1);
	return -1;
}

/* ---- comparing ---- */

static bool cmp_is(const char *r, const char *what)
{
	return !strcmp(r, what);
}

static int cmp_classify(const char *b, const char *n)
{
	bool bo = runs_result_ok(b), no = runs_result_ok(n);

	if (bo && !no)
		return CMP_NEW_FAIL;
	if (!bo && !no)
		return CMP_STILL;
	if (!strcmp(b, n))
		return -1;
	if (!bo && cmp_is(n, "pass"))
		return CMP_FIXED;
	if (cmp_is(b, "pass") && cmp_is(n, "skip"))
		return CMP_NEW_SKIP;
	return CMP_OTHER;
}

static void cmp_metrics(struct cmp *c, const struct cmp_pair *p,
			const struct cmp_holder *hb,
			const struct cmp_holder *hn)
{
	const struct runs_test *b = hb->t, *n = hn->t;
	bool *used = calloc(n->nmetrics + 1, sizeof(*used));

	if (!used) {
		c->oom = true;
		return;
	}
	for (size_t i = 0; i < b->nmetrics; i++) {
		const struct runs_metric *mb = &b->metrics[i], *mn = NULL;
		size_t seen = 0, want = 0;
		struct cmp_item *it;
		int dir;
		double rel;

		/* The k-th metric of a name pairs with the k-th. */
		for (size_t j = 0; j < i; j++)
			want += !strcmp(b->metrics[j].name, mb->name);
		for (size_t j = 0; j < n->nmetrics && !mn; j++) {
			if (strcmp(n->metrics[j].name, mb->name))
				continue;
			if (seen++ == want) {
				mn = &n->metrics[j];
				used[j] = true;
			}
		}
		if (!mn) {
			it = cmp_add(c, CMP_M_ONE_SIDE, p, hb, hn);
			if (it)
				it->mb = mb;
			continue;
		}
		if (!mb->has_value && !mn->has_value)
			continue;
		if (!mb->has_value || !mn->has_value ||
		    strcmp(mb->unit, mn->unit)) {
			it = cmp_add(c, CMP_M_CHANGED, p, hb, hn);
			if (it) {
				it->mb = mb;
				it->mn = mn;
			}
			continue;
		}
		if (mb->value == mn->value)
			continue;
		rel = mb->value ? (mn->value - mb->value) / fabs(mb->value)
				: copysign(INFINITY, mn->value);
		if (fabs(rel) * 100 <= c->tol)
			continue;
		dir = compare_unit_direction(mb->unit);
		it = cmp_add(c,
			     !dir		      ? CMP_M_CHANGED
			     : (dir < 0) == (rel > 0) ? CMP_M_WORSE
						      : CMP_M_BETTER,
			     p, hb, hn);
		if (it) {
			it->mb = mb;
			it->mn = mn;
			it->rel = rel;
		}
	}
	for (size_t j = 0; j < n->nmetrics; j++) {
		struct cmp_item *it;

		if (used[j])
			continue;
		it = cmp_add(c, CMP_M_ONE_SIDE, p, hb, hn);
		if (it)
			it->mn = &n->metrics[j];
	}
	free(used);
}

static void cmp_pair_tests(struct cmp *c, struct cmp_pair *p)
{
	size_t i = 0, j = 0;

	if (cmp_holders(p->b, &p->hb, &p->nhb) ||
	    cmp_holders(p->n, &p->hn, &p->nhn)) {
		c->oom = true;
		return;
	}
	while (i < p->nhb || j < p->nhn) {
		const struct cmp_holder *b = i < p->nhb ? &p->hb[i] : NULL;
		const struct cmp_holder *n = j < p->nhn ? &p->hn[j] : NULL;
		int d = !b ? 1 : !n ? -1 : strcmp(b->key, n->key);

		if (d < 0) {
			if (b->counts)
				cmp_add(c, CMP_DISAPPEARED, p, b, NULL);
			i++;
			continue;
		}
		if (d > 0) {
			if (n->counts)
				cmp_add(c,
					runs_result_ok(n->t->result)
						? CMP_APPEARED
						: CMP_NEW_FAIL,
					p, NULL, n);
			j++;
			continue;
		}
		if (b->counts || n->counts) {
			int k = cmp_classify(b->t->result, n->t->result);

			if (k >= 0)
				cmp_add(c, (enum cmp_kind)k, p, b, n);
		}
		cmp_metrics(c, p, b, n);
		i++;
		j++;
	}
}

/* ---- run level ---- */

static bool cmp_completed(const struct runs_report *r)
{
	return !strcmp(r->status, "completed");
}

/* A run of BASE that NEW lacks, or has without a report. */
static bool cmp_missing(const struct cmp_pair *p)
{
	return p->b && !p->b->problem && (!p->n || p->n->problem);
}

static bool cmp_status_worse(const struct cmp_pair *p)
{
	return p->b && p->n && !p->b->problem && !p->n->problem &&
	       cmp_completed(p->b) && !cmp_completed(p->n);
}

static bool cmp_status_changed(const struct cmp_pair *p)
{
	return p->b && p->n && !p->b->problem && !p->n->problem &&
	       strcmp(p->b->status, p->n->status);
}

/* ---- Markdown ---- */

static void cmp_counts(const struct runs_report *r, struct runs_counts *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < r->nsuites; i++) {
		struct runs_counts c;

		runs_suite_counts(&r->suites[i], &c);
		t->pass += c.pass;
		t->fail += c.fail;
		t->skip += c.skip;
		t->xfail += c.xfail;
		t->timeout += c.timeout;
		t->error += c.error;
		t->other += c.other;
	}
}

static void cmp_run_cell(struct report_buf *o, const struct runs_report *r)
{
	struct runs_counts t;

	if (!r) {
		report_buf_puts(o, "\xe2\x80\x94 (no such run)");
		return;
	}
	if (r->problem) {
		report_buf_puts(o, "\xe2\x9d\x8c ");
		runs_md_text(o, r->problem);
		return;
	}
	cmp_counts(r, &t);
	report_buf_puts(o,
			runs_counts_ok(&t) ? "\xe2\x9c\x85 " : "\xe2\x9d\x8c ");
	report_buf_printf(o, "%u pass", t.pass);
	if (t.fail)
		report_buf_printf(o, ", %u fail", t.fail);
	if (t.timeout)
		report_buf_printf(o, ", %u timeout", t.timeout);
	if (t.error + t.other)
		report_buf_printf(o, ", %u error", t.error + t.other);
	if (t.skip)
		report_buf_printf(o, ", %u skip", t.skip);
	if (t.xfail)
		report_buf_printf(o, ", %u xfail", t.xfail);
	if (!cmp_completed(r)) {
		report_buf_puts(o, " (");
		runs_md_text(o, r->status[0] ? r->status : "no status");
		report_buf_puts(o, ")");
	}
}

static void cmp_elapsed_cell(struct report_buf *o, const struct cmp_pair *p)
{
	bool hb = p->b && !p->b->problem && p->b->has_elapsed;
	bool hn = p->n && !p->n->problem && p->n->has_elapsed;

	if (hb)
		report_buf_printf(o, "%.1f s", p->b->elapsed_s);
	else
		report_buf_puts(o, "\xe2\x80\x94");
	report_buf_puts(o, " \xe2\x86\x92 ");
	if (hn)
		report_buf_printf(o, "%.1f s", p->n->elapsed_s);
	else
		report_buf_puts(o, "\xe2\x80\x94");
	if (hb && hn && p->b->elapsed_s > 0)
		report_buf_printf(o, " (%+.0f %%)",
				  100 * (p->n->elapsed_s - p->b->elapsed_s) /
					  p->b->elapsed_s);
}

/* "suite: test" or "suite" of a holder, as Markdown text. */
static void cmp_test_name(struct report_buf *o, const struct cmp_holder *h)
{
	runs_md_text(o, h->s->self.name);
	if (!h->is_suite) {
		report_buf_puts(o, ": ");
		runs_md_text(o, h->t->name);
	}
}

static const struct cmp_holder *cmp_either(const struct cmp_item *it)
{
	return it->n ? it->n : it->b;
}

static void cmp_result_cell(struct report_buf *o, const struct cmp_holder *h)
{
	if (h)
		runs_md_text(o, h->t->result);
	else
		report_buf_puts(o, "\xe2\x80\x94");
}

static void cmp_value(struct report_buf *o, const struct runs_metric *m)
{
	if (!m) {
		report_buf_puts(o, "\xe2\x80\x94");
		return;
	}
	if (m->has_value)
		report_buf_printf(o, "%.6g", m->value);
	else
		report_buf_puts(o, "null");
	if (m->unit[0]) {
		report_buf_puts(o, " ");
		runs_md_text(o, m->unit);
	}
}

static bool cmp_boilerplate(const char *line)
{
	static const char *const skip[] = {"RUN ",    "OK ",	 "FAIL ",
					   "SKIP ",   "XFAIL ",	 "Starting ",
					   "PASSED:", "FAILED:", "Totals:"};

	while (*line == ' ' || *line == '\t')
		line++;
	if (!*line)
		return true;
	for (size_t i = 0; i < sizeof(skip) / sizeof(*skip); i++)
		if (!strncmp(line, skip[i], strlen(skip[i])))
			return true;
	return false;
}

static void cmp_evidence(struct report_buf *o, const struct cmp_item *it)
{
	const struct runs_test *t = it->n->t;
	const char *lines[COMPARE_EVIDENCE_LINES];
	size_t n = 0, rest = 0;

	for (size_t i = 0; i < t->ndiags; i++) {
		if (cmp_boilerplate(t->diags[i]))
			continue;
		if (n < COMPARE_EVIDENCE_LINES)
			lines[n++] = t->diags[i];
		else
			rest++;
	}
	if (n) {
		runs_md_block(o, lines, n);
		if (rest)
			report_buf_printf(o, "\n%zu more lines in ", rest);
	} else {
		report_buf_puts(o, "No diagnostic output; see ");
	}
	if (!n || rest) {
		struct report_buf p = {0};

		report_buf_puts(&p, it->pair->n->dir);
		report_buf_puts(&p, n ? "/report.md" : "/console.log");
		runs_md_code(o, p.s ? p.s : "");
		report_buf_free(&p);
		report_buf_puts(o, ".\n");
	}
}

static void cmp_details(struct report_buf *o, const struct cmp *c)
{
	size_t shown = 0;

	for (size_t i = 0; i < c->nitems; i++) {
		const struct cmp_item *it = &c->items[i];
		const struct runs_report *r = it->pair->n;
		const char *rep;

		if (it->kind != CMP_NEW_FAIL)
			continue;
		if (shown++ == COMPARE_DETAILS_MAX) {
			report_buf_printf(o,
					  "The other %zu new failures are in "
					  "the table above.\n\n",
					  c->nkind[CMP_NEW_FAIL] -
						  COMPARE_DETAILS_MAX);
			break;
		}
		report_buf_puts(o, "#### ");
		cmp_test_name(o, it->n);
		report_buf_puts(o, " on ");
		runs_md_text(o, it->pair->label);
		report_buf_puts(o, " \xe2\x80\x94 ");
		runs_md_text(o, it->n->t->result);
		report_buf_puts(o, "\n\n");
		if (it->n->t->reason[0]) {
			report_buf_puts(o, "Reason: ");
			runs_md_text(o, it->n->t->reason);
			report_buf_puts(o, "\n\n");
		}
		cmp_evidence(o, it);
		rep = r->reproduce[0] ? r->reproduce : r->command;
		report_buf_puts(o, "\nReproduce: ");
		if (rep[0])
			runs_md_code(o, rep);
		else
			report_buf_puts(o, "(not recorded in the report)");
		report_buf_puts(o, "\n\n");
	}
}

static void cmp_more(struct report_buf *o, size_t total)
{
	if (total > COMPARE_ROWS_MAX)
		report_buf_printf(o, "\n\xe2\x80\xa6 and %zu more.\n",
				  total - COMPARE_ROWS_MAX);
	report_buf_puts(o, "\n");
}

/* A table of result changes of one kind. */
static void cmp_result_table(struct report_buf *o, const struct cmp *c,
			     enum cmp_kind kind, const char *heading)
{
	size_t rows = 0;

	if (!c->nkind[kind])
		return;
	report_buf_printf(o, "### %s (%zu)\n\n", heading, c->nkind[kind]);
	report_buf_puts(o, "| Run | Test | Base | New | Reason |\n"
			   "| --- | --- | --- | --- | --- |\n");
	for (size_t i = 0; i < c->nitems; i++) {
		const struct cmp_item *it = &c->items[i];
		const struct cmp_holder *h = cmp_either(it);

		if (it->kind != kind || rows++ >= COMPARE_ROWS_MAX)
			continue;
		report_buf_puts(o, "| ");
		runs_md_text(o, it->pair->label);
		report_buf_puts(o, " | ");
		cmp_test_name(o, h);
		report_buf_puts(o, " | ");
		cmp_result_cell(o, it->b);
		report_buf_puts(o, " | ");
		if (it->n && !runs_result_ok(it->n->t->result))
			report_buf_puts(o, "**");
		cmp_result_cell(o, it->n);
		if (it->n && !runs_result_ok(it->n->t->result))
			report_buf_puts(o, "**");
		report_buf_puts(o, " | ");
		runs_md_text(o, h->t->reason);
		report_buf_puts(o, " |\n");
	}
	cmp_more(o, c->nkind[kind]);
}

static void cmp_metric_table(struct report_buf *o, const struct cmp *c,
			     enum cmp_kind kind, const char *heading)
{
	size_t rows = 0;

	if (!c->nkind[kind])
		return;
	report_buf_printf(o, "### %s (%zu)\n\n", heading, c->nkind[kind]);
	report_buf_puts(o, "| Run | Test | Metric | Base | New | Change |\n"
			   "| --- | --- | --- | ---: | ---: | ---: |\n");
	for (size_t i = 0; i < c->nitems; i++) {
		const struct cmp_item *it = &c->items[i];
		const struct runs_metric *m = it->mb ? it->mb : it->mn;

		if (it->kind != kind || rows++ >= COMPARE_ROWS_MAX)
			continue;
		report_buf_puts(o, "| ");
		runs_md_text(o, it->pair->label);
		report_buf_puts(o, " | ");
		cmp_test_name(o, cmp_either(it));
		report_buf_puts(o, " | ");
		runs_md_text(o, m->name);
		report_buf_puts(o, " | ");
		cmp_value(o, it->mb);
		report_buf_puts(o, " | ");
		cmp_value(o, it->mn);
		report_buf_puts(o, " | ");
		if (isfinite(it->rel))
			report_buf_printf(o, "%+.1f %%", 100 * it->rel);
		else if (it->mb && it->mn && it->mb->has_value &&
			 it->mn->has_value &&
			 strcmp(it->mb->unit, it->mn->unit))
			report_buf_puts(o, "unit changed");
		else if (!isnan(it->rel))
			report_buf_puts(o, "from 0");
		else
			report_buf_puts(o, "\xe2\x80\x94");
		report_buf_puts(o, " |\n");
	}
	cmp_more(o, c->nkind[kind]);
}

static void cmp_run_tables(struct report_buf *o, const struct cmp *c,
			   bool regressions)
{
	size_t n = 0;

	if (regressions) {
		for (size_t i = 0; i < c->npairs; i++)
			n += cmp_missing(&c->pairs[i]);
		if (n) {
			report_buf_printf(o, "### Missing runs (%zu)\n\n", n);
			report_buf_puts(o, "| Run | Base | New |\n"
					   "| --- | --- | --- |\n");
			for (size_t i = 0; i < c->npairs; i++) {
				const struct cmp_pair *p = &c->pairs[i];

				if (!cmp_missing(p))
					continue;
				report_buf_puts(o, "| ");
				runs_md_text(o, p->label);
				report_buf_puts(o, " | ");
				cmp_run_cell(o, p->b);
				report_buf_puts(o, " | ");
				if (p->n)
					cmp_run_cell(o, p->n);
				else
					report_buf_puts(o, "**not in NEW**");
				report_buf_puts(o, " |\n");
			}
			report_buf_puts(o, "\n");
		}
		n = 0;
		for (size_t i = 0; i < c->npairs; i++)
			n += cmp_status_changed(&c->pairs[i]);
		if (n) {
			report_buf_printf(o, "### Run status changes (%zu)\n\n",
					  n);
			report_buf_puts(o, "| Run | Base | New | Detail |\n"
					   "| --- | --- | --- | --- |\n");
			for (size_t i = 0; i < c->npairs; i++) {
				const struct cmp_pair *p = &c->pairs[i];
				bool worse = cmp_status_worse(p);

				if (!cmp_status_changed(p))
					continue;
				report_buf_puts(o, "| ");
				runs_md_text(o, p->label);
				report_buf_puts(o, " | ");
				runs_md_text(o, p->b->status);
				report_buf_puts(o, worse ? " | **" : " | ");
				runs_md_text(o, p->n->status[0] ? p->n->status
								: "none");
				report_buf_puts(o, worse ? "** | " : " | ");
				runs_md_text(o, p->n->status_detail);
				report_buf_puts(o, " |\n");
			}
			report_buf_puts(o, "\n");
		}
		return;
	}
	for (size_t i = 0; i < c->npairs; i++)
		n += !c->pairs[i].b ||
		     (c->pairs[i].b->problem && c->pairs[i].n);
	if (!n)
		return;
	report_buf_printf(o, "### Runs new or newly reporting (%zu)\n\n", n);
	report_buf_puts(o, "| Run | Base | New |\n| --- | --- | --- |\n");
	for (size_t i = 0; i < c->npairs; i++) {
		const struct cmp_pair *p = &c->pairs[i];

		if (p->b && !(p->b->problem && p->n))
			continue;
		report_buf_puts(o, "| ");
		runs_md_text(o, p->label);
		report_buf_puts(o, " | ");
		cmp_run_cell(o, p->b);
		report_buf_puts(o, " | ");
		cmp_run_cell(o, p->n);
		report_buf_puts(o, " |\n");
	}
	report_buf_puts(o, "\n");
}

static void cmp_count_phrase(struct report_buf *o, bool *first, size_t n,
			     const char *one, const char *many)
{
	if (!n)
		return;
	report_buf_printf(o, "%s%zu %s", *first ? "" : ", ", n,
			  n == 1 ? one : many);
	*first = false;
}

static void cmp_markdown(struct report_buf *o, const struct cmp *c,
			 bool regression)
{
	size_t missing = 0, status = 0;
	bool first = true;

	for (size_t i = 0; i < c->npairs; i++) {
		missing += cmp_missing(&c->pairs[i]);
		status += cmp_status_worse(&c->pairs[i]);
	}
	report_buf_puts(
		o, regression
			   ? "## \xe2\x9d\x8c iog-compare: REGRESSION\n\n"
			   : "## \xe2\x9c\x85 iog-compare: no regression\n\n");
	cmp_count_phrase(o, &first, c->nkind[CMP_NEW_FAIL], "new failure",
			 "new failures");
	cmp_count_phrase(o, &first, missing, "missing run", "missing runs");
	cmp_count_phrase(o, &first, status, "run that no longer completes",
			 "runs that no longer complete");
	cmp_count_phrase(o, &first, c->nkind[CMP_M_WORSE],
			 "measurement regression", "measurement regressions");
	cmp_count_phrase(o, &first, c->nkind[CMP_FIXED], "fixed", "fixed");
	cmp_count_phrase(o, &first, c->nkind[CMP_NEW_SKIP], "new skip",
			 "new skips");
	cmp_count_phrase(o, &first, c->nkind[CMP_APPEARED], "new test",
			 "new tests");
	cmp_count_phrase(o, &first, c->nkind[CMP_DISAPPEARED], "test gone",
			 "tests gone");
	cmp_count_phrase(o, &first, c->nkind[CMP_OTHER], "other result change",
			 "other result changes");
	cmp_count_phrase(
		o, &first, c->nkind[CMP_M_BETTER] + c->nkind[CMP_M_CHANGED],
		"other measurement change", "other measurement changes");
	report_buf_puts(o, first ? "No differences in results or measurements."
				 : ".");
	if (c->nkind[CMP_STILL])
		report_buf_printf(o, " %zu test%s still fail%s.",
				  c->nkind[CMP_STILL],
				  c->nkind[CMP_STILL] == 1 ? "" : "s",
				  c->nkind[CMP_STILL] == 1 ? "s" : "");
	report_buf_puts(o, "\n\n");
	report_buf_puts(o, "Base: ");
	runs_md_code(o, c->base_path);
	report_buf_printf(o, " (%zu run%s) \xc2\xb7 New: ", c->base.n,
			  c->base.n == 1 ? "" : "s");
	runs_md_code(o, c->new_path);
	report_buf_printf(
		o, " (%zu run%s) \xc2\xb7 Measurements: \xc2\xb1%g %%\n\n",
		c->new.n, c->new.n == 1 ? "" : "s", c->tol);
	if (c->base_dups || c->new_dups)
		report_buf_printf(o,
				  "Of runs with the same topology and kernel, "
				  "only the newest is compared (%zu older in "
				  "BASE, %zu in NEW ignored).\n\n",
				  c->base_dups, c->new_dups);

	report_buf_puts(o, "| Run | Base | New | Elapsed |\n"
			   "| --- | --- | --- | --- |\n");
	for (size_t i = 0; i < c->npairs; i++) {
		const struct cmp_pair *p = &c->pairs[i];

		report_buf_puts(o, "| ");
		runs_md_text(o, p->label);
		report_buf_puts(o, " | ");
		cmp_run_cell(o, p->b);
		report_buf_puts(o, " | ");
		cmp_run_cell(o, p->n);
		report_buf_puts(o, " | ");
		cmp_elapsed_cell(o, p);
		report_buf_puts(o, " |\n");
	}
	report_buf_puts(o, "\n");

	cmp_run_tables(o, c, true);
	cmp_result_table(o, c, CMP_NEW_FAIL, "New failures");
	cmp_details(o, c);
	cmp_metric_table(o, c, CMP_M_WORSE,
			 "Measurement regressions beyond the tolerance");
	cmp_result_table(o, c, CMP_FIXED, "Fixed");
	cmp_result_table(o, c, CMP_NEW_SKIP, "New skips");
	cmp_result_table(o, c, CMP_STILL, "Still failing");
	cmp_result_table(o, c, CMP_OTHER, "Other result changes");
	cmp_result_table(o, c, CMP_APPEARED, "New tests");
	cmp_result_table(o, c, CMP_DISAPPEARED, "Tests gone");
	cmp_metric_table(o, c, CMP_M_BETTER,
			 "Measurement improvements beyond the tolerance");
	cmp_metric_table(o, c, CMP_M_CHANGED,
			 "Measurement changes beyond the tolerance (no "
			 "better direction known for the unit)");
	cmp_metric_table(o, c, CMP_M_ONE_SIDE, "Measurements on one side only");
	cmp_run_tables(o, c, false);
}

/* ---- main ---- */

static void cmp_usage(FILE *f)
{
	fprintf(f,
		"usage: iog-compare [--tolerance PCT] BASE NEW\n"
		"  BASE and NEW: a run directory, a report.json, or a directory of run\n"
		"  directories (a matrix: results/matrix-*/ or its runs/).\n"
		"  Runs pair by topology and kernel, tests by suite and name; metrics\n"
		"  differing by more than PCT %% (default %g) are reported, and count as\n"
		"  a regression when a time grows or a rate shrinks.\n"
		"  Markdown on stdout.  Exit 0: no regression; 1: regression; 2: usage,\n"
		"  I/O or parse error.\n",
		COMPARE_TOLERANCE_DEFAULT);
}

static int cmp_tolerance(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end != s && *end == '%')
		end++;
	if (end == s || *end || errno || !isfinite(v) || v < 0)
		return -1;
	*out = v;
	return 0;
}

int compare_main(int argc, char **argv, FILE *out, FILE *errf)
{
	struct cmp c = {.tol = COMPARE_TOLERANCE_DEFAULT};
	struct report_buf o = {0};
	const char *pos[2];
	size_t npos = 0;
	char err[1024];
	bool regression = false, dashdash = false;
	int ret = 2;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;

		if (!dashdash && (!strcmp(a, "-h") || !strcmp(a, "--help"))) {
			cmp_usage(out);
			return 0;
		}
		if (!dashdash && !strcmp(a, "--")) {
			dashdash = true;
			continue;
		}
		if (!dashdash && !strncmp(a, "--tolerance=", 12)) {
			v = a + 12;
		} else if (!dashdash && !strcmp(a, "--tolerance")) {
			if (++i >= argc) {
				fprintf(errf, "iog-compare: --tolerance needs "
					      "a percentage\n");
				cmp_usage(errf);
				return 2;
			}
			v = argv[i];
		} else if (!dashdash && a[0] == '-' && a[1]) {
			fprintf(errf, "iog-compare: unknown option '%s'\n", a);
			cmp_usage(errf);
			return 2;
		} else {
			if (npos == 2) {
				fprintf(errf, "iog-compare: too many "
					      "arguments\n");
				cmp_usage(errf);
				return 2;
			}
			pos[npos++] = a;
			continue;
		}
		if (cmp_tolerance(v, &c.tol)) {
			fprintf(errf,
				"iog-compare: --tolerance '%s': want a "
				"percentage >= 0\n",
				v);
			return 2;
		}
	}
	if (npos != 2) {
		cmp_usage(errf);
		return 2;
	}
	c.base_path = pos[0];
	c.new_path = pos[1];
	if (runs_set_load(&c.base, pos[0], err, sizeof(err)) ||
	    runs_set_load(&c.new, pos[1], err, sizeof(err))) {
		fprintf(errf, "iog-compare: %s\n", err);
		goto out;
	}
	if (cmp_pair_runs(&c))
		goto oom;
	for (size_t i = 0; i < c.npairs; i++) {
		struct cmp_pair *p = &c.pairs[i];

		if (p->b && p->n && !p->b->problem && !p->n->problem)
			cmp_pair_tests(&c, p);
		regression |= cmp_missing(p) || cmp_status_worse(p);
	}
	if (c.oom)
		goto oom;
	regression |= c.nkind[CMP_NEW_FAIL] || c.nkind[CMP_M_WORSE];
	cmp_markdown(&o, &c, regression);
	if (o.oom)
		goto oom;
	if (fwrite(o.s, 1, o.len, out) != o.len || fflush(out)) {
		fprintf(errf, "iog-compare: writing the output: %s\n",
			strerror(errno));
		goto out;
	}
	ret = regression ? 1 : 0;
	goto out;
oom:
	fprintf(errf, "iog-compare: out of memory\n");
out:
	for (size_t i = 0; i < c.npairs; i++) {
		free(c.pairs[i].label);
		cmp_holders_free(c.pairs[i].hb, c.pairs[i].nhb);
		cmp_holders_free(c.pairs[i].hn, c.pairs[i].nhn);
	}
	free(c.pairs);
	free(c.items);
	runs_set_free(&c.base);
	runs_set_free(&c.new);
	report_buf_free(&o);
	return ret;
}
