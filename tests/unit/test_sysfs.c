// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sysfs snapshot, partition and §9 invariant checks on fake /sys trees.
 *
 * Unit tests of harness/lib/sysfs*.c on the good tree and on trees broken
 * one way each.  lib/sysfs_tree.c (sysfs_tree.h) builds the trees in a
 * mkdtemp() directory with links shaped like the kernel's (§2).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "sysfs.h"
#include "sysfs_tree.h"

TREE_FIXTURE

/* ---- the good tree ------------------------------------------------------ */

TEST_F(tree, good_tree_passes_every_check)
{
	struct run r;

	for (size_t i = 0; i < tree_nr_checks; i++) {
		tree_run(self->root, &tree_checks[i], &r);
		EXPECT_EQ(0, r.count)
		TH_LOG("%s: %s", tree_checks[i].name, r.text);
		/* Only the optional name file is absent from every group. */
		if (tree_checks[i].fn != sysfs_check_name) {
			EXPECT_NE(0, r.examined)
			TH_LOG("%s examined nothing", tree_checks[i].name);
		}
	}
}

TEST_F(tree, good_tree_snapshot_contents)
{
	struct sysfs_snapshot s;

	ASSERT_EQ(0, sysfs_snapshot_take(self->root, &s));
	ASSERT_TRUE(s.groups_is_dir);
	ASSERT_EQ(NR_GOOD_GROUPS, s.nr_groups);
	/* Ten grouped PCI devices; 00:01.0 and the platform one have none. */
	ASSERT_EQ(10, s.nr_devices);
	for (size_t i = 0; i < s.nr_groups; i++) {
		EXPECT_EQ((long)i, s.groups[i].id);
		EXPECT_TRUE(s.groups[i].reserved_regions.present);
		EXPECT_STREQ("DMA\n", s.groups[i].type.data);
		EXPECT_FALSE(s.groups[i].name_attr.present);
	}
	EXPECT_EQ(3, s.groups[3].nr_members);
	EXPECT_STREQ("0000:00:1f.0", s.groups[3].members[0].name);
	EXPECT_TRUE(s.groups[3].members[0].is_link);
	EXPECT_STREQ("../../../../devices/pci0000:00/0000:00:1f.0",
		     s.groups[3].members[0].target);
	for (size_t i = 0; i < s.nr_devices; i++) {
		EXPECT_STREQ("pci", s.devices[i].bus);
		EXPECT_TRUE(s.devices[i].has_iommu_link);
		EXPECT_NE(NULL, s.devices[i].group_real);
	}
	sysfs_snapshot_free(&s);
}

TEST_F(tree, good_tree_partition)
{
	struct sysfs_partition part;
	struct sysfs_snapshot s;
	char *str;

	ASSERT_EQ(0, sysfs_snapshot_take(self->root, &s));
	ASSERT_EQ(0, sysfs_partition_build(&s, &part));
	ASSERT_EQ(NR_GOOD_GROUPS, part.nr);
	EXPECT_EQ(5, part.groups[5].id);
	str = sysfs_pgroup_str(&part.groups[5]);
	EXPECT_STREQ("{0000:02:00.0 0000:03:01.0 0000:03:02.0}", str);
	free(str);
	EXPECT_EQ(&part.groups[3], sysfs_partition_find(&part, "0000:00:1f.2"));
	EXPECT_EQ(NULL, sysfs_partition_find(&part, "0000:00:01.0"));
	sysfs_partition_free(&part);
	sysfs_snapshot_free(&s);
}

TEST_F(tree, pci_dev_lookup)
{
	struct sysfs_pci_dev d;

	ASSERT_EQ(0, sysfs_pci_dev_get(self->root, "0000:01:00.0", &d));
	EXPECT_TRUE(d.present);
	EXPECT_TRUE(d.has_group_link);
	EXPECT_EQ(4, d.group_id);
	sysfs_pci_dev_free(&d);
	ASSERT_EQ(0, sysfs_pci_dev_get(self->root, "0000:00:01.0", &d));
	EXPECT_TRUE(d.present);
	EXPECT_FALSE(d.has_group_link);
	EXPECT_EQ(-1, d.group_id);
	sysfs_pci_dev_free(&d);
	ASSERT_EQ(0, sysfs_pci_dev_get(self->root, "0000:00:05.0", &d));
	EXPECT_FALSE(d.present);
	sysfs_pci_dev_free(&d);
}

/* ---- broken trees: each mutation must be caught, and named ------------- */

TEST_F(tree, broken_forward_link)
{
	struct run r;

	ASSERT_EQ(0, tree_link_rel(
			     self->root,
			     "kernel/iommu_groups/4/devices/0000:01:00.0",
			     "devices/pci0000:00/0000:00:02.0/0000:09:00.0"));
	tree_run_check(self->root, sysfs_check_forward_links, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 4: devices/0000:01:00.0 -> ");
	ASSERT_HAS(r.text, "does not resolve (No such file or directory)");
	/* The device still links to group 4, which no longer lists it. */
	tree_run_check(self->root, sysfs_check_membership, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 4: device pci/0000:01:00.0");
	ASSERT_HAS(r.text, "no group's devices/ lists it");
}

TEST_F(tree, forward_link_loop)
{
	struct run r;

	ASSERT_EQ(0,
		  tree_link_raw(self->root,
				"kernel/iommu_groups/2/devices/loop", "loop"));
	tree_run_check(self->root, sysfs_check_forward_links, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 2: devices/loop -> loop does not resolve");
	ASSERT_HAS(r.text, "Too many levels of symbolic links");
}

TEST_F(tree, forward_link_not_a_link)
{
	struct run r;

	ASSERT_EQ(0, tree_put(self->root, "kernel/iommu_groups/2/devices/junk",
			      "x"));
	tree_run_check(self->root, sysfs_check_forward_links, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 2: devices/junk is not a symlink");
}

TEST_F(tree, forward_link_outside_devices)
{
	struct run r;

	ASSERT_EQ(0, tree_mkd(self->root, "elsewhere/0000:00:02.1"));
	ASSERT_EQ(0, tree_link_rel(self->root,
				   "kernel/iommu_groups/2/devices/0000:00:02.1",
				   "elsewhere/0000:00:02.1"));
	tree_run_check(self->root, sysfs_check_forward_links, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 2: devices/0000:00:02.1 -> ");
	ASSERT_HAS(r.text, "is outside");
}

TEST_F(tree, missing_back_link)
{
	struct run r;

	ASSERT_EQ(
		0,
		tree_rm(self->root,
			"devices/pci0000:00/0000:00:02.0/0000:01:00.0/iommu_group"));
	tree_run_check(self->root, sysfs_check_back_links, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 4: device ");
	ASSERT_HAS(r.text, "0000:01:00.0 (devices/0000:01:00.0) has no "
			   "iommu_group link; wanted one resolving to group 4");
}

TEST_F(tree, back_link_to_other_group)
{
	struct run r;

	ASSERT_EQ(0,
		  tree_link_rel(self->root,
				"devices/pci0000:00/0000:00:02.0/0000:01:00.0/"
				"iommu_group",
				"kernel/iommu_groups/1"));
	tree_run_check(self->root, sysfs_check_back_links, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 4: device ");
	ASSERT_HAS(r.text, "iommu_group resolves to ");
	ASSERT_HAS(r.text, "(group 1); wanted ");
	tree_run_check(self->root, sysfs_check_membership, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 1: device pci/0000:01:00.0");
	ASSERT_HAS(r.text, "is listed by group 4 (devices/0000:01:00.0)");
}

TEST_F(tree, broken_back_link)
{
	struct run r;

	ASSERT_EQ(0,
		  tree_link_rel(self->root,
				"devices/pci0000:00/0000:00:02.0/0000:01:00.0/"
				"iommu_group",
				"kernel/iommu_groups/77"));
	tree_run_check(self->root, sysfs_check_back_links, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "iommu_group does not resolve");
	tree_run_check(self->root, sysfs_check_membership, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "device pci/0000:01:00.0");
	ASSERT_HAS(r.text, "kernel/iommu_groups/77 does not resolve");
}

TEST_F(tree, device_in_two_groups)
{
	struct run r;

	ASSERT_EQ(0, tree_link_rel(
			     self->root,
			     "kernel/iommu_groups/1/devices/0000:01:00.0",
			     "devices/pci0000:00/0000:00:02.0/0000:01:00.0"));
	tree_run_check(self->root, sysfs_check_membership, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text,
		   "0000:01:00.0 is listed 2 times: group 1 "
		   "(devices/0000:01:00.0), group 4 (devices/0000:01:00.0)");
	tree_run_check(self->root, sysfs_check_back_links, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 1: device ");
}

TEST_F(tree, device_twice_in_one_group)
{
	struct run r;

	ASSERT_EQ(0, tree_link_rel(
			     self->root,
			     "kernel/iommu_groups/4/devices/0000:01:00.0.1",
			     "devices/pci0000:00/0000:00:02.0/0000:01:00.0"));
	tree_run_check(self->root, sysfs_check_membership, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "is listed 2 times: group 4 (devices/0000:01:00.0), "
			   "group 4 (devices/0000:01:00.0.1)");
	/* The .N suffix itself is a legal collision name (§9.3). */
	tree_run_check(self->root, sysfs_check_entry_names, &r);
	ASSERT_EQ(0, r.count);
}

TEST_F(tree, entry_name_mismatch)
{
	struct run r;

	ASSERT_EQ(0, tree_rm(self->root,
			     "kernel/iommu_groups/4/devices/0000:01:00.0"));
	ASSERT_EQ(0, tree_link_rel(
			     self->root, "kernel/iommu_groups/4/devices/nvme",
			     "devices/pci0000:00/0000:00:02.0/0000:01:00.0"));
	tree_run_check(self->root, sysfs_check_entry_names, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(
		r.text,
		"group 4: devices/nvme points at device '0000:01:00.0'; wanted "
		"the entry named '0000:01:00.0' or '0000:01:00.0.<n>'");
	ASSERT_EQ(0, tree_rm(self->root, "kernel/iommu_groups/4/devices/nvme"));
	ASSERT_EQ(0, tree_link_rel(
			     self->root,
			     "kernel/iommu_groups/4/devices/0000:01:00.0.x",
			     "devices/pci0000:00/0000:00:02.0/0000:01:00.0"));
	tree_run_check(self->root, sysfs_check_entry_names, &r);
	ASSERT_EQ(1, r.count);
}

TEST_F(tree, leading_zero_id)
{
	struct run r;

	ASSERT_EQ(0, tree_add_group(self->root, 7));
	ASSERT_EQ(0, tree_rename(self->root, "kernel/iommu_groups/7",
				 "kernel/iommu_groups/007"));
	tree_run_check(self->root, sysfs_check_group_ids, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group '007': ID has a leading zero; wanted '7'");
}

TEST_F(tree, duplicate_id)
{
	struct run r;

	/* "01" and "1" name the same ID. */
	ASSERT_EQ(0, tree_mkd(self->root, "kernel/iommu_groups/01/devices"));
	tree_run_check(self->root, sysfs_check_group_ids, &r);
	ASSERT_EQ(2, r.count);
	ASSERT_HAS(r.text, "group '01': ID has a leading zero; wanted '1'");
	ASSERT_HAS(r.text, "groups '1' and '01' both have ID 1");
}

TEST_F(tree, non_numeric_group)
{
	struct run r;

	ASSERT_EQ(0, tree_mkd(self->root, "kernel/iommu_groups/abc/devices"));
	ASSERT_EQ(0,
		  tree_put(self->root, "kernel/iommu_groups/9", "not a dir"));
	ASSERT_EQ(0, tree_mkd(self->root,
			      "kernel/iommu_groups/99999999999999/devices"));
	tree_run_check(self->root, sysfs_check_group_ids, &r);
	ASSERT_EQ(3, r.count);
	ASSERT_HAS(r.text, "group 'abc': name is not a decimal number");
	ASSERT_HAS(r.text, "/kernel/iommu_groups/9 is a regular file; wanted a "
			   "group directory");
	ASSERT_HAS(r.text, "group '99999999999999': name is out of range");
}

TEST_F(tree, odd_group_name_is_escaped)
{
	struct run r;

	ASSERT_EQ(0, tree_mkd(self->root, "kernel/iommu_groups/x\ny/devices"));
	tree_run_check(self->root, sysfs_check_group_ids, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 'x\\x0ay': name is not a decimal number");
}

TEST_F(tree, empty_group)
{
	struct run r;

	ASSERT_EQ(0, tree_add_group(self->root, 6));
	tree_run_check(self->root, sysfs_check_nonempty, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 6: devices/ is empty");
	/* Everything else about group 6 is fine. */
	ASSERT_EQ(1, tree_run_all(self->root, &r));
}

TEST_F(tree, missing_devices_dir)
{
	struct run r;

	ASSERT_EQ(0,
		  tree_put(self->root, "kernel/iommu_groups/6/type", "DMA\n"));
	ASSERT_EQ(0, tree_put(self->root, "kernel/iommu_groups/7/devices", ""));
	tree_run_check(self->root, sysfs_check_devices_dirs, &r);
	ASSERT_EQ(2, r.count);
	ASSERT_HAS(r.text, "group 6: devices/ is missing; wanted a directory");
	ASSERT_HAS(r.text, "group 7: devices is not a directory");
}

TEST_F(tree, missing_attributes)
{
	struct run r;

	ASSERT_EQ(0, tree_rm(self->root,
			     "kernel/iommu_groups/2/reserved_regions"));
	ASSERT_EQ(0, tree_rm(self->root, "kernel/iommu_groups/5/type"));
	tree_run_present(self->root, SYSFS_FEAT_RESERVED_REGIONS, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 2: reserved_regions is missing; wanted it on "
			   "kernels >= 4.11");
	tree_run_present(self->root, SYSFS_FEAT_TYPE, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text,
		   "group 5: type is missing; wanted it on kernels >= 5.11");
}

TEST_F(tree, bad_reserved_regions_in_tree)
{
	struct run r;

	ASSERT_EQ(0,
		  tree_put(self->root, "kernel/iommu_groups/3/reserved_regions",
			   MSI ISA));
	tree_run_check(self->root, sysfs_check_reserved_regions, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 3: reserved_regions line 2: not sorted");
	ASSERT_HAS(r.text, "(§9.6)");
}

TEST_F(tree, huge_reserved_regions)
{
	char path[PATH_MAX], *big;
	struct run r;
	size_t n = 100 * 1024;

	big = malloc(n + 1);
	ASSERT_NE(NULL, big);
	memset(big, 'x', n);
	big[n] = '\0';
	snprintf(path, sizeof(path), "kernel/iommu_groups/2/reserved_regions");
	ASSERT_EQ(0, tree_put(self->root, path, big));
	free(big);
	tree_run_check(self->root, sysfs_check_reserved_regions, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text,
		   "group 2: reserved_regions is larger than 65536 bytes");
}

TEST_F(tree, fifo_type_does_not_block)
{
	char path[PATH_MAX];
	struct run r;

	snprintf(path, sizeof(path), "%s/kernel/iommu_groups/1/type",
		 self->root);
	ASSERT_EQ(0, unlink(path));
	ASSERT_EQ(0, mkfifo(path, 0644));
	tree_run_check(self->root, sysfs_check_type, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 1: type is a FIFO; wanted a regular file");
}

TEST_F(tree, bad_type_word)
{
	struct run r;

	ASSERT_EQ(0,
		  tree_put(self->root, "kernel/iommu_groups/1/type", "dma\n"));
	ASSERT_EQ(0, tree_put(self->root, "kernel/iommu_groups/2/type", "DMA"));
	tree_run_check(self->root, sysfs_check_type, &r);
	ASSERT_EQ(2, r.count);
	ASSERT_HAS(r.text,
		   "group 1: type 'dma' is not one of "
		   "blocked|identity|unmanaged|DMA|DMA-FQ|unknown (§9.7)");
	ASSERT_HAS(r.text, "group 2: type 'DMA' has no trailing newline");
}

TEST_F(tree, name_attribute)
{
	struct run r;

	ASSERT_EQ(0, tree_put(self->root, "kernel/iommu_groups/1/name",
			      "vfio-noiommu\n"));
	tree_run_check(self->root, sysfs_check_name, &r);
	ASSERT_EQ(1, r.examined);
	ASSERT_EQ(0, r.count);
	ASSERT_EQ(0,
		  tree_put(self->root, "kernel/iommu_groups/1/name", "a\nb\n"));
	tree_run_check(self->root, sysfs_check_name, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 1: name more than one line");
}

TEST_F(tree, missing_iommu_link)
{
	struct run r;

	ASSERT_EQ(0,
		  tree_rm(self->root, "devices/pci0000:00/0000:00:02.0/iommu"));
	tree_run_check(self->root, sysfs_check_iommu_links, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 1: device pci/0000:00:02.0 (");
	ASSERT_HAS(r.text, "has an iommu_group link but no iommu link");
	/* A named (VFIO no-IOMMU) group has no IOMMU behind it (§9.10). */
	ASSERT_EQ(0, tree_put(self->root, "kernel/iommu_groups/1/name",
			      "vfio-noiommu\n"));
	tree_run_check(self->root, sysfs_check_iommu_links, &r);
	ASSERT_EQ(0, r.count);
}

TEST_F(tree, linked_device_outside_groups)
{
	struct run r;

	/* 00:01.0 claims group 0, which does not list it. */
	ASSERT_EQ(0,
		  tree_link_rel(self->root,
				"devices/pci0000:00/0000:00:01.0/iommu_group",
				"kernel/iommu_groups/0"));
	tree_run_check(self->root, sysfs_check_membership, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 0: device pci/0000:00:01.0");
}

TEST(no_groups_dir)
{
	char root[256];
	struct sysfs_snapshot s;
	struct run r;

	ASSERT_NE(NULL, tree_make_tmp(root, sizeof(root)));
	ASSERT_EQ(0, sysfs_snapshot_take(root, &s));
	EXPECT_FALSE(s.groups_present);
	EXPECT_EQ(ENOENT, s.groups_err);
	EXPECT_EQ(0, s.nr_groups);
	EXPECT_EQ(0, s.nr_devices);
	sysfs_snapshot_free(&s);
	/* Nothing to examine is reported as such, not as a pass. */
	EXPECT_EQ(0, tree_run_all(root, &r));
	EXPECT_EQ(0, r.examined);
	rmdir(root);
}

TEST(host_sys_snapshot)
{
	struct sysfs_partition part;
	struct sysfs_snapshot s;
	struct run r;

	/* Real data under the sanitizers; what it holds is the host's. */
	ASSERT_EQ(0, sysfs_snapshot_take("/sys", &s));
	ASSERT_EQ(0, sysfs_partition_build(&s, &part));
	TH_LOG("host /sys: iommu_groups %s, %zu groups, %zu linked devices, "
	       "%zu PCI groups",
	       s.groups_present ? "present" : "absent", s.nr_groups,
	       s.nr_devices, part.nr);
	sysfs_partition_free(&part);
	sysfs_snapshot_free(&s);
	tree_run_all("/sys", &r);
	TH_LOG("host /sys: %zu items examined, %zu problems%s%s", r.examined,
	       r.count, r.count ? ":\n" : "", r.text);
}

TEST_HARNESS_MAIN
