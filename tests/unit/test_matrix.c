// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for iog-matrix (harness/lib/matrix.c): matrix directories
 * written into a temporary directory, and the cells of matrix.md and
 * matrix.html checked.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "unit_util.h"
#include "matrix.h"

/* Leaks are checked inside each test: the harness child exits with _exit(). */
extern int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

static int leaks(void)
{
	return __lsan_do_recoverable_leak_check
		       ? __lsan_do_recoverable_leak_check()
		       : 0;
}

static bool has(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return !access(path, F_OK);
}

static const char pass_suites[] =
	"{\"name\":\"grouping\",\"result\":\"pass\",\"reason\":\"\","
	"\"diagnostics\":[],\"metrics\":[{\"name\":\"elapsed_s\",\"value\":"
	"2.5,\"unit\":\"s\"}],\"tests\":["
	"{\"name\":\"global.a\",\"result\":\"pass\",\"reason\":\"\"},"
	"{\"name\":\"global.b\",\"result\":\"skip\",\"reason\":\"no nogroup "
	"devices\"}]},"
	"{\"name\":\"sysfs_layout\",\"result\":\"pass\",\"reason\":\"\","
	"\"tests\":[{\"name\":\"global.c\",\"result\":\"pass\",\"reason\":"
	"\"\",\"metrics\":[{\"name\":\"ratio_map\",\"value\":0.5,\"unit\":"
	"\"\"}]}]}";

static const char fail_suites[] =
	"{\"name\":\"grouping\",\"result\":\"fail\",\"reason\":\"\","
	"\"tests\":["
	"{\"name\":\"global.a\",\"result\":\"fail\",\"reason\":\"3 groups "
	"differ\"},"
	"{\"name\":\"global.b\",\"result\":\"pass\",\"reason\":\"\"}]}";

static const char skip_suites[] =
	"{\"name\":\"grouping\",\"result\":\"skip\",\"reason\":\"6.1.0-9 is "
	"built without CONFIG_VIRTIO_IOMMU\",\"tests\":[]},"
	"{\"name\":\"sysfs_layout\",\"result\":\"skip\",\"reason\":\"6.1.0-9 "
	"is built without CONFIG_VIRTIO_IOMMU\",\"tests\":[]}";

/* DIR/runs/NAME/report.json */
static int run(const char *dir, const char *name, const char *topo,
	       const char *kernel, const char *status, const char *suites)
{
	char path[512], text[4096];

	snprintf(path, sizeof(path), "%s/runs/%s", dir, name);
	if (mkdir(path, 0755))
		return -1;
	snprintf(
		text, sizeof(text),
		"{\"schema\":1,\"topology\":\"%s\",\"kernel\":{\"name\":\"%s\","
		"\"release\":\"%s-rel\"},\"status\":\"%s\",\"status_detail\":"
		"\"%s\",\"started\":\"2026-01-01T00:00:00Z\",\"elapsed_s\":8.5,"
		"\"suites\":[%s]}",
		topo, kernel, kernel, status,
		strcmp(status, "completed") ? "guest watchdog fired" : "",
		suites);
	return unit_write(path, "report.json", text);
}

static int matrix(const char *dir, char **out, char **err)
{
	char *argv[] = {"iog-matrix", (char *)dir, NULL};
	size_t no, ne;
	FILE *o = open_memstream(out, &no), *e = open_memstream(err, &ne);
	int r = matrix_main(2, argv, o, e);

	fclose(o);
	fclose(e);
	return r;
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (const char *p = s ? strstr(s, what) : NULL; p;
	     p = strstr(p + 1, what))
		n++;
	return n;
}

FIXTURE(mx)
{
	char dir[64];
};

FIXTURE_SETUP(mx)
{
	char p[128];

	strcpy(self->dir, "/tmp/iog-test-matrix.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(p, sizeof(p), "%s/runs", self->dir);
	ASSERT_EQ(0, mkdir(p, 0755));
}

FIXTURE_TEARDOWN(mx)
{
	unit_rm_tree(self->dir);
}

/* What harness/matrix.sh leaves: every kind of cell. */
TEST_F(mx, every_cell_filled)
{
	char *out = NULL, *err = NULL, *md, *html, jobs[2048];
	char logs[128];

	ASSERT_EQ(0, run(self->dir, "acs-612", "q35-acs", "debian-6.12",
			 "completed", pass_suites));
	ASSERT_EQ(0, run(self->dir, "acs-61", "q35-acs", "debian-6.1",
			 "completed", fail_suites));
	ASSERT_EQ(0, run(self->dir, "virtio-61", "q35-virtio", "debian-6.1",
			 "completed", skip_suites));
	/* A run directory without report.json, and a job without one. */
	snprintf(logs, sizeof(logs), "%s/runs/virtio-612", self->dir);
	ASSERT_EQ(0, mkdir(logs, 0755));
	ASSERT_EQ(0,
		  unit_write(logs, "meta.txt",
			     "topology=q35-virtio\nkernel=debian-6.12\n"
			     "status=crashed\nstatus_detail=kernel panic\n"));
	snprintf(jobs, sizeof(jobs),
		 "# topology\tkernel\texit\trun\tlog\treason\n"
		 "q35-acs\tdebian-6.1\t1\truns/acs-61\tlogs/a.log\t\n"
		 "q35-acs\tdebian-6.12\t0\t%s/runs/acs-612\tlogs/b.log\t\n"
		 "q35-virtio\tdebian-6.1\t0\truns/virtio-61\tlogs/c.log\t\n"
		 "q35-virtio\tdebian-6.12\t1\truns/virtio-612\tlogs/d.log\t\n"
		 "q35-noacs\tdebian-6.1\t1\t\tlogs/e.log\tcheck.sh: apt-get "
		 "download linux-image-6.1 failed\n"
		 "q35-noacs\tdebian-6.12\t1\t\tlogs/f.log\t\n",
		 self->dir);
	ASSERT_EQ(0, unit_write(self->dir, "jobs.tsv", jobs));
	ASSERT_EQ(0, unit_write(self->dir, "matrix.txt",
				"started=2026-01-01T00:00:00Z\nelapsed_s=99.5\n"
				"jobs=2\nnproc=2\n"));
	EXPECT_EQ(1, matrix(self->dir, &out, &err)) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(out, "matrix: 6 runs, 1 passed, 4 failed, 1 "
				    "skipped"));
	EXPECT_STREQ("", err);
	md = unit_read(self->dir, "matrix.md");
	html = unit_read(self->dir, "matrix.html");
	ASSERT_NE(NULL, md);
	ASSERT_NE(NULL, html);
	/* Columns in job order, with the release that ran. */
	EXPECT_NE(NULL, strstr(md, "| Topology | Suite | debian-6.1 "
				   "(debian-6.1-rel) | debian-6.12 "
				   "(debian-6.12-rel) |\n"));
	/* Passed, with counts, per-run and per-suite time, and a link. */
	EXPECT_NE(NULL, strstr(md, "| **q35-acs** | *run* | "));
	EXPECT_NE(NULL, strstr(md, "\xe2\x9c\x85 **PASS** 2 pass, 1 skip "
				   "\xc2\xb7 8.5 s \xc2\xb7 "
				   "[report](runs/acs-612/report.md) |\n"));
	EXPECT_NE(NULL, strstr(md, "| | grouping | \xe2\x9d\x8c **FAIL** 1 "
				   "fail, 1 pass \xe2\x80\x94 global.a: 3 "
				   "groups differ | \xe2\x9c\x85 **PASS** 1 "
				   "pass, 1 skip \xc2\xb7 2.5 s |\n"));
	/* A suite one run lacks is a SKIP that says so. */
	EXPECT_NE(NULL, strstr(md, "| | sysfs\\_layout | \xe2\x8f\xad\xef\xb8"
				   "\x8f **SKIP**: not run: not in this run's "
				   "report |"));
	/* Skipped entirely: SKIP with the reason. */
	EXPECT_NE(NULL, strstr(md, "**SKIP** 2 skip \xe2\x80\x94 "
				   "6.1.0-9 is built without "
				   "CONFIG\\_VIRTIO\\_IOMMU"));
	/* No report: FAIL with the reason, wherever it is known. */
	EXPECT_NE(NULL, strstr(md, "**FAIL**: no report.json (iog-report "
				   "did not finish; run crashed: kernel "
				   "panic) \xc2\xb7 [run directory]"
				   "(runs/virtio-612) \xc2\xb7 "
				   "[log](logs/d.log) |"));
	EXPECT_NE(NULL, strstr(md, "**FAIL**: check.sh: apt-get download "
				   "linux-image-6.1 failed \xc2\xb7 "
				   "[log](logs/e.log) |"));
	EXPECT_NE(NULL, strstr(md, "**FAIL**: check.sh exited with status 1 "
				   "and made no run directory"));
	/* The suites of a topology with a failed run are still rows. */
	EXPECT_NE(NULL, strstr(md, "| | grouping | \xe2\x8f\xad\xef\xb8\x8f "
				   "**SKIP** 1 skip \xe2\x80\x94 "
				   "6.1.0-9 is built without CONFIG\\_VIRTIO"
				   "\\_IOMMU | \xe2\x9d\x8c **FAIL**: no "
				   "report (see the run row) |"));
	/* Every (run, suite) cell of the HTML has a verdict class. */
	EXPECT_EQ(7, count(html, "<td class=\"fail\">"));
	EXPECT_EQ(3, count(html, "<td class=\"pass\">"));
	EXPECT_EQ(4, count(html, "<td class=\"skip\">"));
	EXPECT_EQ(0, count(html, "<td class=\"xfail\">"));
	EXPECT_EQ(7, count(html, "<td class=\"suite\">"));
	EXPECT_EQ(0, count(html, "<td></td>"));
	EXPECT_NE(NULL, strstr(html, "<th class=\"topo\" rowspan=\"3\">"
				     "q35-acs</th>"));
	EXPECT_NE(NULL, strstr(html, "<a href=\"runs/acs-612/report.md\">"));
	EXPECT_NE(NULL, strstr(html, "td.fail{background:"));
	EXPECT_NULL(strstr(html, "<script"));
	EXPECT_NE(NULL, strstr(html, "<li>Wall time: 99.5 s</li>"));
	/* The ratio hook: data and script, and a note without gnuplot. */
	EXPECT_TRUE(has(self->dir, "ratios.tsv"));
	EXPECT_TRUE(has(self->dir, "ratios.gp"));
	EXPECT_NE(NULL, strstr(md, "gnuplot-nox"));
	free(md);
	md = unit_read(self->dir, "ratios.tsv");
	EXPECT_STREQ("q35-acs/debian-6.12 sysfs_layout:global.c ratio_map\t"
		     "0.5\n",
		     md);
	free(md);
	md = unit_read(self->dir, "ratios.gp");
	EXPECT_NE(NULL, strstr(md, "set output \"ratios.png\""));
	EXPECT_NE(NULL, strstr(md, "set output \"ratios.svg\""));
	free(md);
	free(html);
	free(out);
	free(err);
	/* A plot that exists is embedded; a failed one is pointed at. */
	ASSERT_EQ(0, unit_write(self->dir, "ratios.png", "\x89PNG"));
	EXPECT_EQ(1, matrix(self->dir, &out, &err));
	html = unit_read(self->dir, "matrix.html");
	md = unit_read(self->dir, "matrix.md");
	EXPECT_NE(NULL, strstr(html, "src=\"data:image/png;base64,iVBORw==\""));
	EXPECT_NE(NULL, strstr(md, "![ratio measurements](ratios.png)"));
	free(html);
	free(md);
	free(out);
	free(err);
	ASSERT_EQ(0, unlink(strcat(strcpy(logs, self->dir), "/ratios.png")));
	ASSERT_EQ(0,
		  unit_write(self->dir, "gnuplot.log", "line 12: unknown\n"));
	EXPECT_EQ(1, matrix(self->dir, &out, &err));
	md = unit_read(self->dir, "matrix.md");
	EXPECT_NE(NULL, strstr(md, "gnuplot failed to plot them"));
	free(md);
	free(out);
	free(err);
	ASSERT_EQ(0, leaks());
}

TEST_F(mx, all_pass_scan)
{
	char *out = NULL, *err = NULL, *md;

	/* No jobs.tsv: the runs found are the jobs. */
	ASSERT_EQ(0, run(self->dir, "r1", "q35-acs", "debian-6.12", "completed",
			 pass_suites));
	ASSERT_EQ(0, run(self->dir, "r2", "q35-acs", "debian-6.1", "completed",
			 pass_suites));
	ASSERT_EQ(0, unit_write(self->dir, "ratios.svg", "stale"));
	EXPECT_EQ(0, matrix(self->dir, &out, &err)) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(out, "matrix: 2 runs, 2 passed, 0 failed"));
	md = unit_read(self->dir, "matrix.md");
	ASSERT_NE(NULL, md);
	EXPECT_NE(NULL, strstr(md, ": PASS\n"));
	EXPECT_EQ(6, count(md, "**PASS**"));
	free(md);
	free(out);
	free(err);
	ASSERT_EQ(0, leaks());
}

TEST_F(mx, broken_report_and_no_ratios)
{
	char *out = NULL, *err = NULL, *md, p[128];

	ASSERT_EQ(0, run(self->dir, "good", "q35-acs", "debian-6.12", "timeout",
			 fail_suites));
	snprintf(p, sizeof(p), "%s/runs/bad", self->dir);
	ASSERT_EQ(0, mkdir(p, 0755));
	ASSERT_EQ(0, unit_write(p, "report.json",
				"{\"schema\":1,\n  \"suites\":[1]}"));
	ASSERT_EQ(0, unit_write(self->dir, "ratios.gp", "stale"));
	ASSERT_EQ(0, unit_write(self->dir, "jobs.tsv",
				"q35-acs\tdebian-6.12\t1\truns/good\t\t\n"
				"q35-acs\tdebian-6.1\t1\truns/bad\t\t\n"));
	EXPECT_EQ(1, matrix(self->dir, &out, &err)) TH_LOG("%s", err);
	md = unit_read(self->dir, "matrix.md");
	ASSERT_NE(NULL, md);
	EXPECT_NE(NULL, strstr(md, "**FAIL**: report.json unreadable: "));
	EXPECT_NE(NULL, strstr(md, "runs/bad/report.json:2:13: suites\\[0\\]: "
				   "want an object, found number"));
	/* A run that did not complete is a failure, with its status. */
	EXPECT_NE(NULL, strstr(md, "**FAIL** (timeout) 1 fail, 1 pass "
				   "\xe2\x80\x94 guest watchdog fired"));
	EXPECT_NE(NULL, strstr(md, "No ratio measurements"));
	EXPECT_FALSE(has(self->dir, "ratios.gp"));
	free(md);
	free(out);
	free(err);
	ASSERT_EQ(0, leaks());
}

TEST_F(mx, escaping)
{
	char *out = NULL, *err = NULL, *html, *md;

	ASSERT_EQ(0, run(self->dir, "x", "<b>&\\\"q|", "debian-6.12",
			 "completed", pass_suites));
	EXPECT_EQ(0, matrix(self->dir, &out, &err)) TH_LOG("%s", err);
	html = unit_read(self->dir, "matrix.html");
	md = unit_read(self->dir, "matrix.md");
	ASSERT_NE(NULL, html);
	EXPECT_NE(NULL, strstr(html, "&lt;b&gt;&amp;&quot;q|"));
	EXPECT_NULL(strstr(html, "<b>&"));
	EXPECT_NE(NULL, strstr(md, "\\<b\\>&\"q\\|"));
	free(html);
	free(md);
	free(out);
	free(err);
	ASSERT_EQ(0, leaks());
}

TEST(usage_and_errors)
{
	char *argv0[] = {"iog-matrix", NULL};
	char *argv1[] = {"iog-matrix", "/nonexistent/matrix", NULL};
	char *argv2[] = {"iog-matrix", "a", "b", NULL};
	char *out = NULL, *err = NULL;
	size_t no, ne;
	FILE *o, *e;

	o = open_memstream(&out, &no);
	e = open_memstream(&err, &ne);
	EXPECT_EQ(2, matrix_main(1, argv0, o, e));
	EXPECT_EQ(2, matrix_main(2, argv1, o, e));
	EXPECT_EQ(2, matrix_main(3, argv2, o, e));
	fclose(o);
	fclose(e);
	EXPECT_NE(NULL, strstr(err, "usage: iog-matrix"));
	EXPECT_NE(NULL, strstr(err, "/nonexistent/matrix: No such file"));
	EXPECT_NE(NULL, strstr(err, "unexpected argument 'b'"));
	free(out);
	free(err);
	ASSERT_EQ(0, leaks());
}

TEST_HARNESS_MAIN
