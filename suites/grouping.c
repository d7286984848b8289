// SPDX-License-Identifier: GPL-2.0-only
/*
 * grouping: the kernel's partition of PCI devices into IOMMU groups.
 *
 * The primary oracle is the reference model (DESIGN.md): it predicts the
 * groups and their IDs from the live config space, and the kernel's
 * partition must equal the prediction.  A topology's declared groups
 * (docs/formats.md) are a cross-check: they must agree with the model,
 * and the kernel must match them exactly.
 *
 * Environment: IOG_SYSFS_ROOT (default /sys), IOG_IOMMU (intel, amd,
 * virtio or none; default: detected from ROOT/class/iommu),
 * IOG_MODULE_ORDER (modules in load order, for virtio-iommu's probe
 * order), IOG_EXPECT_GROUPS=1 (the model must load), IOG_EXPECT (default
 * /etc/iog/expect-groups).
 */
#include <stdio.h>

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

static void str_put(char **s)
{
	free(*s);
}

#define EXPECTATION(e) \
	struct sysfs_expect e __attribute__((cleanup(expect_put))) = {0}

#define PARTITION(p) \
	struct sysfs_partition p __attribute__((cleanup(partition_put))) = {0}

#define STRING(s) char *s __attribute__((cleanup(str_put))) = NULL

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

static void print_declared(const struct sysfs_expect *e)
{
	suite_print_partition(stderr, "expected", &e->groups, false);
	for (size_t i = 0; i < e->nr_nogroup; i++)
		fprintf(stderr, "# expected nogroup %s\n", e->nogroup[i]);
}

static void print_sides(const struct sysfs_expect *e,
			const struct sysfs_partition *k)
{
	print_declared(e);
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

/*
 * The expectation, which must declare groups, and the kernel's side;
 * false if the test is skipped.
 */
static bool load_declared(struct __test_metadata *_metadata,
			  struct sysfs_expect *e, struct sysfs_partition *k)
{
	if (!load_expect(_metadata, e))
		return false;
	if (!e->groups.nr)
		SKIP(return false, NO_GROUPS_REASON);
	kernel_partition(_metadata, k);
	return true;
}

/* The model's prediction as a partition; ASSERTs on ENOMEM. */
static void model_side(struct __test_metadata *_metadata,
		       const struct suite_model *sm, struct sysfs_partition *mp)
{
	int bad = suite_model_sysfs_partition(&sm->p, mp);

	ASSERT_EQ(0, bad) TH_LOG("out of memory");
}

/* The model's reason for bdf's place, or a note that it has none. */
static const char *why(const struct suite_model *sm, const char *bdf)
{
	const struct model_pdev *d = model_partition_dev(&sm->p, bdf);

	return d ? d->why : "not in the model's config space";
}

/* ---- the model as the oracle ------------------------------------------- */

TEST(model_partition_matches)
{
	SUITE_MODEL(sm);
	PARTITION(k);
	PARTITION(mp);
	STRING(diff);
	struct model_observed_group *obs;
	int n;

	if (!suite_model_get(_metadata, &sm))
		return;
	kernel_partition(_metadata, &k);
	model_side(_metadata, &sm, &mp);
	obs = calloc(k.nr ? k.nr : 1, sizeof(*obs));
	ASSERT_NE(NULL, obs) TH_LOG("out of memory");
	/*
	 * Membership only (R3-R9); IDs are model_ids_match's.  A kernel group
	 * with the members of a model group takes that group's ID, so that
	 * model_compare reports only what differs in membership.
	 */
	for (size_t i = 0; i < k.nr; i++) {
		const struct sysfs_pgroup *g =
			sysfs_partition_find(&mp, k.groups[i].bdfs[0]);

		obs[i].id = g && sysfs_pgroup_equal(g, &k.groups[i])
				    ? g->id
				    : k.groups[i].id;
		obs[i].bdfs = (const char *const *)k.groups[i].bdfs;
		obs[i].nr = k.groups[i].nr;
	}
	n = model_compare(&sm.p, obs, k.nr, &diff);
	free(obs);
	ASSERT_LE(0, n) TH_LOG("comparing: out of memory");
	if (n) {
		TH_LOG("the kernel's partition differs from the model's: %d "
		       "group(s) without an equal on the other side, each "
		       "with the model's reason per device:",
		       n);
		suite_print_text(stderr, "", diff);
		suite_print_model(stderr, &sm, &mp);
		suite_print_partition(stderr, "kernel", &k, true);
	}
	TH_LOG("%zu model groups, %zu kernel groups with PCI devices, %d "
	       "differences",
	       mp.nr, k.nr, n);
	EXPECT_EQ(0, n);
}

/* The order the model allocated IDs in (R1, R2), for the evidence. */
static void print_probe_order(const struct suite_model *sm)
{
	const struct model_pci_topo *t = model_topo(sm->m);

	if (sm->kind == MODEL_IOMMU_VIRTIO) {
		fprintf(stderr, "# model probe order (bound devices):");
		for (size_t i = 0; i < sm->nr_bound; i++)
			fprintf(stderr, " %s", sm->bound[i].bdf);
	} else {
		fprintf(stderr, "# model probe order (R2):");
		for (size_t i = 0; i < t->nr; i++)
			fprintf(stderr, " %s", t->boot_order[i]->bdf);
	}
	fprintf(stderr, "\n");
	fflush(stderr);
}

TEST(model_ids_match)
{
	SUITE_MODEL(sm);
	PARTITION(k);
	PARTITION(mp);
	size_t compared = 0, uncompared = 0, bad = 0;

	if (!suite_model_get(_metadata, &sm))
		return;
	if (!sm.order_known)
		SKIP(return, "%s", sm.order_why);
	kernel_partition(_metadata, &k);
	model_side(_metadata, &sm, &mp);
	if (!mp.nr)
		SKIP(return, "the model predicts no groups: no IDs to compare");
	/* R1 (lowest free ID) in boot probe order (R2) fixes every ID. */
	for (size_t i = 0; i < mp.nr; i++) {
		const struct sysfs_pgroup *m = &mp.groups[i];
		const struct sysfs_pgroup *g =
			sysfs_partition_find(&k, m->bdfs[0]);
		STRING(s);

		/* mp is sm.p in order; an ID the input cannot decide is no
		 * prediction (model_certainty). */
		if (!g || !sysfs_pgroup_equal(g, m) ||
		    sm.p.groups[i].certainty != MODEL_DECIDED) {
			uncompared++;
			continue;
		}
		compared++;
		if (g->id == m->id)
			continue;
		bad++;
		s = sysfs_pgroup_str(m);
		TH_LOG("group %s: model ID %ld, kernel ID %ld; wanted the "
		       "lowest free ID in probe order (R1, R2)",
		       s ? s : "?", m->id, g->id);
	}
	if (uncompared)
		TH_LOG("%zu model groups have no kernel group with the same "
		       "devices: their IDs are not compared "
		       "(model_partition_matches reports them)",
		       uncompared);
	if (bad || !compared) {
		print_probe_order(&sm);
		suite_print_model(stderr, &sm, &mp);
		suite_print_partition(stderr, "kernel", &k, true);
	}
	ASSERT_NE(0, compared)
	TH_LOG("no model group has a kernel group with the same devices: no "
	       "ID could be compared");
	TH_LOG("%zu groups compared, %zu with another ID", compared, bad);
	EXPECT_EQ(0, bad);
}

/* "group N {..}, BDF in no group" for the groups of side holding g's. */
static char *holders(const struct sysfs_partition *side,
		     const struct sysfs_pgroup *g)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	for (size_t j = 0; j < g->nr; j++) {
		const struct sysfs_pgroup *h =
			sysfs_partition_find(side, g->bdfs[j]);
		bool seen = false;
		char *s;

		for (size_t x = 0; h && x < j; x++)
			seen |= sysfs_partition_find(side, g->bdfs[x]) == h;
		if (seen)
			continue;
		if (!h) {
			fprintf(f, "%s%s in no group", ftell(f) ? ", " : "",
				g->bdfs[j]);
			continue;
		}
		s = sysfs_pgroup_str(h);
		fprintf(f, "%sgroup %ld %s", ftell(f) ? ", " : "", h->id,
			s ? s : "?");
		free(s);
	}
	fclose(f);
	return buf;
}

/*
 * What to blame: the expectation file and, if its first line says so
 * (docs/formats.md), the topology it was generated from.
 */
static void expect_origin(char *buf, size_t size)
{
	static const char tag[] = "# generated from ";
	FILE *f = fopen(expect_path(), "r");
	char line[512] = "";

	if (f && fgets(line, sizeof(line), f) &&
	    !strncmp(line, tag, strlen(tag))) {
		line[strcspn(line, "\n")] = '\0';
		snprintf(buf, size, "%s (from %s)", expect_path(),
			 line + strlen(tag));
	} else {
		snprintf(buf, size, "%s", expect_path());
	}
	if (f)
		fclose(f);
}

static bool declared(const struct sysfs_expect *e, const char *bdf)
{
	return sysfs_partition_find(&e->groups, bdf) != NULL;
}

TEST(declared_agrees_with_model)
{
	EXPECTATION(e);
	SUITE_MODEL(sm);
	PARTITION(mp);
	size_t bad = 0;

	if (!load_expect(_metadata, &e))
		return;
	if (!e.groups.nr)
		SKIP(return, NO_GROUPS_REASON);
	if (!suite_model_get(_metadata, &sm))
		return;
	model_side(_metadata, &sm, &mp);
	/* Each declared group is one model group ... */
	for (size_t i = 0; i < e.groups.nr; i++) {
		const struct sysfs_pgroup *d = &e.groups.groups[i];
		const struct sysfs_pgroup *g =
			sysfs_partition_find(&mp, d->bdfs[0]);
		STRING(ds);
		STRING(hs);

		if (g && sysfs_pgroup_equal(g, d))
			continue;
		bad++;
		ds = sysfs_pgroup_str(d);
		hs = holders(&mp, d);
		TH_LOG("declared group %s: model has %s", ds ? ds : "?",
		       hs ? hs : "?");
		for (size_t j = 0; j < d->nr; j++)
			fprintf(stderr, "#   %s: %s\n", d->bdfs[j],
				why(&sm, d->bdfs[j]));
	}
	/* ... every device the model groups is declared (completeness) ... */
	for (size_t i = 0; i < mp.nr; i++) {
		for (size_t j = 0; j < mp.groups[i].nr; j++) {
			const char *b = mp.groups[i].bdfs[j];

			if (declared(&e, b))
				continue;
			bad++;
			TH_LOG("model group %ld: %s not in any declared group: "
			       "%s",
			       mp.groups[i].id, b, why(&sm, b));
		}
	}
	/* ... and no declared nogroup device is grouped by the model. */
	for (size_t i = 0; i < e.nr_nogroup; i++) {
		const struct sysfs_pgroup *g =
			sysfs_partition_find(&mp, e.nogroup[i]);

		if (!g)
			continue;
		bad++;
		TH_LOG("declared nogroup %s: model puts it in group %ld: %s",
		       e.nogroup[i], g->id, why(&sm, e.nogroup[i]));
	}
	if (bad) {
		char origin[1024];

		expect_origin(origin, sizeof(origin));
		TH_LOG("%s and the reference model disagree: a defect in the "
		       "topology file or in the model (the kernel is not "
		       "involved)",
		       origin);
		print_declared(&e);
		suite_print_model(stderr, &sm, &mp);
	}
	TH_LOG("%zu declared groups, %zu model groups, %zu disagreements",
	       e.groups.nr, mp.nr, bad);
	EXPECT_EQ(0, bad);
}

/* ---- the declared groups as a cross-check ------------------------------ */
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

	if (!load_declared(_metadata, &e, &k))
		return;
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

	if (!load_declared(_metadata, &e, &k))
		return;
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
	/* amd-iommu's own function is one; VT-d on q35 leaves none. */
	if (!e.nr_nogroup)
		SKIP(return, "the topology declares no device outside every "
			     "group (expect-nogroup; under VT-d every PCI "
			     "device of q35 has one)");
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
