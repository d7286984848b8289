// SPDX-License-Identifier: GPL-2.0-only
/*
 * notifier: the events the kernel sends about grouped devices, and DMA
 * ownership, which replaced the group notifier in 5.19
 * (spec/iommu-groups.md §1.7, §1.8, §2.2, §6; observed-q35.md "Group type
 * writes").
 *
 * events: the test module (drivers/iog_groups) records every PCI bus
 * event with the device's group at that moment; the suite removes,
 * rescans, unbinds and binds, makes the same changes in the reference
 * model, and compares the two streams: the same events, in the same
 * order, each exactly once, with the same group ID at each.  The model
 * speaks the old group notifier (ADD_DEVICE, DEL_DEVICE, BIND_DRIVER,
 * ...); the module's "removed" comes after the core released the device
 * from its group, so its group is -1 (see the module's header comment).
 *
 * owner: a claim of the group's DMA (iommu_group_claim_dma_owner, what
 * VFIO does) fails with EPERM while any member is bound to a kernel
 * driver; a driver bind fails with EBUSY while the group is claimed, and
 * announces nothing.
 *
 * type: writes to a group's type follow the rules of the kernel's era
 * (§2.2): up to 6.3 one device and no driver bound, else EINVAL or EBUSY;
 * from 6.4 no owner (no driver, no claim), else EPERM; DMA to DMA-FQ is
 * allowed while bound; EACCES without CAP_SYS_ADMIN and CAP_SYS_RAWIO.
 *
 * Suites run in name order: this one runs before sysfs_layout and
 * teardown, so it leaves every device, driver and type as it found them,
 * and never removes a device that a rescan would regroup.
 */
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/capability.h>

#include "kselftest_harness.h"
#include "suite.h"
#include "teardown_util.h"

/* What every fixture here needs, and gives back in its teardown. */
struct nf {
	struct suite_model sm;
	struct td_state boot;
	size_t ev0; /* model events before the ones a test compares */
};

static bool nf_setup(struct __test_metadata *_metadata, struct nf *c,
		     bool need_module)
{
	if (!td_require_live(_metadata) ||
	    (need_module && !td_require_iog(_metadata)) ||
	    !suite_model_get(_metadata, &c->sm))
		return false;
	if (!td_start_state(_metadata, &c->sm, true))
		return false;
	c->ev0 = td_model_replay_binds(&c->sm);
	ASSERT_EQ(0, td_state_save(&c->boot))
	TH_LOG("cannot list %s/bus/pci/devices", sysfs_root());
	return true;
}

static void nf_teardown(struct __test_metadata *_metadata, struct nf *c)
{
	/* Claims first: a claimed group refuses the drivers back. */
	for (size_t i = 0; td_iog_present() && i < c->boot.nr; i++) {
		td_iog_owner("release-device", c->boot.v[i].bdf, NULL, 0);
		td_iog_owner("release-group", c->boot.v[i].bdf, NULL, 0);
	}
	EXPECT_EQ(0, td_state_restore(_metadata, &c->boot))
	TH_LOG("restore: the machine is not as the test found it");
	td_state_free(&c->boot);
	suite_model_put(&c->sm);
}

/* ---- event streams ------------------------------------------------------- */

/* Empty the module's log; the model's stream starts here too. */
static void stream_start(struct __test_metadata *_metadata, struct nf *c)
{
	const struct model_event *ev;
	int err = td_iog_clear();

	ASSERT_EQ(0, err) TH_LOG("clearing the event log: %s", strerror(err));
	c->ev0 = model_events(c->sm.m, &ev);
}

/* The module's log since stream_start against the model's events since. */
static void stream_check(struct __test_metadata *_metadata, struct nf *c,
			 const char *what)
{
	struct td_evs me = {0}, ke = {0};
	int bad;

	ASSERT_EQ(0, td_model_stream(&c->sm, c->ev0, &me))
	TH_LOG("out of memory");
	td_probe_barrier();
	ASSERT_EQ(0, td_iog_events(&ke))
	TH_LOG("reading the test module's events: %s", strerror(errno));
	bad = td_evs_compare(&me, &ke, what);
	EXPECT_EQ(0, bad)
	TH_LOG("%s: the kernel's events differ from the model's in %d place(s) "
	       "(order, exactly once, the group ID at each)",
	       what, bad);
	td_evs_free(&me);
	td_evs_free(&ke);
}

static void unbind_dev(struct __test_metadata *_metadata, struct nf *c,
		       const char *bdf)
{
	int err = td_unbind(bdf);

	ASSERT_EQ(0, err) TH_LOG("unbind %s: %s", bdf, strerror(err));
	ASSERT_EQ(0, model_driver_unbind(c->sm.m, bdf));
}

static void bind_dev(struct __test_metadata *_metadata, struct nf *c,
		     const char *bdf, const char *drv)
{
	int err = td_bind(bdf, drv);

	ASSERT_EQ(0, err) TH_LOG("bind %s to %s: %s", bdf, drv, strerror(err));
	ASSERT_EQ(0, model_driver_bind(c->sm.m, bdf));
}

/*
 * sysfs remove, then rescan: the kernel sends unbind, unbound, del,
 * removed; then add for every device the scan finds, then bind and bound
 * for each in the same order (pci_bus_add_devices after the scan, §1.8).
 */
static void remove_rescan(struct __test_metadata *_metadata, struct nf *c,
			  const char *bdf)
{
	bool had = td_dev_bound(bdf);
	int err;

	err = td_remove(bdf);
	ASSERT_EQ(0, err) TH_LOG("remove %s: %s", bdf, strerror(err));
	ASSERT_EQ(0, model_remove_device(c->sm.m, bdf));
	err = td_rescan();
	ASSERT_EQ(0, err) TH_LOG("rescan: %s", strerror(err));
	ASSERT_TRUE(td_wait_settled(&c->boot))
	TH_LOG("after the rescan, devices are missing or unbound after %.0f s",
	       TD_WAIT_S);
	/* Grouped inside device_add(), as the kernels do (observed-q35.md). */
	ASSERT_EQ(0, model_rescan(c->sm.m, true));
	if (had)
		ASSERT_EQ(0, model_driver_bind(c->sm.m, bdf));
}

/* events and owner: a struct nf, the iog module required. */
#define NF_FIXTURE(name)                             \
	FIXTURE(name)                                \
	{                                            \
		struct nf c;                         \
	};                                           \
	FIXTURE_SETUP(name)                          \
	{                                            \
		nf_setup(_metadata, &self->c, true); \
	}                                            \
	FIXTURE_TEARDOWN(name)                       \
	{                                            \
		nf_teardown(_metadata, &self->c);    \
	}

NF_FIXTURE(events)

TEST_F(events, unbind_bind)
{
	const struct model_pgroup *g = td_pick_singleton(&self->c.sm, true),
				  *sg;
	const char *dev[2] = {g ? g->bdfs[0] : NULL,
			      td_pick_shared_leaf(&self->c.sm, &sg)};
	char drv[2][64];
	int n = 0;

	stream_start(_metadata, &self->c);
	for (int i = 0; i < 2; i++) {
		if (!dev[i])
			continue;
		td_dev_driver(dev[i], drv[i], sizeof(drv[i]));
		TH_LOG("%s (group %ld): unbind %s, bind it again", dev[i],
		       td_dev_group(dev[i]), drv[i]);
		unbind_dev(_metadata, &self->c, dev[i]);
		bind_dev(_metadata, &self->c, dev[i], drv[i]);
		n++;
	}
	if (!n)
		SKIP(return, "no device with a driver bound");
	stream_check(_metadata, &self->c, "unbind and bind");
}

TEST_F(events, remove_rescan_singleton)
{
	const struct model_pgroup *g = td_pick_any_singleton(&self->c.sm);

	if (!g)
		SKIP(return, "the model predicts no singleton group of a "
			     "device that can be removed alone");
	TH_LOG("%s, alone in group %d: remove, rescan", g->bdfs[0], g->id);
	stream_start(_metadata, &self->c);
	remove_rescan(_metadata, &self->c, g->bdfs[0]);
	stream_check(_metadata, &self->c, "remove and rescan of a singleton");
}

TEST_F(events, remove_rescan_shared)
{
	const struct model_pgroup *g;
	const char *bdf = td_pick_shared_leaf(&self->c.sm, &g);

	if (!bdf)
		SKIP(return, "the model predicts no multi-device group with a "
			     "bound device that can be removed alone");
	TH_LOG("%s, one of %zu in group %d: remove, rescan", bdf, g->nr, g->id);
	stream_start(_metadata, &self->c);
	remove_rescan(_metadata, &self->c, bdf);
	stream_check(_metadata, &self->c,
		     "remove and rescan of a shared group's device");
}

/* ---- DMA ownership ------------------------------------------------------- */

NF_FIXTURE(owner)

/* A claim that must fail: EPERM, and the module says so too. */
static void expect_claim_refused(struct __test_metadata *_metadata,
				 const char *bdf, const char *why)
{
	char said[64];
	int err = td_iog_owner("claim-group", bdf, said, sizeof(said));

	EXPECT_EQ(EPERM, err)
	TH_LOG("claim-group %s while %s: %s, want EPERM (§1.7: the group's "
	       "owner_cnt counts kernel drivers)",
	       bdf, why, err ? strerror(err) : "claimed");
	if (!err) {
		td_iog_owner("release-group", bdf, NULL, 0);
	} else {
		EXPECT_STREQ("ERR -1", said);
	}
}

TEST_F(owner, claim_refused_while_bound)
{
	const struct suite_model *sm = &self->c.sm;
	const struct model_pgroup *s = td_pick_singleton(sm, true);
	const char *free_dev = NULL, *bound_dev = NULL;
	char why[128];

	if (s) {
		snprintf(why, sizeof(why), "it is bound to a driver");
		expect_claim_refused(_metadata, s->bdfs[0], why);
	}
	/* A member without a driver whose sibling has one. */
	for (size_t i = 0; i < sm->p.nr && !bound_dev; i++) {
		const struct model_pgroup *g = &sm->p.groups[i];

		free_dev = NULL;
		for (size_t j = 0; j < g->nr; j++)
			if (!td_dev_bound(g->bdfs[j]))
				free_dev = g->bdfs[j];
		for (size_t j = 0; free_dev && j < g->nr; j++)
			if (td_dev_bound(g->bdfs[j]))
				bound_dev = g->bdfs[j];
	}
	if (!bound_dev) {
		/* Else make one: unbind a leaf of a group with two bound. */
		const struct model_pgroup *g;

		free_dev = td_pick_shared_leaf(sm, &g);
		for (size_t j = 0; free_dev && j < g->nr; j++)
			if (strcmp(g->bdfs[j], free_dev) &&
			    td_dev_bound(g->bdfs[j]))
				bound_dev = g->bdfs[j];
		if (bound_dev)
			unbind_dev(_metadata, &self->c, free_dev);
	}
	if (!bound_dev && !s)
		SKIP(return, "no group with a device bound to a driver");
	if (bound_dev) {
		char drv[64];

		td_dev_driver(bound_dev, drv, sizeof(drv));
		snprintf(why, sizeof(why), "its sibling %s is bound to %s",
			 bound_dev, drv);
		TH_LOG("%s has no driver; %s", free_dev, why);
		expect_claim_refused(_metadata, free_dev, why);
	}
}

TEST_F(owner, bind_refused_while_claimed)
{
	const struct model_pgroup *g = td_pick_singleton(&self->c.sm, true);
	char bdf[MODEL_BDF_LEN], drv[64], said[64];
	int err;

	if (!g)
		SKIP(return, "no singleton group with a driver bound");
	snprintf(bdf, sizeof(bdf), "%s", g->bdfs[0]);
	td_dev_driver(bdf, drv, sizeof(drv));
	TH_LOG("%s (group %d): unbind %s, claim the group, bind %s", bdf, g->id,
	       drv, drv);
	unbind_dev(_metadata, &self->c, bdf);
	err = td_iog_owner("claim-group", bdf, said, sizeof(said));
	ASSERT_EQ(0, err)
	TH_LOG("claim-group %s with no driver bound: %s (module: %s)", bdf,
	       strerror(err), said);

	/* Refused in dma_configure(), before the bind is announced. */
	stream_start(_metadata, &self->c);
	err = td_bind(bdf, drv);
	EXPECT_EQ(EBUSY, err)
	TH_LOG("bind %s to %s while its group is claimed: %s, want EBUSY", bdf,
	       drv, err ? strerror(err) : "bound");
	EXPECT_FALSE(td_dev_bound(bdf));
	stream_check(_metadata, &self->c, "a bind refused (no events)");

	err = td_iog_owner("release-group", bdf, said, sizeof(said));
	ASSERT_EQ(0, err) TH_LOG("release-group %s: %s", bdf, strerror(err));
	stream_start(_metadata, &self->c);
	bind_dev(_metadata, &self->c, bdf, drv);
	stream_check(_metadata, &self->c, "the bind after the release");
}

TEST_F(owner, claim_device)
{
	const struct model_pgroup *g = td_pick_singleton(&self->c.sm, true);
	char bdf[MODEL_BDF_LEN], drv[64], said[64];
	int err;

	if (!g)
		SKIP(return, "no singleton group with a driver bound");
	snprintf(bdf, sizeof(bdf), "%s", g->bdfs[0]);
	td_dev_driver(bdf, drv, sizeof(drv));
	/* Refused while a kernel driver owns the DMA, like a group claim. */
	err = td_iog_owner("claim-device", bdf, said, sizeof(said));
	if (err == EOPNOTSUPP)
		SKIP(return, "iommu_device_claim_dma_owner() arrived in 6.2: "
			     "this kernel has only group claims");
	EXPECT_EQ(EPERM, err)
	TH_LOG("claim-device %s while bound to %s: %s, want EPERM", bdf, drv,
	       err ? strerror(err) : "claimed");
	if (!err)
		td_iog_owner("release-device", bdf, NULL, 0);
	unbind_dev(_metadata, &self->c, bdf);
	err = td_iog_owner("claim-device", bdf, said, sizeof(said));
	ASSERT_EQ(0, err)
	TH_LOG("claim-device %s with no driver bound: %s", bdf, strerror(err));
	err = td_bind(bdf, drv);
	EXPECT_EQ(EBUSY, err)
	TH_LOG("bind %s while the device is claimed: %s, want EBUSY", bdf,
	       err ? strerror(err) : "bound");
	/* Another owner of the group: the group claim is refused. */
	err = td_iog_owner("claim-group", bdf, said, sizeof(said));
	EXPECT_EQ(EPERM, err)
	TH_LOG("claim-group %s while its device is claimed: %s, want EPERM",
	       bdf, err ? strerror(err) : "claimed");
	if (!err)
		td_iog_owner("release-group", bdf, NULL, 0);
	err = td_iog_owner("release-device", bdf, said, sizeof(said));
	ASSERT_EQ(0, err) TH_LOG("release-device %s: %s", bdf, strerror(err));
	err = td_bind(bdf, drv);
	EXPECT_EQ(0, err)
	TH_LOG("bind %s after the release: %s", bdf, strerror(err));
}

/* ---- group type writes --------------------------------------------------- */

/* §2.2, observed-q35.md "Group type writes": the errno per situation. */
struct type_rules {
	const char *era;
	int bound; /* identity or DMA with a driver bound */
	int owned; /* the group claimed by a DMA owner */
	int multi; /* more than one device, none bound (0: allowed) */
	int vfio; /* bound to vfio-pci, not opened (0: allowed) */
};

static const struct type_rules rules_5_11 = {
	.era = "5.11-6.3: one device, no driver bound",
	.bound = EBUSY,
	.owned = EBUSY,
	.multi = EINVAL,
	.vfio = EBUSY,
};

static const struct type_rules rules_6_4 = {
	.era = "6.4+: no owner (owner_cnt 0)",
	.bound = EPERM,
	.owned = EPERM,
	.multi = 0,
	.vfio = 0,
};

FIXTURE(type)
{
	struct nf c;
	const struct type_rules *r;
};

FIXTURE_SETUP(type)
{
	TD_KVER(v);
	if (!sysfs_kver_has(&v, SYSFS_FEAT_TYPE))
		SKIP(return, "kernel %s: the group type attribute came in 5.11",
			   v_release);
	self->r = sysfs_kver_at_least(&v, 6, 4) ? &rules_6_4 : &rules_5_11;
	nf_setup(_metadata, &self->c, false);
}

FIXTURE_TEARDOWN(type)
{
	nf_teardown(_metadata, &self->c);
}

static const char *err_name(int err)
{
	return err ? strerror(err) : "success";
}

/* Write type and expect want (0 or an errno). */
static void expect_type_write(struct __test_metadata *_metadata, long id,
			      const char *type, int want, const char *when,
			      const char *era)
{
	int err = td_group_set_type(id, type);

	EXPECT_EQ(want, err)
	TH_LOG("group %ld: writing %s %s: %s, want %s (%s)", id, type, when,
	       err_name(err), err_name(want), era);
}

static void expect_type(struct __test_metadata *_metadata, long id,
			const char *want)
{
	char now[32];

	ASSERT_EQ(0, td_group_type(id, now, sizeof(now)));
	EXPECT_STREQ(want, now) TH_LOG("group %ld type", id);
}

/* A singleton group whose device has no driver, unbinding one if need be. */
static const struct model_pgroup *
unbound_singleton(struct __test_metadata *_metadata, struct nf *c)
{
	const struct model_pgroup *g = td_pick_unbound_singleton(&c->sm);

	if (!g) {
		g = td_pick_singleton(&c->sm, true);
		if (g)
			unbind_dev(_metadata, c, g->bdfs[0]);
	}
	return g;
}

TEST_F(type, refused_while_bound)
{
	const struct model_pgroup *g = td_pick_singleton(&self->c.sm, true);
	char t0[32], when[128], drv[64];

	if (!g)
		SKIP(return, "no singleton group with a driver bound");
	ASSERT_EQ(0, td_group_type(g->id, t0, sizeof(t0)));
	td_dev_driver(g->bdfs[0], drv, sizeof(drv));
	snprintf(when, sizeof(when), "while %s is bound to %s", g->bdfs[0],
		 drv);
	expect_type_write(_metadata, g->id, "identity", self->r->bound, when,
			  self->r->era);
	expect_type_write(_metadata, g->id, "DMA", self->r->bound, when,
			  self->r->era);
	expect_type(_metadata, g->id, t0);
}

TEST_F(type, dma_fq_while_bound)
{
	const struct model_pgroup *g = td_pick_singleton(&self->c.sm, true);
	char t0[32], drv[64];

	if (!g)
		SKIP(return, "no singleton group with a driver bound");
	ASSERT_EQ(0, td_group_type(g->id, t0, sizeof(t0)));
	if (strcmp(t0, "DMA"))
		SKIP(return, "group %d's type is %s, not DMA", g->id, t0);
	td_dev_driver(g->bdfs[0], drv, sizeof(drv));
	/* The flush queue comes up in place: allowed while bound (§2.2). */
	expect_type_write(_metadata, g->id, "DMA-FQ", 0, "while bound",
			  "DMA to DMA-FQ is allowed while bound, all eras");
	expect_type(_metadata, g->id, "DMA-FQ");
	EXPECT_TRUE(td_dev_bound(g->bdfs[0]));
	/* Back to DMA: only with the driver gone. */
	unbind_dev(_metadata, &self->c, g->bdfs[0]);
	expect_type_write(_metadata, g->id, "DMA", 0, "with no driver bound",
			  self->r->era);
	expect_type(_metadata, g->id, "DMA");
	bind_dev(_metadata, &self->c, g->bdfs[0], drv);
}

TEST_F(type, refused_while_owned)
{
	const struct model_pgroup *g;
	char t0[32], said[64];
	int err;

	if (!td_require_iog(_metadata))
		return;
	g = unbound_singleton(_metadata, &self->c);
	if (!g)
		SKIP(return, "no singleton group");
	ASSERT_EQ(0, td_group_type(g->id, t0, sizeof(t0)));
	err = td_iog_owner("claim-group", g->bdfs[0], said, sizeof(said));
	ASSERT_EQ(0, err)
	TH_LOG("claim-group %s with no driver bound: %s", g->bdfs[0],
	       strerror(err));
	expect_type_write(_metadata, g->id, "identity", self->r->owned,
			  "while the group is claimed", self->r->era);
	expect_type(_metadata, g->id, t0);
	err = td_iog_owner("release-group", g->bdfs[0], said, sizeof(said));
	EXPECT_EQ(0, err);
}

TEST_F(type, multi_device_group)
{
	const struct suite_model *sm = &self->c.sm;
	const struct model_pgroup *g = NULL;
	char t0[32], drv[64];

	/* More than one device, no port (ports take their subtree). */
	for (size_t i = 0; i < sm->p.nr && !g; i++) {
		bool ok = sm->p.groups[i].nr > 1 &&
			  !td_group_busy(&sm->p.groups[i]);

		for (size_t j = 0; ok && j < sm->p.groups[i].nr; j++) {
			const struct model_pci_dev *d =
				td_model_dev(sm, sm->p.groups[i].bdfs[j]);

			ok = d && !td_is_port(d);
		}
		if (ok)
			g = &sm->p.groups[i];
	}
	if (!g)
		SKIP(return, "no multi-device group without a port");
	ASSERT_EQ(0, td_group_type(g->id, t0, sizeof(t0)));
	for (size_t j = 0; j < g->nr; j++) {
		td_dev_driver(g->bdfs[j], drv, sizeof(drv));
		if (drv[0])
			unbind_dev(_metadata, &self->c, g->bdfs[j]);
	}
	TH_LOG("group %d: %zu devices, none bound", g->id, g->nr);
	expect_type_write(_metadata, g->id, "identity", self->r->multi,
			  "to a multi-device group", self->r->era);
	if (!self->r->multi) {
		expect_type(_metadata, g->id, "identity");
		expect_type_write(_metadata, g->id, t0, 0, "back",
				  self->r->era);
	}
	expect_type(_metadata, g->id, t0);
}

static bool cond_on_vfio(const void *bdf)
{
	char drv[64];

	td_dev_driver(bdf, drv, sizeof(drv));
	return !strcmp(drv, "vfio-pci");
}

TEST_F(type, vfio_bound_unopened)
{
	const struct model_pgroup *g = td_pick_any_singleton(&self->c.sm);
	char t0[32];
	int err;

	if (!g)
		SKIP(return, "no singleton group of a leaf device");
	if (!td_driver_loaded("vfio-pci"))
		SKIP(return, "vfio-pci is not loaded (the topology's modules "
			     "line needs vfio_pci)");
	ASSERT_EQ(0, td_group_type(g->id, t0, sizeof(t0)));
	if (td_dev_bound(g->bdfs[0]))
		unbind_dev(_metadata, &self->c, g->bdfs[0]);
	ASSERT_EQ(0, td_set_override(g->bdfs[0], "vfio-pci"));
	err = td_drivers_probe(g->bdfs[0]);
	ASSERT_EQ(0, err) TH_LOG("drivers_probe: %s", strerror(err));
	ASSERT_TRUE(td_wait(cond_on_vfio, g->bdfs[0]))
	TH_LOG("%s did not bind to vfio-pci", g->bdfs[0]);
	/* vfio-pci manages DMA itself: no owner_cnt from 6.4 on (§2.2). */
	expect_type_write(_metadata, g->id, "identity", self->r->vfio,
			  "while bound to vfio-pci, group not opened",
			  self->r->era);
	if (!self->r->vfio) {
		expect_type(_metadata, g->id, "identity");
		expect_type_write(_metadata, g->id, t0, 0, "back",
				  self->r->era);
	}
	expect_type(_metadata, g->id, t0);
}

TEST_F(type, unknown_word)
{
	const struct model_pgroup *g = td_pick_singleton(&self->c.sm, true);
	static const char *const words[] = {"bogus", "dma", "identity2", ""};
	char t0[32];

	if (!g)
		g = td_pick_unbound_singleton(&self->c.sm);
	if (!g)
		SKIP(return, "no singleton group");
	ASSERT_EQ(0, td_group_type(g->id, t0, sizeof(t0)));
	/* The word is checked before anything else but the capabilities. */
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		expect_type_write(_metadata, g->id,
				  words[i][0] ? words[i] : "\n", EINVAL,
				  "(not a type)", "all eras");
	expect_type(_metadata, g->id, t0);
}

TEST_F(type, auto_reads_back_default)
{
	const struct model_pgroup *g = unbound_singleton(_metadata, &self->c);
	const struct td_dev_state *d;

	if (!g)
		SKIP(return, "no singleton group");
	d = td_state_find(&self->c.boot, g->bdfs[0]);
	ASSERT_TRUE(d && d->type[0]);
	/* "auto": the type the group would get at boot (§2.2). */
	expect_type_write(_metadata, g->id, "auto", 0, "with no driver bound",
			  self->r->era);
	expect_type(_metadata, g->id, d->type);
}

/*
 * Write val to path in a child that lacks cap in its effective set;
 * the errno it saw, 0, or -1 if the child could not drop it.
 */
static int write_without(const char *path, const char *val, int cap)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		struct __user_cap_header_struct h = {
			.version = _LINUX_CAPABILITY_VERSION_3};
		struct __user_cap_data_struct d[2];

		if (syscall(SYS_capget, &h, d))
			_exit(255);
		d[cap / 32].effective &= ~(1U << (cap % 32));
		if (syscall(SYS_capset, &h, d))
			_exit(255);
		_exit(td_write(path, val));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) == 255)
		return -1;
	return WEXITSTATUS(status);
}

TEST_F(type, needs_capabilities)
{
	const struct model_pgroup *g = unbound_singleton(_metadata, &self->c);
	static const struct {
		int cap;
		const char *name;
	} caps[] = {{CAP_SYS_ADMIN, "CAP_SYS_ADMIN"},
		    {CAP_SYS_RAWIO, "CAP_SYS_RAWIO"}};
	char t0[32], path[PATH_MAX];

	if (!g)
		SKIP(return, "no singleton group");
	ASSERT_EQ(0, td_group_type(g->id, t0, sizeof(t0)));
	td_group_path(path, sizeof(path), g->id, "type");
	/* The control: with both capabilities the same write succeeds. */
	expect_type_write(_metadata, g->id, t0, 0,
			  "(its own type) with every capability", self->r->era);
	for (size_t i = 0; i < 2; i++) {
		int err = write_without(path, t0, caps[i].cap);

		ASSERT_LE(0, err)
		TH_LOG("the child could not drop %s", caps[i].name);
		EXPECT_EQ(EACCES, err)
		TH_LOG("group %d: writing %s without %s: %s, want EACCES "
		       "(§2.2: both CAP_SYS_ADMIN and CAP_SYS_RAWIO)",
		       g->id, t0, caps[i].name, err_name(err));
	}
	expect_type(_metadata, g->id, t0);
}

TEST_HARNESS_MAIN
