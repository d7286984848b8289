// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the reference model (harness/model): group core, reserved
 * region merging, ACS predicates, and end to end against the groups real
 * guests produced (the .observed files under tests/fixtures/lspci).
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pci/pci.h>

#include "kselftest_harness.h"
#include "unit_util.h"

#include "group_core.h"
#include "iommu_ops.h"
#include "kimage.h"
#include "model.h"
#include "pci_device_group.h"
#include "pci_topo.h"
#include "probe.h"
#include "resv.h"

/* Tests run from the top of the tree (tests/run.sh); IOG_FIXTURES overrides. */
static const char *fixtures(void)
{
	const char *e = getenv("IOG_FIXTURES");

	return e && *e ? e : "tests/fixtures";
}

static char *fixture(const char *rel)
{
	static char path[4][1024];
	static int next;
	char *p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/%s", fixtures(), rel);
	return p;
}

/* ---- the .observed format: "ID: BDF ...", "=== RESV", "group N", ... --- */

#define OBS_GROUPS 64
#define OBS_MEMBERS 32

struct obs_group {
	long id;
	char bdfs[OBS_MEMBERS][16];
	const char *ptrs[OBS_MEMBERS];
	size_t nr;
	char resv[2048];
	char type[32];
	bool has_resv;
};

struct obs {
	struct obs_group g[OBS_GROUPS];
	size_t nr;
	struct model_observed_group og[OBS_GROUPS];
};

static struct obs_group *obs_find(struct obs *o, long id)
{
	for (size_t i = 0; i < o->nr; i++)
		if (o->g[i].id == id)
			return &o->g[i];
	return NULL;
}

/* NULL on a read or format error (message on stderr). */
static struct obs *obs_load(const char *path)
{
	struct obs *o = calloc(1, sizeof(*o));
	FILE *f = fopen(path, "r");
	struct obs_group *cur = NULL;
	bool resv = false;
	char line[1024];

	if (!o || !f) {
		fprintf(stderr, "# %s: %s\n", path, strerror(errno));
		free(o);
		if (f)
			fclose(f);
		return NULL;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s = line, *tok, *save;
		long id;

		line[strcspn(line, "\n")] = '\0';
		if (!*s || *s == '#')
			continue;
		if (!strcmp(s, "=== RESV")) {
			resv = true;
			continue;
		}
		if (!resv) {
			id = strtol(s, &tok, 10);
			if (*tok != ':' || o->nr == OBS_GROUPS)
				goto bad;
			cur = &o->g[o->nr++];
			cur->id = id;
			for (tok = strtok_r(tok + 1, " ", &save); tok;
			     tok = strtok_r(NULL, " ", &save)) {
				if (cur->nr == OBS_MEMBERS)
					goto bad;
				snprintf(cur->bdfs[cur->nr], 16, "%s", tok);
				cur->ptrs[cur->nr] = cur->bdfs[cur->nr];
				cur->nr++;
			}
		} else if (sscanf(s, "group %ld", &id) == 1) {
			cur = obs_find(o, id);
			if (!cur)
				goto bad;
			cur->has_resv = true;
		} else if (cur && !strncmp(s, "type ", 5)) {
			snprintf(cur->type, sizeof(cur->type), "%.31s", s + 5);
		} else if (cur && !strncmp(s, "0x", 2)) {
			size_t off = strlen(cur->resv);

			snprintf(cur->resv + off, sizeof(cur->resv) - off,
				 "%s\n", s);
		} else {
			goto bad;
		}
	}
	fclose(f);
	for (size_t i = 0; i < o->nr; i++) {
		o->og[i].id = o->g[i].id;
		o->og[i].bdfs = o->g[i].ptrs;
		o->og[i].nr = o->g[i].nr;
		o->og[i].resv = o->g[i].has_resv ? o->g[i].resv : NULL;
		o->og[i].type = o->g[i].has_resv ? o->g[i].type : NULL;
	}
	return o;
bad:
	fprintf(stderr, "# %s: cannot parse '%s'\n", path, line);
	fclose(f);
	free(o);
	return NULL;
}

/* Load a dump and boot it; NULL with the error on stderr. */
static struct model *boot_dump(const char *path, const struct model_opts *o)
{
	char err[MODEL_ERR_LEN];
	struct model *m;

	if (model_load_dump(&m, path, err, sizeof(err))) {
		fprintf(stderr, "# %s\n", err);
		return NULL;
	}
	if (model_boot(m, o, err, sizeof(err))) {
		fprintf(stderr, "# %s\n", err);
		model_free(m);
		return NULL;
	}
	return m;
}

/* The group ID of bdf in p, -1 if none, -2 if no such device. */
static int group_of(const struct model_partition *p, const char *bdf)
{
	const struct model_pdev *d = model_partition_dev(p, bdf);

	return d ? d->group : -2;
}

static const char *why_of(const struct model_partition *p, const char *bdf)
{
	const struct model_pdev *d = model_partition_dev(p, bdf);

	return d ? d->why : "";
}

/* ---- group core ------------------------------------------------------- */

TEST(ida_lowest_free_and_reuse)
{
	struct model_ida ida = {0};

	for (int i = 0; i < 3; i++)
		ASSERT_EQ(i, model_ida_alloc(&ida));
	model_ida_free(&ida, 1);
	EXPECT_FALSE(model_ida_is_used(&ida, 1));
	EXPECT_EQ(1, model_ida_alloc(&ida));
	model_ida_free(&ida, 0);
	model_ida_free(&ida, 2);
	EXPECT_EQ(0, model_ida_alloc(&ida));
	EXPECT_EQ(2, model_ida_alloc(&ida));
	EXPECT_EQ(3, model_ida_alloc(&ida));
	/* Past one word: growth keeps lowest-free semantics. */
	for (int i = 4; i < 200; i++)
		ASSERT_EQ(i, model_ida_alloc(&ida));
	model_ida_free(&ida, 130);
	model_ida_free(&ida, 65);
	EXPECT_EQ(65, model_ida_alloc(&ida));
	EXPECT_EQ(130, model_ida_alloc(&ida));
	EXPECT_EQ(200, model_ida_alloc(&ida));
	/* Freeing an unused or negative ID changes nothing. */
	model_ida_free(&ida, 5000);
	model_ida_free(&ida, -1);
	EXPECT_EQ(201, model_ida_alloc(&ida));
	model_ida_destroy(&ida);
}

static int count_dev(struct model_device *dev, void *data)
{
	char *order = data;

	strcat(order, dev->name);
	strcat(order, " ");
	return !strcmp(dev->name, "c") ? 7 : 0;
}

TEST(group_refcount_teardown_and_events)
{
	struct model_group_core core;
	struct model_device a = {.name = "a"}, b = {.name = "b"},
			    c = {.name = "c"}, d = {.name = "d"};
	struct model_iommu_group *g0, *g1, *held, *g;
	char order[64] = "";

	model_group_core_init(&core);
	g0 = model_iommu_group_alloc(&core);
	ASSERT_NE(NULL, g0);
	ASSERT_EQ(0, model_iommu_group_id(g0));
	ASSERT_EQ(0, model_iommu_group_add_device(g0, &a));
	ASSERT_EQ(0, model_iommu_group_add_device(g0, &b));
	ASSERT_EQ(0, model_iommu_group_add_device(g0, &c));
	/* The allocation reference goes; membership keeps the group. */
	model_iommu_group_put(g0);
	EXPECT_EQ(3, g0->refcount);
	g1 = model_iommu_group_alloc(&core);
	ASSERT_EQ(1, model_iommu_group_id(g1));
	ASSERT_EQ(0, model_iommu_group_add_device(g1, &d));
	model_iommu_group_put(g1);

	/* for_each: join order, stops at the first non-zero return. */
	EXPECT_EQ(7, model_iommu_group_for_each_dev(g0, order, count_dev));
	EXPECT_STREQ("a b c ", order);

	/* An outside holder (a VFIO group fd, §1.3) pins the group. */
	held = model_iommu_group_get(&b);
	ASSERT_EQ(g0, held);
	model_iommu_group_notify_driver(&b, MODEL_EV_BIND_DRIVER);
	model_iommu_group_remove_device(&a);
	model_iommu_group_remove_device(&b);
	model_iommu_group_remove_device(&c);
	EXPECT_EQ(NULL, c.iommu_group);
	EXPECT_EQ(0, (int)g0->nr_devices);
	EXPECT_EQ(0, (int)core.nr_released);
	EXPECT_EQ(g0, model_group_core_find(&core, 0));
	/* Still pinned: a new group cannot take ID 0. */
	g = model_iommu_group_alloc(&core);
	EXPECT_EQ(2, model_iommu_group_id(g));
	model_iommu_group_put(g); /* no members: freed at once (R10) */
	EXPECT_EQ(1, (int)core.nr_released);
	/* Last put: the group goes, and its ID is free again. */
	model_iommu_group_put(held);
	EXPECT_EQ(2, (int)core.nr_released);
	EXPECT_EQ(NULL, model_group_core_find(&core, 0));
	EXPECT_FALSE(model_ida_is_used(&core.ida, 0));
	g = model_iommu_group_alloc(&core);
	EXPECT_EQ(0, model_iommu_group_id(g));
	model_iommu_group_put(g);

	/* Ungrouped devices produce no driver events. */
	model_iommu_group_notify_driver(&a, MODEL_EV_BIND_DRIVER);
	model_iommu_group_remove_device(&d);

	static const struct {
		enum model_group_event type;
		int id;
		const char *dev;
	} want[] = {
		{MODEL_EV_ADD_DEVICE, 0, "a"},	{MODEL_EV_ADD_DEVICE, 0, "b"},
		{MODEL_EV_ADD_DEVICE, 0, "c"},	{MODEL_EV_ADD_DEVICE, 1, "d"},
		{MODEL_EV_BIND_DRIVER, 0, "b"}, {MODEL_EV_DEL_DEVICE, 0, "a"},
		{MODEL_EV_DEL_DEVICE, 0, "b"},	{MODEL_EV_DEL_DEVICE, 0, "c"},
		{MODEL_EV_DEL_DEVICE, 1, "d"},
	};
	ASSERT_EQ(sizeof(want) / sizeof(want[0]), core.nr_events);
	for (size_t i = 0; i < core.nr_events; i++) {
		EXPECT_EQ(want[i].type, core.events[i].type);
		EXPECT_EQ(want[i].id, core.events[i].group_id);
		EXPECT_STREQ(want[i].dev, core.events[i].dev);
	}
	EXPECT_STREQ("UNBOUND_DRIVER",
		     model_event_name(MODEL_EV_UNBOUND_DRIVER));
	EXPECT_EQ(0, (int)core.nr_groups);
	model_group_core_destroy(&core);
}

/* ---- reserved regions (R11) ------------------------------------------- */

static char *resv_text(struct model_resv_list *l)
{
	model_resv_merge(l);
	return model_resv_format(l);
}

TEST(resv_merge_overlap_and_adjacency)
{
	struct model_resv_list l = {0};
	char *s;

	/* Given out of order: overlap, then adjacency (end + 1 == start). */
	ASSERT_EQ(0, model_resv_add(&l, 0x2000, 0x2fff, MODEL_RESV_MSI));
	ASSERT_EQ(0, model_resv_add(&l, 0x1000, 0x27ff, MODEL_RESV_MSI));
	ASSERT_EQ(0, model_resv_add(&l, 0x3000, 0x3fff, MODEL_RESV_MSI));
	ASSERT_EQ(0, model_resv_add(&l, 0x5000, 0x5fff, MODEL_RESV_MSI));
	/* Contained in an earlier one. */
	ASSERT_EQ(0, model_resv_add(&l, 0x1100, 0x1200, MODEL_RESV_MSI));
	s = resv_text(&l);
	EXPECT_STREQ("0x0000000000001000 0x0000000000003fff msi\n"
		     "0x0000000000005000 0x0000000000005fff msi\n",
		     s);
	free(s);
	model_resv_free(&l);

	/* The same region from every member of a group: one line. */
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(0, model_resv_add(&l, 0xfee00000, 0xfeefffff,
					    MODEL_RESV_MSI));
	s = resv_text(&l);
	EXPECT_STREQ("0x00000000fee00000 0x00000000feefffff msi\n", s);
	free(s);
	model_resv_free(&l);

	/* Adjacent at the top of the address space: no wrap-around. */
	ASSERT_EQ(0, model_resv_add(&l, 0xfffffffffffff000ULL, UINT64_MAX,
				    MODEL_RESV_RESERVED));
	ASSERT_EQ(0, model_resv_add(&l, 0, 0xfff, MODEL_RESV_RESERVED));
	s = resv_text(&l);
	EXPECT_STREQ("0x0000000000000000 0x0000000000000fff reserved\n"
		     "0xfffffffffffff000 0xffffffffffffffff reserved\n",
		     s);
	free(s);
	model_resv_free(&l);
}

TEST(resv_types_never_merge_and_sort_ties)
{
	struct model_resv_list l = {0};
	char *s;

	ASSERT_EQ(0, model_resv_add(&l, 0x0, 0xffffff, MODEL_RESV_MSI));
	ASSERT_EQ(0, model_resv_add(&l, 0x0, 0xfff, MODEL_RESV_RESERVED));
	ASSERT_EQ(0, model_resv_add(&l, 0x0, 0xffffff,
				    MODEL_RESV_DIRECT_RELAXABLE));
	ASSERT_EQ(0, model_resv_add(&l, 0x0, 0x1fff, MODEL_RESV_DIRECT));
	/* Overlaps the relaxable one but is another type: stays apart. */
	ASSERT_EQ(0, model_resv_add(&l, 0x800, 0x10ffffff, MODEL_RESV_DIRECT));
	/* MSI and SW_MSI are distinct types that both print "msi". */
	ASSERT_EQ(0,
		  model_resv_add(&l, 0x1000000, 0x1ffffff, MODEL_RESV_SW_MSI));
	s = resv_text(&l);
	EXPECT_STREQ("0x0000000000000000 0x0000000010ffffff direct\n"
		     "0x0000000000000000 0x0000000000ffffff direct-relaxable\n"
		     "0x0000000000000000 0x0000000000000fff reserved\n"
		     "0x0000000000000000 0x0000000000ffffff msi\n"
		     "0x0000000001000000 0x0000000001ffffff msi\n",
		     s);
	free(s);
	model_resv_free(&l);
	s = model_resv_format(&l);
	EXPECT_STREQ("", s);
	free(s);
}

/* ---- ACS (R6) ---------------------------------------------------------- */

TEST(acs_flags_on_register_values)
{
	const uint16_t req = MODEL_REQ_ACS_FLAGS;
	uint16_t miss;
	char bits[64];

	/* No capability: never enabled, everything missing. */
	EXPECT_FALSE(model_acs_flags_enabled(false, 0, 0, req, &miss));
	EXPECT_EQ(req, miss);
	/* QEMU's root port: SV TB RR CR UF DT advertised, SV RR CR UF on. */
	EXPECT_TRUE(model_acs_flags_enabled(true, 0x5f, 0x1d, req, &miss));
	EXPECT_EQ(0, miss);
	/* Cleared control: all four missing. */
	EXPECT_FALSE(model_acs_flags_enabled(true, 0x5f, 0x00, req, &miss));
	EXPECT_EQ(req, miss);
	/* RR and CR advertised but off. */
	EXPECT_FALSE(model_acs_flags_enabled(true, 0x1d, 0x11, req, &miss));
	model_acs_bits_str(miss, bits, sizeof(bits));
	EXPECT_STREQ("RR CR", bits);
	/* Unadvertised bits count as enabled. */
	EXPECT_TRUE(model_acs_flags_enabled(true, 0x11, 0x11, req, NULL));
	EXPECT_TRUE(model_acs_flags_enabled(true, 0x00, 0x00, req, NULL));
	/* TB, EC, DT are not required. */
	EXPECT_TRUE(model_acs_flags_enabled(true, 0x7f, 0x1d, req, NULL));
}

static void mkdev(struct model_pci_dev *d, int bus, int devfn, bool pcie,
		  enum model_pcie_type type)
{
	memset(d, 0, sizeof(*d));
	d->bus = (uint8_t)bus;
	d->devfn = (uint8_t)devfn;
	d->is_pcie = pcie;
	d->pcie_type = type;
	snprintf(d->bdf, sizeof(d->bdf), "0000:%02x:%02x.%d", bus, devfn >> 3,
		 devfn & 7);
}

TEST(acs_enabled_port_type_rules)
{
	const uint16_t req = MODEL_REQ_ACS_FLAGS;
	struct model_pci_dev d;
	char why[256];

	mkdev(&d, 0, 0x10, true, MODEL_PCIE_ROOT_PORT);
	EXPECT_FALSE(model_pci_acs_enabled(&d, req));
	model_acs_reason(&d, req, why, sizeof(why));
	EXPECT_STREQ("root port 0000:00:02.0 lacks an ACS capability", why);
	d.has_acs = true;
	d.acs_cap = 0x1f;
	d.acs_ctrl = 0x11;
	EXPECT_FALSE(model_pci_acs_enabled(&d, req));
	model_acs_reason(&d, req, why, sizeof(why));
	EXPECT_STREQ("root port 0000:00:02.0 lacks ACS control bits RR CR",
		     why);
	d.acs_ctrl = 0x1d;
	EXPECT_TRUE(model_pci_acs_enabled(&d, req));
	model_acs_reason(&d, req, why, sizeof(why));
	EXPECT_STREQ("", why);

	/* Downstream ports need ACS whether multifunction or not. */
	mkdev(&d, 2, 0, true, MODEL_PCIE_DOWNSTREAM);
	EXPECT_FALSE(model_pci_acs_enabled(&d, req));

	/* Conventional PCI never passes. */
	mkdev(&d, 0, 0xf8, false, 0);
	EXPECT_FALSE(model_pci_acs_enabled(&d, req));
	/* PCIe-to-PCI bridge and event collector: never, even with ACS. */
	mkdev(&d, 1, 0, true, MODEL_PCIE_PCI_BRIDGE);
	d.has_acs = true;
	d.acs_cap = 0x1d;
	d.acs_ctrl = 0x1d;
	EXPECT_FALSE(model_pci_acs_enabled(&d, req));
	mkdev(&d, 0, 0x30, true, MODEL_PCIE_RC_EC);
	EXPECT_FALSE(model_pci_acs_enabled(&d, req));

	/* Endpoints, upstream ports, RCiEPs: single-function is isolated. */
	mkdev(&d, 5, 0, true, MODEL_PCIE_ENDPOINT);
	EXPECT_TRUE(model_pci_acs_enabled(&d, req));
	d.multifunction = true;
	EXPECT_FALSE(model_pci_acs_enabled(&d, req));
	d.has_acs = true;
	d.acs_cap = 0x1d;
	d.acs_ctrl = 0x1d;
	EXPECT_TRUE(model_pci_acs_enabled(&d, req));
	mkdev(&d, 6, 0, true, MODEL_PCIE_UPSTREAM);
	EXPECT_TRUE(model_pci_acs_enabled(&d, req));
	mkdev(&d, 0, 0x28, true, MODEL_PCIE_RC_END);
	EXPECT_TRUE(model_pci_acs_enabled(&d, req));
	d.multifunction = true;
	EXPECT_FALSE(model_pci_acs_enabled(&d, req));
}

TEST(acs_path_names_the_failing_bridge)
{
	struct model_pci_dev rp, usp, dsp, ep;
	const struct model_pci_dev *bad;

	mkdev(&rp, 0, 0x08, true, MODEL_PCIE_ROOT_PORT);
	rp.has_acs = true;
	rp.acs_cap = rp.acs_ctrl = 0x1d;
	mkdev(&usp, 1, 0, true, MODEL_PCIE_UPSTREAM);
	mkdev(&dsp, 2, 0, true, MODEL_PCIE_DOWNSTREAM);
	mkdev(&ep, 3, 0, true, MODEL_PCIE_ENDPOINT);
	usp.parent = &rp;
	dsp.parent = &usp;
	ep.parent = &dsp;
	EXPECT_FALSE(
		model_pci_acs_path_enabled(&ep, MODEL_REQ_ACS_FLAGS, &bad));
	EXPECT_EQ(&dsp, bad);
	EXPECT_TRUE(
		model_pci_acs_path_enabled(&usp, MODEL_REQ_ACS_FLAGS, &bad));
	EXPECT_EQ(NULL, bad);
	rp.acs_ctrl = 0;
	EXPECT_FALSE(
		model_pci_acs_path_enabled(&usp, MODEL_REQ_ACS_FLAGS, &bad));
	EXPECT_EQ(&rp, bad);
}

/* ---- end to end: the captured guests ----------------------------------- */

FIXTURE(captured)
{
	struct model *m;
	struct model_partition p;
	struct obs *obs;
};

FIXTURE_VARIANT(captured)
{
	const char *name;
	enum model_iommu_kind iommu;
	const char *form; /* the file's suffix: "dump" unless set */
};

FIXTURE_VARIANT_ADD(captured, q35_acs_intel){
	.name = "q35-acs-intel",
	.iommu = MODEL_IOMMU_INTEL,
};

FIXTURE_VARIANT_ADD(captured, q35_noacs_intel){
	.name = "q35-noacs-intel",
	.iommu = MODEL_IOMMU_INTEL,
};

FIXTURE_VARIANT_ADD(captured, q35_bridge_nest_intel){
	.name = "q35-bridge-nest-intel",
	.iommu = MODEL_IOMMU_INTEL,
};

FIXTURE_VARIANT_ADD(captured, q35_acs_amd){
	.name = "q35-acs-amd",
	.iommu = MODEL_IOMMU_AMD,
};

/* The same machines as lspci -vvnn text (lspci -F DUMP -vvnn). */
FIXTURE_VARIANT_ADD(captured, q35_acs_intel_text){
	.name = "q35-acs-intel",
	.iommu = MODEL_IOMMU_INTEL,
	.form = "vvnn",
};

FIXTURE_VARIANT_ADD(captured, q35_noacs_intel_text){
	.name = "q35-noacs-intel",
	.iommu = MODEL_IOMMU_INTEL,
	.form = "vvnn",
};

FIXTURE_VARIANT_ADD(captured, q35_bridge_nest_intel_text){
	.name = "q35-bridge-nest-intel",
	.iommu = MODEL_IOMMU_INTEL,
	.form = "vvnn",
};

FIXTURE_VARIANT_ADD(captured, q35_acs_amd_text){
	.name = "q35-acs-amd",
	.iommu = MODEL_IOMMU_AMD,
	.form = "vvnn",
};

FIXTURE_SETUP(captured)
{
	struct model_opts o = {.iommu = variant->iommu};
	char rel[256];

	snprintf(rel, sizeof(rel), "lspci/%s.%s", variant->name,
		 variant->form ? variant->form : "dump");
	self->m = boot_dump(fixture(rel), &o);
	ASSERT_NE(NULL, self->m);
	ASSERT_EQ(0, model_partition(self->m, &self->p));
	snprintf(rel, sizeof(rel), "lspci/%s.observed", variant->name);
	self->obs = obs_load(fixture(rel));
	ASSERT_NE(NULL, self->obs);
}

FIXTURE_TEARDOWN(captured)
{
	model_partition_free(&self->p);
	model_free(self->m);
	free(self->obs);
}

/* Partition, IDs, reserved_regions and type all equal the kernel's. */
TEST_F(captured, prediction_equals_observed)
{
	char *diff = NULL;
	int n = model_compare(&self->p, self->obs->og, self->obs->nr, &diff);

	if (n)
		TH_LOG("%s", diff ? diff : "(no report)");
	EXPECT_EQ(0, n);
	EXPECT_EQ(self->obs->nr, self->p.nr);
	free(diff);
}

/* Each observed group, checked directly (not through model_compare). */
TEST_F(captured, groups_ids_and_regions_one_by_one)
{
	for (size_t i = 0; i < self->obs->nr; i++) {
		const struct obs_group *og = &self->obs->g[i];
		const struct model_pgroup *g =
			model_partition_group(&self->p, (int)og->id);

		ASSERT_NE(NULL, g) TH_LOG("no model group %ld", og->id);
		EXPECT_EQ(og->nr, g->nr) TH_LOG("group %ld", og->id);
		for (size_t k = 0; k < og->nr; k++) {
			EXPECT_EQ(og->id, group_of(&self->p, og->bdfs[k]))
			TH_LOG("%s: %s", og->bdfs[k],
			       why_of(&self->p, og->bdfs[k]));
		}
		EXPECT_STREQ(og->resv, g->resv) TH_LOG("group %ld", og->id);
		EXPECT_STREQ(og->type, g->type);
	}
}

TEST_F(captured, every_device_has_a_reason)
{
	for (size_t i = 0; i < self->p.nr_devs; i++) {
		const char *w = self->p.devs[i].why;

		EXPECT_NE(NULL, strstr(w, "(R"))
		TH_LOG("%s: %s", self->p.devs[i].bdf, w);
	}
}

/* ---- explanations ----------------------------------------------------- */

TEST(explanations_name_rule_and_device)
{
	struct model_opts o = {.iommu = MODEL_IOMMU_INTEL};
	struct model *m = boot_dump(fixture("lspci/q35-noacs-intel.dump"), &o);
	struct model_partition p;
	char *text;

	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, model_partition(m, &p));
	EXPECT_STREQ("aliases to PCIe-to-PCI bridge 0000:03:00.0 (R4)",
		     why_of(&p, "04:01.0"));
	EXPECT_STREQ("root port 0000:00:02.3 lacks an ACS capability (R5)",
		     why_of(&p, "05:00.1"));
	EXPECT_STREQ(
		"function of multifunction slot 00:1f without ACS, shares with 0000:00:1f.0 (R8)",
		why_of(&p, "00:1f.3"));
	EXPECT_STREQ(
		"function of multifunction slot 00:02 without ACS, shares with 0000:00:02.0 (R8)",
		why_of(&p, "00:02.4"));
	EXPECT_STREQ("own group: single-function device on root bus (R9)",
		     why_of(&p, "00:05.0"));
	text = model_explain(m, "0000:04:02.0");
	ASSERT_NE(NULL, text);
	EXPECT_NE(NULL, strstr(text, "group 1, 12 members"));
	EXPECT_NE(
		NULL,
		strstr(text,
		       "0000:02:00.0: root port 0000:00:02.1 lacks an ACS capability (R5)"))
	TH_LOG("%s", text);
	free(text);
	EXPECT_EQ(NULL, model_explain(m, "0000:09:00.0"));
	model_partition_free(&p);
	model_free(m);
}

/* ---- negative controls: mutated config space --------------------------- */

TEST(cleared_acs_control_merges_port_and_endpoint)
{
	struct model_opts o = {.iommu = MODEL_IOMMU_INTEL};
	struct model *m =
		boot_dump(fixture("model/q35-acs-rp2-acsctl-cleared.dump"), &o);
	struct obs *want =
		obs_load(fixture("model/q35-acs-rp2-acsctl-cleared.expected"));
	struct obs *orig = obs_load(fixture("lspci/q35-acs-intel.observed"));
	struct model_partition p;
	char *diff = NULL;
	int n;

	ASSERT_NE(NULL, m);
	ASSERT_NE(NULL, want);
	ASSERT_NE(NULL, orig);
	ASSERT_EQ(0, model_partition(m, &p));
	n = model_compare(&p, want->og, want->nr, &diff);
	EXPECT_EQ(0, n) TH_LOG("%s", diff);
	free(diff);
	EXPECT_STREQ(
		"root port 0000:00:02.1 lacks ACS control bits SV RR CR UF (R5)",
		why_of(&p, "02:00.0"));

	/* Against the unmutated boot it must differ, and say why. */
	n = model_compare(&p, orig->og, orig->nr, &diff);
	EXPECT_LT(0, n);
	ASSERT_NE(NULL, diff);
	EXPECT_NE(
		NULL,
		strstr(diff,
		       "model group 2 {0000:00:02.1 0000:02:00.0}; kernel: 0000:00:02.1 in group 2, 0000:02:00.0 in group 9"))
	TH_LOG("%s", diff);
	EXPECT_NE(
		NULL,
		strstr(diff,
		       "0000:02:00.0: root port 0000:00:02.1 lacks ACS control bits SV RR CR UF (R5)"));
	/* IDs after the merged group shift down by one. */
	EXPECT_NE(NULL, strstr(diff, "model ID 9, kernel ID 10"));
	free(diff);
	model_partition_free(&p);
	model_free(m);
	free(want);
	free(orig);
}

TEST(unadvertised_acs_bit_changes_nothing)
{
	struct model_opts o = {.iommu = MODEL_IOMMU_INTEL};
	struct model *m = boot_dump(
		fixture("model/q35-acs-rp2-rr-unadvertised.dump"), &o);
	struct obs *orig = obs_load(fixture("lspci/q35-acs-intel.observed"));
	struct model_partition p;
	char *diff = NULL;

	ASSERT_NE(NULL, m);
	ASSERT_NE(NULL, orig);
	ASSERT_EQ(0, model_partition(m, &p));
	EXPECT_EQ(0, model_compare(&p, orig->og, orig->nr, &diff))
	TH_LOG("%s", diff);
	free(diff);
	model_partition_free(&p);
	model_free(m);
	free(orig);
}

TEST(compare_reports_regions_type_and_unknown_devices)
{
	struct model_opts o = {.iommu = MODEL_IOMMU_INTEL,
			       .default_domain_type = "DMA-FQ"};
	struct model *m = boot_dump(fixture("lspci/q35-acs-intel.dump"), &o);
	struct obs *orig = obs_load(fixture("lspci/q35-acs-intel.observed"));
	struct model_partition p;
	char *diff = NULL;
	int n;

	ASSERT_NE(NULL, m);
	ASSERT_NE(NULL, orig);
	ASSERT_EQ(0, model_partition(m, &p));
	/* Every group's type differs (DMA-FQ predicted, DMA observed). */
	n = model_compare(&p, orig->og, orig->nr, &diff);
	EXPECT_EQ(12, n);
	EXPECT_NE(NULL,
		  strstr(diff, "- group 7 type: model DMA-FQ, kernel DMA"));
	free(diff);
	/* A region the kernel lacks, and a device the model does not know. */
	struct obs_group *g7 = obs_find(orig, 7);
	ASSERT_NE(NULL, g7);
	strcpy(g7->type, "DMA-FQ");
	strcpy(g7->resv, "0x00000000fee00000 0x00000000feefffff msi\n");
	g7->ptrs[g7->nr] = "0000:00:1f.5";
	orig->og[g7 - orig->g].nr = g7->nr + 1;
	for (size_t i = 0; i < orig->nr; i++)
		orig->og[i].type = "DMA-FQ\n";
	n = model_compare(&p, orig->og, orig->nr, &diff);
	EXPECT_EQ(2, n) TH_LOG("%s", diff);
	EXPECT_NE(NULL,
		  strstr(diff, "0000:00:1f.5: not in the model's topology"))
	TH_LOG("%s", diff);
	EXPECT_NE(
		NULL,
		strstr(diff,
		       "- model group 7 {0000:00:1f.0 0000:00:1f.2 0000:00:1f.3}; kernel: 0000:00:1f.0 in group 7"));
	free(diff);
	model_partition_free(&p);
	model_free(m);
	free(orig);
}

/* ---- virtio-iommu and AMD hooks ---------------------------------------- */

TEST(virtio_groups_bound_devices_in_probe_order)
{
	/* pcieport on the ports, then nvme, e1000e, e1000 (module order). */
	static const char *const bound[] = {
		"00:02.0", "00:02.1", "00:02.2", "00:02.3",
		"00:02.4", "01:00.0", "02:00.0", "05:00.0",
		"05:00.1", "00:05.0", "04:01.0", "04:02.0",
	};
	struct model_opts o = {.iommu = MODEL_IOMMU_VIRTIO,
			       .bound = bound,
			       .nr_bound = sizeof(bound) / sizeof(bound[0])};
	struct model *m = boot_dump(fixture("lspci/q35-acs-intel.dump"), &o);
	struct model_partition p;

	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, model_partition(m, &p));
	EXPECT_EQ(0, group_of(&p, "00:02.0"));
	EXPECT_EQ(5, group_of(&p, "01:00.0"));
	EXPECT_EQ(7, group_of(&p, "05:00.0"));
	EXPECT_EQ(7, group_of(&p, "05:00.1"));
	EXPECT_EQ(8, group_of(&p, "00:05.0"));
	/* No driver: no group (R3), the host bridge and ICH9 included. */
	EXPECT_EQ(-1, group_of(&p, "00:00.0"));
	EXPECT_EQ(-1, group_of(&p, "00:1f.2"));
	EXPECT_EQ(-1, group_of(&p, "03:00.0"));
	/*
	 * The 6.12 kernel gave these none although bound (a kernel
	 * deviation): the rules give them the bridge's one group.
	 */
	EXPECT_EQ(9, group_of(&p, "04:01.0"));
	EXPECT_EQ(9, group_of(&p, "04:02.0"));
	EXPECT_NE(NULL,
		  strstr(why_of(&p, "04:02.0"),
			 "aliases to PCIe-to-PCI bridge 0000:03:00.0 (R4)"));
	EXPECT_EQ(10, (int)p.nr);
	/* x86: the window QEMU's device reports, the model's own default. */
	EXPECT_STREQ("0x00000000fee00000 0x00000000feefffff msi\n",
		     model_partition_group(&p, 9)->resv);
	model_partition_free(&p);
	model_free(m);

	/* A device that reports none: the driver's software window. */
	o.virtio_sw_msi = true;
	m = boot_dump(fixture("lspci/q35-acs-intel.dump"), &o);
	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, model_partition(m, &p));
	EXPECT_STREQ("0x0000000008000000 0x00000000080fffff msi\n",
		     model_partition_group(&p, 9)->resv);
	model_partition_free(&p);
	model_free(m);
	o.virtio_sw_msi = false;

	o.virtio_msi_start = 0xfee00000;
	o.virtio_msi_end = 0xfeefffff;
	o.nr_bound = 1;
	m = boot_dump(fixture("lspci/q35-acs-intel.dump"), &o);
	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, model_partition(m, &p));
	EXPECT_STREQ("0x00000000fee00000 0x00000000feefffff msi\n",
		     model_partition_group(&p, 0)->resv);
	/* Binding a driver later probes the device then (6.12). */
	ASSERT_EQ(0, model_driver_bind(m, "00:1f.2"));
	model_partition_free(&p);
	ASSERT_EQ(0, model_partition(m, &p));
	EXPECT_EQ(1, group_of(&p, "00:1f.2"));
	model_partition_free(&p);
	model_free(m);
}

TEST(virtio_excludes_itself_and_rejects_unknown_bound)
{
	static const char *const bad[] = {"0000:42:00.0"};
	struct model_opts o = {
		.iommu = MODEL_IOMMU_VIRTIO, .bound = bad, .nr_bound = 1};
	char err[MODEL_ERR_LEN];
	struct model *m;

	ASSERT_EQ(0, model_load_dump(&m, fixture("lspci/q35-acs-intel.dump"),
				     err, sizeof(err)));
	EXPECT_EQ(-1, model_boot(m, &o, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "bound device 0000:42:00.0 is not in"));
	model_free(m);
}

TEST(amd_ivrs_same_bus_alias_groups_but_other_bus_does_not)
{
	static const struct model_alias al[] = {
		{"00:05.0", "00:00.0"}, /* same bus: a DMA alias (R14) */
		{"01:00.0", "00:00.0"}, /* other bus: DTE only */
	};
	struct model_opts o = {.iommu = MODEL_IOMMU_AMD,
			       .ivrs_aliases = al,
			       .nr_ivrs_aliases = 2};
	struct model *m = boot_dump(fixture("lspci/q35-acs-amd.dump"), &o);
	struct model_partition p;

	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, model_partition(m, &p));
	EXPECT_EQ(0, group_of(&p, "00:05.0"));
	EXPECT_NE(NULL, strstr(why_of(&p, "00:05.0"), "(R7)"));
	EXPECT_EQ(7, group_of(&p, "01:00.0"));
	EXPECT_EQ(-1, group_of(&p, "00:01.0"));
	EXPECT_STREQ("no group: the AMD IOMMU's own function (R3)",
		     why_of(&p, "00:01.0"));
	model_partition_free(&p);
	model_free(m);
}

/* ---- teardown, rescan, driver events (R10) ----------------------------- */

TEST(remove_and_rescan_reuse_ids)
{
	struct model_opts o = {.iommu = MODEL_IOMMU_INTEL};
	struct model *m = boot_dump(fixture("lspci/q35-acs-intel.dump"), &o);
	const struct model_event *ev;
	struct model_partition p;
	size_t n0, n;

	ASSERT_NE(NULL, m);
	n0 = model_events(m, &ev);
	EXPECT_EQ(17, (int)n0); /* one ADD_DEVICE per device at boot */
	EXPECT_EQ(-1, model_remove_device(m, "0000:0a:00.0"));
	ASSERT_EQ(0, model_driver_bind(m, "05:00.0"));
	/* Remove the root port above the multifunction pair. */
	ASSERT_EQ(0, model_remove_device(m, "00:02.3"));
	n = model_events(m, &ev);
	ASSERT_EQ(n0 + 7, n);
	EXPECT_EQ(MODEL_EV_BIND_DRIVER, ev[n0].type);
	EXPECT_EQ(MODEL_EV_BOUND_DRIVER, ev[n0 + 1].type);
	/* Unbind (stop) comes before any removal; children last-added first. */
	EXPECT_EQ(MODEL_EV_UNBIND_DRIVER, ev[n0 + 2].type);
	EXPECT_EQ(MODEL_EV_UNBOUND_DRIVER, ev[n0 + 3].type);
	EXPECT_EQ(MODEL_EV_DEL_DEVICE, ev[n0 + 4].type);
	EXPECT_STREQ("0000:05:00.1", ev[n0 + 4].dev);
	EXPECT_EQ(11, ev[n0 + 4].group_id);
	EXPECT_STREQ("0000:05:00.0", ev[n0 + 5].dev);
	EXPECT_STREQ("0000:00:02.3", ev[n0 + 6].dev);
	EXPECT_EQ(4, ev[n0 + 6].group_id);
	ASSERT_EQ(0, model_partition(m, &p));
	EXPECT_EQ(10, (int)p.nr);
	EXPECT_EQ(-2, group_of(&p, "05:00.0"));
	model_partition_free(&p);
	/* Rescan by the rules: the freed IDs come back, lowest first. */
	ASSERT_EQ(0, model_rescan(m, false));
	ASSERT_EQ(0, model_partition(m, &p));
	EXPECT_EQ(4, group_of(&p, "00:02.3"));
	EXPECT_EQ(11, group_of(&p, "05:00.0"));
	EXPECT_EQ(11, group_of(&p, "05:00.1"));
	model_partition_free(&p);
	model_free(m);
}

TEST(kernel_early_probe_splits_the_multifunction_pair)
{
	struct model_opts o = {.iommu = MODEL_IOMMU_INTEL};
	struct model *m = boot_dump(fixture("lspci/q35-acs-intel.dump"), &o);
	struct model_partition p;

	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, model_remove_device(m, "05:00.0"));
	ASSERT_EQ(0, model_remove_device(m, "05:00.1"));
	/* What 6.1 and 6.12 do (observed-q35.md): two groups. */
	ASSERT_EQ(0, model_rescan(m, true));
	ASSERT_EQ(0, model_partition(m, &p));
	EXPECT_EQ(11, group_of(&p, "05:00.0"));
	EXPECT_EQ(12, group_of(&p, "05:00.1"));
	EXPECT_NE(NULL, strstr(why_of(&p, "05:00.1"), "rescan deviation"));
	model_partition_free(&p);
	model_free(m);
}

/* ---- loading ----------------------------------------------------------- */

TEST(load_errors_name_the_file)
{
	char err[MODEL_ERR_LEN];
	struct model *m;

	EXPECT_EQ(-1,
		  model_load_dump(&m, "/nonexistent/x.dump", err, sizeof(err)));
	EXPECT_EQ(NULL, m);
	EXPECT_STREQ("/nonexistent/x.dump: No such file or directory", err);
	EXPECT_EQ(-1, model_load_dump(&m, fixture("model/README.md"), err,
				      sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "model/README.md: "));
	/*
	 * lspci -xxx: no extended config space; it loads, and the groups
	 * that need it are undecidable (test_quirks.c).
	 */
	EXPECT_EQ(0,
		  model_load_dump(&m, fixture("model/q35-acs-intel-256.dump"),
				  err, sizeof(err)))
	TH_LOG("%s", err);
	model_free(m);
}

/* ---- lspci -vvnn records ------------------------------------------------ */

/*
 * Copy src to dst line by line: lines holding drop are left out, and from
 * is replaced by to in the first line holding both at (any if NULL) and
 * from, or in every line holding from if all.
 */
static int copy_edited(const char *src, const char *dst, const char *drop,
		       const char *at, const char *from, const char *to,
		       bool all)
{
	FILE *in = fopen(src, "r"), *out = fopen(dst, "w");
	char line[1024], *p;
	bool armed = !at, done = false;

	if (!in || !out) {
		if (in)
			fclose(in);
		if (out)
			fclose(out);
		return -1;
	}
	while (fgets(line, sizeof(line), in)) {
		if (drop && strstr(line, drop))
			continue;
		if (at && strstr(line, at))
			armed = true;
		if (armed && (all || !done) && from &&
		    (p = strstr(line, from))) {
			fprintf(out, "%.*s%s%s", (int)(p - line), line, to,
				p + strlen(from));
			done = true;
			continue;
		}
		fputs(line, out);
	}
	fclose(in);
	return fclose(out) || (from && !done) ? -1 : 0;
}

/* How far the model's prediction for text is from the kernel's groups. */
static int text_mismatches(const char *text, const char *observed)
{
	struct model_opts o = {.iommu = MODEL_IOMMU_INTEL};
	struct model_partition p;
	struct model *m = boot_dump(text, &o);
	struct obs *obs = obs_load(observed);
	char *diff = NULL;
	int n = -1;

	if (m && obs && !model_partition(m, &p)) {
		n = model_compare(&p, obs->og, obs->nr, &diff);
		model_partition_free(&p);
	}
	free(diff);
	free(obs);
	model_free(m);
	return n;
}

/*
 * A record's "IOMMU group:" lines are the kernel's answer: the prediction
 * is the same without them and with every one of them wrong.
 */
TEST(text_record_never_reads_iommu_group_lines)
{
	char dir[] = "/tmp/iog-text.XXXXXX", no[64], wrong[64];
	const char *src = fixture("lspci/q35-acs-intel.vvnn");
	char *obs = strdup(fixture("lspci/q35-acs-intel.observed"));

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(no, sizeof(no), "%s/none.vvnn", dir);
	snprintf(wrong, sizeof(wrong), "%s/wrong.vvnn", dir);
	ASSERT_EQ(0, copy_edited(src, no, "IOMMU group:", NULL, NULL, NULL,
				 false));
	/* Group N becomes 7N: every line wrong. */
	ASSERT_EQ(0, copy_edited(src, wrong, NULL, NULL, "IOMMU group: ",
				 "IOMMU group: 7", true));
	EXPECT_EQ(0, text_mismatches(src, obs));
	EXPECT_EQ(0, text_mismatches(no, obs));
	EXPECT_EQ(0, text_mismatches(wrong, obs));
	unit_rm_tree(dir);
	free(obs);
}

/*
 * Negative control: the ACS lines are read.  Root port 00:02.1 without
 * request redirect in ACSCtl joins its multifunction slot's first port.
 */
TEST(text_record_reads_acs_control)
{
	char dir[] = "/tmp/iog-text.XXXXXX", rr[64];
	const char *src = fixture("lspci/q35-acs-intel.vvnn");
	char *obs = strdup(fixture("lspci/q35-acs-intel.observed"));

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(rr, sizeof(rr), "%s/rr.vvnn", dir);
	ASSERT_EQ(0, copy_edited(src, rr, NULL, "00:02.1 ",
				 "ACSCtl:\tSrcValid+ TransBlk- ReqRedir+",
				 "ACSCtl:\tSrcValid+ TransBlk- ReqRedir-", false));
	EXPECT_LT(0, text_mismatches(rr, obs));
	unit_rm_tree(dir);
	free(obs);
}

TEST(text_record_errors_name_file_and_line)
{
	char dir[] = "/tmp/iog-text.XXXXXX", p[64], err[MODEL_ERR_LEN];
	struct model *m;

	ASSERT_NE(NULL, mkdtemp(dir));
	/* Without -nn: names, no codes. */
	ASSERT_EQ(0, unit_write(dir, "plain.txt",
				"00:00.0 Host bridge: Intel Corporation "
				"Device [8086:29c0]\n"
				"00:1f.0 ISA bridge: Intel Corporation LPC\n"));
	snprintf(p, sizeof(p), "%s/plain.txt", dir);
	EXPECT_EQ(-1, model_load_dump(&m, p, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "plain.txt:1: ")) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(err, "-nn")) TH_LOG("%s", err);
	/* lspci without root: the capabilities are unknown, not absent. */
	ASSERT_EQ(0, unit_write(dir, "user.txt",
				"00:1c.0 PCI bridge [0604]: Intel Corporation "
				"Device [8086:a110] (rev f0)\n"
				"\tBus: primary=00, secondary=01, "
				"subordinate=01, sec-latency=0\n"
				"\tCapabilities: <access denied>\n\n"));
	snprintf(p, sizeof(p), "%s/user.txt", dir);
	EXPECT_EQ(-1, model_load_dump(&m, p, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "user.txt: ")) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(err, "0000:00:1c.0")) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(err, "not run as root")) TH_LOG("%s", err);
	unit_rm_tree(dir);
}
TEST(boot_order_and_multifunction_flags)
{
	struct model_pci_topo t;
	char err[MODEL_ERR_LEN];
	static const char *const want[] = {
		"0000:00:00.0", "0000:00:02.0", "0000:00:02.1", "0000:00:1f.0",
		"0000:00:1f.2", "0000:00:1f.3", "0000:01:00.0", "0000:02:01.0",
		"0000:02:02.0", "0000:03:01.0", "0000:03:02.0", "0000:04:00.0",
	};

	ASSERT_EQ(0, model_pci_topo_load_dump(
			     &t, fixture("lspci/q35-bridge-nest-intel.dump"),
			     err, sizeof(err)));
	ASSERT_EQ(sizeof(want) / sizeof(want[0]), t.nr);
	for (size_t i = 0; i < t.nr; i++)
		EXPECT_STREQ(want[i], t.boot_order[i]->bdf);
	EXPECT_EQ(NULL, model_pci_find(&t, "00:02.1")->parent);
	EXPECT_STREQ("0000:02:02.0",
		     model_pci_find(&t, "03:01.0")->parent->bdf);
	EXPECT_STREQ("conventional PCI bridge",
		     model_pci_kind(model_pci_find(&t, "02:02.0")));
	model_pci_topo_free(&t);

	/* 05:00.1's header lacks the bit; the boot scan forces it (§3.1). */
	ASSERT_EQ(0, model_pci_topo_load_dump(
			     &t, fixture("lspci/q35-acs-intel.dump"), err,
			     sizeof(err)));
	EXPECT_FALSE(model_pci_find(&t, "05:00.1")->hdr_multifunction);
	EXPECT_TRUE(model_pci_find(&t, "05:00.1")->multifunction);
	EXPECT_TRUE(model_pci_find(&t, "05:00.0")->multifunction);
	EXPECT_FALSE(model_pci_find(&t, "01:00.0")->multifunction);
	/* Bus by bus, then depth first: the bridge before what is behind. */
	EXPECT_LT(model_pci_find(&t, "03:00.0")->boot_index,
		  model_pci_find(&t, "04:01.0")->boot_index);
	EXPECT_LT(model_pci_find(&t, "00:1f.3")->boot_index,
		  model_pci_find(&t, "01:00.0")->boot_index);
	model_pci_topo_free(&t);
}

/* A sysfs tree like the kernel's, from a dump, read back through libpci. */
static int write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -1;
	ok = fwrite(buf, 1, len, f) == len;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static void __attribute__((noreturn)) fake_pci_error(char *msg, ...)
{
	fprintf(stderr, "# libpci: %s\n", msg);
	exit(1);
}

static int make_sysfs(const char *dump, const char *root, const struct obs *o)
{
	struct pci_access *acc = pci_alloc();
	char path[1024], text[64];
	u8 cfg[4096];

	acc->error = fake_pci_error;
	acc->method = PCI_ACCESS_DUMP;
	pci_set_param(acc, "dump.name", (char *)dump);
	pci_init(acc);
	pci_scan_bus(acc);
	snprintf(
		path, sizeof(path),
		"mkdir -p %s/bus/pci/devices %s/class/iommu/dmar0 %s/kernel/iommu_groups",
		root, root, root);
	if (system(path))
		return -1;
	for (struct pci_dev *p = acc->devices; p; p = p->next) {
		char dir[512];
		int len = 4096;

		pci_fill_info(p, PCI_FILL_IDENT | PCI_FILL_CLASS);
		snprintf(dir, sizeof(dir),
			 "%s/bus/pci/devices/%04x:%02x:%02x.%d", root,
			 p->domain, p->bus, p->dev, p->func);
		if (mkdir(dir, 0755))
			return -1;
		if (!pci_read_block(p, 0, cfg, len))
			len = 256;
		if (!pci_read_block(p, 0, cfg, len))
			return -1;
		snprintf(path, sizeof(path), "%s/config", dir);
		if (write_file(path, cfg, (size_t)len))
			return -1;
		static const char *const attrs[] = {"vendor", "device", "class",
						    "irq", "resource"};
		for (size_t i = 0; i < 5; i++) {
			if (i == 0)
				snprintf(text, sizeof(text), "0x%04x\n",
					 p->vendor_id);
			else if (i == 1)
				snprintf(text, sizeof(text), "0x%04x\n",
					 p->device_id);
			else if (i == 2)
				snprintf(text, sizeof(text), "0x%06x\n",
					 (unsigned int)p->device_class << 8);
			else if (i == 3)
				snprintf(text, sizeof(text), "0\n");
			else
				text[0] = '\0';
			snprintf(path, sizeof(path), "%s/%s", dir, attrs[i]);
			if (write_file(path, text, strlen(text)))
				return -1;
		}
	}
	pci_cleanup(acc);
	for (size_t i = 0; o && i < o->nr; i++) {
		snprintf(path, sizeof(path),
			 "%s/kernel/iommu_groups/%ld/devices", root,
			 o->g[i].id);
		char cmd[1200];
		snprintf(cmd, sizeof(cmd), "mkdir -p %s", path);
		if (system(cmd))
			return -1;
		for (size_t k = 0; k < o->g[i].nr; k++) {
			char link[1100], target[256];

			snprintf(link, sizeof(link), "%s/%s", path,
				 o->g[i].bdfs[k]);
			snprintf(target, sizeof(target),
				 "../../../../bus/pci/devices/%s",
				 o->g[i].bdfs[k]);
			if (symlink(target, link))
				return -1;
		}
		snprintf(path, sizeof(path),
			 "%s/kernel/iommu_groups/%ld/reserved_regions", root,
			 o->g[i].id);
		if (write_file(path, o->g[i].resv, strlen(o->g[i].resv)))
			return -1;
		snprintf(path, sizeof(path), "%s/kernel/iommu_groups/%ld/type",
			 root, o->g[i].id);
		snprintf(text, sizeof(text), "%s\n", o->g[i].type);
		if (write_file(path, text, strlen(text)))
			return -1;
	}
	return 0;
}

FIXTURE(fake_sysfs)
{
	char root[64];
	struct obs *obs;
};

FIXTURE_SETUP(fake_sysfs)
{
	snprintf(self->root, sizeof(self->root), "/tmp/iog-model-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	self->obs = obs_load(fixture("lspci/q35-acs-intel.observed"));
	ASSERT_NE(NULL, self->obs);
	ASSERT_EQ(0, make_sysfs(fixture("lspci/q35-acs-intel.dump"), self->root,
				self->obs));
}

FIXTURE_TEARDOWN(fake_sysfs)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->root);
	if (system(cmd))
		TH_LOG("could not remove %s", self->root);
	free(self->obs);
}

TEST_F(fake_sysfs, live_loader_sees_what_the_dump_says)
{
	struct model_opts o = {.iommu = MODEL_IOMMU_INTEL};
	char err[MODEL_ERR_LEN], *diff = NULL;
	struct model_partition p;
	struct model *m;

	ASSERT_EQ(0, model_load_live(&m, self->root, err, sizeof(err)))
	TH_LOG("%s", err);
	ASSERT_EQ(0, model_boot(m, &o, err, sizeof(err)));
	ASSERT_EQ(0, model_partition(m, &p));
	EXPECT_EQ(0, model_compare(&p, self->obs->og, self->obs->nr, &diff))
	TH_LOG("%s", diff);
	free(diff);
	model_partition_free(&p);
	model_free(m);
}

/* Run build/host/iogroups when it is built; 0-255 exit status or -1. */
static int run_tool(const char *args, char *out, size_t outlen)
{
	const char *tool = "build/host/iogroups";
	char cmd[1024];
	size_t n;
	FILE *f;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", tool, args);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	n = fread(out, 1, outlen - 1, f);
	out[n] = '\0';
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

TEST_F(fake_sysfs, iogroups_list_check_explain)
{
	static char out[65536];
	char args[512];

	if (access("build/host/iogroups", X_OK))
		SKIP(return, "build/host/iogroups not built");
	snprintf(args, sizeof(args), "--sysfs %s", self->root);
	ASSERT_EQ(0, run_tool(args, out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_NE(NULL,
		  strstr(out, "IOMMU group 7 (type DMA)\n    0000:00:1f.0  "))
	TH_LOG("%s", out);
	/* Names come from pci.ids through libpci. */
	EXPECT_NE(NULL, strstr(out, "ICH9"));
	snprintf(args, sizeof(args), "check --sysfs %s", self->root);
	EXPECT_EQ(0, run_tool(args, out, sizeof(out))) TH_LOG("%s", out);
	snprintf(args, sizeof(args), "explain 04:02.0 --sysfs %s", self->root);
	EXPECT_EQ(0, run_tool(args, out, sizeof(out)));
	EXPECT_NE(
		NULL,
		strstr(out, "aliases to PCIe-to-PCI bridge 0000:03:00.0 (R4)"))
	TH_LOG("%s", out);
	EXPECT_NE(
		NULL,
		strstr(out,
		       "kernel: group 10: 0000:03:00.0 0000:04:01.0 0000:04:02.0"));

	/* The kernel splits 05:00.x (as after a rescan): exit 1, explained. */
	char cmd[1024];

	snprintf(
		cmd, sizeof(cmd),
		"mkdir -p %s/kernel/iommu_groups/12/devices && mv %s/kernel/iommu_groups/11/devices/0000:05:00.1 %s/kernel/iommu_groups/12/devices/",
		self->root, self->root, self->root);
	ASSERT_EQ(0, system(cmd));
	snprintf(args, sizeof(args), "check --groups-only --sysfs %s",
		 self->root);
	EXPECT_EQ(1, run_tool(args, out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_NE(
		NULL,
		strstr(out,
		       "0000:05:00.1: function of multifunction slot 05:00 without ACS, shares with 0000:05:00.0 (R8)"))
	TH_LOG("%s", out);
	snprintf(args, sizeof(args), "check --json --groups-only --sysfs %s",
		 self->root);
	EXPECT_EQ(1, run_tool(args, out, sizeof(out)));
	/* Model group 11 against kernel groups 11 and 12. */
	EXPECT_NE(NULL, strstr(out, "\"differences\":3")) TH_LOG("%s", out);

	EXPECT_EQ(2, run_tool("predict --iommu intel --dump /nonexistent.dump",
			      out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "/nonexistent.dump: No such file"));
	EXPECT_EQ(2, run_tool("frobnicate", out, sizeof(out)));
}

/*
 * Config files of 256 bytes read live as root are the kernel's own view:
 * no extended space, so no ACS.  Unlike an lspci -xxx dump this decides
 * (the root ports' devices share the ports' group), and check compares.
 */
TEST(live_config_without_extended_space_means_no_acs)
{
	struct model_opts o = {.iommu = MODEL_IOMMU_INTEL};
	char root[64] = "/tmp/iog-model-XXXXXX", err[MODEL_ERR_LEN], cmd[128];
	struct obs *obs = obs_load(fixture("lspci/q35-acs-intel.observed"));
	struct model_partition p;
	struct model *m;

	ASSERT_NE(NULL, obs);
	ASSERT_NE(NULL, mkdtemp(root));
	ASSERT_EQ(0, make_sysfs(fixture("model/q35-acs-intel-256.dump"), root,
				obs));
	ASSERT_EQ(0, model_load_live(&m, root, err, sizeof(err)))
	TH_LOG("%s", err);
	EXPECT_FALSE(model_pci_find(model_topo(m), "00:02.0")->ext_cfg_missing);
	ASSERT_EQ(0, model_boot(m, &o, err, sizeof(err)));
	ASSERT_EQ(0, model_partition(m, &p));
	EXPECT_EQ(group_of(&p, "00:02.0"), group_of(&p, "01:00.0"));
	for (size_t i = 0; i < p.nr; i++)
		EXPECT_EQ(MODEL_DECIDED, p.groups[i].certainty);
	EXPECT_NE(NULL,
		  strstr(why_of(&p, "01:00.0"),
			 "root port 0000:00:02.0 lacks an ACS capability"))
	TH_LOG("%s", why_of(&p, "01:00.0"));
	/* The q35-acs kernel had ACS: a real difference. */
	EXPECT_LT(0, model_compare(&p, obs->og, obs->nr, NULL));
	model_partition_free(&p);
	model_free(m);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	EXPECT_EQ(0, system(cmd));
	free(obs);
}

TEST(virtio_groups_probed_devices_even_if_their_probe_fails)
{
	/*
	 * As 6.12 did on q35-virtio: pcieport on the ports and on the
	 * PCIe-to-PCI bridge (whose probe fails), agpgart-intel on the host
	 * bridge (probe fails), then nvme, e1000e, e1000.  No group for the
	 * ICH9 functions, which no driver matches.
	 */
	static const char *const probed[] = {
		"00:02.0", "00:02.1", "00:02.2", "00:02.3", "00:02.4",
		"03:00.0", "00:00.0", "01:00.0", "00:05.0", "02:00.0",
		"05:00.0", "05:00.1", "04:01.0", "04:02.0",
	};
	static const char *const bound[] = {"01:00.0", "04:01.0"};
	struct model_opts o = {.iommu = MODEL_IOMMU_VIRTIO,
			       .bound = bound,
			       .nr_bound = 2,
			       .probed = probed,
			       .nr_probed = sizeof(probed) / sizeof(probed[0])};
	struct model *m = boot_dump(fixture("lspci/q35-acs-intel.dump"), &o);
	const struct model_event *ev;
	struct model_partition p;
	size_t n, unbinds;

	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, model_partition(m, &p));
	EXPECT_EQ(4, group_of(&p, "00:02.4"));
	EXPECT_EQ(5, group_of(&p, "03:00.0"));
	EXPECT_EQ(6, group_of(&p, "00:00.0"));
	EXPECT_EQ(7, group_of(&p, "01:00.0"));
	EXPECT_EQ(10, group_of(&p, "05:00.1"));
	/* The rules put the e1000 into the bridge's group (R4). */
	EXPECT_EQ(5, group_of(&p, "04:01.0"));
	EXPECT_EQ(-1, group_of(&p, "00:1f.2"));
	EXPECT_NE(NULL, strstr(why_of(&p, "00:1f.2"),
			       "no registered driver's ID table matches it"))
	TH_LOG("%s", why_of(&p, "00:1f.2"));
	EXPECT_EQ(11, (int)p.nr);
	model_partition_free(&p);
	/* `bound` still decides the driver events of a removal. */
	ASSERT_EQ(0, model_remove_device(m, "00:02.0"));
	n = model_events(m, &ev);
	unbinds = 0;
	for (size_t i = 0; i < n; i++)
		unbinds += ev[i].type == MODEL_EV_UNBIND_DRIVER;
	EXPECT_EQ(1, unbinds); /* 01:00.0, below the port */
	model_free(m);

	/* A probed device outside the topology is an error, named. */
	static const char *const bad[] = {"0000:42:00.0"};
	char err[MODEL_ERR_LEN];

	o.probed = bad;
	o.nr_probed = 1;
	o.nr_bound = 0;
	ASSERT_EQ(0, model_load_dump(&m, fixture("lspci/q35-acs-intel.dump"),
				     err, sizeof(err)));
	EXPECT_EQ(-1, model_boot(m, &o, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "probed device 0000:42:00.0 is not in"));
	model_free(m);
}

/* ---- built-in PCI drivers' tables (kimage.h) --------------------------- */

#define ANY MODEL_PCI_ANY_ID
/* PCI_DEVICE plus a class and mask, any subsystem. */
#define PCI_ID_CLASS(v, d, c, cm)                                   \
	{                                                           \
		.vendor = (v), .device = (d), .subvendor = ANY,     \
		.subdevice = ANY, .class = (c), .class_mask = (cm), \
		.override_only = false                              \
	}
#define PCI_ID_OVERRIDE(v)                                      \
	{                                                       \
		.vendor = (v), .device = ANY, .subvendor = ANY, \
		.subdevice = ANY, .class = 0, .class_mask = 0,  \
		.override_only = true                           \
	}

TEST(pci_id_alias_patterns)
{
	struct model_pci_id port = PCI_ID_CLASS(ANY, ANY, 0x060400, ANY);
	struct model_pci_id hb =
		PCI_ID_CLASS(0x8086, 0x29c0, 0x060000, 0xffff00);
	struct model_pci_id xhci = PCI_ID_CLASS(ANY, ANY, 0x0c0330, 0xfffffc);
	struct model_pci_id any = PCI_ID_CLASS(0x1af4, ANY, 0, 0);
	char buf[128];

	ASSERT_EQ(0, model_pci_id_alias(&port, buf, sizeof(buf)));
	EXPECT_STREQ("pci:v*d*sv*sd*bc06sc04i00", buf);
	ASSERT_EQ(0, model_pci_id_alias(&hb, buf, sizeof(buf)));
	EXPECT_STREQ("pci:v00008086d000029C0sv*sd*bc06sc00i*", buf);
	/* modpost gives up on a partial mask; the pattern stays exact. */
	ASSERT_EQ(0, model_pci_id_alias(&xhci, buf, sizeof(buf)));
	EXPECT_STREQ("pci:v*d*sv*sd*bc0Csc03i3[0123]", buf);
	EXPECT_TRUE(model_pci_alias_match(
		buf, "pci:v00001B36d0000000Dsv00001AF4sd00001100bc0Csc03i30"));
	EXPECT_FALSE(model_pci_alias_match(
		buf, "pci:v00001B36d0000000Dsv00001AF4sd00001100bc0Csc03i34"));
	ASSERT_EQ(0, model_pci_id_alias(&any, buf, sizeof(buf)));
	EXPECT_STREQ("pci:v00001AF4d*sv*sd*bc*sc*i*", buf);
	EXPECT_EQ(-1, model_pci_id_alias(&any, buf, 12));
}

#define KADDR_TEXT 0xffffffff81000000ULL
#define KADDR_RO 0xffffffff82000000ULL
#define KADDR_DATA 0xffffffff82100000ULL

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = v >> (8 * i);
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

/* One pci_device_id at p (40 bytes). */
static void put_id(unsigned char *p, const struct model_pci_id *id)
{
	memset(p, 0, 40);
	put32(p, id->vendor);
	put32(p + 4, id->device);
	put32(p + 8, id->subvendor);
	put32(p + 12, id->subdevice);
	put32(p + 16, id->class);
	put32(p + 20, id->class_mask);
	put32(p + 32, id->override_only);
}

/*
 * A vmlinux in miniature: .text, .rodata (names and tables), .data (a
 * 6.1-style pci_driver behind a list_head, and a decoy whose table has
 * a vendor past 0xffff), .shstrtab.
 */
static size_t make_elf(unsigned char *img, size_t size)
{
	static const char shstr[] = "\0.text\0.rodata\0.data\0.shstrtab";
	const size_t text = 0x100, ro = 0x200, data = 0x400, strs = 0x500,
		     sh = 0x600;
	const struct model_pci_id ids[] = {
		PCI_ID_CLASS(0x8086, 0x29c0, 0x060000, 0xffff00),
		PCI_ID_CLASS(ANY, ANY, 0x060400, ANY),
		PCI_ID_OVERRIDE(0x1234),
		{.vendor = 0},
	};
	const struct model_pci_id bad = PCI_ID_CLASS(0x12345, 1, 0, 0);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	struct {
		const char *name;
		uint32_t type;
		uint64_t flags, addr, off, len;
	} sec[] = {
		{"", SHT_NULL, 0, 0, 0, 0},
		{".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, KADDR_TEXT,
		 text, 0x40},
		{".rodata", SHT_PROGBITS, SHF_ALLOC, KADDR_RO, ro, 0x200},
		{".data", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, KADDR_DATA, data,
		 0x100},
		{".shstrtab", SHT_STRTAB, 0, 0, strs, sizeof(shstr)},
	};

	if (size < sh + 5 * sizeof(Elf64_Shdr))
		return 0;
	memset(img, 0, size);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_ehsize = sizeof(*eh);
	eh->e_shoff = sh;
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = 5;
	eh->e_shstrndx = 4;
	memset(img + text, 0xcc, 0x40);
	memcpy(img + ro, "agp-test", 9);
	for (size_t i = 0; i < 4; i++)
		put_id(img + ro + 0x10 + 40 * i, &ids[i]);
	memcpy(img + ro + 0x100, "decoy", 6);
	put_id(img + ro + 0x108, &bad);
	/* pci_driver after a list_head: name, id_table, probe, NULLs. */
	put64(img + data + 0x10, KADDR_RO);
	put64(img + data + 0x18, KADDR_RO + 0x10);
	put64(img + data + 0x20, KADDR_TEXT);
	put64(img + data + 0x38, KADDR_TEXT + 0x10); /* resume */
	put64(img + data + 0x80, KADDR_RO + 0x100);
	put64(img + data + 0x88, KADDR_RO + 0x108);
	put64(img + data + 0x90, KADDR_TEXT);
	memcpy(img + strs, shstr, sizeof(shstr));
	for (size_t i = 0, name = 0; i < 5; i++) {
		Elf64_Shdr s = {0};

		s.sh_name = name;
		name += strlen(sec[i].name) + 1;
		s.sh_type = sec[i].type;
		s.sh_flags = sec[i].flags;
		s.sh_addr = sec[i].addr;
		s.sh_offset = sec[i].off;
		s.sh_size = sec[i].len;
		s.sh_addralign = 8;
		memcpy(img + sh + i * sizeof(s), &s, sizeof(s));
	}
	return sh + 5 * sizeof(Elf64_Shdr);
}

struct found {
	char names[4][32];
	struct model_pci_id ids[4][8];
	size_t nr[4];
	size_t drivers;
};

static int collect(const char *driver, const struct model_pci_id *ids,
		   size_t nr, void *data)
{
	struct found *f = data;

	if (f->drivers == 4 || nr > 8)
		return -1;
	snprintf(f->names[f->drivers], sizeof(f->names[0]), "%s", driver);
	memcpy(f->ids[f->drivers], ids, nr * sizeof(*ids));
	f->nr[f->drivers++] = nr;
	return 0;
}

TEST(kimage_finds_builtin_pci_drivers)
{
	static unsigned char img[0x800];
	struct found f = {0};
	size_t len = make_elf(img, sizeof(img));
	char err[128];

	ASSERT_NE(0, len);
	EXPECT_EQ(1, model_kimage_pci_drivers(img, len, collect, &f, err,
					      sizeof(err)))
	TH_LOG("%s", err);
	EXPECT_STREQ("agp-test", f.names[0]);
	ASSERT_EQ(3, f.nr[0]);
	EXPECT_EQ(0x29c0, f.ids[0][0].device);
	EXPECT_EQ(0xffff00, f.ids[0][0].class_mask);
	EXPECT_EQ(MODEL_PCI_ANY_ID, f.ids[0][1].vendor);
	EXPECT_TRUE(f.ids[0][2].override_only);
	/* A callback's refusal stops the scan. */
	f.drivers = 4;
	EXPECT_EQ(-1, model_kimage_pci_drivers(img, len, collect, &f, err,
					       sizeof(err)));
	EXPECT_STREQ("stopped at driver agp-test", err);
	/* Not a vmlinux. */
	EXPECT_EQ(-1, model_kimage_pci_drivers((const unsigned char *)"MZ", 2,
					       collect, &f, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "not a 64-bit little-endian ELF"));
	/* Section headers past the end. */
	EXPECT_EQ(-1, model_kimage_pci_drivers(img, 0x700, collect, &f, err,
					       sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "out of bounds"));
}

/* ---- which devices a driver probes (probe.h) ---------------------------- */

static int put_text(const char *root, const char *rel, const char *text)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return write_file(path, text, strlen(text));
}

TEST(pci_aliases_load_and_name_bad_lines)
{
	char path[] = "/tmp/iog-aliases-XXXXXX";
	struct model_pci_aliases a;
	char err[MODEL_ERR_LEN];
	int fd = mkstemp(path);

	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0,
		  put_text("", path,
			   "# comment\n"
			   "alias pci:v00008086d000010D3sv*sd*bc*sc*i* e1000e\n"
			   "\n"
			   "builtin pci:v*d*sv*sd*bc06sc04i00 pcieport\n"
			   "builtin-driver pcieport\n"));
	ASSERT_EQ(0, model_pci_aliases_load(&a, path, err, sizeof(err)))
	TH_LOG("%s", err);
	ASSERT_EQ(2, a.nr);
	EXPECT_FALSE(a.v[0].builtin);
	EXPECT_STREQ("e1000e", a.v[0].name);
	EXPECT_TRUE(a.v[1].builtin);
	ASSERT_EQ(1, a.nr_builtin_drivers);
	EXPECT_STREQ("pcieport", a.builtin_drivers[0]);
	EXPECT_TRUE(model_pci_alias_match(
		a.v[0].pattern,
		"pci:v00008086d000010D3sv00008086sd00000000bc02sc00i00"));
	model_pci_aliases_free(&a);
	ASSERT_EQ(0, put_text("", path,
			      "alias pci:v*d*sv*sd*bc*sc*i* x\n"
			      "alias usb:v*p* y\n"));
	EXPECT_EQ(-1, model_pci_aliases_load(&a, path, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, ":2: want 'alias pci:PATTERN MODULE'"))
	TH_LOG("%s", err);
	unlink(path);
	EXPECT_EQ(-1, model_pci_aliases_load(&a, path, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "No such file"));
}

/* ROOT/bus/pci/drivers/D with D/module -> module/M (initstate if loaded). */
static int add_driver(const char *root, const char *d, const char *m,
		      bool loaded)
{
	char path[1024], target[256];

	snprintf(path, sizeof(path),
		 "mkdir -p %s/bus/pci/drivers/%s %s/module/%s", root, d, root,
		 m);
	if (system(path))
		return -1;
	snprintf(path, sizeof(path), "%s/bus/pci/drivers/%s/module", root, d);
	snprintf(target, sizeof(target), "../../../../module/%s", m);
	if (symlink(target, path))
		return -1;
	snprintf(path, sizeof(path), "module/%s/initstate", m);
	return loaded ? put_text(root, path, "live\n") : 0;
}

/* What the kernel writes to modalias, from the dump's config space. */
static int add_modaliases(const char *root, const struct model_pci_topo *t)
{
	for (size_t i = 0; i < t->nr; i++) {
		const struct model_pci_dev *d = &t->devs[i];
		char rel[128], text[128];
		char cfg[1024];
		unsigned char c[64];
		FILE *f;

		snprintf(cfg, sizeof(cfg), "%s/bus/pci/devices/%s/config", root,
			 d->bdf);
		f = fopen(cfg, "rb");
		if (!f || fread(c, 1, 64, f) != 64) {
			if (f)
				fclose(f);
			return -1;
		}
		fclose(f);
		snprintf(text, sizeof(text),
			 "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n",
			 c[0] | c[1] << 8, c[2] | c[3] << 8,
			 (c[0x0e] & 0x7f) ? 0 : c[0x2c] | c[0x2d] << 8,
			 (c[0x0e] & 0x7f) ? 0 : c[0x2e] | c[0x2f] << 8, c[0x0b],
			 c[0x0a], c[0x09]);
		snprintf(rel, sizeof(rel), "bus/pci/devices/%s/modalias",
			 d->bdf);
		if (put_text(root, rel, text))
			return -1;
	}
	return 0;
}

TEST_F(fake_sysfs, probes_follow_tables_registration_and_load_order)
{
	struct model_pci_aliases a;
	struct model_probes pr;
	char err[MODEL_ERR_LEN], path[1024];
	struct model *m;
	const char *order;

	ASSERT_EQ(0, model_load_live(&m, self->root, err, sizeof(err)));
	ASSERT_EQ(0, add_modaliases(self->root, model_topo(m)));
	/* Registration order: pcieport, agpgart-intel, shpchp (built in). */
	ASSERT_EQ(0, add_driver(self->root, "pcieport", "pcieportdrv", false));
	ASSERT_EQ(0,
		  add_driver(self->root, "agpgart-intel", "intel_agp", false));
	ASSERT_EQ(0, add_driver(self->root, "shpchp", "shpchp", false));
	ASSERT_EQ(0, add_driver(self->root, "nvme", "nvme", true));
	ASSERT_EQ(0, add_driver(self->root, "e1000e", "e1000e", true));
	snprintf(path, sizeof(path), "%s/aliases", self->root);
	ASSERT_EQ(0,
		  put_text("", path,
			   "alias pci:v*d*sv*sd*bc01sc08i02 nvme\n"
			   "alias pci:v00008086d000010D3sv*sd*bc*sc*i* e1000e\n"
			   "alias pci:v00008086d0000100Esv*sd*bc*sc*i* e1000\n"
			   "alias pci:v00008086d00002922sv*sd*bc*sc*i* ahci\n"
			   "builtin-driver pcieport\n"
			   "builtin pci:v*d*sv*sd*bc06sc04i00 pcieport\n"
			   "builtin pci:v*d*sv*sd*bc06sc04i00 shpchp\n"
			   "builtin-driver shpchp\n"
			   "builtin pci:v00008086d000029C0sv*sd*bc06sc00i* "
			   "agpgart-intel\n"
			   "builtin-driver agpgart-intel\n"));
	ASSERT_EQ(0, model_pci_aliases_load(&a, path, err, sizeof(err)));
	order = "virtio_iommu nvme e1000e";
	ASSERT_EQ(0, model_probes_live(model_topo(m), self->root, &a, order,
				       &pr, err, sizeof(err)))
	TH_LOG("%s", err);
	EXPECT_TRUE(pr.complete) TH_LOG("%s", pr.incomplete);
	EXPECT_TRUE(pr.order_known) TH_LOG("%s", pr.order_why);
	/*
	 * pcieport's devices in bus order (the bridge 03:00.0 too), then
	 * the host bridge, then nvme's, then e1000e's; e1000 is not loaded
	 * and ahci neither: no probe for 04:0x.0 and the ICH9 functions.
	 */
	static const char *const want[] = {
		"0000:00:02.0", "0000:00:02.1", "0000:00:02.2", "0000:00:02.3",
		"0000:00:02.4", "0000:03:00.0", "0000:00:00.0", "0000:01:00.0",
		"0000:00:05.0", "0000:02:00.0", "0000:05:00.0", "0000:05:00.1",
	};
	ASSERT_EQ(sizeof(want) / sizeof(want[0]), pr.nr);
	for (size_t i = 0; i < pr.nr; i++)
		EXPECT_STREQ(want[i], pr.v[i].bdf);
	EXPECT_STREQ("pcieport", pr.v[5].driver);
	EXPECT_TRUE(pr.v[5].builtin);
	EXPECT_EQ(MODEL_PROBE_DEFERRED, pr.v[6].when);
	EXPECT_STREQ("nvme", pr.v[7].module);
	EXPECT_EQ(MODEL_PROBE_AT_LOAD, pr.v[7].when);
	EXPECT_FALSE(pr.v[7].bound);
	model_probes_free(&pr);

	/* Loaded before virtio_iommu: deferred too, after the built-ins. */
	ASSERT_EQ(0, model_probes_live(model_topo(m), self->root, &a,
				       "e1000e virtio-iommu.ko nvme", &pr, err,
				       sizeof(err)));
	EXPECT_STREQ("0000:00:05.0", pr.v[7].bdf);
	EXPECT_EQ(MODEL_PROBE_DEFERRED, pr.v[7].when);
	EXPECT_STREQ("0000:01:00.0", pr.v[11].bdf);
	EXPECT_EQ(MODEL_PROBE_AT_LOAD, pr.v[11].when);
	model_probes_free(&pr);

	/* No order, or none for virtio_iommu: the times are unknown. */
	ASSERT_EQ(0, model_probes_live(model_topo(m), self->root, &a, NULL, &pr,
				       err, sizeof(err)));
	EXPECT_FALSE(pr.order_known);
	EXPECT_STREQ("the module load order is not known", pr.order_why);
	EXPECT_EQ(MODEL_PROBE_UNKNOWN, pr.v[0].when);
	model_probes_free(&pr);
	ASSERT_EQ(0, model_probes_live(model_topo(m), self->root, &a, "nvme",
				       &pr, err, sizeof(err)));
	EXPECT_FALSE(pr.order_known);
	EXPECT_NE(NULL, strstr(pr.order_why, "virtio_iommu is not in the "
					     "module load order 'nvme'"));
	model_probes_free(&pr);

	/* A bound device counts whatever the tables say. */
	snprintf(path, sizeof(path), "%s/bus/pci/devices/0000:00:1f.3/driver",
		 self->root);
	ASSERT_EQ(0, symlink("../../../bus/pci/drivers/nvme", path));
	/* A built-in driver with no known table: incomplete. */
	ASSERT_EQ(0, add_driver(self->root, "mystery", "mystery", false));
	ASSERT_EQ(0, model_probes_live(model_topo(m), self->root, &a, order,
				       &pr, err, sizeof(err)));
	EXPECT_FALSE(pr.complete);
	EXPECT_NE(NULL, strstr(pr.incomplete, "built-in PCI driver(s) mystery"))
	TH_LOG("%s", pr.incomplete);
	EXPECT_STREQ("0000:00:1f.3", pr.v[7].bdf);
	EXPECT_TRUE(pr.v[7].bound);
	model_probes_free(&pr);
	model_pci_aliases_free(&a);
	model_free(m);
}

TEST_HARNESS_MAIN
