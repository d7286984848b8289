// SPDX-License-Identifier: GPL-2.0-only
/*
 * iog-compare: reading both sides and diffing them.  Both sides are loaded
 * completely first (any file that is not a valid report is exit status 2
 * before anything is compared), then runs are paired by key, each pair's
 * tests and measurements are merged by sorted keys, and every difference
 * becomes an item of one category; compare_md.c writes them out.
 */
#include "compare_int.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
