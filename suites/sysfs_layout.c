// SPDX-License-Identifier: GPL-2.0-only
/*
 * sysfs_layout: the §9 invariants of /sys/kernel/iommu_groups and the
 * device-side links, one test each, on whatever kernel is running; and each
 * group's reserved_regions against the reference model's prediction.
 *
 * Environment: IOG_SYSFS_ROOT (default /sys), IOG_EXPECT_GROUPS=1 when the
 * topology has an IOMMU (then "no groups" is a failure, and the model must
 * load), IOG_IOMMU (intel, amd, virtio or none; default: detected) and
 * IOG_MODULE_ORDER for the model (see suite.h), and IOG_KERNEL_RELEASE to
 * pretend another uname -r on a crafted tree.
 */
#include "kselftest_harness.h"
#include "suite.h"

typedef size_t (*layout_check)(const struct sysfs_snapshot *,
			       struct sysfs_problems *);

/*
 * Run one per-group check.  It SKIPs when there is nothing to look at, so
 * an absent tree never passes as a conforming one.
 */
static void run_check(struct __test_metadata *_metadata, layout_check fn,
		      const char *items, const char *rule)
{
	SUITE_SNAPSHOT(s);
	SUITE_PROBLEMS(p);
	size_t n, problems;

	if (!s.groups_is_dir)
		SKIP(return, "%s absent: no IOMMU groups to check",
			   s.groups_path);
	if (!s.nr_groups)
		SKIP(return, "no groups in %s", s.groups_path);
	n = fn(&s, &p);
	if (!n)
		SKIP(return, "no %s among %zu groups in %s", items, s.nr_groups,
			   s.groups_path);
	problems = SUITE_LOG_PROBLEMS(&p);
	TH_LOG("%s: %zu %s checked across %zu groups: %zu problem(s)", rule, n,
	       items, s.nr_groups, problems);
	EXPECT_EQ(0, problems);
}

/* A test that is one run_check. */
#define CHECK_TEST(name, fn, items, rule)              \
	TEST(name)                                     \
	{                                              \
		run_check(_metadata, fn, items, rule); \
	}

static size_t present_resv(const struct sysfs_snapshot *s,
			   struct sysfs_problems *p)
{
	return sysfs_check_present(s, SYSFS_FEAT_RESERVED_REGIONS, p);
}

static size_t present_type(const struct sysfs_snapshot *s,
			   struct sysfs_problems *p)
{
	return sysfs_check_present(s, SYSFS_FEAT_TYPE, p);
}

/* An attribute that appeared in kernel release X.Y (§2, §9.2). */
static void run_present(struct __test_metadata *_metadata, enum sysfs_feature f)
{
	struct sysfs_kver since = sysfs_feature_since(f);
	const char *attr = sysfs_feature_name(f);
	char release[128];
	struct sysfs_kver v;
	int bad;

	bad = sysfs_kver_running(&v, release, sizeof(release));
	ASSERT_EQ(0, bad)
	TH_LOG("cannot parse kernel release '%s'; wanted MAJOR.MINOR...",
	       release);
	if (!sysfs_kver_has(&v, f))
		SKIP(return, "kernel %s predates %s (added in %d.%d)", release,
			   attr, since.major, since.minor);
	TH_LOG("kernel %s >= %d.%d: every group must have %s", release,
	       since.major, since.minor, attr);
	if (f == SYSFS_FEAT_RESERVED_REGIONS)
		run_check(_metadata, present_resv, "groups", "§9.2");
	else
		run_check(_metadata, present_type, "groups", "§9.2");
}

TEST(groups_root_exists)
{
	SUITE_SNAPSHOT(s);

	if (!s.groups_present && suite_expect_groups()) {
		TH_LOG("%s absent (%s) although IOG_EXPECT_GROUPS=1: the "
		       "topology has an IOMMU, so the kernel needs "
		       "CONFIG_IOMMU_API (§9.1)",
		       s.groups_path, strerror(s.groups_err));
		ASSERT_TRUE(s.groups_present);
	}
	if (!s.groups_present)
		SKIP(return,
			   "%s absent: kernel built without CONFIG_IOMMU_API "
			   "(§9.1)",
			   s.groups_path);
	EXPECT_TRUE(s.groups_is_dir)
	TH_LOG("%s is not a directory; wanted a directory (§9.1)",
	       s.groups_path);
	EXPECT_EQ(0, s.groups_err)
	TH_LOG("cannot list %s: %s", s.groups_path, strerror(s.groups_err));
	TH_LOG("%s: %zu entries", s.groups_path, s.nr_groups);
}

TEST(groups_present)
{
	SUITE_SNAPSHOT(s);

	if (!s.groups_is_dir)
		SKIP(return, "%s absent: no IOMMU groups", s.groups_path);
	if (!s.nr_groups && !suite_expect_groups())
		SKIP(return,
			   "no IOMMU groups in %s (IOG_EXPECT_GROUPS not set: "
			   "none required)",
			   s.groups_path);
	ASSERT_NE(0, s.nr_groups)
	TH_LOG("no IOMMU groups although %s exists; IOG_EXPECT_GROUPS=1 says "
	       "the topology has an IOMMU",
	       s.groups_path);
	for (size_t i = 0; i < s.nr_groups; i++) {
		const struct sysfs_group *g = &s.groups[i];
		char *type = g->type.data ? strndup(g->type.data,
						    strcspn(g->type.data, "\n"))
					  : NULL;
		char *name = sysfs_escape(g->name);
		char *etype = type ? sysfs_escape(type) : NULL;

		/* Evidence only: names are escaped to keep one line each. */
		TH_LOG("group %s: %zu devices/ entries, type %s",
		       name ? name : "?", g->nr_members,
		       etype ? etype : "(none)");
		free(etype);
		free(type);
		free(name);
	}
	TH_LOG("%zu groups, %zu devices with an iommu_group link", s.nr_groups,
	       s.nr_devices);
}

CHECK_TEST(group_ids_decimal_distinct, sysfs_check_group_ids, "group entries",
	   "§9.1")

CHECK_TEST(group_has_devices_dir, sysfs_check_devices_dirs, "group directories",
	   "§9.2")

TEST(reserved_regions_present)
{
	run_present(_metadata, SYSFS_FEAT_RESERVED_REGIONS);
}

CHECK_TEST(reserved_regions_format, sysfs_check_reserved_regions,
	   "reserved_regions files", "§9.6")

TEST(type_present)
{
	run_present(_metadata, SYSFS_FEAT_TYPE);
}

CHECK_TEST(type_vocabulary, sysfs_check_type, "type files", "§9.7")

/* name is optional (§2.3): no name file at all is a SKIP. */
CHECK_TEST(name_one_line, sysfs_check_name, "name files", "§9.2")

CHECK_TEST(device_links_resolve, sysfs_check_forward_links, "devices/ entries",
	   "§9.3")

CHECK_TEST(device_links_symmetric, sysfs_check_back_links, "member devices",
	   "§9.3")

CHECK_TEST(entry_names_match_devices, sysfs_check_entry_names,
	   "devices/ entries", "§9.3")

CHECK_TEST(device_in_one_group, sysfs_check_membership,
	   "member and linked devices", "§9.4")

CHECK_TEST(no_empty_groups, sysfs_check_nonempty, "listable devices/ dirs",
	   "§9.5")

CHECK_TEST(grouped_devices_have_iommu_link, sysfs_check_iommu_links,
	   "devices with an iommu_group link", "§9.10")

/* A group's PCI members (devices/ entries named like a BDF), sorted. */
static int group_pci(const struct sysfs_group *g, struct sysfs_pgroup *pg)
{
	memset(pg, 0, sizeof(*pg));
	pg->id = g->id;
	pg->bdfs = calloc(g->nr_members ? g->nr_members : 1, sizeof(*pg->bdfs));
	if (!pg->bdfs)
		return -1;
	/* members are sorted by name, so the BDFs come out sorted. */
	for (size_t i = 0; i < g->nr_members; i++)
		if (sysfs_is_bdf(g->members[i].name))
			pg->bdfs[pg->nr++] = g->members[i].name;
	return 0;
}

/* The file's bytes equal the model's text (the format is R11's). */
static bool resv_equal(const struct model_pgroup *mg,
		       const struct sysfs_file *f)
{
	return mg && !f->truncated && strlen(mg->resv) == f->len &&
	       !memcmp(mg->resv, f->data, f->len);
}

/* Both sides in full, one "# " line each. */
static void print_resv(const struct sysfs_group *g,
		       const struct model_pgroup *mg)
{
	fprintf(stderr, "#   kernel group %s reserved_regions:%s\n", g->name,
		g->reserved_regions.len ? "" : " (empty)");
	suite_print_text(stderr, "     ", g->reserved_regions.data);
	if (mg) {
		fprintf(stderr, "#   model group %d reserved_regions:%s\n",
			mg->id, *mg->resv ? "" : " (empty)");
		suite_print_text(stderr, "     ", mg->resv);
	}
}

TEST(reserved_regions_match_model)
{
	SUITE_SNAPSHOT(s);
	SUITE_MODEL(sm);
	struct sysfs_partition mp = {0};
	size_t compared = 0, absent = 0, unmatched = 0, bad = 0;

	if (!s.groups_is_dir)
		SKIP(return, "%s absent: no IOMMU groups to check",
			   s.groups_path);
	if (!suite_model_get(_metadata, &sm))
		return;
	ASSERT_EQ(0, suite_model_sysfs_partition(&sm.p, &mp))
	TH_LOG("out of memory");
	/*
	 * R11, R13: a group's regions are its members' vendor regions,
	 * merged.  Compare where the kernel's group has the devices of a
	 * model group; membership itself is the grouping suite's.
	 */
	for (size_t i = 0; i < s.nr_groups; i++) {
		const struct sysfs_group *g = &s.groups[i];
		const struct sysfs_pgroup *m;
		const struct model_pgroup *mg;
		struct sysfs_pgroup pg;
		char *str;

		if (!g->is_dir || g->id < 0)
			continue;
		ASSERT_EQ(0, group_pci(g, &pg)) TH_LOG("out of memory");
		m = pg.nr ? sysfs_partition_find(&mp, pg.bdfs[0]) : NULL;
		str = sysfs_pgroup_str(&pg);
		if (!pg.nr) {
			/* No PCI member: nothing the model knows about. */
		} else if (!m || !sysfs_pgroup_equal(m, &pg)) {
			unmatched++;
			TH_LOG("group %s %s: no model group has these devices; "
			       "not compared (the grouping suite reports it)",
			       g->name, str ? str : "?");
		} else if (!g->reserved_regions.present ||
			   !g->reserved_regions.data) {
			absent++;
		} else {
			compared++;
			mg = model_partition_group(&sm.p, (int)m->id);
			if (!resv_equal(mg, &g->reserved_regions)) {
				bad++;
				TH_LOG("group %s %s: reserved_regions differs "
				       "from the model's (R11, R13)",
				       g->name, str ? str : "?");
				print_resv(g, mg);
			}
		}
		free(str);
		free(pg.bdfs);
	}
	sysfs_partition_free(&mp);
	if (!compared && !bad)
		SKIP(return,
			   "no group to compare: %zu without reserved_regions, "
			   "%zu not grouped as the model predicts",
			   absent, unmatched);
	TH_LOG("%zu groups compared with the model (%zu without the file, %zu "
	       "grouped otherwise): %zu differ",
	       compared, absent, unmatched, bad);
	EXPECT_EQ(0, bad);
}

TEST_HARNESS_MAIN
