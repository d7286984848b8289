// SPDX-License-Identifier: GPL-2.0-only
/*
 * A run's time by phase (timing.h): what the host did before QEMU, the
 * kernel's boot to /init, /init until the suites (module loads), each
 * suite, and the rest of QEMU's life (power-off), so that a slow run shows
 * where it was slow.
 * Suites beside the others (run-suites.sh IOG_SUITES_BESIDE) overlap
 * them: the guest says how long all suites took from first to last
 * (time.suites_s), and the table marks those suites.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "timing.h"

#define TIMING_SUITE_PREFIX "time.suite."

/* A finite, non-negative number of seconds, else NAN. */
static double timing_num(const char *s)
{
	char *end;
	double v;

	if (!s || !*s)
		return NAN;
	v = strtod(s, &end);
	return *end || !isfinite(v) || v < 0 ? NAN : v;
}

/* The name of a per-suite fact ("time.suite.NAME_s"), length in *n. */
static const char *timing_suite(const struct ktap_fact *f, size_t *n)
{
	size_t pl = strlen(TIMING_SUITE_PREFIX), kl = strlen(f->key);

	if (kl <= pl + 2 || strncmp(f->key, TIMING_SUITE_PREFIX, pl) ||
	    strcmp(f->key + kl - 2, "_s"))
		return NULL;
	/* A suite's name, as run-suites.sh prints it: nothing to escape. */
	for (size_t i = pl; i < kl - 2; i++)
		if (!isalnum((unsigned char)f->key[i]) &&
		    !strchr("._-", f->key[i]))
			return NULL;
	*n = kl - pl - 2;
	return f->key + pl;
}

static void timing_json_num(struct report_buf *b, double v)
{
	if (isnan(v))
		report_buf_puts(b, "null");
	else
		report_buf_printf(b, "%.2f", v);
}

void timing_json(struct report_buf *b, const struct ktap_node *root,
		 const struct report_meta *m)
{
	bool first = true;

	report_buf_puts(b, "\"timing\":{\"prepare_s\":");
	timing_json_num(b, timing_num(report_meta_get(m, "time_prepare_s")));
	report_buf_puts(b, ",\"qemu_s\":");
	timing_json_num(b, timing_num(report_meta_get(m, "time_qemu_s")));
	report_buf_puts(b, ",\"boot_to_init_s\":");
	timing_json_num(b, timing_num(ktap_fact(root, "time.boot_to_init_s")));
	report_buf_puts(b, ",\"init_to_suites_s\":");
	timing_json_num(b,
			timing_num(ktap_fact(root, "time.init_to_suites_s")));
	report_buf_puts(b, ",\"suites_wall_s\":");
	timing_json_num(b, timing_num(ktap_fact(root, "time.suites_s")));
	report_buf_puts(b, ",\"suites\":{");
	for (size_t i = 0; i < root->nfacts; i++) {
		size_t n;
		const char *s = timing_suite(&root->facts[i], &n);

		if (!s)
			continue;
		report_buf_puts(b, first ? "" : ",");
		first = false;
		report_json_string_n(b, s, n);
		report_buf_puts(b, ":");
		timing_json_num(b, timing_num(root->facts[i].value));
	}
	report_buf_puts(b, "}},\n");
}

static void timing_md_row(struct report_buf *b, const char *phase, size_t n,
			  double v)
{
	if (isnan(v))
		return;
	report_buf_puts(b, "| ");
	report_buf_add(b, phase, n);
	report_buf_printf(b, " | %.2f |\n", v);
}

/* Is suite s (n bytes) one the guest ran beside the others? */
static bool timing_beside(const struct ktap_node *root, const char *s,
			  size_t n)
{
	const char *p = ktap_fact(root, "beside");

	/* "A B (devices ...)": the names before the parenthesis. */
	while (p && *p && *p != '(') {
		size_t w = strcspn(p, " (");

		if (w == n && !strncmp(p, s, n))
			return true;
		p += w;
		p += strspn(p, " ");
	}
	return false;
}

void timing_markdown(struct report_buf *b, const struct ktap_node *root,
		     const struct report_meta *m)
{
	double prep = timing_num(report_meta_get(m, "time_prepare_s"));
	double qemu = timing_num(report_meta_get(m, "time_qemu_s"));
	double boot = timing_num(ktap_fact(root, "time.boot_to_init_s"));
	double init = timing_num(ktap_fact(root, "time.init_to_suites_s"));
	double wall = timing_num(ktap_fact(root, "time.suites_s"));
	double guest = boot + init, sum = 0;
	static const char *const h[] = {
		"host: test module, ABI documentation, image",
		"guest: kernel boot to /init",
		"guest: /init until the suites (modules)",
		"QEMU: the rest (start, power-off, exit)",
		"guest: all suites, first start to last end",
	};

	if (isnan(prep) && isnan(qemu) && isnan(boot))
		return;
	report_buf_puts(b, "## Time\n\n| phase | seconds |\n| --- | ---: |\n");
	timing_md_row(b, h[0], strlen(h[0]), prep);
	timing_md_row(b, h[1], strlen(h[1]), boot);
	timing_md_row(b, h[2], strlen(h[2]), init);
	for (size_t i = 0; i < root->nfacts; i++) {
		struct report_buf name = {0};
		size_t n;
		const char *s = timing_suite(&root->facts[i], &n);
		double v;

		if (!s)
			continue;
		v = timing_num(root->facts[i].value);
		sum += isnan(v) ? 0 : v;
		report_buf_puts(&name, "suite ");
		report_buf_add(&name, s, n);
		if (timing_beside(root, s, n))
			report_buf_puts(&name, " (beside the others)");
		if (name.s)
			timing_md_row(b, name.s, name.len, v);
		report_buf_free(&name);
	}
	/* Beside the others the suites overlap: their span, not their sum. */
	timing_md_row(b, h[4], strlen(h[4]), wall);
	guest += isnan(wall) ? sum : wall;
	/* What the guest did not account for: QEMU's start and power-off. */
	if (!isnan(qemu) && !isnan(guest) && qemu >= guest)
		timing_md_row(b, h[3], strlen(h[3]), qemu - guest);
	report_buf_puts(b, "\n");
}
