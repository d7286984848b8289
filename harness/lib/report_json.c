// SPDX-License-Identifier: GPL-2.0-only
/*
 * report.json: the run, its counts and every suite's tests with their
 * diagnostics and metrics (schema 1, read back by runs.c).
 */
#include "report_int.h"
#include "timing.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- strings ---- */

void report_json_string_n(struct report_buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	if (!s) {
		report_buf_puts(b, "null");
		return;
	}
	report_buf_add(b, "\"", 1);
	while (i < n) {
		size_t run = i, l;

		/* Copy plain runs at once; stop at anything needing care. */
		while (run < n && u[run] >= 0x20 && u[run] < 0x7f &&
		       u[run] != '"' && u[run] != '\\')
			run++;
		report_buf_add(b, s + i, run - i);
		i = run;
		if (i >= n)
			break;
		if (u[i] == '"' || u[i] == '\\') {
			report_buf_add(b, "\\", 1);
			report_buf_add(b, s + i, 1);
			i++;
		} else if (u[i] < 0x20 || u[i] == 0x7f) {
			report_buf_printf(b, "\\u%04x", u[i]);
			i++;
		} else if ((l = report_utf8(u + i, n - i))) {
			report_buf_add(b, s + i, l);
			i += l;
		} else {
			report_buf_puts(b, "\\ufffd");
			i++;
		}
	}
	report_buf_add(b, "\"", 1);
}

void report_json_string(struct report_buf *b, const char *s)
{
	report_json_string_n(b, s, s ? strlen(s) : 0);
}

/* ---- report.json ---- */

static void report_json_double(struct report_buf *b, double v)
{
	char s[40];

	if (!isfinite(v)) {
		report_buf_puts(b, "null");
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(s, sizeof(s), "%.*g", prec, v);
		if (strtod(s, NULL) == v)
			break;
	}
	report_buf_puts(b, s);
}

static void report_json_kv(struct report_buf *b, const char *key,
			   const char *value, const char *sep)
{
	report_json_string(b, key);
	report_buf_puts(b, ":");
	report_json_string(b, value);
	report_buf_puts(b, sep);
}

/* The strings of v, comma-separated (the inside of a JSON array). */
static void report_json_strings(struct report_buf *b, char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		report_buf_puts(b, i ? "," : "");
		report_json_string(b, v[i]);
	}
}

static void report_json_diags(struct report_buf *b, const struct ktap_node *n)
{
	report_buf_puts(b, "\"diagnostics\":[");
	report_json_strings(b, n->diags, n->ndiags);
	report_buf_puts(b, "],\"metrics\":[");
	for (size_t i = 0; i < n->nmetrics; i++) {
		report_buf_puts(b, i ? "," : "");
		report_buf_puts(b, "{");
		report_json_kv(b, "name", n->metrics[i].name, ",");
		report_buf_puts(b, "\"value\":");
		report_json_double(b, n->metrics[i].value);
		report_buf_puts(b, ",");
		report_json_kv(b, "unit", n->metrics[i].unit, "}");
	}
	report_buf_puts(b, "]");
}

struct report_json_ctx {
	struct report_buf *b;
	const struct ktap_node *suite;
	size_t ntests;
};

static void report_json_test(const struct ktap_node *n, const char *path,
			     void *p)
{
	struct report_json_ctx *c = p;

	if (n == c->suite)
		return;
	report_buf_puts(c->b, c->ntests++ ? ",\n    {" : "\n    {");
	report_json_kv(c->b, "name", path, ",");
	report_json_kv(c->b, "result", ktap_result_name(n->result), ",");
	report_json_kv(c->b, "reason", n->reason, ",");
	report_json_diags(c->b, n);
	report_buf_puts(c->b, "}");
}

int report_json(struct report_buf *b, const struct ktap_node *root,
		const struct report_meta *m)
{
	static const char *const plain[] = {"command", "reproduce"};
	struct report_counts c;
	const char *el = report_meta_get(m, "elapsed_s");
	char *end = NULL;
	double elapsed = el ? strtod(el, &end) : NAN;

	report_count(root, &c);
	report_buf_puts(b, "{\"schema\":1,\n");
	report_json_kv(b, "topology", report_meta_get(m, "topology"), ",\n");
	report_json_kv(b, "topology_file", report_meta_get(m, "topology_file"),
		       ",\n");
	report_buf_puts(b, "\"kernel\":{");
	report_json_kv(b, "name", report_meta_get(m, "kernel"), ",");
	report_json_kv(b, "release", report_release(root, m), ",");
	report_json_kv(b, "config_hash",
		       report_meta_get(m, "kernel_config_hash"), "},\n");
	report_buf_puts(b, "\"qemu\":{");
	report_json_kv(b, "version", report_meta_get(m, "qemu_version"), ",");
	report_json_kv(b, "accel", report_meta_get(m, "accel"), "},\n");
	for (size_t i = 0; i < sizeof(plain) / sizeof(*plain); i++)
		report_json_kv(b, plain[i], report_meta_get(m, plain[i]),
			       ",\n");
	report_json_kv(b, "status", report_status(m), ",\n");
	report_json_kv(b, "status_detail", report_meta_get(m, "status_detail"),
		       ",\n");
	report_json_kv(b, "started", report_meta_get(m, "started"), ",\n");
	report_buf_puts(b, "\"elapsed_s\":");
	if (!el || end == el || *end)
		elapsed = NAN;
	report_json_double(b, elapsed);
	report_buf_puts(b, ",\n");
	report_json_kv(b, "console", report_meta_get(m, "console"), ",\n");
	report_json_kv(b, "verdict",
		       strcmp(report_verdict(root, m), "PASS") ? "fail"
							       : "pass",
		       ",\n");
	report_buf_printf(b,
			  "\"summary\":{\"pass\":%u,\"fail\":%u,\"skip\":%u,"
			  "\"xfail\":%u,\"timeout\":%u,\"error\":%u},\n",
			  c.pass, c.fail, c.skip, c.xfail, c.timeout, c.error);
	timing_json(b, root, m);
	report_buf_puts(b, "\"guest\":{");
	for (size_t i = 0; i < root->nfacts; i++)
		report_json_kv(b, root->facts[i].key, root->facts[i].value,
			       i + 1 < root->nfacts ? "," : "");
	report_buf_puts(b, "},\n\"other_output\":[");
	report_json_strings(b, root->diags, root->ndiags);
	report_buf_puts(b, "],\n\"suites\":[");
	for (size_t i = 0; i < root->nchildren; i++) {
		const struct ktap_node *s = root->children[i];
		struct report_json_ctx jc = {.b = b, .suite = s};
		struct report_buf name = {0};

		report_display_name(&name, s);
		report_buf_puts(b, i ? ",\n  {" : "\n  {");
		report_json_kv(b, "name", name.s, ",");
		report_buf_free(&name);
		report_json_kv(b, "result", ktap_result_name(s->result), ",");
		report_json_kv(b, "reason", s->reason, ",");
		report_json_diags(b, s);
		report_buf_puts(b, ",\"tests\":[");
		report_walk(s, report_json_test, &jc);
		report_buf_puts(b, "]}");
	}
	report_buf_puts(b, "\n]}\n");
	return b->oom ? -1 : 0;
}
