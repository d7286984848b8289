// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the run report (harness/lib/report*.c): completion rules,
 * JSON escaping, the files written and the exit status.  Run from the
 * repository root: fixtures are read from tests/fixtures/ktap/.
 */
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "unit_util.h"
#include "ktap.h"
#include "report.h"

/* Leaks are checked inside each test: the harness child exits with _exit(). */
extern int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

static int leaks(void)
{
	return __lsan_do_recoverable_leak_check
		       ? __lsan_do_recoverable_leak_check()
		       : 0;
}

/* A tree completed against meta text; NULL on failure. */
static struct ktap_node *completed(const char *raw, const char *meta)
{
	struct report_meta m;
	struct ktap_node *root = ktap_parse(raw, strlen(raw));

	if (!root || report_meta_parse(meta, strlen(meta), &m)) {
		ktap_free(root);
		return NULL;
	}
	if (report_complete(root, &m)) {
		ktap_free(root);
		root = NULL;
	}
	report_meta_free(&m);
	return root;
}

/* report_run with its messages discarded: its result, -1 if it cannot run. */
static int report_quiet(const char *raw, const char *meta, const char *dir)
{
	char *out = NULL, *err = NULL;
	size_t outlen = 0, errlen = 0;
	FILE *fo = open_memstream(&out, &outlen),
	     *fe = open_memstream(&err, &errlen);
	int r = fo && fe ? report_run(raw, meta, dir, fo, fe) : -1;

	if (fo)
		fclose(fo);
	if (fe)
		fclose(fe);
	free(out);
	free(err);
	return r;
}

static char *json_of(const char *s, size_t n)
{
	struct report_buf b = {0};

	report_json_string_n(&b, s, n);
	return b.s;
}

FIXTURE(tmp)
{
	char dir[64];
};

FIXTURE_SETUP(tmp)
{
	strcpy(self->dir, "/tmp/iog-test-report.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
}

FIXTURE_TEARDOWN(tmp)
{
	unit_rm_tree(self->dir);
}

TEST(meta_parse)
{
	static const char text[] = "a=1\r\n# comment=x\n b = x=y \nnoeq\n=v\n"
				   "\n\na=2\nempty=";
	struct report_meta m;

	ASSERT_EQ(0, report_meta_parse(text, sizeof(text) - 1, &m));
	EXPECT_STREQ("2", report_meta_get(&m, "a"));
	EXPECT_STREQ(" x=y ", report_meta_get(&m, "b"));
	EXPECT_STREQ("", report_meta_get(&m, "empty"));
	EXPECT_NULL(report_meta_get(&m, "noeq"));
	EXPECT_NULL(report_meta_get(&m, "# comment"));
	EXPECT_NULL(report_meta_get(&m, ""));
	EXPECT_EQ(3, m.n);
	report_meta_free(&m);
	ASSERT_EQ(0, report_meta_parse(NULL, 5, &m));
	EXPECT_EQ(0, m.n);
	report_meta_free(&m);
	ASSERT_EQ(0, leaks());
}

TEST(timeout_mid_suite)
{
	const char *meta = "status=timeout\n"
			   "status_detail=guest watchdog fired after 120 s\n"
			   "suites=sysfs_layout groups teardown\n";
	struct report_counts c;
	struct ktap_node *root;
	const struct ktap_node *g;
	char *raw = NULL;
	size_t cap = 0;
	FILE *f;

	f = fopen("tests/fixtures/ktap/timeout-mid-suite.ktap", "r");
	ASSERT_NE(NULL, f);
	ASSERT_LT(0, getdelim(&raw, &cap, '\0', f));
	fclose(f);
	root = completed(raw, meta);
	free(raw);
	ASSERT_NE(NULL, root);
	ASSERT_EQ(3, root->nchildren);
	EXPECT_EQ(KTAP_PASS, root->children[0]->result);
	g = root->children[1];
	EXPECT_STREQ("groups", g->name);
	EXPECT_EQ(2, g->number);
	EXPECT_EQ(KTAP_TIMEOUT, g->result);
	EXPECT_STREQ("guest watchdog fired after 120 s", g->reason);
	/* Its finished test keeps its result. */
	ASSERT_EQ(1, g->nchildren);
	EXPECT_EQ(KTAP_PASS, g->children[0]->result);
	/* Never started: a timeout too. */
	g = root->children[2];
	EXPECT_STREQ("teardown", g->name);
	EXPECT_EQ(3, g->number);
	EXPECT_EQ(KTAP_TIMEOUT, g->result);
	EXPECT_STREQ("guest watchdog fired after 120 s", g->reason);
	report_count(root, &c);
	EXPECT_EQ(3, c.pass);
	EXPECT_EQ(2, c.timeout);
	EXPECT_EQ(0, c.fail + c.error + c.skip + c.xfail);
	EXPECT_FALSE(report_counts_pass(&c));
	ktap_free(root);
	ASSERT_EQ(0, leaks());
}

TEST(timeout_inside_test)
{
	/* The stream stops inside a nested test of an open suite. */
	struct ktap_node *root = completed(
		"KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: s\n"
		"    1..2\n    ok 1 a\n        KTAP version 1\n"
		"        # Subtest: b\n        1..3\n        ok 1 b1\n",
		"status=timeout\nstatus_detail=t\nsuites=s\n");
	const struct ktap_node *s, *b;
	struct report_counts c;

	ASSERT_NE(NULL, root);
	ASSERT_EQ(1, root->nchildren);
	s = root->children[0];
	EXPECT_EQ(KTAP_TIMEOUT, s->result);
	EXPECT_EQ(1, s->number);
	ASSERT_EQ(2, s->nchildren);
	b = s->children[1];
	EXPECT_STREQ("b", b->name);
	EXPECT_EQ(KTAP_TIMEOUT, b->result);
	EXPECT_EQ(2, b->number);
	EXPECT_STREQ("t", b->reason);
	report_count(root, &c);
	EXPECT_EQ(2, c.pass);
	EXPECT_EQ(1, c.timeout);
	ktap_free(root);
	ASSERT_EQ(0, leaks());
}

TEST(missing_suite)
{
	struct ktap_node *root;
	struct report_counts c;

	root = completed("KTAP version 1\n1..1\nok 1 a\n",
			 "status=completed\nsuites=a b\n");
	ASSERT_NE(NULL, root);
	ASSERT_EQ(2, root->nchildren);
	EXPECT_STREQ("b", root->children[1]->name);
	EXPECT_EQ(2, root->children[1]->number);
	EXPECT_EQ(KTAP_ERROR, root->children[1]->result);
	EXPECT_STREQ("the suite is missing from the output",
		     root->children[1]->reason);
	report_count(root, &c);
	EXPECT_EQ(1, c.pass);
	EXPECT_EQ(1, c.error);
	ktap_free(root);

	/* Another status: its detail is the reason. */
	root = completed("ok 1 a\n", "status=crashed\nstatus_detail=kernel "
				     "panic\nsuites=a b\n");
	ASSERT_NE(NULL, root);
	ASSERT_EQ(2, root->nchildren);
	EXPECT_EQ(KTAP_ERROR, root->children[1]->result);
	EXPECT_STREQ("kernel panic", root->children[1]->reason);
	ktap_free(root);

	/* The guest's own plan promises more suites than came. */
	root = completed("KTAP version 1\n1..3\nok 1 a\n",
			 "status=completed\nsuites=a b\n");
	ASSERT_NE(NULL, root);
	ASSERT_EQ(3, root->nchildren);
	EXPECT_STREQ("(missing suites)", root->children[2]->name);
	EXPECT_STREQ("the guest planned 3 suites, 1 reported",
		     root->children[2]->reason);
	EXPECT_EQ(KTAP_ERROR, root->children[2]->result);
	ktap_free(root);
	ASSERT_EQ(0, leaks());
}

TEST(plan_mismatch)
{
	struct ktap_node *root;
	struct report_counts c;

	root = completed("KTAP version 1\n1..1\n    KTAP version 1\n    1..3\n"
			 "    ok 1 x\n    ok 2 y\nok 1 s\n",
			 "status=completed\nsuites=s\n");
	ASSERT_NE(NULL, root);
	ASSERT_EQ(1, root->nchildren);
	EXPECT_EQ(KTAP_ERROR, root->children[0]->result);
	EXPECT_STREQ("plan mismatch: planned 3, got 2",
		     root->children[0]->reason);
	report_count(root, &c);
	EXPECT_EQ(2, c.pass);
	EXPECT_EQ(1, c.error);
	EXPECT_FALSE(report_counts_pass(&c));
	ktap_free(root);

	/* More results than planned is a mismatch too. */
	root = completed("    1..1\n    ok 1 x\n    ok 2 y\nnot ok 1 s\n",
			 "status=completed\n");
	ASSERT_NE(NULL, root);
	EXPECT_EQ(KTAP_ERROR, root->children[0]->result);
	EXPECT_STREQ("plan mismatch: planned 1, got 2",
		     root->children[0]->reason);
	ktap_free(root);

	/* "1..0 # SKIP" with no tests is fine. */
	root = completed("    1..0 # SKIP nothing to do\nok 1 s # SKIP\n",
			 "status=completed\nsuites=s\n");
	ASSERT_NE(NULL, root);
	EXPECT_EQ(KTAP_SKIP, root->children[0]->result);
	report_count(root, &c);
	EXPECT_EQ(1, c.skip);
	EXPECT_TRUE(report_counts_pass(&c));
	ktap_free(root);
	ASSERT_EQ(0, leaks());
}

/* Two writers on one channel: repeated numbers, more suites than planned. */
TEST(interleaved_stream)
{
	struct ktap_node *root;
	struct report_counts c;

	root = completed("KTAP version 1\nKTAP version 1\n1..2\n1..2\n"
			 "    1..1\n    ok 1 a.x\nok 1 a\n"
			 "    1..1\n    ok 1 b.x\nok 1 b\n"
			 "ok 2 a\nok 2 b\n# iog: done\n",
			 "status=completed\nsuites=a b\n");
	ASSERT_NE(NULL, root);
	ASSERT_EQ(5, root->nchildren);
	EXPECT_EQ(KTAP_PASS, root->children[0]->result);
	EXPECT_EQ(KTAP_ERROR, root->children[1]->result);
	EXPECT_STREQ("out of sequence: numbered 1, expected 2",
		     root->children[1]->reason);
	EXPECT_EQ(KTAP_ERROR, root->children[3]->result);
	EXPECT_STREQ("(unplanned suites)", root->children[4]->name);
	EXPECT_STREQ("the guest planned 2 suites, 4 reported",
		     root->children[4]->reason);
	report_count(root, &c);
	EXPECT_FALSE(report_counts_pass(&c));
	ktap_free(root);

	/* Nested results out of order fail their suite. */
	root = completed("    1..2\n    ok 2 y\n    ok 1 x\nok 1 s\n",
			 "status=completed\nsuites=s\n");
	ASSERT_NE(NULL, root);
	EXPECT_EQ(KTAP_ERROR, root->children[0]->children[0]->result);
	EXPECT_EQ(KTAP_FAIL, root->children[0]->result);
	report_count(root, &c);
	EXPECT_FALSE(report_counts_pass(&c));
	ktap_free(root);
	ASSERT_EQ(0, leaks());
}

TEST(ok_suite_with_failing_child)
{
	struct ktap_node *root;
	struct report_counts c;

	root = completed("    1..2\n    ok 1 x\n    not ok 2 y\nok 1 s\n"
			 "    1..1\n    not ok 1 z # TIMEOUT slow\n"
			 "ok 2 t # SKIP\n",
			 "status=completed\nsuites=s t\n");
	ASSERT_NE(NULL, root);
	ASSERT_EQ(2, root->nchildren);
	EXPECT_EQ(KTAP_FAIL, root->children[0]->result);
	EXPECT_STREQ("reported ok, but 1 of its 2 tests did not pass",
		     root->children[0]->reason);
	EXPECT_EQ(KTAP_FAIL, root->children[1]->result);
	/* The suites' own results do not count twice. */
	report_count(root, &c);
	EXPECT_EQ(1, c.pass);
	EXPECT_EQ(1, c.fail);
	EXPECT_EQ(1, c.timeout);
	EXPECT_EQ(0, c.error);
	ktap_free(root);

	/* A test without a result line under a closed suite. */
	root = completed("    KTAP version 1\n        ok 1 deep\nok 1 s\n",
			 "status=completed\n");
	ASSERT_NE(NULL, root);
	ASSERT_EQ(1, root->children[0]->nchildren);
	EXPECT_EQ(KTAP_ERROR, root->children[0]->children[0]->result);
	EXPECT_STREQ("no result line in the output",
		     root->children[0]->children[0]->reason);
	EXPECT_EQ(KTAP_FAIL, root->children[0]->result);
	ktap_free(root);
	ASSERT_EQ(0, leaks());
}

TEST(run_level_failures)
{
	struct ktap_node *root;
	const struct ktap_node *r;

	/* Everything finished, then the guest crashed. */
	root = completed("ok 1 a\n", "status=crashed\nstatus_detail=kernel "
				     "panic\nsuites=a\n");
	ASSERT_NE(NULL, root);
	ASSERT_EQ(2, root->nchildren);
	r = root->children[1];
	EXPECT_STREQ("run", r->name);
	EXPECT_EQ(KTAP_ERROR, r->result);
	EXPECT_STREQ("kernel panic", r->reason);
	ktap_free(root);

	/* Nothing at all, though the run says it completed. */
	root = completed("", "status=completed\n");
	ASSERT_NE(NULL, root);
	ASSERT_EQ(1, root->nchildren);
	EXPECT_EQ(KTAP_ERROR, root->children[0]->result);
	EXPECT_STREQ("no test results in the guest output",
		     root->children[0]->reason);
	ktap_free(root);

	/* No meta at all: an error, with a generic reason. */
	root = completed("", "");
	ASSERT_NE(NULL, root);
	ASSERT_EQ(1, root->nchildren);
	EXPECT_STREQ("the run failed", root->children[0]->reason);
	ktap_free(root);

	/* An unnamed open suite takes the first expected name. */
	root = completed("    ok 1 x\n",
			 "status=timeout\nsuites=first second\n");
	ASSERT_NE(NULL, root);
	ASSERT_EQ(2, root->nchildren);
	EXPECT_STREQ("first", root->children[0]->name);
	EXPECT_EQ(KTAP_TIMEOUT, root->children[0]->result);
	EXPECT_STREQ("the guest timed out", root->children[0]->reason);
	EXPECT_STREQ("second", root->children[1]->name);
	EXPECT_EQ(KTAP_TIMEOUT, root->children[1]->result);
	ktap_free(root);
	ASSERT_EQ(0, leaks());
}

TEST(json_escaping)
{
	static const char in[] = "a\"b\\c\n\x01\x1f\x7f/"
				 "\x80"
				 "\xc0\x80"
				 "\xed\xa0\x80"
				 "\xe2\x82"
				 "\xc3\xa9"
				 "\xf0\x9f\x98\x80"
				 "\xf4\x90\x80\x80"
				 "\xe2\x82\xac"
				 "\xf0\x9f";
	char *s = json_of(in, sizeof(in) - 1);

	ASSERT_NE(NULL, s);
	EXPECT_STREQ("\"a\\\"b\\\\c\\u000a\\u0001\\u001f\\u007f/"
		     "\\ufffd"
		     "\\ufffd\\ufffd"
		     "\\ufffd\\ufffd\\ufffd"
		     "\\ufffd\\ufffd"
		     "\xc3\xa9"
		     "\xf0\x9f\x98\x80"
		     "\\ufffd\\ufffd\\ufffd\\ufffd"
		     "\xe2\x82\xac"
		     "\\ufffd\\ufffd\"",
		     s);
	free(s);
	s = json_of("a\0b", 3);
	EXPECT_STREQ("\"a\\u0000b\"", s);
	free(s);
	s = json_of(NULL, 0);
	EXPECT_STREQ("null", s);
	free(s);
	s = json_of("", 0);
	EXPECT_STREQ("\"\"", s);
	free(s);
	ASSERT_EQ(0, leaks());
}

TEST(json_document)
{
	static const char raw[] =
		"# iog: kernel_release 6.1\n    1..2\n"
		"    # metric: lat 2 us\n    # why \"quoted\"\n"
		"    not ok 1 x # oops\n"
		"        ok 1 y # SKIP r\n"
		"    ok 2 n\nnot ok 1 s\n";
	struct ktap_node *root;
	struct report_buf b = {0};
	struct report_meta m;
	const char *meta = "topology=t\x01\nstatus=completed\nelapsed_s=1.5\n"
			   "suites=s\n";

	root = ktap_parse(raw, sizeof(raw) - 1);
	ASSERT_NE(NULL, root);
	ASSERT_EQ(0, report_meta_parse(meta, strlen(meta), &m));
	ASSERT_EQ(0, report_complete(root, &m));
	ASSERT_EQ(0, report_json(&b, root, &m));
	EXPECT_NE(NULL, strstr(b.s, "\"topology\":\"t\\u0001\""));
	EXPECT_NE(NULL, strstr(b.s, "\"release\":\"6.1\""));
	EXPECT_NE(NULL, strstr(b.s, "\"config_hash\":null"));
	EXPECT_NE(NULL, strstr(b.s, "\"elapsed_s\":1.5,"));
	EXPECT_NE(NULL, strstr(b.s, "\"verdict\":\"fail\""));
	EXPECT_NE(NULL, strstr(b.s, "\"summary\":{\"pass\":0,\"fail\":1,"
				    "\"skip\":1,\"xfail\":0,\"timeout\":0,"
				    "\"error\":0}"));
	EXPECT_NE(NULL,
		  strstr(b.s,
			 "{\"name\":\"x\",\"result\":\"fail\",\"reason\":"
			 "\"oops\",\"diagnostics\":[\"why \\\"quoted\\\"\"],"
			 "\"metrics\":[{\"name\":\"lat\",\"value\":2,"
			 "\"unit\":\"us\"}]}"));
	/* Deeper tests are listed by path within their suite. */
	EXPECT_NE(NULL, strstr(b.s, "{\"name\":\"n/y\",\"result\":\"skip\","
				    "\"reason\":\"r\""));
	EXPECT_NE(NULL, strstr(b.s, "\"name\":\"s\",\"result\":\"fail\""));
	report_buf_free(&b);
	report_meta_free(&m);
	ktap_free(root);
	ASSERT_EQ(0, leaks());
}

TEST_F(tmp, exit_status_and_files)
{
	const char *meta = "topology=q35-acs\n"
			   "kernel=debian-6.12\n"
			   "kernel_release=6.12.117+deb12-amd64\n"
			   "status=completed\n"
			   "reproduce=make check TOPOLOGY=q35-acs\n"
			   "suites=s\n";
	char *out = NULL, *err = NULL, *s, want[512], path[128];
	size_t outlen = 0, errlen = 0;
	FILE *fo, *fe;
	int r;

	ASSERT_EQ(0, unit_write(self->dir, "meta.txt", meta));
	snprintf(path, sizeof(path), "%s/meta.txt", self->dir);

	/* All fine: exit 0. */
	ASSERT_EQ(0, unit_write(self->dir, "raw",
				"KTAP version 1\n1..1\n    1..2\n    ok 1 a\n"
				"    ok 2 b # SKIP no slot\nok 1 s\n"));
	fo = open_memstream(&out, &outlen);
	fe = open_memstream(&err, &errlen);
	ASSERT_NE(NULL, fo);
	ASSERT_NE(NULL, fe);
	{
		char raw[128];

		snprintf(raw, sizeof(raw), "%s/raw", self->dir);
		r = report_run(raw, path, self->dir, fo, fe);
	}
	fclose(fo);
	fclose(fe);
	EXPECT_EQ(0, r);
	snprintf(want, sizeof(want),
		 "q35-acs on 6.12.117+deb12-amd64: PASS (1 passed, 0 failed, "
		 "1 skipped) -> %s/report.md\n",
		 self->dir);
	EXPECT_STREQ(want, out);
	EXPECT_STREQ("", err);
	free(out);
	free(err);
	s = unit_read(self->dir, "report.json");
	ASSERT_NE(NULL, s);
	EXPECT_NE(NULL, strstr(s, "\"verdict\":\"pass\""));
	EXPECT_EQ(0, strncmp(s, "{\"schema\":1,", 12));
	free(s);
	s = unit_read(self->dir, "report.ktap");
	ASSERT_NE(NULL, s);
	EXPECT_EQ(0, strncmp(s, "KTAP version 1\n1..1\n", 20));
	free(s);
	s = unit_read(self->dir, "report.md");
	ASSERT_NE(NULL, s);
	EXPECT_EQ(0,
		  strncmp(s, "# q35-acs on 6.12.117+deb12-amd64: PASS\n", 40));
	EXPECT_NE(NULL, strstr(s, "## Skipped\n\n- s: b: no slot\n"));
	EXPECT_EQ(NULL, strstr(s, "## Failures"));
	free(s);
	s = unit_read(self->dir, ".report.md.tmp");
	EXPECT_EQ(NULL, s);

	/* A failure: exit 1, and the report leads with it. */
	ASSERT_EQ(0, unit_write(self->dir, "raw",
				"    1..2\n    # s.c:9:y:Expected 1 == 2\n"
				"    not ok 1 y\n    ok 2 z # XFAIL known\n"
				"not ok 1 s\n"));
	fo = open_memstream(&out, &outlen);
	fe = open_memstream(&err, &errlen);
	ASSERT_NE(NULL, fo);
	ASSERT_NE(NULL, fe);
	{
		char raw[128];

		snprintf(raw, sizeof(raw), "%s/raw", self->dir);
		r = report_run(raw, path, self->dir, fo, fe);
	}
	fclose(fo);
	fclose(fe);
	EXPECT_EQ(1, r);
	/* The failure and its evidence go to the terminal too. */
	EXPECT_STREQ("fail: s: y\n    # s.c:9:y:Expected 1 == 2\n", err);
	free(err);
	snprintf(want, sizeof(want),
		 "q35-acs on 6.12.117+deb12-amd64: FAIL (0 passed, 1 failed, "
		 "0 skipped, 1 expected failure) -> %s/report.md\n",
		 self->dir);
	EXPECT_STREQ(want, out);
	free(out);
	s = unit_read(self->dir, "report.md");
	ASSERT_NE(NULL, s);
	EXPECT_NE(NULL,
		  strstr(s, "## Failures\n\n### s: y (fail)\n\n```\n"
			    "# s.c:9:y:Expected 1 == 2\n```\n\n"
			    "Reproduce: `make check TOPOLOGY=q35-acs`\n"));
	EXPECT_NE(NULL, strstr(s, "| s | fail | 1 | 1 | 0 |"));
	EXPECT_NE(NULL, strstr(s, "## Expected failures\n\n- s: z: known\n"));
	EXPECT_NE(NULL, strstr(s, "- Status: completed\n"));
	free(s);
	ASSERT_EQ(0, leaks());
}

/*
 * An interrupted run (Ctrl-C): what it cut short is not run, never an
 * error; the verdict is INTERRUPTED, not a pass; a listed deviation of a
 * suite that did not finish is not "not seen".
 */
TEST_F(tmp, interrupted_run)
{
	const char *meta = "topology=q35-acs\n"
			   "kernel=debian-6.12\n"
			   "kernel_release=6.12.117+deb12-amd64\n"
			   "status=interrupted\n"
			   "status_detail=interrupted by signal INT\n"
			   "suites=a b c\n";
	char *out = NULL, *err = NULL, *s, raw[128], path[128], dev[128];
	size_t outlen = 0, errlen = 0;
	FILE *fo, *fe;
	int r;

	ASSERT_EQ(0, unit_write(self->dir, "meta.txt", meta));
	ASSERT_EQ(0, unit_write(self->dir, "dev",
				"6.12.* | q35-acs | c/x | r | e\n"
				"6.12.* | q35-acs | b/y | r | e\n"));
	ASSERT_EQ(0, unit_write(self->dir, "raw",
				"KTAP version 1\n1..3\n    1..1\n    ok 1 t\n"
				"ok 1 a\n    1..2\n    ok 1 u\n"));
	snprintf(path, sizeof(path), "%s/meta.txt", self->dir);
	snprintf(raw, sizeof(raw), "%s/raw", self->dir);
	snprintf(dev, sizeof(dev), "%s/dev", self->dir);
	fo = open_memstream(&out, &outlen);
	fe = open_memstream(&err, &errlen);
	ASSERT_NE(NULL, fo);
	ASSERT_NE(NULL, fe);
	r = report_run_with(raw, path, dev, self->dir, fo, fe);
	fclose(fo);
	fclose(fe);
	EXPECT_EQ(1, r);
	EXPECT_NE(NULL, strstr(out, ": INTERRUPTED (2 passed, 0 failed, "));
	EXPECT_EQ(NULL, strstr(out, "error"));
	free(out);
	free(err);
	s = unit_read(self->dir, "report.json");
	ASSERT_NE(NULL, s);
	EXPECT_NE(NULL, strstr(s, "\"verdict\":\"fail\""));
	EXPECT_NE(NULL, strstr(s, "\"error\":0}"));
	free(s);
	s = unit_read(self->dir, "report.ktap");
	ASSERT_NE(NULL, s);
	EXPECT_NE(NULL,
		  strstr(s, "\nok 2 b # SKIP interrupted by signal INT\n"));
	EXPECT_NE(NULL,
		  strstr(s, "\nok 3 c # SKIP interrupted by signal INT\n"));
	EXPECT_EQ(NULL, strstr(s, "not seen"));
	EXPECT_EQ(NULL, strstr(s, "ERROR"));
	free(s);
	s = unit_read(self->dir, "report.md");
	ASSERT_NE(NULL, s);
	EXPECT_EQ(0,
		  strncmp(s, "# q35-acs on 6.12.117+deb12-amd64: INTERRUPTED\n",
			  47));
	EXPECT_NE(
		NULL,
		strstr(s,
		       "- Status: interrupted (interrupted by signal INT)\n"));
	free(s);
	ASSERT_EQ(0, leaks());
}

/* Where the time went: host phases from meta.txt, the guest's from facts. */
TEST_F(tmp, timing_breakdown)
{
	const char *meta = "topology=t\nstatus=completed\nsuites=a b\n"
			   "time_prepare_s=4.50\ntime_qemu_s=20.00\n";
	char raw[128], path[128], *s;

	ASSERT_EQ(0, unit_write(self->dir, "meta.txt", meta));
	ASSERT_EQ(
		0,
		unit_write(self->dir, "raw",
			   "KTAP version 1\n# iog: time.boot_to_init_s 5.25\n"
			   "# iog: time.init_to_suites_s 1.75\n1..2\n"
			   "    1..1\n    ok 1 t\n# iog: time.suite.a_s 3.00\n"
			   "ok 1 a\n    1..1\n    ok 1 u\n"
			   "# iog: time.suite.b|x_s 9\n"
			   "# iog: time.suite.b_s 6.00\nok 2 b\n"));
	snprintf(path, sizeof(path), "%s/meta.txt", self->dir);
	snprintf(raw, sizeof(raw), "%s/raw", self->dir);
	EXPECT_EQ(0, report_quiet(raw, path, self->dir));
	s = unit_read(self->dir, "report.json");
	ASSERT_NE(NULL, s);
	EXPECT_NE(NULL,
		  strstr(s, "\"timing\":{\"prepare_s\":4.50,\"qemu_s\":20.00,"
			    "\"boot_to_init_s\":5.25,\"init_to_suites_s\":1.75,"
			    "\"suites_wall_s\":null,"
			    "\"suites\":{\"a\":3.00,\"b\":6.00}},\n"));
	free(s);
	s = unit_read(self->dir, "report.md");
	ASSERT_NE(NULL, s);
	EXPECT_NE(
		NULL,
		strstr(s,
		       "## Time\n\n| phase | seconds |\n| --- | ---: |\n"
		       "| host: test module, ABI documentation, image | 4.50 |\n"
		       "| guest: kernel boot to /init | 5.25 |\n"
		       "| guest: /init until the suites (modules) | 1.75 |\n"
		       "| suite a | 3.00 |\n| suite b | 6.00 |\n"
		       "| QEMU: the rest (start, power-off, exit) | 4.00 |\n"));
	/* A name that would break the table is left out. */
	EXPECT_EQ(NULL, strstr(s, "b|x"));
	free(s);

	/*
	 * b beside a (run-suites.sh IOG_SUITES_BESIDE): marked, and QEMU's
	 * rest counts the suites' span, not their sum.
	 */
	ASSERT_EQ(
		0,
		unit_write(self->dir, "raw",
			   "KTAP version 1\n# iog: time.boot_to_init_s 5.25\n"
			   "# iog: time.init_to_suites_s 1.75\n1..2\n"
			   "# iog: beside b (devices 0000:01:00.0)\n"
			   "    1..1\n    ok 1 t\n# iog: time.suite.a_s 3.00\n"
			   "ok 1 a\n    1..1\n    ok 1 u\n"
			   "# iog: time.suite.b_s 6.00\nok 2 b\n"
			   "# iog: time.suites_s 6.50\n"));
	EXPECT_EQ(0, report_quiet(raw, path, self->dir));
	s = unit_read(self->dir, "report.json");
	ASSERT_NE(NULL, s);
	EXPECT_NE(NULL, strstr(s, "\"suites_wall_s\":6.50,"));
	free(s);
	s = unit_read(self->dir, "report.md");
	ASSERT_NE(NULL, s);
	EXPECT_NE(
		NULL,
		strstr(s,
		       "| suite a | 3.00 |\n"
		       "| suite b (beside the others) | 6.00 |\n"
		       "| guest: all suites, first start to last end | "
		       "6.50 |\n"
		       "| QEMU: the rest (start, power-off, exit) | 6.50 |\n"));
	free(s);
	ASSERT_EQ(0, leaks());
}

/* report.md: failing suites lead the table; a cut run shows its console. */
TEST_F(tmp, markdown_failures_first_console_tail)
{
	char meta[512], raw[128], path[128], con[8192], *s, *a, *b;
	FILE *fo, *fe;
	size_t n = 0;
	int r;

	/* 200 console lines with CRLF: the last 30 are shown, without CR. */
	for (int i = 1; i <= 200; i++)
		n += (size_t)snprintf(con + n, sizeof(con) - n,
				      "[ %d.0] line %d\r\n", i, i);
	ASSERT_EQ(0, unit_write(self->dir, "console.log", con));
	snprintf(meta, sizeof(meta),
		 "topology=t\nstatus=timeout\nstatus_detail=guest did not "
		 "finish within 9s\nconsole=%s/console.log\nsuites=a b c\n",
		 self->dir);
	ASSERT_EQ(0, unit_write(self->dir, "meta.txt", meta));
	ASSERT_EQ(0, unit_write(self->dir, "raw",
				"KTAP version 1\n1..3\n    1..1\n    ok 1 x\n"
				"ok 1 a\n    1..1\n    # why: it broke\n"
				"    not ok 1 y\nnot ok 2 b\n    1..2\n"
				"    ok 1 z\n"));
	snprintf(raw, sizeof(raw), "%s/raw", self->dir);
	snprintf(path, sizeof(path), "%s/meta.txt", self->dir);
	fo = fopen("/dev/null", "w");
	fe = fopen("/dev/null", "w");
	ASSERT_NE(NULL, fo);
	ASSERT_NE(NULL, fe);
	r = report_run(raw, path, self->dir, fo, fe);
	fclose(fo);
	fclose(fe);
	EXPECT_EQ(1, r);
	s = unit_read(self->dir, "report.md");
	ASSERT_NE(NULL, s);
	/* Table: b (fail) and c (timeout) before a (pass). */
	a = strstr(s, "\n| a | pass |");
	b = strstr(s, "\n| b | fail |");
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	EXPECT_LT(b, a);
	EXPECT_LT(strstr(s, "\n| c | timeout |"), a);
	/* The failure with its evidence and the command, then the console. */
	EXPECT_NE(NULL, strstr(s, "### b: y (fail)\n\n```\n# why: it broke\n"));
	EXPECT_NE(NULL, strstr(s, "## Console, last lines\n"));
	EXPECT_NE(NULL, strstr(s, "\n[ 171.0] line 171\n[ 172.0]"));
	EXPECT_EQ(NULL, strstr(s, "line 170\n"));
	EXPECT_NE(NULL, strstr(s, "line 200\n```\n"));
	EXPECT_EQ(NULL, strchr(s, '\r'));
	free(s);

	/* A completed run shows no console. */
	ASSERT_EQ(0, unit_write(self->dir, "meta.txt", "status=completed\n"));
	fo = fopen("/dev/null", "w");
	fe = fopen("/dev/null", "w");
	r = report_run(raw, path, self->dir, fo, fe);
	fclose(fo);
	fclose(fe);
	EXPECT_EQ(1, r);
	s = unit_read(self->dir, "report.md");
	ASSERT_NE(NULL, s);
	EXPECT_EQ(NULL, strstr(s, "## Console"));
	free(s);
	ASSERT_EQ(0, leaks());
}

TEST_F(tmp, io_errors)
{
	char *err = NULL, raw[128], meta[128], out[128], want[512];
	size_t errlen = 0;
	FILE *fe;
	int r;

	snprintf(raw, sizeof(raw), "%s/raw", self->dir);
	snprintf(meta, sizeof(meta), "%s/meta.txt", self->dir);
	snprintf(out, sizeof(out), "%s/missing", self->dir);

	/* No raw stream. */
	fe = open_memstream(&err, &errlen);
	ASSERT_NE(NULL, fe);
	r = report_run(raw, meta, self->dir, stdout, fe);
	fclose(fe);
	EXPECT_EQ(2, r);
	snprintf(want, sizeof(want),
		 "iog-report: %s: No such file or directory\n", raw);
	EXPECT_STREQ(want, err);
	free(err);

	/* No meta. */
	ASSERT_EQ(0, unit_write(self->dir, "raw", "ok 1 a\n"));
	fe = open_memstream(&err, &errlen);
	ASSERT_NE(NULL, fe);
	r = report_run(raw, meta, self->dir, stdout, fe);
	fclose(fe);
	EXPECT_EQ(2, r);
	snprintf(want, sizeof(want),
		 "iog-report: %s: No such file or directory\n", meta);
	EXPECT_STREQ(want, err);
	free(err);

	/* An output directory that is not there. */
	ASSERT_EQ(0, unit_write(self->dir, "meta.txt", "status=completed\n"));
	fe = open_memstream(&err, &errlen);
	ASSERT_NE(NULL, fe);
	r = report_run(raw, meta, out, stdout, fe);
	fclose(fe);
	EXPECT_EQ(2, r);
	snprintf(want, sizeof(want),
		 "iog-report: %s/report.ktap: No such file or directory\n",
		 out);
	EXPECT_STREQ(want, err);
	free(err);
	ASSERT_EQ(0, leaks());
}

TEST(write_atomic_replaces)
{
	char dir[] = "/tmp/iog-test-atomic.XXXXXX", err[256], *s;

	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, report_write_atomic(dir, "f", "one", 3, err, sizeof(err)));
	ASSERT_EQ(0, report_write_atomic(dir, "f", "two", 3, err, sizeof(err)));
	s = unit_read(dir, "f");
	EXPECT_STREQ("two", s);
	free(s);
	EXPECT_EQ(NULL, unit_read(dir, ".f.tmp"));
	unit_rm_tree(dir);
	ASSERT_EQ(0, leaks());
}

/* Completion and output must hold up on any tree and any meta. */
TEST(random_inputs)
{
	static const char *const pieces[] = {
		"ok ",
		"not ok ",
		"1 ",
		"name",
		" # SKIP ",
		" # TIMEOUT ",
		"1..",
		"2",
		"\n",
		"    ",
		"# Subtest: s\n",
		"# ",
		"\xff",
		"x",
		"KTAP version 1\n",
	};
	static const char *const metas[] = {
		"",
		"status=completed\n",
		"status=timeout\nsuites=a b s\n",
		"status=crashed\nstatus_detail=\x01\xff\nsuites=name\n",
	};
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	char buf[400];

	for (int iter = 0; iter < 1500; iter++) {
		struct report_buf j = {0}, md = {0};
		struct report_counts c;
		struct ktap_node *root;
		struct report_meta m;
		const char *meta = metas[iter % 4];
		size_t n = 0;

		while (n < sizeof(buf) - 32) {
			const char *pc;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			if (!(x % 41))
				break;
			pc = pieces[(x >> 8) %
				    (sizeof(pieces) / sizeof(*pieces))];
			memcpy(buf + n, pc, strlen(pc));
			n += strlen(pc);
		}
		root = ktap_parse(buf, n);
		ASSERT_NE(NULL, root);
		ASSERT_EQ(0, report_meta_parse(meta, strlen(meta), &m));
		ASSERT_EQ(0, report_complete(root, &m));
		/* Completion leaves no test without a result. */
		report_count(root, &c);
		ASSERT_LT(0, c.pass + c.fail + c.skip + c.xfail + c.timeout +
				     c.error);
		ASSERT_EQ(0, report_json(&j, root, &m));
		ASSERT_EQ(0, report_markdown(&md, root, &m));
		/* A run that did not complete never passes. */
		if (strncmp(meta, "status=completed", 16))
			ASSERT_FALSE(report_counts_pass(&c));
		report_buf_free(&j);
		report_buf_free(&md);
		report_meta_free(&m);
		ktap_free(root);
	}
	ASSERT_EQ(0, leaks());
}

TEST_HARNESS_MAIN
