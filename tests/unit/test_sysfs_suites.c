// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sysfs_layout and grouping suites end to end on fake /sys trees.
 *
 * The suite binaries run on the trees of lib/sysfs_tree.c and on the
 * expectation files of tests/fixtures/sysfs; their KTAP output is checked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "sysfs_tree.h"

TREE_FIXTURE

TEST_F(tree, e2e_layout_good_tree)
{
	static struct suite_run r;

	/* No config space and no IOMMU kind: the model test SKIPs. */
	RUN_SUITE("sysfs_layout", &r, suite_env("IOG_SYSFS_ROOT", self->root),
		  "IOG_KERNEL_RELEASE=6.12.117+deb12-amd64");
	ASSERT_SUITE_OK(&r);
	ASSERT_HAS(r.out, "\nok 9 global.name_one_line # SKIP");
	ASSERT_HAS(r.out, "\nok 16 global.reserved_regions_match_model # SKIP "
			  "IOMMU kind unknown: IOG_IOMMU unset and ");
	ASSERT_HAS(r.out, "# Totals: pass:14 fail:0 xfail:0 xpass:0 skip:2");
	/*
	 * With IOG_EXPECT_GROUPS=1 every §9 check still passes, but a model
	 * that cannot run is a failure: our own guest must be able to.
	 */
	RUN_SUITE("sysfs_layout", &r, suite_env("IOG_SYSFS_ROOT", self->root),
		  "IOG_EXPECT_GROUPS=1",
		  "IOG_KERNEL_RELEASE=6.12.117+deb12-amd64");
	ASSERT_HAS(r.out, "# Totals: pass:14 fail:1 xfail:0 xpass:0 skip:1");
	ASSERT_HAS(r.out, "not ok 16 global.reserved_regions_match_model");
	ASSERT_HAS(r.out, "IOMMU kind unknown although IOG_EXPECT_GROUPS=1");
	RUN_SUITE("sysfs_layout", &r, suite_env("IOG_SYSFS_ROOT", self->root),
		  "IOG_EXPECT_GROUPS=1", "IOG_IOMMU=intel",
		  "IOG_KERNEL_RELEASE=6.12.117+deb12-amd64");
	ASSERT_HAS(r.out, "not ok 16 global.reserved_regions_match_model");
	ASSERT_HAS(r.out, "the reference model cannot read config space "
			  "although IOG_EXPECT_GROUPS=1");
	ASSERT_HAS(r.out, "/vendor: No such file or directory");
}

TEST_F(tree, e2e_layout_broken_tree)
{
	static struct suite_run r;

	ASSERT_EQ(0,
		  tree_link_rel(self->root,
				"devices/pci0000:00/0000:00:02.0/0000:01:00.0/"
				"iommu_group",
				"kernel/iommu_groups/1"));
	ASSERT_EQ(0,
		  tree_put(self->root, "kernel/iommu_groups/5/type", "dma\n"));
	RUN_SUITE("sysfs_layout", &r, suite_env("IOG_SYSFS_ROOT", self->root),
		  "IOG_KERNEL_RELEASE=6.1.0-56-amd64");
	ASSERT_SUITE_FAILS(&r);
	ASSERT_HAS(r.out, "not ok 8 global.type_vocabulary");
	ASSERT_HAS(r.out, "group 5: type 'dma' is not one of");
	ASSERT_HAS(r.out, "not ok 11 global.device_links_symmetric");
	ASSERT_HAS(r.out, "not ok 13 global.device_in_one_group");
	ASSERT_HAS(r.out, "group 4: device ");
	ASSERT_HAS(r.out, "\nok 10 global.device_links_resolve\n");
}

TEST_F(tree, e2e_layout_empty_group)
{
	static struct suite_run r;

	ASSERT_EQ(0, tree_add_group(self->root, 6));
	RUN_SUITE("sysfs_layout", &r, suite_env("IOG_SYSFS_ROOT", self->root),
		  "IOG_KERNEL_RELEASE=6.12.0");
	ASSERT_SUITE_FAILS(&r);
	ASSERT_HAS(r.out, "not ok 14 global.no_empty_groups");
	ASSERT_HAS(r.out, "group 6: devices/ is empty");
}

TEST_F(tree, e2e_layout_old_kernel_skips)
{
	static struct suite_run r;
	char rel[64];

	for (int i = 0; i < NR_GOOD_GROUPS; i++) {
		snprintf(rel, sizeof(rel), "kernel/iommu_groups/%d/type", i);
		ASSERT_EQ(0, tree_rm(self->root, rel));
		snprintf(rel, sizeof(rel),
			 "kernel/iommu_groups/%d/reserved_regions", i);
		ASSERT_EQ(0, tree_rm(self->root, rel));
	}
	RUN_SUITE("sysfs_layout", &r, suite_env("IOG_SYSFS_ROOT", self->root),
		  "IOG_KERNEL_RELEASE=4.9.0-19-amd64");
	ASSERT_SUITE_OK(&r);
	ASSERT_HAS(r.out,
		   "\nok 5 global.reserved_regions_present # SKIP kernel "
		   "4.9.0-19-amd64 predates reserved_regions (added in 4.11)");
	ASSERT_HAS(r.out, "\nok 7 global.type_present # SKIP kernel "
			  "4.9.0-19-amd64 predates type (added in 5.11)");
	/* The same tree on a 5.11+ kernel lacks required files. */
	RUN_SUITE("sysfs_layout", &r, suite_env("IOG_SYSFS_ROOT", self->root),
		  "IOG_KERNEL_RELEASE=5.11.0");
	ASSERT_SUITE_FAILS(&r);
	ASSERT_HAS(r.out, "not ok 5 global.reserved_regions_present");
	ASSERT_HAS(r.out, "group 0: reserved_regions is missing");
	ASSERT_HAS(r.out, "not ok 7 global.type_present");
}

TEST(e2e_layout_no_groups)
{
	static struct suite_run r;
	char root[256], path[512];

	ASSERT_NE(NULL, tree_make_tmp(root, sizeof(root)));
	RUN_SUITE("sysfs_layout", &r, suite_env("IOG_SYSFS_ROOT", root));
	EXPECT_EQ(0, r.status);
	EXPECT_HAS(r.out, "ok 1 global.groups_root_exists # SKIP");
	EXPECT_HAS(r.out, "CONFIG_IOMMU_API");
	RUN_SUITE("sysfs_layout", &r, suite_env("IOG_SYSFS_ROOT", root),
		  "IOG_EXPECT_GROUPS=1");
	EXPECT_NE(0, r.status);
	EXPECT_HAS(r.out, "not ok 1 global.groups_root_exists");

	snprintf(path, sizeof(path), "%s/kernel/iommu_groups", root);
	ASSERT_EQ(0, tree_mkdir_p(path));
	RUN_SUITE("sysfs_layout", &r, suite_env("IOG_SYSFS_ROOT", root));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.out);
	EXPECT_HAS(
		r.out,
		"\nok 3 global.group_ids_decimal_distinct # SKIP no groups in");
	RUN_SUITE("sysfs_layout", &r, suite_env("IOG_SYSFS_ROOT", root),
		  "IOG_EXPECT_GROUPS=1");
	EXPECT_NE(0, r.status);
	EXPECT_HAS(r.out, "not ok 2 global.groups_present");
	EXPECT_HAS(r.out, "no IOMMU groups although");
	rmdir(path);
	snprintf(path, sizeof(path), "%s/kernel", root);
	rmdir(path);
	rmdir(root);
}

TEST_F(tree, e2e_grouping_good)
{
	static struct suite_run r;
	char *exp = tree_fixture("good.expect");

	ASSERT_NE(NULL, exp);
	RUN_SUITE("grouping", &r, suite_env("IOG_SYSFS_ROOT", self->root),
		  suite_env("IOG_EXPECT", exp));
	free(exp);
	ASSERT_SUITE_OK(&r);
	/* The cut-down tree has no config space: the model tests SKIP. */
	ASSERT_HAS(r.out, "# Totals: pass:4 fail:0 xfail:0 xpass:0 skip:3");
	ASSERT_HAS(r.out, "\nok 1 global.model_partition_matches # SKIP IOMMU "
			  "kind unknown");
}

TEST_F(tree, e2e_grouping_wrong)
{
	static struct suite_run r;
	char *exp = tree_fixture("wrong.expect");

	ASSERT_NE(NULL, exp);
	RUN_SUITE("grouping", &r, suite_env("IOG_SYSFS_ROOT", self->root),
		  suite_env("IOG_EXPECT", exp));
	free(exp);
	ASSERT_SUITE_FAILS(&r);
	ASSERT_HAS(r.out, "not ok 5 global.declared_groups_match");
	ASSERT_HAS(r.out, "expected group {0000:00:02.0 0000:00:02.1}: kernel "
			  "has group 1 {0000:00:02.0}, group 2 {0000:00:02.1}");
	ASSERT_HAS(r.out,
		   "expected group {0000:02:00.0 0000:03:01.0}: kernel has "
		   "group 5 {0000:02:00.0 0000:03:01.0 0000:03:02.0}");
	ASSERT_HAS(r.out, "expected group {0000:03:02.0}: kernel has group 5");
	/* Both sides in full. */
	ASSERT_HAS(r.out,
		   "# expected group {0000:00:1f.0 0000:00:1f.2 0000:00:1f.3}");
	ASSERT_HAS(r.out, "# expected nogroup 0000:00:01.0");
	ASSERT_HAS(r.out,
		   "# kernel group 3 {0000:00:1f.0 0000:00:1f.2 0000:00:1f.3}");
	ASSERT_HAS(r.out, "# kernel group 0 {0000:00:00.0}");
	/* Every kernel device is declared, just grouped differently. */
	ASSERT_HAS(r.out, "\nok 6 global.grouped_devices_declared\n");
}

TEST_F(tree, e2e_grouping_incomplete)
{
	static struct suite_run r;
	char *exp = tree_fixture("incomplete.expect");

	ASSERT_NE(NULL, exp);
	RUN_SUITE("grouping", &r, suite_env("IOG_SYSFS_ROOT", self->root),
		  suite_env("IOG_EXPECT", exp));
	free(exp);
	ASSERT_SUITE_FAILS(&r);
	ASSERT_HAS(r.out, "\nok 5 global.declared_groups_match\n");
	ASSERT_HAS(r.out, "not ok 6 global.grouped_devices_declared");
	ASSERT_HAS(r.out, "kernel group 4 {0000:01:00.0}: 0000:01:00.0 not in "
			  "any expected group");
}

TEST_F(tree, e2e_grouping_nogroup_and_missing)
{
	static struct suite_run r;
	char *exp = tree_fixture("nogroup-grouped.expect");

	ASSERT_NE(NULL, exp);
	RUN_SUITE("grouping", &r, suite_env("IOG_SYSFS_ROOT", self->root),
		  suite_env("IOG_EXPECT", exp));
	free(exp);
	ASSERT_SUITE_FAILS(&r);
	ASSERT_HAS(r.out, "not ok 7 global.nogroup_devices_ungrouped");
	ASSERT_HAS(r.out, "nogroup 0000:01:00.0: has iommu_group -> ");
	ASSERT_HAS(r.out, "(group 4); wanted no iommu_group link");

	exp = tree_fixture("missing-device.expect");
	ASSERT_NE(NULL, exp);
	RUN_SUITE("grouping", &r, suite_env("IOG_SYSFS_ROOT", self->root),
		  suite_env("IOG_EXPECT", exp));
	free(exp);
	ASSERT_SUITE_FAILS(&r);
	ASSERT_HAS(r.out, "not ok 4 global.declared_devices_exist");
	ASSERT_HAS(r.out, "declared group member 0000:00:05.0: missing from");
	ASSERT_HAS(r.out, "expected group {0000:00:05.0}: kernel has "
			  "0000:00:05.0 in no group");
}

TEST_F(tree, e2e_grouping_without_expectations)
{
	static struct suite_run r;
	char *exp;

	RUN_SUITE("grouping", &r, suite_env("IOG_SYSFS_ROOT", self->root),
		  "IOG_EXPECT=/nonexistent/expect-groups");
	ASSERT_SUITE_OK(&r);
	ASSERT_HAS(r.out, "\nok 5 global.declared_groups_match # SKIP no "
			  "expected groups declared for this topology");

	exp = tree_fixture("nogroup-only.expect");
	ASSERT_NE(NULL, exp);
	RUN_SUITE("grouping", &r, suite_env("IOG_SYSFS_ROOT", self->root),
		  suite_env("IOG_EXPECT", exp));
	free(exp);
	ASSERT_SUITE_OK(&r);
	ASSERT_HAS(r.out, "\nok 5 global.declared_groups_match # SKIP no "
			  "expected groups declared for this topology");
	ASSERT_HAS(r.out, "\nok 7 global.nogroup_devices_ungrouped\n");

	exp = tree_fixture("malformed.expect");
	ASSERT_NE(NULL, exp);
	RUN_SUITE("grouping", &r, suite_env("IOG_SYSFS_ROOT", self->root),
		  suite_env("IOG_EXPECT", exp));
	free(exp);
	ASSERT_SUITE_FAILS(&r);
	ASSERT_HAS(r.out, "malformed.expect: line 2: unknown statement 'grop'");
}

TEST_HARNESS_MAIN
