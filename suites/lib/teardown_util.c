// SPDX-License-Identifier: GPL-2.0-only
/*
 * The helpers of the suites that change the machine (teardown_util.h says
 * what each does), but for the test module's interface: iog_module.c.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <time.h>

#include "ksft_helpers.h"
#include "teardown_util.h"

/* ---- sysfs I/O ----------------------------------------------------------- */

int td_write(const char *path, const char *val)
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

int td_read(const char *path, char *buf, size_t size)
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

void td_copy(char *dst, const char *src, size_t size)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

bool td_lexists(const char *path)
{
	struct stat st;

	return !lstat(path, &st);
}

void td_sleep_poll(void)
{
	struct timespec ts = {0, TD_POLL_NS};

	nanosleep(&ts, NULL);
}

double td_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the live machine ---------------------------------------------------- */

bool td_require_live(struct __test_metadata *_metadata)
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

/* ---- PCI devices --------------------------------------------------------- */

void td_dev_path(char *buf, size_t size, const char *bdf, const char *file)
{
	suite_pathf(buf, size, "%s/bus/pci/devices/%s%s%s", sysfs_root(), bdf,
		    file ? "/" : "", file ? file : "");
}

bool td_dev_present(const char *bdf)
{
	char p[PATH_MAX];

	td_dev_path(p, sizeof(p), bdf, NULL);
	return !access(p, F_OK);
}

void td_dev_driver(const char *bdf, char *out, size_t size)
{
	char p[PATH_MAX];

	td_dev_path(p, sizeof(p), bdf, "driver");
	model_link_base(p, out, size);
}

bool td_dev_bound(const char *bdf)
{
	char d[64];

	td_dev_driver(bdf, d, sizeof(d));
	return d[0];
}

long td_dev_group(const char *bdf)
{
	char p[PATH_MAX], id[32];

	td_dev_path(p, sizeof(p), bdf, "iommu_group");
	model_link_base(p, id, sizeof(id));
	return id[0] ? sysfs_group_id_parse(id, NULL) : -1;
}

/* The next BDF of IOG_BUSY from p into bdf; NULL after the last. */
static const char *td_busy_next(const char *p, char *bdf, size_t size)
{
	size_t w;

	p += strspn(p, ", ");
	w = strcspn(p, ", ");
	if (!w)
		return NULL;
	snprintf(bdf, size, "%.*s", (int)w, p);
	return p + w;
}

bool td_busy(const char *bdf)
{
	const char *p = getenv("IOG_BUSY");
	char b[64];

	while (p && (p = td_busy_next(p, b, sizeof(b))))
		if (!strcmp(b, bdf))
			return true;
	return false;
}

bool td_group_busy(const struct model_pgroup *g)
{
	for (size_t i = 0; i < g->nr; i++)
		if (td_busy(g->bdfs[i]))
			return true;
	return false;
}

/*
 * A group a busy device is in (td_busy): the suite beside this one switches
 * its type and binds its drivers.
 */
static bool td_busy_group(long group)
{
	const char *p = getenv("IOG_BUSY");
	char b[64];

	while (group >= 0 && p && (p = td_busy_next(p, b, sizeof(b))))
		if (td_dev_group(b) == group)
			return true;
	return false;
}

/* The busy device at or below bdf into b (its path names bdf); or false. */
static bool td_busy_at_or_below(const char *bdf, char *b, size_t size)
{
	const char *p = getenv("IOG_BUSY");
	char path[PATH_MAX], real[PATH_MAX], comp[80];

	snprintf(comp, sizeof(comp), "/%s/", bdf);
	while (p && (p = td_busy_next(p, b, size))) {
		td_dev_path(path, sizeof(path), b, "");
		if (!strcmp(b, bdf) ||
		    (realpath(path, real) && strstr(real, comp)))
			return true;
	}
	return false;
}

bool td_subtree_busy(const char *bdf)
{
	char b[64];

	return td_busy_at_or_below(bdf, b, sizeof(b));
}

/*
 * The sysfs writes below refuse a busy device, a device above one (its
 * removal takes the busy one along) and a busy group, with EBUSY and a
 * line saying so: a suite that picked one fails at once, whatever the
 * other lane is doing at that moment.
 */
static int td_refuse(const char *bdf)
{
	char b[64];

	if (!td_busy_at_or_below(bdf, b, sizeof(b)))
		return 0;
	fprintf(stderr,
		"# %s%s%s is held by the suite beside this one (IOG_BUSY): "
		"not touched\n",
		strcmp(b, bdf) ? bdf : "", strcmp(b, bdf) ? ": " : "", b);
	return EBUSY;
}

int td_remove(const char *bdf)
{
	char p[PATH_MAX];
	int e = td_refuse(bdf);

	if (e)
		return e;
	td_dev_path(p, sizeof(p), bdf, "remove");
	return td_write(p, "1");
}

int td_rescan(void)
{
	char p[PATH_MAX];

	suite_pathf(p, sizeof(p), "%s/bus/pci/rescan", sysfs_root());
	return td_write(p, "1");
}

int td_unbind(const char *bdf)
{
	char p[PATH_MAX];
	int e = td_refuse(bdf);

	if (e)
		return e;
	td_dev_path(p, sizeof(p), bdf, "driver/unbind");
	return td_write(p, bdf);
}

int td_bind(const char *bdf, const char *driver)
{
	char p[PATH_MAX];
	int e = td_refuse(bdf);

	if (e)
		return e;
	suite_pathf(p, sizeof(p), "%s/bus/pci/drivers/%s/bind", sysfs_root(),
		    driver);
	return td_write(p, bdf);
}

bool td_driver_loaded(const char *driver)
{
	char p[PATH_MAX];

	suite_pathf(p, sizeof(p), "%s/bus/pci/drivers/%s", sysfs_root(),
		    driver);
	return !access(p, F_OK);
}

int td_set_override(const char *bdf, const char *driver)
{
	char p[PATH_MAX];
	int e = td_refuse(bdf);

	if (e)
		return e;
	td_dev_path(p, sizeof(p), bdf, "driver_override");
	return td_write(p, driver[0] ? driver : "\n");
}

int td_drivers_probe(const char *bdf)
{
	char p[PATH_MAX];
	int e = td_refuse(bdf);

	if (e)
		return e;
	suite_pathf(p, sizeof(p), "%s/bus/pci/drivers_probe", sysfs_root());
	return td_write(p, bdf);
}

/* ---- groups -------------------------------------------------------------- */

void td_group_path(char *buf, size_t size, long id, const char *file)
{
	suite_pathf(buf, size, "%s/kernel/iommu_groups/%ld%s%s", sysfs_root(),
		    id, file ? "/" : "", file ? file : "");
}

bool td_group_exists(long id)
{
	char p[PATH_MAX];

	td_group_path(p, sizeof(p), id, NULL);
	return td_lexists(p);
}

int td_group_entries(long id, char *out, size_t size)
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

int td_group_type(long id, char *buf, size_t size)
{
	char p[PATH_MAX];

	td_group_path(p, sizeof(p), id, "type");
	return td_read(p, buf, size);
}

int td_group_set_type(long id, const char *type)
{
	char p[PATH_MAX];

	if (td_busy_group(id)) {
		fprintf(stderr,
			"# group %ld is held by the suite beside this "
			"one (IOG_BUSY): not touched\n",
			id);
		return EBUSY;
	}
	td_group_path(p, sizeof(p), id, "type");
	return td_write(p, type);
}

/* ---- bounded waits ------------------------------------------------------- */

bool td_wait(bool (*cond)(const void *arg), const void *arg)
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

bool td_cond_present(const void *bdf)
{
	return td_dev_present(bdf);
}

bool td_cond_path_gone(const void *path)
{
	return !td_lexists(path);
}

/* ---- saved state and its restoration ------------------------------------- */

void td_state_free(struct td_state *st)
{
	free(st->v);
	memset(st, 0, sizeof(*st));
}

int td_state_save(struct td_state *st)
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
			/* Left to the suite beside (td_busy). */
			if (!td_busy(d->bdf) && !td_busy_group(d->group))
				st->nr++;
		}
		free(list[i]);
	}
	free(list);
	return st->v ? 0 : -1;
}

const struct td_dev_state *td_state_find(const struct td_state *st,
					 const char *bdf)
{
	for (size_t i = 0; i < st->nr; i++)
		if (!strcmp(st->v[i].bdf, bdf))
			return &st->v[i];
	return NULL;
}

bool td_cond_all_present(const void *arg)
{
	const struct td_state *st = arg;

	for (size_t i = 0; i < st->nr; i++)
		if (!td_dev_present(st->v[i].bdf))
			return false;
	return true;
}

bool td_cond_all_bound(const void *arg)
{
	const struct td_state *st = arg;

	for (size_t i = 0; i < st->nr; i++)
		if (st->v[i].driver[0] && !td_dev_bound(st->v[i].bdf))
			return false;
	return true;
}

bool td_wait_settled(const struct td_state *st)
{
	return td_wait(td_cond_all_present, st) &&
	       td_wait(td_cond_all_bound, st);
}

int td_rebind(const char *bdf, const char *driver)
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

int td_state_restore(struct __test_metadata *_metadata,
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

size_t td_model_replay_binds(struct suite_model *sm)
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

const struct model_pci_dev *td_model_dev(const struct suite_model *sm,
					 const char *bdf)
{
	return model_pci_find(model_topo(sm->m), bdf);
}

bool td_is_leaf(const struct model_pci_dev *d)
{
	return !d->is_bridge && d->class != 0x0600;
}

bool td_regroups(const struct model_pci_dev *d)
{
	return d->multifunction != d->hdr_multifunction;
}

bool td_is_port(const struct model_pci_dev *d)
{
	return d->is_pcie && (d->pcie_type == MODEL_PCIE_ROOT_PORT ||
			      d->pcie_type == MODEL_PCIE_DOWNSTREAM);
}

const struct model_pgroup *td_pick_singleton(const struct suite_model *sm,
					     bool bound)
{
	for (size_t i = 0; i < sm->p.nr; i++) {
		const struct model_pgroup *g = &sm->p.groups[i];
		const struct model_pci_dev *d;

		if (g->nr != 1 || td_group_busy(g))
			continue;
		d = td_model_dev(sm, g->bdfs[0]);
		if (d && td_is_leaf(d) && !td_regroups(d) &&
		    td_dev_bound(d->bdf) == bound)
			return g;
	}
	return NULL;
}

const struct model_pgroup *td_pick_any_singleton(const struct suite_model *sm)
{
	const struct model_pgroup *g = td_pick_singleton(sm, true);

	return g ? g : td_pick_singleton(sm, false);
}

const struct model_pgroup *
td_pick_unbound_singleton(const struct suite_model *sm)
{
	for (size_t i = 0; i < sm->p.nr; i++)
		if (sm->p.groups[i].nr == 1 &&
		    !td_group_busy(&sm->p.groups[i]) &&
		    !td_dev_bound(sm->p.groups[i].bdfs[0]))
			return &sm->p.groups[i];
	return NULL;
}

const char *td_pick_shared_leaf(const struct suite_model *sm,
				const struct model_pgroup **grp)
{
	for (size_t i = 0; i < sm->p.nr; i++) {
		const struct model_pgroup *g = &sm->p.groups[i];

		if (g->nr < 2 || td_group_busy(g))
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

bool td_in_group(const struct model_pgroup *g, const char *bdf)
{
	for (size_t i = 0; i < g->nr; i++)
		if (!strcmp(g->bdfs[i], bdf))
			return true;
	return false;
}

const struct model_pgroup *td_pick_shared(const struct suite_model *sm)
{
	const struct model_pci_topo *t = model_topo(sm->m);
	const struct model_pgroup *first = NULL;

	for (size_t i = 0; i < sm->p.nr; i++) {
		const struct model_pgroup *g = &sm->p.groups[i];
		bool ok = g->nr >= 2 && !td_group_busy(g), bound = false;

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

int td_kernel_partition(struct sysfs_partition *k)
{
	struct sysfs_snapshot s = {0};
	int ret = -1;

	if (!sysfs_snapshot_take(NULL, &s))
		ret = sysfs_partition_build(&s, k);
	sysfs_snapshot_free(&s);
	return ret;
}

int td_compare(const struct suite_model *sm, bool ids, const char *what)
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

int td_compare_ids(const struct suite_model *sm, const char *what,
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

long td_group_ids(long *ids, size_t max)
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

bool td_id_in(const long *ids, long n, long id)
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

static int td_new_group_cmp(const void *a, const void *b)
{
	const struct td_new_group *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

int td_check_new_ids(const struct suite_model *sm, const long *before,
		     long nr_before, const char *what)
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

bool td_start_state(struct __test_metadata *_metadata,
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

int td_model_refresh(struct suite_model *sm)
{
	if (sm->have_p)
		model_partition_free(&sm->p);
	sm->have_p = !model_partition(sm->m, &sm->p);
	return sm->have_p ? 0 : -1;
}
