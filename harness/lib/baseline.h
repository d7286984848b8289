/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Throughput baselines (results/baselines/<topology>-<kernel>.baseline):
 * the expected ratios between domain types on one topology (one IOMMU
 * vendor) and kernel, with a tolerance, as docs/formats.md describes:
 *
 *   # comment
 *   ratio DMA-FQ/identity 0.95 tolerance 25%
 *   ratio DMA/identity 0.62 tolerance 25%
 *   ordering-tolerance 10%
 *   form short
 *
 * A ratio is throughput of the first type over the second, both measured
 * in one boot.  Parse errors name the file and line.
 */
#ifndef IOG_BASELINE_H
#define IOG_BASELINE_H

#include <stdbool.h>
#include <stddef.h>

#define BASELINE_MAX_RATIOS 16
#define BASELINE_TYPE_LEN 16

struct baseline_ratio {
	char num[BASELINE_TYPE_LEN]; /* domain type over ... */
	char den[BASELINE_TYPE_LEN]; /* ... this one */
	double expect;
	double tolerance; /* relative: 0.25 for 25 % */
	unsigned int line;
};

struct baseline {
	struct baseline_ratio ratio[BASELINE_MAX_RATIOS];
	size_t nr;
	double ordering_tolerance; /* relative; 0.15 unless the file says */
	/* "form short": measured by the short form (IOG_THROUGHPUT_FORM) */
	bool short_form;
};

/* Whether s names a domain type the group "type" file accepts (not auto). */
bool baseline_type_valid(const char *s);

/*
 * Parse text (len bytes, need not be NUL-terminated) read from name.
 * 0 on success; -1 with "name:line: what" in err.
 */
int baseline_parse(const char *name, const char *text, size_t len,
		   struct baseline *b, char *err, size_t errlen);

/* Parse the file at path; -1 with the reason (file:line) in err. */
int baseline_load(const char *path, struct baseline *b, char *err,
		  size_t errlen);

/* The entry for num/den, NULL if the baseline has none. */
const struct baseline_ratio *baseline_find(const struct baseline *b,
					   const char *num, const char *den);

/* Whether measured lies within r's tolerance of its expectation. */
bool baseline_ratio_ok(const struct baseline_ratio *r, double measured);

enum baseline_verdict {
	BASELINE_PASS, /* within the tolerance */
	BASELINE_FAIL, /* outside it, even allowing for this run's noise */
	BASELINE_INCONCLUSIVE, /* outside it, but within the noise */
};

/*
 * Judge measured, whose spread over the rounds is cov_pct (CoV, %): a
 * value outside the tolerance fails only when measured +- 2 CoV misses
 * the tolerated range too; a run too noisy to tell is inconclusive.
 */
enum baseline_verdict baseline_judge(const struct baseline_ratio *r,
				     double measured, double cov_pct);

#endif
