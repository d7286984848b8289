// SPDX-License-Identifier: GPL-2.0-only
/* The known-deviations list: parsing errors name file:line; a listed
 * failure becomes XFAIL only on the kernel and topology it names. */
#include "kselftest_harness.h"

#include <string.h>

#include "deviations.h"
#include "ktap.h"
#include "report.h"

static const char stream[] = "KTAP version 1\n"
			     "1..1\n"
			     "    KTAP version 1\n"
			     "    1..2\n"
			     "    ok 1 global.a\n"
			     "    # evidence line\n"
			     "    not ok 2 global.b\n"
			     "not ok 1 grouping\n";

static const char list[] =
	"# comment\n"
	"\n"
	"6.12.* | q35-virtio* | grouping/global.b | devices get no group | observed-q35.md\n";

static int parse_list(const char *text, struct deviation_list *l, char *err)
{
	return deviations_parse("kd", text, strlen(text), l, err, 256);
}

TEST(malformed_lines_name_file_and_line)
{
	struct deviation_list l;
	char err[256];

	ASSERT_EQ(-1,
		  parse_list("# x\n6.12.* | t | grouping/x | r\n", &l, err));
	ASSERT_NE(NULL, strstr(err, "kd:2:"));
	ASSERT_EQ(-1, parse_list("a | b | notest | r | e\n", &l, err));
	ASSERT_NE(NULL, strstr(err, "kd:1:"));
	ASSERT_EQ(-1, parse_list("a | | s/t | r | e\n", &l, err));
	ASSERT_NE(NULL, strstr(err, "field 2 is empty"));
	ASSERT_EQ(-1, parse_list("a | b | s/t | r | e | f\n", &l, err));
	ASSERT_EQ(0, parse_list(list, &l, err));
	ASSERT_EQ(1, l.n);
	ASSERT_EQ(3, l.v[0].line);
	ASSERT_STREQ("grouping/global.b", l.v[0].test);
	deviations_free(&l);
}

static struct ktap_node *apply(const char *release, const char *topology,
			       int *applied)
{
	struct deviation_list l;
	struct ktap_node *root = ktap_parse(stream, strlen(stream));
	char err[256];

	if (!root || parse_list(list, &l, err))
		return NULL;
	*applied = deviations_apply(root, &l, release, topology);
	deviations_free(&l);
	return root;
}

TEST(listed_failure_becomes_xfail)
{
	struct report_counts c;
	int applied;
	struct ktap_node *root =
		apply("6.12.117+deb12-amd64", "q35-virtio", &applied);

	ASSERT_NE(NULL, root);
	ASSERT_EQ(1, applied);
	ASSERT_EQ(KTAP_XFAIL, root->children[0]->children[1]->result);
	ASSERT_NE(NULL, strstr(root->children[0]->children[1]->reason,
			       "devices get no group"));
	ASSERT_EQ(KTAP_XFAIL, root->children[0]->result);
	report_count(root, &c);
	ASSERT_TRUE(report_counts_pass(&c));
	ktap_free(root);
}

TEST(other_kernel_or_topology_still_fails)
{
	struct report_counts c;
	int applied;
	struct ktap_node *root =
		apply("6.1.0-56-amd64", "q35-virtio", &applied);

	ASSERT_NE(NULL, root);
	ASSERT_EQ(0, applied);
	report_count(root, &c);
	ASSERT_FALSE(report_counts_pass(&c));
	ktap_free(root);
	root = apply("6.12.117+deb12-amd64", "q35-acs", &applied);
	ASSERT_NE(NULL, root);
	ASSERT_EQ(0, applied);
	ASSERT_EQ(KTAP_FAIL, root->children[0]->children[1]->result);
	ktap_free(root);
}

TEST(deviation_not_seen_is_reported)
{
	static const char passing[] = "KTAP version 1\n1..1\n"
				      "    KTAP version 1\n    1..1\n"
				      "    ok 1 global.b\nok 1 grouping\n";
	struct deviation_list l;
	struct ktap_node *root = ktap_parse(passing, strlen(passing));
	char err[256];
	bool found = false;

	ASSERT_NE(NULL, root);
	ASSERT_EQ(0, parse_list(list, &l, err));
	ASSERT_EQ(0, deviations_apply(root, &l, "6.12.1", "q35-virtio"));
	for (size_t i = 0; i < root->children[0]->ndiags; i++)
		if (strstr(root->children[0]->diags[i],
			   "known deviation not seen (kd:3)"))
			found = true;
	ASSERT_TRUE(found);
	ASSERT_EQ(KTAP_PASS, root->children[0]->children[0]->result);
	deviations_free(&l);
	ktap_free(root);
}

TEST_HARNESS_MAIN
