// SPDX-License-Identifier: GPL-2.0-only
/*
 * grouping: the kernel's partition of PCI devices into IOMMU groups must
 * equal the one the topology declares (docs/formats.md), exactly: declared
 * groups match kernel groups, and every grouped PCI device is declared.
 *
 * Environment: IOG_EXPECT (default /etc/iog/expect-groups) and
 * IOG_SYSFS_ROOT (default /sys).
 */
#include "kselftest_harness.h"
#include "suite.h"

#define NO_GROUPS_REASON "no expected groups declared for this topology"

static const char *expect_path(void)
{
	const char *e = getenv("IOG_EXPECT");

	return e && *e ? e : "/etc/iog/expect-groups";
}

static void expect_put(struct sysfs_expect *e)
{
	sysfs_expect_free(e);
}

static void partition_put(struct sysfs_partition *p)
{
	sysfs_partition_free(p);
}

#define EXPECTATION(e) \
	struct sysfs_expect e __attribute__((cleanup(expect_put))) = {0}

#define PARTITION(p) \
	struct sysfs_partition p __attribute__((cleanup(partition_put))) = {0}

/*
 * Load the expectation file.  A missing file SKIPs (the topology declares
 * nothing); a malformed one fails, since then nothing is being checked.
 * Returns false when the test has been ended.
 */
static bool load_expect(struct __test_metadata *_metadata,
			struct sysfs_expect *e)
{
	char err[SYSFS_ERR_LEN];
	int bad, saved;

	bad = sysfs_expect_load(expect_path(), e, err, sizeof(err));
	saved = bad ? errno : 0;
	if (bad && saved == ENOENT)
		SKIP(return false, NO_GROUPS_REASON " (%s absent)",
			    expect_path());
	ASSERT_EQ(0, bad)
	TH_LOG("expectation file %s: %s", expect_path(), err);
	return true;
}

static void print_sides(const struct sysfs_expect *e,
			const struct sysfs_partition *k)
{
	suite_print_partition(stderr, "expected", &e->groups, false);
	for (size_t i = 0; i < e->nr_nogroup; i++)
		fprintf(stderr, "# expected nogroup %s\n", e->nogroup[i]);
	suite_print_partition(stderr, "kernel", k, true);
}

/* The kernel's side; ASSERTs on failure to read it. */
static void kernel_partition(struct __test_metadata *_metadata,
			     struct sysfs_partition *k)
{
	SUITE_SNAPSHOT(s);
	int bad;

	if (!s.groups_is_dir)
		TH_LOG("%s absent: the kernel has no IOMMU groups",
		       s.groups_path);
	bad = sysfs_partition_build(&s, k);
	ASSERT_EQ(0, bad) TH_LOG("out of memory");
}

TEST(declared_devices_exist)
{
	EXPECTATION(e);
	size_t n = 0, missing = 0;

	if (!load_expect(_metadata, &e))
		return;
	if (!e.groups.nr && !e.nr_nogroup)
		SKIP(return, NO_GROUPS_REASON);
	for (size_t i = 0; i <= e.groups.nr; i++) {
		char **v =
			i < e.groups.nr ? e.groups.groups[i].bdfs : e.nogroup;
		size_t nr =
			i < e.groups.nr ? e.groups.groups[i].nr : e.nr_nogroup;

		for (size_t j = 0; j < nr; j++) {
			struct sysfs_pci_dev d;

			ASSERT_EQ(0, sysfs_pci_dev_get(NULL, v[j], &d));
			n++;
			if (!d.present) {
				TH_LOG("declared %s %s: missing from "
				       "%s/bus/pci/devices; wanted the device "
				       "present",
				       i < e.groups.nr ? "group member"
						       : "nogroup device",
				       v[j], sysfs_root());
				missing++;
			}
			sysfs_pci_dev_free(&d);
		}
	}
	TH_LOG("%zu declared devices, %zu missing", n, missing);
	EXPECT_EQ(0, missing);
}

TEST(declared_groups_match)
{
	EXPECTATION(e);
	PARTITION(k);
	SUITE_PROBLEMS(p);
	size_t n, problems;

	if (!load_expect(_metadata, &e))
		return;
	if (!e.groups.nr)
		SKIP(return, NO_GROUPS_REASON);
	kernel_partition(_metadata, &k);
	n = sysfs_check_declared_groups(&e.groups, &k, &p);
	problems = SUITE_LOG_PROBLEMS(&p);
	if (problems)
		print_sides(&e, &k);
	TH_LOG("%zu declared groups, %zu differ from the kernel's", n,
	       problems);
	EXPECT_EQ(0, problems);
}

TEST(grouped_devices_declared)
{
	EXPECTATION(e);
	PARTITION(k);
	SUITE_PROBLEMS(p);
	size_t n, problems;

	if (!load_expect(_metadata, &e))
		return;
	if (!e.groups.nr)
		SKIP(return, NO_GROUPS_REASON);
	kernel_partition(_metadata, &k);
	/* Declared groups but none in the kernel is no completeness. */
	if (!k.nr) {
		print_sides(&e, &k);
		TH_LOG("the kernel grouped no PCI device although %zu groups "
		       "are declared",
		       e.groups.nr);
	}
	ASSERT_NE(0, k.nr);
	n = sysfs_check_groups_declared(&e.groups, &k, &p);
	problems = SUITE_LOG_PROBLEMS(&p);
	if (problems)
		print_sides(&e, &k);
	TH_LOG("%zu grouped PCI devices in %zu kernel groups, %zu groups with "
	       "undeclared devices",
	       n, k.nr, problems);
	EXPECT_EQ(0, problems);
}

TEST(nogroup_devices_ungrouped)
{
	EXPECTATION(e);
	PARTITION(k);
	size_t bad = 0;

	if (!load_expect(_metadata, &e))
		return;
	if (!e.nr_nogroup)
		SKIP(return, "no nogroup devices declared for this topology");
	kernel_partition(_metadata, &k);
	for (size_t i = 0; i < e.nr_nogroup; i++) {
		const struct sysfs_pgroup *g =
			sysfs_partition_find(&k, e.nogroup[i]);
		struct sysfs_pci_dev d;

		ASSERT_EQ(0, sysfs_pci_dev_get(NULL, e.nogroup[i], &d));
		if (!d.present) {
			TH_LOG("nogroup %s: missing from %s/bus/pci/devices; "
			       "cannot show it has no group",
			       e.nogroup[i], sysfs_root());
			bad++;
		} else if (d.has_group_link) {
			TH_LOG("nogroup %s: has iommu_group -> %s (group %ld); "
			       "wanted no iommu_group link",
			       e.nogroup[i], d.group_real ? d.group_real : "?",
			       d.group_id);
			bad++;
		} else if (g) {
			TH_LOG("nogroup %s: listed in group %ld's devices/; "
			       "wanted in no group",
			       e.nogroup[i], g->id);
			bad++;
		} else {
			TH_LOG("nogroup %s: no iommu_group link, as declared",
			       e.nogroup[i]);
		}
		sysfs_pci_dev_free(&d);
	}
	EXPECT_EQ(0, bad);
}

TEST_HARNESS_MAIN
