// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the reference model's grouping rules (harness/model): group
 * core, reserved region merging, ACS predicates, explanations, mutated
 * config space, the virtio-iommu and AMD hooks, teardown and rescan.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "model_util.h"

#include "group_core.h"
#include "iommu_ops.h"
#include "model.h"
#include "pci_device_group.h"
#include "pci_topo.h"
#include "resv.h"

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

/* ---- explanations ----------------------------------------------------- */

TEST(explanations_name_rule_and_device)
{
	struct model_opts o = {.iommu = MODEL_IOMMU_INTEL};
	struct model *m = model_ut_boot_dump(
		model_ut_fixture("lspci/q35-noacs-intel.dump"), &o);
	struct model_partition p;
	char *text;

	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, model_partition(m, &p));
	EXPECT_STREQ("aliases to PCIe-to-PCI bridge 0000:03:00.0 (R4)",
		     model_ut_why_of(&p, "04:01.0"));
	EXPECT_STREQ("root port 0000:00:02.3 lacks an ACS capability (R5)",
		     model_ut_why_of(&p, "05:00.1"));
	EXPECT_STREQ(
		"function of multifunction slot 00:1f without ACS, shares with 0000:00:1f.0 (R8)",
		model_ut_why_of(&p, "00:1f.3"));
	EXPECT_STREQ(
		"function of multifunction slot 00:02 without ACS, shares with 0000:00:02.0 (R8)",
		model_ut_why_of(&p, "00:02.4"));
	EXPECT_STREQ("own group: single-function device on root bus (R9)",
		     model_ut_why_of(&p, "00:05.0"));
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
	struct model *m = model_ut_boot_dump(
		model_ut_fixture("model/q35-acs-rp2-acsctl-cleared.dump"), &o);
	struct obs *want = model_ut_obs_load(
		model_ut_fixture("model/q35-acs-rp2-acsctl-cleared.expected"));
	struct obs *orig = model_ut_obs_load(
		model_ut_fixture("lspci/q35-acs-intel.observed"));
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
		model_ut_why_of(&p, "02:00.0"));

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
	struct model *m = model_ut_boot_dump(
		model_ut_fixture("model/q35-acs-rp2-rr-unadvertised.dump"), &o);
	struct obs *orig = model_ut_obs_load(
		model_ut_fixture("lspci/q35-acs-intel.observed"));
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
	struct model *m = model_ut_boot_dump(
		model_ut_fixture("lspci/q35-acs-intel.dump"), &o);
	struct obs *orig = model_ut_obs_load(
		model_ut_fixture("lspci/q35-acs-intel.observed"));
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
	struct obs_group *g7 = model_ut_obs_find(orig, 7);
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
	struct model *m = model_ut_boot_dump(
		model_ut_fixture("lspci/q35-acs-intel.dump"), &o);
	struct model_partition p;

	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, model_partition(m, &p));
	EXPECT_EQ(0, model_ut_group_of(&p, "00:02.0"));
	EXPECT_EQ(5, model_ut_group_of(&p, "01:00.0"));
	EXPECT_EQ(7, model_ut_group_of(&p, "05:00.0"));
	EXPECT_EQ(7, model_ut_group_of(&p, "05:00.1"));
	EXPECT_EQ(8, model_ut_group_of(&p, "00:05.0"));
	/* No driver: no group (R3), the host bridge and ICH9 included. */
	EXPECT_EQ(-1, model_ut_group_of(&p, "00:00.0"));
	EXPECT_EQ(-1, model_ut_group_of(&p, "00:1f.2"));
	EXPECT_EQ(-1, model_ut_group_of(&p, "03:00.0"));
	/*
	 * The 6.12 kernel gave these none although bound (a kernel
	 * deviation): the rules give them the bridge's one group.
	 */
	EXPECT_EQ(9, model_ut_group_of(&p, "04:01.0"));
	EXPECT_EQ(9, model_ut_group_of(&p, "04:02.0"));
	EXPECT_NE(NULL,
		  strstr(model_ut_why_of(&p, "04:02.0"),
			 "aliases to PCIe-to-PCI bridge 0000:03:00.0 (R4)"));
	EXPECT_EQ(10, (int)p.nr);
	/* x86: the window QEMU's device reports, the model's own default. */
	EXPECT_STREQ("0x00000000fee00000 0x00000000feefffff msi\n",
		     model_partition_group(&p, 9)->resv);
	model_partition_free(&p);
	model_free(m);

	/* A device that reports none: the driver's software window. */
	o.virtio_sw_msi = true;
	m = model_ut_boot_dump(model_ut_fixture("lspci/q35-acs-intel.dump"),
			       &o);
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
	m = model_ut_boot_dump(model_ut_fixture("lspci/q35-acs-intel.dump"),
			       &o);
	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, model_partition(m, &p));
	EXPECT_STREQ("0x00000000fee00000 0x00000000feefffff msi\n",
		     model_partition_group(&p, 0)->resv);
	/* Binding a driver later probes the device then (6.12). */
	ASSERT_EQ(0, model_driver_bind(m, "00:1f.2"));
	model_partition_free(&p);
	ASSERT_EQ(0, model_partition(m, &p));
	EXPECT_EQ(1, model_ut_group_of(&p, "00:1f.2"));
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

	ASSERT_EQ(0, model_load_dump(
			     &m, model_ut_fixture("lspci/q35-acs-intel.dump"),
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
	struct model *m = model_ut_boot_dump(
		model_ut_fixture("lspci/q35-acs-amd.dump"), &o);
	struct model_partition p;

	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, model_partition(m, &p));
	EXPECT_EQ(0, model_ut_group_of(&p, "00:05.0"));
	EXPECT_NE(NULL, strstr(model_ut_why_of(&p, "00:05.0"), "(R7)"));
	EXPECT_EQ(7, model_ut_group_of(&p, "01:00.0"));
	EXPECT_EQ(-1, model_ut_group_of(&p, "00:01.0"));
	EXPECT_STREQ("no group: the AMD IOMMU's own function (R3)",
		     model_ut_why_of(&p, "00:01.0"));
	model_partition_free(&p);
	model_free(m);
}

/* ---- teardown, rescan, driver events (R10) ----------------------------- */

TEST(remove_and_rescan_reuse_ids)
{
	struct model_opts o = {.iommu = MODEL_IOMMU_INTEL};
	struct model *m = model_ut_boot_dump(
		model_ut_fixture("lspci/q35-acs-intel.dump"), &o);
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
	EXPECT_EQ(-2, model_ut_group_of(&p, "05:00.0"));
	model_partition_free(&p);
	/* Rescan by the rules: the freed IDs come back, lowest first. */
	ASSERT_EQ(0, model_rescan(m, false));
	ASSERT_EQ(0, model_partition(m, &p));
	EXPECT_EQ(4, model_ut_group_of(&p, "00:02.3"));
	EXPECT_EQ(11, model_ut_group_of(&p, "05:00.0"));
	EXPECT_EQ(11, model_ut_group_of(&p, "05:00.1"));
	model_partition_free(&p);
	model_free(m);
}

TEST(kernel_early_probe_splits_the_multifunction_pair)
{
	struct model_opts o = {.iommu = MODEL_IOMMU_INTEL};
	struct model *m = model_ut_boot_dump(
		model_ut_fixture("lspci/q35-acs-intel.dump"), &o);
	struct model_partition p;

	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, model_remove_device(m, "05:00.0"));
	ASSERT_EQ(0, model_remove_device(m, "05:00.1"));
	/* What 6.1 and 6.12 do (observed-q35.md): two groups. */
	ASSERT_EQ(0, model_rescan(m, true));
	ASSERT_EQ(0, model_partition(m, &p));
	EXPECT_EQ(11, model_ut_group_of(&p, "05:00.0"));
	EXPECT_EQ(12, model_ut_group_of(&p, "05:00.1"));
	EXPECT_NE(NULL,
		  strstr(model_ut_why_of(&p, "05:00.1"), "rescan deviation"));
	model_partition_free(&p);
	model_free(m);
}

/* ---- the topology as loaded -------------------------------------------- */

TEST(boot_order_and_multifunction_flags)
{
	struct model_pci_topo t;
	char err[MODEL_ERR_LEN];
	static const char *const want[] = {
		"0000:00:00.0", "0000:00:02.0", "0000:00:02.1", "0000:00:1f.0",
		"0000:00:1f.2", "0000:00:1f.3", "0000:01:00.0", "0000:02:01.0",
		"0000:02:02.0", "0000:03:01.0", "0000:03:02.0", "0000:04:00.0",
	};

	ASSERT_EQ(0,
		  model_pci_topo_load_dump(
			  &t,
			  model_ut_fixture("lspci/q35-bridge-nest-intel.dump"),
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
			     &t, model_ut_fixture("lspci/q35-acs-intel.dump"),
			     err, sizeof(err)));
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

TEST_HARNESS_MAIN
