// SPDX-License-Identifier: GPL-2.0-only
/*
 * Helpers of the suites that change the machine (teardown, notifier;
 * throughput uses the sysfs ones): PCI remove, rescan and driver binding
 * through sysfs, bounded waits, saving and restoring the boot state, the
 * kernel's partition against the reference model's, the test module's
 * debugfs interface (docs/formats.md, "Test module debugfs") and its
 * event stream against the model's.
 * The code is in suites/lib/teardown_util.c and (the test module)
 * suites/lib/iog_module.c, linked into every suite program.
 *
 * Every wait polls with a generous bound (TD_WAIT_S): nothing here
 * depends on how fast the machine is, only a failure is slow.
 */
#ifndef IOG_TEARDOWN_UTIL_H
#define IOG_TEARDOWN_UTIL_H

#include "suite.h"

/* Upper bound of any wait for the kernel (TCG, shared cores). */
#define TD_WAIT_S 20.0
/* Poll interval of those waits. */
#define TD_POLL_NS (10 * 1000 * 1000L)

/* ---- sysfs I/O ----------------------------------------------------------- */

/* Write val to path in one write(); 0 or the errno of the failure. */
int td_write(const char *path, const char *val);

/* Read path into buf, trailing newlines cut; 0 or errno. */
int td_read(const char *path, char *buf, size_t size);

/* Copy src into dst, cut to fit. */
void td_copy(char *dst, const char *src, size_t size);

bool td_lexists(const char *path);

void td_sleep_poll(void);

double td_now(void);

/* ---- the live machine ---------------------------------------------------- */

/*
 * These suites remove devices and bind drivers: they need the running
 * kernel's own /sys and root.  Returns false when the test was skipped.
 */
bool td_require_live(struct __test_metadata *_metadata);

/* The running kernel's version; ASSERTs that it parses. */
#define TD_KVER(v)                                                             \
	struct sysfs_kver v;                                                   \
	char v##_release[128];                                                 \
	ASSERT_EQ(0, sysfs_kver_running(&v, v##_release, sizeof(v##_release))) \
	TH_LOG("cannot parse the kernel release '%s'", v##_release)

/* ---- PCI devices --------------------------------------------------------- */

void td_dev_path(char *buf, size_t size, const char *bdf, const char *file);

bool td_dev_present(const char *bdf);

/* The bound driver's name into out, "" when none. */
void td_dev_driver(const char *bdf, char *out, size_t size);

bool td_dev_bound(const char *bdf);

/* The group the device's iommu_group link names, -1 if it has none. */
long td_dev_group(const char *bdf);

/* sysfs remove: the device and everything below it (§6). */
int td_remove(const char *bdf);

int td_rescan(void);

/*
 * Devices a suite running beside this one holds (run-suites.sh's
 * IOG_SUITES_BESIDE): IOG_BUSY, BDFs separated by commas or spaces.  The
 * suites leave them and their groups out of their picks, their saved
 * state and their event comparisons.
 */
bool td_busy(const char *bdf);

/* Does g hold a busy device? */
bool td_group_busy(const struct model_pgroup *g);

/* Is bdf busy, or a busy device below it (removing bdf would take it)? */
bool td_subtree_busy(const char *bdf);

int td_unbind(const char *bdf);

int td_bind(const char *bdf, const char *driver);

bool td_driver_loaded(const char *driver);

/* driver_override: a driver name, or "" to clear it. */
int td_set_override(const char *bdf, const char *driver);

int td_drivers_probe(const char *bdf);

/* ---- groups -------------------------------------------------------------- */

void td_group_path(char *buf, size_t size, long id, const char *file);

bool td_group_exists(long id);

/* The entries of the group's devices/, space-separated; their number. */
int td_group_entries(long id, char *out, size_t size);

int td_group_type(long id, char *buf, size_t size);

int td_group_set_type(long id, const char *type);

/* ---- bounded waits ------------------------------------------------------- */

/* Poll cond(arg) until it holds or TD_WAIT_S pass; whether it held. */
bool td_wait(bool (*cond)(const void *arg), const void *arg);

bool td_cond_present(const void *bdf);

/* The device's directory itself gone: device_del() has finished. */
bool td_cond_path_gone(const void *path);

/* ---- saved state and its restoration ------------------------------------- */

/* What a suite must give back: each PCI device's driver and group type. */
struct td_dev_state {
	char bdf[MODEL_BDF_LEN];
	char driver[64]; /* "" for none */
	long group;
	char type[32]; /* its group's type, "" if unreadable */
};

struct td_state {
	struct td_dev_state *v;
	size_t nr;
};

void td_state_free(struct td_state *st);

/* Every PCI device now; 0 or -1 (ENOMEM, unreadable). */
int td_state_save(struct td_state *st);

const struct td_dev_state *td_state_find(const struct td_state *st,
					 const char *bdf);

bool td_cond_all_present(const void *arg);

/*
 * A driver that probes asynchronously (nvme) binds after the rescan
 * write returns: wait for every device that had a driver to have one.
 */
bool td_cond_all_bound(const void *arg);

/*
 * After a rescan or hot-add: every saved device present again and every
 * one that had a driver bound to one.  Whether that happened in time.
 */
bool td_wait_settled(const struct td_state *st);

/* Bind bdf to driver unless it is bound to it; 0 or errno. */
int td_rebind(const char *bdf, const char *driver);

/*
 * Give back the saved state: devices removed come back by rescan, each
 * device gets its saved driver (driver_override cleared), each group its
 * saved type (written with its members unbound, as §2.2 requires).  Group
 * IDs are not restored here: a test that changes them restores them
 * itself.  Logs and returns the number of things it could not restore.
 */
int td_state_restore(struct __test_metadata *_metadata,
		     const struct td_state *st);

/* ---- the reference model ------------------------------------------------- */

/*
 * The model boots without drivers on VT-d and AMD-Vi; replay the binding
 * the kernel has done so that its removals emit UNBIND events (§6 step 1).
 * Returns the number of model events to skip: those of the replay.
 */
size_t td_model_replay_binds(struct suite_model *sm);

const struct model_pci_dev *td_model_dev(const struct suite_model *sm,
					 const char *bdf);

/*
 * A device that is not a bridge: removing it removes nothing else.  The
 * host bridge is left alone too.
 */
bool td_is_leaf(const struct model_pci_dev *d);

/*
 * A function whose own header lacks the multifunction bit, although the
 * boot scan marked it multifunction: a rescan groups it before the scan
 * does that (observed-q35.md "Teardown"), so it may come back elsewhere.
 */
bool td_regroups(const struct model_pci_dev *d);

bool td_is_port(const struct model_pci_dev *d);

/*
 * A singleton group's leaf that comes back to the same place on rescan:
 * with bound, one with a driver bound (NULL if none).
 */
const struct model_pgroup *td_pick_singleton(const struct suite_model *sm,
					     bool bound);

/* td_pick_singleton's, one with a driver bound if there is one. */
const struct model_pgroup *td_pick_any_singleton(const struct suite_model *sm);

/* A singleton group whose device has no driver, any kind of device. */
const struct model_pgroup *
td_pick_unbound_singleton(const struct suite_model *sm);

/*
 * A bound leaf of a multi-device group that comes back to its group on
 * rescan, the last to join of its group (NULL if none).
 */
const char *td_pick_shared_leaf(const struct suite_model *sm,
				const struct model_pgroup **grp);

/* Is bdf in g? */
bool td_in_group(const struct model_pgroup *g, const char *bdf);

/*
 * A multi-device group that can be taken apart one member at a time, last
 * joined first, and comes back whole on rescan: no port in it (ports take
 * their subtree), every device below a member is a member, no member
 * regroups.  One without drivers if there is one: probing drivers again
 * is what makes a rescan slow under TCG, and a bound device's removal is
 * the singleton's test.
 */
const struct model_pgroup *td_pick_shared(const struct suite_model *sm);

/* ---- the kernel against the model ---------------------------------------- */

int td_kernel_partition(struct sysfs_partition *k);

/*
 * Compare the kernel's partition now with the model's prediction now:
 * membership, and with ids the group IDs too.  Groups the model keeps
 * alive without members (an external reference, §1.3) are not in the
 * kernel's partition of PCI devices either, so they are left out.  Each
 * difference is logged with the model's reasons, then both sides, under
 * the heading what (NULL: quiet).  Returns the number of differences, -1
 * on ENOMEM.
 */
int td_compare(const struct suite_model *sm, bool ids, const char *what);

/*
 * The IDs alone (R1 in probe order): each model group the kernel has with
 * the same members must have the same ID.  Groups without an equal are
 * logged and counted in *uncompared (membership is td_compare's concern).
 * Returns the number of IDs that differ, -1 on ENOMEM.
 */
int td_compare_ids(const struct suite_model *sm, const char *what,
		   size_t *uncompared);

/* The IDs of the group directories there are now; their number or -1. */
long td_group_ids(long *ids, size_t max);

bool td_id_in(const long *ids, long n, long id);

/*
 * §9.11 on its own, without the model's grouping: the groups created
 * since before[] (IDs not among them) got, in the probe order of their
 * first members (R2), the lowest IDs that were free then (R1).  Logs each
 * group; returns the number with another ID, -1 on ENOMEM.
 */
int td_check_new_ids(const struct suite_model *sm, const long *before,
		     long nr_before, const char *what);

/*
 * Before a test changes anything, the kernel's groups (and with ids their
 * IDs) must be the model's: else nothing after the change is comparable.
 * The difference is printed and the test skipped: grouping reports a
 * difference at boot, and a test that leaves the machine changed fails
 * its own restore.  Returns false when the test was skipped.
 */
bool td_start_state(struct __test_metadata *_metadata,
		    const struct suite_model *sm, bool ids);

/* Refresh sm->p after the model changed (picks read it). */
int td_model_refresh(struct suite_model *sm);

/* ---- the test module (drivers/iog_groups) -------------------------------- */

void td_iog_path(char *buf, size_t size, const char *file);

bool td_iog_present(void);

/* Skip when the module is not there; false when the test has ended. */
bool td_require_iog(struct __test_metadata *_metadata);

int td_iog_clear(void);

/*
 * An owner command ("claim-group BDF", ...): 0 or the errno the write
 * failed with.  The module's own report of the last command ("OK" or
 * "ERR -errno") goes into said when said is not NULL.
 */
int td_iog_owner(const char *cmd, const char *bdf, char *said, size_t size);

/* One event as the module records it, or as the model predicts it. */
struct td_ev {
	unsigned long long seq; /* 0 for the model's */
	/* Events of busy devices (td_busy) left out just before this one. */
	unsigned long long skipped;
	char action[12];
	char bdf[MODEL_BDF_LEN];
	long group;
};

struct td_evs {
	struct td_ev *v;
	size_t nr, cap;
};

void td_evs_free(struct td_evs *e);

int td_evs_add(struct td_evs *e, const char *action, const char *bdf,
	       long group, unsigned long long seq);

/*
 * The module's log ("SEQ ACTION BDF GROUP" lines).  0, or -1 with errno
 * (EBADMSG for a line that does not parse).
 */
int td_iog_events(struct td_evs *e);

/*
 * The model's events from index from on, as the module records them.
 * The model's DEL_DEVICE is the kernel's BUS_NOTIFY_DEL_DEVICE, while the
 * device is still in its group; the core releases it from the group
 * (§1.5) before BUS_NOTIFY_REMOVED_DEVICE, so "removed" follows with -1.
 */
int td_model_stream(const struct suite_model *sm, size_t from,
		    struct td_evs *e);

bool td_ev_same(const struct td_ev *a, const struct td_ev *b);

/*
 * Wait for every driver probe still running: a driver that probes
 * asynchronously (nvme) is still in its probe after the sysfs write that
 * started it returned, and its "bound" comes then.  Its driver link is
 * there already (the caller waited for it, td_wait_settled), and the
 * probe holds the device lock; writing driver_override back unchanged
 * takes that lock, so it returns only after the probe.  No events.
 */
void td_probe_barrier(void);

/*
 * Compare the kernel's event stream with the model's: same events, same
 * order, each exactly once, the same group ID at each (an LCS alignment).
 * Logs "missing event" for each model event the kernel did not record,
 * "unexpected event" for each kernel event the model does not predict,
 * and a gap in the sequence numbers (events lost).  Returns the number of
 * such differences, -1 on ENOMEM.
 */
int td_evs_compare(const struct td_evs *model, const struct td_evs *kernel,
		   const char *what);

#endif /* IOG_TEARDOWN_UTIL_H */
