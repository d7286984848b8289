// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the KTAP reader and writer (harness/lib/ktap.c).  Run
 * from the repository root: fixtures are read from tests/fixtures/ktap/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "ktap.h"

/* Leaks are checked inside each test: the harness child exits with _exit(). */
extern int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

static int leaks(void)
{
	return __lsan_do_recoverable_leak_check
		       ? __lsan_do_recoverable_leak_check()
		       : 0;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) >= 0 &&
	    !fseek(f, 0, SEEK_SET)) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		if (buf) {
			buf[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

/*
 * parse(write(t)) equals t, and writing that again gives the same bytes.
 * Returns 0 or the step that failed.
 */
static int round_trip(const struct ktap_node *t)
{
	struct ktap_node *again;
	size_t l1, l2;
	char *w1, *w2;
	int r = 0;

	w1 = ktap_write(t, &l1);
	if (!w1)
		return 1;
	again = ktap_parse(w1, l1);
	if (!again) {
		free(w1);
		return 2;
	}
	if (!ktap_equal(t, again))
		r = 3;
	w2 = ktap_write(again, &l2);
	if (!r && (!w2 || l1 != l2 || memcmp(w1, w2, l1)))
		r = 4;
	free(w1);
	free(w2);
	ktap_free(again);
	return r;
}

static struct ktap_node *parse_str(const char *s)
{
	return ktap_parse(s, strlen(s));
}

TEST(kselftest_nested)
{
	const struct ktap_node *s, *t;
	struct ktap_node *root;
	size_t len;
	char *buf;

	buf = slurp("tests/fixtures/ktap/kselftest-nested.ktap", &len);
	ASSERT_NE(NULL, buf);
	root = ktap_parse(buf, len);
	free(buf);
	ASSERT_NE(NULL, root);
	EXPECT_EQ(3, root->plan);
	EXPECT_EQ(0, root->ndiags);
	ASSERT_EQ(2, root->nfacts);
	EXPECT_STREQ("6.12.117+deb12-amd64", ktap_fact(root, "kernel_release"));
	EXPECT_STREQ("q35-acs", ktap_fact(root, "topology"));
	EXPECT_NULL(ktap_fact(root, "nope"));
	ASSERT_EQ(3, root->nchildren);

	s = root->children[0];
	EXPECT_STREQ("sysfs_layout", s->name);
	EXPECT_EQ(1, s->number);
	EXPECT_EQ(KTAP_FAIL, s->result);
	EXPECT_EQ(4, s->plan);
	EXPECT_TRUE(s->nested);
	ASSERT_EQ(2, s->ndiags);
	EXPECT_STREQ("FAILED: 2 / 4 tests passed.", s->diags[0]);
	ASSERT_EQ(4, s->nchildren);

	t = s->children[0];
	EXPECT_STREQ("global.decimal_ids", t->name);
	EXPECT_EQ(KTAP_FAIL, t->result);
	EXPECT_FALSE(t->nested);
	EXPECT_EQ(-1, t->plan);
	/* kselftest's lines before the result line are the evidence. */
	ASSERT_EQ(5, t->ndiags);
	EXPECT_STREQ("Starting 4 tests from 1 test cases.", t->diags[0]);
	EXPECT_STREQ(" RUN           global.decimal_ids ...", t->diags[1]);
	EXPECT_STREQ("sysfs_layout.c:40:decimal_ids:Expected 0 (0) == "
		     "id_canonical (1)",
		     t->diags[2]);
	EXPECT_STREQ("         FAIL  global.decimal_ids", t->diags[4]);

	t = s->children[1];
	EXPECT_EQ(2, t->number);
	EXPECT_EQ(KTAP_SKIP, t->result);
	EXPECT_STREQ("no type file", t->reason);
	ASSERT_EQ(3, t->ndiags);
	EXPECT_STREQ("     SKIP      no type file", t->diags[1]);

	t = s->children[2];
	EXPECT_EQ(KTAP_PASS, t->result);
	EXPECT_EQ(2, t->ndiags);
	ASSERT_EQ(2, t->nmetrics);
	EXPECT_STREQ("groups", t->metrics[0].name);
	EXPECT_EQ(14, t->metrics[0].value);
	EXPECT_STREQ("count", t->metrics[0].unit);
	EXPECT_STREQ("scan_time", t->metrics[1].name);
	EXPECT_EQ(1.25, t->metrics[1].value);
	EXPECT_STREQ("ms", t->metrics[1].unit);

	t = s->children[3];
	EXPECT_EQ(KTAP_XFAIL, t->result);
	EXPECT_STREQ("known quirk", t->reason);

	s = root->children[1];
	EXPECT_STREQ("groups", s->name);
	EXPECT_EQ(KTAP_PASS, s->result);
	EXPECT_EQ(2, s->nchildren);
	ASSERT_EQ(1, s->ndiags);
	EXPECT_STREQ("PASSED: 2 / 2 tests passed.", s->diags[0]);

	s = root->children[2];
	EXPECT_STREQ("teardown", s->name);
	EXPECT_EQ(3, s->number);
	EXPECT_EQ(KTAP_SKIP, s->result);
	EXPECT_STREQ("no hotplug slot", s->reason);
	EXPECT_FALSE(s->nested);
	EXPECT_EQ(0, s->nchildren);

	EXPECT_EQ(0, round_trip(root));
	ktap_free(root);
	ASSERT_EQ(0, leaks());
}

TEST(crlf_and_nul_are_ignored)
{
	struct ktap_node *plain, *crlf;
	size_t len, n = 0;
	char *buf, *dos;

	buf = slurp("tests/fixtures/ktap/kselftest-nested.ktap", &len);
	ASSERT_NE(NULL, buf);
	dos = malloc(len * 3 + 1);
	ASSERT_NE(NULL, dos);
	for (size_t i = 0; i < len; i++) {
		/* Serial noise: a NUL at each line start, CR before LF. */
		if (i == 0 || buf[i - 1] == '\n')
			dos[n++] = '\0';
		if (buf[i] == '\n')
			dos[n++] = '\r';
		dos[n++] = buf[i];
	}
	plain = ktap_parse(buf, len);
	crlf = ktap_parse(dos, n);
	ASSERT_NE(NULL, plain);
	ASSERT_NE(NULL, crlf);
	EXPECT_TRUE(ktap_equal(plain, crlf));
	ktap_free(plain);
	ktap_free(crlf);
	free(buf);
	free(dos);
	ASSERT_EQ(0, leaks());
}

TEST(truncated_stream)
{
	const struct ktap_node *s;
	struct ktap_node *root;
	size_t len;
	char *buf;

	buf = slurp("tests/fixtures/ktap/timeout-mid-suite.ktap", &len);
	ASSERT_NE(NULL, buf);
	root = ktap_parse(buf, len);
	ASSERT_NE(NULL, root);
	ASSERT_EQ(2, root->nchildren);
	EXPECT_EQ(KTAP_PASS, root->children[0]->result);
	s = root->children[1];
	/* The open suite is kept, named by its Subtest line. */
	EXPECT_EQ(KTAP_NONE, s->result);
	EXPECT_STREQ("groups", s->name);
	EXPECT_EQ(0, s->number);
	EXPECT_EQ(3, s->plan);
	ASSERT_EQ(1, s->nchildren);
	ASSERT_EQ(1, s->ndiags);
	EXPECT_STREQ(" RUN           global.nogroup ...", s->diags[0]);
	EXPECT_EQ(0, round_trip(root));
	ktap_free(root);

	/* Every prefix of a stream parses and survives a round trip. */
	free(buf);
	buf = slurp("tests/fixtures/ktap/kselftest-nested.ktap", &len);
	ASSERT_NE(NULL, buf);
	for (size_t cut = 0; cut <= len; cut++) {
		root = ktap_parse(buf, cut);
		ASSERT_NE(NULL, root);
		ASSERT_EQ(0, round_trip(root)) TH_LOG("prefix %zu", cut);
		ktap_free(root);
	}
	free(buf);
	ASSERT_EQ(0, leaks());
}

TEST(directives)
{
	static const struct {
		const char *line;
		enum ktap_result res;
		int number;
		const char *name, *reason;
	} cases[] = {
		{"ok 1 a", KTAP_PASS, 1, "a", ""},
		{"not ok 2 b", KTAP_FAIL, 2, "b", ""},
		{"ok 3 c # SKIP why not", KTAP_SKIP, 3, "c", "why not"},
		{"ok 3 c # skip", KTAP_SKIP, 3, "c", ""},
		{"not ok 3 c # SKIP r", KTAP_SKIP, 3, "c", "r"},
		{"not ok 4 d # TIMEOUT 30 s", KTAP_TIMEOUT, 4, "d", "30 s"},
		{"ok 4 d # timeout", KTAP_TIMEOUT, 4, "d", ""},
		{"not ok 5 e # error: boom", KTAP_ERROR, 5, "e", "boom"},
		/* ksft_test_result_error() prints no name. */
		{"not ok 6 # error spawn", KTAP_ERROR, 6, "", "spawn"},
		{"ok 7 f # TODO later", KTAP_XFAIL, 7, "f", "later"},
		{"ok 8 g # XFAIL known", KTAP_XFAIL, 8, "g", "known"},
		{"ok 9 h # XPASS wow", KTAP_PASS, 9, "h", "XPASS wow"},
		{"not ok 10 i #  message", KTAP_FAIL, 10, "i", "message"},
		{"ok 11 - j", KTAP_PASS, 11, "j", ""},
		{"ok k", KTAP_PASS, 0, "k", ""},
		{"ok 12", KTAP_PASS, 12, "", ""},
		{"ok", KTAP_PASS, 0, "", ""},
		{"ok 99999999999 big", KTAP_PASS, 0, "99999999999 big", ""},
		{"ok 13 a # b # SKIP c", KTAP_PASS, 13, "a", "b # SKIP c"},
		{"not ok 14 x # Skip Mixed Case", KTAP_SKIP, 14, "x",
		 "Mixed Case"},
		{"ok 15 name with spaces\t# SKIP r", KTAP_SKIP, 15,
		 "name with spaces", "r"},
		{"ok 16 #SKIP tight", KTAP_SKIP, 16, "", "tight"},
		{"ok 17 # SKIPPED x", KTAP_PASS, 17, "", "SKIPPED x"},
		{"not   ok   18   spaced  ", KTAP_FAIL, 18, "spaced", ""},
	};
	char buf[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ktap_node *root;
		const struct ktap_node *n;

		snprintf(buf, sizeof(buf), "KTAP version 1\n1..1\n%s\n",
			 cases[i].line);
		root = parse_str(buf);
		ASSERT_NE(NULL, root);
		ASSERT_EQ(1, root->nchildren) TH_LOG("%s", cases[i].line);
		n = root->children[0];
		EXPECT_EQ(cases[i].res, n->result) TH_LOG("%s", cases[i].line);
		EXPECT_EQ(cases[i].number, n->number)
		TH_LOG("%s", cases[i].line);
		EXPECT_STREQ(cases[i].name, n->name);
		EXPECT_STREQ(cases[i].reason, n->reason);
		EXPECT_EQ(0, round_trip(root)) TH_LOG("%s", cases[i].line);
		ktap_free(root);
	}
	ASSERT_EQ(0, leaks());
}

TEST(not_results)
{
	static const char *const lines[] = {
		"okay 1", "not okay",	  "ok1",
		"nok 1",  "Bail out! no", "1..",
		"1..x",	  "1..2 extra",	  "[   12.345] kernel: ok 1 fake",
	};

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct ktap_node *root = parse_str(lines[i]);

		ASSERT_NE(NULL, root);
		EXPECT_EQ(0, root->nchildren) TH_LOG("%s", lines[i]);
		EXPECT_EQ(-1, root->plan);
		ASSERT_EQ(1, root->ndiags);
		EXPECT_STREQ(lines[i], root->diags[0]);
		ktap_free(root);
	}
	ASSERT_EQ(0, leaks());
}

TEST(garbage_lines)
{
	static const char in[] = "\x1b[0m\xff\xfe garbage\r\n"
				 "KTAP version 1\n"
				 "1..1\n"
				 "[    1.000000] random kernel line\n"
				 "    KTAP version 1\n"
				 "    1..2\n"
				 "  ok 1 two-space indent counts as level 0\n"
				 "    ok 1 a\n"
				 "\t\t\n"
				 "      odd indent diag\n"
				 "    # metric: bad x us\n"
				 "    # metric: inf inf u\n"
				 "    # metric: nounit 3\n"
				 "    ok 2 b\n"
				 "ok 1 s\n";
	struct ktap_node *root = ktap_parse(in, sizeof(in) - 1);
	const struct ktap_node *s, *b;

	ASSERT_NE(NULL, root);
	ASSERT_EQ(2, root->nchildren);
	/* The level-0 result line in the middle took the open block. */
	s = root->children[0];
	EXPECT_STREQ("two-space indent counts as level 0", s->name);
	EXPECT_EQ(2, s->plan);
	EXPECT_EQ(0, s->nchildren);
	ASSERT_EQ(2, s->ndiags);
	EXPECT_STREQ("\x1b[0m\xff\xfe garbage", s->diags[0]);
	EXPECT_STREQ("[    1.000000] random kernel line", s->diags[1]);
	s = root->children[1];
	EXPECT_STREQ("s", s->name);
	EXPECT_EQ(-1, s->plan);
	ASSERT_EQ(2, s->nchildren);
	b = s->children[1];
	EXPECT_STREQ("b", b->name);
	ASSERT_EQ(3, b->ndiags);
	EXPECT_STREQ("odd indent diag", b->diags[0]);
	EXPECT_STREQ("metric: bad x us", b->diags[1]);
	EXPECT_STREQ("metric: inf inf u", b->diags[2]);
	ASSERT_EQ(1, b->nmetrics);
	EXPECT_STREQ("nounit", b->metrics[0].name);
	EXPECT_EQ(3, b->metrics[0].value);
	EXPECT_STREQ("", b->metrics[0].unit);
	EXPECT_EQ(0, round_trip(root));
	ktap_free(root);
	ASSERT_EQ(0, leaks());
}

TEST(stray_top_level_lines)
{
	struct ktap_node *root =
		parse_str("KTAP version 1\n1..1\nok 1 a\n# after\n"
			  "# iog: k v w\n# iog:\nkernel panic\n");

	ASSERT_NE(NULL, root);
	ASSERT_EQ(1, root->nchildren);
	ASSERT_EQ(3, root->ndiags);
	EXPECT_STREQ("after", root->diags[0]);
	EXPECT_STREQ("iog:", root->diags[1]);
	EXPECT_STREQ("kernel panic", root->diags[2]);
	EXPECT_STREQ("v w", ktap_fact(root, "k"));
	EXPECT_EQ(0, round_trip(root));
	ktap_free(root);
	ASSERT_EQ(0, leaks());
}

TEST(overlong_lines)
{
	size_t n = 3 * KTAP_LINE_MAX;
	char *buf = malloc(2 * n + 64), *p;
	struct ktap_node *root;

	ASSERT_NE(NULL, buf);
	p = buf + sprintf(buf, "ok 1 ");
	memset(p, 'a', n);
	p += n;
	p += sprintf(p, " # SKIP r\n# ");
	memset(p, 'b', n);
	p += n;
	*p++ = '\n';
	root = ktap_parse(buf, (size_t)(p - buf));
	ASSERT_NE(NULL, root);
	ASSERT_EQ(1, root->nchildren);
	/* The directive was past the cut: the name is what fits. */
	EXPECT_EQ(KTAP_PASS, root->children[0]->result);
	EXPECT_EQ(KTAP_FIELD_MAX, strlen(root->children[0]->name));
	ASSERT_EQ(1, root->ndiags);
	EXPECT_EQ(KTAP_FIELD_MAX, strlen(root->diags[0]));
	EXPECT_EQ(0, round_trip(root));
	ktap_free(root);
	free(buf);
	ASSERT_EQ(0, leaks());
}

TEST(deep_nesting)
{
	char *buf = malloc(200 * 220), *p;
	struct ktap_node *root;
	const struct ktap_node *n;
	int depth = 0;

	ASSERT_NE(NULL, buf);
	p = buf;
	for (int level = 40; level >= 0; level--) {
		memset(p, ' ', (size_t)level * 4);
		p += level * 4;
		p += sprintf(p, "ok 1 l%d\n", level);
	}
	root = ktap_parse(buf, (size_t)(p - buf));
	ASSERT_NE(NULL, root);
	for (n = root; n->nchildren; n = n->children[0])
		depth++;
	EXPECT_EQ(KTAP_DEPTH_MAX + 1, depth);
	EXPECT_EQ(0, round_trip(root));
	ktap_free(root);
	free(buf);
	ASSERT_EQ(0, leaks());
}

/* Random streams from KTAP-ish pieces; xorshift keeps it repeatable. */
TEST(round_trip_random)
{
	static const char *const pieces[] = {
		"ok ",
		"not ok ",
		"1",
		"27 ",
		"name",
		" # SKIP ",
		" # TODO ",
		" # xfail: ",
		"# ",
		"#",
		"1..",
		"3",
		"\n",
		"\r\n",
		"    ",
		"        ",
		" ",
		"\t",
		"KTAP version 1\n",
		"TAP version 13\n",
		"# Subtest: ",
		"# metric: m 1.5 us\n",
		"# metric: x y\n",
		"# iog: key value\n",
		"Subtest:",
		"- ",
		"\xff\xfe",
		"\0",
		"ok 1 - x # timeout t\n",
		"#",
		" # ",
		"error",
		"skip",
	};
	uint64_t x = 88172645463325252ULL;
	char buf[512];

	for (int iter = 0; iter < 4000; iter++) {
		struct ktap_node *root;
		size_t n = 0;
		int r;

		while (n < sizeof(buf) - 64) {
			const char *pc;
			size_t l;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			if (!(x % 61))
				break;
			pc = pieces[(x >> 8) %
				    (sizeof(pieces) / sizeof(*pieces))];
			l = pc[0] ? strlen(pc) : 1;
			memcpy(buf + n, pc, l);
			n += l;
		}
		root = ktap_parse(buf, n);
		ASSERT_NE(NULL, root);
		r = round_trip(root);
		if (r) {
			char *w = ktap_write(root, NULL);

			TH_LOG("iteration %d step %d, input:\n%.*s\nwritten:\n%s",
			       iter, r, (int)n, buf, w);
			free(w);
		}
		ASSERT_EQ(0, r);
		ktap_free(root);
	}
	ASSERT_EQ(0, leaks());
}

TEST(writer_output)
{
	struct ktap_node *root = ktap_node_new(NULL), *s, *t;
	char *w;

	ASSERT_NE(NULL, root);
	root->plan = 2;
	ASSERT_EQ(0, ktap_add_fact(root, "kernel_release", "6.1.0"));
	s = ktap_node_new("suite");
	ASSERT_NE(NULL, s);
	s->number = 1;
	s->result = KTAP_FAIL;
	s->plan = 2;
	ASSERT_EQ(0, ktap_add_child(root, s));
	t = ktap_node_new("- a");
	ASSERT_NE(NULL, t);
	t->number = 1;
	t->result = KTAP_PASS;
	ASSERT_EQ(0, ktap_add_metric(t, "lat", 0.1, "us"));
	ASSERT_EQ(0, ktap_add_child(s, t));
	t = ktap_node_new("b#c");
	ASSERT_NE(NULL, t);
	t->number = 2;
	t->result = KTAP_TIMEOUT;
	ASSERT_EQ(0, ktap_set_reason(t, "  after\n30 s "));
	ASSERT_EQ(0, ktap_add_diag(t, "  line one"));
	ASSERT_EQ(0, ktap_add_child(s, t));
	t = ktap_node_new("x");
	ASSERT_NE(NULL, t);
	t->number = 2;
	t->result = KTAP_SKIP;
	ASSERT_EQ(0, ktap_set_name(t, "skipped"));
	ASSERT_EQ(0, ktap_add_child(root, t));

	w = ktap_write(root, NULL);
	ASSERT_NE(NULL, w);
	EXPECT_STREQ("KTAP version 1\n"
		     "1..2\n"
		     "# iog: kernel_release 6.1.0\n"
		     "    KTAP version 1\n"
		     "    # Subtest: suite\n"
		     "    1..2\n"
		     "    # metric: lat 0.1 us\n"
		     "    ok 1 a\n"
		     "    #   line one\n"
		     "    not ok 2 b # TIMEOUT after 30 s\n"
		     "not ok 1 suite\n"
		     "ok 2 skipped # SKIP\n",
		     w);
	free(w);
	EXPECT_EQ(0, round_trip(root));
	EXPECT_STREQ("timeout", ktap_result_name(KTAP_TIMEOUT));
	EXPECT_STREQ("none", ktap_result_name(KTAP_NONE));
	EXPECT_TRUE(ktap_result_ok(KTAP_XFAIL));
	EXPECT_FALSE(ktap_result_ok(KTAP_NONE));
	ktap_free(root);
	ASSERT_EQ(0, leaks());
}

TEST(empty_and_null_input)
{
	struct ktap_node *root = ktap_parse(NULL, 10);
	char *w;

	ASSERT_NE(NULL, root);
	EXPECT_EQ(0, root->nchildren);
	EXPECT_EQ(-1, root->plan);
	w = ktap_write(root, NULL);
	ASSERT_NE(NULL, w);
	EXPECT_STREQ("KTAP version 1\n", w);
	free(w);
	ktap_free(root);
	ktap_free(NULL);
	ASSERT_EQ(0, leaks());
}

TEST_HARNESS_MAIN
