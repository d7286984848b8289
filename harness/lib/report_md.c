// SPDX-License-Identifier: GPL-2.0-only
/*
 * report.md: failing suites first, each failure with its evidence and the
 * command that reproduces it; then skips, expected failures, the run.
 */
#include "report_int.h"
#include "timing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- text ---- */

/*
 * Markdown text: valid UTF-8, no control characters; inline text also
 * gets its markup characters escaped, code text is left as it is.
 */
void report_md_text(struct report_buf *b, const char *s, bool code)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, l;

	while (i < n) {
		if (u[i] == '\t' && code) {
			report_buf_add(b, "\t", 1);
			i++;
		} else if (u[i] < 0x20 || u[i] == 0x7f) {
			report_buf_add(b, " ", 1);
			i++;
		} else if (!code && strchr("\\`*_[]<>|", u[i])) {
			report_buf_add(b, "\\", 1);
			report_buf_add(b, s + i, 1);
			i++;
		} else if ((l = report_utf8(u + i, n - i))) {
			report_buf_add(b, s + i, l);
			i += l;
		} else {
			report_buf_puts(b, "\xef\xbf\xbd");
			i++;
		}
	}
}

/* Longest run of backticks in s. */
static size_t report_ticks(const char *s)
{
	size_t best = 0, cur = 0;

	for (; *s; s++) {
		cur = *s == '`' ? cur + 1 : 0;
		if (cur > best)
			best = cur;
	}
	return best;
}

static void report_md_code_span(struct report_buf *b, const char *s)
{
	size_t t = report_ticks(s) + 1;

	for (size_t i = 0; i < t; i++)
		report_buf_add(b, "`", 1);
	/* Padding keeps a leading or trailing backtick out of the fence. */
	report_buf_add(b, " ", t > 1 ? 1 : 0);
	report_md_text(b, s, true);
	report_buf_add(b, " ", t > 1 ? 1 : 0);
	for (size_t i = 0; i < t; i++)
		report_buf_add(b, "`", 1);
}

/* ---- report.md ---- */

struct report_md_ctx {
	struct report_buf *b;
	const struct report_meta *m;
	const struct ktap_node *suite;
	int pass; /* which kind of node to list */
	size_t listed;
};

static void report_md_name(struct report_buf *b, const struct ktap_node *s,
			   const char *path)
{
	struct report_buf name = {0};

	report_display_name(&name, s);
	report_md_text(b, name.s ? name.s : "", false);
	report_buf_free(&name);
	if (path[0]) {
		report_buf_puts(b, ": ");
		report_md_text(b, path, false);
	}
}

static void report_md_evidence(struct report_buf *b, const struct ktap_node *n)
{
	size_t ticks = 2, lines = n->ndiags + n->nmetrics;

	if (!lines) {
		report_buf_puts(b, "No diagnostic output.\n\n");
		return;
	}
	for (size_t i = 0; i < n->ndiags; i++)
		if (report_ticks(n->diags[i]) > ticks)
			ticks = report_ticks(n->diags[i]);
	for (size_t i = 0; i <= ticks; i++)
		report_buf_add(b, "`", 1);
	report_buf_puts(b, "\n");
	for (size_t i = 0; i < n->ndiags && i < REPORT_MD_LINES_MAX; i++) {
		report_buf_puts(b, "# ");
		report_md_text(b, n->diags[i], true);
		report_buf_puts(b, "\n");
	}
	if (n->ndiags > REPORT_MD_LINES_MAX)
		report_buf_printf(b, "... %zu more lines in report.ktap\n",
				  n->ndiags - REPORT_MD_LINES_MAX);
	for (size_t i = 0; i < n->nmetrics; i++) {
		char v[40];

		snprintf(v, sizeof(v), "%g", n->metrics[i].value);
		report_buf_puts(b, "# metric: ");
		report_md_text(b, n->metrics[i].name, true);
		report_buf_printf(b, " %s ", v);
		report_md_text(b, n->metrics[i].unit, true);
		report_buf_puts(b, "\n");
	}
	for (size_t i = 0; i <= ticks; i++)
		report_buf_add(b, "`", 1);
	report_buf_puts(b, "\n\n");
}

static void report_md_item(const struct ktap_node *n, const char *path, void *p)
{
	struct report_md_ctx *c = p;
	const char *rep;

	if (c->pass == 0 && !ktap_result_ok(n->result)) {
		report_buf_puts(c->b, "### ");
		report_md_name(c->b, c->suite, path);
		report_buf_printf(c->b, " (%s", ktap_result_name(n->result));
		if (n->reason[0]) {
			report_buf_puts(c->b, ": ");
			report_md_text(c->b, n->reason, false);
		}
		report_buf_puts(c->b, ")\n\n");
		report_md_evidence(c->b, n);
		rep = report_meta_get(c->m, "reproduce");
		if (!rep || !*rep)
			rep = report_meta_get(c->m, "command");
		report_buf_puts(c->b, "Reproduce: ");
		if (rep && *rep)
			report_md_code_span(c->b, rep);
		else
			report_buf_puts(c->b, "(not recorded)");
		report_buf_puts(c->b, "\n\n");
		c->listed++;
	} else if ((c->pass == 1 && n->result == KTAP_SKIP) ||
		   (c->pass == 2 && n->result == KTAP_XFAIL)) {
		report_buf_puts(c->b, "- ");
		report_md_name(c->b, c->suite, path);
		if (n->reason[0]) {
			report_buf_puts(c->b, ": ");
			report_md_text(c->b, n->reason, false);
		}
		report_buf_puts(c->b, "\n");
		c->listed++;
	}
}

/* One pass over every suite listing one kind of node; returns how many. */
static size_t report_md_list(struct report_buf *b, const struct ktap_node *root,
			     const struct report_meta *m, int pass,
			     const char *heading)
{
	struct report_md_ctx c = {.b = b, .m = m, .pass = pass};
	struct report_md_ctx probe = c;
	struct report_buf scratch = {0};

	/* The heading only if the list is not empty: count first. */
	probe.b = &scratch;
	for (size_t i = 0; i < root->nchildren; i++) {
		probe.suite = root->children[i];
		report_walk(probe.suite, report_md_item, &probe);
	}
	report_buf_free(&scratch);
	if (!probe.listed)
		return 0;
	report_buf_puts(b, heading);
	for (size_t i = 0; i < root->nchildren; i++) {
		c.suite = root->children[i];
		report_walk(c.suite, report_md_item, &c);
	}
	if (pass)
		report_buf_puts(b, "\n");
	return c.listed;
}

static void report_md_fact(struct report_buf *b, const char *label,
			   const char *value, bool code)
{
	if (!value || !*value)
		return;
	report_buf_printf(b, "- %s: ", label);
	if (code)
		report_md_code_span(b, value);
	else
		report_md_text(b, value, false);
	report_buf_puts(b, "\n");
}

/*
 * The last lines of the console of a run that did not complete (meta
 * "console_tail", set by report_run_with): what the guest said last.
 */
static void report_md_console(struct report_buf *b, const struct report_meta *m)
{
	const char *t = report_meta_get(m, "console_tail");
	size_t ticks = report_ticks(t ? t : "") + 1;

	if (!t || !*t)
		return;
	report_buf_puts(b, "## Console, last lines\n\n");
	report_md_fact(b, "Whole console", report_meta_get(m, "console"), true);
	report_buf_puts(b, "\n");
	ticks = ticks < 3 ? 3 : ticks;
	for (size_t i = 0; i < ticks; i++)
		report_buf_add(b, "`", 1);
	report_buf_puts(b, "\n");
	for (const char *l = t; *l;) {
		size_t n = strcspn(l, "\n"), keep = n;
		char *line;

		while (keep && l[keep - 1] == '\r')
			keep--;
		line = strndup(l, keep);

		if (!line) {
			b->oom = true;
			return;
		}
		report_md_text(b, line, true);
		report_buf_puts(b, "\n");
		free(line);
		l += n + (l[n] == '\n');
	}
	for (size_t i = 0; i < ticks; i++)
		report_buf_add(b, "`", 1);
	report_buf_puts(b, "\n\n");
}

int report_markdown(struct report_buf *b, const struct ktap_node *root,
		    const struct report_meta *m)
{
	const char *topo = report_meta_get(m, "topology");
	const char *rel = report_release(root, m);
	const char *kname = report_meta_get(m, "kernel");
	const char *detail = report_meta_get(m, "status_detail");
	const char *el = report_meta_get(m, "elapsed_s");
	struct report_counts c;

	report_count(root, &c);
	report_buf_puts(b, "# ");
	report_md_text(b, topo && *topo ? topo : "run", false);
	report_buf_puts(b, " on ");
	report_md_text(b,
		       rel		 ? rel
		       : kname && *kname ? kname
					 : "unknown kernel",
		       false);
	report_buf_printf(b, ": %s\n\n", report_verdict(root, m));
	report_buf_printf(b,
			  "%u passed, %u failed, %u timed out, %u errors, "
			  "%u skipped, %u expected failures.\n\n",
			  c.pass, c.fail, c.timeout, c.error, c.skip, c.xfail);

	report_buf_puts(
		b, "| Suite | Verdict | Passed | Failed | Skipped | Note |\n"
		   "| --- | --- | ---: | ---: | ---: | --- |\n");
	/* One line per suite, those that did not pass first. */
	for (size_t k = 0; k < 2 * root->nchildren; k++) {
		const struct ktap_node *s = root->children[k % root->nchildren];
		struct report_counts sc;

		if (ktap_result_ok(s->result) == (k < root->nchildren))
			continue;
		report_count(s, &sc);
		report_buf_puts(b, "| ");
		report_md_name(b, s, "");
		report_buf_printf(b, " | %s | %u | %u | %u | ",
				  ktap_result_name(s->result),
				  sc.pass + sc.xfail,
				  sc.fail + sc.timeout + sc.error, sc.skip);
		report_md_text(b, s->reason, false);
		report_buf_puts(b, " |\n");
	}
	report_buf_puts(b, "\n");

	report_md_list(b, root, m, 0, "## Failures\n\n");
	report_md_console(b, m);
	report_md_list(b, root, m, 1, "## Skipped\n\n");
	report_md_list(b, root, m, 2, "## Expected failures\n\n");

	if (root->ndiags) {
		report_buf_puts(b, "## Output outside any test\n\n");
		report_md_evidence(b, root);
	}

	timing_markdown(b, root, m);
	report_buf_puts(b, "## Run\n\n");
	report_md_fact(b, "Topology", topo, false);
	report_md_fact(b, "Topology file", report_meta_get(m, "topology_file"),
		       true);
	report_md_fact(b, "Kernel", kname, false);
	report_md_fact(b, "Kernel release", rel, false);
	report_md_fact(b, "Kernel config hash",
		       report_meta_get(m, "kernel_config_hash"), true);
	report_md_fact(b, "QEMU", report_meta_get(m, "qemu_version"), false);
	report_md_fact(b, "Accelerator", report_meta_get(m, "accel"), false);
	report_buf_puts(b, "- Status: ");
	report_md_text(b, report_status(m), false);
	if (detail && *detail) {
		report_buf_puts(b, " (");
		report_md_text(b, detail, false);
		report_buf_puts(b, ")");
	}
	report_buf_puts(b, "\n");
	report_md_fact(b, "Started", report_meta_get(m, "started"), false);
	if (el && *el) {
		report_buf_puts(b, "- Elapsed: ");
		report_md_text(b, el, false);
		report_buf_puts(b, " s\n");
	}
	report_md_fact(b, "Console log", report_meta_get(m, "console"), true);
	report_md_fact(b, "Command", report_meta_get(m, "command"), true);
	report_md_fact(b, "Reproduce", report_meta_get(m, "reproduce"), true);
	for (size_t i = 0; i < root->nfacts; i++) {
		report_buf_puts(b, "- Guest ");
		report_md_text(b, root->facts[i].key, false);
		report_buf_puts(b, ": ");
		report_md_text(b, root->facts[i].value, false);
		report_buf_puts(b, "\n");
	}
	return b->oom ? -1 : 0;
}
