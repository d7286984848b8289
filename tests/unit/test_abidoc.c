// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of harness/lib/abidoc.c, the Documentation/ABI reader.  Run
 * from the repository root: the tree fixtures are tests/fixtures/abi/tree
 * (a made-up subsystem written in the files' format).
 */
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "abidoc.h"
#include "sysfs_tree.h"
#include "unit_util.h"

#define TREE "tests/fixtures/abi/tree"

static int parse(struct abidoc *d, const char *text, char *err)
{
	memset(d, 0, sizeof(*d));
	return abidoc_parse(d, "doc", text, strlen(text), err, ABIDOC_ERR_LEN);
}

TEST(tree_loads_in_name_order)
{
	struct abidoc d = {0};
	char err[ABIDOC_ERR_LEN] = "";

	ASSERT_EQ(0, abidoc_load_dir(&d, TREE, err, sizeof(err)))
	TH_LOG("%s", err);
	/* stable/ before testing/; the dot file is skipped. */
	ASSERT_EQ(3, d.nr_files);
	EXPECT_STREQ("stable/sysfs-kernel-gadgets", d.files[0]);
	EXPECT_STREQ("testing/sysfs-kernel-widgets", d.files[1]);
	EXPECT_STREQ("testing/sysfs-kernel-widgets-crlf", d.files[2]);
	ASSERT_EQ(5, d.nr);
	EXPECT_STREQ("/sys/kernel/gadgets/<n>/size", d.v[0].what[0]);
	EXPECT_STREQ("stable/sysfs-kernel-gadgets", d.v[0].file);
	EXPECT_EQ(1, d.v[0].line);
	abidoc_free(&d);
}

TEST(fields_and_continuations)
{
	struct abidoc d = {0};
	const struct abidoc_entry *e;
	char err[ABIDOC_ERR_LEN] = "";

	ASSERT_EQ(0, abidoc_load_dir(&d, TREE, err, sizeof(err)))
	TH_LOG("%s", err);
	e = &d.v[1];
	ASSERT_EQ(1, e->nr_what);
	EXPECT_STREQ("/sys/kernel/widgets/", e->what[0]);
	EXPECT_EQ(3, e->line);
	EXPECT_STREQ("March 2031", e->date);
	EXPECT_STREQ("v9.2", e->kernel_version);
	EXPECT_STREQ("Widget List <widgets@example.org>", e->contact);
	EXPECT_STREQ("", e->users);
	EXPECT_STREQ("Every directory here is one widget, named by its "
		     "number.\nA widget directory holds a \"parts\" directory "
		     "and, when its\ndriver chose one, a \"label\" file.",
		     e->description);

	/* Two paths, one entry; blank lines stay inside the description. */
	e = &d.v[2];
	ASSERT_EQ(2, e->nr_what);
	EXPECT_STREQ("/sys/kernel/widgets/<id>/colour", e->what[0]);
	EXPECT_STREQ("/sys/kernel/widgets/<id>/shade", e->what[1]);
	EXPECT_STREQ("9.4", e->kernel_version);
	EXPECT_EQ(NULL, e->users);
	ASSERT_NE(NULL, e->description);
	EXPECT_EQ(0, strncmp(e->description,
			     "Colour and shade of the widget, one word each.\n"
			     "\n=====",
			     53));
	EXPECT_NE(NULL, strstr(e->description,
			       "=====\n\nWriting either needs CAP_SYS_ADMIN."));

	/* Tags in any case; a What: right after Description: opens the next
	 * entry; a repeated tag adds a line. */
	e = &d.v[3];
	ASSERT_EQ(1, e->nr_what);
	EXPECT_STREQ("/sys/devices/.../widget", e->what[0]);
	EXPECT_EQ(26, e->line);
	EXPECT_STREQ("May 2033", e->date);
	EXPECT_EQ(NULL, e->kernel_version);
	EXPECT_STREQ("A link from a device to the widget it belongs to.\n"
		     "A repeated tag adds a line.",
		     e->description);

	/* CRLF line ends. */
	e = &d.v[4];
	EXPECT_STREQ("/sys/kernel/widgets/<id>/weight", e->what[0]);
	EXPECT_STREQ("v9.9", e->kernel_version);
	EXPECT_STREQ("Weight, with CRLF line ends.", e->description);
	abidoc_free(&d);
}

TEST(malformed_input_names_file_and_line)
{
	struct abidoc d;
	char err[ABIDOC_ERR_LEN];

	ASSERT_EQ(-1, parse(&d, "\nDate: May 2020\nWhat: /sys/x\n", err));
	EXPECT_STREQ("doc:2: Date: before the first What:", err);
	abidoc_free(&d);

	ASSERT_EQ(-1, parse(&d, "What: /sys/a\nWhat:   \n", err));
	EXPECT_STREQ("doc:2: What: without a path", err);
	abidoc_free(&d);

	/* A tag without its colon after What: (real files have this typo). */
	ASSERT_EQ(-1, parse(&d, "What: /sys/a\nDate\t\tMay 2020\nContact: x\n",
			    err));
	EXPECT_EQ(0, strncmp(err,
			     "doc:2: \"Date\t\tMay 2020\" after What: "
			     "/sys/a",
			     35))
	TH_LOG("%s", err);
	abidoc_free(&d);

	memset(&d, 0, sizeof(d));
	ASSERT_EQ(-1,
		  abidoc_parse(&d, "bin", "What: /a\0b", 10, err, sizeof(err)));
	EXPECT_STREQ("bin:1: NUL byte: not a text file", err);
	abidoc_free(&d);

	/* Nothing at all, or only a preamble: no entries, no error. */
	ASSERT_EQ(0, parse(&d, "", err));
	EXPECT_EQ(0, d.nr);
	abidoc_free(&d);
	ASSERT_EQ(0, parse(&d, "Just words.\nMore: words\n", err));
	EXPECT_EQ(0, d.nr);
	abidoc_free(&d);
}

TEST(unknown_word_tags_continue_the_field)
{
	struct abidoc d;
	char err[ABIDOC_ERR_LEN];

	ASSERT_EQ(0, parse(&d,
			   "What: /sys/a\nDescription: first\nValues: 0 or 1\n"
			   "Users: me",
			   err))
	TH_LOG("%s", err);
	ASSERT_EQ(1, d.nr);
	EXPECT_STREQ("first\nValues: 0 or 1", d.v[0].description);
	EXPECT_STREQ("me", d.v[0].users);
	abidoc_free(&d);
}

TEST(missing_directory_is_an_error)
{
	struct abidoc d = {0};
	char err[ABIDOC_ERR_LEN] = "";

	ASSERT_EQ(-1, abidoc_load_dir(&d, TREE "/no-such", err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "No such file or directory"))
	TH_LOG("%s", err);
	abidoc_free(&d);
}

TEST(path_patterns)
{
	EXPECT_TRUE(abidoc_path_match("/sys/kernel/iommu_groups/",
				      "/sys/kernel/iommu_groups"));
	EXPECT_TRUE(abidoc_path_match("/sys/kernel/iommu_groups",
				      "/sys/kernel/iommu_groups/"));
	EXPECT_TRUE(abidoc_path_match("/sys/kernel/iommu_groups/<grp_id>/type",
				      "/sys/kernel/iommu_groups/12/type"));
	EXPECT_FALSE(abidoc_path_match("/sys/kernel/iommu_groups/<grp_id>/type",
				       "/sys/kernel/iommu_groups/type"));
	EXPECT_FALSE(abidoc_path_match(
		"/sys/kernel/iommu_groups/reserved_regions",
		"/sys/kernel/iommu_groups/3/reserved_regions"));
	/* "..." is one or more components, "*" exactly one. */
	EXPECT_TRUE(abidoc_path_match(
		"/sys/devices/.../iommu",
		"/sys/devices/pci0000:00/0000:00:02.0/iommu"));
	EXPECT_TRUE(abidoc_path_match("/sys/devices/.../iommu",
				      "/sys/devices/platform/iommu"));
	EXPECT_FALSE(abidoc_path_match("/sys/devices/.../iommu",
				       "/sys/devices/iommu"));
	EXPECT_FALSE(abidoc_path_match("/sys/devices/.../iommu",
				       "/sys/devices/a/iommu_group"));
	EXPECT_TRUE(abidoc_path_match(
		"/sys/bus/pci/devices/*/iommu_group",
		"/sys/bus/pci/devices/0000:00:05.0/iommu_group"));
	EXPECT_FALSE(abidoc_path_match("/sys/bus/pci/devices/*/iommu_group",
				       "/sys/bus/pci/devices/a/b/iommu_group"));
	/* <name> inside a component: one or more characters. */
	EXPECT_TRUE(abidoc_path_match("/sys/class/net/eth<N>/x",
				      "/sys/class/net/eth12/x"));
	EXPECT_FALSE(abidoc_path_match("/sys/class/net/eth<N>/x",
				       "/sys/class/net/eth/x"));
	EXPECT_TRUE(abidoc_path_match("/sys/bus/dsa/devices/wq<m>.<n>/size",
				      "/sys/bus/dsa/devices/wq0.1/size"));
	EXPECT_FALSE(abidoc_path_match("/sys/bus/dsa/devices/wq<m>.<n>/size",
				       "/sys/bus/dsa/devices/wq01/size"));
	/* An unclosed '<' is a literal. */
	EXPECT_TRUE(abidoc_path_match("/sys/a<b", "/sys/a<b"));
	EXPECT_FALSE(abidoc_path_match("/sys/a<b", "/sys/axb"));
	EXPECT_TRUE(abidoc_path_match("/", "/"));
	EXPECT_FALSE(abidoc_path_match("/sys", "/"));
}

TEST(kernel_versions)
{
	int ma = -1, mi = -1;

	ASSERT_EQ(0, abidoc_kver_parse("v5.11", &ma, &mi));
	EXPECT_EQ(5, ma);
	EXPECT_EQ(11, mi);
	ASSERT_EQ(0, abidoc_kver_parse("3.17", &ma, &mi));
	EXPECT_EQ(3, ma);
	EXPECT_EQ(17, mi);
	ASSERT_EQ(0, abidoc_kver_parse("2.6.24", &ma, &mi));
	EXPECT_EQ(2, ma);
	EXPECT_EQ(6, mi);
	ASSERT_EQ(0, abidoc_kver_parse("v6.2-rc1", &ma, &mi));
	EXPECT_EQ(6, ma);
	EXPECT_EQ(2, mi);
	ASSERT_EQ(0, abidoc_kver_parse("Linux 4.5", &ma, &mi));
	EXPECT_EQ(4, ma);
	EXPECT_EQ(5, mi);
	EXPECT_EQ(-1, abidoc_kver_parse(NULL, &ma, &mi));
	EXPECT_EQ(-1, abidoc_kver_parse("", &ma, &mi));
	EXPECT_EQ(-1, abidoc_kver_parse("v6", &ma, &mi));
	EXPECT_EQ(-1, abidoc_kver_parse("v6.", &ma, &mi));
	EXPECT_EQ(-1, abidoc_kver_parse("99999999999.1", &ma, &mi));
}

TEST(find_and_quotes)
{
	struct abidoc d = {0};
	const struct abidoc_entry *e;
	char err[ABIDOC_ERR_LEN] = "";
	size_t w = 9;

	ASSERT_EQ(0, abidoc_load_dir(&d, TREE, err, sizeof(err)))
	TH_LOG("%s", err);
	e = abidoc_find(&d, "/sys/kernel/widgets/7/shade", &w);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(1, w);
	EXPECT_EQ(12, e->line);
	EXPECT_EQ(NULL, abidoc_find(&d, "/sys/kernel/widgets/7/parts", NULL));
	e = abidoc_find(&d, "/sys/kernel/widgets", NULL);
	ASSERT_NE(NULL, e);
	EXPECT_TRUE(abidoc_quotes(e->description, "parts"));
	EXPECT_TRUE(abidoc_quotes(e->description, "label"));
	EXPECT_FALSE(abidoc_quotes(e->description, "part"));
	EXPECT_FALSE(abidoc_quotes(e->description, "widget"));
	EXPECT_FALSE(abidoc_quotes(NULL, "parts"));
	EXPECT_FALSE(abidoc_quotes("\"\"", ""));
	abidoc_free(&d);
}

/* ---- the abi_doc suite, end to end on a crafted tree ------------------ */

/*
 * ROOT/sys: one group with one PCI device, links shaped like the kernel's;
 * ROOT/abi: documentation written here (a made-up text in the files'
 * format) that describes all of it.  Each test changes one thing.
 */
FIXTURE(suite)
{
	char root[64];
	char sys[96];
	char abi[96];
};

static const char *const doc_groups =
	"What:\t\t/sys/kernel/iommu_groups/\n"
	"KernelVersion:\tv3.5\n"
	"Description:\tOne directory per group, holding a \"devices\" "
	"directory.\n"
	"\n"
	"What:\t\t/sys/kernel/iommu_groups/<grp_id>/type\n"
	"KernelVersion:\tv5.11\n"
	"Description:\tDomain type.\n"
	"\n"
	"What:\t\t/sys/kernel/iommu_groups/<grp_id>/reserved_regions\n"
	"KernelVersion:\tv4.11\n"
	"Description:\tReserved ranges.\n";

static const char *const doc_devices =
	"What:\t\t/sys/devices/.../iommu\n"
	"KernelVersion:\t3.17\n"
	"Description:\tThe device's IOMMU.\n"
	"\n"
	"What:\t\t/sys/bus/pci/devices/<dev>/iommu_group\n"
	"KernelVersion:\t3.5\n"
	"Description:\tThe device's group.\n";

static int mk(const char *base, const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", base, rel);
	return mkdir(p, 0755);
}

static int ln(const char *base, const char *target, const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", base, rel);
	return symlink(target, p);
}

FIXTURE_SETUP(suite)
{
	static const char *const dirs[] = {
		"kernel",
		"kernel/iommu_groups",
		"kernel/iommu_groups/0",
		"kernel/iommu_groups/0/devices",
		"devices",
		"devices/pci0000:00",
		"devices/pci0000:00/0000:00:01.0",
		"devices/virtual",
		"bus",
		"bus/pci",
		"bus/pci/devices",
	};

	snprintf(self->root, sizeof(self->root), "/tmp/iog-abidoc.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	snprintf(self->sys, sizeof(self->sys), "%s/sys", self->root);
	snprintf(self->abi, sizeof(self->abi), "%s/abi", self->root);
	ASSERT_EQ(0, mkdir(self->sys, 0755));
	ASSERT_EQ(0, mkdir(self->abi, 0755));
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		ASSERT_EQ(0, mk(self->sys, dirs[i]));
	ASSERT_EQ(0,
		  unit_write(self->sys, "kernel/iommu_groups/0/type", "DMA\n"));
	ASSERT_EQ(0, unit_write(self->sys,
				"kernel/iommu_groups/0/reserved_regions",
				"0x00000000fee00000 0x00000000feefffff msi\n"));
	ASSERT_EQ(0,
		  ln(self->sys, "../../../../devices/pci0000:00/0000:00:01.0",
		     "kernel/iommu_groups/0/devices/0000:00:01.0"));
	ASSERT_EQ(0, ln(self->sys, "../../../kernel/iommu_groups/0",
			"devices/pci0000:00/0000:00:01.0/iommu_group"));
	ASSERT_EQ(0, ln(self->sys, "../../virtual",
			"devices/pci0000:00/0000:00:01.0/iommu"));
	ASSERT_EQ(0, ln(self->sys, "../../../devices/pci0000:00/0000:00:01.0",
			"bus/pci/devices/0000:00:01.0"));
	ASSERT_EQ(0, unit_write(self->abi, "sysfs-kernel-iommu_groups",
				doc_groups));
	ASSERT_EQ(0, unit_write(self->abi, "sysfs-devices", doc_devices));
}

FIXTURE_TEARDOWN(suite)
{
	unit_rm_tree(self->root);
}

/*
 * abi_doc (build/guest, or IOG_SUITE_DIR) on the fixture's tree and ABI
 * documentation, as the kernel release given.
 */
#define RUN(self, release, r)                                             \
	RUN_SUITE("abi_doc", r, suite_env("IOG_SYSFS_ROOT", (self)->sys), \
		  suite_env("IOG_ABI_DIR", (self)->abi),                  \
		  suite_env("IOG_KERNEL_RELEASE", release),               \
		  "IOG_EXPECT_GROUPS=1")

#define HAS(r, s)                            \
	EXPECT_NE(NULL, strstr((r)->out, s)) \
	TH_LOG("no '%s' in:\n%s", s, (r)->out)

TEST_F(suite, fully_documented_tree_passes)
{
	static struct suite_run r;

	RUN(self, "6.12.0", &r);
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.out);
	EXPECT_EQ(NULL, strstr(r.out, "not ok")) TH_LOG("%s", r.out);
	HAS(&r, "ok 9 group_attr.type.documented\n");
	HAS(&r, "ok 13 device_link.iommu_group.documented\n");
	HAS(&r, "in the Description of What: /sys/kernel/iommu_groups/");
}

TEST_F(suite, undocumented_link_and_attribute_fail_by_name)
{
	static struct suite_run r;

	ASSERT_EQ(0, unit_write(self->abi, "sysfs-devices",
				"What: /sys/devices/.../iommu\n"
				"Description: The device's IOMMU.\n"));
	ASSERT_EQ(0,
		  unit_write(self->sys, "kernel/iommu_groups/0/weight", "3\n"));
	RUN(self, "6.12.0", &r);
	EXPECT_NE(0, r.status);
	HAS(&r, "not ok 13 device_link.iommu_group.documented");
	HAS(&r, "undocumented: the device-side iommu_group link (1 exposed");
	HAS(&r, "not ok 11 group_attr.other.documented");
	HAS(&r, "undocumented: group entry weight");
	HAS(&r, "ok 9 group_attr.type.documented\n");
}

TEST_F(suite, misplaced_entry_fails_documented_only)
{
	static struct suite_run r;
	char *doc = strdup(doc_groups), *at;

	ASSERT_NE(NULL, doc);
	at = strstr(doc, "<grp_id>/reserved_regions");
	ASSERT_NE(NULL, at);
	/* "/sys/kernel/iommu_groups/reserved_regions", padded to length. */
	memcpy(at, "reserved_regions/////////", 25);
	ASSERT_EQ(0, unit_write(self->abi, "sysfs-kernel-iommu_groups", doc));
	free(doc);
	RUN(self, "6.12.0", &r);
	HAS(&r, "not ok 7 group_attr.reserved_regions.documented");
	HAS(&r, "misplaced: group entry reserved_regions");
	HAS(&r, "ok 8 group_attr.reserved_regions.exposed\n");
}

TEST_F(suite, documented_entry_missing_fails_past_its_version_only)
{
	static struct suite_run r;
	char doc[4096];

	snprintf(doc, sizeof(doc),
		 "%s\nWhat: /sys/kernel/iommu_groups/<grp_id>/colour\n"
		 "KernelVersion: v6.13\nDescription: Made up.\n",
		 doc_groups);
	ASSERT_EQ(0, unit_write(self->abi, "sysfs-kernel-iommu_groups", doc));
	RUN(self, "6.12.117+deb12-amd64", &r);
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.out);
	HAS(&r, "not expected: What: /sys/kernel/iommu_groups/<grp_id>/colour");
	RUN(self, "6.13.0", &r);
	EXPECT_NE(0, r.status);
	HAS(&r, "not ok 12 group_attr.other.exposed");
	HAS(&r, "missing: /sys/kernel/iommu_groups/0/colour");
	/* type is gated at 5.11: not required before. */
	ASSERT_EQ(0, unlink(strcat(strcpy(doc, self->sys),
				   "/kernel/iommu_groups/0/type")));
	RUN(self, "5.10.0", &r);
	HAS(&r, "ok 10 group_attr.type.exposed\n");
	RUN(self, "5.11.0", &r);
	HAS(&r, "not ok 10 group_attr.type.exposed");
}

TEST_F(suite, no_documentation_skips_with_the_reason)
{
	static struct suite_run r;

	ASSERT_EQ(0, unit_write(self->abi, ".unavailable", "no tree here\n"));
	RUN(self, "6.12.0", &r);
	EXPECT_EQ(0, r.status);
	HAS(&r, "ok 1 abi.docs # SKIP no tree here");
	EXPECT_EQ(NULL, strstr(r.out, "\nok 2 abi.groups_dir_exposed\n"));
}

TEST_HARNESS_MAIN
