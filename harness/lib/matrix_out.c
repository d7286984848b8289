// SPDX-License-Identifier: GPL-2.0-only
/*
 * iog-matrix's documents, matrix.md and matrix.html: one walk over the
 * grid, the ratios and the facts, with what the two formats differ in
 * (markup, cells, the plot) in a struct mx_style each.
 */
#include "matrix_int.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const mx_word[] = {"PASS", "FAIL", "SKIP", "XFAIL"};

static void mx_base64(struct report_buf *b, const unsigned char *s, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrs"
		"tuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		unsigned long v = (unsigned long)s[i] << 16;
		char q[4];

		if (i + 1 < n)
			v |= (unsigned long)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		q[0] = tab[(v >> 18) & 63];
		q[1] = tab[(v >> 12) & 63];
		q[2] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? tab[v & 63] : '=';
		report_buf_add(b, q, 4);
	}
}

/* ---- what the formats differ in ---- */

struct mx_style {
	void (*text)(struct report_buf *b, const char *s);
	/* Up to the end of the h1 line, and a paragraph's frame. */
	void (*head)(struct report_buf *b, const struct mx *m, bool fail);
	const char *par_open, *par_close;
	/* The grid: its head with a column per kernel (and its release). */
	const char *grid_open, *kern_open, *rel_open, *rel_close, *kern_close;
	const char *head_close, *kern_rule, *head_end;
	/* A topology's run row up to its cells; a cell; a suite's row. */
	void (*run_row)(struct report_buf *b, const char *topo, size_t nsuites);
	void (*cell)(struct report_buf *b, const struct mx_cell *c);
	const char *suite_open, *suite_close, *row_end, *grid_close;
	const char *legend;
	/* The ratios: the plot (ratios.png is there), or why there is none. */
	const char *ratios_head, *no_ratios;
	void (*plot)(struct report_buf *b, const struct mx *m);
	const char *plot_failed, *no_gnuplot;
	const char *ratio_table, *ratio_open, *ratio_mid, *ratio_close;
	const char *ratio_table_end;
	/* The facts of matrix.txt, and the end of the document. */
	const char *facts_head, *fact_open, *fact_close, *doc_end;
};

/* ---- Markdown ---- */

static const char *const mx_mark[] = {"\xe2\x9c\x85", "\xe2\x9d\x8c",
				      "\xe2\x8f\xad\xef\xb8\x8f",
				      "\xf0\x9f\x9f\xa1"};

static void mx_md_cell(struct report_buf *b, const struct mx_cell *c)
{
	report_buf_printf(b, "%s **%s**", mx_mark[c->v], mx_word[c->v]);
	if (c->status) {
		report_buf_puts(b, " (");
		runs_md_text(b, c->status);
		report_buf_puts(b, ")");
	}
	if (c->counts[0]) {
		report_buf_puts(b, " ");
		runs_md_text(b, c->counts);
	}
	if (c->reason[0]) {
		report_buf_puts(b, c->counts[0] ? " \xe2\x80\x94 " : ": ");
		runs_md_text(b, c->reason);
	}
	if (c->has_elapsed)
		report_buf_printf(b, " \xc2\xb7 %.1f s", c->elapsed);
	if (c->link) {
		report_buf_puts(b, " \xc2\xb7 [report](");
		runs_url_path(b, c->link);
		report_buf_puts(b, "/report.md)");
	}
	if (c->dir) {
		report_buf_puts(b, " \xc2\xb7 [run directory](");
		runs_url_path(b, c->dir);
		report_buf_puts(b, ")");
	}
	if (!c->link && c->log) {
		report_buf_puts(b, " \xc2\xb7 [log](");
		runs_url_path(b, c->log);
		report_buf_puts(b, ")");
	}
}

static void mx_md_head(struct report_buf *b, const struct mx *m, bool fail)
{
	report_buf_puts(b, "# ");
	runs_md_text(b, m->title);
	report_buf_printf(b, ": %s\n\n", fail ? "FAIL" : "PASS");
}

static void mx_md_run_row(struct report_buf *b, const char *topo,
			  size_t nsuites)
{
	(void)nsuites;
	report_buf_puts(b, "| **");
	runs_md_text(b, topo);
	report_buf_puts(b, "** | *run* |");
}

static void mx_md_td(struct report_buf *b, const struct mx_cell *c)
{
	report_buf_puts(b, " ");
	mx_md_cell(b, c);
	report_buf_puts(b, " |");
}

static void mx_md_plot(struct report_buf *b, const struct mx *m)
{
	(void)m;
	report_buf_puts(b, "![ratio measurements](ratios.png) "
			   "([SVG](ratios.svg), data in "
			   "[ratios.tsv](ratios.tsv))\n\n");
}

static const struct mx_style mx_md_style = {
	.text = runs_md_text,
	.head = mx_md_head,
	.par_open = "",
	.par_close = "\n\n",
	.grid_open = "| Topology | Suite |",
	.kern_open = " ",
	.rel_open = " (",
	.rel_close = ")",
	.kern_close = " |",
	.head_close = "\n| --- | --- |",
	.kern_rule = " --- |",
	.head_end = "\n",
	.run_row = mx_md_run_row,
	.cell = mx_md_td,
	.suite_open = "| | ",
	.suite_close = " |",
	.row_end = "\n",
	.grid_close = "",
	.legend = "\nA cell counts the suite's tests; elapsed times "
		  "are per run (per suite where the suite reports "
		  "an `elapsed_s` metric).  Compare two matrices "
		  "with `iog-compare OLD NEW`.\n\n",
	.ratios_head = "## Ratios\n\n",
	.no_ratios = "No ratio measurements in these runs: "
		     "nothing to plot.\n",
	.plot = mx_md_plot,
	.plot_failed = "gnuplot failed to plot them: see "
		       "[gnuplot.log](gnuplot.log) (script "
		       "`ratios.gp`, data `ratios.tsv`).\n\n",
	.no_gnuplot = "Not plotted: gnuplot is not installed "
		      "(Debian: `apt-get install gnuplot-nox`; "
		      "then `gnuplot ratios.gp` in this "
		      "directory, or run the matrix again).\n\n",
	.ratio_table = "| Run and measurement | Ratio |\n| --- | ---: |\n",
	.ratio_open = "| ",
	.ratio_mid = " | ",
	.ratio_close = " |\n",
	.ratio_table_end = "",
	.facts_head = "\n## Matrix\n\n",
	.fact_open = "- ",
	.fact_close = "\n",
	.doc_end = "",
};

/* ---- HTML ---- */

static const char *const mx_class[] = {"pass", "fail", "skip", "xfail"};

static void mx_html_cell(struct report_buf *b, const struct mx_cell *c)
{
	report_buf_printf(b, "<td class=\"%s\"><b>%s</b>", mx_class[c->v],
			  mx_word[c->v]);
	if (c->status) {
		report_buf_puts(b, " (");
		runs_html_text(b, c->status);
		report_buf_puts(b, ")");
	}
	if (c->counts[0]) {
		report_buf_puts(b, " <span class=\"n\">");
		runs_html_text(b, c->counts);
		report_buf_puts(b, "</span>");
	}
	if (c->reason[0]) {
		report_buf_puts(b, "<div class=\"why\">");
		runs_html_text(b, c->reason);
		report_buf_puts(b, "</div>");
	}
	if (c->has_elapsed || c->link || c->dir || c->log) {
		const char *sep = "";

		report_buf_puts(b, "<div class=\"meta\">");
		if (c->has_elapsed) {
			report_buf_printf(b, "%.1f s", c->elapsed);
			sep = " &middot; ";
		}
		if (c->link) {
			report_buf_printf(b, "%s<a href=\"", sep);
			runs_url_path(b, c->link);
			report_buf_puts(b, "/report.md\">report.md</a>");
			sep = " &middot; ";
		}
		if (c->dir) {
			report_buf_printf(b, "%s<a href=\"", sep);
			runs_url_path(b, c->dir);
			report_buf_puts(b, "\">run directory</a>");
			sep = " &middot; ";
		}
		if (!c->link && c->log) {
			report_buf_printf(b, "%s<a href=\"", sep);
			runs_url_path(b, c->log);
			report_buf_puts(b, "\">log</a>");
		}
		report_buf_puts(b, "</div>");
	}
	report_buf_puts(b, "</td>");
}

static const char mx_css[] =
	"body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;"
	"margin:1.5em;color:#1d1d1f;background:#fff}"
	"h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.5em}"
	"table{border-collapse:collapse;margin:.5em 0}"
	"th,td{border:1px solid #b8b8b8;padding:.35em .6em;vertical-align:top;"
	"text-align:left}"
	"thead th{background:#e9ecef;position:sticky;top:0}"
	"th.topo{background:#f4f4f4;white-space:nowrap}"
	"td.suite{white-space:nowrap}tr.run td{border-top:2px solid #777}"
	"tr.run th{border-top:2px solid #777}"
	"td.pass{background:#d8f0dc}td.fail{background:#f9d6d9}"
	"td.skip{background:#e6e6e6}td.xfail{background:#fff0c2}"
	"td.pass b{color:#1e6b31}td.fail b{color:#a4161a}"
	"td.skip b{color:#555}td.xfail b{color:#7a5b00}"
	".why{font-size:.85em;color:#444;max-width:28em}"
	".meta{font-size:.85em;color:#555}.n{font-size:.9em}"
	".rel{font-weight:normal;font-size:.85em;color:#555}"
	".verdict-pass{color:#1e6b31}.verdict-fail{color:#a4161a}"
	"span.key{display:inline-block;padding:0 .5em;margin-right:.5em;"
	"border:1px solid #b8b8b8}"
	"img{max-width:100%;border:1px solid #ddd}";

static void mx_html_head(struct report_buf *b, const struct mx *m, bool fail)
{
	report_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
			   "<meta charset=\"utf-8\">\n<title>");
	runs_html_text(b, m->title);
	report_buf_printf(b, "</title>\n<style>%s</style>\n</head>\n<body>\n",
			  mx_css);
	report_buf_puts(b, "<h1>");
	runs_html_text(b, m->title);
	report_buf_printf(b, ": <span class=\"verdict-%s\">%s</span></h1>\n",
			  fail ? "fail" : "pass", fail ? "FAIL" : "PASS");
}

static void mx_html_run_row(struct report_buf *b, const char *topo,
			    size_t nsuites)
{
	report_buf_printf(b,
			  "<tr class=\"run\"><th class=\"topo\" "
			  "rowspan=\"%zu\">",
			  nsuites + 1);
	runs_html_text(b, topo);
	report_buf_puts(b, "</th><td class=\"suite\"><i>run</i></td>");
}

/* The plot embedded, so that matrix.html is whole on its own. */
static void mx_html_plot(struct report_buf *b, const struct mx *m)
{
	char *p = mx_path(m->dir, "ratios.png"), *png = NULL;
	size_t len = 0;

	if (p && !runs_read_file(p, MATRIX_PNG_MAX, &png, &len)) {
		report_buf_puts(b, "<p><img alt=\"ratio measurements\" "
				   "src=\"data:image/png;base64,");
		mx_base64(b, (const unsigned char *)png, len);
		report_buf_puts(b, "\"></p>\n");
	} else {
		report_buf_puts(b, "<p><img alt=\"ratio measurements\" "
				   "src=\"ratios.png\"></p>\n");
	}
	free(p);
	free(png);
	report_buf_puts(b, "<p><a href=\"ratios.svg\">SVG</a> &middot; "
			   "<a href=\"ratios.tsv\">data</a></p>\n");
}

static const struct mx_style mx_html_style = {
	.text = runs_html_text,
	.head = mx_html_head,
	.par_open = "<p>",
	.par_close = "</p>\n",
	.grid_open = "<table>\n<thead><tr><th>Topology</th><th>Suite</th>",
	.kern_open = "<th>",
	.rel_open = "<br><span class=\"rel\">",
	.rel_close = "</span>",
	.kern_close = "</th>",
	.head_close = "</tr></thead>\n<tbody>\n",
	.kern_rule = "",
	.head_end = "",
	.run_row = mx_html_run_row,
	.cell = mx_html_cell,
	.suite_open = "<tr><td class=\"suite\">",
	.suite_close = "</td>",
	.row_end = "</tr>\n",
	.grid_close = "</tbody>\n</table>\n",
	.legend = "<p><span class=\"key\" style=\"background:#d8f0dc\">"
		  "PASS</span><span class=\"key\" "
		  "style=\"background:#f9d6d9\">FAIL</span>"
		  "<span class=\"key\" style=\"background:#e6e6e6\">"
		  "SKIP</span><span class=\"key\" "
		  "style=\"background:#fff0c2\">XFAIL</span> "
		  "A cell counts the suite's tests; elapsed times are "
		  "per run (per suite where the suite reports an "
		  "<code>elapsed_s</code> metric).</p>\n",
	.ratios_head = "<h2>Ratios</h2>\n",
	.no_ratios = "<p>No ratio measurements in "
		     "these runs: nothing to plot.</p>\n",
	.plot = mx_html_plot,
	.plot_failed = "<p>gnuplot failed to plot them: see "
		       "<a href=\"gnuplot.log\">gnuplot.log</a>."
		       "</p>\n",
	.no_gnuplot = "<p>Not plotted: gnuplot is not installed "
		      "(Debian: <code>apt-get install "
		      "gnuplot-nox</code>; then <code>gnuplot "
		      "ratios.gp</code> in this directory, or run "
		      "the matrix again).</p>\n",
	.ratio_table = "<table><thead><tr><th>Run and measurement</th>"
		       "<th>Ratio</th></tr></thead><tbody>\n",
	.ratio_open = "<tr><td>",
	.ratio_mid = "</td><td>",
	.ratio_close = "</td></tr>\n",
	.ratio_table_end = "</tbody></table>\n",
	.facts_head = "<h2>Matrix</h2>\n<ul>\n",
	.fact_open = "<li>",
	.fact_close = "</li>\n",
	.doc_end = "</ul>\n</body>\n</html>\n",
};

/* ---- the walk ---- */

/* The head of the grid: a column per kernel, with the release it ran. */
static void mx_grid_head(struct report_buf *b, const struct mx *m,
			 const struct mx_style *st)
{
	report_buf_puts(b, st->grid_open);
	for (size_t k = 0; k < m->nkernels; k++) {
		const char *rel = mx_release(m, m->kernels[k]);

		report_buf_puts(b, st->kern_open);
		st->text(b, m->kernels[k]);
		if (rel) {
			report_buf_puts(b, st->rel_open);
			st->text(b, rel);
			report_buf_puts(b, st->rel_close);
		}
		report_buf_puts(b, st->kern_close);
	}
	report_buf_puts(b, st->head_close);
	for (size_t k = 0; k < m->nkernels; k++)
		report_buf_puts(b, st->kern_rule);
	report_buf_puts(b, st->head_end);
}

/* A row per topology for its runs, then one per suite. */
static void mx_grid(struct report_buf *b, const struct mx *m,
		    const struct mx_style *st)
{
	mx_grid_head(b, m, st);
	for (size_t i = 0; i < m->ntopos; i++) {
		size_t ns;
		char **suites = mx_suites(m, m->topos[i], &ns);

		st->run_row(b, m->topos[i], ns);
		for (size_t k = 0; k < m->nkernels; k++) {
			struct mx_cell c;

			mx_run_cell(mx_job(m, m->topos[i], m->kernels[k]), &c);
			st->cell(b, &c);
		}
		report_buf_puts(b, st->row_end);
		for (size_t s = 0; s < ns; s++) {
			report_buf_puts(b, st->suite_open);
			st->text(b, suites[s]);
			report_buf_puts(b, st->suite_close);
			for (size_t k = 0; k < m->nkernels; k++) {
				struct mx_cell c;

				mx_suite_cell(
					mx_job(m, m->topos[i], m->kernels[k]),
					suites[s], &c);
				st->cell(b, &c);
			}
			report_buf_puts(b, st->row_end);
		}
		mx_free_keys(suites, ns);
	}
	report_buf_puts(b, st->grid_close);
}

static void mx_ratios(struct report_buf *b, const struct mx *m,
		      const struct mx_style *st)
{
	report_buf_puts(b, st->ratios_head);
	if (!m->nratios) {
		report_buf_puts(b, st->no_ratios);
		return;
	}
	if (mx_exists(m->dir, "ratios.png"))
		st->plot(b, m);
	else if (mx_nonempty(m->dir, "gnuplot.log"))
		report_buf_puts(b, st->plot_failed);
	else
		report_buf_puts(b, st->no_gnuplot);
	report_buf_puts(b, st->ratio_table);
	for (size_t i = 0; i < m->nratios; i++) {
		report_buf_puts(b, st->ratio_open);
		st->text(b, m->ratios[i].label);
		report_buf_puts(b, st->ratio_mid);
		report_buf_printf(b, "%.4g", m->ratios[i].value);
		report_buf_puts(b, st->ratio_close);
	}
	report_buf_puts(b, st->ratio_table_end);
}

static void mx_fact_line(struct report_buf *b, const struct mx_style *st,
			 const char *label, const char *v, const char *suffix)
{
	if (!v)
		return;
	report_buf_puts(b, st->fact_open);
	report_buf_puts(b, label);
	report_buf_puts(b, ": ");
	st->text(b, v);
	report_buf_puts(b, suffix);
	report_buf_puts(b, st->fact_close);
}

static void mx_facts(struct report_buf *b, const struct mx *m,
		     const struct mx_style *st)
{
	static const struct {
		const char *label, *key, *suffix;
	} facts[] = {
		{"Started", "started", ""},
		{"Wall time", "elapsed_s", " s"},
		{"Parallel runs", "jobs", ""},
		{"Host CPUs", "nproc", ""},
		{"Host", "host", ""},
		{"Interrupted", "interrupted", ""},
	};

	report_buf_puts(b, st->facts_head);
	mx_fact_line(b, st, "Directory", m->dir, "");
	for (size_t i = 0; i < sizeof(facts) / sizeof(*facts); i++)
		mx_fact_line(b, st, facts[i].label, mx_fact(m, facts[i].key),
			     facts[i].suffix);
}

static void mx_document(struct report_buf *b, const struct mx *m,
			const struct mx_style *st)
{
	struct mx_totals t;

	mx_totals(m, &t);
	st->head(b, m, t.v[MX_FAIL]);
	report_buf_puts(b, st->par_open);
	report_buf_printf(b,
			  "%zu runs: %zu passed, %zu failed, %zu skipped "
			  "entirely, %zu with expected failures.",
			  t.runs, t.v[MX_PASS], t.v[MX_FAIL], t.v[MX_SKIP],
			  t.v[MX_XFAIL]);
	report_buf_puts(b, st->par_close);
	mx_grid(b, m, st);
	report_buf_puts(b, st->legend);
	if (m->ignored) {
		report_buf_puts(b, st->par_open);
		report_buf_printf(b,
				  "%zu older runs of a topology and kernel "
				  "that ran again are not shown.",
				  m->ignored);
		report_buf_puts(b, st->par_close);
	}
	mx_ratios(b, m, st);
	mx_facts(b, m, st);
	report_buf_puts(b, st->doc_end);
}

void mx_markdown(struct report_buf *b, const struct mx *m)
{
	mx_document(b, m, &mx_md_style);
}

void mx_html(struct report_buf *b, const struct mx *m)
{
	mx_document(b, m, &mx_html_style);
}
