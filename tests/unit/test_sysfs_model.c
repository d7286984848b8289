// SPDX-License-Identifier: GPL-2.0-only
/*
 * The suites' kernel partition vs the reference model's, on captured trees.
 *
 * Sysfs trees built from captured config space (lib/sysfs_dump.c), as
 * captured and mutated, and virtio-iommu's probe-order grouping.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "model_util.h"
#include "sysfs_tree.h"

/* The captured guests, each tree as its kernel showed it: all agree. */
FIXTURE(faithful)
{
	char root[256];
};

FIXTURE_VARIANT(faithful)
{
	const char *name; /* tests/fixtures/lspci/NAME.{dump,observed} */
	const char *iommu; /* its class/iommu entry */
	const char *kind_env; /* IOG_IOMMU=..., or NULL: detected */
	const char *kind_from; /* how the suite says it got the kind */
	const char *nogroup; /* a device the kernel left ungrouped */
};

FIXTURE_VARIANT_ADD(faithful, acs_intel){
	.name = "q35-acs-intel",
	.iommu = "dmar0",
	.kind_from = "intel IOMMU (from ",
};

FIXTURE_VARIANT_ADD(faithful, acs_amd){
	.name = "q35-acs-amd",
	.iommu = "ivhd0",
	.kind_env = "IOG_IOMMU=amd",
	.kind_from = "amd IOMMU (from IOG_IOMMU=amd)",
	/* The AMD IOMMU's own function (observed-q35.md). */
	.nogroup = "0000:00:01.0",
};

FIXTURE_VARIANT_ADD(faithful, noacs_intel){
	.name = "q35-noacs-intel",
	.iommu = "dmar0",
	.kind_env = "IOG_IOMMU=intel",
	.kind_from = "intel IOMMU (from IOG_IOMMU=intel)",
};

FIXTURE_VARIANT_ADD(faithful, bridge_nest_intel){
	.name = "q35-bridge-nest-intel",
	.iommu = "dmar0",
	.kind_from = "/class/iommu/dmar0)",
};

FIXTURE_SETUP(faithful)
{
	ASSERT_NE(NULL, tree_make_tmp(self->root, sizeof(self->root)));
	ASSERT_EQ(0, dump_tree_build(self->root, variant->name, NULL,
				     variant->iommu));
	ASSERT_EQ(0, dump_tree_expect(self->root, variant->name,
				      variant->nogroup));
}

FIXTURE_TEARDOWN(faithful)
{
	tree_remove(self->root);
}

TEST_F(faithful, e2e_model_agrees)
{
	static struct suite_run r;
	char *exp = NULL;

	ASSERT_LE(0, asprintf(&exp, "IOG_EXPECT=%s/iog-expect", self->root));
	RUN_SUITE("grouping", &r, suite_env("IOG_SYSFS_ROOT", self->root), exp,
		  "IOG_EXPECT_GROUPS=1",
		  variant->kind_env ? variant->kind_env : "IOG_IOMMU=");
	ASSERT_SUITE_OK(&r);
	ASSERT_HAS(r.out, "\nok 1 global.model_partition_matches\n");
	ASSERT_HAS(r.out, "\nok 2 global.model_ids_match\n");
	ASSERT_HAS(r.out, "\nok 3 global.declared_agrees_with_model\n");
	ASSERT_HAS(r.out, "\nok 5 global.declared_groups_match\n");
	ASSERT_HAS(r.out, variant->kind_from);
	ASSERT_HAS(r.out, ", 0 differences");
	RUN_SUITE("sysfs_layout", &r, suite_env("IOG_SYSFS_ROOT", self->root),
		  "IOG_EXPECT_GROUPS=1",
		  variant->kind_env ? variant->kind_env : "IOG_IOMMU=",
		  "IOG_KERNEL_RELEASE=6.12.117+deb12-amd64");
	free(exp);
	ASSERT_SUITE_OK(&r);
	ASSERT_HAS(r.out, "\nok 16 global.reserved_regions_match_model\n");
	ASSERT_HAS(r.out, "# Totals: pass:15 fail:0 xfail:0 xpass:0 skip:1");
}

/* q35-acs-intel as captured, then mutated per test. */
FIXTURE(dumped)
{
	char root[256];
	char *expect; /* "IOG_EXPECT=tests/fixtures/sysfs/q35-acs.expect" */
};

FIXTURE_SETUP(dumped)
{
	char *exp = tree_fixture("q35-acs.expect");

	ASSERT_NE(NULL, exp);
	self->expect = suite_env("IOG_EXPECT", exp);
	free(exp);
	ASSERT_NE(NULL, tree_make_tmp(self->root, sizeof(self->root)));
	ASSERT_EQ(0,
		  dump_tree_build(self->root, "q35-acs-intel", NULL, "dmar0"));
}

FIXTURE_TEARDOWN(dumped)
{
	tree_remove(self->root);
}

#define MF1 "pci0000:00/0000:00:02.3/0000:05:00.1"

TEST_F(dumped, e2e_model_split_multifunction)
{
	static struct suite_run r;

	/* What 6.1 and 6.12 show after a rescan (observed-q35.md). */
	ASSERT_EQ(0, dump_tree_move(self->root, MF1, 11, 12));
	RUN_SUITE("grouping", &r, suite_env("IOG_SYSFS_ROOT", self->root),
		  self->expect, "IOG_EXPECT_GROUPS=1");
	ASSERT_SUITE_FAILS(&r);
	ASSERT_HAS(r.out, "not ok 1 global.model_partition_matches");
	/* The differing groups on both sides, each member explained. */
	ASSERT_HAS(r.out, "# - model group 11 {0000:05:00.0 0000:05:00.1}; "
			  "kernel: 0000:05:00.0 in group 11, 0000:05:00.1 in "
			  "group 12\n");
	ASSERT_HAS(r.out, "#     0000:05:00.1: function of multifunction slot "
			  "05:00 without ACS, shares with 0000:05:00.0 (R8)");
	ASSERT_HAS(r.out, "# - kernel group 12 {0000:05:00.1}; model: "
			  "0000:05:00.1 in group 11\n");
	/* Both partitions in full. */
	ASSERT_HAS(r.out, "# model group 0 {0000:00:00.0}\n");
	ASSERT_HAS(r.out, "# model group 11 {0000:05:00.0 0000:05:00.1}\n");
	ASSERT_HAS(r.out, "# kernel group 10 {0000:03:00.0 0000:04:01.0 "
			  "0000:04:02.0}\n");
	ASSERT_HAS(r.out, "# kernel group 11 {0000:05:00.0}\n");
	ASSERT_HAS(r.out, "# kernel group 12 {0000:05:00.1}\n");
	/* The other IDs are right; the declaration agrees with the model. */
	ASSERT_HAS(r.out, "\nok 2 global.model_ids_match\n");
	ASSERT_HAS(r.out, "1 model groups have no kernel group with the same "
			  "devices");
	ASSERT_HAS(r.out, "\nok 3 global.declared_agrees_with_model\n");
	/* The cross-check sees it too. */
	ASSERT_HAS(r.out, "not ok 5 global.declared_groups_match");
	ASSERT_HAS(r.out, "expected group {0000:05:00.0 0000:05:00.1}: kernel "
			  "has group 11 {0000:05:00.0}, group 12 "
			  "{0000:05:00.1}");
	ASSERT_EQ(2, suite_count(r.out, "not ok "));

	/* Regions are compared only where the groups agree. */
	RUN_SUITE("sysfs_layout", &r, suite_env("IOG_SYSFS_ROOT", self->root),
		  "IOG_EXPECT_GROUPS=1", "IOG_KERNEL_RELEASE=6.12.0");
	ASSERT_SUITE_OK(&r);
	ASSERT_HAS(r.out, "\nok 16 global.reserved_regions_match_model\n");
	ASSERT_HAS(r.out, "group 12 {0000:05:00.1}: no model group has these "
			  "devices; not compared");
	ASSERT_HAS(r.out, "11 groups compared with the model");
}

TEST_F(dumped, e2e_model_ids_swapped)
{
	static struct suite_run r;

	/* The nvme and the e1000e behind root ports trade IDs. */
	ASSERT_EQ(0,
		  dump_tree_move(self->root,
				 "pci0000:00/0000:00:02.0/0000:01:00.0", 8, 9));
	ASSERT_EQ(0,
		  dump_tree_move(self->root,
				 "pci0000:00/0000:00:02.1/0000:02:00.0", 9, 8));
	RUN_SUITE("grouping", &r, suite_env("IOG_SYSFS_ROOT", self->root),
		  "IOG_EXPECT_GROUPS=1");
	ASSERT_SUITE_FAILS(&r);
	ASSERT_HAS(r.out, "\nok 1 global.model_partition_matches\n");
	ASSERT_HAS(r.out, "not ok 2 global.model_ids_match");
	ASSERT_HAS(r.out, "group {0000:01:00.0}: model ID 8, kernel ID 9; "
			  "wanted the lowest free ID in probe order (R1, R2)");
	ASSERT_HAS(r.out, "group {0000:02:00.0}: model ID 9, kernel ID 8");
	ASSERT_HAS(r.out, "# model probe order (R2): 0000:00:00.0 "
			  "0000:00:02.0 ");
	ASSERT_HAS(r.out, "# kernel group 8 {0000:02:00.0}\n");
	ASSERT_EQ(1, suite_count(r.out, "not ok "));
}

TEST_F(dumped, e2e_model_wrong_reserved_regions)
{
	static struct suite_run r;

	/* The ICH9 group without VT-d's ISA-bridge window (R13). */
	ASSERT_EQ(0, tree_put(self->root,
			      "kernel/iommu_groups/7/reserved_regions", MSI));
	/* A well-formed line with the wrong end, in another group. */
	ASSERT_EQ(0,
		  tree_put(self->root, "kernel/iommu_groups/2/reserved_regions",
			   "0x00000000fee00000 0x00000000feeffffe msi\n"));
	RUN_SUITE("sysfs_layout", &r, suite_env("IOG_SYSFS_ROOT", self->root),
		  "IOG_EXPECT_GROUPS=1", "IOG_KERNEL_RELEASE=6.12.0");
	ASSERT_SUITE_FAILS(&r);
	ASSERT_HAS(r.out, "not ok 16 global.reserved_regions_match_model");
	ASSERT_HAS(r.out, "group 7 {0000:00:1f.0 0000:00:1f.2 0000:00:1f.3}: "
			  "reserved_regions differs from the model's (R11, "
			  "R13)");
	ASSERT_HAS(r.out, "#   kernel group 7 reserved_regions:\n"
			  "#      " MSI "#   model group 7 reserved_regions:\n"
			  "#      " ISA "#      " MSI);
	ASSERT_HAS(r.out, "group 2 {0000:00:02.1}: reserved_regions differs");
	ASSERT_HAS(r.out, "#      0x00000000fee00000 0x00000000feeffffe msi\n");
	ASSERT_HAS(r.out, "12 groups compared with the model");
	ASSERT_HAS(r.out, "2 differ");
	/* The format itself is fine: only the model can tell. */
	ASSERT_HAS(r.out, "\nok 6 global.reserved_regions_format\n");
	ASSERT_EQ(1, suite_count(r.out, "not ok "));
}

TEST_F(dumped, e2e_model_declared_disagrees)
{
	static struct suite_run r;
	char *exp = tree_fixture("q35-acs-split-mf.expect");

	ASSERT_NE(NULL, exp);
	RUN_SUITE("grouping", &r, suite_env("IOG_SYSFS_ROOT", self->root),
		  suite_env("IOG_EXPECT", exp), "IOG_EXPECT_GROUPS=1");
	free(exp);
	ASSERT_SUITE_FAILS(&r);
	/* The kernel is right; the topology file is not. */
	ASSERT_HAS(r.out, "\nok 1 global.model_partition_matches\n");
	ASSERT_HAS(r.out, "not ok 3 global.declared_agrees_with_model");
	ASSERT_HAS(r.out, "declared group {0000:05:00.0}: model has group 11 "
			  "{0000:05:00.0 0000:05:00.1}");
	ASSERT_HAS(r.out, "declared group {0000:05:00.1}: model has group 11 ");
	ASSERT_HAS(r.out, "#   0000:05:00.1: function of multifunction slot "
			  "05:00 without ACS");
	ASSERT_HAS(r.out, "q35-acs-split-mf.expect and the reference model "
			  "disagree: a defect in the topology file or in the "
			  "model");
	ASSERT_HAS(r.out, "# expected group {0000:05:00.1}\n");
	ASSERT_HAS(r.out, "not ok 5 global.declared_groups_match");
	ASSERT_EQ(2, suite_count(r.out, "not ok "));

	/* iog-topo's files name their topology: the blame goes there. */
	ASSERT_EQ(0, tree_put(self->root, "iog-expect",
			      "# generated from topologies/q35-wrong.topo\n"
			      "group 00:00.0\nnogroup 00:02.0\n"));
	ASSERT_LE(0, asprintf(&exp, "IOG_EXPECT=%s/iog-expect", self->root));
	RUN_SUITE("grouping", &r, suite_env("IOG_SYSFS_ROOT", self->root), exp,
		  "IOG_EXPECT_GROUPS=1");
	free(exp);
	ASSERT_HAS(r.out, "not ok 3 global.declared_agrees_with_model");
	ASSERT_HAS(r.out, "/iog-expect (from topologies/q35-wrong.topo) and "
			  "the reference model disagree");
	ASSERT_HAS(r.out, "declared nogroup 0000:00:02.0: model puts it in "
			  "group 1: ");
	ASSERT_HAS(r.out, "model group 11: 0000:05:00.1 not in any declared "
			  "group: function of multifunction slot 05:00");
}

TEST_F(dumped, e2e_model_config_unreadable)
{
	static struct suite_run r;
	char path[PATH_MAX];
	struct dirent **list;
	int n;

	/* What a user (not root) reads of config: the first 64 bytes. */
	snprintf(path, sizeof(path), "%s/bus/pci/devices", self->root);
	n = scandir(path, &list, NULL, alphasort);
	ASSERT_LT(0, n);
	for (int i = 0; i < n; i++) {
		if (list[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path),
				 "%s/bus/pci/devices/%s/config", self->root,
				 list[i]->d_name);
			ASSERT_EQ(0, truncate(path, 64));
		}
		free(list[i]);
	}
	free(list);
	/* Host mode as a user: SKIP with the loader's reason. */
	RUN_SUITE("grouping", &r, suite_env("IOG_SYSFS_ROOT", self->root),
		  self->expect);
	ASSERT_SUITE_OK(&r);
	ASSERT_HAS(r.out, "\nok 1 global.model_partition_matches # SKIP "
			  "reference model unavailable: ");
	ASSERT_HAS(r.out, "config space past 64 bytes is not readable (a live "
			  "system needs root");
	ASSERT_HAS(r.out, "\nok 5 global.declared_groups_match\n");
	ASSERT_HAS(r.out, "# Totals: pass:3 fail:0 xfail:0 xpass:0 skip:4");
	/* Our own guest runs as root: there it must work. */
	RUN_SUITE("grouping", &r, suite_env("IOG_SYSFS_ROOT", self->root),
		  self->expect, "IOG_EXPECT_GROUPS=1");
	ASSERT_SUITE_FAILS(&r);
	ASSERT_HAS(r.out, "not ok 1 global.model_partition_matches");
	ASSERT_HAS(r.out, "not ok 2 global.model_ids_match");
	ASSERT_HAS(r.out, "not ok 3 global.declared_agrees_with_model");
	ASSERT_HAS(r.out, "the reference model cannot read config space "
			  "although IOG_EXPECT_GROUPS=1");
	ASSERT_HAS(r.out, "config space past 64 bytes is not readable");
	ASSERT_EQ(3, suite_count(r.out, "not ok "));
	RUN_SUITE("sysfs_layout", &r, suite_env("IOG_SYSFS_ROOT", self->root),
		  "IOG_KERNEL_RELEASE=6.12.0");
	ASSERT_SUITE_OK(&r);
	ASSERT_HAS(r.out, "\nok 16 global.reserved_regions_match_model # SKIP "
			  "reference model unavailable: ");
}

TEST_F(dumped, e2e_model_iommu_kind)
{
	static struct suite_run r;

	/* No IOMMU: nothing to predict, even if groups are required. */
	RUN_SUITE("grouping", &r, suite_env("IOG_SYSFS_ROOT", self->root),
		  "IOG_IOMMU=none", "IOG_EXPECT_GROUPS=1");
	ASSERT_SUITE_OK(&r);
	ASSERT_HAS(r.out, "\nok 1 global.model_partition_matches # SKIP "
			  "IOG_IOMMU=none: no IOMMU");
	RUN_SUITE("sysfs_layout", &r, suite_env("IOG_SYSFS_ROOT", self->root),
		  "IOG_IOMMU=none", "IOG_KERNEL_RELEASE=6.12.0");
	ASSERT_SUITE_OK(&r);
	ASSERT_HAS(r.out, "\nok 16 global.reserved_regions_match_model # SKIP "
			  "IOG_IOMMU=none");
	RUN_SUITE("grouping", &r, suite_env("IOG_SYSFS_ROOT", self->root),
		  "IOG_IOMMU=arm-smmu");
	ASSERT_SUITE_FAILS(&r);
	ASSERT_HAS(r.out, "IOG_IOMMU='arm-smmu': want intel, amd, virtio or "
			  "none");
	/*
	 * The kind decides the regions: the same tree read as AMD-Vi lacks
	 * the HT window in every group, and the ISA window is VT-d's.
	 */
	RUN_SUITE("sysfs_layout", &r, suite_env("IOG_SYSFS_ROOT", self->root),
		  "IOG_IOMMU=amd", "IOG_KERNEL_RELEASE=6.12.0");
	ASSERT_SUITE_FAILS(&r);
	ASSERT_HAS(r.out, "not ok 16 global.reserved_regions_match_model");
	ASSERT_HAS(r.out, "#      0x000000fd00000000 0x000000ffffffffff "
			  "reserved\n");
	ASSERT_HAS(r.out, "12 differ");
}

/* ---- virtio-iommu: the devices drivers probe, in probe order ----------- */

struct tdrv {
	const char *driver;
	const char *module; /* the driver's module */
	bool builtin; /* built into the kernel: no initstate */
};

/*
 * The PCI drivers of topologies/q35-virtio.topo's guest, in registration
 * order (kernfs numbers the driver directories in that order).
 */
static const struct tdrv virtio_drivers[] = {
	{"pcieport", "pcieportdrv", true}, {"agpgart-intel", "intel_agp", true},
	{"shpchp", "shpchp", true},	   {"nvme", "nvme", false},
	{"e1000e", "e1000e", false},	   {"e1000", "e1000", false},
};

struct tbind {
	const char *path; /* below ROOT/devices */
	const char *driver;
};

/* q35-acs-intel's devices whose driver's probe succeeded. */
static const struct tbind virtio_binds[] = {
	{"pci0000:00/0000:00:02.0", "pcieport"},
	{"pci0000:00/0000:00:02.1", "pcieport"},
	{"pci0000:00/0000:00:02.2", "pcieport"},
	{"pci0000:00/0000:00:02.3", "pcieport"},
	{"pci0000:00/0000:00:02.4", "pcieport"},
	{"pci0000:00/0000:00:05.0", "e1000e"},
	{"pci0000:00/0000:00:02.0/0000:01:00.0", "nvme"},
	{"pci0000:00/0000:00:02.1/0000:02:00.0", "e1000e"},
	{"pci0000:00/0000:00:02.2/0000:03:00.0/0000:04:01.0", "e1000"},
	{"pci0000:00/0000:00:02.2/0000:03:00.0/0000:04:02.0", "e1000"},
	{"pci0000:00/0000:00:02.3/0000:05:00.0", "e1000e"},
	{"pci0000:00/0000:00:02.3/0000:05:00.1", "e1000e"},
};

/*
 * The kernel's links: bus/pci/drivers/D/module -> module/M; a loaded
 * module has module/M/initstate, a built-in one not.
 */
static int register_driver(const char *root, const struct tdrv *d)
{
	char link[PATH_MAX], drv[128], mod[128];

	snprintf(drv, sizeof(drv), "bus/pci/drivers/%s", d->driver);
	snprintf(mod, sizeof(mod), "module/%s", d->module);
	snprintf(link, sizeof(link), "%s/module", drv);
	if (tree_mkd(root, drv) || tree_mkd(root, mod) ||
	    tree_link_rel(root, link, mod))
		return -1;
	snprintf(link, sizeof(link), "%s/initstate", mod);
	return d->builtin ? 0 : tree_put(root, link, "live\n");
}

/* <dev>/driver -> bus/pci/drivers/D */
static int bind_driver(const char *root, const struct tbind *b)
{
	char link[PATH_MAX], drv[128];

	snprintf(drv, sizeof(drv), "bus/pci/drivers/%s", b->driver);
	snprintf(link, sizeof(link), "devices/%s/driver", b->path);
	return tree_link_rel(root, link, drv);
}

static int rmdir_in(const char *root, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return rmdir(path);
}

TEST(e2e_model_virtio_probe_order)
{
	static struct suite_run r;
	char root[256], *aliases = tree_fixture("q35-virtio.pci-aliases");
	char *alias_env;

	ASSERT_NE(NULL, aliases);
	alias_env = suite_env("IOG_PCI_ALIASES", aliases);
	ASSERT_NE(NULL, tree_make_tmp(root, sizeof(root)));
	ASSERT_EQ(0, dump_tree_build(root, "q35-acs-intel",
				     "q35-acs-virtio.groups", "viommu0"));
	/* The built-in drivers' order is their directories' inode order. */
	static const char *const builtin[] = {"pcieport", "agpgart-intel",
					      "shpchp"};
	char drivers[PATH_MAX];

	snprintf(drivers, sizeof(drivers), "%s/bus/pci/drivers", root);
	ASSERT_EQ(0, model_ut_dirs_in_inode_order(drivers, builtin, 3));
	for (size_t i = 0;
	     i < sizeof(virtio_drivers) / sizeof(virtio_drivers[0]); i++)
		ASSERT_EQ(0, register_driver(root, &virtio_drivers[i]));
	for (size_t i = 0; i < sizeof(virtio_binds) / sizeof(virtio_binds[0]);
	     i++)
		ASSERT_EQ(0, bind_driver(root, &virtio_binds[i]));

	/*
	 * Every module loaded before virtio_iommu: all devices deferred, in
	 * the order of their first driver's registration, then bus order.
	 */
	RUN_SUITE("grouping", &r, suite_env("IOG_SYSFS_ROOT", root), alias_env,
		  "IOG_IOMMU=virtio", "IOG_EXPECT_GROUPS=1",
		  "IOG_MODULE_ORDER=nvme e1000e e1000 virtio_iommu");
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.out);
	EXPECT_HAS(r.out, "\nok 1 global.model_partition_matches\n");
	EXPECT_HAS(r.out, "\nok 2 global.model_ids_match\n");
	EXPECT_HAS(r.out, "model: virtio IOMMU (from IOG_IOMMU=virtio)");
	RUN_SUITE("sysfs_layout", &r, suite_env("IOG_SYSFS_ROOT", root),
		  alias_env, "IOG_IOMMU=virtio", "IOG_EXPECT_GROUPS=1",
		  "IOG_KERNEL_RELEASE=6.12.0",
		  "IOG_MODULE_ORDER=nvme e1000e e1000 virtio_iommu");
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.out);
	EXPECT_HAS(r.out, "\nok 16 global.reserved_regions_match_model\n");

	/*
	 * The guest's order (topologies/q35-virtio.topo): the deferred
	 * retry and the modules' probes race, so the IDs are not compared.
	 */
	RUN_SUITE("grouping", &r, suite_env("IOG_SYSFS_ROOT", root), alias_env,
		  "IOG_IOMMU=virtio", "IOG_EXPECT_GROUPS=1",
		  "IOG_MODULE_ORDER=virtio_iommu nvme e1000e e1000");
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.out);
	EXPECT_HAS(r.out, "\nok 1 global.model_partition_matches\n");
	EXPECT_HAS(r.out, "\nok 2 global.model_ids_match # SKIP virtio-iommu "
			  "groups 0000:00:02.0 (pcieport, deferred until "
			  "virtio_iommu registered) from the deferred-probe "
			  "work and 0000:01:00.0 (nvme) as its module loads");

	/* Without the load order the membership is still checked. */
	RUN_SUITE("grouping", &r, suite_env("IOG_SYSFS_ROOT", root), alias_env,
		  "IOG_IOMMU=virtio", "IOG_EXPECT_GROUPS=1");
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.out);
	EXPECT_HAS(r.out, "\nok 1 global.model_partition_matches\n");
	EXPECT_HAS(r.out, "\nok 2 global.model_ids_match # SKIP virtio-iommu "
			  "numbers groups in driver probe order and "
			  "IOG_MODULE_ORDER is not set");

	/* Another load order predicts other IDs ('-' and '_' alike). */
	RUN_SUITE("grouping", &r, suite_env("IOG_SYSFS_ROOT", root), alias_env,
		  "IOG_IOMMU=virtio", "IOG_EXPECT_GROUPS=1",
		  "IOG_MODULE_ORDER=e1000 e1000e nvme virtio-iommu");
	EXPECT_NE(0, r.status);
	EXPECT_HAS(r.out, "\nok 1 global.model_partition_matches\n");
	EXPECT_HAS(r.out, "not ok 2 global.model_ids_match");
	EXPECT_HAS(r.out, "group {0000:01:00.0}: model ID 10, kernel ID 7");
	EXPECT_HAS(r.out, "group {0000:00:05.0}: model ID 7, kernel ID 8");
	EXPECT_HAS(r.out, "# model probe order (bound devices): 0000:00:02.0 "
			  "0000:00:02.1 0000:00:02.2 0000:00:02.3 0000:00:02.4 "
			  "0000:03:00.0 0000:00:00.0 0000:04:01.0 "
			  "0000:04:02.0 0000:00:05.0 0000:02:00.0 "
			  "0000:05:00.0 0000:05:00.1 0000:01:00.0\n");

	/* A grouped device whose module the order does not name. */
	RUN_SUITE("grouping", &r, suite_env("IOG_SYSFS_ROOT", root), alias_env,
		  "IOG_IOMMU=virtio", "IOG_EXPECT_GROUPS=1",
		  "IOG_MODULE_ORDER=nvme e1000e virtio_iommu");
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.out);
	EXPECT_HAS(r.out, "\nok 2 global.model_ids_match # SKIP 0000:04:01.0's "
			  "driver module e1000 is not in "
			  "IOG_MODULE_ORDER='nvme e1000e virtio_iommu'");

	/* No alias file: our own guest must have one; host mode skips. */
	RUN_SUITE("grouping", &r, suite_env("IOG_SYSFS_ROOT", root),
		  "IOG_PCI_ALIASES=/nonexistent/pci-aliases",
		  "IOG_IOMMU=virtio", "IOG_EXPECT_GROUPS=1");
	EXPECT_NE(0, r.status);
	EXPECT_HAS(r.out, "not ok 1 global.model_partition_matches");
	EXPECT_HAS(r.out, "/nonexistent/pci-aliases: No such file or directory "
			  "(IOG_EXPECT_GROUPS=1: harness/image.sh ships the "
			  "alias file)");
	RUN_SUITE("grouping", &r, suite_env("IOG_SYSFS_ROOT", root),
		  "IOG_PCI_ALIASES=/nonexistent/pci-aliases",
		  "IOG_IOMMU=virtio");
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.out);
	EXPECT_HAS(r.out, "\nok 1 global.model_partition_matches # SKIP "
			  "virtio-iommu groups the devices a driver probes, "
			  "and which those are comes from the drivers' ID "
			  "tables: /nonexistent/pci-aliases: No such file");

	/* A built-in driver whose table is unknown: the prediction skips. */
	ASSERT_EQ(0, register_driver(
			     root, &(struct tdrv){"mystery", "mystery", true}));
	RUN_SUITE("grouping", &r, suite_env("IOG_SYSFS_ROOT", root), alias_env,
		  "IOG_IOMMU=virtio", "IOG_EXPECT_GROUPS=1");
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.out);
	EXPECT_HAS(r.out, "\nok 1 global.model_partition_matches # SKIP "
			  "virtio-iommu groups the devices a driver probes, "
			  "and which those are cannot be derived: no ID table "
			  "in ");
	EXPECT_HAS(r.out, "q35-virtio.pci-aliases for the built-in PCI "
			  "driver(s) mystery");
	ASSERT_EQ(0, tree_rm(root, "bus/pci/drivers/mystery/module"));
	ASSERT_EQ(0, rmdir_in(root, "bus/pci/drivers/mystery"));

	/*
	 * No driver for the nvme any more (module gone): the kernel's group
	 * for it is a difference, with the model's reason.
	 */
	ASSERT_EQ(0,
		  tree_rm(root, "devices/pci0000:00/0000:00:02.0/0000:01:00.0/"
				"driver"));
	ASSERT_EQ(0, tree_rm(root, "bus/pci/drivers/nvme/module"));
	ASSERT_EQ(0, rmdir_in(root, "bus/pci/drivers/nvme"));
	RUN_SUITE("grouping", &r, suite_env("IOG_SYSFS_ROOT", root), alias_env,
		  "IOG_IOMMU=virtio", "IOG_EXPECT_GROUPS=1");
	EXPECT_NE(0, r.status);
	EXPECT_HAS(r.out, "not ok 1 global.model_partition_matches");
	EXPECT_HAS(r.out, "# - kernel group 7 {0000:01:00.0}; model: "
			  "0000:01:00.0 in no group\n");
	EXPECT_HAS(r.out, "#     0000:01:00.0: no group: no registered "
			  "driver's ID table matches it: no driver probes it");
	tree_remove(root);
	free(aliases);
}

TEST_HARNESS_MAIN
