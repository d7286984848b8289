// SPDX-License-Identifier: GPL-2.0-only
/*
 * The suites' busy-device guard (suites/lib/teardown_util.c, td_busy and
 * the sysfs writes that refuse a busy device) on the good fake /sys tree:
 * what run-suites.sh's second lane holds, the first lane's suites neither
 * pick, save nor touch.  The writes go to plain files of the tree.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "kselftest_harness.h"

#include "sysfs_tree.h"
#include "teardown_util.h"

/* The first line of ROOT/REL, "" if none. */
static void tree_get(const char *root, const char *rel, char *buf, size_t size)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (td_read(p, buf, size))
		buf[0] = 0;
}

TREE_FIXTURE

TEST_F(tree, busy_device_and_what_is_above_it_refused)
{
	char got[64];

	/* The files a write would land in, as plain files. */
	ASSERT_EQ(0, tree_put(self->root,
			      "devices/pci0000:00/0000:00:02.0/remove", ""));
	ASSERT_EQ(0, tree_put(self->root,
			      "devices/pci0000:00/0000:00:02.0/0000:01:00.0/"
			      "driver_override",
			      ""));
	ASSERT_EQ(0, tree_put(self->root,
			      "devices/pci0000:00/0000:00:1f.2/driver_override",
			      ""));
	ASSERT_EQ(0, tree_put(self->root, "kernel/iommu_groups/4/type", "DMA"));
	ASSERT_EQ(0, tree_put(self->root, "kernel/iommu_groups/3/type", "DMA"));
	ASSERT_EQ(0, setenv("IOG_SYSFS_ROOT", self->root, 1));

	/* Without IOG_BUSY nothing is busy and the writes go through. */
	unsetenv("IOG_BUSY");
	EXPECT_FALSE(td_busy("0000:01:00.0"));
	EXPECT_EQ(0, td_set_override("0000:01:00.0", "iog-hold"));
	tree_get(self->root,
		 "devices/pci0000:00/0000:00:02.0/0000:01:00.0/driver_override",
		 got, sizeof(got));
	EXPECT_STREQ("iog-hold", got);

	ASSERT_EQ(0, setenv("IOG_BUSY", " 0000:aa:00.0,0000:01:00.0", 1));
	EXPECT_TRUE(td_busy("0000:01:00.0"));
	EXPECT_FALSE(td_busy("0000:01:00"));
	EXPECT_FALSE(td_busy("0000:00:1f.2"));
	/* The device, its port (removing it takes the device) and group. */
	EXPECT_EQ(EBUSY, td_set_override("0000:01:00.0", ""));
	tree_get(self->root,
		 "devices/pci0000:00/0000:00:02.0/0000:01:00.0/driver_override",
		 got, sizeof(got));
	EXPECT_STREQ("iog-hold", got);
	EXPECT_EQ(EBUSY, td_remove("0000:00:02.0"));
	tree_get(self->root, "devices/pci0000:00/0000:00:02.0/remove", got,
		 sizeof(got));
	EXPECT_STREQ("", got);
	EXPECT_EQ(EBUSY, td_remove("0000:01:00.0"));
	EXPECT_EQ(EBUSY, td_unbind("0000:01:00.0"));
	EXPECT_EQ(EBUSY, td_bind("0000:01:00.0", "nvme"));
	EXPECT_EQ(EBUSY, td_drivers_probe("0000:01:00.0"));
	EXPECT_EQ(EBUSY, td_group_set_type(4, "identity"));
	tree_get(self->root, "kernel/iommu_groups/4/type", got, sizeof(got));
	EXPECT_STREQ("DMA", got);

	/* Another device and group are written as before. */
	EXPECT_EQ(0, td_set_override("0000:00:1f.2", "vfio-pci"));
	tree_get(self->root, "devices/pci0000:00/0000:00:1f.2/driver_override",
		 got, sizeof(got));
	EXPECT_STREQ("vfio-pci", got);
	EXPECT_EQ(0, td_group_set_type(3, "identity"));
	tree_get(self->root, "kernel/iommu_groups/3/type", got, sizeof(got));
	EXPECT_STREQ("identity", got);
	unsetenv("IOG_BUSY");
	unsetenv("IOG_SYSFS_ROOT");
}

TEST_F(tree, busy_device_left_out_of_saved_state)
{
	struct td_state st;

	ASSERT_EQ(0, setenv("IOG_SYSFS_ROOT", self->root, 1));
	unsetenv("IOG_BUSY");
	ASSERT_EQ(0, td_state_save(&st));
	EXPECT_NE(NULL, td_state_find(&st, "0000:01:00.0"));
	td_state_free(&st);
	ASSERT_EQ(0, setenv("IOG_BUSY", "0000:01:00.0", 1));
	ASSERT_EQ(0, td_state_save(&st));
	EXPECT_EQ(NULL, td_state_find(&st, "0000:01:00.0"));
	EXPECT_NE(NULL, td_state_find(&st, "0000:00:1f.2"));
	td_state_free(&st);
	unsetenv("IOG_BUSY");
	unsetenv("IOG_SYSFS_ROOT");
}

TEST_HARNESS_MAIN
