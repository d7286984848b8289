// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of harness/lib/sysfs*.c and, end to end, of the sysfs_layout
 * and grouping suites.  Trees mirroring /sys are built in a mkdtemp()
 * directory with relative links shaped like the kernel's (§2): device
 * iommu_group -> ../../../kernel/iommu_groups/N, group devices/X ->
 * ../../../../devices/pci0000:00/X, bus/pci/devices/X -> ../../../devices/...
 * The suites' model tests read config space: the trees for those carry
 * the config files of captured guests (tests/fixtures/lspci).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pci/pci.h>

#include "kselftest_harness.h"
#include "model.h"
#include "pci_topo.h"
#include "sysfs.h"

#define ASSERT_HAS(hay, needle)                      \
	ASSERT_TRUE(strstr((hay), (needle)) != NULL) \
	TH_LOG("'%s' not found in:\n%s", (needle), (hay))

#define EXPECT_HAS(hay, needle)                      \
	EXPECT_TRUE(strstr((hay), (needle)) != NULL) \
	TH_LOG("'%s' not found in:\n%s", (needle), (hay))

#define ASSERT_LACKS(hay, needle)                    \
	ASSERT_TRUE(strstr((hay), (needle)) == NULL) \
	TH_LOG("'%s' unexpectedly found in:\n%s", (needle), (hay))

/* ---- building trees ----------------------------------------------------- */

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -1;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) && errno != EEXIST ? -1 : 0;
}

/* Write content to ROOT/rel, creating directories. */
static int put(const char *root, const char *rel, const char *content)
{
	char path[PATH_MAX], dir[PATH_MAX];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	if (mkdir_p(dirname(dir)))
		return -1;
	f = fopen(path, "w");
	if (!f)
		return -1;
	ret = fputs(content, f) < 0;
	return fclose(f) || ret ? -1 : 0;
}

static int mkd(const char *root, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return mkdir_p(path);
}

static int rm(const char *root, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return unlink(path);
}

/* Symlink ROOT/link -> target (relative to ROOT), made relative the way
 * the kernel does: one "../" per directory level of link below ROOT. */
static int link_rel(const char *root, const char *link, const char *target)
{
	char path[PATH_MAX], dir[PATH_MAX], rel[PATH_MAX] = "";

	for (const char *c = link; *c; c++)
		if (*c == '/')
			strcat(rel, "../");
	strcat(rel, target);
	snprintf(path, sizeof(path), "%s/%s", root, link);
	snprintf(dir, sizeof(dir), "%s", path);
	if (mkdir_p(dirname(dir)))
		return -1;
	unlink(path);
	return symlink(rel, path);
}

static int rename_in(const char *root, const char *from, const char *to)
{
	char a[PATH_MAX], b[PATH_MAX];

	snprintf(a, sizeof(a), "%s/%s", root, from);
	snprintf(b, sizeof(b), "%s/%s", root, to);
	return rename(a, b);
}

/* Symlink ROOT/link -> raw text, as is. */
static int link_raw(const char *root, const char *link, const char *text)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, link);
	unlink(path);
	return symlink(text, path);
}

struct tdev {
	const char *path; /* below ROOT/devices */
	int group; /* -1: no group */
};

/* A cut-down q35-acs (observed-q35.md): IDs in probe order. */
static const struct tdev good_devs[] = {
	{"pci0000:00/0000:00:00.0", 0},
	{"pci0000:00/0000:00:01.0", -1},
	{"pci0000:00/0000:00:02.0", 1},
	{"pci0000:00/0000:00:02.1", 2},
	{"pci0000:00/0000:00:1f.0", 3},
	{"pci0000:00/0000:00:1f.2", 3},
	{"pci0000:00/0000:00:1f.3", 3},
	{"pci0000:00/0000:00:02.0/0000:01:00.0", 4},
	{"pci0000:00/0000:00:02.1/0000:02:00.0", 5},
	{"pci0000:00/0000:00:02.1/0000:02:00.0/0000:03:01.0", 5},
	{"pci0000:00/0000:00:02.1/0000:02:00.0/0000:03:02.0", 5},
};

#define NR_GOOD_GROUPS 6
#define MSI "0x00000000fee00000 0x00000000feefffff msi\n"
#define ISA "0x0000000000000000 0x0000000000ffffff direct-relaxable\n"

static int add_group(const char *root, int id)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "kernel/iommu_groups/%d/devices", id);
	if (mkd(root, rel))
		return -1;
	snprintf(rel, sizeof(rel), "kernel/iommu_groups/%d/reserved_regions",
		 id);
	if (put(root, rel, id == 3 ? ISA MSI : MSI))
		return -1;
	snprintf(rel, sizeof(rel), "kernel/iommu_groups/%d/type", id);
	return put(root, rel, "DMA\n");
}

/* A device at ROOT/devices/PATH, its iommu link to devices/virtual/iommu/IOMMU.
 */
static int add_device_to(const char *root, const struct tdev *d,
			 const char *iommu)
{
	const char *base = strrchr(d->path, '/') + 1;
	char dev[256], link[256];

	snprintf(dev, sizeof(dev), "devices/%s", d->path);
	if (mkd(root, dev))
		return -1;
	snprintf(link, sizeof(link), "bus/pci/devices/%s", base);
	if (link_rel(root, link, dev))
		return -1;
	if (d->group < 0)
		return 0;
	snprintf(link, sizeof(link), "devices/%s/iommu_group", d->path);
	snprintf(dev, sizeof(dev), "kernel/iommu_groups/%d", d->group);
	if (link_rel(root, link, dev))
		return -1;
	snprintf(link, sizeof(link), "devices/%s/iommu", d->path);
	snprintf(dev, sizeof(dev), "devices/virtual/iommu/%s", iommu);
	if (link_rel(root, link, dev))
		return -1;
	snprintf(link, sizeof(link), "kernel/iommu_groups/%d/devices/%s",
		 d->group, base);
	snprintf(dev, sizeof(dev), "devices/%s", d->path);
	return link_rel(root, link, dev);
}

static int add_device(const char *root, const struct tdev *d)
{
	return add_device_to(root, d, "dmar0");
}

static int build_good(const char *root)
{
	if (mkd(root, "devices/virtual/iommu/dmar0") ||
	    mkd(root, "devices/platform/serial8250") ||
	    link_rel(root, "bus/platform/devices/serial8250",
		     "devices/platform/serial8250"))
		return -1;
	for (int i = 0; i < NR_GOOD_GROUPS; i++)
		if (add_group(root, i))
			return -1;
	for (size_t i = 0; i < sizeof(good_devs) / sizeof(good_devs[0]); i++)
		if (add_device(root, &good_devs[i]))
			return -1;
	return 0;
}

/* A fresh directory under \$TMPDIR (default /tmp). */
static char *make_tmp(char *buf, size_t size)
{
	const char *t = getenv("TMPDIR");

	if (snprintf(buf, size, "%s/iog-sysfs-XXXXXX", t && *t ? t : "/tmp") >=
	    (int)size)
		return NULL;
	return mkdtemp(buf);
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

FIXTURE(tree)
{
	char root[256];
};

FIXTURE_SETUP(tree)
{
	ASSERT_NE(NULL, make_tmp(self->root, sizeof(self->root)));
	ASSERT_EQ(0, build_good(self->root))
	TH_LOG("building %s: %s", self->root, strerror(errno));
}

FIXTURE_TEARDOWN(tree)
{
	nftw(self->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- running checks ----------------------------------------------------- */

typedef size_t (*check_fn)(const struct sysfs_snapshot *,
			   struct sysfs_problems *);

struct run {
	size_t examined;
	size_t count;
	char text[8192]; /* the problems, one a line */
};

static void run_check(const char *root, check_fn fn, struct run *r)
{
	struct sysfs_snapshot s;
	struct sysfs_problems p = {0};
	size_t off = 0;

	memset(r, 0, sizeof(*r));
	if (sysfs_snapshot_take(root, &s)) {
		r->count = (size_t)-1;
		snprintf(r->text, sizeof(r->text), "snapshot: %s",
			 strerror(errno));
		return;
	}
	r->examined = fn(&s, &p);
	r->count = sysfs_problems_count(&p);
	for (size_t i = 0; i < p.nr && off < sizeof(r->text); i++)
		off += snprintf(r->text + off, sizeof(r->text) - off, "%s\n",
				p.msg[i]);
	sysfs_problems_free(&p);
	sysfs_snapshot_free(&s);
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

static const struct {
	const char *name;
	check_fn fn;
} all_checks[] = {
	{"group_ids", sysfs_check_group_ids},
	{"devices_dirs", sysfs_check_devices_dirs},
	{"present_resv", present_resv},
	{"present_type", present_type},
	{"reserved_regions", sysfs_check_reserved_regions},
	{"type", sysfs_check_type},
	{"name", sysfs_check_name},
	{"forward_links", sysfs_check_forward_links},
	{"back_links", sysfs_check_back_links},
	{"entry_names", sysfs_check_entry_names},
	{"membership", sysfs_check_membership},
	{"nonempty", sysfs_check_nonempty},
	{"iommu_links", sysfs_check_iommu_links},
};

#define NR_CHECKS (sizeof(all_checks) / sizeof(all_checks[0]))

/* Problems over all checks. */
static size_t run_all(const char *root, struct run *total)
{
	struct run r;

	memset(total, 0, sizeof(*total));
	for (size_t i = 0; i < NR_CHECKS; i++) {
		size_t off = strlen(total->text);

		run_check(root, all_checks[i].fn, &r);
		total->count += r.count;
		total->examined += r.examined;
		snprintf(total->text + off, sizeof(total->text) - off, "%s",
			 r.text);
	}
	return total->count;
}

/* ---- the good tree ------------------------------------------------------ */

TEST_F(tree, good_tree_passes_every_check)
{
	struct run r;

	for (size_t i = 0; i < NR_CHECKS; i++) {
		run_check(self->root, all_checks[i].fn, &r);
		EXPECT_EQ(0, r.count)
		TH_LOG("%s: %s", all_checks[i].name, r.text);
		/* Only the optional name file is absent from every group. */
		if (all_checks[i].fn != sysfs_check_name) {
			EXPECT_NE(0, r.examined)
			TH_LOG("%s examined nothing", all_checks[i].name);
		}
	}
}

TEST_F(tree, good_tree_snapshot_contents)
{
	struct sysfs_snapshot s;

	ASSERT_EQ(0, sysfs_snapshot_take(self->root, &s));
	ASSERT_TRUE(s.groups_is_dir);
	ASSERT_EQ(NR_GOOD_GROUPS, s.nr_groups);
	/* Ten grouped PCI devices; 00:01.0 and the platform one have none. */
	ASSERT_EQ(10, s.nr_devices);
	for (size_t i = 0; i < s.nr_groups; i++) {
		EXPECT_EQ((long)i, s.groups[i].id);
		EXPECT_TRUE(s.groups[i].reserved_regions.present);
		EXPECT_STREQ("DMA\n", s.groups[i].type.data);
		EXPECT_FALSE(s.groups[i].name_attr.present);
	}
	EXPECT_EQ(3, s.groups[3].nr_members);
	EXPECT_STREQ("0000:00:1f.0", s.groups[3].members[0].name);
	EXPECT_TRUE(s.groups[3].members[0].is_link);
	EXPECT_STREQ("../../../../devices/pci0000:00/0000:00:1f.0",
		     s.groups[3].members[0].target);
	for (size_t i = 0; i < s.nr_devices; i++) {
		EXPECT_STREQ("pci", s.devices[i].bus);
		EXPECT_TRUE(s.devices[i].has_iommu_link);
		EXPECT_NE(NULL, s.devices[i].group_real);
	}
	sysfs_snapshot_free(&s);
}

TEST_F(tree, good_tree_partition)
{
	struct sysfs_partition part;
	struct sysfs_snapshot s;
	char *str;

	ASSERT_EQ(0, sysfs_snapshot_take(self->root, &s));
	ASSERT_EQ(0, sysfs_partition_build(&s, &part));
	ASSERT_EQ(NR_GOOD_GROUPS, part.nr);
	EXPECT_EQ(5, part.groups[5].id);
	str = sysfs_pgroup_str(&part.groups[5]);
	EXPECT_STREQ("{0000:02:00.0 0000:03:01.0 0000:03:02.0}", str);
	free(str);
	EXPECT_EQ(&part.groups[3], sysfs_partition_find(&part, "0000:00:1f.2"));
	EXPECT_EQ(NULL, sysfs_partition_find(&part, "0000:00:01.0"));
	sysfs_partition_free(&part);
	sysfs_snapshot_free(&s);
}

TEST_F(tree, pci_dev_lookup)
{
	struct sysfs_pci_dev d;

	ASSERT_EQ(0, sysfs_pci_dev_get(self->root, "0000:01:00.0", &d));
	EXPECT_TRUE(d.present);
	EXPECT_TRUE(d.has_group_link);
	EXPECT_EQ(4, d.group_id);
	sysfs_pci_dev_free(&d);
	ASSERT_EQ(0, sysfs_pci_dev_get(self->root, "0000:00:01.0", &d));
	EXPECT_TRUE(d.present);
	EXPECT_FALSE(d.has_group_link);
	EXPECT_EQ(-1, d.group_id);
	sysfs_pci_dev_free(&d);
	ASSERT_EQ(0, sysfs_pci_dev_get(self->root, "0000:00:05.0", &d));
	EXPECT_FALSE(d.present);
	sysfs_pci_dev_free(&d);
}

/* ---- broken trees: each mutation must be caught, and named ------------- */

TEST_F(tree, broken_forward_link)
{
	struct run r;

	ASSERT_EQ(0, link_rel(self->root,
			      "kernel/iommu_groups/4/devices/0000:01:00.0",
			      "devices/pci0000:00/0000:00:02.0/0000:09:00.0"));
	run_check(self->root, sysfs_check_forward_links, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 4: devices/0000:01:00.0 -> ");
	ASSERT_HAS(r.text, "does not resolve (No such file or directory)");
	/* The device still links to group 4, which no longer lists it. */
	run_check(self->root, sysfs_check_membership, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 4: device pci/0000:01:00.0");
	ASSERT_HAS(r.text, "no group's devices/ lists it");
}

TEST_F(tree, forward_link_loop)
{
	struct run r;

	ASSERT_EQ(0, link_raw(self->root, "kernel/iommu_groups/2/devices/loop",
			      "loop"));
	run_check(self->root, sysfs_check_forward_links, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 2: devices/loop -> loop does not resolve");
	ASSERT_HAS(r.text, "Too many levels of symbolic links");
}

TEST_F(tree, forward_link_not_a_link)
{
	struct run r;

	ASSERT_EQ(0,
		  put(self->root, "kernel/iommu_groups/2/devices/junk", "x"));
	run_check(self->root, sysfs_check_forward_links, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 2: devices/junk is not a symlink");
}

TEST_F(tree, forward_link_outside_devices)
{
	struct run r;

	ASSERT_EQ(0, mkd(self->root, "elsewhere/0000:00:02.1"));
	ASSERT_EQ(0, link_rel(self->root,
			      "kernel/iommu_groups/2/devices/0000:00:02.1",
			      "elsewhere/0000:00:02.1"));
	run_check(self->root, sysfs_check_forward_links, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 2: devices/0000:00:02.1 -> ");
	ASSERT_HAS(r.text, "is outside");
}

TEST_F(tree, missing_back_link)
{
	struct run r;

	ASSERT_EQ(
		0,
		rm(self->root,
		   "devices/pci0000:00/0000:00:02.0/0000:01:00.0/iommu_group"));
	run_check(self->root, sysfs_check_back_links, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 4: device ");
	ASSERT_HAS(r.text, "0000:01:00.0 (devices/0000:01:00.0) has no "
			   "iommu_group link; wanted one resolving to group 4");
}

TEST_F(tree, back_link_to_other_group)
{
	struct run r;

	ASSERT_EQ(0, link_rel(self->root,
			      "devices/pci0000:00/0000:00:02.0/0000:01:00.0/"
			      "iommu_group",
			      "kernel/iommu_groups/1"));
	run_check(self->root, sysfs_check_back_links, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 4: device ");
	ASSERT_HAS(r.text, "iommu_group resolves to ");
	ASSERT_HAS(r.text, "(group 1); wanted ");
	run_check(self->root, sysfs_check_membership, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 1: device pci/0000:01:00.0");
	ASSERT_HAS(r.text, "is listed by group 4 (devices/0000:01:00.0)");
}

TEST_F(tree, broken_back_link)
{
	struct run r;

	ASSERT_EQ(0, link_rel(self->root,
			      "devices/pci0000:00/0000:00:02.0/0000:01:00.0/"
			      "iommu_group",
			      "kernel/iommu_groups/77"));
	run_check(self->root, sysfs_check_back_links, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "iommu_group does not resolve");
	run_check(self->root, sysfs_check_membership, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "device pci/0000:01:00.0");
	ASSERT_HAS(r.text, "kernel/iommu_groups/77 does not resolve");
}

TEST_F(tree, device_in_two_groups)
{
	struct run r;

	ASSERT_EQ(0, link_rel(self->root,
			      "kernel/iommu_groups/1/devices/0000:01:00.0",
			      "devices/pci0000:00/0000:00:02.0/0000:01:00.0"));
	run_check(self->root, sysfs_check_membership, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text,
		   "0000:01:00.0 is listed 2 times: group 1 "
		   "(devices/0000:01:00.0), group 4 (devices/0000:01:00.0)");
	run_check(self->root, sysfs_check_back_links, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 1: device ");
}

TEST_F(tree, device_twice_in_one_group)
{
	struct run r;

	ASSERT_EQ(0, link_rel(self->root,
			      "kernel/iommu_groups/4/devices/0000:01:00.0.1",
			      "devices/pci0000:00/0000:00:02.0/0000:01:00.0"));
	run_check(self->root, sysfs_check_membership, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "is listed 2 times: group 4 (devices/0000:01:00.0), "
			   "group 4 (devices/0000:01:00.0.1)");
	/* The .N suffix itself is a legal collision name (§9.3). */
	run_check(self->root, sysfs_check_entry_names, &r);
	ASSERT_EQ(0, r.count);
}

TEST_F(tree, entry_name_mismatch)
{
	struct run r;

	ASSERT_EQ(0,
		  rm(self->root, "kernel/iommu_groups/4/devices/0000:01:00.0"));
	ASSERT_EQ(0, link_rel(self->root, "kernel/iommu_groups/4/devices/nvme",
			      "devices/pci0000:00/0000:00:02.0/0000:01:00.0"));
	run_check(self->root, sysfs_check_entry_names, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(
		r.text,
		"group 4: devices/nvme points at device '0000:01:00.0'; wanted "
		"the entry named '0000:01:00.0' or '0000:01:00.0.<n>'");
	ASSERT_EQ(0, rm(self->root, "kernel/iommu_groups/4/devices/nvme"));
	ASSERT_EQ(0, link_rel(self->root,
			      "kernel/iommu_groups/4/devices/0000:01:00.0.x",
			      "devices/pci0000:00/0000:00:02.0/0000:01:00.0"));
	run_check(self->root, sysfs_check_entry_names, &r);
	ASSERT_EQ(1, r.count);
}

TEST_F(tree, leading_zero_id)
{
	struct run r;

	ASSERT_EQ(0, add_group(self->root, 7));
	ASSERT_EQ(0, rename_in(self->root, "kernel/iommu_groups/7",
			       "kernel/iommu_groups/007"));
	run_check(self->root, sysfs_check_group_ids, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group '007': ID has a leading zero; wanted '7'");
}

TEST_F(tree, duplicate_id)
{
	struct run r;

	/* "01" and "1" name the same ID. */
	ASSERT_EQ(0, mkd(self->root, "kernel/iommu_groups/01/devices"));
	run_check(self->root, sysfs_check_group_ids, &r);
	ASSERT_EQ(2, r.count);
	ASSERT_HAS(r.text, "group '01': ID has a leading zero; wanted '1'");
	ASSERT_HAS(r.text, "groups '1' and '01' both have ID 1");
}

TEST_F(tree, non_numeric_group)
{
	struct run r;

	ASSERT_EQ(0, mkd(self->root, "kernel/iommu_groups/abc/devices"));
	ASSERT_EQ(0, put(self->root, "kernel/iommu_groups/9", "not a dir"));
	ASSERT_EQ(0, mkd(self->root,
			 "kernel/iommu_groups/99999999999999/devices"));
	run_check(self->root, sysfs_check_group_ids, &r);
	ASSERT_EQ(3, r.count);
	ASSERT_HAS(r.text, "group 'abc': name is not a decimal number");
	ASSERT_HAS(r.text, "/kernel/iommu_groups/9 is a regular file; wanted a "
			   "group directory");
	ASSERT_HAS(r.text, "group '99999999999999': name is out of range");
}

TEST_F(tree, odd_group_name_is_escaped)
{
	struct run r;

	ASSERT_EQ(0, mkd(self->root, "kernel/iommu_groups/x\ny/devices"));
	run_check(self->root, sysfs_check_group_ids, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 'x\\x0ay': name is not a decimal number");
}

TEST_F(tree, empty_group)
{
	struct run r;

	ASSERT_EQ(0, add_group(self->root, 6));
	run_check(self->root, sysfs_check_nonempty, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 6: devices/ is empty");
	/* Everything else about group 6 is fine. */
	ASSERT_EQ(1, run_all(self->root, &r));
}

TEST_F(tree, missing_devices_dir)
{
	struct run r;

	ASSERT_EQ(0, put(self->root, "kernel/iommu_groups/6/type", "DMA\n"));
	ASSERT_EQ(0, put(self->root, "kernel/iommu_groups/7/devices", ""));
	run_check(self->root, sysfs_check_devices_dirs, &r);
	ASSERT_EQ(2, r.count);
	ASSERT_HAS(r.text, "group 6: devices/ is missing; wanted a directory");
	ASSERT_HAS(r.text, "group 7: devices is not a directory");
}

TEST_F(tree, missing_attributes)
{
	struct run r;

	ASSERT_EQ(0, rm(self->root, "kernel/iommu_groups/2/reserved_regions"));
	ASSERT_EQ(0, rm(self->root, "kernel/iommu_groups/5/type"));
	run_check(self->root, present_resv, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 2: reserved_regions is missing; wanted it on "
			   "kernels >= 4.11");
	run_check(self->root, present_type, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text,
		   "group 5: type is missing; wanted it on kernels >= 5.11");
}

TEST_F(tree, bad_reserved_regions_in_tree)
{
	struct run r;

	ASSERT_EQ(0, put(self->root, "kernel/iommu_groups/3/reserved_regions",
			 MSI ISA));
	run_check(self->root, sysfs_check_reserved_regions, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 3: reserved_regions line 2: not sorted");
	ASSERT_HAS(r.text, "(§9.6)");
}

TEST_F(tree, huge_reserved_regions)
{
	char path[PATH_MAX], *big;
	struct run r;
	size_t n = 100 * 1024;

	big = malloc(n + 1);
	ASSERT_NE(NULL, big);
	memset(big, 'x', n);
	big[n] = '\0';
	snprintf(path, sizeof(path), "kernel/iommu_groups/2/reserved_regions");
	ASSERT_EQ(0, put(self->root, path, big));
	free(big);
	run_check(self->root, sysfs_check_reserved_regions, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text,
		   "group 2: reserved_regions is larger than 65536 bytes");
}

TEST_F(tree, fifo_type_does_not_block)
{
	char path[PATH_MAX];
	struct run r;

	snprintf(path, sizeof(path), "%s/kernel/iommu_groups/1/type",
		 self->root);
	ASSERT_EQ(0, unlink(path));
	ASSERT_EQ(0, mkfifo(path, 0644));
	run_check(self->root, sysfs_check_type, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 1: type is a FIFO; wanted a regular file");
}

TEST_F(tree, bad_type_word)
{
	struct run r;

	ASSERT_EQ(0, put(self->root, "kernel/iommu_groups/1/type", "dma\n"));
	ASSERT_EQ(0, put(self->root, "kernel/iommu_groups/2/type", "DMA"));
	run_check(self->root, sysfs_check_type, &r);
	ASSERT_EQ(2, r.count);
	ASSERT_HAS(r.text,
		   "group 1: type 'dma' is not one of "
		   "blocked|identity|unmanaged|DMA|DMA-FQ|unknown (§9.7)");
	ASSERT_HAS(r.text, "group 2: type 'DMA' has no trailing newline");
}

TEST_F(tree, name_attribute)
{
	struct run r;

	ASSERT_EQ(0, put(self->root, "kernel/iommu_groups/1/name",
			 "vfio-noiommu\n"));
	run_check(self->root, sysfs_check_name, &r);
	ASSERT_EQ(1, r.examined);
	ASSERT_EQ(0, r.count);
	ASSERT_EQ(0, put(self->root, "kernel/iommu_groups/1/name", "a\nb\n"));
	run_check(self->root, sysfs_check_name, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 1: name more than one line");
}

TEST_F(tree, missing_iommu_link)
{
	struct run r;

	ASSERT_EQ(0, rm(self->root, "devices/pci0000:00/0000:00:02.0/iommu"));
	run_check(self->root, sysfs_check_iommu_links, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 1: device pci/0000:00:02.0 (");
	ASSERT_HAS(r.text, "has an iommu_group link but no iommu link");
	/* A named (VFIO no-IOMMU) group has no IOMMU behind it (§9.10). */
	ASSERT_EQ(0, put(self->root, "kernel/iommu_groups/1/name",
			 "vfio-noiommu\n"));
	run_check(self->root, sysfs_check_iommu_links, &r);
	ASSERT_EQ(0, r.count);
}

TEST_F(tree, linked_device_outside_groups)
{
	struct run r;

	/* 00:01.0 claims group 0, which does not list it. */
	ASSERT_EQ(0, link_rel(self->root,
			      "devices/pci0000:00/0000:00:01.0/iommu_group",
			      "kernel/iommu_groups/0"));
	run_check(self->root, sysfs_check_membership, &r);
	ASSERT_EQ(1, r.count);
	ASSERT_HAS(r.text, "group 0: device pci/0000:00:01.0");
}

TEST(no_groups_dir)
{
	char root[256];
	struct sysfs_snapshot s;
	struct run r;

	ASSERT_NE(NULL, make_tmp(root, sizeof(root)));
	ASSERT_EQ(0, sysfs_snapshot_take(root, &s));
	EXPECT_FALSE(s.groups_present);
	EXPECT_EQ(ENOENT, s.groups_err);
	EXPECT_EQ(0, s.nr_groups);
	EXPECT_EQ(0, s.nr_devices);
	sysfs_snapshot_free(&s);
	/* Nothing to examine is reported as such, not as a pass. */
	EXPECT_EQ(0, run_all(root, &r));
	EXPECT_EQ(0, r.examined);
	rmdir(root);
}

TEST(host_sys_snapshot)
{
	struct sysfs_partition part;
	struct sysfs_snapshot s;
	struct run r;

	/* Real data under the sanitizers; what it holds is the host's. */
	ASSERT_EQ(0, sysfs_snapshot_take("/sys", &s));
	ASSERT_EQ(0, sysfs_partition_build(&s, &part));
	TH_LOG("host /sys: iommu_groups %s, %zu groups, %zu linked devices, "
	       "%zu PCI groups",
	       s.groups_present ? "present" : "absent", s.nr_groups,
	       s.nr_devices, part.nr);
	sysfs_partition_free(&part);
	sysfs_snapshot_free(&s);
	run_all("/sys", &r);
	TH_LOG("host /sys: %zu items examined, %zu problems%s%s", r.examined,
	       r.count, r.count ? ":\n" : "", r.text);
}

/* ---- reserved_regions parser (§2.1, §9.6) ----------------------------- */

#define A(x) "0x" x
#define R(s, e, t) A(s) " " A(e) " " t "\n"
#define Z "0000000000000000"

static int resv(const char *text, char *err)
{
	return sysfs_resv_parse(text, strlen(text), NULL, err, SYSFS_ERR_LEN);
}

TEST(resv_good)
{
	struct sysfs_resv_list l;
	char err[SYSFS_ERR_LEN];
	const char *t = R(Z, "0000000000ffffff", "direct-relaxable")
		R("00000000fee00000", "00000000feefffff", "msi")
			R("000000fd00000000", "000000ffffffffff", "reserved");

	ASSERT_EQ(0, sysfs_resv_parse(t, strlen(t), &l, err, sizeof(err)))
	TH_LOG("%s", err);
	ASSERT_EQ(3, l.nr);
	EXPECT_EQ(0xfee00000ULL, l.regions[1].start);
	EXPECT_EQ(0xfeefffffULL, l.regions[1].end);
	EXPECT_EQ(SYSFS_RESV_MSI, l.regions[1].type);
	EXPECT_EQ(SYSFS_RESV_RESERVED, l.regions[2].type);
	EXPECT_EQ(3, l.regions[2].line);
	sysfs_resv_list_free(&l);
	/* Empty is legal (§2.1). */
	ASSERT_EQ(0, sysfs_resv_parse("", 0, &l, err, sizeof(err)));
	EXPECT_EQ(0, l.nr);
	/* Equal starts in type order; different types may overlap. */
	EXPECT_EQ(0,
		  resv(R(Z, "00000000000fffff",
			 "direct") R(Z, "0000000000ffffff", "reserved")
			       R("0000000000001000", "0000000000001fff", "msi"),
		       err))
	TH_LOG("%s", err);
	/* Same type with a gap of one address is not "touching". */
	EXPECT_EQ(0,
		  resv(R(Z, "0000000000000fff", "msi")
			       R("0000000000001001", "0000000000001fff", "msi"),
		       err))
	TH_LOG("%s", err);
	/* Highest address. */
	EXPECT_EQ(0, resv(R("ffffffffffffffff", "ffffffffffffffff", "reserved"),
			  err))
	TH_LOG("%s", err);
}

TEST(resv_bad_grammar)
{
	char err[SYSFS_ERR_LEN];

	EXPECT_EQ(-1, resv("0x00000000FEE00000 0x00000000feefffff msi\n", err));
	EXPECT_HAS(err, "line 1: start '0x00000000FEE00000' is not 0x and 16 "
			"lower-case hex digits");
	EXPECT_EQ(-1, resv("0xfee00000 0x00000000feefffff msi\n", err));
	EXPECT_HAS(err, "line 1: start '0xfee00000'");
	EXPECT_EQ(-1, resv(R(Z, Z, "msi") "0x" Z " 0X" Z " msi\n", err));
	EXPECT_HAS(err, "line 2: end '0X" Z "'");
	EXPECT_EQ(-1, resv("0x" Z " 0x" Z "\n", err));
	EXPECT_HAS(err, "line 1: wanted 'START END TYPE'");
	EXPECT_EQ(-1, resv("0x" Z "  0x" Z " msi\n", err));
	EXPECT_HAS(err, "line 1: end ''");
	EXPECT_EQ(-1, resv("0x" Z " 0x" Z " sw-msi\n", err));
	EXPECT_HAS(err, "line 1: type 'sw-msi' is not "
			"direct|direct-relaxable|reserved|msi");
	EXPECT_EQ(-1, resv("0x" Z " 0x" Z " \n", err));
	EXPECT_HAS(err, "type '' is not");
	EXPECT_EQ(-1, resv(R(Z, Z, "msi") "\n", err));
	EXPECT_HAS(err, "line 2: empty line");
	EXPECT_EQ(-1, sysfs_resv_parse("0x" Z " 0x" Z " msi\0\n", 43, NULL, err,
				       sizeof(err)));
	EXPECT_HAS(err, "line 1: contains a NUL byte");
}

TEST(resv_trailing_garbage)
{
	char err[SYSFS_ERR_LEN];

	EXPECT_EQ(-1, resv("0x" Z " 0x" Z " msi extra\n", err));
	EXPECT_HAS(err,
		   "line 1: trailing characters ' extra' after type 'msi'");
	EXPECT_EQ(-1, resv("0x" Z " 0x" Z " msi \n", err));
	EXPECT_HAS(err, "trailing characters ' ' after type 'msi'");
	EXPECT_EQ(-1, resv("0x" Z " 0x" Z " direct-relaxablex\n", err));
	EXPECT_HAS(err, "after type 'direct-relaxable'");
	EXPECT_EQ(-1, resv("0x" Z " 0x" Z " msi\r\n", err));
	EXPECT_HAS(err, "trailing characters");
}

TEST(resv_missing_newline)
{
	char err[SYSFS_ERR_LEN];

	EXPECT_EQ(-1, resv("0x" Z " 0x" Z " msi", err));
	EXPECT_HAS(err, "line 1: no newline at the end of the file");
	EXPECT_EQ(-1, resv(R(Z, Z, "direct") "0x" Z " 0x" Z " msi", err));
	EXPECT_HAS(err, "line 2: no newline");
}

TEST(resv_start_above_end)
{
	char err[SYSFS_ERR_LEN];

	EXPECT_EQ(-1,
		  resv(R("0000000000002000", "0000000000001fff", "msi"), err));
	EXPECT_HAS(err, "line 1: start 0x0000000000002000 is above end "
			"0x0000000000001fff");
}

TEST(resv_unsorted)
{
	char err[SYSFS_ERR_LEN];

	EXPECT_EQ(-1, resv(R("00000000fee00000", "00000000feefffff", "msi")
				   R(Z, "0000000000ffffff", "direct-relaxable"),
			   err));
	EXPECT_HAS(err, "line 2: not sorted: start 0x0000000000000000 is below "
			"line 1's 0x00000000fee00000");
	/* Equal starts: direct < direct-relaxable < reserved < msi. */
	EXPECT_EQ(-1, resv(R(Z, "0000000000000fff", "msi")
				   R(Z, "0000000000000fff", "reserved"),
			   err));
	EXPECT_HAS(err, "line 2: same start as line 1 but type 'reserved' "
			"sorts before 'msi'");
}

TEST(resv_same_type_overlap)
{
	char err[SYSFS_ERR_LEN];

	EXPECT_EQ(-1, resv(R(Z, "0000000000001fff", "reserved")
				   R("0000000000001000", "0000000000002fff",
				     "reserved"),
			   err));
	EXPECT_HAS(err, "line 2: reserved region overlaps line 1 "
			"(0x0000000000000000-0x0000000000001fff)");
	/* Identical lines overlap too. */
	EXPECT_EQ(-1, resv(R(Z, Z, "msi") R(Z, Z, "msi"), err));
	EXPECT_HAS(err, "line 2: msi region overlaps line 1");
	/* Overlap with an earlier same-type region past a different type. */
	EXPECT_EQ(-1, resv(R(Z, "000000000000ffff", "direct")
				   R("0000000000001000", "0000000000001fff",
				     "msi") R("0000000000002000",
					      "0000000000002fff", "direct"),
			   err));
	EXPECT_HAS(err, "line 3: direct region overlaps line 1");
}

TEST(resv_same_type_adjacent)
{
	char err[SYSFS_ERR_LEN];

	EXPECT_EQ(-1, resv(R(Z, "0000000000000fff", "direct")
				   R("0000000000001000", "0000000000001fff",
				     "direct"),
			   err));
	EXPECT_HAS(err, "line 2: direct region touches line 1 "
			"(0x0000000000000000-0x0000000000000fff); adjacent "
			"same-type regions are merged");
	/* Adjacent regions of different types stay apart (§2.1). */
	EXPECT_EQ(0, resv(R(Z, "0000000000000fff", "direct")
				  R("0000000000001000", "0000000000001fff",
				    "direct-relaxable"),
			  err))
	TH_LOG("%s", err);
}

/* ---- type and name (§9.7, §2.3) --------------------------------------- */

TEST(type_words)
{
	static const char *const good[] = {"blocked\n",	  "identity\n",
					   "unmanaged\n", "DMA\n",
					   "DMA-FQ\n",	  "unknown\n"};
	static const char *const bad[] = {"",	    "\n",     "DMA",
					  "dma\n",  "DMA \n", "DMA\n\n",
					  " DMA\n", "auto\n", "DMA-FQX\n"};
	char err[SYSFS_ERR_LEN];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		EXPECT_EQ(0, sysfs_type_check(good[i], strlen(good[i]), err,
					      sizeof(err)))
		TH_LOG("'%s': %s", good[i], err);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, sysfs_type_check(bad[i], strlen(bad[i]), err,
					       sizeof(err)))
		TH_LOG("'%s' accepted", bad[i]);
	}
	EXPECT_EQ(-1, sysfs_type_check("DMA\0\n", 5, err, sizeof(err)));
	EXPECT_HAS(err, "NUL");
	EXPECT_EQ(-1, sysfs_type_check("DMA\nDMA\n", 8, err, sizeof(err)));
	EXPECT_HAS(err, "more than one line");
}

TEST(name_lines)
{
	char err[SYSFS_ERR_LEN];

	EXPECT_EQ(0, sysfs_name_check("vfio-noiommu\n", 13, err, sizeof(err)));
	EXPECT_EQ(-1, sysfs_name_check("vfio-noiommu", 12, err, sizeof(err)));
	EXPECT_HAS(err, "no trailing newline");
	EXPECT_EQ(-1, sysfs_name_check("a\nb\n", 4, err, sizeof(err)));
	EXPECT_EQ(-1, sysfs_name_check("", 0, err, sizeof(err)));
}

/* ---- versions, IDs, BDFs ------------------------------------------------ */

TEST(kernel_versions)
{
	static const struct {
		const char *s;
		int major, minor;
	} good[] = {
		{"6.12.117+deb12-amd64", 6, 12},
		{"6.1.0-56-amd64", 6, 1},
		{"6.13.0-rc1", 6, 13},
		{"4.11", 4, 11},
		{"5.10.0_custom", 5, 10},
		{"6.18.44-fc-v657", 6, 18},
		{"3.5.0", 3, 5},
	};
	static const char *const bad[] = {"",	  "abc",     "6",      "6.",
					  ".1",	  "6.x",     "6.1abc", "v6.1",
					  " 6.1", "123456.1"};
	struct sysfs_kver v;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ASSERT_EQ(0, sysfs_kver_parse(good[i].s, &v))
		TH_LOG("'%s' rejected", good[i].s);
		EXPECT_EQ(good[i].major, v.major);
		EXPECT_EQ(good[i].minor, v.minor);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, sysfs_kver_parse(bad[i], &v))
		TH_LOG("'%s' accepted", bad[i]);
	}
	EXPECT_EQ(-1, sysfs_kver_parse(NULL, &v));
}

TEST(kernel_features)
{
	struct sysfs_kver v;

	ASSERT_EQ(0, sysfs_kver_parse("4.10.17", &v));
	EXPECT_FALSE(sysfs_kver_has(&v, SYSFS_FEAT_RESERVED_REGIONS));
	ASSERT_EQ(0, sysfs_kver_parse("4.11.0", &v));
	EXPECT_TRUE(sysfs_kver_has(&v, SYSFS_FEAT_RESERVED_REGIONS));
	EXPECT_FALSE(sysfs_kver_has(&v, SYSFS_FEAT_TYPE));
	ASSERT_EQ(0, sysfs_kver_parse("5.10.209-1", &v));
	EXPECT_FALSE(sysfs_kver_has(&v, SYSFS_FEAT_TYPE));
	ASSERT_EQ(0, sysfs_kver_parse("5.11.0-rc1", &v));
	EXPECT_TRUE(sysfs_kver_has(&v, SYSFS_FEAT_TYPE));
	ASSERT_EQ(0, sysfs_kver_parse("6.1.0-56-amd64", &v));
	EXPECT_TRUE(sysfs_kver_has(&v, SYSFS_FEAT_TYPE));
	EXPECT_TRUE(sysfs_kver_has(&v, SYSFS_FEAT_RESERVED_REGIONS));
	ASSERT_EQ(0, sysfs_kver_parse("10.0", &v));
	EXPECT_TRUE(sysfs_kver_has(&v, SYSFS_FEAT_TYPE));
	EXPECT_STREQ("reserved_regions",
		     sysfs_feature_name(SYSFS_FEAT_RESERVED_REGIONS));
}

TEST(kernel_running_override)
{
	char release[64];
	struct sysfs_kver v;

	ASSERT_EQ(0, setenv("IOG_KERNEL_RELEASE", "4.9.0-19-amd64", 1));
	ASSERT_EQ(0, sysfs_kver_running(&v, release, sizeof(release)));
	EXPECT_STREQ("4.9.0-19-amd64", release);
	EXPECT_EQ(9, v.minor);
	ASSERT_EQ(0, setenv("IOG_KERNEL_RELEASE", "garbage", 1));
	EXPECT_EQ(-1, sysfs_kver_running(&v, release, sizeof(release)));
	ASSERT_EQ(0, unsetenv("IOG_KERNEL_RELEASE"));
	EXPECT_EQ(0, sysfs_kver_running(&v, release, sizeof(release)))
	TH_LOG("uname -r '%s' not parsed", release);
}

TEST(group_id_names)
{
	bool canon;

	EXPECT_EQ(0, sysfs_group_id_parse("0", &canon));
	EXPECT_TRUE(canon);
	EXPECT_EQ(42, sysfs_group_id_parse("42", &canon));
	EXPECT_TRUE(canon);
	EXPECT_EQ(42, sysfs_group_id_parse("042", &canon));
	EXPECT_FALSE(canon);
	EXPECT_EQ(0, sysfs_group_id_parse("00", &canon));
	EXPECT_FALSE(canon);
	EXPECT_EQ(-1, sysfs_group_id_parse("", &canon));
	EXPECT_EQ(-1, sysfs_group_id_parse("-1", &canon));
	EXPECT_EQ(-1, sysfs_group_id_parse("1a", &canon));
	EXPECT_EQ(-1, sysfs_group_id_parse("2147483648", &canon));
	EXPECT_EQ(2147483647, sysfs_group_id_parse("2147483647", &canon));
}

TEST(bdf_names)
{
	char out[32];

	EXPECT_TRUE(sysfs_is_bdf("0000:00:1f.2"));
	EXPECT_TRUE(sysfs_is_bdf("10000:e1:00.7"));
	EXPECT_FALSE(sysfs_is_bdf("0000:00:1F.2"));
	EXPECT_FALSE(sysfs_is_bdf("0000:00:20.0"));
	EXPECT_FALSE(sysfs_is_bdf("0000:00:1f.8"));
	EXPECT_FALSE(sysfs_is_bdf("00:1f.2"));
	EXPECT_FALSE(sysfs_is_bdf("0000:00:1f.2.1"));
	EXPECT_FALSE(sysfs_is_bdf("pci0000:00"));
	EXPECT_FALSE(sysfs_is_bdf(""));
	ASSERT_TRUE(sysfs_bdf_normalize("00:1F.2", out, sizeof(out)));
	EXPECT_STREQ("0000:00:1f.2", out);
	ASSERT_TRUE(sysfs_bdf_normalize("0000:04:01.0", out, sizeof(out)));
	EXPECT_STREQ("0000:04:01.0", out);
	EXPECT_FALSE(sysfs_bdf_normalize("1f.2", out, sizeof(out)));
	EXPECT_FALSE(sysfs_bdf_normalize("0000:00:1f.2", out, 5));
}

/* ---- expectation file and partition comparison ------------------------ */

static int expect_text(const char *text, struct sysfs_expect *e, char *err)
{
	return sysfs_expect_parse(text, strlen(text), e, err, SYSFS_ERR_LEN);
}

TEST(expect_parse)
{
	struct sysfs_expect e;
	char err[SYSFS_ERR_LEN];

	ASSERT_EQ(0,
		  expect_text("# header\n"
			      "group 0000:04:02.0 03:00.0\t0000:04:01.0 # x\n"
			      "\n   \n"
			      "nogroup 0000:00:01.0",
			      &e, err))
	TH_LOG("%s", err);
	ASSERT_EQ(1, e.groups.nr);
	EXPECT_EQ(2, e.groups.groups[0].id);
	ASSERT_EQ(3, e.groups.groups[0].nr);
	EXPECT_STREQ("0000:03:00.0", e.groups.groups[0].bdfs[0]);
	EXPECT_STREQ("0000:04:02.0", e.groups.groups[0].bdfs[2]);
	ASSERT_EQ(1, e.nr_nogroup);
	EXPECT_STREQ("0000:00:01.0", e.nogroup[0]);
	sysfs_expect_free(&e);

	EXPECT_EQ(-1, expect_text("group 0000:00:00.0\ngrop 0000:00:01.0\n", &e,
				  err));
	EXPECT_HAS(err, "line 2: unknown statement 'grop'");
	EXPECT_EQ(-1,
		  expect_text("group 0000:00:00.0 0000:00:1g.0\n", &e, err));
	EXPECT_HAS(err, "line 1: '0000:00:1g.0' is not a PCI address");
	EXPECT_EQ(-1, expect_text("group 00:00.0\nnogroup 0000:00:00.0\n", &e,
				  err));
	EXPECT_HAS(err, "line 2: 0000:00:00.0 already declared on line 1");
	EXPECT_EQ(-1, expect_text("group 00:02.0 00:02.0\n", &e, err));
	EXPECT_HAS(err, "already declared on line 1");
	EXPECT_EQ(-1, expect_text("group # nothing\n", &e, err));
	EXPECT_HAS(err, "line 1: group without a PCI address");
	EXPECT_EQ(-1, sysfs_expect_parse("group\0", 6, &e, err, sizeof(err)));
	/* A '#' inside a token is no comment: the token is bad. */
	EXPECT_EQ(-1, expect_text("group 0000:00:00.0#c\n", &e, err));
	/* Nothing declared is valid; the suite decides what that means. */
	ASSERT_EQ(0, expect_text("# nothing here\n", &e, err));
	EXPECT_EQ(0, e.groups.nr);
	sysfs_expect_free(&e);
}

TEST(expect_load_missing)
{
	struct sysfs_expect e;
	char err[SYSFS_ERR_LEN];

	EXPECT_EQ(-1, sysfs_expect_load("/nonexistent/iog/expect", &e, err,
					sizeof(err)));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, sysfs_expect_load("/", &e, err, sizeof(err)));
	EXPECT_NE(ENOENT, errno);
}

/* Build a partition from "id:bdf,bdf;id:bdf" for comparisons. */
static void part_of(const char *spec, struct sysfs_partition *p)
{
	char *copy = strdup(spec), *save, *g;

	memset(p, 0, sizeof(*p));
	p->groups = calloc(16, sizeof(*p->groups));
	for (g = strtok_r(copy, ";", &save); g;
	     g = strtok_r(NULL, ";", &save)) {
		struct sysfs_pgroup *pg = &p->groups[p->nr++];
		char *s2, *b;

		pg->id = strtol(g, &b, 10);
		pg->bdfs = calloc(16, sizeof(*pg->bdfs));
		for (b = strtok_r(b + 1, ",", &s2); b;
		     b = strtok_r(NULL, ",", &s2))
			pg->bdfs[pg->nr++] = strdup(b);
	}
	free(copy);
}

TEST(partition_compare)
{
	struct sysfs_partition exp, ker;
	struct sysfs_problems p = {0};

	part_of("1:0000:00:02.0,0000:00:02.1;"
		"2:0000:03:00.0,0000:04:01.0,0000:04:02.0;"
		"3:0000:05:00.0",
		&exp);
	part_of("1:0000:00:02.0;2:0000:00:02.1;"
		"10:0000:03:00.0,0000:04:01.0,0000:04:02.0,0000:04:03.0;"
		"11:0000:05:00.0;12:0000:06:00.0",
		&ker);
	EXPECT_EQ(3, sysfs_check_declared_groups(&exp, &ker, &p));
	ASSERT_EQ(2, p.nr);
	EXPECT_STREQ("expected group {0000:00:02.0 0000:00:02.1}: kernel has "
		     "group 1 {0000:00:02.0}, group 2 {0000:00:02.1}",
		     p.msg[0]);
	EXPECT_STREQ("expected group {0000:03:00.0 0000:04:01.0 0000:04:02.0}: "
		     "kernel has group 10 {0000:03:00.0 0000:04:01.0 "
		     "0000:04:02.0 0000:04:03.0}",
		     p.msg[1]);
	sysfs_problems_free(&p);
	EXPECT_EQ(8, sysfs_check_groups_declared(&exp, &ker, &p));
	ASSERT_EQ(2, p.nr);
	EXPECT_HAS(p.msg[0],
		   "kernel group 10 {0000:03:00.0 0000:04:01.0 0000:04:02.0 "
		   "0000:04:03.0}: 0000:04:03.0 not in any expected group");
	EXPECT_HAS(p.msg[1], "kernel group 12 {0000:06:00.0}: 0000:06:00.0 not "
			     "in any expected group");
	sysfs_problems_free(&p);
	sysfs_partition_free(&ker);

	/* Members the kernel did not group at all. */
	part_of("10:0000:03:00.0", &ker);
	sysfs_check_declared_groups(&exp, &ker, &p);
	ASSERT_EQ(3, p.nr);
	EXPECT_STREQ("expected group {0000:03:00.0 0000:04:01.0 0000:04:02.0}: "
		     "kernel has group 10 {0000:03:00.0}, 0000:04:01.0 in no "
		     "group, 0000:04:02.0 in no group",
		     p.msg[1]);
	sysfs_problems_free(&p);
	sysfs_partition_free(&ker);

	part_of("7:0000:00:02.0,0000:00:02.1;"
		"8:0000:03:00.0,0000:04:01.0,0000:04:02.0;9:0000:05:00.0",
		&ker);
	EXPECT_EQ(3, sysfs_check_declared_groups(&exp, &ker, &p));
	EXPECT_EQ(6, sysfs_check_groups_declared(&exp, &ker, &p));
	EXPECT_EQ(0, sysfs_problems_count(&p));
	sysfs_partition_free(&ker);
	sysfs_partition_free(&exp);
}

/* ---- the suites end to end ---------------------------------------------- */

/* build/san/test_sysfs -> build/guest/NAME, unless IOG_SUITE_DIR says. */
static char *suite_path(const char *name)
{
	const char *dir = getenv("IOG_SUITE_DIR");
	char exe[PATH_MAX], *r;
	ssize_t n;

	if (dir && *dir) {
		if (asprintf(&r, "%s/%s", dir, name) < 0)
			return NULL;
		return r;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return NULL;
	exe[n] = '\0';
	if (asprintf(&r, "%s/../guest/%s", dirname(exe), name) < 0)
		return NULL;
	return r;
}

/* tests/fixtures/SUB/NAME from the repository root or the build dir. */
static char *fixture_in(const char *sub, const char *name)
{
	char exe[PATH_MAX], *r;
	ssize_t n;

	if (asprintf(&r, "tests/fixtures/%s/%s", sub, name) < 0)
		return NULL;
	if (!access(r, R_OK))
		return r;
	free(r);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return NULL;
	exe[n] = '\0';
	if (asprintf(&r, "%s/../../tests/fixtures/%s/%s", dirname(exe), sub,
		     name) < 0)
		return NULL;
	return r;
}

static char *fixture_path(const char *name)
{
	return fixture_in("sysfs", name);
}

struct suite_run {
	int status; /* exit status, or -1 if it did not exit */
	char out[65536]; /* stdout and stderr, merged as in the guest */
};

/*
 * Run a suite binary with env (NULL-terminated "K=V" list) on top of a
 * clean IOG_* environment.
 */
static int run_suite(const char *name, const char *const *env,
		     struct suite_run *r)
{
	char *path = suite_path(name);
	size_t len = 0;
	int fds[2], st;
	pid_t pid;

	r->status = -1;
	r->out[0] = '\0';
	if (!path || access(path, X_OK)) {
		snprintf(r->out, sizeof(r->out),
			 "%s not found: run `make suites` first (or set "
			 "IOG_SUITE_DIR)",
			 path ? path : name);
		free(path);
		return -1;
	}
	if (pipe(fds)) {
		free(path);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		unsetenv("IOG_SYSFS_ROOT");
		unsetenv("IOG_EXPECT");
		unsetenv("IOG_EXPECT_GROUPS");
		unsetenv("IOG_KERNEL_RELEASE");
		unsetenv("IOG_IOMMU");
		unsetenv("IOG_MODULE_ORDER");
		for (; *env; env++)
			putenv((char *)*env);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	free(path);
	if (pid < 0) {
		close(fds[0]);
		return -1;
	}
	for (;;) {
		ssize_t n =
			read(fds[0], r->out + len, sizeof(r->out) - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
		if (len == sizeof(r->out) - 1)
			break;
	}
	r->out[len] = '\0';
	close(fds[0]);
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return 0;
}

#define RUN_SUITE(name, r, ...)                                  \
	do {                                                     \
		const char *const __env[] = {__VA_ARGS__, NULL}; \
		ASSERT_EQ(0, run_suite(name, __env, r))          \
		TH_LOG("%s", (r)->out);                          \
	} while (0)

/* Every test in the output ran: no "not ok". */
#define ASSERT_SUITE_OK(r)                                        \
	do {                                                      \
		ASSERT_EQ(0, (r)->status) TH_LOG("%s", (r)->out); \
		ASSERT_LACKS((r)->out, "not ok");                 \
	} while (0)

#define ASSERT_SUITE_FAILS(r)                                     \
	do {                                                      \
		ASSERT_NE(0, (r)->status) TH_LOG("%s", (r)->out); \
		ASSERT_HAS((r)->out, "not ok");                   \
	} while (0)

/* Long-lived env strings for putenv() in the child. */
static char *env_kv(const char *k, const char *v)
{
	char *s;

	if (asprintf(&s, "%s=%s", k, v) < 0)
		abort();
	return s;
}

TEST_F(tree, e2e_layout_good_tree)
{
	static struct suite_run r;

	/* No config space and no IOMMU kind: the model test SKIPs. */
	RUN_SUITE("sysfs_layout", &r, env_kv("IOG_SYSFS_ROOT", self->root),
		  "IOG_KERNEL_RELEASE=6.12.117+deb12-amd64");
	ASSERT_SUITE_OK(&r);
	ASSERT_HAS(r.out, "\nok 9 global.name_one_line # SKIP");
	ASSERT_HAS(r.out, "\nok 16 global.reserved_regions_match_model # SKIP "
			  "IOMMU kind unknown: IOG_IOMMU unset and ");
	ASSERT_HAS(r.out, "# Totals: pass:14 fail:0 xfail:0 xpass:0 skip:2");
	/*
	 * With IOG_EXPECT_GROUPS=1 every §9 check still passes, but a model
	 * that cannot run is a failure: our own guest must be able to.
	 */
	RUN_SUITE("sysfs_layout", &r, env_kv("IOG_SYSFS_ROOT", self->root),
		  "IOG_EXPECT_GROUPS=1",
		  "IOG_KERNEL_RELEASE=6.12.117+deb12-amd64");
	ASSERT_HAS(r.out, "# Totals: pass:14 fail:1 xfail:0 xpass:0 skip:1");
	ASSERT_HAS(r.out, "not ok 16 global.reserved_regions_match_model");
	ASSERT_HAS(r.out, "IOMMU kind unknown although IOG_EXPECT_GROUPS=1");
	RUN_SUITE("sysfs_layout", &r, env_kv("IOG_SYSFS_ROOT", self->root),
		  "IOG_EXPECT_GROUPS=1", "IOG_IOMMU=intel",
		  "IOG_KERNEL_RELEASE=6.12.117+deb12-amd64");
	ASSERT_HAS(r.out, "not ok 16 global.reserved_regions_match_model");
	ASSERT_HAS(r.out, "the reference model cannot read config space "
			  "although IOG_EXPECT_GROUPS=1");
	ASSERT_HAS(r.out, "/vendor: No such file or directory");
}

TEST_F(tree, e2e_layout_broken_tree)
{
	static struct suite_run r;

	ASSERT_EQ(0, link_rel(self->root,
			      "devices/pci0000:00/0000:00:02.0/0000:01:00.0/"
			      "iommu_group",
			      "kernel/iommu_groups/1"));
	ASSERT_EQ(0, put(self->root, "kernel/iommu_groups/5/type", "dma\n"));
	RUN_SUITE("sysfs_layout", &r, env_kv("IOG_SYSFS_ROOT", self->root),
		  "IOG_KERNEL_RELEASE=6.1.0-56-amd64");
	ASSERT_SUITE_FAILS(&r);
	ASSERT_HAS(r.out, "not ok 8 global.type_vocabulary");
	ASSERT_HAS(r.out, "group 5: type 'dma' is not one of");
	ASSERT_HAS(r.out, "not ok 11 global.device_links_symmetric");
	ASSERT_HAS(r.out, "not ok 13 global.device_in_one_group");
	ASSERT_HAS(r.out, "group 4: device ");
	ASSERT_HAS(r.out, "\nok 10 global.device_links_resolve\n");
}

TEST_F(tree, e2e_layout_empty_group)
{
	static struct suite_run r;

	ASSERT_EQ(0, add_group(self->root, 6));
	RUN_SUITE("sysfs_layout", &r, env_kv("IOG_SYSFS_ROOT", self->root),
		  "IOG_KERNEL_RELEASE=6.12.0");
	ASSERT_SUITE_FAILS(&r);
	ASSERT_HAS(r.out, "not ok 14 global.no_empty_groups");
	ASSERT_HAS(r.out, "group 6: devices/ is empty");
}

TEST_F(tree, e2e_layout_old_kernel_skips)
{
	static struct suite_run r;
	char rel[64];

	for (int i = 0; i < NR_GOOD_GROUPS; i++) {
		snprintf(rel, sizeof(rel), "kernel/iommu_groups/%d/type", i);
		ASSERT_EQ(0, rm(self->root, rel));
		snprintf(rel, sizeof(rel),
			 "kernel/iommu_groups/%d/reserved_regions", i);
		ASSERT_EQ(0, rm(self->root, rel));
	}
	RUN_SUITE("sysfs_layout", &r, env_kv("IOG_SYSFS_ROOT", self->root),
		  "IOG_KERNEL_RELEASE=4.9.0-19-amd64");
	ASSERT_SUITE_OK(&r);
	ASSERT_HAS(r.out,
		   "\nok 5 global.reserved_regions_present # SKIP kernel "
		   "4.9.0-19-amd64 predates reserved_regions (added in 4.11)");
	ASSERT_HAS(r.out, "\nok 7 global.type_present # SKIP kernel "
			  "4.9.0-19-amd64 predates type (added in 5.11)");
	/* The same tree on a 5.11+ kernel lacks required files. */
	RUN_SUITE("sysfs_layout", &r, env_kv("IOG_SYSFS_ROOT", self->root),
		  "IOG_KERNEL_RELEASE=5.11.0");
	ASSERT_SUITE_FAILS(&r);
	ASSERT_HAS(r.out, "not ok 5 global.reserved_regions_present");
	ASSERT_HAS(r.out, "group 0: reserved_regions is missing");
	ASSERT_HAS(r.out, "not ok 7 global.type_present");
}

TEST(e2e_layout_no_groups)
{
	static struct suite_run r;
	char root[256], path[512];

	ASSERT_NE(NULL, make_tmp(root, sizeof(root)));
	RUN_SUITE("sysfs_layout", &r, env_kv("IOG_SYSFS_ROOT", root));
	EXPECT_EQ(0, r.status);
	EXPECT_HAS(r.out, "ok 1 global.groups_root_exists # SKIP");
	EXPECT_HAS(r.out, "CONFIG_IOMMU_API");
	RUN_SUITE("sysfs_layout", &r, env_kv("IOG_SYSFS_ROOT", root),
		  "IOG_EXPECT_GROUPS=1");
	EXPECT_NE(0, r.status);
	EXPECT_HAS(r.out, "not ok 1 global.groups_root_exists");

	snprintf(path, sizeof(path), "%s/kernel/iommu_groups", root);
	ASSERT_EQ(0, mkdir_p(path));
	RUN_SUITE("sysfs_layout", &r, env_kv("IOG_SYSFS_ROOT", root));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.out);
	EXPECT_HAS(
		r.out,
		"\nok 3 global.group_ids_decimal_distinct # SKIP no groups in");
	RUN_SUITE("sysfs_layout", &r, env_kv("IOG_SYSFS_ROOT", root),
		  "IOG_EXPECT_GROUPS=1");
	EXPECT_NE(0, r.status);
	EXPECT_HAS(r.out, "not ok 2 global.groups_present");
	EXPECT_HAS(r.out, "no IOMMU groups although");
	rmdir(path);
	snprintf(path, sizeof(path), "%s/kernel", root);
	rmdir(path);
	rmdir(root);
}

TEST_F(tree, e2e_grouping_good)
{
	static struct suite_run r;
	char *exp = fixture_path("good.expect");

	ASSERT_NE(NULL, exp);
	RUN_SUITE("grouping", &r, env_kv("IOG_SYSFS_ROOT", self->root),
		  env_kv("IOG_EXPECT", exp));
	free(exp);
	ASSERT_SUITE_OK(&r);
	/* The cut-down tree has no config space: the model tests SKIP. */
	ASSERT_HAS(r.out, "# Totals: pass:4 fail:0 xfail:0 xpass:0 skip:3");
	ASSERT_HAS(r.out, "\nok 1 global.model_partition_matches # SKIP IOMMU "
			  "kind unknown");
}

TEST_F(tree, e2e_grouping_wrong)
{
	static struct suite_run r;
	char *exp = fixture_path("wrong.expect");

	ASSERT_NE(NULL, exp);
	RUN_SUITE("grouping", &r, env_kv("IOG_SYSFS_ROOT", self->root),
		  env_kv("IOG_EXPECT", exp));
	free(exp);
	ASSERT_SUITE_FAILS(&r);
	ASSERT_HAS(r.out, "not ok 5 global.declared_groups_match");
	ASSERT_HAS(r.out, "expected group {0000:00:02.0 0000:00:02.1}: kernel "
			  "has group 1 {0000:00:02.0}, group 2 {0000:00:02.1}");
	ASSERT_HAS(r.out,
		   "expected group {0000:02:00.0 0000:03:01.0}: kernel has "
		   "group 5 {0000:02:00.0 0000:03:01.0 0000:03:02.0}");
	ASSERT_HAS(r.out, "expected group {0000:03:02.0}: kernel has group 5");
	/* Both sides in full. */
	ASSERT_HAS(r.out,
		   "# expected group {0000:00:1f.0 0000:00:1f.2 0000:00:1f.3}");
	ASSERT_HAS(r.out, "# expected nogroup 0000:00:01.0");
	ASSERT_HAS(r.out,
		   "# kernel group 3 {0000:00:1f.0 0000:00:1f.2 0000:00:1f.3}");
	ASSERT_HAS(r.out, "# kernel group 0 {0000:00:00.0}");
	/* Every kernel device is declared, just grouped differently. */
	ASSERT_HAS(r.out, "\nok 6 global.grouped_devices_declared\n");
}

TEST_F(tree, e2e_grouping_incomplete)
{
	static struct suite_run r;
	char *exp = fixture_path("incomplete.expect");

	ASSERT_NE(NULL, exp);
	RUN_SUITE("grouping", &r, env_kv("IOG_SYSFS_ROOT", self->root),
		  env_kv("IOG_EXPECT", exp));
	free(exp);
	ASSERT_SUITE_FAILS(&r);
	ASSERT_HAS(r.out, "\nok 5 global.declared_groups_match\n");
	ASSERT_HAS(r.out, "not ok 6 global.grouped_devices_declared");
	ASSERT_HAS(r.out, "kernel group 4 {0000:01:00.0}: 0000:01:00.0 not in "
			  "any expected group");
}

TEST_F(tree, e2e_grouping_nogroup_and_missing)
{
	static struct suite_run r;
	char *exp = fixture_path("nogroup-grouped.expect");

	ASSERT_NE(NULL, exp);
	RUN_SUITE("grouping", &r, env_kv("IOG_SYSFS_ROOT", self->root),
		  env_kv("IOG_EXPECT", exp));
	free(exp);
	ASSERT_SUITE_FAILS(&r);
	ASSERT_HAS(r.out, "not ok 7 global.nogroup_devices_ungrouped");
	ASSERT_HAS(r.out, "nogroup 0000:01:00.0: has iommu_group -> ");
	ASSERT_HAS(r.out, "(group 4); wanted no iommu_group link");

	exp = fixture_path("missing-device.expect");
	ASSERT_NE(NULL, exp);
	RUN_SUITE("grouping", &r, env_kv("IOG_SYSFS_ROOT", self->root),
		  env_kv("IOG_EXPECT", exp));
	free(exp);
	ASSERT_SUITE_FAILS(&r);
	ASSERT_HAS(r.out, "not ok 4 global.declared_devices_exist");
	ASSERT_HAS(r.out, "declared group member 0000:00:05.0: missing from");
	ASSERT_HAS(r.out, "expected group {0000:00:05.0}: kernel has "
			  "0000:00:05.0 in no group");
}

TEST_F(tree, e2e_grouping_without_expectations)
{
	static struct suite_run r;
	char *exp;

	RUN_SUITE("grouping", &r, env_kv("IOG_SYSFS_ROOT", self->root),
		  "IOG_EXPECT=/nonexistent/expect-groups");
	ASSERT_SUITE_OK(&r);
	ASSERT_HAS(r.out, "\nok 5 global.declared_groups_match # SKIP no "
			  "expected groups declared for this topology");

	exp = fixture_path("nogroup-only.expect");
	ASSERT_NE(NULL, exp);
	RUN_SUITE("grouping", &r, env_kv("IOG_SYSFS_ROOT", self->root),
		  env_kv("IOG_EXPECT", exp));
	free(exp);
	ASSERT_SUITE_OK(&r);
	ASSERT_HAS(r.out, "\nok 5 global.declared_groups_match # SKIP no "
			  "expected groups declared for this topology");
	ASSERT_HAS(r.out, "\nok 7 global.nogroup_devices_ungrouped\n");

	exp = fixture_path("malformed.expect");
	ASSERT_NE(NULL, exp);
	RUN_SUITE("grouping", &r, env_kv("IOG_SYSFS_ROOT", self->root),
		  env_kv("IOG_EXPECT", exp));
	free(exp);
	ASSERT_SUITE_FAILS(&r);
	ASSERT_HAS(r.out, "malformed.expect: line 2: unknown statement 'grop'");
}

/* ---- the model as the oracle: trees from captured config space --------- */

/*
 * Trees whose bus/pci/devices/X/config come from a captured `lspci -xxxx`
 * dump (tests/fixtures/lspci), as test_model.c's fake sysfs does, laid out
 * like the kernel's (devices/pci0000:00/<bridge>/<device>) so that the §9
 * checks hold, with the kernel's groups of the matching .observed file.
 */

#define OBS_GROUPS 32
#define OBS_MEMBERS 16

/* One group of an .observed file: "ID: BDF ...", then its regions. */
struct obs_group {
	long id;
	char bdfs[OBS_MEMBERS][16];
	size_t nr;
	char resv[1024];
};

struct obs {
	struct obs_group g[OBS_GROUPS];
	size_t nr;
};

/* The group holding bdf, or NULL. */
static const struct obs_group *obs_of(const struct obs *o, const char *bdf)
{
	for (size_t i = 0; i < o->nr; i++)
		for (size_t j = 0; j < o->g[i].nr; j++)
			if (!strcmp(o->g[i].bdfs[j], bdf))
				return &o->g[i];
	return NULL;
}

/* Parse an .observed file; 0, or -1 with a message on stderr. */
static int obs_read(const char *path, struct obs *o)
{
	FILE *f = fopen(path, "r");
	struct obs_group *cur = NULL;
	bool resv = false;
	char line[512];

	memset(o, 0, sizeof(*o));
	if (!f) {
		fprintf(stderr, "# %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *tok, *save;
		long id;

		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || line[0] == '#' || !strncmp(line, "type ", 5))
			continue;
		if (!strcmp(line, "=== RESV")) {
			resv = true;
		} else if (!resv) {
			id = strtol(line, &tok, 10);
			if (*tok != ':' || o->nr == OBS_GROUPS)
				goto bad;
			cur = &o->g[o->nr++];
			cur->id = id;
			for (tok = strtok_r(tok + 1, " ", &save); tok;
			     tok = strtok_r(NULL, " ", &save)) {
				if (cur->nr == OBS_MEMBERS)
					goto bad;
				snprintf(cur->bdfs[cur->nr++], 16, "%s", tok);
			}
		} else if (sscanf(line, "group %ld", &id) == 1) {
			cur = NULL;
			for (size_t i = 0; i < o->nr; i++)
				if (o->g[i].id == id)
					cur = &o->g[i];
			if (!cur)
				goto bad;
		} else if (cur && !strncmp(line, "0x", 2)) {
			size_t off = strlen(cur->resv);

			snprintf(cur->resv + off, sizeof(cur->resv) - off,
				 "%s\n", line);
		} else {
			goto bad;
		}
	}
	fclose(f);
	return 0;
bad:
	fprintf(stderr, "# %s: cannot parse '%s'\n", path, line);
	fclose(f);
	return -1;
}

static void PCI_NONRET dump_pci_error(char *msg, ...)
{
	fprintf(stderr, "# libpci: %s\n", msg);
	abort();
}

static void dump_pci_quiet(char *msg, ...)
{
	(void)msg;
}

/* "pci0000:00/0000:00:02.2/0000:03:00.0/0000:04:01.0" for 04:01.0. */
static void dump_dev_path(const struct model_pci_dev *d, char *out, size_t size)
{
	const struct model_pci_dev *chain[32];
	size_t n = 0, off;

	for (const struct model_pci_dev *p = d; p && n < 32; p = p->parent)
		chain[n++] = p;
	off = snprintf(out, size, "pci%04x:%02x", (unsigned int)d->domain,
		       chain[n - 1]->bus);
	while (n-- && off < size)
		off += snprintf(out + off, size - off, "/%s", chain[n]->bdf);
}

/* Write the attributes libpci's sysfs access reads, config from the dump. */
static int dump_dev_files(const char *root, const char *dir, struct pci_dev *p)
{
	char rel[PATH_MAX + 32], text[32], path[2 * PATH_MAX + 64];
	u8 cfg[4096];
	int len = 4096;
	FILE *f;
	bool ok;

	if (!pci_read_block(p, 0, cfg, len))
		len = 256;
	if (!pci_read_block(p, 0, cfg, len))
		return -1;
	snprintf(path, sizeof(path), "%s/%s/config", root, dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	ok = fwrite(cfg, 1, len, f) == (size_t)len;
	if (fclose(f) || !ok)
		return -1;
	snprintf(rel, sizeof(rel), "%s/vendor", dir);
	snprintf(text, sizeof(text), "0x%04x\n", p->vendor_id);
	if (put(root, rel, text))
		return -1;
	snprintf(rel, sizeof(rel), "%s/device", dir);
	snprintf(text, sizeof(text), "0x%04x\n", p->device_id);
	if (put(root, rel, text))
		return -1;
	snprintf(rel, sizeof(rel), "%s/class", dir);
	snprintf(text, sizeof(text), "0x%06x\n",
		 (unsigned int)p->device_class << 8);
	if (put(root, rel, text))
		return -1;
	/* What drivers match on (virtio-iommu's probe set, model/probe.h). */
	snprintf(rel, sizeof(rel), "%s/modalias", dir);
	snprintf(path, sizeof(path),
		 "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n", p->vendor_id,
		 p->device_id,
		 (cfg[0x0e] & 0x7f) ? 0 : cfg[0x2c] | cfg[0x2d] << 8,
		 (cfg[0x0e] & 0x7f) ? 0 : cfg[0x2e] | cfg[0x2f] << 8, cfg[0x0b],
		 cfg[0x0a], cfg[0x09]);
	if (put(root, rel, path))
		return -1;
	snprintf(rel, sizeof(rel), "%s/irq", dir);
	if (put(root, rel, "0\n"))
		return -1;
	snprintf(rel, sizeof(rel), "%s/resource", dir);
	return put(root, rel, "");
}

/* tests/fixtures/lspci/NAME.EXT, or NULL. */
static char *lspci_fixture(const char *name, const char *ext)
{
	char *file, *r;

	if (asprintf(&file, "%s.%s", name, ext) < 0)
		return NULL;
	r = fixture_in("lspci", file);
	free(file);
	return r;
}

/*
 * Build ROOT from tests/fixtures/lspci/NAME.dump with the kernel groups of
 * groups (NULL: lspci/NAME.observed) behind IOMMU iommu ("dmar0",
 * "ivhd0"; registered in class/iommu so that the suites can detect it).
 * 0, or -1 with a message on stderr.
 */
static int build_dump_tree(const char *root, const char *name,
			   const char *groups, const char *iommu)
{
	char *dump = lspci_fixture(name, "dump"), err[MODEL_ERR_LEN],
	     rel[PATH_MAX], path[1024], link[PATH_MAX];
	char *obsf =
		groups ? fixture_path(groups) : lspci_fixture(name, "observed");
	struct model_pci_topo t = {0};
	struct pci_access *acc = NULL;
	struct obs *o = calloc(1, sizeof(*o));
	int ret = -1;

	if (!o || !dump || !obsf || obs_read(obsf, o))
		goto out;
	/* Parents (and so the kernel's device paths) from the model's loader.
	 */
	if (model_pci_topo_load_dump(&t, dump, err, sizeof(err))) {
		fprintf(stderr, "# %s\n", err);
		goto out;
	}
	snprintf(rel, sizeof(rel), "devices/virtual/iommu/%s", iommu);
	snprintf(link, sizeof(link), "class/iommu/%s", iommu);
	if (mkd(root, rel) || link_rel(root, link, rel) ||
	    mkd(root, "kernel/iommu_groups"))
		goto out;
	for (size_t i = 0; i < o->nr; i++) {
		if (add_group(root, (int)o->g[i].id))
			goto out;
		snprintf(rel, sizeof(rel),
			 "kernel/iommu_groups/%ld/reserved_regions",
			 o->g[i].id);
		if (put(root, rel, o->g[i].resv))
			goto out;
	}
	acc = pci_alloc();
	acc->error = dump_pci_error;
	acc->warning = dump_pci_quiet;
	acc->method = PCI_ACCESS_DUMP;
	pci_set_param(acc, "dump.name", dump);
	pci_init(acc);
	pci_scan_bus(acc);
	for (struct pci_dev *p = acc->devices; p; p = p->next) {
		const struct obs_group *g;
		struct model_pci_dev *d;
		char bdf[16];
		struct tdev td;

		pci_fill_info(p, PCI_FILL_IDENT | PCI_FILL_CLASS);
		snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.%d", p->domain,
			 p->bus, p->dev, p->func);
		d = model_pci_find(&t, bdf);
		if (!d)
			goto out;
		dump_dev_path(d, path, sizeof(path));
		g = obs_of(o, bdf);
		td.path = path;
		td.group = g ? (int)g->id : -1;
		snprintf(rel, sizeof(rel), "devices/%s", path);
		if (add_device_to(root, &td, iommu) ||
		    dump_dev_files(root, rel, p))
			goto out;
	}
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "# building %s from %s: failed (%s)\n", root,
			name, strerror(errno));
	if (acc)
		pci_cleanup(acc);
	model_pci_topo_free(&t);
	free(dump);
	free(obsf);
	free(o);
	return ret;
}

/* How often needle occurs in hay. */
static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *s = hay; (s = strstr(s, needle)); s++)
		n++;
	return n;
}

/*
 * Move the device at ROOT/devices/PATH from group `from` to group `to`
 * (made if new): its devices/ entry and its iommu_group link.
 */
static int move_member(const char *root, const char *path, int from, int to)
{
	const char *base = strrchr(path, '/') + 1;
	char rel[PATH_MAX], dev[PATH_MAX], grp[64];

	snprintf(rel, sizeof(rel), "kernel/iommu_groups/%d/devices/%s", from,
		 base);
	if (rm(root, rel))
		return -1;
	snprintf(grp, sizeof(grp), "kernel/iommu_groups/%d", to);
	snprintf(rel, sizeof(rel), "%s/%s", root, grp);
	if (access(rel, F_OK) && add_group(root, to))
		return -1;
	snprintf(rel, sizeof(rel), "%s/devices/%s", grp, base);
	snprintf(dev, sizeof(dev), "devices/%s", path);
	if (link_rel(root, rel, dev))
		return -1;
	snprintf(rel, sizeof(rel), "devices/%s/iommu_group", path);
	return link_rel(root, rel, grp);
}

/* ROOT/iog-expect: the .observed groups as an expectation file. */
static int expect_from_observed(const char *root, const char *name,
				const char *nogroup)
{
	char *path = lspci_fixture(name, "observed"), line[1024];
	struct obs *o = calloc(1, sizeof(*o));
	size_t off = 0;
	int ret = -1;
	FILE *f;

	snprintf(line, sizeof(line), "%s/iog-expect", root);
	f = fopen(line, "w");
	if (f && o && path && !obs_read(path, o)) {
		for (size_t i = 0; i < o->nr; i++) {
			off = snprintf(line, sizeof(line), "group");
			for (size_t j = 0; j < o->g[i].nr; j++)
				off += snprintf(line + off, sizeof(line) - off,
						" %s", o->g[i].bdfs[j]);
			fprintf(f, "%s\n", line);
		}
		if (nogroup)
			fprintf(f, "nogroup %s\n", nogroup);
		ret = 0;
	}
	if (f && fclose(f))
		ret = -1;
	free(path);
	free(o);
	return ret;
}

/* The captured guests, each tree as its kernel showed it: all agree. */
FIXTURE(faithful)
{
	char root[256];
};

FIXTURE_VARIANT(faithful)
{
	const char *name; /* tests/fixtures/lspci/NAME.{dump,observed} */
	const char *iommu; /* its class/iommu entry */
	const char *kind_env; /* IOG_IOMMU=..., or NULL: detected */
	const char *kind_from; /* how the suite says it got the kind */
	const char *nogroup; /* a device the kernel left ungrouped */
};

FIXTURE_VARIANT_ADD(faithful, acs_intel){
	.name = "q35-acs-intel",
	.iommu = "dmar0",
	.kind_from = "intel IOMMU (from ",
};

FIXTURE_VARIANT_ADD(faithful, acs_amd){
	.name = "q35-acs-amd",
	.iommu = "ivhd0",
	.kind_env = "IOG_IOMMU=amd",
	.kind_from = "amd IOMMU (from IOG_IOMMU=amd)",
	/* The AMD IOMMU's own function (observed-q35.md). */
	.nogroup = "0000:00:01.0",
};

FIXTURE_VARIANT_ADD(faithful, noacs_intel){
	.name = "q35-noacs-intel",
	.iommu = "dmar0",
	.kind_env = "IOG_IOMMU=intel",
	.kind_from = "intel IOMMU (from IOG_IOMMU=intel)",
};

FIXTURE_VARIANT_ADD(faithful, bridge_nest_intel){
	.name = "q35-bridge-nest-intel",
	.iommu = "dmar0",
	.kind_from = "/class/iommu/dmar0)",
};

FIXTURE_SETUP(faithful)
{
	ASSERT_NE(NULL, make_tmp(self->root, sizeof(self->root)));
	ASSERT_EQ(0, build_dump_tree(self->root, variant->name, NULL,
				     variant->iommu));
	ASSERT_EQ(0, expect_from_observed(self->root, variant->name,
					  variant->nogroup));
}

FIXTURE_TEARDOWN(faithful)
{
	nftw(self->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

TEST_F(faithful, e2e_model_agrees)
{
	static struct suite_run r;
	char *exp = NULL;

	ASSERT_LE(0, asprintf(&exp, "IOG_EXPECT=%s/iog-expect", self->root));
	RUN_SUITE("grouping", &r, env_kv("IOG_SYSFS_ROOT", self->root), exp,
		  "IOG_EXPECT_GROUPS=1",
		  variant->kind_env ? variant->kind_env : "IOG_IOMMU=");
	ASSERT_SUITE_OK(&r);
	ASSERT_HAS(r.out, "\nok 1 global.model_partition_matches\n");
	ASSERT_HAS(r.out, "\nok 2 global.model_ids_match\n");
	ASSERT_HAS(r.out, "\nok 3 global.declared_agrees_with_model\n");
	ASSERT_HAS(r.out, "\nok 5 global.declared_groups_match\n");
	ASSERT_HAS(r.out, variant->kind_from);
	ASSERT_HAS(r.out, ", 0 differences");
	RUN_SUITE("sysfs_layout", &r, env_kv("IOG_SYSFS_ROOT", self->root),
		  "IOG_EXPECT_GROUPS=1",
		  variant->kind_env ? variant->kind_env : "IOG_IOMMU=",
		  "IOG_KERNEL_RELEASE=6.12.117+deb12-amd64");
	free(exp);
	ASSERT_SUITE_OK(&r);
	ASSERT_HAS(r.out, "\nok 16 global.reserved_regions_match_model\n");
	ASSERT_HAS(r.out, "# Totals: pass:15 fail:0 xfail:0 xpass:0 skip:1");
}

/* q35-acs-intel as captured, then mutated per test. */
FIXTURE(dumped)
{
	char root[256];
	char *expect; /* "IOG_EXPECT=tests/fixtures/sysfs/q35-acs.expect" */
};

FIXTURE_SETUP(dumped)
{
	char *exp = fixture_path("q35-acs.expect");

	ASSERT_NE(NULL, exp);
	self->expect = env_kv("IOG_EXPECT", exp);
	free(exp);
	ASSERT_NE(NULL, make_tmp(self->root, sizeof(self->root)));
	ASSERT_EQ(0,
		  build_dump_tree(self->root, "q35-acs-intel", NULL, "dmar0"));
}

FIXTURE_TEARDOWN(dumped)
{
	nftw(self->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#define MF1 "pci0000:00/0000:00:02.3/0000:05:00.1"

TEST_F(dumped, e2e_model_split_multifunction)
{
	static struct suite_run r;

	/* What 6.1 and 6.12 show after a rescan (observed-q35.md). */
	ASSERT_EQ(0, move_member(self->root, MF1, 11, 12));
	RUN_SUITE("grouping", &r, env_kv("IOG_SYSFS_ROOT", self->root),
		  self->expect, "IOG_EXPECT_GROUPS=1");
	ASSERT_SUITE_FAILS(&r);
	ASSERT_HAS(r.out, "not ok 1 global.model_partition_matches");
	/* The differing groups on both sides, each member explained. */
	ASSERT_HAS(r.out, "# - model group 11 {0000:05:00.0 0000:05:00.1}; "
			  "kernel: 0000:05:00.0 in group 11, 0000:05:00.1 in "
			  "group 12\n");
	ASSERT_HAS(r.out, "#     0000:05:00.1: function of multifunction slot "
			  "05:00 without ACS, shares with 0000:05:00.0 (R8)");
	ASSERT_HAS(r.out, "# - kernel group 12 {0000:05:00.1}; model: "
			  "0000:05:00.1 in group 11\n");
	/* Both partitions in full. */
	ASSERT_HAS(r.out, "# model group 0 {0000:00:00.0}\n");
	ASSERT_HAS(r.out, "# model group 11 {0000:05:00.0 0000:05:00.1}\n");
	ASSERT_HAS(r.out, "# kernel group 10 {0000:03:00.0 0000:04:01.0 "
			  "0000:04:02.0}\n");
	ASSERT_HAS(r.out, "# kernel group 11 {0000:05:00.0}\n");
	ASSERT_HAS(r.out, "# kernel group 12 {0000:05:00.1}\n");
	/* The other IDs are right; the declaration agrees with the model. */
	ASSERT_HAS(r.out, "\nok 2 global.model_ids_match\n");
	ASSERT_HAS(r.out, "1 model groups have no kernel group with the same "
			  "devices");
	ASSERT_HAS(r.out, "\nok 3 global.declared_agrees_with_model\n");
	/* The cross-check sees it too. */
	ASSERT_HAS(r.out, "not ok 5 global.declared_groups_match");
	ASSERT_HAS(r.out, "expected group {0000:05:00.0 0000:05:00.1}: kernel "
			  "has group 11 {0000:05:00.0}, group 12 "
			  "{0000:05:00.1}");
	ASSERT_EQ(2, count_of(r.out, "not ok "));

	/* Regions are compared only where the groups agree. */
	RUN_SUITE("sysfs_layout", &r, env_kv("IOG_SYSFS_ROOT", self->root),
		  "IOG_EXPECT_GROUPS=1", "IOG_KERNEL_RELEASE=6.12.0");
	ASSERT_SUITE_OK(&r);
	ASSERT_HAS(r.out, "\nok 16 global.reserved_regions_match_model\n");
	ASSERT_HAS(r.out, "group 12 {0000:05:00.1}: no model group has these "
			  "devices; not compared");
	ASSERT_HAS(r.out, "11 groups compared with the model");
}

TEST_F(dumped, e2e_model_ids_swapped)
{
	static struct suite_run r;

	/* The nvme and the e1000e behind root ports trade IDs. */
	ASSERT_EQ(0, move_member(self->root,
				 "pci0000:00/0000:00:02.0/0000:01:00.0", 8, 9));
	ASSERT_EQ(0, move_member(self->root,
				 "pci0000:00/0000:00:02.1/0000:02:00.0", 9, 8));
	RUN_SUITE("grouping", &r, env_kv("IOG_SYSFS_ROOT", self->root),
		  "IOG_EXPECT_GROUPS=1");
	ASSERT_SUITE_FAILS(&r);
	ASSERT_HAS(r.out, "\nok 1 global.model_partition_matches\n");
	ASSERT_HAS(r.out, "not ok 2 global.model_ids_match");
	ASSERT_HAS(r.out, "group {0000:01:00.0}: model ID 8, kernel ID 9; "
			  "wanted the lowest free ID in probe order (R1, R2)");
	ASSERT_HAS(r.out, "group {0000:02:00.0}: model ID 9, kernel ID 8");
	ASSERT_HAS(r.out, "# model probe order (R2): 0000:00:00.0 "
			  "0000:00:02.0 ");
	ASSERT_HAS(r.out, "# kernel group 8 {0000:02:00.0}\n");
	ASSERT_EQ(1, count_of(r.out, "not ok "));
}

TEST_F(dumped, e2e_model_wrong_reserved_regions)
{
	static struct suite_run r;

	/* The ICH9 group without VT-d's ISA-bridge window (R13). */
	ASSERT_EQ(0, put(self->root, "kernel/iommu_groups/7/reserved_regions",
			 MSI));
	/* A well-formed line with the wrong end, in another group. */
	ASSERT_EQ(0, put(self->root, "kernel/iommu_groups/2/reserved_regions",
			 "0x00000000fee00000 0x00000000feeffffe msi\n"));
	RUN_SUITE("sysfs_layout", &r, env_kv("IOG_SYSFS_ROOT", self->root),
		  "IOG_EXPECT_GROUPS=1", "IOG_KERNEL_RELEASE=6.12.0");
	ASSERT_SUITE_FAILS(&r);
	ASSERT_HAS(r.out, "not ok 16 global.reserved_regions_match_model");
	ASSERT_HAS(r.out, "group 7 {0000:00:1f.0 0000:00:1f.2 0000:00:1f.3}: "
			  "reserved_regions differs from the model's (R11, "
			  "R13)");
	ASSERT_HAS(r.out, "#   kernel group 7 reserved_regions:\n"
			  "#      " MSI "#   model group 7 reserved_regions:\n"
			  "#      " ISA "#      " MSI);
	ASSERT_HAS(r.out, "group 2 {0000:00:02.1}: reserved_regions differs");
	ASSERT_HAS(r.out, "#      0x00000000fee00000 0x00000000feeffffe msi\n");
	ASSERT_HAS(r.out, "12 groups compared with the model");
	ASSERT_HAS(r.out, "2 differ");
	/* The format itself is fine: only the model can tell. */
	ASSERT_HAS(r.out, "\nok 6 global.reserved_regions_format\n");
	ASSERT_EQ(1, count_of(r.out, "not ok "));
}

TEST_F(dumped, e2e_model_declared_disagrees)
{
	static struct suite_run r;
	char *exp = fixture_path("q35-acs-split-mf.expect");

	ASSERT_NE(NULL, exp);
	RUN_SUITE("grouping", &r, env_kv("IOG_SYSFS_ROOT", self->root),
		  env_kv("IOG_EXPECT", exp), "IOG_EXPECT_GROUPS=1");
	free(exp);
	ASSERT_SUITE_FAILS(&r);
	/* The kernel is right; the topology file is not. */
	ASSERT_HAS(r.out, "\nok 1 global.model_partition_matches\n");
	ASSERT_HAS(r.out, "not ok 3 global.declared_agrees_with_model");
	ASSERT_HAS(r.out, "declared group {0000:05:00.0}: model has group 11 "
			  "{0000:05:00.0 0000:05:00.1}");
	ASSERT_HAS(r.out, "declared group {0000:05:00.1}: model has group 11 ");
	ASSERT_HAS(r.out, "#   0000:05:00.1: function of multifunction slot "
			  "05:00 without ACS");
	ASSERT_HAS(r.out, "q35-acs-split-mf.expect and the reference model "
			  "disagree: a defect in the topology file or in the "
			  "model");
	ASSERT_HAS(r.out, "# expected group {0000:05:00.1}\n");
	ASSERT_HAS(r.out, "not ok 5 global.declared_groups_match");
	ASSERT_EQ(2, count_of(r.out, "not ok "));

	/* iog-topo's files name their topology: the blame goes there. */
	ASSERT_EQ(0, put(self->root, "iog-expect",
			 "# generated from topologies/q35-wrong.topo\n"
			 "group 00:00.0\nnogroup 00:02.0\n"));
	ASSERT_LE(0, asprintf(&exp, "IOG_EXPECT=%s/iog-expect", self->root));
	RUN_SUITE("grouping", &r, env_kv("IOG_SYSFS_ROOT", self->root), exp,
		  "IOG_EXPECT_GROUPS=1");
	free(exp);
	ASSERT_HAS(r.out, "not ok 3 global.declared_agrees_with_model");
	ASSERT_HAS(r.out, "/iog-expect (from topologies/q35-wrong.topo) and "
			  "the reference model disagree");
	ASSERT_HAS(r.out, "declared nogroup 0000:00:02.0: model puts it in "
			  "group 1: ");
	ASSERT_HAS(r.out, "model group 11: 0000:05:00.1 not in any declared "
			  "group: function of multifunction slot 05:00");
}

TEST_F(dumped, e2e_model_config_unreadable)
{
	static struct suite_run r;
	char path[PATH_MAX];
	struct dirent **list;
	int n;

	/* What a user (not root) reads of config: the first 64 bytes. */
	snprintf(path, sizeof(path), "%s/bus/pci/devices", self->root);
	n = scandir(path, &list, NULL, alphasort);
	ASSERT_LT(0, n);
	for (int i = 0; i < n; i++) {
		if (list[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path),
				 "%s/bus/pci/devices/%s/config", self->root,
				 list[i]->d_name);
			ASSERT_EQ(0, truncate(path, 64));
		}
		free(list[i]);
	}
	free(list);
	/* Host mode as a user: SKIP with the loader's reason. */
	RUN_SUITE("grouping", &r, env_kv("IOG_SYSFS_ROOT", self->root),
		  self->expect);
	ASSERT_SUITE_OK(&r);
	ASSERT_HAS(r.out, "\nok 1 global.model_partition_matches # SKIP "
			  "reference model unavailable: ");
	ASSERT_HAS(r.out, "config space past 64 bytes is not readable (a live "
			  "system needs root");
	ASSERT_HAS(r.out, "\nok 5 global.declared_groups_match\n");
	ASSERT_HAS(r.out, "# Totals: pass:3 fail:0 xfail:0 xpass:0 skip:4");
	/* Our own guest runs as root: there it must work. */
	RUN_SUITE("grouping", &r, env_kv("IOG_SYSFS_ROOT", self->root),
		  self->expect, "IOG_EXPECT_GROUPS=1");
	ASSERT_SUITE_FAILS(&r);
	ASSERT_HAS(r.out, "not ok 1 global.model_partition_matches");
	ASSERT_HAS(r.out, "not ok 2 global.model_ids_match");
	ASSERT_HAS(r.out, "not ok 3 global.declared_agrees_with_model");
	ASSERT_HAS(r.out, "the reference model cannot read config space "
			  "although IOG_EXPECT_GROUPS=1");
	ASSERT_HAS(r.out, "config space past 64 bytes is not readable");
	ASSERT_EQ(3, count_of(r.out, "not ok "));
	RUN_SUITE("sysfs_layout", &r, env_kv("IOG_SYSFS_ROOT", self->root),
		  "IOG_KERNEL_RELEASE=6.12.0");
	ASSERT_SUITE_OK(&r);
	ASSERT_HAS(r.out, "\nok 16 global.reserved_regions_match_model # SKIP "
			  "reference model unavailable: ");
}

TEST_F(dumped, e2e_model_iommu_kind)
{
	static struct suite_run r;

	/* No IOMMU: nothing to predict, even if groups are required. */
	RUN_SUITE("grouping", &r, env_kv("IOG_SYSFS_ROOT", self->root),
		  "IOG_IOMMU=none", "IOG_EXPECT_GROUPS=1");
	ASSERT_SUITE_OK(&r);
	ASSERT_HAS(r.out, "\nok 1 global.model_partition_matches # SKIP "
			  "IOG_IOMMU=none: no IOMMU");
	RUN_SUITE("sysfs_layout", &r, env_kv("IOG_SYSFS_ROOT", self->root),
		  "IOG_IOMMU=none", "IOG_KERNEL_RELEASE=6.12.0");
	ASSERT_SUITE_OK(&r);
	ASSERT_HAS(r.out, "\nok 16 global.reserved_regions_match_model # SKIP "
			  "IOG_IOMMU=none");
	RUN_SUITE("grouping", &r, env_kv("IOG_SYSFS_ROOT", self->root),
		  "IOG_IOMMU=arm-smmu");
	ASSERT_SUITE_FAILS(&r);
	ASSERT_HAS(r.out, "IOG_IOMMU='arm-smmu': want intel, amd, virtio or "
			  "none");
	/*
	 * The kind decides the regions: the same tree read as AMD-Vi lacks
	 * the HT window in every group, and the ISA window is VT-d's.
	 */
	RUN_SUITE("sysfs_layout", &r, env_kv("IOG_SYSFS_ROOT", self->root),
		  "IOG_IOMMU=amd", "IOG_KERNEL_RELEASE=6.12.0");
	ASSERT_SUITE_FAILS(&r);
	ASSERT_HAS(r.out, "not ok 16 global.reserved_regions_match_model");
	ASSERT_HAS(r.out, "#      0x000000fd00000000 0x000000ffffffffff "
			  "reserved\n");
	ASSERT_HAS(r.out, "12 differ");
}

/* ---- virtio-iommu: the devices drivers probe, in probe order ----------- */

struct tdrv {
	const char *driver;
	const char *module; /* the driver's module */
	bool builtin; /* built into the kernel: no initstate */
};

/*
 * The PCI drivers of topologies/q35-virtio.topo's guest, in registration
 * order (kernfs numbers the driver directories in that order).
 */
static const struct tdrv virtio_drivers[] = {
	{"pcieport", "pcieportdrv", true}, {"agpgart-intel", "intel_agp", true},
	{"shpchp", "shpchp", true},	   {"nvme", "nvme", false},
	{"e1000e", "e1000e", false},	   {"e1000", "e1000", false},
};

struct tbind {
	const char *path; /* below ROOT/devices */
	const char *driver;
};

/* q35-acs-intel's devices whose driver's probe succeeded. */
static const struct tbind virtio_binds[] = {
	{"pci0000:00/0000:00:02.0", "pcieport"},
	{"pci0000:00/0000:00:02.1", "pcieport"},
	{"pci0000:00/0000:00:02.2", "pcieport"},
	{"pci0000:00/0000:00:02.3", "pcieport"},
	{"pci0000:00/0000:00:02.4", "pcieport"},
	{"pci0000:00/0000:00:05.0", "e1000e"},
	{"pci0000:00/0000:00:02.0/0000:01:00.0", "nvme"},
	{"pci0000:00/0000:00:02.1/0000:02:00.0", "e1000e"},
	{"pci0000:00/0000:00:02.2/0000:03:00.0/0000:04:01.0", "e1000"},
	{"pci0000:00/0000:00:02.2/0000:03:00.0/0000:04:02.0", "e1000"},
	{"pci0000:00/0000:00:02.3/0000:05:00.0", "e1000e"},
	{"pci0000:00/0000:00:02.3/0000:05:00.1", "e1000e"},
};

/*
 * The kernel's links: bus/pci/drivers/D/module -> module/M; a loaded
 * module has module/M/initstate, a built-in one not.
 */
static int register_driver(const char *root, const struct tdrv *d)
{
	char link[PATH_MAX], drv[128], mod[128];

	snprintf(drv, sizeof(drv), "bus/pci/drivers/%s", d->driver);
	snprintf(mod, sizeof(mod), "module/%s", d->module);
	snprintf(link, sizeof(link), "%s/module", drv);
	if (mkd(root, drv) || mkd(root, mod) || link_rel(root, link, mod))
		return -1;
	snprintf(link, sizeof(link), "%s/initstate", mod);
	return d->builtin ? 0 : put(root, link, "live\n");
}

/* <dev>/driver -> bus/pci/drivers/D */
static int bind_driver(const char *root, const struct tbind *b)
{
	char link[PATH_MAX], drv[128];

	snprintf(drv, sizeof(drv), "bus/pci/drivers/%s", b->driver);
	snprintf(link, sizeof(link), "devices/%s/driver", b->path);
	return link_rel(root, link, drv);
}

static int rmdir_in(const char *root, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return rmdir(path);
}

static unsigned long long ino_of(const char *root, const char *rel)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return stat(path, &st) ? 0 : (unsigned long long)st.st_ino;
}

TEST(e2e_model_virtio_probe_order)
{
	static struct suite_run r;
	char root[256], *aliases = fixture_path("q35-virtio.pci-aliases");
	char *alias_env;

	ASSERT_NE(NULL, aliases);
	alias_env = env_kv("IOG_PCI_ALIASES", aliases);
	ASSERT_NE(NULL, make_tmp(root, sizeof(root)));
	ASSERT_EQ(0, build_dump_tree(root, "q35-acs-intel",
				     "q35-acs-virtio.groups", "viommu0"));
	for (size_t i = 0;
	     i < sizeof(virtio_drivers) / sizeof(virtio_drivers[0]); i++)
		ASSERT_EQ(0, register_driver(root, &virtio_drivers[i]));
	for (size_t i = 0; i < sizeof(virtio_binds) / sizeof(virtio_binds[0]);
	     i++)
		ASSERT_EQ(0, bind_driver(root, &virtio_binds[i]));
	/* The built-in drivers' order is their directories' inode order. */
	if (!(ino_of(root, "bus/pci/drivers/pcieport") <
		      ino_of(root, "bus/pci/drivers/agpgart-intel") &&
	      ino_of(root, "bus/pci/drivers/agpgart-intel") <
		      ino_of(root, "bus/pci/drivers/shpchp"))) {
		nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
		SKIP(return, "%s numbers inodes out of creation order", root);
	}

	/*
	 * Every module loaded before virtio_iommu: all devices deferred, in
	 * the order of their first driver's registration, then bus order.
	 */
	RUN_SUITE("grouping", &r, env_kv("IOG_SYSFS_ROOT", root), alias_env,
		  "IOG_IOMMU=virtio", "IOG_EXPECT_GROUPS=1",
		  "IOG_MODULE_ORDER=nvme e1000e e1000 virtio_iommu");
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.out);
	EXPECT_HAS(r.out, "\nok 1 global.model_partition_matches\n");
	EXPECT_HAS(r.out, "\nok 2 global.model_ids_match\n");
	EXPECT_HAS(r.out, "model: virtio IOMMU (from IOG_IOMMU=virtio)");
	RUN_SUITE("sysfs_layout", &r, env_kv("IOG_SYSFS_ROOT", root), alias_env,
		  "IOG_IOMMU=virtio", "IOG_EXPECT_GROUPS=1",
		  "IOG_KERNEL_RELEASE=6.12.0",
		  "IOG_MODULE_ORDER=nvme e1000e e1000 virtio_iommu");
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.out);
	EXPECT_HAS(r.out, "\nok 16 global.reserved_regions_match_model\n");

	/*
	 * The guest's order (topologies/q35-virtio.topo): the deferred
	 * retry and the modules' probes race, so the IDs are not compared.
	 */
	RUN_SUITE("grouping", &r, env_kv("IOG_SYSFS_ROOT", root), alias_env,
		  "IOG_IOMMU=virtio", "IOG_EXPECT_GROUPS=1",
		  "IOG_MODULE_ORDER=virtio_iommu nvme e1000e e1000");
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.out);
	EXPECT_HAS(r.out, "\nok 1 global.model_partition_matches\n");
	EXPECT_HAS(r.out, "\nok 2 global.model_ids_match # SKIP virtio-iommu "
			  "groups 0000:00:02.0 (pcieport, deferred until "
			  "virtio_iommu registered) from the deferred-probe "
			  "work and 0000:01:00.0 (nvme) as its module loads");

	/* Without the load order the membership is still checked. */
	RUN_SUITE("grouping", &r, env_kv("IOG_SYSFS_ROOT", root), alias_env,
		  "IOG_IOMMU=virtio", "IOG_EXPECT_GROUPS=1");
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.out);
	EXPECT_HAS(r.out, "\nok 1 global.model_partition_matches\n");
	EXPECT_HAS(r.out, "\nok 2 global.model_ids_match # SKIP virtio-iommu "
			  "numbers groups in driver probe order and "
			  "IOG_MODULE_ORDER is not set");

	/* Another load order predicts other IDs ('-' and '_' alike). */
	RUN_SUITE("grouping", &r, env_kv("IOG_SYSFS_ROOT", root), alias_env,
		  "IOG_IOMMU=virtio", "IOG_EXPECT_GROUPS=1",
		  "IOG_MODULE_ORDER=e1000 e1000e nvme virtio-iommu");
	EXPECT_NE(0, r.status);
	EXPECT_HAS(r.out, "\nok 1 global.model_partition_matches\n");
	EXPECT_HAS(r.out, "not ok 2 global.model_ids_match");
	EXPECT_HAS(r.out, "group {0000:01:00.0}: model ID 10, kernel ID 7");
	EXPECT_HAS(r.out, "group {0000:00:05.0}: model ID 7, kernel ID 8");
	EXPECT_HAS(r.out, "# model probe order (bound devices): 0000:00:02.0 "
			  "0000:00:02.1 0000:00:02.2 0000:00:02.3 0000:00:02.4 "
			  "0000:03:00.0 0000:00:00.0 0000:04:01.0 "
			  "0000:04:02.0 0000:00:05.0 0000:02:00.0 "
			  "0000:05:00.0 0000:05:00.1 0000:01:00.0\n");

	/* A grouped device whose module the order does not name. */
	RUN_SUITE("grouping", &r, env_kv("IOG_SYSFS_ROOT", root), alias_env,
		  "IOG_IOMMU=virtio", "IOG_EXPECT_GROUPS=1",
		  "IOG_MODULE_ORDER=nvme e1000e virtio_iommu");
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.out);
	EXPECT_HAS(r.out, "\nok 2 global.model_ids_match # SKIP 0000:04:01.0's "
			  "driver module e1000 is not in "
			  "IOG_MODULE_ORDER='nvme e1000e virtio_iommu'");

	/* No alias file: our own guest must have one; host mode skips. */
	RUN_SUITE("grouping", &r, env_kv("IOG_SYSFS_ROOT", root),
		  "IOG_PCI_ALIASES=/nonexistent/pci-aliases",
		  "IOG_IOMMU=virtio", "IOG_EXPECT_GROUPS=1");
	EXPECT_NE(0, r.status);
	EXPECT_HAS(r.out, "not ok 1 global.model_partition_matches");
	EXPECT_HAS(r.out, "/nonexistent/pci-aliases: No such file or directory "
			  "(IOG_EXPECT_GROUPS=1: harness/image.sh ships the "
			  "alias file)");
	RUN_SUITE("grouping", &r, env_kv("IOG_SYSFS_ROOT", root),
		  "IOG_PCI_ALIASES=/nonexistent/pci-aliases",
		  "IOG_IOMMU=virtio");
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.out);
	EXPECT_HAS(r.out, "\nok 1 global.model_partition_matches # SKIP "
			  "virtio-iommu groups the devices a driver probes, "
			  "and which those are comes from the drivers' ID "
			  "tables: /nonexistent/pci-aliases: No such file");

	/* A built-in driver whose table is unknown: the prediction skips. */
	ASSERT_EQ(0, register_driver(
			     root, &(struct tdrv){"mystery", "mystery", true}));
	RUN_SUITE("grouping", &r, env_kv("IOG_SYSFS_ROOT", root), alias_env,
		  "IOG_IOMMU=virtio", "IOG_EXPECT_GROUPS=1");
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.out);
	EXPECT_HAS(r.out, "\nok 1 global.model_partition_matches # SKIP "
			  "virtio-iommu groups the devices a driver probes, "
			  "and which those are cannot be derived: no ID table "
			  "in ");
	EXPECT_HAS(r.out, "q35-virtio.pci-aliases for the built-in PCI "
			  "driver(s) mystery");
	ASSERT_EQ(0, rm(root, "bus/pci/drivers/mystery/module"));
	ASSERT_EQ(0, rmdir_in(root, "bus/pci/drivers/mystery"));

	/*
	 * No driver for the nvme any more (module gone): the kernel's group
	 * for it is a difference, with the model's reason.
	 */
	ASSERT_EQ(0, rm(root, "devices/pci0000:00/0000:00:02.0/0000:01:00.0/"
			      "driver"));
	ASSERT_EQ(0, rm(root, "bus/pci/drivers/nvme/module"));
	ASSERT_EQ(0, rmdir_in(root, "bus/pci/drivers/nvme"));
	RUN_SUITE("grouping", &r, env_kv("IOG_SYSFS_ROOT", root), alias_env,
		  "IOG_IOMMU=virtio", "IOG_EXPECT_GROUPS=1");
	EXPECT_NE(0, r.status);
	EXPECT_HAS(r.out, "not ok 1 global.model_partition_matches");
	EXPECT_HAS(r.out, "# - kernel group 7 {0000:01:00.0}; model: "
			  "0000:01:00.0 in no group\n");
	EXPECT_HAS(r.out, "#     0000:01:00.0: no group: no registered "
			  "driver's ID table matches it: no driver probes it");
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(aliases);
}

TEST_HARNESS_MAIN
