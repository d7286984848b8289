// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for iog-compare (harness/lib/compare.c and runs.c): runs and
 * matrices written into a temporary directory, compared, and the exit
 * status and Markdown checked.
 */
#include <ftw.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "unit_util.h"
#include "compare.h"
#include "runs.h"

/* Leaks are checked inside each test: the harness child exits with _exit(). */
extern int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

static int leaks(void)
{
	return __lsan_do_recoverable_leak_check
		       ? __lsan_do_recoverable_leak_check()
		       : 0;
}

/* What a run holds; NULL results leave the test out. */
struct run {
	const char *topology, *kernel, *status, *started, *reproduce;
	const char *a, *b, *c, *d, *e; /* results of global.a ... global.e */
	double attach_us, map_rate, count;
};

static const struct run base_run = {
	.topology = "q35-acs",
	.kernel = "debian-6.12",
	.status = "completed",
	.started = "2026-01-01T00:00:00Z",
	.reproduce = "make check TOPOLOGY=q35-acs KERNEL=debian-6.12",
	.a = "pass",
	.b = "pass",
	.c = "fail",
	.d = "skip",
	.attach_us = 100,
	.map_rate = 1000,
	.count = 10,
};

static int put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int r;

	if (!f)
		return -1;
	r = fputs(text, f) < 0;
	return fclose(f) || r ? -1 : 0;
}

__attribute__((format(printf, 3, 4))) static void add(char *buf, size_t size,
						      const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}

static void add_test(char *j, size_t size, bool *first, const char *name,
		     const char *result, const char *metrics)
{
	if (!result)
		return;
	add(j, size,
	    "%s\n    {\"name\":\"global.%s\",\"result\":\"%s\","
	    "\"reason\":\"%s\",\"diagnostics\":[\" RUN           global.%s "
	    "...\",\"suites/grouping.c:10:%s:evidence one\","
	    "\"suites/grouping.c:11:%s:evidence two\",\"           OK  "
	    "global.%s\"],\"metrics\":[%s]}",
	    *first ? "" : ",", name, result,
	    strcmp(result, "pass") ? "why not" : "", name, name, name, name,
	    metrics);
	*first = false;
}

/* DIR/report.json for r, made in the layout report_json.c writes. */
static int write_run(const char *dir, const struct run *r)
{
	char path[512], metrics[512];
	static char j[16384];
	bool first = true;

	if (mkdir(dir, 0755))
		return -1;
	j[0] = '\0';
	add(j, sizeof(j),
	    "{\"schema\":1,\n\"topology\":\"%s\",\n\"topology_file\":null,\n"
	    "\"kernel\":{\"name\":\"%s\",\"release\":\"6.12.1\","
	    "\"config_hash\":null},\n"
	    "\"qemu\":{\"version\":\"7.2\",\"accel\":\"tcg\"},\n"
	    "\"command\":\"%s\",\n\"reproduce\":\"%s\",\n\"status\":\"%s\",\n"
	    "\"status_detail\":\"\",\n\"started\":\"%s\",\n"
	    "\"elapsed_s\":8.5,\n\"console\":\"%s/console.log\",\n"
	    "\"verdict\":\"pass\",\n\"summary\":{},\n\"guest\":{},\n"
	    "\"other_output\":[],\n\"suites\":[\n"
	    "  {\"name\":\"grouping\",\"result\":\"pass\",\"reason\":\"\","
	    "\"diagnostics\":[],\"metrics\":[],\"tests\":[",
	    r->topology, r->kernel, r->reproduce, r->reproduce, r->status,
	    r->started, dir);
	snprintf(metrics, sizeof(metrics),
		 "{\"name\":\"attach\",\"value\":%g,\"unit\":\"us\"},"
		 "{\"name\":\"map\",\"value\":%g,\"unit\":\"maps/s\"},"
		 "{\"name\":\"count\",\"value\":%g,\"unit\":\"\"}",
		 r->attach_us, r->map_rate, r->count);
	add_test(j, sizeof(j), &first, "a", r->a, metrics);
	add_test(j, sizeof(j), &first, "b", r->b, "");
	add_test(j, sizeof(j), &first, "c", r->c, "");
	add_test(j, sizeof(j), &first, "d", r->d, "");
	add_test(j, sizeof(j), &first, "e", r->e, "");
	add(j, sizeof(j), "]}\n]}\n");
	snprintf(path, sizeof(path), "%s/report.json", dir);
	return put(path, j);
}

struct result {
	int status;
	char *out, *err;
};

/* compare_main() on argv, its output captured. */
static void run_compare(struct result *res, int argc, char **argv)
{
	size_t no, ne;
	FILE *o = open_memstream(&res->out, &no);
	FILE *e = open_memstream(&res->err, &ne);

	res->status = compare_main(argc, argv, o, e);
	fclose(o);
	fclose(e);
}

static void compare2(struct result *res, const char *base, const char *new)
{
	char *argv[] = {"iog-compare", (char *)base, (char *)new, NULL};

	run_compare(res, 3, argv);
}

static void result_free(struct result *res)
{
	free(res->out);
	free(res->err);
}

FIXTURE(tmp)
{
	char dir[64];
	char base[128], new[128];
};

FIXTURE_SETUP(tmp)
{
	strcpy(self->dir, "/tmp/iog-test-compare.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->base, sizeof(self->base), "%s/base", self->dir);
	snprintf(self->new, sizeof(self->new), "%s/new", self->dir);
	ASSERT_EQ(0, write_run(self->base, &base_run));
}

FIXTURE_TEARDOWN(tmp)
{
	unit_rm_tree(self->dir);
}

TEST_F(tmp, against_itself)
{
	struct result r;

	compare2(&r, self->base, self->base);
	EXPECT_EQ(0, r.status) TH_LOG("%s%s", r.out, r.err);
	EXPECT_NE(NULL, strstr(r.out, "iog-compare: no regression"));
	EXPECT_NE(NULL, strstr(r.out, "No differences"));
	EXPECT_NE(NULL, strstr(r.out, "| q35-acs / debian-6.12 | "));
	EXPECT_STREQ("", r.err);
	result_free(&r);
	/* The report.json path works as well as its directory. */
	{
		char p[200];

		snprintf(p, sizeof(p), "%s/report.json", self->base);
		compare2(&r, self->base, p);
		EXPECT_EQ(0, r.status);
		result_free(&r);
	}
	ASSERT_EQ(0, leaks());
}

TEST_F(tmp, injected_failure)
{
	struct run n = base_run;
	struct result r;
	const char *fail;

	n.a = "fail";
	n.reproduce = "make check TOPOLOGY=q35-acs KERNEL=new";
	ASSERT_EQ(0, write_run(self->new, &n));
	compare2(&r, self->base, self->new);
	EXPECT_EQ(1, r.status) TH_LOG("%s%s", r.out, r.err);
	EXPECT_NE(NULL, strstr(r.out, "iog-compare: REGRESSION"));
	EXPECT_NE(NULL, strstr(r.out, "1 new failure"));
	EXPECT_NE(NULL, strstr(r.out, "### New failures (1)"));
	EXPECT_NE(NULL,
		  strstr(r.out, "| q35-acs / debian-6.12 | grouping: "
				"global.a | pass | **fail** | why not |"));
	/* Its evidence, without the harness's RUN and OK lines ... */
	fail = strstr(r.out, "#### grouping: global.a on q35-acs / "
			     "debian-6.12 \xe2\x80\x94 fail");
	ASSERT_NE(NULL, fail) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(fail, "```\nsuites/grouping.c:10:a:evidence "
				     "one\nsuites/grouping.c:11:a:evidence "
				     "two\n```\n"));
	EXPECT_NULL(strstr(fail, " RUN "));
	/* ... and the command from the NEW report. */
	EXPECT_NE(NULL, strstr(fail, "Reproduce: `make check "
				     "TOPOLOGY=q35-acs KERNEL=new`"));
	/* The test that failed before still fails: not a new failure. */
	EXPECT_NE(NULL, strstr(r.out, "### Still failing (1)"));
	result_free(&r);
	ASSERT_EQ(0, leaks());
}

TEST_F(tmp, fixed_and_new_skip)
{
	struct run n = base_run;
	struct result r;

	n.c = "pass";
	n.b = "skip";
	ASSERT_EQ(0, write_run(self->new, &n));
	compare2(&r, self->base, self->new);
	EXPECT_EQ(0, r.status) TH_LOG("%s%s", r.out, r.err);
	EXPECT_NE(NULL, strstr(r.out, "no regression"));
	EXPECT_NE(NULL, strstr(r.out, "1 fixed, 1 new skip"));
	EXPECT_NE(NULL, strstr(r.out, "### Fixed (1)\n"));
	EXPECT_NE(NULL, strstr(r.out, "| grouping: global.c | fail | pass |"));
	EXPECT_NE(NULL, strstr(r.out, "### New skips (1)\n"));
	EXPECT_NE(NULL, strstr(r.out, "| grouping: global.b | pass | skip | "
				      "why not |"));
	EXPECT_NULL(strstr(r.out, "New failures"));
	result_free(&r);
	ASSERT_EQ(0, leaks());
}

TEST_F(tmp, other_transitions)
{
	struct run n = base_run;
	struct result r;

	/* xfail -> fail is a new failure; skip -> pass only a change. */
	n.d = "pass";
	n.e = "timeout"; /* a new test that fails */
	n.b = NULL; /* gone */
	ASSERT_EQ(0, write_run(self->new, &n));
	compare2(&r, self->base, self->new);
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.out, "| grouping: global.e | \xe2\x80\x94 | "
				      "**timeout** |"));
	EXPECT_NE(NULL, strstr(r.out, "### Other result changes (1)"));
	EXPECT_NE(NULL, strstr(r.out, "| grouping: global.d | skip | pass |"));
	EXPECT_NE(NULL, strstr(r.out, "### Tests gone (1)"));
	EXPECT_NE(NULL, strstr(r.out, "| grouping: global.b | pass | "
				      "\xe2\x80\x94 |"));
	result_free(&r);
	unit_rm_tree(self->new);
	n = base_run;
	n.e = "pass";
	ASSERT_EQ(0, write_run(self->new, &n));
	compare2(&r, self->base, self->new);
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, "### New tests (1)"));
	result_free(&r);
	ASSERT_EQ(0, leaks());
}

TEST_F(tmp, xfail_to_fail)
{
	struct run b = base_run, n = base_run;
	char bdir[200];
	struct result r;

	b.d = "xfail";
	n.d = "fail";
	snprintf(bdir, sizeof(bdir), "%s/xbase", self->dir);
	ASSERT_EQ(0, write_run(bdir, &b));
	ASSERT_EQ(0, write_run(self->new, &n));
	compare2(&r, bdir, self->new);
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.out, "| grouping: global.d | xfail | "
				      "**fail** |"));
	result_free(&r);
	ASSERT_EQ(0, leaks());
}

TEST_F(tmp, status_change)
{
	struct run n = base_run;
	struct result r;

	n.status = "timeout";
	ASSERT_EQ(0, write_run(self->new, &n));
	compare2(&r, self->base, self->new);
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.out, "1 run that no longer completes"));
	EXPECT_NE(NULL, strstr(r.out, "### Run status changes (1)"));
	EXPECT_NE(NULL, strstr(r.out, "| completed | **timeout** |"));
	result_free(&r);
	/* The other way round is no regression. */
	compare2(&r, self->new, self->base);
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, "| timeout | completed |"));
	result_free(&r);
	ASSERT_EQ(0, leaks());
}

/* One metric changed to value in NEW; the exit status and the section. */
static int metric_case(const char *dir, const char *base, const char *which,
		       double value, const char *tolerance, const char *want)
{
	struct run n = base_run;
	char ndir[200];
	struct result r;
	int status;

	if (!strcmp(which, "attach"))
		n.attach_us = value;
	else if (!strcmp(which, "map"))
		n.map_rate = value;
	else
		n.count = value;
	snprintf(ndir, sizeof(ndir), "%s/m-%s-%g", dir, which, value);
	if (write_run(ndir, &n))
		return -1;
	if (tolerance) {
		char *argv[] = {"iog-compare", "--tolerance", (char *)tolerance,
				(char *)base,  ndir,	      NULL};

		run_compare(&r, 5, argv);
	} else {
		compare2(&r, base, ndir);
	}
	status = r.status;
	if (want && !strstr(r.out, want))
		status = -2;
	if (!want && strstr(r.out, "### Measurement"))
		status = -3;
	if (status < 0)
		fprintf(stderr, "%s %g: %s%s\n", which, value, r.out, r.err);
	result_free(&r);
	return status;
}

TEST_F(tmp, metrics_beyond_tolerance)
{
	const char *d = self->dir, *b = self->base;

	/* A time 25 % up is a regression, 25 % down an improvement. */
	EXPECT_EQ(1, metric_case(d, b, "attach", 125, NULL,
				 "### Measurement regressions beyond the "
				 "tolerance (1)\n\n| Run | Test | Metric | "
				 "Base | New | Change |\n| --- | --- | --- | "
				 "---: | ---: | ---: |\n| q35-acs / "
				 "debian-6.12 | grouping: global.a | attach | "
				 "100 us | 125 us | +25.0 % |"));
	EXPECT_EQ(0, metric_case(d, b, "attach", 75, NULL,
				 "### Measurement improvements beyond the "
				 "tolerance (1)"));
	/* Within the default 20 %: nothing to say. */
	EXPECT_EQ(0, metric_case(d, b, "attach", 115, NULL, NULL));
	EXPECT_EQ(0, metric_case(d, b, "attach", 85, NULL, NULL));
	/* A rate 30 % down is a regression, 30 % up an improvement. */
	EXPECT_EQ(1,
		  metric_case(d, b, "map", 700, NULL,
			      "| map | 1000 maps/s | 700 maps/s | -30.0 % |"));
	EXPECT_EQ(0, metric_case(d, b, "map", 1300, NULL,
				 "Measurement improvements"));
	/* No unit: either way beyond the tolerance is only a change. */
	EXPECT_EQ(0, metric_case(d, b, "count", 20, NULL,
				 "### Measurement changes beyond the "
				 "tolerance (no better direction known for "
				 "the unit) (1)"));
	EXPECT_EQ(0, metric_case(d, b, "count", 5, NULL,
				 "| count | 10 | 5 | -50.0 % |"));
	/* --tolerance moves the line both ways. */
	EXPECT_EQ(0, metric_case(d, b, "attach", 126, "30", NULL));
	EXPECT_EQ(1, metric_case(d, b, "attach", 116, "10%",
				 "Measurements: \xc2\xb1"
				 "10 %"));
	EXPECT_EQ(1, metric_case(d, b, "attach", 100.5, "0", "+0.5 %"));
	ASSERT_EQ(0, leaks());
}

TEST(unit_direction)
{
	static const char *const lower[] = {"s",  "ms",	 "us",	    "\xc2\xb5s",
					    "ns", "sec", "seconds", "min"};
	static const char *const higher[] = {"MB/s",   "GiB/s",	 "ops/s",
					     "maps/s", "B/s",	 "IOPS",
					     "Mbps",   "ops/sec"};
	static const char *const neither[] = {"",  "x",	    "B",  "MiB",
					      "%", "count", "/s", "S"};

	for (size_t i = 0; i < sizeof(lower) / sizeof(*lower); i++) {
		EXPECT_EQ(-1, compare_unit_direction(lower[i]))
		TH_LOG("%s", lower[i]);
	}
	for (size_t i = 0; i < sizeof(higher) / sizeof(*higher); i++) {
		EXPECT_EQ(1, compare_unit_direction(higher[i]))
		TH_LOG("%s", higher[i]);
	}
	for (size_t i = 0; i < sizeof(neither) / sizeof(*neither); i++) {
		EXPECT_EQ(0, compare_unit_direction(neither[i]))
		TH_LOG("%s", neither[i]);
	}
	EXPECT_EQ(0, compare_unit_direction(NULL));
}

/* A matrix directory: runs/ below it, as harness/matrix.sh makes. */
static int make_matrix(const char *dir, bool with_61, bool broken_61)
{
	struct run r = base_run;
	char p[256];

	if (mkdir(dir, 0755))
		return -1;
	snprintf(p, sizeof(p), "%s/runs", dir);
	if (mkdir(p, 0755))
		return -1;
	snprintf(p, sizeof(p), "%s/runs/q35-acs-debian-6.12-1", dir);
	if (write_run(p, &r))
		return -1;
	r.kernel = "debian-6.1";
	snprintf(p, sizeof(p), "%s/runs/q35-acs-debian-6.1-1", dir);
	if (broken_61) {
		if (mkdir(p, 0755))
			return -1;
		snprintf(p, sizeof(p), "%s/runs/q35-acs-debian-6.1-1/meta.txt",
			 dir);
		return put(p, "topology=q35-acs\nkernel=debian-6.1\n"
			      "status=crashed\nstatus_detail=kernel panic\n");
	}
	if (with_61 && write_run(p, &r))
		return -1;
	r.topology = "q35-noacs";
	r.kernel = "debian-6.12";
	snprintf(p, sizeof(p), "%s/runs/q35-noacs-debian-6.12-1", dir);
	return write_run(p, &r);
}

TEST_F(tmp, matrix_missing_run)
{
	char b[200], n[200], n2[200], runs[220];
	struct result r;

	snprintf(b, sizeof(b), "%s/mb", self->dir);
	snprintf(n, sizeof(n), "%s/mn", self->dir);
	snprintf(n2, sizeof(n2), "%s/mn2", self->dir);
	ASSERT_EQ(0, make_matrix(b, true, false));
	ASSERT_EQ(0, make_matrix(n, false, false));
	ASSERT_EQ(0, make_matrix(n2, true, true));
	/* A matrix against itself, and against its runs/ directory. */
	snprintf(runs, sizeof(runs), "%s/runs", b);
	compare2(&r, b, runs);
	EXPECT_EQ(0, r.status) TH_LOG("%s%s", r.out, r.err);
	EXPECT_NE(NULL, strstr(r.out, "(3 runs)"));
	result_free(&r);
	/* One run of BASE is not in NEW. */
	compare2(&r, b, n);
	EXPECT_EQ(1, r.status) TH_LOG("%s%s", r.out, r.err);
	EXPECT_NE(NULL, strstr(r.out, "1 missing run"));
	EXPECT_NE(NULL, strstr(r.out, "### Missing runs (1)"));
	EXPECT_NE(NULL, strstr(r.out, "| q35-acs / debian-6.1 | \xe2\x9d\x8c "
				      "2 pass, 1 fail, 1 skip | **not in "
				      "NEW** |"));
	result_free(&r);
	/* NEW has it, but without a report: as bad. */
	compare2(&r, b, n2);
	EXPECT_EQ(1, r.status) TH_LOG("%s%s", r.out, r.err);
	EXPECT_NE(NULL, strstr(r.out, "no report.json (iog-report did not "
				      "finish; run crashed: kernel panic)"));
	result_free(&r);
	/* A run only in NEW is news, not a regression. */
	compare2(&r, n, b);
	EXPECT_EQ(0, r.status) TH_LOG("%s%s", r.out, r.err);
	EXPECT_NE(NULL, strstr(r.out, "### Runs new or newly reporting (1)"));
	result_free(&r);
	ASSERT_EQ(0, leaks());
}

TEST_F(tmp, matrix_newest_duplicate)
{
	struct run old = base_run;
	char m[200], p[260];
	struct result r;

	/*
	 * Two runs of one key: the one started last (a failure) is compared,
	 * whatever the names of their directories.
	 */
	snprintf(m, sizeof(m), "%s/dups", self->dir);
	ASSERT_EQ(0, mkdir(m, 0755));
	old.started = "2026-02-01T00:00:00Z";
	old.a = "fail";
	snprintf(p, sizeof(p), "%s/b-started-2026", m);
	ASSERT_EQ(0, write_run(p, &old));
	old.started = "2025-01-01T00:00:00Z";
	old.a = "pass";
	snprintf(p, sizeof(p), "%s/c-started-2025", m);
	ASSERT_EQ(0, write_run(p, &old));
	compare2(&r, self->base, m);
	EXPECT_EQ(1, r.status) TH_LOG("%s%s", r.out, r.err);
	EXPECT_NE(NULL, strstr(r.out, "1 in NEW ignored"));
	EXPECT_NE(NULL, strstr(r.out, "global.a | pass | **fail**"));
	result_free(&r);
	ASSERT_EQ(0, leaks());
}

TEST_F(tmp, suite_level_results)
{
	char p[200], text[1024];
	struct result r;

	/* The suite timed out before any test: the suite is the result. */
	snprintf(p, sizeof(p), "%s/suite-timeout", self->dir);
	ASSERT_EQ(0, mkdir(p, 0755));
	snprintf(text, sizeof(text),
		 "{\"schema\":1,\"topology\":\"q35-acs\",\"kernel\":{\"name\":"
		 "\"debian-6.12\"},\"status\":\"timeout\",\"reproduce\":"
		 "\"make check\",\"suites\":[{\"name\":\"grouping\","
		 "\"result\":\"timeout\",\"reason\":\"guest watchdog fired\","
		 "\"diagnostics\":[],\"metrics\":[],\"tests\":[]}]}");
	strcat(p, "/report.json");
	ASSERT_EQ(0, put(p, text));
	compare2(&r, self->base, p);
	EXPECT_EQ(1, r.status) TH_LOG("%s%s", r.out, r.err);
	EXPECT_NE(NULL, strstr(r.out, "| q35-acs / debian-6.12 | grouping | "
				      "pass | **timeout** | guest watchdog "
				      "fired |"));
	EXPECT_NE(NULL, strstr(r.out, "No diagnostic output; see `"));
	EXPECT_NE(NULL, strstr(r.out, "### Tests gone (4)"));
	result_free(&r);
	ASSERT_EQ(0, leaks());
}

TEST_F(tmp, malformed_input)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{"{\"schema\":1,\n\"suites\":[\n    {\"name\":\"s\",,}]}",
		 "report.json:3:17: want a string as object key, found ','"},
		{"", "report.json:1:1: unexpected end of input"},
		{"[1]", "report.json:1:1: the document: want an object, found "
			"array"},
		{"{\"suites\":[]}", "report.json:1:1: no \"schema\": not a "
				    "report.json"},
		{"{\"schema\":2,\"suites\":[]}",
		 "report.json:1:11: schema 2 is not supported"},
		{"{\"schema\":1}", "report.json:1:1: suites is missing"},
		{"{\"schema\":1,\"suites\":[{\"name\":\"s\",\"result\":\"pass\","
		 "\"tests\":[{\"name\":\"t\",\"result\":7}]}]}",
		 "report.json:1:81: suites[0].tests[0].result: want a string, "
		 "found number"},
		{"{\"schema\":1,\"suites\":[{\"name\":\"s\",\"result\":\"pass\","
		 "\"metrics\":[{\"name\":\"m\",\"value\":\"1\"}]}]}",
		 "report.json:1:82: suites[0].metrics[0].value: want a number "
		 "or null, found string"},
		{"{\"schema\":1,\"kernel\":\"x\",\"suites\":[]}",
		 "report.json:1:22: kernel: want an object, found string"},
		{"{\"schema\":1,\"suites\":[{\"result\":\"pass\"}]}",
		 "report.json:1:23: suites[0].name is missing"},
	};
	char p[200];

	snprintf(p, sizeof(p), "%s/bad", self->dir);
	ASSERT_EQ(0, mkdir(p, 0755));
	strcat(p, "/report.json");
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char bad[200];
		struct result r;

		ASSERT_EQ(0, put(p, cases[i].text));
		compare2(&r, self->base, p);
		EXPECT_EQ(2, r.status) TH_LOG("case %zu", i);
		snprintf(bad, sizeof(bad), "%s/bad/", self->dir);
		EXPECT_NE(NULL, strstr(r.err, bad)) TH_LOG("%s", r.err);
		EXPECT_NE(NULL, strstr(r.err, cases[i].want))
		TH_LOG("case %zu: %s", i, r.err);
		EXPECT_STREQ("", r.out);
		result_free(&r);
		/* The same through the directory, on either side. */
		snprintf(bad, sizeof(bad), "%s/bad", self->dir);
		compare2(&r, bad, self->base);
		EXPECT_EQ(2, r.status);
		EXPECT_NE(NULL, strstr(r.err, cases[i].want));
		result_free(&r);
	}
	ASSERT_EQ(0, leaks());
}

TEST_F(tmp, usage_and_io_errors)
{
	char *none[] = {"iog-compare", NULL};
	char *three[] = {"iog-compare", "a", "b", "c", NULL};
	char *tol[] = {"iog-compare", "--tolerance", "-5", "a", "b", NULL};
	char *opt[] = {"iog-compare", "--frobnicate", "a", "b", NULL};
	char *help[] = {"iog-compare", "--help", NULL};
	char missing[200], empty[200];
	struct result r;

	run_compare(&r, 1, none);
	EXPECT_EQ(2, r.status);
	EXPECT_NE(NULL, strstr(r.err, "usage: iog-compare"));
	result_free(&r);
	run_compare(&r, 4, three);
	EXPECT_EQ(2, r.status);
	EXPECT_NE(NULL, strstr(r.err, "too many arguments"));
	result_free(&r);
	run_compare(&r, 5, tol);
	EXPECT_EQ(2, r.status);
	EXPECT_NE(NULL, strstr(r.err, "--tolerance '-5'"));
	result_free(&r);
	run_compare(&r, 4, opt);
	EXPECT_EQ(2, r.status);
	EXPECT_NE(NULL, strstr(r.err, "unknown option '--frobnicate'"));
	result_free(&r);
	run_compare(&r, 2, help);
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, "usage: iog-compare"));
	result_free(&r);
	snprintf(missing, sizeof(missing), "%s/nope", self->dir);
	compare2(&r, self->base, missing);
	EXPECT_EQ(2, r.status);
	EXPECT_NE(NULL, strstr(r.err, "nope: No such file or directory"));
	result_free(&r);
	snprintf(empty, sizeof(empty), "%s/empty", self->dir);
	ASSERT_EQ(0, mkdir(empty, 0755));
	compare2(&r, empty, self->base);
	EXPECT_EQ(2, r.status);
	EXPECT_NE(NULL, strstr(r.err, "empty: no report.json, and no run "
				      "directories in it"));
	result_free(&r);
	ASSERT_EQ(0, leaks());
}

/* Names with Markdown in them stay inside their table cell. */
TEST_F(tmp, markdown_escaping)
{
	struct run n = base_run;
	char b[200];
	struct result r;

	n.topology = "t|x*y_[z]";
	n.a = "fail";
	n.reproduce = "make `check` | tee";
	snprintf(b, sizeof(b), "%s/esc-base", self->dir);
	ASSERT_EQ(0, write_run(self->new, &n));
	n.a = "pass";
	ASSERT_EQ(0, write_run(b, &n));
	compare2(&r, b, self->new);
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.out, "| t\\|x\\*y\\_\\[z\\] / debian-6.12 |"));
	EXPECT_NE(NULL, strstr(r.out, "Reproduce: `` make `check` | tee ``"));
	result_free(&r);
	ASSERT_EQ(0, leaks());
}

TEST_HARNESS_MAIN
