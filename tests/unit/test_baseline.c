// SPDX-License-Identifier: GPL-2.0-only
/* Throughput baseline files (harness/lib/baseline.h). */
#include "kselftest_harness.h"

#include <glob.h>
#include <math.h>
#include <string.h>

#include "baseline.h"

/* kselftest_harness.h has no floating-point compare. */
#define EXPECT_NEAR(want, got, eps) EXPECT_TRUE(fabs((want) - (got)) <= (eps))

static int parse(const char *text, struct baseline *b, char *err, size_t len)
{
	return baseline_parse("x.baseline", text, strlen(text), b, err, len);
}

TEST(ratios_and_ordering_tolerance)
{
	struct baseline b;
	char err[256] = "";
	const struct baseline_ratio *r;

	ASSERT_EQ(0, parse("# measured by make bench\n"
			   "ratio DMA-FQ/identity 0.95 tolerance 25%\n"
			   "\n"
			   "ratio DMA/identity 0.6 tolerance 20% # strict\n"
			   "ordering-tolerance 12%",
			   &b, err, sizeof(err)))
	TH_LOG("%s", err);
	ASSERT_EQ(2, b.nr);
	EXPECT_NEAR(0.12, b.ordering_tolerance, 1e-9);
	r = baseline_find(&b, "DMA", "identity");
	ASSERT_NE(NULL, r);
	EXPECT_NEAR(0.6, r->expect, 1e-9);
	EXPECT_NEAR(0.2, r->tolerance, 1e-9);
	EXPECT_EQ(4, r->line);
	EXPECT_EQ(NULL, baseline_find(&b, "identity", "DMA"));
	/* 0.6 +- 20 %: 0.48 .. 0.72 */
	EXPECT_TRUE(baseline_ratio_ok(r, 0.49));
	EXPECT_TRUE(baseline_ratio_ok(r, 0.71));
	EXPECT_FALSE(baseline_ratio_ok(r, 0.47));
	EXPECT_FALSE(baseline_ratio_ok(r, 0.73));
	EXPECT_FALSE(baseline_ratio_ok(r, 0.0 / 0.0));
}

TEST(judge_allows_for_noise)
{
	/* 0.80 +- 25 %: 0.60 .. 1.00 */
	struct baseline_ratio r = {.expect = 0.8, .tolerance = 0.25};

	EXPECT_EQ(BASELINE_PASS, baseline_judge(&r, 0.79, 50));
	/* Quiet and outside: fails. */
	EXPECT_EQ(BASELINE_FAIL, baseline_judge(&r, 0.5, 5));
	EXPECT_EQ(BASELINE_FAIL, baseline_judge(&r, 1.2, 5));
	/* Outside, but 2 CoV reach back into the range: cannot tell. */
	EXPECT_EQ(BASELINE_INCONCLUSIVE, baseline_judge(&r, 1.6, 45));
	EXPECT_EQ(BASELINE_INCONCLUSIVE, baseline_judge(&r, 0.5, 15));
	/* An impossible expectation fails however noisy the run. */
	r.expect = 3.0;
	r.tolerance = 0.05;
	EXPECT_EQ(BASELINE_FAIL, baseline_judge(&r, 0.8, 45));
	EXPECT_EQ(BASELINE_FAIL, baseline_judge(&r, 0.0 / 0.0, 5));
	EXPECT_EQ(BASELINE_FAIL, baseline_judge(&r, 0.8, 0.0 / 0.0));
}

TEST(default_ordering_tolerance)
{
	struct baseline b;
	char err[256];

	ASSERT_EQ(0, parse("", &b, err, sizeof(err)));
	EXPECT_EQ(0, b.nr);
	EXPECT_NEAR(0.15, b.ordering_tolerance, 1e-9);
	EXPECT_FALSE(b.short_form);
}

TEST(form)
{
	struct baseline b;
	char err[256];

	ASSERT_EQ(0, parse("form short\n", &b, err, sizeof(err)));
	EXPECT_TRUE(b.short_form);
	ASSERT_EQ(0, parse("form long\n", &b, err, sizeof(err)));
	EXPECT_FALSE(b.short_form);
}

TEST(errors_name_file_and_line)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{"ratio DMA/identity 0.6\n", "x.baseline:1: want 'ratio"},
		{"\nratio DMA/ident 0.6 tolerance 5%\n",
		 "x.baseline:2: unknown domain type"},
		{"ratio DMA 0.6 tolerance 5%\n", "x.baseline:1: 'DMA' is not"},
		{"ratio DMA/DMA 1 tolerance 5%\n", "x.baseline:1: a ratio of"},
		{"ratio DMA/identity -1 tolerance 5%\n",
		 "x.baseline:1: '-1' is not a positive"},
		{"ratio DMA/identity nan tolerance 5%\n",
		 "x.baseline:1: 'nan' is not"},
		{"ratio DMA/identity 1 tolerance 5\n",
		 "x.baseline:1: '5' is not a percentage"},
		{"ratio DMA/identity 1 tolerance 100%\n",
		 "x.baseline:1: '100%' is not a percentage"},
		{"ratio DMA/identity 1 tolerance 5%\n"
		 "ratio DMA/identity 1 tolerance 5%\n",
		 "x.baseline:2: ratio DMA/identity given twice"},
		{"ordering-tolerance\n", "x.baseline:1: want 'ordering"},
		{"expect DMA 5\n", "x.baseline:1: unknown keyword 'expect'"},
		{"form quick\n", "x.baseline:1: want 'form short'"},
		{"form\n", "x.baseline:1: want 'form short'"},
		{"ratio DMA/identity 1 tolerance 5% extra words here\n",
		 "x.baseline:1: want 'ratio"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct baseline b;
		char err[256] = "";

		EXPECT_EQ(-1, parse(cases[i].text, &b, err, sizeof(err)))
		TH_LOG("case %zu parsed", i);
		EXPECT_EQ(0, strncmp(err, cases[i].want, strlen(cases[i].want)))
		TH_LOG("case %zu: got '%s', want '%s...'", i, err,
		       cases[i].want);
	}
}

TEST(nul_byte_and_long_line)
{
	struct baseline b;
	char err[256] = "", big[400];

	ASSERT_EQ(-1, baseline_parse("x.baseline", "ratio\0x\n", 8, &b, err,
				     sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "x.baseline:1: NUL byte"));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ASSERT_EQ(-1, parse(big, &b, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "line too long"));
}

TEST(committed_baselines_parse)
{
	char err[512] = "";
	struct baseline b;
	glob_t g;

	if (glob("results/baselines/*.baseline", 0, NULL, &g))
		SKIP(return, "no results/baselines/*.baseline (run from the "
			     "repository top)");
	for (size_t i = 0; i < g.gl_pathc; i++) {
		EXPECT_EQ(0, baseline_load(g.gl_pathv[i], &b, err, sizeof(err)))
		TH_LOG("%s", err);
		EXPECT_NE(0, b.nr)
		TH_LOG("%s has no ratio", g.gl_pathv[i]);
	}
	globfree(&g);
}

TEST_HARNESS_MAIN
