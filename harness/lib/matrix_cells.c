// SPDX-License-Identifier: GPL-2.0-only
/*
 * iog-matrix's cells: what a run or a suite of one job shows (verdict,
 * counts, reason, links), and the totals of the run cells.
 */
#include "matrix_int.h"

#include <stdio.h>
#include <string.h>

static void mx_counts_text(struct mx_cell *c, const struct runs_counts *t)
{
	size_t o = 0;

#define MX_ADD(cond, fmt, v)                                                   \
	do {                                                                   \
		if ((cond) && o < sizeof(c->counts))                           \
			o += (size_t)snprintf(c->counts + o,                   \
					      sizeof(c->counts) - o, "%s" fmt, \
					      o ? ", " : "", v);               \
	} while (0)
	MX_ADD(t->fail, "%u fail", t->fail);
	MX_ADD(t->timeout, "%u timeout", t->timeout);
	MX_ADD(t->error + t->other, "%u error", t->error + t->other);
	MX_ADD(t->pass, "%u pass", t->pass);
	MX_ADD(t->skip, "%u skip", t->skip);
	MX_ADD(t->xfail, "%u xfail", t->xfail);
	MX_ADD(!o, "%s", "no tests");
#undef MX_ADD
}

static enum mx_verdict mx_verdict_of(const struct runs_counts *t)
{
	if (!runs_counts_ok(t))
		return MX_FAIL;
	if (!t->pass && !t->xfail && t->skip)
		return MX_SKIP;
	return t->xfail ? MX_XFAIL : MX_PASS;
}

static void mx_add_counts(struct runs_counts *sum, const struct runs_counts *c)
{
	sum->pass += c->pass;
	sum->fail += c->fail;
	sum->skip += c->skip;
	sum->xfail += c->xfail;
	sum->timeout += c->timeout;
	sum->error += c->error;
	sum->other += c->other;
}

/* The first test of s (or s) with a result of the given kind. */
static const struct runs_test *mx_first(const struct runs_suite *s, bool bad)
{
	for (size_t i = 0; i < s->ntests; i++) {
		const char *r = s->tests[i].result;

		if (bad ? !runs_result_ok(r) : !strcmp(r, "skip"))
			return &s->tests[i];
	}
	return &s->self;
}

static void mx_reason_from(struct mx_cell *c, const struct runs_suite *s)
{
	const struct runs_test *t = mx_first(s, c->v == MX_FAIL);

	if (c->v == MX_FAIL && t != &s->self)
		snprintf(c->reason, sizeof(c->reason), "%s%s%s", t->name,
			 t->reason[0] ? ": " : "", t->reason);
	else if (t->reason[0])
		snprintf(c->reason, sizeof(c->reason), "%s", t->reason);
	else if (s->self.reason[0])
		snprintf(c->reason, sizeof(c->reason), "%s", s->self.reason);
	else if (c->v == MX_SKIP)
		snprintf(c->reason, sizeof(c->reason), "no reason given");
}

static const struct runs_suite *mx_suite(const struct runs_report *r,
					 const char *name)
{
	for (size_t i = 0; i < r->nsuites; i++)
		if (!strcmp(r->suites[i].self.name, name))
			return &r->suites[i];
	return NULL;
}

/* c emptied; when there is no job, a SKIP: the kernel did not run there. */
static bool mx_no_job(const struct mx_job *j, struct mx_cell *c)
{
	memset(c, 0, sizeof(*c));
	if (j)
		return false;
	c->v = MX_SKIP;
	snprintf(c->reason, sizeof(c->reason),
		 "not run: no job for this kernel");
	return true;
}

void mx_suite_cell(const struct mx_job *j, const char *suite, struct mx_cell *c)
{
	const struct runs_suite *s;
	struct runs_counts t;

	if (mx_no_job(j, c))
		return;
	if (!mx_usable(j)) {
		c->v = MX_FAIL;
		snprintf(c->reason, sizeof(c->reason),
			 "no report (see the run row)");
		return;
	}
	s = mx_suite(&j->rep, suite);
	if (!s) {
		c->v = MX_SKIP;
		snprintf(c->reason, sizeof(c->reason),
			 "not run: not in this run's report");
		return;
	}
	runs_suite_counts(s, &t);
	c->v = mx_verdict_of(&t);
	mx_counts_text(c, &t);
	if (c->v != MX_PASS)
		mx_reason_from(c, s);
	for (size_t i = 0; i < s->self.nmetrics; i++) {
		const struct runs_metric *me = &s->self.metrics[i];

		if (!strcmp(me->name, "elapsed_s") && me->has_value) {
			c->has_elapsed = true;
			c->elapsed = me->value;
		}
	}
}

void mx_run_cell(const struct mx_job *j, struct mx_cell *c)
{
	struct runs_counts t = {0};

	if (mx_no_job(j, c))
		return;
	c->log = j->log;
	if (j->load_error) {
		c->v = MX_FAIL;
		snprintf(c->reason, sizeof(c->reason),
			 "report.json unreadable: %s", j->load_error);
		c->dir = j->link;
		return;
	}
	if (!j->has_rep || j->rep.problem) {
		c->v = MX_FAIL;
		c->dir = j->link;
		if (j->has_rep)
			snprintf(c->reason, sizeof(c->reason), "%s%s%s",
				 j->rep.problem, j->reason ? ": " : "",
				 j->reason ? j->reason : "");
		else if (j->reason)
			snprintf(c->reason, sizeof(c->reason), "%s", j->reason);
		else if (j->status >= 0)
			snprintf(c->reason, sizeof(c->reason),
				 "check.sh exited with status %d and made no "
				 "run directory",
				 j->status);
		else
			snprintf(c->reason, sizeof(c->reason),
				 "no run directory");
		return;
	}
	for (size_t i = 0; i < j->rep.nsuites; i++) {
		struct runs_counts sc;

		runs_suite_counts(&j->rep.suites[i], &sc);
		mx_add_counts(&t, &sc);
	}
	c->v = mx_verdict_of(&t);
	mx_counts_text(c, &t);
	if (strcmp(j->rep.status, "completed")) {
		c->status = j->rep.status[0] ? j->rep.status : "no status";
		c->v = MX_FAIL;
		snprintf(c->reason, sizeof(c->reason), "%s",
			 j->rep.status_detail);
	} else if (c->v == MX_SKIP && j->rep.nsuites) {
		mx_reason_from(c, &j->rep.suites[0]);
	}
	c->has_elapsed = j->rep.has_elapsed;
	c->elapsed = j->rep.elapsed_s;
	c->link = j->link;
}

/* The suites of a topology, in the order its runs list them. */
char **mx_suites(const struct mx *m, const char *topo, size_t *n)
{
	char **names = NULL;

	*n = 0;
	for (size_t i = 0; i < m->n; i++) {
		const struct mx_job *j = &m->jobs[i];

		if (j->ignored || strcmp(j->topology, topo) || !mx_usable(j))
			continue;
		for (size_t k = 0; k < j->rep.nsuites; k++) {
			if (mx_add_key(&names, n, j->rep.suites[k].self.name)) {
				mx_free_keys(names, *n);
				*n = 0;
				return NULL;
			}
		}
	}
	return names;
}

void mx_totals(const struct mx *m, struct mx_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < m->ntopos; i++) {
		for (size_t k = 0; k < m->nkernels; k++) {
			const struct mx_job *j =
				mx_job(m, m->topos[i], m->kernels[k]);
			struct mx_cell c;

			if (!j)
				continue;
			mx_run_cell(j, &c);
			t->runs++;
			t->v[c.v]++;
		}
	}
}

/* The release a kernel column ran, from its first report. */
const char *mx_release(const struct mx *m, const char *kern)
{
	for (size_t i = 0; i < m->n; i++)
		if (!m->jobs[i].ignored && m->jobs[i].has_rep &&
		    !strcmp(m->jobs[i].kernel, kern) &&
		    m->jobs[i].rep.release[0])
			return m->jobs[i].rep.release;
	return NULL;
}
