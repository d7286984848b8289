// SPDX-License-Identifier: GPL-2.0-only
/*
 * Helpers of the suites that change the machine (teardown, notifier):
 * PCI remove, rescan and driver binding through sysfs, bounded waits,
 * saving and restoring the boot state, the kernel's partition against the
 * reference model's, the test module's debugfs interface (docs/formats.md,
 * "Test module debugfs") and its event stream against the model's.
 * Include after suite.h.
 *
 * Every wait polls with a generous bound (TD_WAIT_S): nothing here
 * depends on how fast the machine is, only a failure is slow.
 */
#ifndef IOG_TEARDOWN_UTIL_H
#define IOG_TEARDOWN_UTIL_H

#include <fcntl.h>
#include <stdarg.h>
#include <time.h>

#include "suite.h"

/* Upper bound of any wait for the kernel (TCG, shared cores). */
#define TD_WAIT_S 20.0
/* Poll interval of those waits. */
#define TD_POLL_NS (10 * 1000 * 1000L)

/* ---- sysfs I/O ----------------------------------------------------------- */

/* Write val to path in one write(); 0 or the errno of the failure. */
static inline int td_write(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	n = write(fd, val, len);
	if (n < 0)
		err = errno;
	else if ((size_t)n != len)
		err = EIO;
	close(fd);
	return err;
}

/* Read path into buf, trailing newlines cut; 0 or errno. */
static inline int td_read(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	n = read(fd, buf, size - 1);
	if (n < 0) {
		int err = errno;

		close(fd);
		return err;
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return 0;
}

/* Copy src into dst, cut to fit. */
static inline void td_copy(char *dst, const char *src, size_t size)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static inline bool td_lexists(const char *path)
{
	struct stat st;

	return !lstat(path, &st);
}

/* The basename of a symlink's target into out ("" if no link). */
static inline void td_link_base(const char *link, char *out, size_t size)
{
	char target[PATH_MAX];
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	const char *b;

	out[0] = '\0';
	if (n <= 0)
		return;
	target[n] = '\0';
	b = strrchr(target, '/');
	td_copy(out, b ? b + 1 : target, size);
}

static inline void td_sleep_poll(void)
{
	struct timespec ts = {0, TD_POLL_NS};

	nanosleep(&ts, NULL);
}

static inline double td_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the live machine ---------------------------------------------------- */

/*
 * These suites remove devices and bind drivers: they need the running
 * kernel's own /sys and root.  Returns false when the test was skipped.
 */
static inline bool td_require_live(struct __test_metadata *_metadata)
{
	const char *root = sysfs_root();

	if (strcmp(root, "/sys"))
		SKIP(return false,
			    "IOG_SYSFS_ROOT=%s is not the live /sys: this suite "
			    "changes the machine",
			    root);
	if (geteuid())
		SKIP(return false, "needs root: it removes PCI devices and "
				   "binds drivers");
	return true;
}

/* The running kernel's version; ASSERTs that it parses. */
#define TD_KVER(v)                                                             \
	struct sysfs_kver v;                                                   \
	char v##_release[128];                                                 \
	ASSERT_EQ(0, sysfs_kver_running(&v, v##_release, sizeof(v##_release))) \
	TH_LOG("cannot parse the kernel release '%s'", v##_release)

/* ---- PCI devices --------------------------------------------------------- */

static inline void td_dev_path(char *buf, size_t size, const char *bdf,
			       const char *file)
{
	suite_pathf(buf, size, "%s/bus/pci/devices/%s%s%s", sysfs_root(), bdf,
		    file ? "/" : "", file ? file : "");
}

static inline bool td_dev_present(const char *bdf)
{
	char p[PATH_MAX];

	td_dev_path(p, sizeof(p), bdf, NULL);
	return !access(p, F_OK);
}

/* The bound driver's name into out, "" when none. */
static inline void td_dev_driver(const char *bdf, char *out, size_t size)
{
	char p[PATH_MAX];

	td_dev_path(p, sizeof(p), bdf, "driver");
	td_link_base(p, out, size);
}

static inline bool td_dev_bound(const char *bdf)
{
	char d[64];

	td_dev_driver(bdf, d, sizeof(d));
	return d[0];
}

/* The group the device's iommu_group link names, -1 if it has none. */
static inline long td_dev_group(const char *bdf)
{
	char p[PATH_MAX], id[32];

	td_dev_path(p, sizeof(p), bdf, "iommu_group");
	td_link_base(p, id, sizeof(id));
	return id[0] ? sysfs_group_id_parse(id, NULL) : -1;
}

/* sysfs remove: the device and everything below it (§6). */
static inline int td_remove(const char *bdf)
{
	char p[PATH_MAX];

	td_dev_path(p, sizeof(p), bdf, "remove");
	return td_write(p, "1");
}

static inline int td_rescan(void)
{
	char p[PATH_MAX];

	suite_pathf(p, sizeof(p), "%s/bus/pci/rescan", sysfs_root());
	return td_write(p, "1");
}

static inline int td_unbind(const char *bdf)
{
	char p[PATH_MAX];

	td_dev_path(p, sizeof(p), bdf, "driver/unbind");
	return td_write(p, bdf);
}

static inline int td_bind(const char *bdf, const char *driver)
{
	char p[PATH_MAX];

	suite_pathf(p, sizeof(p), "%s/bus/pci/drivers/%s/bind", sysfs_root(),
		    driver);
	return td_write(p, bdf);
}

static inline bool td_driver_loaded(const char *driver)
{
	char p[PATH_MAX];

	suite_pathf(p, sizeof(p), "%s/bus/pci/drivers/%s", sysfs_root(),
		    driver);
	return !access(p, F_OK);
}

/* driver_override: a driver name, or "" to clear it. */
static inline int td_set_override(const char *bdf, const char *driver)
{
	char p[PATH_MAX];

	td_dev_path(p, sizeof(p), bdf, "driver_override");
	return td_write(p, driver[0] ? driver : "\n");
}

static inline int td_drivers_probe(const char *bdf)
{
	char p[PATH_MAX];

	suite_pathf(p, sizeof(p), "%s/bus/pci/drivers_probe", sysfs_root());
	return td_write(p, bdf);
}

/* ---- groups -------------------------------------------------------------- */

static inline void td_group_path(char *buf, size_t size, long id,
				 const char *file)
{
	suite_pathf(buf, size, "%s/kernel/iommu_groups/%ld%s%s", sysfs_root(),
		    id, file ? "/" : "", file ? file : "");
}

static inline bool td_group_exists(long id)
{
	char p[PATH_MAX];

	td_group_path(p, sizeof(p), id, NULL);
	return td_lexists(p);
}

/* The entries of the group's devices/, space-separated; their number. */
static inline int td_group_entries(long id, char *out, size_t size)
{
	char p[PATH_MAX];
	struct dirent *e;
	size_t len = 0;
	int n = 0;
	DIR *d;

	out[0] = '\0';
	td_group_path(p, sizeof(p), id, "devices");
	d = opendir(p);
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		int w;

		if (e->d_name[0] == '.')
			continue;
		n++;
		w = snprintf(out + len, size - len, "%s%s", len ? " " : "",
			     e->d_name);
		if (w > 0 && (size_t)w < size - len)
			len += (size_t)w;
	}
	closedir(d);
	return n;
}

static inline int td_group_type(long id, char *buf, size_t size)
{
	char p[PATH_MAX];

	td_group_path(p, sizeof(p), id, "type");
	return td_read(p, buf, size);
}

static inline int td_group_set_type(long id, const char *type)
{
	char p[PATH_MAX];

	td_group_path(p, sizeof(p), id, "type");
	return td_write(p, type);
}

/* ---- bounded waits ------------------------------------------------------- */

/* Poll cond(arg) until it holds or TD_WAIT_S pass; whether it held. */
static inline bool td_wait(bool (*cond)(const void *arg), const void *arg)
{
	double end = td_now() + TD_WAIT_S;

	for (;;) {
		if (cond(arg))
			return true;
		if (td_now() > end)
			return false;
		td_sleep_poll();
	}
}

static inline bool td_cond_present(const void *bdf)
{
	return td_dev_present(bdf);
}

/* The device's directory itself gone: device_del() has finished. */
static inline bool td_cond_path_gone(const void *path)
{
	return !td_lexists(path);
}

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

static inline void td_state_free(struct td_state *st)
{
	free(st->v);
	memset(st, 0, sizeof(*st));
}

/* Every PCI device now; 0 or -1 (ENOMEM, unreadable). */
static inline int td_state_save(struct td_state *st)
{
	struct dirent **list = NULL;
	char dir[PATH_MAX];
	int n;

	memset(st, 0, sizeof(*st));
	suite_pathf(dir, sizeof(dir), "%s/bus/pci/devices", sysfs_root());
	n = scandir(dir, &list, NULL, alphasort);
	if (n < 0)
		return -1;
	st->v = calloc(n ? n : 1, sizeof(*st->v));
	for (int i = 0; i < n; i++) {
		struct td_dev_state *d = &st->v[st->nr];

		if (st->v && sysfs_is_bdf(list[i]->d_name)) {
			td_copy(d->bdf, list[i]->d_name, sizeof(d->bdf));
			td_dev_driver(d->bdf, d->driver, sizeof(d->driver));
			d->group = td_dev_group(d->bdf);
			if (d->group >= 0)
				td_group_type(d->group, d->type,
					      sizeof(d->type));
			st->nr++;
		}
		free(list[i]);
	}
	free(list);
	return st->v ? 0 : -1;
}

static inline const struct td_dev_state *
td_state_find(const struct td_state *st, const char *bdf)
{
	for (size_t i = 0; i < st->nr; i++)
		if (!strcmp(st->v[i].bdf, bdf))
			return &st->v[i];
	return NULL;
}

static inline bool td_cond_all_present(const void *arg)
{
	const struct td_state *st = arg;

	for (size_t i = 0; i < st->nr; i++)
		if (!td_dev_present(st->v[i].bdf))
			return false;
	return true;
}

/*
 * A driver that probes asynchronously (nvme) binds after the rescan
 * write returns: wait for every device that had a driver to have one.
 */
static inline bool td_cond_all_bound(const void *arg)
{
	const struct td_state *st = arg;

	for (size_t i = 0; i < st->nr; i++)
		if (st->v[i].driver[0] && !td_dev_bound(st->v[i].bdf))
			return false;
	return true;
}

/*
 * After a rescan or hot-add: every saved device present again and every
 * one that had a driver bound to one.  Whether that happened in time.
 */
static inline bool td_wait_settled(const struct td_state *st)
{
	return td_wait(td_cond_all_present, st) &&
	       td_wait(td_cond_all_bound, st);
}

/* Bind bdf to driver unless it is bound to it; 0 or errno. */
static inline int td_rebind(const char *bdf, const char *driver)
{
	char now[64];
	int err;

	td_dev_driver(bdf, now, sizeof(now));
	if (!strcmp(now, driver))
		return 0;
	if (now[0] && (err = td_unbind(bdf)))
		return err;
	return driver[0] ? td_bind(bdf, driver) : 0;
}

/*
 * Give back the saved state: devices removed come back by rescan, each
 * device gets its saved driver (driver_override cleared), each group its
 * saved type (written with its members unbound, as §2.2 requires).  Group
 * IDs are not restored here: a test that changes them restores them
 * itself.  Logs and returns the number of things it could not restore.
 */
static inline int td_state_restore(struct __test_metadata *_metadata,
				   const struct td_state *st)
{
	int bad = 0, err;

	(void)_metadata;
	if (!td_cond_all_present(st)) {
		err = td_rescan();
		if (err || !td_wait_settled(st)) {
			TH_LOG("restore: rescan %s; devices still missing",
			       err ? strerror(err) : "done");
			bad++;
		}
	}
	for (size_t i = 0; i < st->nr; i++) {
		const struct td_dev_state *d = &st->v[i];
		char ovr[64] = "", p[PATH_MAX];

		if (!td_dev_present(d->bdf))
			continue;
		td_dev_path(p, sizeof(p), d->bdf, "driver_override");
		td_read(p, ovr, sizeof(ovr));
		if (ovr[0] && strcmp(ovr, "(null)"))
			td_set_override(d->bdf, "");
		err = td_rebind(d->bdf, d->driver);
		if (err) {
			TH_LOG("restore: %s: cannot bind %s again: %s", d->bdf,
			       d->driver[0] ? d->driver : "(no driver)",
			       strerror(err));
			bad++;
		}
	}
	for (size_t i = 0; i < st->nr; i++) {
		const struct td_dev_state *d = &st->v[i];
		long g = td_dev_group(d->bdf);
		char type[32];

		if (g < 0 || !d->type[0] ||
		    td_group_type(g, type, sizeof(type)) ||
		    !strcmp(type, d->type))
			continue;
		/* Every member unbound, the type written, drivers back. */
		for (size_t j = 0; j < st->nr; j++)
			if (td_dev_group(st->v[j].bdf) == g &&
			    td_dev_bound(st->v[j].bdf))
				td_unbind(st->v[j].bdf);
		err = td_group_set_type(g, d->type);
		if (err) {
			TH_LOG("restore: group %ld: cannot write type %s back: "
			       "%s",
			       g, d->type, strerror(err));
			bad++;
		}
		for (size_t j = 0; j < st->nr; j++)
			if (td_dev_group(st->v[j].bdf) == g)
				td_rebind(st->v[j].bdf, st->v[j].driver);
	}
	return bad;
}

/* ---- the reference model ------------------------------------------------- */

/*
 * The model boots without drivers on VT-d and AMD-Vi; replay the binding
 * the kernel has done so that its removals emit UNBIND events (§6 step 1).
 * Returns the number of model events to skip: those of the replay.
 */
static inline size_t td_model_replay_binds(struct suite_model *sm)
{
	const struct model_pci_topo *t = model_topo(sm->m);
	const struct model_event *ev;

	for (size_t i = 0; i < t->nr; i++) {
		const char *bdf = t->boot_order[i]->bdf;

		if (td_dev_bound(bdf))
			model_driver_bind(sm->m, bdf);
	}
	return model_events(sm->m, &ev);
}

static inline const struct model_pci_dev *
td_model_dev(const struct suite_model *sm, const char *bdf)
{
	return model_pci_find(model_topo(sm->m), bdf);
}

/*
 * A device that is not a bridge: removing it removes nothing else.  The
 * host bridge is left alone too.
 */
static inline bool td_is_leaf(const struct model_pci_dev *d)
{
	return !d->is_bridge && d->class != 0x0600;
}

/*
 * A function whose own header lacks the multifunction bit, although the
 * boot scan marked it multifunction: a rescan groups it before the scan
 * does that (observed-q35.md "Teardown"), so it may come back elsewhere.
 */
static inline bool td_regroups(const struct model_pci_dev *d)
{
	return d->multifunction != d->hdr_multifunction;
}

static inline bool td_is_port(const struct model_pci_dev *d)
{
	return d->is_pcie && (d->pcie_type == MODEL_PCIE_ROOT_PORT ||
			      d->pcie_type == MODEL_PCIE_DOWNSTREAM);
}

/*
 * A singleton group's leaf that comes back to the same place on rescan:
 * with bound, one with a driver bound (NULL if none).
 */
static inline const struct model_pgroup *
td_pick_singleton(const struct suite_model *sm, bool bound)
{
	for (size_t i = 0; i < sm->p.nr; i++) {
		const struct model_pgroup *g = &sm->p.groups[i];
		const struct model_pci_dev *d;

		if (g->nr != 1)
			continue;
		d = td_model_dev(sm, g->bdfs[0]);
		if (d && td_is_leaf(d) && !td_regroups(d) &&
		    td_dev_bound(d->bdf) == bound)
			return g;
	}
	return NULL;
}

/* A singleton group whose device has no driver, any kind of device. */
static inline const struct model_pgroup *
td_pick_unbound_singleton(const struct suite_model *sm)
{
	for (size_t i = 0; i < sm->p.nr; i++)
		if (sm->p.groups[i].nr == 1 &&
		    !td_dev_bound(sm->p.groups[i].bdfs[0]))
			return &sm->p.groups[i];
	return NULL;
}

/*
 * A bound leaf of a multi-device group that comes back to its group on
 * rescan, the last to join of its group (NULL if none).
 */
static inline const char *td_pick_shared_leaf(const struct suite_model *sm,
					      const struct model_pgroup **grp)
{
	for (size_t i = 0; i < sm->p.nr; i++) {
		const struct model_pgroup *g = &sm->p.groups[i];

		if (g->nr < 2)
			continue;
		for (size_t j = g->nr; j-- > 0;) {
			const struct model_pci_dev *d =
				td_model_dev(sm, g->bdfs[j]);

			if (d && td_is_leaf(d) && !td_regroups(d) &&
			    td_dev_bound(d->bdf)) {
				*grp = g;
				return g->bdfs[j];
			}
		}
	}
	return NULL;
}

/* Is bdf in g? */
static inline bool td_in_group(const struct model_pgroup *g, const char *bdf)
{
	for (size_t i = 0; i < g->nr; i++)
		if (!strcmp(g->bdfs[i], bdf))
			return true;
	return false;
}

/*
 * A multi-device group that can be taken apart one member at a time, last
 * joined first, and comes back whole on rescan: no port in it (ports take
 * their subtree), every device below a member is a member, no member
 * regroups.  One without drivers if there is one: probing drivers again
 * is what makes a rescan slow under TCG, and a bound device's removal is
 * the singleton's test.
 */
static inline const struct model_pgroup *
td_pick_shared(const struct suite_model *sm)
{
	const struct model_pci_topo *t = model_topo(sm->m);
	const struct model_pgroup *first = NULL;

	for (size_t i = 0; i < sm->p.nr; i++) {
		const struct model_pgroup *g = &sm->p.groups[i];
		bool ok = g->nr >= 2, bound = false;

		for (size_t j = 0; ok && j < g->nr; j++) {
			const struct model_pci_dev *d =
				td_model_dev(sm, g->bdfs[j]);

			ok = d && !td_is_port(d) && !td_regroups(d) &&
			     d->class != 0x0600;
			bound |= td_dev_bound(g->bdfs[j]);
		}
		for (size_t k = 0; ok && k < t->nr; k++) {
			const struct model_pci_dev *c = &t->devs[k];

			if (c->parent && td_in_group(g, c->parent->bdf))
				ok = td_in_group(g, c->bdf);
		}
		if (ok && !bound)
			return g;
		if (ok && !first)
			first = g;
	}
	return first;
}

/* ---- the kernel against the model ---------------------------------------- */

static inline int td_kernel_partition(struct sysfs_partition *k)
{
	struct sysfs_snapshot s = {0};
	int ret = -1;

	if (!sysfs_snapshot_take(NULL, &s))
		ret = sysfs_partition_build(&s, k);
	sysfs_snapshot_free(&s);
	return ret;
}

/*
 * Compare the kernel's partition now with the model's prediction now:
 * membership, and with ids the group IDs too.  Groups the model keeps
 * alive without members (an external reference, §1.3) are not in the
 * kernel's partition of PCI devices either, so they are left out.  Each
 * difference is logged with the model's reasons, then both sides, under
 * the heading what (NULL: quiet).  Returns the number of differences, -1
 * on ENOMEM.
 */
static inline int td_compare(const struct suite_model *sm, bool ids,
			     const char *what)
{
	struct sysfs_partition k = {0}, mp = {0};
	struct model_observed_group *obs = NULL;
	struct model_partition p = {0}, live;
	char *diff = NULL;
	int n = -1;

	if (model_partition(sm->m, &p))
		return -1;
	live = p;
	live.groups = calloc(p.nr ? p.nr : 1, sizeof(*live.groups));
	if (!live.groups || td_kernel_partition(&k))
		goto out;
	live.nr = 0;
	for (size_t i = 0; i < p.nr; i++)
		if (p.groups[i].nr)
			live.groups[live.nr++] = p.groups[i];
	if (suite_model_sysfs_partition(&live, &mp))
		goto out;
	obs = calloc(k.nr ? k.nr : 1, sizeof(*obs));
	if (!obs)
		goto out;
	for (size_t i = 0; i < k.nr; i++) {
		const struct sysfs_pgroup *g =
			sysfs_partition_find(&mp, k.groups[i].bdfs[0]);

		/* Membership only: an equal group takes the model's ID. */
		obs[i].id = !ids && g && sysfs_pgroup_equal(g, &k.groups[i])
				    ? g->id
				    : k.groups[i].id;
		obs[i].bdfs = (const char *const *)k.groups[i].bdfs;
		obs[i].nr = k.groups[i].nr;
	}
	n = model_compare(&live, obs, k.nr, &diff);
	if (n > 0 && what) {
		fprintf(stderr,
			"# %s: the kernel's groups differ from the model's "
			"(%s): %d difference(s), with the model's reasons:\n",
			what, ids ? "members and IDs" : "members", n);
		suite_print_text(stderr, "  ", diff);
		suite_print_partition(stderr, "model", &mp, true);
		suite_print_partition(stderr, "kernel", &k, true);
	}
out:
	free(diff);
	free(obs);
	free(live.groups);
	sysfs_partition_free(&mp);
	sysfs_partition_free(&k);
	model_partition_free(&p);
	return n;
}

/*
 * The IDs alone (R1 in probe order): each model group the kernel has with
 * the same members must have the same ID.  Groups without an equal are
 * logged and counted in *uncompared (membership is td_compare's concern).
 * Returns the number of IDs that differ, -1 on ENOMEM.
 */
static inline int td_compare_ids(const struct suite_model *sm, const char *what,
				 size_t *uncompared)
{
	struct sysfs_partition k = {0}, mp = {0};
	struct model_partition p = {0};
	int bad = -1;

	*uncompared = 0;
	if (model_partition(sm->m, &p))
		return -1;
	if (td_kernel_partition(&k) || suite_model_sysfs_partition(&p, &mp))
		goto out;
	bad = 0;
	for (size_t i = 0; i < mp.nr; i++) {
		const struct sysfs_pgroup *m = &mp.groups[i];
		const struct sysfs_pgroup *g =
			m->nr ? sysfs_partition_find(&k, m->bdfs[0]) : NULL;
		char *str;

		if (!m->nr)
			continue;
		str = sysfs_pgroup_str(m);
		if (!g || !sysfs_pgroup_equal(g, m)) {
			(*uncompared)++;
			fprintf(stderr,
				"# %s: model group %ld %s has no kernel group "
				"with the same members: ID not compared\n",
				what, m->id, str ? str : "?");
		} else if (g->id != m->id) {
			bad++;
			fprintf(stderr,
				"# %s: group %s: kernel ID %ld, model ID %ld "
				"(the lowest free ID in probe order, R1)\n",
				what, str ? str : "?", g->id, m->id);
		}
		free(str);
	}
	if (bad || *uncompared) {
		suite_print_partition(stderr, "model", &mp, true);
		suite_print_partition(stderr, "kernel", &k, true);
	}
out:
	sysfs_partition_free(&mp);
	sysfs_partition_free(&k);
	model_partition_free(&p);
	return bad;
}

/* The IDs of the group directories there are now; their number or -1. */
static inline long td_group_ids(long *ids, size_t max)
{
	struct sysfs_snapshot s = {0};
	long n = 0;

	if (sysfs_snapshot_take(NULL, &s))
		return -1;
	for (size_t i = 0; i < s.nr_groups && (size_t)n < max; i++)
		if (s.groups[i].id >= 0)
			ids[n++] = s.groups[i].id;
	sysfs_snapshot_free(&s);
	return n;
}

static inline bool td_id_in(const long *ids, long n, long id)
{
	for (long i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

struct td_new_group {
	long id;
	size_t first; /* boot probe index of its first member (R2) */
	const struct sysfs_pgroup *g;
};

static inline int td_new_group_cmp(const void *a, const void *b)
{
	const struct td_new_group *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

/*
 * §9.11 on its own, without the model's grouping: the groups created
 * since before[] (IDs not among them) got, in the probe order of their
 * first members (R2), the lowest IDs that were free then (R1).  Logs each
 * group; returns the number with another ID, -1 on ENOMEM.
 */
static inline int td_check_new_ids(const struct suite_model *sm,
				   const long *before, long nr_before,
				   const char *what)
{
	struct sysfs_partition k = {0};
	struct td_new_group *v;
	size_t nr = 0;
	long next = 0;
	int bad = 0;

	if (td_kernel_partition(&k))
		return -1;
	v = calloc(k.nr ? k.nr : 1, sizeof(*v));
	if (!v) {
		sysfs_partition_free(&k);
		return -1;
	}
	for (size_t i = 0; i < k.nr; i++) {
		if (td_id_in(before, nr_before, k.groups[i].id))
			continue;
		v[nr] = (struct td_new_group){.id = k.groups[i].id,
					      .first = (size_t)-1,
					      .g = &k.groups[i]};
		for (size_t j = 0; j < k.groups[i].nr; j++) {
			const struct model_pci_dev *d =
				td_model_dev(sm, k.groups[i].bdfs[j]);

			if (d && d->boot_index < v[nr].first)
				v[nr].first = d->boot_index;
		}
		nr++;
	}
	qsort(v, nr, sizeof(*v), td_new_group_cmp);
	for (size_t i = 0; i < nr; i++) {
		char *s = sysfs_pgroup_str(v[i].g);

		while (td_id_in(before, nr_before, next))
			next++;
		if (v[i].id != next) {
			bad++;
			fprintf(stderr,
				"# %s: new group %s has ID %ld; the lowest "
				"free ID in probe order is %ld (R1, §9.11)\n",
				what, s ? s : "?", v[i].id, next);
		} else {
			fprintf(stderr,
				"# %s: new group %s: ID %ld, the lowest free "
				"(R1)\n",
				what, s ? s : "?", v[i].id);
		}
		free(s);
		next++;
	}
	fflush(stderr);
	free(v);
	sysfs_partition_free(&k);
	return bad;
}

/*
 * Before a test changes anything, the kernel's groups (and with ids their
 * IDs) must be the model's: else nothing after the change is comparable.
 * The difference is printed and the test skipped: grouping reports a
 * difference at boot, and a test that leaves the machine changed fails
 * its own restore.  Returns false when the test was skipped.
 */
static inline bool td_start_state(struct __test_metadata *_metadata,
				  const struct suite_model *sm, bool ids)
{
	int n = td_compare(sm, ids, NULL);

	ASSERT_LE(0, n) TH_LOG("out of memory");
	if (!n)
		return true;
	td_compare(sm, ids, "before the test");
	SKIP(return false,
		    "the kernel's groups differ from the model's before any "
		    "change (%d difference(s), printed above): nothing to "
		    "compare after one",
		    n);
}

/* Refresh sm->p after the model changed (picks read it). */
static inline int td_model_refresh(struct suite_model *sm)
{
	if (sm->have_p)
		model_partition_free(&sm->p);
	sm->have_p = !model_partition(sm->m, &sm->p);
	return sm->have_p ? 0 : -1;
}

/* ---- the test module (drivers/iog_groups) -------------------------------- */

static inline void td_iog_path(char *buf, size_t size, const char *file)
{
	suite_pathf(buf, size, "%s/kernel/debug/iog/%s", sysfs_root(), file);
}

static inline bool td_iog_present(void)
{
	char p[PATH_MAX];

	td_iog_path(p, sizeof(p), "events");
	return !access(p, W_OK);
}

/* Skip when the module is not there; false when the test has ended. */
static inline bool td_require_iog(struct __test_metadata *_metadata)
{
	char p[256];

	td_iog_path(p, sizeof(p), "");
	if (!td_iog_present())
		SKIP(return false,
			    "the test module is not loaded: %s missing "
			    "(drivers/iog_groups, built by harness/module.sh "
			    "against the kernel under test)",
			    p);
	return true;
}

static inline int td_iog_clear(void)
{
	char p[PATH_MAX];

	td_iog_path(p, sizeof(p), "events");
	return td_write(p, "clear");
}

/*
 * An owner command ("claim-group BDF", ...): 0 or the errno the write
 * failed with.  The module's own report of the last command ("OK" or
 * "ERR -errno") goes into said when said is not NULL.
 */
static inline int td_iog_owner(const char *cmd, const char *bdf, char *said,
			       size_t size)
{
	char p[PATH_MAX], line[64];
	int err;

	td_iog_path(p, sizeof(p), "owner");
	snprintf(line, sizeof(line), "%s %s", cmd, bdf);
	err = td_write(p, line);
	if (said)
		td_read(p, said, size);
	return err;
}

/* One event as the module records it, or as the model predicts it. */
struct td_ev {
	unsigned long long seq; /* 0 for the model's */
	char action[12];
	char bdf[MODEL_BDF_LEN];
	long group;
};

struct td_evs {
	struct td_ev *v;
	size_t nr, cap;
};

static inline void td_evs_free(struct td_evs *e)
{
	free(e->v);
	memset(e, 0, sizeof(*e));
}

static inline int td_evs_add(struct td_evs *e, const char *action,
			     const char *bdf, long group,
			     unsigned long long seq)
{
	if (e->nr == e->cap) {
		size_t n = e->cap ? e->cap * 2 : 32;
		struct td_ev *v = realloc(e->v, n * sizeof(*v));

		if (!v)
			return -1;
		e->v = v;
		e->cap = n;
	}
	e->v[e->nr] = (struct td_ev){.seq = seq, .group = group};
	td_copy(e->v[e->nr].action, action, sizeof(e->v[e->nr].action));
	td_copy(e->v[e->nr].bdf, bdf, sizeof(e->v[e->nr].bdf));
	e->nr++;
	return 0;
}

/*
 * The module's log ("SEQ ACTION BDF GROUP" lines).  0, or -1 with errno
 * (EBADMSG for a line that does not parse).
 */
static inline int td_iog_events(struct td_evs *e)
{
	char p[PATH_MAX], line[256];
	FILE *f;
	int ret = 0;

	memset(e, 0, sizeof(*e));
	td_iog_path(p, sizeof(p), "events");
	f = fopen(p, "re");
	if (!f)
		return -1;
	while (!ret && fgets(line, sizeof(line), f)) {
		unsigned long long seq;
		char action[12], bdf[MODEL_BDF_LEN];
		long group;

		if (sscanf(line, "%llu %11s %12s %ld", &seq, action, bdf,
			   &group) != 4) {
			errno = EBADMSG;
			ret = -1;
		} else if (td_evs_add(e, action, bdf, group, seq)) {
			ret = -1;
		}
	}
	fclose(f);
	return ret;
}

/*
 * The model's events from index from on, as the module records them.
 * The model's DEL_DEVICE is the kernel's BUS_NOTIFY_DEL_DEVICE, while the
 * device is still in its group; the core releases it from the group
 * (§1.5) before BUS_NOTIFY_REMOVED_DEVICE, so "removed" follows with -1.
 */
static inline int td_model_stream(const struct suite_model *sm, size_t from,
				  struct td_evs *e)
{
	static const char *const name[] = {
		[MODEL_EV_ADD_DEVICE] = "add",
		[MODEL_EV_DEL_DEVICE] = "del",
		[MODEL_EV_BIND_DRIVER] = "bind",
		[MODEL_EV_BOUND_DRIVER] = "bound",
		[MODEL_EV_UNBIND_DRIVER] = "unbind",
		[MODEL_EV_UNBOUND_DRIVER] = "unbound",
	};
	const struct model_event *ev;
	size_t n = model_events(sm->m, &ev);

	memset(e, 0, sizeof(*e));
	for (size_t i = from; i < n; i++) {
		if (td_evs_add(e, name[ev[i].type], ev[i].dev, ev[i].group_id,
			       0))
			return -1;
		if (ev[i].type == MODEL_EV_DEL_DEVICE &&
		    td_evs_add(e, "removed", ev[i].dev, -1, 0))
			return -1;
	}
	return 0;
}

static inline bool td_ev_same(const struct td_ev *a, const struct td_ev *b)
{
	return !strcmp(a->action, b->action) && !strcmp(a->bdf, b->bdf) &&
	       a->group == b->group;
}

/*
 * Wait for every driver probe still running: a driver that probes
 * asynchronously (nvme) is still in its probe after the sysfs write that
 * started it returned, and its "bound" comes then.  Its driver link is
 * there already (the caller waited for it, td_wait_settled), and the
 * probe holds the device lock; writing driver_override back unchanged
 * takes that lock, so it returns only after the probe.  No events.
 */
static inline void td_probe_barrier(void)
{
	struct dirent **list = NULL;
	char dir[PATH_MAX];
	int n;

	suite_pathf(dir, sizeof(dir), "%s/bus/pci/devices", sysfs_root());
	n = scandir(dir, &list, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		char p[PATH_MAX], ovr[128] = "";

		if (sysfs_is_bdf(list[i]->d_name) &&
		    td_dev_bound(list[i]->d_name)) {
			td_dev_path(p, sizeof(p), list[i]->d_name,
				    "driver_override");
			if (!td_read(p, ovr, sizeof(ovr)))
				td_write(p, ovr[0] && strcmp(ovr, "(null)")
						    ? ovr
						    : "\n");
		}
		free(list[i]);
	}
	free(list);
}

/*
 * Compare the kernel's event stream with the model's: same events, same
 * order, each exactly once, the same group ID at each (an LCS alignment).
 * Logs "missing event" for each model event the kernel did not record,
 * "unexpected event" for each kernel event the model does not predict,
 * and a gap in the sequence numbers (events lost).  Returns the number of
 * such differences, -1 on ENOMEM.
 */
static inline int td_evs_compare(const struct td_evs *model,
				 const struct td_evs *kernel, const char *what)
{
	size_t m = model->nr, k = kernel->nr, i, j;
	unsigned short *l = calloc((m + 1) * (k + 1), sizeof(*l));
	int bad = 0;

	if (!l)
		return -1;
#define TD_L(a, b) l[(a) * (k + 1) + (b)]
	for (i = m; i-- > 0;)
		for (j = k; j-- > 0;)
			TD_L(i, j) = td_ev_same(&model->v[i], &kernel->v[j])
					     ? TD_L(i + 1, j + 1) + 1
				     : TD_L(i + 1, j) > TD_L(i, j + 1)
					     ? TD_L(i + 1, j)
					     : TD_L(i, j + 1);
	fprintf(stderr, "# %s: model %zu events, kernel %zu events:\n", what, m,
		k);
	for (i = 0, j = 0; i < m || j < k;) {
		if (i < m && j < k && td_ev_same(&model->v[i], &kernel->v[j])) {
			fprintf(stderr, "#   = %llu %s %s %ld\n",
				kernel->v[j].seq, kernel->v[j].action,
				kernel->v[j].bdf, kernel->v[j].group);
			i++, j++;
		} else if (i < m &&
			   (j == k || TD_L(i + 1, j) >= TD_L(i, j + 1))) {
			fprintf(stderr,
				"#   - missing event: %s %s %ld (model event "
				"%zu of %zu)\n",
				model->v[i].action, model->v[i].bdf,
				model->v[i].group, i + 1, m);
			i++, bad++;
		} else {
			fprintf(stderr,
				"#   + unexpected event: %llu %s %s %ld (not "
				"in the model's stream, or not there)\n",
				kernel->v[j].seq, kernel->v[j].action,
				kernel->v[j].bdf, kernel->v[j].group);
			j++, bad++;
		}
	}
#undef TD_L
	for (j = 1; j < k; j++) {
		if (kernel->v[j].seq == kernel->v[j - 1].seq + 1)
			continue;
		fprintf(stderr,
			"#   ! sequence gap: %llu follows %llu (events "
			"overwritten or lost)\n",
			kernel->v[j].seq, kernel->v[j - 1].seq);
		bad++;
	}
	fflush(stderr);
	free(l);
	return bad;
}

#endif /* IOG_TEARDOWN_UTIL_H */
