// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fake /sys trees for the test_sysfs*.c unit tests, and §9 checks on them.
 *
 * Building them in a temp directory, the good tree, and running the
 * checks of harness/lib/sysfs*.c on them.  sysfs_tree.h declares and
 * describes these.
 */
#include "ksft_helpers.h"

#include <errno.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysfs_tree.h"

int tree_mkdir_p(const char *path)
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
int tree_put(const char *root, const char *rel, const char *content)
{
	char path[PATH_MAX], dir[PATH_MAX];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	if (tree_mkdir_p(dirname(dir)))
		return -1;
	f = fopen(path, "w");
	if (!f)
		return -1;
	ret = fputs(content, f) < 0;
	return fclose(f) || ret ? -1 : 0;
}

int tree_mkd(const char *root, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return tree_mkdir_p(path);
}

int tree_rm(const char *root, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return unlink(path);
}

/* Symlink ROOT/link -> target (relative to ROOT), made relative the way
 * the kernel does: one "../" per directory level of link below ROOT. */
int tree_link_rel(const char *root, const char *link, const char *target)
{
	char path[PATH_MAX], dir[PATH_MAX], rel[PATH_MAX] = "";

	for (const char *c = link; *c; c++)
		if (*c == '/')
			strcat(rel, "../");
	strcat(rel, target);
	snprintf(path, sizeof(path), "%s/%s", root, link);
	snprintf(dir, sizeof(dir), "%s", path);
	if (tree_mkdir_p(dirname(dir)))
		return -1;
	unlink(path);
	return symlink(rel, path);
}

int tree_rename(const char *root, const char *from, const char *to)
{
	char a[PATH_MAX], b[PATH_MAX];

	snprintf(a, sizeof(a), "%s/%s", root, from);
	snprintf(b, sizeof(b), "%s/%s", root, to);
	return rename(a, b);
}

/* Symlink ROOT/link -> raw text, as is. */
int tree_link_raw(const char *root, const char *link, const char *text)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, link);
	unlink(path);
	return symlink(text, path);
}

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

int tree_add_group(const char *root, int id)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "kernel/iommu_groups/%d/devices", id);
	if (tree_mkd(root, rel))
		return -1;
	snprintf(rel, sizeof(rel), "kernel/iommu_groups/%d/reserved_regions",
		 id);
	if (tree_put(root, rel, id == 3 ? ISA MSI : MSI))
		return -1;
	snprintf(rel, sizeof(rel), "kernel/iommu_groups/%d/type", id);
	return tree_put(root, rel, "DMA\n");
}

/* A device at ROOT/devices/PATH, its iommu link to devices/virtual/iommu/IOMMU.
 */
int tree_add_device_to(const char *root, const struct tdev *d,
		       const char *iommu)
{
	const char *base = strrchr(d->path, '/') + 1;
	char dev[256], link[256];

	snprintf(dev, sizeof(dev), "devices/%s", d->path);
	if (tree_mkd(root, dev))
		return -1;
	snprintf(link, sizeof(link), "bus/pci/devices/%s", base);
	if (tree_link_rel(root, link, dev))
		return -1;
	if (d->group < 0)
		return 0;
	snprintf(link, sizeof(link), "devices/%s/iommu_group", d->path);
	snprintf(dev, sizeof(dev), "kernel/iommu_groups/%d", d->group);
	if (tree_link_rel(root, link, dev))
		return -1;
	snprintf(link, sizeof(link), "devices/%s/iommu", d->path);
	snprintf(dev, sizeof(dev), "devices/virtual/iommu/%s", iommu);
	if (tree_link_rel(root, link, dev))
		return -1;
	snprintf(link, sizeof(link), "kernel/iommu_groups/%d/devices/%s",
		 d->group, base);
	snprintf(dev, sizeof(dev), "devices/%s", d->path);
	return tree_link_rel(root, link, dev);
}

static int add_device(const char *root, const struct tdev *d)
{
	return tree_add_device_to(root, d, "dmar0");
}

int tree_build_good(const char *root)
{
	if (tree_mkd(root, "devices/virtual/iommu/dmar0") ||
	    tree_mkd(root, "devices/platform/serial8250") ||
	    tree_link_rel(root, "bus/platform/devices/serial8250",
			  "devices/platform/serial8250"))
		return -1;
	for (int i = 0; i < NR_GOOD_GROUPS; i++)
		if (tree_add_group(root, i))
			return -1;
	for (size_t i = 0; i < sizeof(good_devs) / sizeof(good_devs[0]); i++)
		if (add_device(root, &good_devs[i]))
			return -1;
	return 0;
}

/* A fresh directory under \$TMPDIR (default /tmp). */
char *tree_make_tmp(char *buf, size_t size)
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

void tree_remove(const char *root)
{
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void tree_setup_good(struct __test_metadata *_metadata, char *root, size_t size)
{
	ASSERT_NE(NULL, tree_make_tmp(root, size));
	ASSERT_EQ(0, tree_build_good(root))
	TH_LOG("building %s: %s", root, strerror(errno));
}

/* ---- running checks ----------------------------------------------------- */

/* Snapshot ROOT, then fn, or (fn NULL) sysfs_check_present() of feat. */
static void run_on(const char *root, check_fn fn, enum sysfs_feature feat,
		   struct run *r)
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
	r->examined = fn ? fn(&s, &p) : sysfs_check_present(&s, feat, &p);
	r->count = sysfs_problems_count(&p);
	for (size_t i = 0; i < p.nr && off < sizeof(r->text); i++)
		off += snprintf(r->text + off, sizeof(r->text) - off, "%s\n",
				p.msg[i]);
	sysfs_problems_free(&p);
	sysfs_snapshot_free(&s);
}

void tree_run_check(const char *root, check_fn fn, struct run *r)
{
	run_on(root, fn, 0, r);
}

void tree_run_present(const char *root, enum sysfs_feature feat, struct run *r)
{
	run_on(root, NULL, feat, r);
}

void tree_run(const char *root, const struct tree_check *c, struct run *r)
{
	run_on(root, c->fn, c->feat, r);
}

#define CHECK(what)                          \
	{                                    \
#what, sysfs_check_##what, 0 \
	}
#define PRESENT(name, feat)      \
	{                        \
		name, NULL, feat \
	}

const struct tree_check tree_checks[] = {
	CHECK(group_ids),
	CHECK(devices_dirs),
	PRESENT("present_resv", SYSFS_FEAT_RESERVED_REGIONS),
	PRESENT("present_type", SYSFS_FEAT_TYPE),
	CHECK(reserved_regions),
	CHECK(type),
	CHECK(name),
	CHECK(forward_links),
	CHECK(back_links),
	CHECK(entry_names),
	CHECK(membership),
	CHECK(nonempty),
	CHECK(iommu_links),
};

const size_t tree_nr_checks = sizeof(tree_checks) / sizeof(tree_checks[0]);

size_t tree_run_all(const char *root, struct run *total)
{
	struct run r;

	memset(total, 0, sizeof(*total));
	for (size_t i = 0; i < tree_nr_checks; i++) {
		size_t off = strlen(total->text);

		tree_run(root, &tree_checks[i], &r);
		total->count += r.count;
		total->examined += r.examined;
		snprintf(total->text + off, sizeof(total->text) - off, "%s",
			 r.text);
	}
	return total->count;
}
