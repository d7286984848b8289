// SPDX-License-Identifier: GPL-2.0-only
/*
 * abi_doc: the running kernel against its own ABI documentation
 * (Documentation/ABI of the kernel's source: sysfs-kernel-iommu_groups,
 * and the device-side files; harness/abi-docs.sh ships them).
 *
 * Two directions for each entry the kernel shows:
 *   documented  every entry the kernel exposes is described: a What:
 *               path names it, or the Description of the entry for its
 *               directory (or that directory's parent) names it in
 *               double quotes, as sysfs-kernel-iommu_groups introduces
 *               "devices" and "name".  A What: whose last component is
 *               the name but whose path the kernel does not have is a
 *               misplaced entry: a failure that says where the text
 *               points and where the file is.
 *   exposed     every What: entry is there on a kernel at or past its
 *               KernelVersion: (older kernels: SKIP naming the version).
 *
 * Group directory entries are one variant each (devices, name,
 * reserved_regions, type; "other" takes whatever else a kernel has, so a
 * new attribute fails until it is documented); the device side has the
 * iommu_group and iommu links.  The device-side iommu_group link has no
 * entry in 6.1 or 6.12: device_link.iommu_group.documented fails, and
 * suites/known-deviations turns that into a visible XFAIL.
 *
 * Environment: IOG_ABI_DIR (default /etc/iog/abi; a .unavailable file
 * there is a SKIP reason, .source says where the files came from),
 * IOG_SYSFS_ROOT, IOG_KERNEL_RELEASE (see sysfs.h), IOG_EXPECT_GROUPS.
 */
#include "kselftest_harness.h"
#include "suite.h"

#include "abidoc.h"
#include "fileio.h"

#define ABI_DIR_DEFAULT "/etc/iog/abi"
#define GROUPS_DOC "/sys/kernel/iommu_groups"
/* Findings of one kind printed in full; the rest are counted. */
#define ABI_SHOW 8

static const char *const group_named[] = {"devices", "name", "reserved_regions",
					  "type"};

static const char *abi_dir(void)
{
	const char *e = getenv("IOG_ABI_DIR");

	return e && *e ? e : ABI_DIR_DEFAULT;
}

/* The first line of DIR/NAME into buf; false if there is none. */
static bool abi_note(const char *name, char *buf, size_t size)
{
	char path[PATH_MAX], *data = NULL;
	size_t len;

	if (suite_pathf(path, sizeof(path), "%s/%s", abi_dir(), name) ||
	    iog_read_file(path, 4096, &data, &len, NULL))
		return false;
	snprintf(buf, size, "%.*s", (int)strcspn(data, "\n"), data);
	free(data);
	return true;
}

/*
 * Load the documentation: false when the test has ended (SKIP without
 * documentation, FAIL when it does not parse).
 */
static bool abi_load(struct __test_metadata *_metadata, struct abidoc *d)
{
	char why[512], err[ABIDOC_ERR_LEN];
	struct stat st;
	int bad;

	if (abi_note(".unavailable", why, sizeof(why)))
		SKIP(return false, "%s", why);
	if (stat(abi_dir(), &st) || !S_ISDIR(st.st_mode))
		SKIP(return false,
			    "no ABI documentation at %s (the guest image has "
			    "it; host mode: KERNEL_SRC=tree or IOG_ABI_DOCS=dir)",
			    abi_dir());
	bad = abidoc_load_dir(d, abi_dir(), err, sizeof(err));
	ASSERT_EQ(0, bad)
	TH_LOG("the kernel's ABI documentation does not parse: %s (in %s)", err,
	       abi_dir());
	if (!d->nr)
		SKIP(return false, "no ABI entries in %s", abi_dir());
	return true;
}

/* ---- paths ------------------------------------------------------------- */

/* "/sys/..." as documented, for a path under sysfs_root(). */
static int abi_doc_path(char *buf, size_t size, const char *real,
			const struct sysfs_snapshot *s)
{
	size_t n = s->root_real ? strlen(s->root_real) : 0;

	if (!n || strncmp(real, s->root_real, n) || (real[n] && real[n] != '/'))
		return -1;
	return suite_pathf(buf, size, "/sys%s", real + n);
}

/* The last component of a path ("" for "/"), trailing '/' ignored. */
static void abi_last(const char *path, char *buf, size_t size)
{
	size_t n = strlen(path), b;

	while (n > 1 && path[n - 1] == '/')
		n--;
	b = n;
	while (b && path[b - 1] != '/')
		b--;
	snprintf(buf, size, "%.*s", (int)(n - b), path + b);
}

static bool abi_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '/' || !path[n]);
}

/* Components of a documented path below GROUPS_DOC (trailing '/' ignored). */
static int abi_group_depth(const char *what)
{
	const char *p = what + strlen(GROUPS_DOC);
	int n = 0;

	while (*p) {
		p += strspn(p, "/");
		if (!*p)
			break;
		n++;
		p += strcspn(p, "/");
	}
	return n;
}

/* ---- where the documentation describes an exposed path ---------------- */

enum abi_how {
	ABI_UNDOCUMENTED,
	ABI_WHAT, /* a What: path matches */
	ABI_PROSE, /* the directory's entry names it in quotes */
	ABI_MISPLACED, /* a What: of that name points elsewhere */
};

struct abi_ref {
	enum abi_how how;
	const struct abidoc_entry *e;
	size_t what;
};

/* Cut the last component off dir; false at "/sys" or above. */
static bool abi_parent(char *dir)
{
	char *slash = strrchr(dir, '/');

	if (!slash || slash == dir || !strcmp(dir, "/sys"))
		return false;
	*slash = '\0';
	return true;
}

/*
 * How path (documented form, "/sys/...") is described.  area limits the
 * misplaced-entry search ("/sys/kernel/iommu_groups"), NULL for anywhere
 * outside it.
 */
static struct abi_ref abi_lookup(const struct abidoc *d, const char *path,
				 const char *area)
{
	struct abi_ref r = {ABI_UNDOCUMENTED, NULL, 0};
	char name[NAME_MAX + 1], dir[PATH_MAX];

	r.e = abidoc_find(d, path, &r.what);
	if (r.e) {
		r.how = ABI_WHAT;
		return r;
	}
	abi_last(path, name, sizeof(name));
	snprintf(dir, sizeof(dir), "%s", path);
	/* The entry of the directory, or of its parent. */
	for (int up = 0; up < 2 && abi_parent(dir); up++) {
		for (size_t i = 0; i < d->nr; i++) {
			const struct abidoc_entry *e = &d->v[i];

			for (size_t w = 0; w < e->nr_what; w++) {
				if (!abidoc_path_match(e->what[w], dir) ||
				    !abidoc_quotes(e->description, name))
					continue;
				r.how = ABI_PROSE;
				r.e = e;
				r.what = w;
				return r;
			}
		}
	}
	for (size_t i = 0; i < d->nr; i++) {
		const struct abidoc_entry *e = &d->v[i];

		for (size_t w = 0; w < e->nr_what; w++) {
			char last[NAME_MAX + 1];
			bool in = abi_under(e->what[w], GROUPS_DOC);

			abi_last(e->what[w], last, sizeof(last));
			if (strcmp(last, name) || (area ? !in : in))
				continue;
			r.how = ABI_MISPLACED;
			r.e = e;
			r.what = w;
			return r;
		}
	}
	return r;
}

static const char *abi_kv(const struct abidoc_entry *e)
{
	return e->kernel_version && *e->kernel_version ? e->kernel_version
						       : "(none)";
}

/*
 * Log how an exposed item is documented; true if that counts as
 * documented.  what_it: "group attribute type", path: an example.
 */
static bool abi_report(struct __test_metadata *_metadata,
		       const struct abi_ref *r, const char *what_it,
		       const char *path, size_t count)
{
	switch (r->how) {
	case ABI_WHAT:
		TH_LOG("documented: %s (%zu exposed, e.g. %s) by What: %s "
		       "(%s:%u, KernelVersion %s)",
		       what_it, count, path, r->e->what[r->what], r->e->file,
		       r->e->line, abi_kv(r->e));
		return true;
	case ABI_PROSE:
		TH_LOG("documented: %s (%zu exposed, e.g. %s) in the "
		       "Description of What: %s (%s:%u), without an entry or "
		       "version of its own",
		       what_it, count, path, r->e->what[r->what], r->e->file,
		       r->e->line);
		return true;
	case ABI_MISPLACED:
		TH_LOG("misplaced: %s is exposed as %s (%zu), but its entry "
		       "documents What: %s (%s:%u), a path the kernel does "
		       "not have",
		       what_it, path, count, r->e->what[r->what], r->e->file,
		       r->e->line);
		return false;
	default:
		TH_LOG("undocumented: %s (%zu exposed, e.g. %s): no What: "
		       "entry matches it and no entry for its directory "
		       "names it",
		       what_it, count, path);
		return false;
	}
}

/* ---- what the kernel exposes ------------------------------------------ */

/* Sorted entry names of a directory; 0 or an errno value. */
static int abi_list(const char *path, char ***names, size_t *nr)
{
	struct dirent **v;
	int n = scandir(path, &v, NULL, alphasort), k = 0;

	*names = NULL;
	*nr = 0;
	if (n < 0)
		return errno;
	*names = calloc(n ? n : 1, sizeof(**names));
	for (int i = 0; i < n; i++) {
		if (*names && strcmp(v[i]->d_name, ".") &&
		    strcmp(v[i]->d_name, ".."))
			(*names)[k++] = strdup(v[i]->d_name);
		free(v[i]);
	}
	free(v);
	if (!*names)
		return ENOMEM;
	*nr = k;
	for (int i = 0; i < k; i++)
		if (!(*names)[i])
			return ENOMEM;
	return 0;
}

static void abi_list_free(char **names, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(names[i]);
	free(names);
}

static bool abi_is_named(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(group_named); i++)
		if (!strcmp(name, group_named[i]))
			return true;
	return false;
}

static bool abi_is_group(const struct sysfs_group *g)
{
	return g->is_dir && g->id >= 0;
}

/* The running kernel's version against an entry's KernelVersion:. */
enum abi_gate { ABI_GATE_NONE, ABI_GATE_OPEN, ABI_GATE_CLOSED };

static enum abi_gate abi_gate(const struct abidoc_entry *e,
			      const struct sysfs_kver *v)
{
	int ma, mi;

	if (abidoc_kver_parse(e->kernel_version, &ma, &mi))
		return ABI_GATE_NONE;
	return sysfs_kver_at_least(v, ma, mi) ? ABI_GATE_OPEN : ABI_GATE_CLOSED;
}

/* ---- the fixtures ------------------------------------------------------ */

/* What every test starts from: the documentation, sysfs, the release. */
struct abi_state {
	struct abidoc d;
	struct sysfs_snapshot s;
	struct sysfs_kver v;
	char release[128];
};

/* False when the test has ended (SKIP or FAIL). */
static bool abi_state_get(struct __test_metadata *_metadata,
			  struct abi_state *st)
{
	int bad;

	if (!abi_load(_metadata, &st->d))
		return false;
	bad = sysfs_snapshot_take(NULL, &st->s);
	ASSERT_EQ(0, bad) TH_LOG("cannot read %s", sysfs_root());
	bad = sysfs_kver_running(&st->v, st->release, sizeof(st->release));
	ASSERT_EQ(0, bad)
	TH_LOG("cannot parse kernel release '%s'", st->release);
	return true;
}

static void abi_state_put(struct abi_state *st)
{
	abidoc_free(&st->d);
	sysfs_snapshot_free(&st->s);
}

/*
 * Whether What: w of e applies to the running kernel: not when its
 * KernelVersion: is newer (logged, so the test says what it left out).
 */
static bool abi_expected(struct __test_metadata *_metadata,
			 const struct abi_state *st,
			 const struct abidoc_entry *e, size_t w)
{
	if (abi_gate(e, &st->v) != ABI_GATE_CLOSED)
		return true;
	TH_LOG("not expected: What: %s (%s:%u) is documented since %s; "
	       "kernel %s is older",
	       e->what[w], e->file, e->line, abi_kv(e), st->release);
	return false;
}

/*
 * Each fixture (abi, group_attr, device_link) holds one abi_state, freed
 * on teardown; their setups differ only in what they cannot test without.
 */
#define ABI_FIXTURE(name)                 \
	FIXTURE(name)                     \
	{                                 \
		struct abi_state st;      \
	};                                \
	FIXTURE_TEARDOWN(name)            \
	{                                 \
		abi_state_put(&self->st); \
	}

ABI_FIXTURE(abi)

FIXTURE_SETUP(abi)
{
	abi_state_get(_metadata, &self->st);
}

/* The documentation read, and the entries that concern IOMMU groups. */
TEST_F(abi, docs)
{
	char src[1024] = "(no .source)";
	size_t rel = 0;

	abi_note(".source", src, sizeof(src));
	TH_LOG("documentation: %s, %zu files, %zu entries, from %s", abi_dir(),
	       self->st.d.nr_files, self->st.d.nr, src);
	for (size_t i = 0; i < self->st.d.nr; i++) {
		const struct abidoc_entry *e = &self->st.d.v[i];
		bool show = false;
		char last[NAME_MAX + 1];

		for (size_t w = 0; w < e->nr_what; w++) {
			abi_last(e->what[w], last, sizeof(last));
			show |= abi_under(e->what[w], GROUPS_DOC) ||
				!strcmp(last, "iommu_group") ||
				!strcmp(last, "iommu");
		}
		show |= e->description && strstr(e->description, "iommu_group");
		if (!show)
			continue;
		rel++;
		for (size_t w = 0; w < e->nr_what; w++)
			TH_LOG("entry %s:%u What: %s KernelVersion: %s Date: %s",
			       e->file, e->line, e->what[w], abi_kv(e),
			       e->date ? e->date : "(none)");
	}
	TH_LOG("kernel %s: %zu entries describe IOMMU groups or their links",
	       self->st.release, rel);
	EXPECT_NE(0, rel)
	TH_LOG("no entry documents %s or the devices' IOMMU links in %s",
	       GROUPS_DOC, abi_dir());
}

/* The documented /sys/kernel/iommu_groups/ directory itself. */
TEST_F(abi, groups_dir_exposed)
{
	const struct abidoc_entry *e =
		abidoc_find(&self->st.d, GROUPS_DOC, NULL);

	if (!e)
		SKIP(return, "no What: entry documents %s", GROUPS_DOC);
	if (abi_gate(e, &self->st.v) == ABI_GATE_CLOSED)
		SKIP(return, "kernel %s predates %s (KernelVersion %s, %s:%u)",
			   self->st.release, GROUPS_DOC, abi_kv(e), e->file,
			   e->line);
	if (!self->st.s.groups_present && !suite_expect_groups())
		SKIP(return,
			   "%s absent: kernel without CONFIG_IOMMU_API, and "
			   "IOG_EXPECT_GROUPS does not ask for groups",
			   self->st.s.groups_path);
	TH_LOG("What: %s (%s:%u, KernelVersion %s): %s has %zu entries",
	       e->what[0], e->file, e->line, abi_kv(e), self->st.s.groups_path,
	       self->st.s.nr_groups);
	EXPECT_TRUE(self->st.s.groups_is_dir)
	TH_LOG("missing: %s (What: %s, %s:%u, KernelVersion %s) is not a "
	       "directory on %s",
	       self->st.s.groups_path, e->what[0], e->file, e->line, abi_kv(e),
	       self->st.release);
}

/* ---- group directory entries ------------------------------------------ */

ABI_FIXTURE(group_attr)

FIXTURE_VARIANT(group_attr)
{
	const char *name; /* NULL: every entry not named by a variant */
};

FIXTURE_VARIANT_ADD(group_attr, devices){
	.name = "devices",
};

FIXTURE_VARIANT_ADD(group_attr, name){
	.name = "name",
};

FIXTURE_VARIANT_ADD(group_attr, reserved_regions){
	.name = "reserved_regions",
};

FIXTURE_VARIANT_ADD(group_attr, type){
	.name = "type",
};

FIXTURE_VARIANT_ADD(group_attr, other){
	.name = NULL,
};

FIXTURE_SETUP(group_attr)
{
	if (!abi_state_get(_metadata, &self->st))
		return;
	if (!self->st.s.groups_is_dir)
		SKIP(return, "%s absent: no IOMMU groups",
			   self->st.s.groups_path);
}

/* Does this variant look at a group directory entry of this name? */
static bool abi_mine(const char *want, const char *name)
{
	return want ? !strcmp(want, name) : !abi_is_named(name);
}

/* One exposed name and where it shows. */
struct abi_item {
	char *name;
	char *example; /* documented form of one path that has it */
	size_t count;
};

struct abi_items {
	struct abi_item *v;
	size_t nr;
};

static void abi_items_free(struct abi_items *it)
{
	for (size_t i = 0; i < it->nr; i++) {
		free(it->v[i].name);
		free(it->v[i].example);
	}
	free(it->v);
	memset(it, 0, sizeof(*it));
}

static int abi_items_add(struct abi_items *it, const char *name,
			 const char *path)
{
	struct abi_item *n;

	for (size_t i = 0; i < it->nr; i++) {
		if (!strcmp(it->v[i].name, name)) {
			it->v[i].count++;
			return 0;
		}
	}
	n = realloc(it->v, (it->nr + 1) * sizeof(*n));
	if (!n)
		return -1;
	it->v = n;
	n = &it->v[it->nr];
	n->name = strdup(name);
	n->example = strdup(path);
	n->count = 1;
	if (!n->name || !n->example) {
		free(n->name);
		free(n->example);
		return -1;
	}
	it->nr++;
	return 0;
}

/*
 * The exposed entries this variant covers: group directory entries, and
 * (variant "other") entries of the groups directory that are not groups.
 * Each item keeps its group-relative name and "/sys/..." example.
 */
static int abi_exposed(const struct sysfs_snapshot *s, const char *want,
		       struct abi_items *it, size_t *groups)
{
	char path[PATH_MAX], doc[PATH_MAX];

	*groups = 0;
	for (size_t i = 0; i < s->nr_groups; i++) {
		const struct sysfs_group *g = &s->groups[i];
		char **names;
		size_t nr;
		int e;

		if (!abi_is_group(g)) {
			if (want)
				continue;
			if (suite_pathf(doc, sizeof(doc), GROUPS_DOC "/%s",
					g->name) ||
			    abi_items_add(it, g->name, doc))
				return ENOMEM;
			continue;
		}
		(*groups)++;
		if (suite_pathf(path, sizeof(path), "%s/%s", s->groups_path,
				g->name))
			return ENAMETOOLONG;
		e = abi_list(path, &names, &nr);
		if (e) {
			abi_list_free(names, nr);
			return e;
		}
		for (size_t j = 0; j < nr && !e; j++) {
			if (!abi_mine(want, names[j]))
				continue;
			if (suite_pathf(doc, sizeof(doc), GROUPS_DOC "/%s/%s",
					g->name, names[j]) ||
			    abi_items_add(it, names[j], doc))
				e = ENOMEM;
		}
		abi_list_free(names, nr);
		if (e)
			return e;
	}
	return 0;
}

TEST_F(group_attr, documented)
{
	struct abi_items it = {0};
	const char *want = variant->name;
	size_t groups, bad = 0;
	int e;

	e = abi_exposed(&self->st.s, want, &it, &groups);
	ASSERT_EQ(0, e)
	TH_LOG("reading %s: %s", self->st.s.groups_path, strerror(e));
	if (!groups)
		SKIP(goto out, "no groups in %s", self->st.s.groups_path);
	if (!it.nr && want)
		SKIP(goto out, "no group has %s (%zu groups)", want, groups);
	for (size_t i = 0; i < it.nr; i++) {
		struct abi_ref r =
			abi_lookup(&self->st.d, it.v[i].example, GROUPS_DOC);
		char what_it[NAME_MAX + 64];

		snprintf(what_it, sizeof(what_it), "group entry %s",
			 it.v[i].name);
		if (!abi_report(_metadata, &r, what_it, it.v[i].example,
				it.v[i].count))
			bad++;
	}
	TH_LOG("%zu of %zu entry names (%s) seen across %zu groups are not "
	       "documented",
	       bad, it.nr, want ? want : "not covered by another variant",
	       groups);
	EXPECT_EQ(0, bad);
out:
	abi_items_free(&it);
}

/*
 * A documented group entry: What: GROUPS_DOC/<grp_id>/NAME, or (a
 * misplaced entry, reported by .documented) GROUPS_DOC/NAME when the
 * kernel's groups directory has no such entry.
 */
static bool abi_documents_group_entry(const struct abidoc_entry *e, size_t w,
				      const char *want, char *name, size_t size)
{
	const char *what = e->what[w];
	int depth;

	if (!abi_under(what, GROUPS_DOC))
		return false;
	depth = abi_group_depth(what);
	if (depth < 1)
		return false;
	abi_last(what, name, size);
	/* Deeper paths (devices/<dev>) belong to the entry they are in. */
	if (depth > 2)
		return false;
	return abi_mine(want, name);
}

TEST_F(group_attr, exposed)
{
	const char *want = variant->name;
	size_t entries = 0, bad = 0, groups = 0;

	for (size_t i = 0; i < self->st.s.nr_groups; i++)
		groups += abi_is_group(&self->st.s.groups[i]);
	if (!groups)
		SKIP(return, "no groups in %s", self->st.s.groups_path);
	for (size_t i = 0; i < self->st.d.nr; i++) {
		const struct abidoc_entry *e = &self->st.d.v[i];

		for (size_t w = 0; w < e->nr_what; w++) {
			char name[NAME_MAX + 1], path[PATH_MAX];
			size_t missing = 0, shown = 0;
			struct stat st;
			bool top;

			if (!abi_documents_group_entry(e, w, want, name,
						       sizeof(name)))
				continue;
			entries++;
			if (!abi_expected(_metadata, &self->st, e, w))
				continue;
			if (abi_gate(e, &self->st.v) == ABI_GATE_NONE)
				TH_LOG("What: %s (%s:%u) names no usable "
				       "KernelVersion ('%s'): expected on every "
				       "kernel",
				       e->what[w], e->file, e->line, abi_kv(e));
			/* A literal name directly under the groups directory.
			 */
			top = abi_group_depth(e->what[w]) == 1;
			if (top &&
			    !suite_pathf(path, sizeof(path), "%s/%s",
					 self->st.s.groups_path, name) &&
			    !lstat(path, &st)) {
				TH_LOG("exposed: What: %s (%s:%u)", e->what[w],
				       e->file, e->line);
				continue;
			}
			if (top)
				TH_LOG("What: %s (%s:%u) names no entry of %s; "
				       "taken as each group's %s (the "
				       ".documented test reports the path)",
				       e->what[w], e->file, e->line,
				       self->st.s.groups_path, name);
			for (size_t g = 0; g < self->st.s.nr_groups; g++) {
				const struct sysfs_group *sg =
					&self->st.s.groups[g];

				if (!abi_is_group(sg))
					continue;
				if (!suite_pathf(path, sizeof(path), "%s/%s/%s",
						 self->st.s.groups_path,
						 sg->name, name) &&
				    !lstat(path, &st))
					continue;
				missing++;
				if (shown++ < ABI_SHOW)
					TH_LOG("missing: " GROUPS_DOC
					       "/%s/%s (What: %s, %s:%u, "
					       "KernelVersion %s, kernel %s)",
					       sg->name, name, e->what[w],
					       e->file, e->line, abi_kv(e),
					       self->st.release);
			}
			if (missing > ABI_SHOW)
				TH_LOG("missing: %zu more groups without %s",
				       missing - ABI_SHOW, name);
			if (!missing)
				TH_LOG("exposed: What: %s (%s:%u) in all %zu "
				       "groups",
				       e->what[w], e->file, e->line, groups);
			bad += missing;
		}
	}
	if (!entries)
		SKIP(return,
			   "no What: entry documents %s of a group (if it is "
			   "exposed, .documented says how it is described)",
			   want ? want : "any other entry");
	EXPECT_EQ(0, bad);
}

/* ---- device-side links ------------------------------------------------- */

ABI_FIXTURE(device_link)

FIXTURE_VARIANT(device_link)
{
	const char *name;
};

FIXTURE_VARIANT_ADD(device_link, iommu_group){
	.name = "iommu_group",
};

FIXTURE_VARIANT_ADD(device_link, iommu){
	.name = "iommu",
};

FIXTURE_SETUP(device_link)
{
	if (!abi_state_get(_metadata, &self->st))
		return;
	if (!self->st.s.nr_devices)
		SKIP(return, "no device has an iommu_group link (%zu groups)",
			   self->st.s.nr_groups);
}

static bool abi_dev_has(const struct sysfs_device *dev, const char *link)
{
	return !strcmp(link, "iommu_group") || dev->has_iommu_link;
}

/* The documented forms of a device's link: by bus, and by device path. */
static int abi_dev_paths(const struct sysfs_snapshot *s,
			 const struct sysfs_device *dev, const char *link,
			 char *bus, char *real, size_t size)
{
	char r[PATH_MAX];

	if (suite_pathf(bus, size, "/sys/bus/%s/devices/%s/%s", dev->bus,
			dev->name, link))
		return -1;
	real[0] = '\0';
	if (dev->real && !abi_doc_path(r, sizeof(r), dev->real, s))
		return suite_pathf(real, size, "%s/%s", r, link);
	return 0;
}

TEST_F(device_link, documented)
{
	const char *link = variant->name;
	size_t with = 0, bad = 0, shown = 0;
	struct abi_ref first = {ABI_UNDOCUMENTED, NULL, 0};
	char example[PATH_MAX] = "";

	for (size_t i = 0; i < self->st.s.nr_devices; i++) {
		const struct sysfs_device *dev = &self->st.s.devices[i];
		char bus[PATH_MAX], real[PATH_MAX];
		struct abi_ref r;

		if (!abi_dev_has(dev, link))
			continue;
		with++;
		ASSERT_EQ(0, abi_dev_paths(&self->st.s, dev, link, bus, real,
					   sizeof(bus)));
		r = abi_lookup(&self->st.d, bus, NULL);
		if (r.how != ABI_WHAT && r.how != ABI_PROSE && real[0]) {
			struct abi_ref rr = abi_lookup(&self->st.d, real, NULL);

			if (rr.how == ABI_WHAT || rr.how == ABI_PROSE ||
			    r.how == ABI_UNDOCUMENTED)
				r = rr;
		}
		if (with == 1 ||
		    (r.how != ABI_WHAT && r.how != ABI_PROSE && !bad)) {
			first = r;
			snprintf(example, sizeof(example), "%s", bus);
		}
		if (r.how == ABI_WHAT || r.how == ABI_PROSE)
			continue;
		bad++;
		if (shown++ < 3)
			TH_LOG("undocumented: %s%s%s", bus,
			       real[0] ? " = " : "", real);
	}
	if (!with)
		SKIP(return, "no device has an %s link (%zu devices in groups)",
			   link, self->st.s.nr_devices);
	{
		char what_it[64];

		snprintf(what_it, sizeof(what_it), "the device-side %s link",
			 link);
		abi_report(_metadata, &first, what_it, example, with);
	}
	TH_LOG("%zu of %zu device-side %s links are not documented", bad, with,
	       link);
	EXPECT_EQ(0, bad);
}

TEST_F(device_link, exposed)
{
	const char *link = variant->name;
	size_t entries = 0, bad = 0;

	for (size_t i = 0; i < self->st.d.nr; i++) {
		const struct abidoc_entry *e = &self->st.d.v[i];

		for (size_t w = 0; w < e->nr_what; w++) {
			char last[NAME_MAX + 1];
			size_t found = 0;

			abi_last(e->what[w], last, sizeof(last));
			if (strcmp(last, link) ||
			    abi_under(e->what[w], GROUPS_DOC))
				continue;
			entries++;
			if (!abi_expected(_metadata, &self->st, e, w))
				continue;
			for (size_t d = 0; d < self->st.s.nr_devices; d++) {
				const struct sysfs_device *dev =
					&self->st.s.devices[d];
				char bus[PATH_MAX], real[PATH_MAX];

				if (!abi_dev_has(dev, link) ||
				    abi_dev_paths(&self->st.s, dev, link, bus,
						  real, sizeof(bus)))
					continue;
				if (abidoc_path_match(e->what[w], bus) ||
				    (real[0] &&
				     abidoc_path_match(e->what[w], real)))
					found++;
			}
			if (found) {
				TH_LOG("exposed: What: %s (%s:%u) on %zu of %zu "
				       "devices in groups",
				       e->what[w], e->file, e->line, found,
				       self->st.s.nr_devices);
				continue;
			}
			bad++;
			TH_LOG("missing: What: %s (%s:%u, KernelVersion %s): "
			       "no device has it on kernel %s, although %zu "
			       "are in IOMMU groups",
			       e->what[w], e->file, e->line, abi_kv(e),
			       self->st.release, self->st.s.nr_devices);
		}
	}
	if (!entries)
		SKIP(return,
			   "no What: entry documents a device-side %s link "
			   "(device_link.%s.documented reports it)",
			   link, link);
	EXPECT_EQ(0, bad);
}

TEST_HARNESS_MAIN
