// SPDX-License-Identifier: GPL-2.0-only
/* The kernel's groups as records list them (harness/lib/groups_listing.c). */
#include "kselftest_harness.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "groups_listing.h"
#include "unit_util.h"

/* Load text as a listing from a temporary file; 0 or -1 with err. */
static int load_text(const char *text, struct groups_listing *l, char *err,
		     size_t errlen)
{
	char dir[] = "/tmp/iog-listing.XXXXXX", path[64];
	int ret;

	if (!mkdtemp(dir) || unit_write(dir, "g.txt", text))
		return -2;
	snprintf(path, sizeof(path), "%s/g.txt", dir);
	ret = groups_listing_load(path, l, err, errlen);
	unit_rm_tree(dir);
	return ret;
}

/* The group holding bdf in l, -1 if none. */
static long group_of(const struct groups_listing *l, const char *bdf)
{
	for (size_t i = 0; i < l->nr; i++)
		for (size_t k = 0; k < l->g[i].nr; k++)
			if (!strcmp(l->g[i].bdfs[k], bdf))
				return l->g[i].id;
	return -1;
}

TEST(lspci_lines_paths_and_quoting)
{
	struct groups_listing l;
	char err[256];

	ASSERT_EQ(0,
		  load_text("> 00:01.0 PCI bridge [0604]: Intel [8086:1901]\n"
			    ">\tControl: I/O+\n"
			    ">\tIOMMU group: 1\n"
			    "> \n"
			    "> 00:01.0/01:00.0 VGA compatible controller: X\n"
			    "> IOMMU group: 1\n"
			    "0000:00:1f.3 Audio device: Intel\n"
			    "\tIOMMU group: 10\n",
			    &l, err, sizeof(err)))
	TH_LOG("%s", err);
	EXPECT_EQ(2, l.nr);
	EXPECT_EQ(3, l.devices);
	EXPECT_EQ(1, group_of(&l, "0000:00:01.0"));
	EXPECT_EQ(1, group_of(&l, "0000:01:00.0"));
	EXPECT_EQ(10, group_of(&l, "0000:00:1f.3"));
	groups_listing_free(&l);
}

TEST(kernel_log_and_shell_loop)
{
	struct groups_listing l;
	char err[256];

	ASSERT_EQ(
		0,
		load_text(
			"[    0.5] pci 0000:00:02.0: Adding to iommu group 0\n"
			"[    0.6] pci 0000:06:00.0: Adding to iommu group 7\n"
			"IOMMU Group 7: 06:00.1 Audio device [0403]\n",
			&l, err, sizeof(err)))
	TH_LOG("%s", err);
	EXPECT_EQ(2, l.nr);
	EXPECT_EQ(0, group_of(&l, "0000:00:02.0"));
	EXPECT_EQ(7, group_of(&l, "0000:06:00.0"));
	EXPECT_EQ(7, group_of(&l, "0000:06:00.1"));
	groups_listing_free(&l);
}

TEST(errors_name_file_and_line)
{
	struct groups_listing l;
	char err[256];

	EXPECT_EQ(-1, load_text("pci 0000:00:02.0: Adding to iommu group 0\n"
				"pci 0000:00:02.0: Adding to iommu group 3\n",
				&l, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "g.txt:2: 0000:00:02.0 is listed in two"))
	TH_LOG("%s", err);
	EXPECT_EQ(-1, load_text("\tIOMMU group: 4\n", &l, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "g.txt:1: an IOMMU group line without"))
	TH_LOG("%s", err);
	EXPECT_EQ(-1, load_text("00:00.0 Host bridge: Intel\n", &l, err,
				sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "no IOMMU groups")) TH_LOG("%s", err);
}

TEST_HARNESS_MAIN
