// SPDX-License-Identifier: GPL-2.0-only
/*
 * iog-compare's Markdown: a summary line, the runs side by side, then a
 * table per category of difference that is not empty, regressions first.
 */
#include "compare_int.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

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

/* "### HEADING (N)" and the head of its table. */
static void cmp_table_head(struct report_buf *o, const char *heading, size_t n,
			   const char *head)
{
	report_buf_printf(o, "### %s (%zu)\n\n", heading, n);
	report_buf_puts(o, head);
}

/* "| RUN | ": every row starts with the run it is about. */
static void cmp_row_start(struct report_buf *o, const char *label)
{
	report_buf_puts(o, "| ");
	runs_md_text(o, label);
	report_buf_puts(o, " | ");
}

static void cmp_result_cells(struct report_buf *o, const struct cmp_item *it)
{
	bool bad = it->n && !runs_result_ok(it->n->t->result);

	cmp_result_cell(o, it->b);
	report_buf_puts(o, bad ? " | **" : " | ");
	cmp_result_cell(o, it->n);
	report_buf_puts(o, bad ? "** | " : " | ");
	runs_md_text(o, cmp_either(it)->t->reason);
}

static void cmp_metric_cells(struct report_buf *o, const struct cmp_item *it)
{
	const struct runs_metric *m = it->mb ? it->mb : it->mn;

	runs_md_text(o, m->name);
	report_buf_puts(o, " | ");
	cmp_value(o, it->mb);
	report_buf_puts(o, " | ");
	cmp_value(o, it->mn);
	report_buf_puts(o, " | ");
	if (isfinite(it->rel))
		report_buf_printf(o, "%+.1f %%", 100 * it->rel);
	else if (it->mb && it->mn && it->mb->has_value && it->mn->has_value &&
		 strcmp(it->mb->unit, it->mn->unit))
		report_buf_puts(o, "unit changed");
	else if (!isnan(it->rel))
		report_buf_puts(o, "from 0");
	else
		report_buf_puts(o, "\xe2\x80\x94");
}

/* The columns of a table of items after its run and test. */
struct cmp_columns {
	const char *head;
	void (*cells)(struct report_buf *o, const struct cmp_item *it);
};

static const struct cmp_columns cmp_result_cols = {
	.head = "| Run | Test | Base | New | Reason |\n"
		"| --- | --- | --- | --- | --- |\n",
	.cells = cmp_result_cells,
};

static const struct cmp_columns cmp_metric_cols = {
	.head = "| Run | Test | Metric | Base | New | Change |\n"
		"| --- | --- | --- | ---: | ---: | ---: |\n",
	.cells = cmp_metric_cells,
};

/* A table of the items of one kind, at most COMPARE_ROWS_MAX rows. */
static void cmp_item_table(struct report_buf *o, const struct cmp *c,
			   const struct cmp_columns *cols, enum cmp_kind kind,
			   const char *heading)
{
	size_t rows = 0;

	if (!c->nkind[kind])
		return;
	cmp_table_head(o, heading, c->nkind[kind], cols->head);
	for (size_t i = 0; i < c->nitems; i++) {
		const struct cmp_item *it = &c->items[i];

		if (it->kind != kind || rows++ >= COMPARE_ROWS_MAX)
			continue;
		cmp_row_start(o, it->pair->label);
		cmp_test_name(o, cmp_either(it));
		report_buf_puts(o, " | ");
		cols->cells(o, it);
		report_buf_puts(o, " |\n");
	}
	cmp_more(o, c->nkind[kind]);
}

/* The cells of a pair's row after its run. */
typedef void cmp_pair_cells_fn(struct report_buf *o, const struct cmp_pair *p);

/* A table of the pairs want() picks; all of them, there are few. */
static void cmp_pair_table(struct report_buf *o, const struct cmp *c,
			   bool (*want)(const struct cmp_pair *p),
			   const char *heading, const char *head,
			   cmp_pair_cells_fn *cells)
{
	size_t n = 0;

	for (size_t i = 0; i < c->npairs; i++)
		n += want(&c->pairs[i]);
	if (!n)
		return;
	cmp_table_head(o, heading, n, head);
	for (size_t i = 0; i < c->npairs; i++) {
		const struct cmp_pair *p = &c->pairs[i];

		if (!want(p))
			continue;
		cmp_row_start(o, p->label);
		cells(o, p);
		report_buf_puts(o, " |\n");
	}
	report_buf_puts(o, "\n");
}

/* A run that NEW has and BASE lacks, or has without a report. */
static bool cmp_newly(const struct cmp_pair *p)
{
	return !p->b || (p->b->problem && p->n);
}

static void cmp_both_runs(struct report_buf *o, const struct cmp_pair *p)
{
	cmp_run_cell(o, p->b);
	report_buf_puts(o, " | ");
	cmp_run_cell(o, p->n);
}

static void cmp_missing_cells(struct report_buf *o, const struct cmp_pair *p)
{
	cmp_run_cell(o, p->b);
	report_buf_puts(o, " | ");
	if (p->n)
		cmp_run_cell(o, p->n);
	else
		report_buf_puts(o, "**not in NEW**");
}

static void cmp_status_cells(struct report_buf *o, const struct cmp_pair *p)
{
	bool worse = cmp_status_worse(p);

	runs_md_text(o, p->b->status);
	report_buf_puts(o, worse ? " | **" : " | ");
	runs_md_text(o, p->n->status[0] ? p->n->status : "none");
	report_buf_puts(o, worse ? "** | " : " | ");
	runs_md_text(o, p->n->status_detail);
}

static const char cmp_runs_head[] = "| Run | Base | New |\n"
				    "| --- | --- | --- |\n";

static void cmp_count_phrase(struct report_buf *o, bool *first, size_t n,
			     const char *one, const char *many)
{
	if (!n)
		return;
	report_buf_printf(o, "%s%zu %s", *first ? "" : ", ", n,
			  n == 1 ? one : many);
	*first = false;
}

void cmp_markdown(struct report_buf *o, const struct cmp *c, bool regression)
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

		cmp_row_start(o, p->label);
		cmp_both_runs(o, p);
		report_buf_puts(o, " | ");
		cmp_elapsed_cell(o, p);
		report_buf_puts(o, " |\n");
	}
	report_buf_puts(o, "\n");

	cmp_pair_table(o, c, cmp_missing, "Missing runs", cmp_runs_head,
		       cmp_missing_cells);
	cmp_pair_table(o, c, cmp_status_changed, "Run status changes",
		       "| Run | Base | New | Detail |\n"
		       "| --- | --- | --- | --- |\n",
		       cmp_status_cells);
	cmp_item_table(o, c, &cmp_result_cols, CMP_NEW_FAIL, "New failures");
	cmp_details(o, c);
	cmp_item_table(o, c, &cmp_metric_cols, CMP_M_WORSE,
		       "Measurement regressions beyond the tolerance");
	cmp_item_table(o, c, &cmp_result_cols, CMP_FIXED, "Fixed");
	cmp_item_table(o, c, &cmp_result_cols, CMP_NEW_SKIP, "New skips");
	cmp_item_table(o, c, &cmp_result_cols, CMP_STILL, "Still failing");
	cmp_item_table(o, c, &cmp_result_cols, CMP_OTHER,
		       "Other result changes");
	cmp_item_table(o, c, &cmp_result_cols, CMP_APPEARED, "New tests");
	cmp_item_table(o, c, &cmp_result_cols, CMP_DISAPPEARED, "Tests gone");
	cmp_item_table(o, c, &cmp_metric_cols, CMP_M_BETTER,
		       "Measurement improvements beyond the tolerance");
	cmp_item_table(o, c, &cmp_metric_cols, CMP_M_CHANGED,
		       "Measurement changes beyond the tolerance (no "
		       "better direction known for the unit)");
	cmp_item_table(o, c, &cmp_metric_cols, CMP_M_ONE_SIDE,
		       "Measurements on one side only");
	cmp_pair_table(o, c, cmp_newly, "Runs new or newly reporting",
		       cmp_runs_head, cmp_both_runs);
}
