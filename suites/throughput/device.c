// SPDX-License-Identifier: GPL-2.0-only
/*
 * throughput's device under load: finding the NVMe function, switching its
 * group's default-domain type with the driver unbound, and the namespace
 * the rebound driver makes.
 */
#include "ksft_helpers.h"

#include <glob.h>

#include "teardown_util.h"
#include "throughput.h"

#define NVME_CLASS 0x010802

const char *const tp_types[NTYPES] = {"identity", "DMA-FQ", "DMA"};

static int group_size(long id)
{
	char p[PATH_MAX];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(p, sizeof(p), "/sys/kernel/iommu_groups/%ld/devices", id);
	d = opendir(p);
	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * The device under load: IOG_THROUGHPUT_DEV, else the first NVMe function
 * with a driver and a group of its own (a type change applies to the whole
 * group, whose members must all be unbound).  0, or -1 with why; -2 with
 * why when such a function has no driver yet (nvme binds asynchronously
 * after its module loads).
 */
int find_dev(struct tp_dev *dev, char *why, size_t len)
{
	const char *want = getenv("IOG_THROUGHPUT_DEV");
	struct dirent **ents;
	int n, ret = -1;
	bool unbound = false;

	snprintf(why, len,
		 "no NVMe function with a driver and a group of "
		 "its own");
	n = scandir("/sys/bus/pci/devices", &ents, NULL, alphasort);
	if (n < 0) {
		snprintf(why, len, "/sys/bus/pci/devices: %s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const char *bdf = ents[i]->d_name;
		char p[PATH_MAX], buf[32];

		if (ret == 0 || bdf[0] == '.' ||
		    (want && *want && strcmp(want, bdf)))
			continue;
		td_dev_path(p, sizeof(p), bdf, "class");
		if (td_read(p, buf, sizeof(buf)) ||
		    strtol(buf, NULL, 16) != NVME_CLASS)
			continue;
		td_copy(dev->bdf, bdf, sizeof(dev->bdf));
		td_dev_driver(bdf, dev->driver, sizeof(dev->driver));
		dev->group = td_dev_group(bdf);
		if (!dev->driver[0] || dev->group < 0) {
			snprintf(why, len, "%s: %s", bdf,
				 dev->group < 0 ? "no IOMMU group"
						: "no driver bound");
			unbound |= !dev->driver[0];
		} else if (group_size(dev->group) != 1) {
			snprintf(why, len, "%s: group %ld has %d members", bdf,
				 dev->group, group_size(dev->group));
		} else {
			ret = 0;
		}
	}
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return ret == 0 ? 0 : unbound ? -2 : -1;
}

/* The namespace block device of dev ("/dev/nvme0n1") once it is usable. */
bool blockdev_ready(const struct tp_dev *dev, char *out, size_t len)
{
	char pat[PATH_MAX];
	glob_t g;
	bool ok = false;

	snprintf(pat, sizeof(pat), "/sys/bus/pci/devices/%s/nvme/nvme*/nvme*n1",
		 dev->bdf);
	if (glob(pat, 0, NULL, &g))
		return false;
	if (g.gl_pathc) {
		const char *b = strrchr(g.gl_pathv[0], '/') + 1;
		int fd;

		snprintf(out, len, "/dev/%s", b);
		fd = open(out, O_RDONLY | O_DIRECT | O_CLOEXEC);
		if (fd >= 0) {
			ok = true;
			close(fd);
		}
	}
	globfree(&g);
	return ok;
}

/*
 * Unbind dev, write type, bind it again and wait for its block device.
 * 0, or -1 with why.  While it is unbound a driver_override that names no
 * driver holds it: a probe or rescan by a suite beside this one
 * (run-suites.sh) cannot bind it before the type is written.
 */
int set_type(const struct tp_dev *dev, const char *type, char *blk,
	     size_t blklen, char *why, size_t len)
{
	char now[32];
	double end;
	int e;

	e = td_set_override(dev->bdf, "iog-hold");
	if (e) {
		snprintf(why, len, "%s: driver_override: %s", dev->bdf,
			 strerror(e));
		return -1;
	}
	e = td_unbind(dev->bdf);
	if (e) {
		td_set_override(dev->bdf, "");
		snprintf(why, len, "unbind %s: %s", dev->bdf, strerror(e));
		return -1;
	}
	e = td_group_set_type(dev->group, type);
	if (e)
		snprintf(why, len, "group %ld: writing %s to type: %s",
			 dev->group, type, strerror(e));
	if (td_set_override(dev->bdf, "") || td_bind(dev->bdf, dev->driver)) {
		snprintf(why, len, "bind %s to %s failed", dev->bdf,
			 dev->driver);
		return -1;
	}
	if (e)
		return -1;
	if (td_group_type(dev->group, now, sizeof(now)) || strcmp(now, type)) {
		snprintf(why, len, "group %ld: wrote %s, type reads '%s'",
			 dev->group, type, now);
		return -1;
	}
	end = td_now() + TD_WAIT_S;
	while (!blockdev_ready(dev, blk, blklen)) {
		if (td_now() > end) {
			snprintf(why, len,
				 "%s: no usable namespace %.0f s after bind",
				 dev->bdf, TD_WAIT_S);
			return -1;
		}
		td_sleep_poll();
	}
	return 0;
}

/* Point BLK_LINK at blk, the namespace fio's jobs read.  0 or errno. */
int point_link(const char *blk)
{
	unlink(BLK_LINK);
	return symlink(blk, BLK_LINK) ? errno : 0;
}
