// SPDX-License-Identifier: GPL-2.0-only
/*
 * domain_attach: what a user of an IOMMU group gets through VFIO.
 *
 * The group's devices go to vfio-pci (driver_override, drivers_probe) and
 * back to their own drivers afterwards, whatever the test did (the
 * fixtures' teardown runs in the parent).  Then: group viability
 * (§7: a sibling bound to a kernel driver makes the group non-viable),
 * a type1v2 container's attach and detach, map and unmap semantics and
 * limits, interrupt isolation (virtio-iommu on x86 has none), iommufd
 * where the kernel has it, and DMA by QEMU's edu device (drivers/edu):
 * a copy through a mapped IOVA arrives; one through an unmapped IOVA
 * leaves an IOMMU fault report in the kernel log (dma_unmapped_fault_*)
 * and reaches no memory, not even the page that was mapped there a moment
 * before (dma_unmapped_*_blocked: a stale translation would).  Attach and
 * detach times and map and unmap rates are "# metric:" lines on stdout.
 *
 * Environment: IOG_IOMMU (intel, amd or virtio; default: detected from
 * /sys/class/iommu).  Negative control: IOG_EDU_MAP_PROBE=1 or the kernel
 * argument iog.edu_map_probe=1 leaves the probe IOVA of the DMA isolation
 * tests mapped, so that dma_unmapped_fault_reported and
 * dma_unmapped_{write,read}_blocked must fail.
 *
 * Destructive: it rebinds drivers and changes vfio_iommu_type1 parameters
 * (restored at the end of every test).
 */
#include <dirent.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>

#if __has_include(<linux/iommufd.h>)
#include <linux/iommufd.h>
#endif

#include "kselftest_harness.h"
#include "suite.h"

#include "../drivers/edu/edu.c"

#if defined(IOMMU_IOAS_ALLOC) && defined(VFIO_DEVICE_BIND_IOMMUFD)
#define HAVE_IOMMUFD_UAPI 1
#else
#define HAVE_IOMMUFD_UAPI 0
#endif

#define PCI_DEVICES "/sys/bus/pci/devices"
#define PCI_DRIVERS "/sys/bus/pci/drivers"
#define GROUPS_DIR "/sys/kernel/iommu_groups"
#define TYPE1_PARAM(p) "/sys/module/vfio_iommu_type1/parameters/" p
#define VFIO_PCI "vfio-pci"
#define BDF_LEN 16
#define MAX_DEVS 8
#define MAX_PARAMS 4
#define SZ_4K 0x1000ULL
#define SZ_64K 0x10000ULL
#define SZ_1M 0x100000ULL
#define SZ_2M 0x200000ULL
#define SZ_16M 0x1000000ULL
/* A copy takes 100 ms of QEMU's virtual clock; TCG may lag behind. */
#define DMA_TIMEOUT_MS 3000
/* How long a fault report may take to reach the kernel log. */
#define FAULT_TIMEOUT_MS 1500

/* A measurement, on stdout where the KTAP reader looks for it. */
static void metric(const char *name, double value, const char *unit)
{
	printf("# metric: %s %.1f %s\n", name, value, unit);
	fflush(stdout);
}

/* Copy src into dst (size bytes), truncating. */
static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int errf(char *err, size_t len, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int errf(char *err, size_t len, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return ret;
}

/* ---- sysfs ---------------------------------------------------------- */

/* A sysfs file's content without its trailing newline.  0 or -errno. */
static int read_attr(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	buf[n] = '\0';
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return 0;
}

/* One write of val; 0 or -errno (the store's own error). */
static int write_attr(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != strlen(val))
		ret = -EIO;
	close(fd);
	return ret;
}

static int dev_attr_path(char *buf, size_t size, const char *bdf,
			 const char *attr)
{
	return suite_pathf(buf, size, PCI_DEVICES "/%s/%s", bdf, attr);
}

/* The name of the driver bound to bdf, "" if none. */
static void dev_driver(const char *bdf, char *out, size_t size)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *b;
	ssize_t n;

	out[0] = '\0';
	if (dev_attr_path(path, sizeof(path), bdf, "driver"))
		return;
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return;
	link[n] = '\0';
	b = strrchr(link, '/');
	copy_str(out, size, b ? b + 1 : link);
}

/* bdf's IOMMU group ID, -1 if it has none. */
static long dev_group(const char *bdf)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *b;
	ssize_t n;

	if (dev_attr_path(path, sizeof(path), bdf, "iommu_group"))
		return -1;
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return -1;
	link[n] = '\0';
	b = strrchr(link, '/');
	return strtol(b ? b + 1 : link, NULL, 10);
}

/* A hex attribute of bdf (vendor, device, class); -1 if unreadable. */
static long dev_hex(const char *bdf, const char *attr)
{
	char path[PATH_MAX], buf[32];

	if (dev_attr_path(path, sizeof(path), bdf, attr) ||
	    read_attr(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 16);
}

/* Config space header type (bit 7, multifunction, masked); -1. */
static int dev_header_type(const char *bdf)
{
	char path[PATH_MAX];
	unsigned char h;
	int fd, ret = -1;

	if (dev_attr_path(path, sizeof(path), bdf, "config"))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (pread(fd, &h, 1, 0x0e) == 1)
		ret = h & 0x7f;
	close(fd);
	return ret;
}

/* The first PCI device with these IDs, into bdf.  0 or -1. */
static int pci_find(unsigned int vendor, unsigned int device, char *bdf)
{
	struct dirent **list = NULL;
	int n = scandir(PCI_DEVICES, &list, NULL, alphasort), ret = -1;

	for (int i = 0; i < n; i++) {
		const char *d = list[i]->d_name;

		if (ret && sysfs_is_bdf(d) && strlen(d) < BDF_LEN &&
		    dev_hex(d, "vendor") == (long)vendor &&
		    dev_hex(d, "device") == (long)device) {
			snprintf(bdf, BDF_LEN, "%s", d);
			ret = 0;
		}
		free(list[i]);
	}
	free(list);
	return ret;
}

/* The members of group id, sorted.  Their number, or -1. */
static int group_members(long id, char bdfs[][BDF_LEN], int max)
{
	char dir[PATH_MAX];
	struct dirent **list = NULL;
	int n, nr = 0;

	if (suite_pathf(dir, sizeof(dir), GROUPS_DIR "/%ld/devices", id))
		return -1;
	n = scandir(dir, &list, NULL, alphasort);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (list[i]->d_name[0] != '.') {
			if (nr < max && strlen(list[i]->d_name) < BDF_LEN)
				snprintf(bdfs[nr], BDF_LEN, "%s",
					 list[i]->d_name);
			nr++;
		}
		free(list[i]);
	}
	free(list);
	return nr;
}

/* Group id's reserved_regions, parsed.  0, or -1 with err. */
static int group_resv(long id, struct sysfs_resv_list *out, char *err,
		      size_t len)
{
	char path[PATH_MAX], buf[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), GROUPS_DIR "/%ld/reserved_regions", id);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errf(err, len, -1, "%s: %s", path, strerror(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return errf(err, len, -1, "%s: %s", path, strerror(errno));
	if (sysfs_resv_parse(buf, n, out, err, len))
		return -1;
	return 0;
}

/* ---- what a test changes, and putting it back ---------------------- */

struct saved_dev {
	char bdf[BDF_LEN];
	char driver[64]; /* "" if none */
	char override[64]; /* "" if none */
};

struct saved_param {
	char path[128];
	char value[32];
};

/* Lives in memory shared with the parent, which restores it. */
struct saved {
	struct saved_dev dev[MAX_DEVS];
	size_t nr_dev;
	struct saved_param param[MAX_PARAMS];
	size_t nr_param;
};

static int save_dev(struct saved *s, const char *bdf, char *err, size_t len)
{
	struct saved_dev *d;
	char path[PATH_MAX];

	for (size_t i = 0; i < s->nr_dev; i++)
		if (!strcmp(s->dev[i].bdf, bdf))
			return 0;
	if (s->nr_dev == MAX_DEVS)
		return errf(err, len, -ENOSPC, "%s: more than %d devices", bdf,
			    MAX_DEVS);
	d = &s->dev[s->nr_dev];
	snprintf(d->bdf, sizeof(d->bdf), "%s", bdf);
	dev_driver(bdf, d->driver, sizeof(d->driver));
	d->override[0] = '\0';
	if (!dev_attr_path(path, sizeof(path), bdf, "driver_override") &&
	    !read_attr(path, d->override, sizeof(d->override)) &&
	    !strcmp(d->override, "(null)"))
		d->override[0] = '\0';
	s->nr_dev++;
	return 0;
}

/* Set a module parameter, saving its value first.  0 or -errno. */
static int set_param(struct saved *s, const char *path, const char *value)
{
	bool known = false;
	int ret;

	for (size_t i = 0; i < s->nr_param; i++)
		known |= !strcmp(s->param[i].path, path);
	if (!known) {
		struct saved_param *p = &s->param[s->nr_param];

		if (s->nr_param == MAX_PARAMS)
			return -ENOSPC;
		ret = read_attr(path, p->value, sizeof(p->value));
		if (ret)
			return ret;
		snprintf(p->path, sizeof(p->path), "%s", path);
		s->nr_param++;
	}
	return write_attr(path, value);
}

/* Take bdf from its driver and leave it without one. */
static int unbind_dev(struct saved *s, const char *bdf, char *err, size_t len)
{
	char path[PATH_MAX], drv[64];
	int ret = save_dev(s, bdf, err, len);

	if (ret)
		return ret;
	dev_driver(bdf, drv, sizeof(drv));
	if (*drv) {
		dev_attr_path(path, sizeof(path), bdf, "driver/unbind");
		ret = write_attr(path, bdf);
		if (ret)
			return errf(err, len, ret, "%s: unbind from %s: %s",
				    bdf, drv, strerror(-ret));
	}
	dev_attr_path(path, sizeof(path), bdf, "driver_override");
	ret = write_attr(path, "\n");
	if (ret)
		return errf(err, len, ret, "%s: clearing driver_override: %s",
			    bdf, strerror(-ret));
	return 0;
}

/* driver_override = vfio-pci, then drivers_probe (VFIO's usual way). */
static int bind_vfio(struct saved *s, const char *bdf, char *err, size_t len)
{
	char path[PATH_MAX], drv[64];
	int ret;

	dev_driver(bdf, drv, sizeof(drv));
	if (!strcmp(drv, VFIO_PCI))
		return save_dev(s, bdf, err, len);
	ret = unbind_dev(s, bdf, err, len);
	if (ret)
		return ret;
	dev_attr_path(path, sizeof(path), bdf, "driver_override");
	ret = write_attr(path, VFIO_PCI);
	if (ret)
		return errf(err, len, ret, "%s: driver_override: %s", bdf,
			    strerror(-ret));
	ret = write_attr("/sys/bus/pci/drivers_probe", bdf);
	dev_driver(bdf, drv, sizeof(drv));
	if (strcmp(drv, VFIO_PCI))
		return errf(err, len, -ENODEV,
			    "%s: bound to '%s' after drivers_probe (%s), "
			    "want " VFIO_PCI,
			    bdf, drv, ret ? strerror(-ret) : "no error");
	return 0;
}

/* Put one device back on the driver (and override) it had. */
static int restore_dev(const struct saved_dev *d, char *err, size_t len)
{
	char path[PATH_MAX], drv[64];
	int ret;

	dev_driver(d->bdf, drv, sizeof(drv));
	if (*drv && strcmp(drv, d->driver)) {
		dev_attr_path(path, sizeof(path), d->bdf, "driver/unbind");
		ret = write_attr(path, d->bdf);
		if (ret)
			return errf(err, len, ret, "%s: unbind from %s: %s",
				    d->bdf, drv, strerror(-ret));
	}
	dev_attr_path(path, sizeof(path), d->bdf, "driver_override");
	ret = write_attr(path, *d->override ? d->override : "\n");
	if (ret)
		return errf(err, len, ret, "%s: driver_override: %s", d->bdf,
			    strerror(-ret));
	dev_driver(d->bdf, drv, sizeof(drv));
	if (*d->driver && strcmp(drv, d->driver)) {
		if (suite_pathf(path, sizeof(path), PCI_DRIVERS "/%s/bind",
				d->driver))
			return errf(err, len, -ENAMETOOLONG, "%s: path",
				    d->bdf);
		ret = write_attr(path, d->bdf);
		dev_driver(d->bdf, drv, sizeof(drv));
		if (strcmp(drv, d->driver))
			return errf(err, len, ret ? ret : -ENODEV,
				    "%s: rebinding %s: %s", d->bdf, d->driver,
				    ret ? strerror(-ret) : "no driver bound");
	}
	return 0;
}

/* Restore everything in s, last change first; FAIL on what did not. */
static void restore_saved(struct __test_metadata *_metadata, struct saved *s)
{
	char err[512];
	int bad = 0;

	for (size_t i = s->nr_dev; i-- > 0;) {
		if (restore_dev(&s->dev[i], err, sizeof(err))) {
			TH_LOG("restoring the driver binding: %s", err);
			bad++;
		}
	}
	for (size_t i = s->nr_param; i-- > 0;) {
		int ret = write_attr(s->param[i].path, s->param[i].value);

		if (ret) {
			TH_LOG("restoring %s=%s: %s", s->param[i].path,
			       s->param[i].value, strerror(-ret));
			bad++;
		}
	}
	s->nr_dev = s->nr_param = 0;
	EXPECT_EQ(0, bad);
}

/* ---- VFIO ------------------------------------------------------------ */

static int sys_ret(int r)
{
	return r < 0 ? -errno : r;
}

static int open_container(void)
{
	return sys_ret(open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC));
}

static int open_group(long id)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/vfio/%ld", id);
	return sys_ret(open(path, O_RDWR | O_CLOEXEC));
}

static int group_flags(int group)
{
	struct vfio_group_status st = {.argsz = sizeof(st)};

	if (ioctl(group, VFIO_GROUP_GET_STATUS, &st))
		return -errno;
	return st.flags;
}

static int set_container(int group, int container)
{
	return sys_ret(ioctl(group, VFIO_GROUP_SET_CONTAINER, &container));
}

static int unset_container(int group)
{
	return sys_ret(ioctl(group, VFIO_GROUP_UNSET_CONTAINER));
}

static int set_iommu(int container)
{
	return sys_ret(ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
}

static int get_device(int group, const char *bdf)
{
	return sys_ret(ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf));
}

static int dma_map(int container, uint64_t iova, void *va, uint64_t size)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)va,
		.iova = iova,
		.size = size,
	};

	return sys_ret(ioctl(container, VFIO_IOMMU_MAP_DMA, &m));
}

/* Unmap; *done gets the number of bytes the kernel says it unmapped. */
static int dma_unmap(int container, uint64_t iova, uint64_t size,
		     uint32_t flags, uint64_t *done)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u),
		.flags = flags,
		.iova = iova,
		.size = size,
	};
	int ret = sys_ret(ioctl(container, VFIO_IOMMU_UNMAP_DMA, &u));

	if (done)
		*done = ret ? 0 : u.size;
	return ret;
}

static const char *err_str(int r)
{
	return r < 0 ? strerror(-r) : "success";
}

#define test_map(c, iova, va, size)                                            \
	do {                                                                   \
		int __r = dma_map(c, iova, va, size);                          \
		ASSERT_EQ(0, __r)                                              \
		TH_LOG("map IOVA 0x%llx size 0x%llx: %s",                      \
		       (unsigned long long)(iova), (unsigned long long)(size), \
		       err_str(__r));                                          \
	} while (0)

#define test_err_map(err, c, iova, va, size)                                   \
	do {                                                                   \
		int __r = dma_map(c, iova, va, size);                          \
		ASSERT_EQ(-(err), __r)                                         \
		TH_LOG("map IOVA 0x%llx size 0x%llx: %s, want %s",             \
		       (unsigned long long)(iova), (unsigned long long)(size), \
		       err_str(__r), strerror(err));                           \
	} while (0)

/* Unmap [iova, iova + size), which must unmap exactly want bytes. */
#define test_unmap(c, iova, size, flags, want)                                 \
	do {                                                                   \
		uint64_t __done;                                               \
		int __r = dma_unmap(c, iova, size, flags, &__done);            \
		ASSERT_EQ(0, __r)                                              \
		TH_LOG("unmap IOVA 0x%llx size 0x%llx flags 0x%x: %s",         \
		       (unsigned long long)(iova), (unsigned long long)(size), \
		       (unsigned)(flags), err_str(__r));                       \
		ASSERT_EQ((uint64_t)(want), __done)                            \
		TH_LOG("unmap IOVA 0x%llx size 0x%llx: kernel unmapped "       \
		       "0x%llx bytes, want 0x%llx",                            \
		       (unsigned long long)(iova), (unsigned long long)(size), \
		       (unsigned long long)__done,                             \
		       (unsigned long long)(want));                            \
	} while (0)

#define test_err_unmap(err, c, iova, size, flags)                              \
	do {                                                                   \
		int __r = dma_unmap(c, iova, size, flags, NULL);               \
		ASSERT_EQ(-(err), __r)                                         \
		TH_LOG("unmap IOVA 0x%llx size 0x%llx flags 0x%x: %s, "        \
		       "want %s",                                              \
		       (unsigned long long)(iova), (unsigned long long)(size), \
		       (unsigned)(flags), err_str(__r), strerror(err));        \
	} while (0)

/* What VFIO_IOMMU_GET_INFO reports, capabilities decoded. */
struct type1_info {
	uint32_t flags;
	uint64_t pgsizes;
	bool have_ranges;
	size_t nr_ranges;
	struct {
		uint64_t start, end; /* inclusive */
	} range[32];
	bool have_avail;
	uint32_t avail;
};

static int type1_info(int container, struct type1_info *out)
{
	struct vfio_iommu_type1_info *info;
	uint32_t argsz = sizeof(*info);
	int ret = 0;

	memset(out, 0, sizeof(*out));
	for (int tries = 0; tries < 2; tries++) {
		info = calloc(1, argsz);
		if (!info)
			return -ENOMEM;
		info->argsz = argsz;
		if (ioctl(container, VFIO_IOMMU_GET_INFO, info)) {
			ret = -errno;
			free(info);
			return ret;
		}
		if (info->argsz <= argsz)
			break;
		argsz = info->argsz; /* the capability chain needs more */
		free(info);
		info = NULL;
	}
	if (!info)
		return -EOVERFLOW;
	out->flags = info->flags;
	out->pgsizes = info->iova_pgsizes;
	if ((info->flags & VFIO_IOMMU_INFO_CAPS) && info->cap_offset) {
		uint32_t off = info->cap_offset;

		while (off &&
		       off + sizeof(struct vfio_info_cap_header) <= argsz) {
			struct vfio_info_cap_header *h =
				(void *)((char *)info + off);

			if (h->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
				struct vfio_iommu_type1_info_cap_iova_range *r =
					(void *)h;

				out->have_ranges = true;
				for (uint32_t i = 0;
				     i < r->nr_iovas && out->nr_ranges < 32;
				     i++) {
					out->range[out->nr_ranges].start =
						r->iova_ranges[i].start;
					out->range[out->nr_ranges].end =
						r->iova_ranges[i].end;
					out->nr_ranges++;
				}
			} else if (h->id == VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL) {
				struct vfio_iommu_type1_info_dma_avail *a =
					(void *)h;

				out->have_avail = true;
				out->avail = a->avail;
			}
			if (h->next <= off)
				break;
			off = h->next;
		}
	}
	free(info);
	return ret;
}

/*
 * An IOVA for size bytes, aligned, at or above lo, with its last byte at
 * or below hi, inside one usable range.  0 or -1.
 */
static int pick_iova(const struct type1_info *ti, uint64_t size, uint64_t align,
		     uint64_t lo, uint64_t hi, uint64_t *iova)
{
	struct type1_info all = {.nr_ranges = 1};
	const struct type1_info *t = ti->have_ranges ? ti : &all;

	all.range[0].start = 0;
	all.range[0].end = UINT64_MAX;
	for (size_t i = 0; i < t->nr_ranges; i++) {
		uint64_t s = t->range[i].start > lo ? t->range[i].start : lo;
		uint64_t e = t->range[i].end < hi ? t->range[i].end : hi;

		s = (s + align - 1) & ~(align - 1);
		if (s < lo || s > e || e - s < size - 1)
			continue;
		*iova = s;
		return 0;
	}
	return -1;
}

/* Anonymous, page-aligned, populated memory; freed at exit. */
static void *alloc_buf(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * Why a type1v2 container cannot work here, or NULL.  The container needs
 * its backend module loaded (busybox has no request_module helper).
 */
static const char *no_type1(void)
{
	int c, ext;

	if (access(PCI_DRIVERS "/" VFIO_PCI, F_OK))
		return PCI_DRIVERS "/" VFIO_PCI " absent: vfio-pci is not "
				   "loaded (CONFIG_VFIO_PCI, module vfio_pci)";
	c = open_container();
	if (c < 0)
		return "/dev/vfio/vfio cannot be opened: no VFIO container "
		       "(CONFIG_VFIO_CONTAINER, module vfio)";
	ext = ioctl(c, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU);
	close(c);
	if (ext != 1)
		return "the VFIO container offers no type1v2 IOMMU: module "
		       "vfio_iommu_type1 not loaded (CONFIG_VFIO_IOMMU_TYPE1)";
	return NULL;
}

/* The IOMMU kind: IOG_IOMMU, else /sys/class/iommu.  false if unknown. */
static bool iommu_kind(enum model_iommu_kind *kind)
{
	const char *env = getenv("IOG_IOMMU");
	char from[PATH_MAX];

	if (env && *env)
		return !model_iommu_kind_parse(env, kind);
	return !suite_detect_iommu("/sys", kind, from, sizeof(from));
}

/* ---- the kernel log ------------------------------------------------- */

/*
 * How each IOMMU driver reports a translation fault (the line names the
 * device and the faulting address):
 *   VT-d     DMAR: [DMA Write NO_PASID] Request device [00:04.0] fault
 *            addr 0x1080000 [fault reason 0x05] PTE Write access is not set
 *   AMD-Vi   ... Event logged [IO_PAGE_FAULT domain=... address=0x...]
 *            (6.12 names device=0000:00:04.0; 6.1 prefixes the device)
 *   virtio   virtio_iommu virtio0: page fault from EP 32 at 0x1080000 []
 *            (EP: the endpoint ID, the requester ID on x86's VIOT; QEMU
 *            reports one fault per 4 bytes and sets no access flags)
 * Only VT-d's says which way the access went.
 */
static const struct fault_format {
	const char *iommu, *marker, *addr_key;
	bool by_endpoint;
	const char *write_tag, *read_tag;
} fault_formats[] = {
	{"VT-d", "DMAR", "fault addr ", false, "[DMA Write", "[DMA Read"},
	{"AMD-Vi", "IO_PAGE_FAULT", "address=", false, NULL, NULL},
	{"virtio-iommu", "fault from EP ", " at ", true, NULL, NULL},
};

/* "BB:DD.F", and the requester ID, of "DDDD:BB:DD.F". */
static void bdf_short(const char *bdf, char *out, size_t len, unsigned *rid)
{
	unsigned int seg, bus, dev, fn;

	*rid = 0;
	snprintf(out, len, "%s", bdf);
	if (sscanf(bdf, "%x:%x:%x.%x", &seg, &bus, &dev, &fn) == 4) {
		snprintf(out, len, "%02x:%02x.%x", bus, dev, fn);
		*rid = bus << 8 | dev << 3 | fn;
	}
}

/* A fault report naming bdf, iova's page and (if it says) the direction. */
static bool fault_matches(const char *msg, const char *bdf, uint64_t iova,
			  enum iog_dma_dir dir)
{
	char dev[32], ep[32];
	unsigned int rid;

	bdf_short(bdf, dev, sizeof(dev), &rid);
	snprintf(ep, sizeof(ep), "EP %u ", rid);
	for (size_t i = 0; i < ARRAY_SIZE(fault_formats); i++) {
		const struct fault_format *f = &fault_formats[i];
		const char *a;
		uint64_t addr;

		if (!strstr(msg, f->marker))
			continue;
		a = strstr(msg, f->addr_key);
		if (!a)
			continue;
		addr = strtoull(a + strlen(f->addr_key), NULL, 0);
		if (addr / SZ_4K != iova / SZ_4K)
			continue;
		/* The device writing is the IOMMU's write. */
		if (f->write_tag &&
		    !strstr(msg, dir == IOG_DMA_FROM_DEVICE ? f->write_tag
							    : f->read_tag))
			continue;
		if (strstr(msg, f->by_endpoint ? ep : dev))
			return true;
	}
	return false;
}

/*
 * Wait up to timeout_ms for a record naming bdf and iova's page; its
 * message into line.  Also says how many records were read.
 */
static bool kmsg_wait_fault(int fd, const char *bdf, uint64_t iova,
			    enum iog_dma_dir dir, unsigned int timeout_ms,
			    char *line, size_t len, size_t *records)
{
	double t0 = suite_now_us();
	char msg[2048];

	*records = 0;
	line[0] = '\0';
	for (;;) {
		int n = suite_kmsg_next(fd, msg, sizeof(msg));

		if (n > 0) {
			(*records)++;
			if (fault_matches(msg, bdf, iova, dir)) {
				copy_str(line, len, msg);
				return true;
			}
			continue;
		}
		if (n < 0)
			return false;
		if (suite_now_us() - t0 > timeout_ms * 1000.0)
			return false;
		usleep(10000);
	}
}

/* The negative control: leave the probe IOVA mapped. */
static bool map_probe(void)
{
	const char *e = getenv("IOG_EDU_MAP_PROBE");
	char cmdline[4096], *save = NULL;

	if (e && !strcmp(e, "1"))
		return true;
	if (read_attr("/proc/cmdline", cmdline, sizeof(cmdline)))
		return false;
	for (char *t = strtok_r(cmdline, " ", &save); t;
	     t = strtok_r(NULL, " ", &save))
		if (!strcmp(t, "iog.edu_map_probe=1"))
			return true;
	return false;
}

/* ---- the edu device behind vfio-pci -------------------------------- */

enum edu_stage {
	EDU_BOUND, /* the group's devices on vfio-pci */
	EDU_GROUP, /* and the group open, viable */
	EDU_ATTACHED, /* and in a type1v2 container */
	EDU_DEVICE, /* and the device fd open */
	EDU_DMA, /* and the driver up */
};

FIXTURE(edu)
{
	struct saved saved; /* shared: the parent restores it */
	char bdf[BDF_LEN];
	enum model_iommu_kind kind;
	bool kind_known;
	long group_id;
	int container, group, device;
	struct iog_dma_dev dma;
	bool dma_up;
	struct type1_info info;
};

FIXTURE_SETUP(edu)
{
	const char *why;

	self->container = self->group = self->device = -1;
	if (pci_find(edu_ops.vendor, edu_ops.device, self->bdf))
		SKIP(return,
			   "no edu device (%04x:%04x): the topology has no "
			   "DMA engine (-device edu)",
			   edu_ops.vendor, edu_ops.device);
	why = no_type1();
	if (why)
		SKIP(return, "%s", why);
	self->kind_known = iommu_kind(&self->kind);
}

FIXTURE_TEARDOWN_PARENT(edu)
{
	restore_saved(_metadata, &self->saved);
}

/*
 * virtio-iommu on x86 isolates no MSIs: type1 needs allow_unsafe_interrupts
 * (observed-q35.md).  The test's own type1_unsafe_interrupts checks that.
 */
static void allow_unsafe_if_needed(struct __test_metadata *_metadata,
				   struct saved *s, bool kind_known,
				   enum model_iommu_kind kind)
{
	int ret;

	if (!kind_known || kind != MODEL_IOMMU_VIRTIO)
		return;
	ret = set_param(s, TYPE1_PARAM("allow_unsafe_interrupts"), "Y");
	ASSERT_EQ(0, ret)
	TH_LOG("virtio-iommu: setting vfio_iommu_type1 "
	       "allow_unsafe_interrupts=Y: %s",
	       strerror(-ret));
}

/* Bind every device of bdf's group to vfio-pci; the group ID. */
static long bind_group(struct __test_metadata *_metadata, struct saved *s,
		       const char *bdf)
{
	char members[MAX_DEVS][BDF_LEN], err[512];
	long id;
	int n, ret;

	ret = bind_vfio(s, bdf, err, sizeof(err));
	ASSERT_EQ(0, ret) TH_LOG("%s", err);
	/* virtio-iommu groups a device when a driver probes it. */
	id = dev_group(bdf);
	ASSERT_LE(0, id)
	TH_LOG("%s has no IOMMU group although bound to vfio-pci", bdf);
	n = group_members(id, members, MAX_DEVS);
	ASSERT_LT(0, n) TH_LOG("group %ld: cannot list its devices", id);
	ASSERT_GE(MAX_DEVS, n) TH_LOG("group %ld: %d devices", id, n);
	for (int i = 0; i < n; i++) {
		ASSERT_EQ(0, dev_header_type(members[i]))
		TH_LOG("group %ld holds %s, not an endpoint: vfio-pci "
		       "cannot take the whole group",
		       id, members[i]);
		ret = bind_vfio(s, members[i], err, sizeof(err));
		ASSERT_EQ(0, ret) TH_LOG("%s", err);
	}
	return id;
}

static void edu_open(struct __test_metadata *_metadata,
		     FIXTURE_DATA(edu) * self, enum edu_stage upto)
{
	int ret, flags;

	self->group_id = bind_group(_metadata, &self->saved, self->bdf);
	if (upto == EDU_BOUND)
		return;
	self->group = open_group(self->group_id);
	ASSERT_LE(0, self->group)
	TH_LOG("/dev/vfio/%ld: %s", self->group_id, err_str(self->group));
	flags = group_flags(self->group);
	ASSERT_LE(0, flags)
	TH_LOG("VFIO_GROUP_GET_STATUS: %s", err_str(flags));
	ASSERT_TRUE(flags & VFIO_GROUP_FLAGS_VIABLE)
	TH_LOG("group %ld not viable with all its devices on vfio-pci",
	       self->group_id);
	if (upto == EDU_GROUP)
		return;
	self->container = open_container();
	ASSERT_LE(0, self->container)
	TH_LOG("/dev/vfio/vfio: %s", err_str(self->container));
	ASSERT_EQ(1, ioctl(self->container, VFIO_CHECK_EXTENSION,
			   VFIO_TYPE1v2_IOMMU))
	TH_LOG("the container offers no type1v2 IOMMU (module "
	       "vfio_iommu_type1 not loaded?)");
	ret = set_container(self->group, self->container);
	ASSERT_EQ(0, ret)
	TH_LOG("VFIO_GROUP_SET_CONTAINER: %s", err_str(ret));
	allow_unsafe_if_needed(_metadata, &self->saved, self->kind_known,
			       self->kind);
	ret = set_iommu(self->container);
	ASSERT_EQ(0, ret)
	TH_LOG("VFIO_SET_IOMMU type1v2: %s", err_str(ret));
	ret = type1_info(self->container, &self->info);
	ASSERT_EQ(0, ret) TH_LOG("VFIO_IOMMU_GET_INFO: %s", err_str(ret));
	if (upto == EDU_ATTACHED)
		return;
	self->device = get_device(self->group, self->bdf);
	ASSERT_LE(0, self->device)
	TH_LOG("VFIO_GROUP_GET_DEVICE_FD %s: %s", self->bdf,
	       err_str(self->device));
	if (upto == EDU_DEVICE)
		return;
	ret = edu_ops.init(&self->dma, self->device);
	ASSERT_EQ(0, ret) TH_LOG("edu init: %s", self->dma.err);
	self->dma_up = true;
	ret = edu_ops.check(&self->dma);
	ASSERT_EQ(0, ret) TH_LOG("edu check: %s", self->dma.err);
}

static void edu_close(FIXTURE_DATA(edu) * self)
{
	if (self->dma_up)
		self->dma.ops->remove(&self->dma);
	self->dma_up = false;
	if (self->device >= 0)
		close(self->device);
	if (self->group >= 0)
		close(self->group);
	if (self->container >= 0)
		close(self->container);
	self->device = self->group = self->container = -1;
}

/* ---- container and group ------------------------------------------- */

TEST_F(edu, container_api)
{
	int c, flags, ret, dev;

	edu_open(_metadata, self, EDU_GROUP);
	c = open_container();
	ASSERT_LE(0, c) TH_LOG("/dev/vfio/vfio: %s", err_str(c));
	self->container = c;
	ASSERT_EQ(VFIO_API_VERSION, ioctl(c, VFIO_GET_API_VERSION));
	ASSERT_EQ(1, ioctl(c, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU));
	flags = group_flags(self->group);
	EXPECT_EQ(VFIO_GROUP_FLAGS_VIABLE, flags)
	TH_LOG("a fresh group: flags 0x%x, want VIABLE only", flags);

	/* Nothing to choose an IOMMU for without a group. */
	ret = set_iommu(c);
	EXPECT_EQ(-EINVAL, ret)
	TH_LOG("VFIO_SET_IOMMU on an empty container: %s, want %s",
	       err_str(ret), strerror(EINVAL));
	/* No device before the group has an IOMMU. */
	dev = get_device(self->group, self->bdf);
	EXPECT_GT(0, dev)
	TH_LOG("VFIO_GROUP_GET_DEVICE_FD without a container: %s, want "
	       "an error",
	       err_str(dev));
	if (dev >= 0)
		close(dev);

	ret = set_container(self->group, c);
	ASSERT_EQ(0, ret) TH_LOG("VFIO_GROUP_SET_CONTAINER: %s", err_str(ret));
	flags = group_flags(self->group);
	EXPECT_EQ(VFIO_GROUP_FLAGS_VIABLE | VFIO_GROUP_FLAGS_CONTAINER_SET,
		  flags)
	TH_LOG("in a container: flags 0x%x, want VIABLE|CONTAINER_SET", flags);
	ret = set_container(self->group, c);
	EXPECT_EQ(-EINVAL, ret)
	TH_LOG("a second VFIO_GROUP_SET_CONTAINER: %s, want %s", err_str(ret),
	       strerror(EINVAL));
	dev = get_device(self->group, self->bdf);
	EXPECT_GT(0, dev)
	TH_LOG("VFIO_GROUP_GET_DEVICE_FD before VFIO_SET_IOMMU: %s, want "
	       "an error",
	       err_str(dev));
	if (dev >= 0)
		close(dev);

	allow_unsafe_if_needed(_metadata, &self->saved, self->kind_known,
			       self->kind);
	ret = set_iommu(c);
	ASSERT_EQ(0, ret) TH_LOG("VFIO_SET_IOMMU type1v2: %s", err_str(ret));
	ret = set_iommu(c);
	EXPECT_EQ(-EINVAL, ret)
	TH_LOG("a second VFIO_SET_IOMMU: %s, want %s", err_str(ret),
	       strerror(EINVAL));
	dev = get_device(self->group, self->bdf);
	ASSERT_LE(0, dev)
	TH_LOG("VFIO_GROUP_GET_DEVICE_FD: %s", err_str(dev));
	/* An open device keeps its group in the container. */
	ret = unset_container(self->group);
	EXPECT_EQ(-EBUSY, ret)
	TH_LOG("VFIO_GROUP_UNSET_CONTAINER with a device open: %s, want %s",
	       err_str(ret), strerror(EBUSY));
	close(dev);
	ret = unset_container(self->group);
	EXPECT_EQ(0, ret)
	TH_LOG("VFIO_GROUP_UNSET_CONTAINER: %s", err_str(ret));
	flags = group_flags(self->group);
	EXPECT_EQ(VFIO_GROUP_FLAGS_VIABLE, flags)
	TH_LOG("out of the container: flags 0x%x, want VIABLE only", flags);
	edu_close(self);
}

#define ATTACH_CYCLES 9

TEST_F(edu, attach_detach_cycles)
{
	double attach[ATTACH_CYCLES], detach[ATTACH_CYCLES];
	void *buf;
	int ret;

	edu_open(_metadata, self, EDU_GROUP);
	self->container = open_container();
	ASSERT_LE(0, self->container);
	allow_unsafe_if_needed(_metadata, &self->saved, self->kind_known,
			       self->kind);
	buf = alloc_buf(SZ_4K);
	ASSERT_NE(NULL, buf);
	for (int i = 0; i < ATTACH_CYCLES; i++) {
		double t0 = suite_now_us(), t1, t2;
		int dev, flags;

		ret = set_container(self->group, self->container);
		ASSERT_EQ(0, ret)
		TH_LOG("cycle %d: VFIO_GROUP_SET_CONTAINER: %s", i,
		       err_str(ret));
		ret = set_iommu(self->container);
		t1 = suite_now_us();
		ASSERT_EQ(0, ret)
		TH_LOG("cycle %d: VFIO_SET_IOMMU: %s", i, err_str(ret));
		attach[i] = t1 - t0;
		flags = group_flags(self->group);
		ASSERT_TRUE(flags > 0 &&
			    (flags & VFIO_GROUP_FLAGS_CONTAINER_SET))
		TH_LOG("cycle %d: attached, flags 0x%x", i, flags);
		/* The new domain works: a mapping, and a device. */
		test_map(self->container, SZ_16M, buf, SZ_4K);
		dev = get_device(self->group, self->bdf);
		ASSERT_LE(0, dev)
		TH_LOG("cycle %d: VFIO_GROUP_GET_DEVICE_FD: %s", i,
		       err_str(dev));
		close(dev);
		/* Detaching the last group drops the mapping with the domain.
		 */
		t2 = suite_now_us();
		ret = unset_container(self->group);
		detach[i] = suite_now_us() - t2;
		ASSERT_EQ(0, ret)
		TH_LOG("cycle %d: VFIO_GROUP_UNSET_CONTAINER: %s", i,
		       err_str(ret));
		flags = group_flags(self->group);
		ASSERT_EQ(VFIO_GROUP_FLAGS_VIABLE, flags)
		TH_LOG("cycle %d: detached, flags 0x%x", i, flags);
		/* Without a group the container has no IOMMU to map with. */
		ret = dma_map(self->container, SZ_16M, buf, SZ_4K);
		ASSERT_NE(0, ret)
		TH_LOG("cycle %d: map after the last group left: %s, want an "
		       "error",
		       i, err_str(ret));
	}
	metric("vfio_group_attach", suite_median(attach, ATTACH_CYCLES), "us");
	metric("vfio_group_detach", suite_median(detach, ATTACH_CYCLES), "us");
	edu_close(self);
}

/* ---- the type1 IOMMU: info, map and unmap ------------------------- */

static bool resv_blocks(enum sysfs_resv_type t)
{
	/* Relaxable direct mappings may be given up for VFIO. */
	return t != SYSFS_RESV_DIRECT_RELAXABLE;
}

TEST_F(edu, iommu_info)
{
	struct sysfs_resv_list resv = {0};
	char err[256], limit[32];
	struct type1_info *ti = &self->info, after;
	size_t overlaps = 0;
	uint64_t iova;
	void *page;
	int ret;

	edu_open(_metadata, self, EDU_ATTACHED);
	ASSERT_TRUE(ti->flags & VFIO_IOMMU_INFO_PGSIZES)
	TH_LOG("VFIO_IOMMU_GET_INFO: no page sizes (flags 0x%x)", ti->flags);
	EXPECT_TRUE(ti->pgsizes & SZ_4K)
	TH_LOG("page sizes 0x%llx lack 4 KiB", (unsigned long long)ti->pgsizes);
	EXPECT_EQ(0, ti->pgsizes & (SZ_4K - 1))
	TH_LOG("page sizes 0x%llx below 4 KiB",
	       (unsigned long long)ti->pgsizes);
	TH_LOG("page sizes 0x%llx", (unsigned long long)ti->pgsizes);

	/* The usable ranges leave out the group's reserved regions. */
	ASSERT_TRUE(ti->have_ranges)
	TH_LOG("no IOVA range capability (added in 5.4)");
	ASSERT_LT(0, ti->nr_ranges);
	ret = group_resv(self->group_id, &resv, err, sizeof(err));
	ASSERT_EQ(0, ret) TH_LOG("%s", err);
	for (size_t i = 0; i < ti->nr_ranges; i++) {
		TH_LOG("IOVA range 0x%016llx-0x%016llx",
		       (unsigned long long)ti->range[i].start,
		       (unsigned long long)ti->range[i].end);
		EXPECT_LE(ti->range[i].start, ti->range[i].end);
		if (i)
			EXPECT_LT(ti->range[i - 1].end, ti->range[i].start)
		TH_LOG("ranges %zu and %zu out of order or overlapping", i - 1,
		       i);
		for (size_t j = 0; j < resv.nr; j++) {
			const struct sysfs_resv_region *r = &resv.regions[j];

			if (!resv_blocks(r->type) ||
			    r->end < ti->range[i].start ||
			    r->start > ti->range[i].end)
				continue;
			TH_LOG("IOVA range 0x%llx-0x%llx overlaps reserved "
			       "region 0x%llx-0x%llx %s of group %ld",
			       (unsigned long long)ti->range[i].start,
			       (unsigned long long)ti->range[i].end,
			       (unsigned long long)r->start,
			       (unsigned long long)r->end,
			       sysfs_resv_type_name(r->type), self->group_id);
			overlaps++;
		}
	}
	sysfs_resv_list_free(&resv);
	EXPECT_EQ(0, overlaps);

	/* dma_avail counts down from the module's dma_entry_limit. */
	ASSERT_TRUE(ti->have_avail)
	TH_LOG("no DMA_AVAIL capability (added in 5.10)");
	ret = read_attr(TYPE1_PARAM("dma_entry_limit"), limit, sizeof(limit));
	ASSERT_EQ(0, ret) TH_LOG("dma_entry_limit: %s", err_str(ret));
	EXPECT_EQ(strtoul(limit, NULL, 10), ti->avail)
	TH_LOG("dma_avail %u of an empty container, dma_entry_limit %s",
	       ti->avail, limit);
	page = alloc_buf(SZ_4K);
	ASSERT_NE(NULL, page);
	ASSERT_EQ(0, pick_iova(ti, SZ_4K, SZ_4K, SZ_16M, UINT64_MAX, &iova));
	test_map(self->container, iova, page, SZ_4K);
	ASSERT_EQ(0, type1_info(self->container, &after));
	EXPECT_EQ(ti->avail - 1, after.avail)
	TH_LOG("dma_avail %u after one mapping, %u before", after.avail,
	       ti->avail);
	test_unmap(self->container, iova, SZ_4K, 0, SZ_4K);
	ASSERT_EQ(0, type1_info(self->container, &after));
	EXPECT_EQ(ti->avail, after.avail)
	TH_LOG("dma_avail %u after unmapping, %u before", after.avail,
	       ti->avail);
	edu_close(self);
}

TEST_F(edu, map_unmap_semantics)
{
	const struct type1_info *ti = &self->info;
	uint64_t base, msi = 0;
	char err[256];
	struct sysfs_resv_list resv = {0};
	struct type1_info now;
	uint8_t *mem;

	edu_open(_metadata, self, EDU_ATTACHED);
	ASSERT_EQ(0, pick_iova(ti, SZ_1M, SZ_1M, SZ_16M, UINT64_MAX, &base))
	TH_LOG("no free megabyte of IOVA above 16 MiB");
	mem = alloc_buf(SZ_1M);
	ASSERT_NE(NULL, mem);

	/* Malformed requests. */
	test_err_map(EINVAL, self->container, base, mem, 0);
	test_err_map(EINVAL, self->container, base + 1, mem, SZ_4K);
	test_err_map(EINVAL, self->container, base, mem + 1, SZ_4K);
	test_err_map(EINVAL, self->container, base, mem, SZ_4K + 1);

	/* Overlaps: any page already mapped refuses the whole request. */
	test_map(self->container, base + SZ_64K, mem, SZ_64K);
	test_err_map(EEXIST, self->container, base + SZ_64K, mem, SZ_64K);
	test_err_map(EEXIST, self->container, base + SZ_64K + SZ_4K, mem,
		     SZ_4K);
	test_err_map(EEXIST, self->container, base + SZ_64K - SZ_4K, mem,
		     2 * SZ_4K);
	test_err_map(EEXIST, self->container, base + 2 * SZ_64K - SZ_4K, mem,
		     2 * SZ_4K);
	test_err_map(EEXIST, self->container, base, mem, 4 * SZ_64K);
	/* Adjacent is not overlapping. */
	test_map(self->container, base + 2 * SZ_64K, mem + SZ_64K, SZ_64K);
	test_map(self->container, base + SZ_64K - SZ_4K, mem + 2 * SZ_64K,
		 SZ_4K);

	/* type1v2 unmaps whole mappings only: no bisecting one. */
	test_err_unmap(EINVAL, self->container, base + SZ_64K, SZ_4K, 0);
	test_err_unmap(EINVAL, self->container, base + SZ_64K + SZ_4K,
		       SZ_64K - SZ_4K, 0);
	test_err_unmap(EINVAL, self->container, base + SZ_64K, SZ_64K + SZ_4K,
		       0);
	/* Nothing there: success, nothing unmapped. */
	test_unmap(self->container, base + 4 * SZ_64K, SZ_64K, 0, 0);
	/* Partial: one mapping of three, then a range holding two. */
	test_unmap(self->container, base + SZ_64K - SZ_4K, SZ_4K, 0, SZ_4K);
	ASSERT_EQ(0, type1_info(self->container, &now));
	EXPECT_EQ(ti->avail - 2, now.avail)
	TH_LOG("dma_avail %u with two mappings, %u empty", now.avail,
	       ti->avail);
	test_map(self->container, base + SZ_64K - SZ_4K, mem + 2 * SZ_64K,
		 SZ_4K);
	/* Full: a range covering all three, holes included. */
	test_unmap(self->container, base, 4 * SZ_64K, 0, 2 * SZ_64K + SZ_4K);
	ASSERT_EQ(0, type1_info(self->container, &now));
	EXPECT_EQ(ti->avail, now.avail)
	TH_LOG("dma_avail %u after unmapping everything, %u empty", now.avail,
	       ti->avail);
	/* A freed range maps again. */
	test_map(self->container, base + SZ_64K, mem, SZ_64K);
	test_unmap(self->container, base + SZ_64K, SZ_64K, 0, SZ_64K);

	/* The MSI window is not for mapping. */
	ASSERT_EQ(0, group_resv(self->group_id, &resv, err, sizeof(err)))
	TH_LOG("%s", err);
	for (size_t i = 0; i < resv.nr && !msi; i++)
		if (resv.regions[i].type == SYSFS_RESV_MSI)
			msi = resv.regions[i].start;
	sysfs_resv_list_free(&resv);
	if (msi)
		test_err_map(EINVAL, self->container, msi, mem, SZ_4K);
	else
		TH_LOG("group %ld reports no msi region: not mapping into one",
		       self->group_id);
	edu_close(self);
}

TEST_F(edu, unmap_all)
{
	uint64_t base, done;
	struct type1_info now;
	uint8_t *mem;

	edu_open(_metadata, self, EDU_ATTACHED);
	if (ioctl(self->container, VFIO_CHECK_EXTENSION, VFIO_UNMAP_ALL) != 1)
		SKIP(return, "no VFIO_UNMAP_ALL extension (added in 5.12)");
	ASSERT_EQ(0, pick_iova(&self->info, 8 * SZ_64K, SZ_64K, SZ_16M,
			       UINT64_MAX, &base));
	mem = alloc_buf(8 * SZ_64K);
	ASSERT_NE(NULL, mem);
	for (int i = 0; i < 8; i += 2)
		test_map(self->container, base + i * SZ_64K, mem + i * SZ_64K,
			 SZ_64K);
	/* FLAG_ALL takes neither an IOVA nor a size. */
	test_err_unmap(EINVAL, self->container, base, 0,
		       VFIO_DMA_UNMAP_FLAG_ALL);
	test_err_unmap(EINVAL, self->container, 0, SZ_64K,
		       VFIO_DMA_UNMAP_FLAG_ALL);
	ASSERT_EQ(0, dma_unmap(self->container, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL,
			       &done));
	EXPECT_EQ(4 * SZ_64K, done)
	TH_LOG("unmap all: 0x%llx bytes unmapped, want 0x%llx",
	       (unsigned long long)done, 4 * SZ_64K);
	ASSERT_EQ(0, type1_info(self->container, &now));
	EXPECT_EQ(self->info.avail, now.avail);
	/* Nothing left: everything maps again. */
	test_map(self->container, base, mem, 8 * SZ_64K);
	test_unmap(self->container, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, 8 * SZ_64K);
	edu_close(self);
}

TEST_F(edu, dma_entry_limit)
{
	uint64_t base;
	struct type1_info now;
	uint8_t *mem;
	int ret;

	/* A container takes the limit when it gets its IOMMU. */
	ret = set_param(&self->saved, TYPE1_PARAM("dma_entry_limit"), "4");
	ASSERT_EQ(0, ret) TH_LOG("dma_entry_limit=4: %s", err_str(ret));
	edu_open(_metadata, self, EDU_ATTACHED);
	EXPECT_EQ(4, self->info.avail);
	ASSERT_EQ(0, pick_iova(&self->info, 8 * SZ_4K, SZ_4K, SZ_16M,
			       UINT64_MAX, &base));
	mem = alloc_buf(8 * SZ_4K);
	ASSERT_NE(NULL, mem);
	/* Every other page, so that no two mappings could merge. */
	for (int i = 0; i < 8; i += 2)
		test_map(self->container, base + i * SZ_4K, mem + i * SZ_4K,
			 SZ_4K);
	ASSERT_EQ(0, type1_info(self->container, &now));
	EXPECT_EQ(0, now.avail);
	test_err_map(ENOSPC, self->container, base + SZ_4K, mem + SZ_4K, SZ_4K);
	test_unmap(self->container, base, SZ_4K, 0, SZ_4K);
	test_map(self->container, base + SZ_4K, mem + SZ_4K, SZ_4K);
	edu_close(self);
}

/* Mappings per round, per size; the median of ROUNDS rounds. */
#define ROUNDS 5
static const struct {
	const char *name;
	uint64_t size;
	int count;
} rate_sizes[] = {
	{"4KiB", SZ_4K, 64},
	{"64KiB", SZ_64K, 32},
	{"2MiB", SZ_2M, 8},
};

TEST_F(edu, map_unmap_rate)
{
	edu_open(_metadata, self, EDU_ATTACHED);
	for (size_t s = 0; s < ARRAY_SIZE(rate_sizes); s++) {
		uint64_t size = rate_sizes[s].size, base;
		int n = rate_sizes[s].count;
		double map[ROUNDS], unmap[ROUNDS];
		char name[64];
		uint8_t *mem;

		ASSERT_EQ(0, pick_iova(&self->info, n * size, SZ_2M,
				       16 * SZ_16M, UINT64_MAX, &base));
		mem = alloc_buf(n * size);
		ASSERT_NE(NULL, mem);
		for (int r = 0; r < ROUNDS; r++) {
			double t0 = suite_now_us(), t1;

			for (int i = 0; i < n; i++)
				test_map(self->container, base + i * size,
					 mem + i * size, size);
			t1 = suite_now_us();
			for (int i = 0; i < n; i++)
				test_unmap(self->container, base + i * size,
					   size, 0, size);
			map[r] = n / ((t1 - t0) / 1e6);
			unmap[r] = n / ((suite_now_us() - t1) / 1e6);
		}
		snprintf(name, sizeof(name), "vfio_map_rate_%s",
			 rate_sizes[s].name);
		metric(name, suite_median(map, ROUNDS), "maps/s");
		snprintf(name, sizeof(name), "vfio_unmap_rate_%s",
			 rate_sizes[s].name);
		metric(name, suite_median(unmap, ROUNDS), "unmaps/s");
		munmap(mem, n * size);
	}
	edu_close(self);
}

/* ---- interrupt isolation ------------------------------------------- */

TEST_F(edu, type1_unsafe_interrupts)
{
	const char *param = TYPE1_PARAM("allow_unsafe_interrupts");
	int ret;

	if (!self->kind_known)
		SKIP(return, "IOMMU kind unknown: IOG_IOMMU unset and "
			     "/sys/class/iommu says nothing");
	if (access(param, W_OK))
		SKIP(return, "%s not writable", param);
	ret = set_param(&self->saved, param, "N");
	ASSERT_EQ(0, ret) TH_LOG("%s=N: %s", param, err_str(ret));
	edu_open(_metadata, self, EDU_GROUP);
	self->container = open_container();
	ASSERT_LE(0, self->container);
	ASSERT_EQ(0, set_container(self->group, self->container));
	ret = set_iommu(self->container);
	if (self->kind != MODEL_IOMMU_VIRTIO) {
		/* Interrupt remapping isolates MSIs: nothing to allow. */
		EXPECT_EQ(0, ret)
		TH_LOG("%s with interrupt remapping and "
		       "allow_unsafe_interrupts=N: VFIO_SET_IOMMU %s, want "
		       "success",
		       model_iommu_kind_name(self->kind), err_str(ret));
		edu_close(self);
		return;
	}
	/* virtio-iommu on x86 remaps no interrupts (observed-q35.md). */
	EXPECT_EQ(-EPERM, ret)
	TH_LOG("virtio-iommu, allow_unsafe_interrupts=N: VFIO_SET_IOMMU %s, "
	       "want %s",
	       err_str(ret), strerror(EPERM));
	ret = set_param(&self->saved, param, "Y");
	ASSERT_EQ(0, ret) TH_LOG("%s=Y: %s", param, err_str(ret));
	ret = set_iommu(self->container);
	EXPECT_EQ(0, ret)
	TH_LOG("virtio-iommu, allow_unsafe_interrupts=Y: VFIO_SET_IOMMU %s, "
	       "want success",
	       err_str(ret));
	edu_close(self);
}

/* ---- DMA by the edu engine ---------------------------------------- */

/* The DMA window: 1 MiB of usable IOVA the engine can address. */
struct dma_layout {
	uint64_t src, dst, probe; /* IOVAs of three pages */
};

static void dma_layout(struct __test_metadata *_metadata,
		       FIXTURE_DATA(edu) * self, struct dma_layout *l)
{
	uint64_t base;

	ASSERT_EQ(0, pick_iova(&self->info, SZ_1M, SZ_1M, SZ_16M,
			       self->dma.dma_mask, &base))
	TH_LOG("no free megabyte of IOVA between 16 MiB and the engine's "
	       "DMA mask 0x%llx",
	       (unsigned long long)self->dma.dma_mask);
	l->src = base;
	l->dst = base + SZ_64K;
	/* Far from the others: a stray write would not land on them. */
	l->probe = base + SZ_1M / 2;
}

static int dma_copy(struct iog_dma_dev *d, enum iog_dma_dir dir, uint64_t iova,
		    size_t off, size_t len)
{
	int ret = d->ops->copy_start(d, dir, iova, off, len);

	return ret ? ret : d->ops->copy_wait(d, DMA_TIMEOUT_MS);
}

#define test_copy(self, dir, iova, off, len)                               \
	do {                                                               \
		int __r = dma_copy(&(self)->dma, dir, iova, off, len);     \
		ASSERT_EQ(0, __r)                                          \
		TH_LOG("%s copy of %zu bytes, IOVA 0x%llx, device offset " \
		       "%zu: %s",                                          \
		       (dir) == IOG_DMA_TO_DEVICE ? "to-device"            \
						  : "from-device",         \
		       (size_t)(len), (unsigned long long)(iova),          \
		       (size_t)(off), (self)->dma.err);                    \
	} while (0)

/* Words with both end bits set: never zero, never a fill pattern. */
static void fill_secret(uint64_t *w, size_t n, uint64_t seed)
{
	uint64_t x = seed | 1;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		w[i] = x | 0x8000000000000001ULL;
	}
}

static uint64_t seed(void)
{
	return (uint64_t)suite_now_us() ^ ((uint64_t)getpid() << 32);
}

TEST_F(edu, dma_mapped_copy)
{
	struct dma_layout l;
	uint8_t *src, *dst;
	size_t bad = 0, len;

	edu_open(_metadata, self, EDU_DMA);
	dma_layout(_metadata, self, &l);
	len = self->dma.mem_size;
	src = alloc_buf(SZ_4K);
	dst = alloc_buf(SZ_4K);
	ASSERT_TRUE(src && dst);
	test_map(self->container, l.src, src, SZ_4K);
	test_map(self->container, l.dst, dst, SZ_4K);

	fill_secret((uint64_t *)src, SZ_4K / 8, seed());
	memset(dst, 0xee, SZ_4K);
	test_copy(self, IOG_DMA_TO_DEVICE, l.src, 0, len);
	test_copy(self, IOG_DMA_FROM_DEVICE, l.dst, 0, len);
	EXPECT_EQ(0, memcmp(src, dst, len))
	TH_LOG("a page copied to the device and back differs");

	/* Offsets and lengths are honoured: 100 bytes, 0x100 -> 0x200. */
	memset(dst, 0xee, SZ_4K);
	test_copy(self, IOG_DMA_FROM_DEVICE, l.dst + 0x200, 0x100, 100);
	for (size_t i = 0; i < SZ_4K; i++) {
		bool in = i >= 0x200 && i < 0x200 + 100;

		bad += dst[i] != (in ? src[i - 0x100] : 0xee);
	}
	EXPECT_EQ(0, bad)
	TH_LOG("100 bytes from device offset 0x100 to IOVA offset 0x200: "
	       "%zu bytes of the page wrong",
	       bad);
	EXPECT_EQ(0, edu_ops.check(&self->dma))
	TH_LOG("after the copies: %s", self->dma.err);
	edu_close(self);
}

/*
 * QEMU's amd-iommu logs no IO_PAGE_FAULT event when the page-table entry
 * for the IOVA is zero: hw/i386/amd_iommu.c amdvi_page_walk() returns
 * without amdvi_page_fault() (7.2; later versions drop the call).
 */
static bool fault_unreported(const FIXTURE_DATA(edu) * self)
{
	char vendor[64];

	return self->kind_known && self->kind == MODEL_IOMMU_AMD &&
	       !read_attr("/sys/class/dmi/id/sys_vendor", vendor,
			  sizeof(vendor)) &&
	       !strcmp(vendor, "QEMU");
}

/* Wait for the fault of a copy; TH_LOG the evidence or its absence. */
static bool expect_fault(struct __test_metadata *_metadata, int kmsg,
			 const char *bdf, uint64_t iova, enum iog_dma_dir dir)
{
	const char *what = dir == IOG_DMA_FROM_DEVICE ? "write" : "read";
	size_t records;
	char line[1024];
	bool found;

	found = kmsg_wait_fault(kmsg, bdf, iova, dir, FAULT_TIMEOUT_MS, line,
				sizeof(line), &records);
	if (found)
		TH_LOG("IOMMU fault reported for the device's %s: %s", what,
		       line);
	else
		TH_LOG("no IOMMU fault for %s's %s at IOVA 0x%llx in %zu new "
		       "kernel log records within %d ms",
		       bdf, what, (unsigned long long)iova, records,
		       FAULT_TIMEOUT_MS);
	return found;
}

/*
 * Before the tests below: QEMU's virtio-iommu reports one fault per 4
 * bytes, and the driver's ratelimited report (10 per 5 s) then drops
 * the rest for 5 s.  So this test copies 4 bytes, and comes first.
 */
TEST_F(edu, dma_unmapped_fault_reported)
{
	bool leave_mapped = map_probe();
	struct dma_layout l;
	bool w, r;
	int kmsg;

	if (fault_unreported(self))
		SKIP(return, "QEMU's amd-iommu reports no IO_PAGE_FAULT for an "
			     "IOVA whose page-table entry is zero "
			     "(hw/i386/amd_iommu.c amdvi_page_walk returns "
			     "without amdvi_page_fault): no fault can reach "
			     "the kernel log");
	edu_open(_metadata, self, EDU_DMA);
	dma_layout(_metadata, self, &l);
	if (leave_mapped) {
		void *probe = alloc_buf(SZ_4K);

		ASSERT_NE(NULL, probe);
		test_map(self->container, l.probe, probe, SZ_4K);
		TH_LOG("negative control (IOG_EDU_MAP_PROBE=1 or "
		       "iog.edu_map_probe=1): probe IOVA 0x%llx mapped, this "
		       "test must fail",
		       (unsigned long long)l.probe);
	}
	kmsg = suite_kmsg_open();
	ASSERT_LE(0, kmsg) TH_LOG("/dev/kmsg: %s", strerror(errno));
	test_copy(self, IOG_DMA_FROM_DEVICE, l.probe, 0, 4);
	w = expect_fault(_metadata, kmsg, self->bdf, l.probe,
			 IOG_DMA_FROM_DEVICE);
	test_copy(self, IOG_DMA_TO_DEVICE, l.probe, 0, 4);
	r = expect_fault(_metadata, kmsg, self->bdf, l.probe,
			 IOG_DMA_TO_DEVICE);
	close(kmsg);
	EXPECT_TRUE(w);
	EXPECT_TRUE(r);
	EXPECT_EQ(0, edu_ops.check(&self->dma))
	TH_LOG("after the faults: %s", self->dma.err);
	edu_close(self);
}

TEST_F(edu, dma_unmapped_write_blocked)
{
	bool leave_mapped = map_probe();
	struct dma_layout l;
	uint8_t *src, *probe;
	size_t changed = 0, len;

	edu_open(_metadata, self, EDU_DMA);
	dma_layout(_metadata, self, &l);
	len = self->dma.mem_size;
	src = alloc_buf(SZ_4K);
	probe = alloc_buf(SZ_4K);
	ASSERT_TRUE(src && probe);
	test_map(self->container, l.src, src, SZ_4K);
	test_map(self->container, l.probe, probe, SZ_4K);

	/* While mapped, the device's writes reach the probe page. */
	fill_secret((uint64_t *)src, SZ_4K / 8, seed());
	memset(probe, 0xc3, SZ_4K);
	test_copy(self, IOG_DMA_TO_DEVICE, l.src, 0, len);
	test_copy(self, IOG_DMA_FROM_DEVICE, l.probe, 0, len);
	ASSERT_EQ(0, memcmp(src, probe, len))
	TH_LOG("a write to the mapped probe IOVA did not arrive: the "
	       "isolation check below would prove nothing");

	/*
	 * Unmapped, with the page still ours: a stale translation would
	 * write the device's new data into it.
	 */
	fill_secret((uint64_t *)src, SZ_4K / 8, seed() + 1);
	test_copy(self, IOG_DMA_TO_DEVICE, l.src, 0, len);
	memset(probe, 0xc3, SZ_4K);
	if (leave_mapped)
		TH_LOG("negative control (IOG_EDU_MAP_PROBE=1 or "
		       "iog.edu_map_probe=1): probe IOVA 0x%llx left mapped, "
		       "this test must fail",
		       (unsigned long long)l.probe);
	else
		test_unmap(self->container, l.probe, SZ_4K, 0, SZ_4K);
	test_copy(self, IOG_DMA_FROM_DEVICE, l.probe, 0, len);
	for (size_t i = 0; i < SZ_4K; i++)
		changed += probe[i] != 0xc3;
	EXPECT_EQ(0, changed)
	TH_LOG("a device write to unmapped IOVA 0x%llx reached memory: %zu "
	       "bytes of the page once mapped there changed",
	       (unsigned long long)l.probe, changed);
	EXPECT_EQ(0, edu_ops.check(&self->dma))
	TH_LOG("after the blocked write: %s", self->dma.err);
	edu_close(self);
}

TEST_F(edu, dma_unmapped_read_blocked)
{
	bool leave_mapped = map_probe();
	struct dma_layout l;
	uint64_t *src, *dst, *secret;
	size_t leaked = 0, zero = 0, fill = 0, n, len;

	edu_open(_metadata, self, EDU_DMA);
	dma_layout(_metadata, self, &l);
	len = self->dma.mem_size;
	n = len / 8;
	src = alloc_buf(SZ_4K);
	dst = alloc_buf(SZ_4K);
	secret = alloc_buf(SZ_4K);
	ASSERT_TRUE(src && dst && secret);
	test_map(self->container, l.src, src, SZ_4K);
	test_map(self->container, l.dst, dst, SZ_4K);
	test_map(self->container, l.probe, secret, SZ_4K);

	/* While mapped, the device reads the secret page. */
	fill_secret(secret, SZ_4K / 8, seed());
	test_copy(self, IOG_DMA_TO_DEVICE, l.probe, 0, len);
	test_copy(self, IOG_DMA_FROM_DEVICE, l.dst, 0, len);
	ASSERT_EQ(0, memcmp(dst, secret, len))
	TH_LOG("a read from the mapped probe IOVA did not arrive: the "
	       "isolation check below would prove nothing");

	/* Overwrite the device's copy, unmap, read again. */
	for (size_t i = 0; i < n; i++)
		src[i] = 0x0f0f0f0f0f0f0f0eULL;
	test_copy(self, IOG_DMA_TO_DEVICE, l.src, 0, len);
	if (leave_mapped)
		TH_LOG("negative control (IOG_EDU_MAP_PROBE=1 or "
		       "iog.edu_map_probe=1): probe IOVA 0x%llx left mapped, "
		       "this test must fail",
		       (unsigned long long)l.probe);
	else
		test_unmap(self->container, l.probe, SZ_4K, 0, SZ_4K);
	test_copy(self, IOG_DMA_TO_DEVICE, l.probe, 0, len);
	memset(dst, 0, SZ_4K);
	test_copy(self, IOG_DMA_FROM_DEVICE, l.dst, 0, len);
	for (size_t i = 0; i < n; i++) {
		leaked += dst[i] == secret[i];
		zero += !dst[i];
		fill += dst[i] == src[i];
	}
	TH_LOG("device memory after the read from unmapped IOVA 0x%llx: "
	       "%zu words zero, %zu the earlier fill, %zu the secret",
	       (unsigned long long)l.probe, zero, fill, leaked);
	EXPECT_EQ(0, leaked)
	TH_LOG("the device read %zu words of the secret through unmapped "
	       "IOVA 0x%llx",
	       leaked, (unsigned long long)l.probe);
	EXPECT_EQ(0, edu_ops.check(&self->dma))
	TH_LOG("after the blocked read: %s", self->dma.err);
	edu_close(self);
}

/* ---- iommufd ------------------------------------------------------- */

/*
 * The iommufd user API (linux/iommufd.h, 6.2+) and VFIO's device cdev
 * (6.6+).  Neither packaged kernel is built with CONFIG_IOMMUFD
 * (spec/observed-q35.md): there the tests SKIP saying so; a kernel from
 * `make check KERNEL_SRC=` (kernel/iog.config) runs them.  They check the
 * iommufd side of group ownership: a device bound through its cdev and
 * its group's legacy fd exclude each other, an IOAS a device is attached
 * to leaves out the group's reserved regions and takes them back on
 * detach, and the device's DMA reaches mapped IOVA and nothing else.
 */

/* The device's VFIO cdev (/dev/vfio/devices/vfioN) into path.  0 or -1. */
static int vfio_cdev(const char *bdf, char *path, size_t len)
{
	char dir[PATH_MAX];
	struct dirent *e;
	int ret = -1;
	DIR *d;

	if (dev_attr_path(dir, sizeof(dir), bdf, "vfio-dev"))
		return -1;
	d = opendir(dir);
	if (!d)
		return -1;
	while (ret && (e = readdir(d)))
		if (!strncmp(e->d_name, "vfio", 4) &&
		    !suite_pathf(path, len, "/dev/vfio/devices/%s", e->d_name))
			ret = access(path, F_OK) ? -1 : 0;
	closedir(d);
	return ret;
}

/*
 * Why the iommufd tests cannot run on this kernel, into why; false if
 * they can.  bdf (bound to vfio-pci) names the device whose cdev is
 * needed, NULL when only /dev/iommu is.
 */
static bool no_iommufd(const char *bdf, char *cdev, size_t cdev_len, char *why,
		       size_t len)
{
	bool iommu = !access("/dev/iommu", F_OK);
	bool have_cdev = bdf && !vfio_cdev(bdf, cdev, cdev_len);
	char release[128];
	struct sysfs_kver v;

	sysfs_kver_running(&v, release, sizeof(release));
	if (!iommu && bdf && !have_cdev)
		snprintf(why, len,
			 "%s has no iommufd: no /dev/iommu (CONFIG_IOMMUFD) "
			 "and no VFIO device cdev for %s under "
			 "/dev/vfio/devices/ (CONFIG_VFIO_DEVICE_CDEV)",
			 release, bdf);
	else if (!iommu)
		snprintf(why, len,
			 "%s has no iommufd: no /dev/iommu (CONFIG_IOMMUFD "
			 "unset, or module iommufd not loaded)",
			 release);
	else if (bdf && !have_cdev)
		snprintf(why, len,
			 "%s: /dev/iommu but no VFIO device cdev for %s under "
			 "/dev/vfio/devices/ (CONFIG_VFIO_DEVICE_CDEV unset)",
			 release, bdf);
	else if (!HAVE_IOMMUFD_UAPI)
		snprintf(why, len,
			 "built against UAPI headers without linux/iommufd.h "
			 "or VFIO_DEVICE_BIND_IOMMUFD (6.6+): cannot drive "
			 "%s's iommufd",
			 release);
	else
		return false;
	return true;
}

#if HAVE_IOMMUFD_UAPI
static int ioas_alloc(int fd, uint32_t *id)
{
	struct iommu_ioas_alloc a = {.size = sizeof(a)};
	int ret = sys_ret(ioctl(fd, IOMMU_IOAS_ALLOC, &a));

	*id = ret ? 0 : a.out_ioas_id;
	return ret;
}

static int iommufd_destroy(int fd, uint32_t id)
{
	struct iommu_destroy d = {.size = sizeof(d), .id = id};

	return sys_ret(ioctl(fd, IOMMU_DESTROY, &d));
}

/*
 * Map len bytes at va, readable and writeable.  With fixed, at *iova;
 * otherwise the kernel picks the IOVA and *iova gets it.
 */
static int ioas_map(int fd, uint32_t ioas, bool fixed, void *va, uint64_t len,
		    uint64_t *iova)
{
	struct iommu_ioas_map m = {
		.size = sizeof(m),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE |
			 (fixed ? IOMMU_IOAS_MAP_FIXED_IOVA : 0),
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = fixed ? *iova : 0,
	};
	int ret = sys_ret(ioctl(fd, IOMMU_IOAS_MAP, &m));

	if (!ret)
		*iova = m.iova;
	return ret;
}

/* Unmap; *done gets the number of bytes the kernel says it unmapped. */
static int ioas_unmap(int fd, uint32_t ioas, uint64_t iova, uint64_t len,
		      uint64_t *done)
{
	struct iommu_ioas_unmap u = {
		.size = sizeof(u),
		.ioas_id = ioas,
		.iova = iova,
		.length = len,
	};
	int ret = sys_ret(ioctl(fd, IOMMU_IOAS_UNMAP, &u));

	if (done)
		*done = ret ? 0 : u.length;
	return ret;
}

/* The IOAS's usable IOVA ranges, in type1_info's shape for pick_iova. */
static int ioas_ranges(int fd, uint32_t ioas, struct type1_info *out,
		       uint64_t *align)
{
	struct iommu_iova_range r[32];
	struct iommu_ioas_iova_ranges q = {
		.size = sizeof(q),
		.ioas_id = ioas,
		.num_iovas = 32,
		.allowed_iovas = (uintptr_t)r,
	};
	int ret = sys_ret(ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &q));

	memset(out, 0, sizeof(*out));
	if (ret)
		return ret;
	out->have_ranges = true;
	for (uint32_t i = 0; i < q.num_iovas; i++) {
		out->range[i].start = r[i].start;
		out->range[i].end = r[i].last;
	}
	out->nr_ranges = q.num_iovas;
	*align = q.out_iova_alignment;
	return 0;
}

static int cdev_bind(int dev, int fd, uint32_t *devid)
{
	struct vfio_device_bind_iommufd b = {
		.argsz = sizeof(b),
		.iommufd = fd,
	};
	int ret = sys_ret(ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &b));

	*devid = ret ? 0 : b.out_devid;
	return ret;
}

/* Attach to (or replace with) pt; *hwpt gets the page table used. */
static int cdev_attach(int dev, uint32_t pt, uint32_t *hwpt)
{
	struct vfio_device_attach_iommufd_pt a = {
		.argsz = sizeof(a),
		.pt_id = pt,
	};
	int ret = sys_ret(ioctl(dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a));

	if (hwpt)
		*hwpt = ret ? 0 : a.pt_id;
	return ret;
}

static int cdev_detach(int dev)
{
	struct vfio_device_detach_iommufd_pt d = {.argsz = sizeof(d)};

	return sys_ret(ioctl(dev, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d));
}

#define test_ioas_map(fd, ioas, iova, va, len)                                \
	do {                                                                  \
		uint64_t __iova = (iova);                                     \
		int __r = ioas_map(fd, ioas, true, va, len, &__iova);         \
		ASSERT_EQ(0, __r)                                             \
		TH_LOG("IOMMU_IOAS_MAP IOVA 0x%llx length 0x%llx: %s",        \
		       (unsigned long long)(iova), (unsigned long long)(len), \
		       err_str(__r));                                         \
	} while (0)

#define test_err_ioas_map(err, fd, ioas, iova, va, len)                       \
	do {                                                                  \
		uint64_t __iova = (iova);                                     \
		int __r = ioas_map(fd, ioas, true, va, len, &__iova);         \
		ASSERT_EQ(-(err), __r)                                        \
		TH_LOG("IOMMU_IOAS_MAP IOVA 0x%llx length 0x%llx: %s, want "  \
		       "%s",                                                  \
		       (unsigned long long)(iova), (unsigned long long)(len), \
		       err_str(__r), strerror(err));                          \
	} while (0)

/* Unmap [iova, iova + len), which must unmap exactly want bytes. */
#define test_ioas_unmap(fd, ioas, iova, len, want)                            \
	do {                                                                  \
		uint64_t __done;                                              \
		int __r = ioas_unmap(fd, ioas, iova, len, &__done);           \
		ASSERT_EQ(0, __r)                                             \
		TH_LOG("IOMMU_IOAS_UNMAP IOVA 0x%llx length 0x%llx: %s",      \
		       (unsigned long long)(iova), (unsigned long long)(len), \
		       err_str(__r));                                         \
		ASSERT_EQ((uint64_t)(want), __done)                           \
		TH_LOG("IOMMU_IOAS_UNMAP IOVA 0x%llx length 0x%llx: kernel "  \
		       "unmapped 0x%llx bytes, want 0x%llx",                  \
		       (unsigned long long)(iova), (unsigned long long)(len), \
		       (unsigned long long)__done,                            \
		       (unsigned long long)(want));                           \
	} while (0)

#define test_err_ioas_unmap(err, fd, ioas, iova, len)                          \
	do {                                                                   \
		int __r = ioas_unmap(fd, ioas, iova, len, NULL);               \
		ASSERT_EQ(-(err), __r)                                         \
		TH_LOG("IOMMU_IOAS_UNMAP IOVA 0x%llx length 0x%llx: %s, want " \
		       "%s",                                                   \
		       (unsigned long long)(iova), (unsigned long long)(len),  \
		       err_str(__r), strerror(err));                           \
	} while (0)

/* An IOAS no device is attached to offers all of the IOVA space. */
static bool ioas_unrestricted(struct __test_metadata *_metadata, int fd,
			      uint32_t ioas, const char *when)
{
	struct type1_info t;
	uint64_t align;
	int ret = ioas_ranges(fd, ioas, &t, &align);

	EXPECT_EQ(0, ret)
	TH_LOG("IOMMU_IOAS_IOVA_RANGES %s: %s", when, err_str(ret));
	if (ret)
		return false;
	EXPECT_TRUE(t.nr_ranges == 1 && !t.range[0].start &&
		    t.range[0].end == UINT64_MAX)
	TH_LOG("IOAS %u %s: %zu ranges, the first 0x%llx-0x%llx; want one, "
	       "0x0-0xffffffffffffffff",
	       ioas, when, t.nr_ranges,
	       (unsigned long long)(t.nr_ranges ? t.range[0].start : 0),
	       (unsigned long long)(t.nr_ranges ? t.range[0].end : 0));
	return t.nr_ranges == 1 && !t.range[0].start &&
	       t.range[0].end == UINT64_MAX;
}

/*
 * Every range the attached IOAS offers leaves out the group's blocking
 * reserved regions (those of its one device: iommufd reserves the
 * regions of the devices attached, the group's file merges all).  The
 * number of overlaps.
 */
static size_t ranges_overlap_resv(struct __test_metadata *_metadata,
				  const struct type1_info *t, long group)
{
	struct sysfs_resv_list resv = {0};
	size_t overlaps = 0;
	char err[256];

	if (group_resv(group, &resv, err, sizeof(err))) {
		TH_LOG("%s", err);
		return 1;
	}
	for (size_t i = 0; i < t->nr_ranges; i++) {
		TH_LOG("IOAS IOVA range 0x%016llx-0x%016llx",
		       (unsigned long long)t->range[i].start,
		       (unsigned long long)t->range[i].end);
		for (size_t j = 0; j < resv.nr; j++) {
			const struct sysfs_resv_region *r = &resv.regions[j];

			if (!resv_blocks(r->type) ||
			    r->end < t->range[i].start ||
			    r->start > t->range[i].end)
				continue;
			TH_LOG("IOAS range 0x%llx-0x%llx overlaps reserved "
			       "region 0x%llx-0x%llx %s of group %ld",
			       (unsigned long long)t->range[i].start,
			       (unsigned long long)t->range[i].end,
			       (unsigned long long)r->start,
			       (unsigned long long)r->end,
			       sysfs_resv_type_name(r->type), group);
			overlaps++;
		}
	}
	sysfs_resv_list_free(&resv);
	return overlaps;
}

/* The group's first MSI region, or 0. */
static uint64_t group_msi(long group)
{
	struct sysfs_resv_list resv = {0};
	uint64_t msi = 0;
	char err[256];

	if (group_resv(group, &resv, err, sizeof(err)))
		return 0;
	for (size_t i = 0; i < resv.nr && !msi; i++)
		if (resv.regions[i].type == SYSFS_RESV_MSI)
			msi = resv.regions[i].start;
	sysfs_resv_list_free(&resv);
	return msi;
}

/* virtio-iommu on x86 isolates no MSIs: iommufd refuses it too. */
static void iommufd_unsafe_if_needed(struct __test_metadata *_metadata,
				     FIXTURE_DATA(edu) * self)
{
	const char *p = "/sys/module/iommufd/parameters/"
			"allow_unsafe_interrupts";
	int ret;

	if (!self->kind_known || self->kind != MODEL_IOMMU_VIRTIO)
		return;
	ret = set_param(&self->saved, p, "Y");
	ASSERT_EQ(0, ret)
	TH_LOG("virtio-iommu: setting %s=Y: %s", p, strerror(-ret));
}
#endif

/*
 * /dev/iommu alone: an IOAS, its IOVA space, map and unmap semantics.
 * They differ from type1's: an unmap must cover whole mappings or fails
 * with ENOENT, and so does one that finds nothing.
 */
TEST_F(edu, iommufd_ioas_map_unmap)
{
	char why[512];
#if HAVE_IOMMUFD_UAPI
	uint64_t base = SZ_16M, iova, done;
	uint32_t ioas;
	uint8_t *mem;
	int fd, ret;
#endif

	if (no_iommufd(NULL, NULL, 0, why, sizeof(why)))
		SKIP(return, "%s", why);
#if HAVE_IOMMUFD_UAPI
	fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("/dev/iommu: %s", strerror(errno));
	ret = ioas_alloc(fd, &ioas);
	ASSERT_EQ(0, ret) TH_LOG("IOMMU_IOAS_ALLOC: %s", err_str(ret));
	ASSERT_NE(0, ioas) TH_LOG("IOMMU_IOAS_ALLOC returned object ID 0");
	ioas_unrestricted(_metadata, fd, ioas, "with no device attached");
	mem = alloc_buf(SZ_1M);
	ASSERT_NE(NULL, mem);

	/* Overlaps: any byte already mapped refuses the whole request. */
	test_ioas_map(fd, ioas, base + SZ_64K, mem, SZ_64K);
	test_err_ioas_map(EEXIST, fd, ioas, base + SZ_64K, mem, SZ_64K);
	test_err_ioas_map(EEXIST, fd, ioas, base + SZ_64K + SZ_4K, mem, SZ_4K);
	test_err_ioas_map(EEXIST, fd, ioas, base + SZ_64K - SZ_4K, mem,
			  2 * SZ_4K);
	test_err_ioas_map(EEXIST, fd, ioas, base, mem, 4 * SZ_64K);
	/* Adjacent is not overlapping. */
	test_ioas_map(fd, ioas, base + 2 * SZ_64K, mem + SZ_64K, SZ_64K);

	/* Without IOMMU_IOAS_MAP_FIXED_IOVA the kernel picks a free IOVA. */
	ret = ioas_map(fd, ioas, false, mem + 2 * SZ_64K, SZ_64K, &iova);
	ASSERT_EQ(0, ret) TH_LOG("IOMMU_IOAS_MAP anywhere: %s", err_str(ret));
	EXPECT_TRUE(iova + SZ_64K <= base + SZ_64K || iova >= base + 3 * SZ_64K)
	TH_LOG("the kernel placed 64 KiB at IOVA 0x%llx, over the mappings "
	       "at 0x%llx-0x%llx",
	       (unsigned long long)iova, (unsigned long long)(base + SZ_64K),
	       (unsigned long long)(base + 3 * SZ_64K - 1));
	EXPECT_EQ(0, iova & (SZ_4K - 1))
	TH_LOG("the kernel placed 64 KiB at unaligned IOVA 0x%llx",
	       (unsigned long long)iova);
	test_ioas_unmap(fd, ioas, iova, SZ_64K, SZ_64K);

	/* Whole mappings only: no bisecting one, no holes alone. */
	test_err_ioas_unmap(ENOENT, fd, ioas, base + SZ_64K, SZ_4K);
	test_err_ioas_unmap(ENOENT, fd, ioas, base + SZ_64K + SZ_4K,
			    SZ_64K - SZ_4K);
	test_err_ioas_unmap(ENOENT, fd, ioas, base + 4 * SZ_64K, SZ_64K);
	/* A range covering two mappings and a hole takes both. */
	test_ioas_unmap(fd, ioas, base, 4 * SZ_64K, 2 * SZ_64K);
	/* A freed range maps again; unmap-all (0, U64_MAX) takes it. */
	test_ioas_map(fd, ioas, base + SZ_64K, mem, SZ_64K);
	test_ioas_map(fd, ioas, base + SZ_1M, mem, SZ_4K);
	ret = ioas_unmap(fd, ioas, 0, UINT64_MAX, &done);
	EXPECT_EQ(0, ret) TH_LOG("IOMMU_IOAS_UNMAP all: %s", err_str(ret));
	EXPECT_EQ(SZ_64K + SZ_4K, done)
	TH_LOG("IOMMU_IOAS_UNMAP all unmapped 0x%llx bytes, want 0x%llx",
	       (unsigned long long)done, SZ_64K + SZ_4K);

	/* IOMMU_DESTROY frees the object; its ID then names nothing. */
	ret = iommufd_destroy(fd, ioas);
	EXPECT_EQ(0, ret)
	TH_LOG("IOMMU_DESTROY IOAS %u: %s", ioas, err_str(ret));
	ret = iommufd_destroy(fd, ioas);
	EXPECT_EQ(-ENOENT, ret)
	TH_LOG("IOMMU_DESTROY of destroyed IOAS %u: %s, want %s", ioas,
	       err_str(ret), strerror(ENOENT));
	close(fd);
#endif
}

/*
 * The device's cdev: bind, attach, replace, detach, and the group's
 * ownership rules across the two interfaces.
 */
TEST_F(edu, iommufd_device_attach)
{
	char cdev[PATH_MAX], why[512];
#if HAVE_IOMMUFD_UAPI
	uint32_t devid, ioas, ioas2, hwpt;
	struct type1_info t;
	uint64_t align, msi, iova;
	double t0, t_attach, t_detach;
	int fd, dev, group, ret;
	uint8_t *page;
#endif

	edu_open(_metadata, self, EDU_BOUND);
	if (no_iommufd(self->bdf, cdev, sizeof(cdev), why, sizeof(why)))
		SKIP(return, "%s", why);
#if HAVE_IOMMUFD_UAPI
	iommufd_unsafe_if_needed(_metadata, self);
	fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("/dev/iommu: %s", strerror(errno));

	/* While the group's legacy fd is open, the cdev cannot bind. */
	group = open_group(self->group_id);
	ASSERT_LE(0, group)
	TH_LOG("/dev/vfio/%ld: %s", self->group_id, err_str(group));
	dev = open(cdev, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev) TH_LOG("%s: %s", cdev, strerror(errno));
	ret = cdev_bind(dev, fd, &devid);
	EXPECT_EQ(-EBUSY, ret)
	TH_LOG("VFIO_DEVICE_BIND_IOMMUFD with /dev/vfio/%ld open: %s, want "
	       "%s",
	       self->group_id, err_str(ret), strerror(EBUSY));
	close(dev);
	close(group);

	/* An unbound cdev takes no other ioctl. */
	dev = open(cdev, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev) TH_LOG("%s: %s", cdev, strerror(errno));
	ret = ioas_alloc(fd, &ioas);
	ASSERT_EQ(0, ret) TH_LOG("IOMMU_IOAS_ALLOC: %s", err_str(ret));
	ret = cdev_attach(dev, ioas, NULL);
	EXPECT_EQ(-EINVAL, ret)
	TH_LOG("VFIO_DEVICE_ATTACH_IOMMUFD_PT before the bind: %s, want %s",
	       err_str(ret), strerror(EINVAL));

	ret = cdev_bind(dev, fd, &devid);
	ASSERT_EQ(0, ret)
	TH_LOG("VFIO_DEVICE_BIND_IOMMUFD %s: %s", cdev, err_str(ret));
	EXPECT_NE(0, devid) TH_LOG("the bind returned device ID 0");
	TH_LOG("%s (%s) bound to iommufd as device %u", cdev, self->bdf, devid);
	/* And while the cdev is bound, the group's fd cannot open. */
	group = open_group(self->group_id);
	EXPECT_EQ(-EBUSY, group)
	TH_LOG("opening /dev/vfio/%ld while %s is bound: %s, want %s",
	       self->group_id, cdev, err_str(group), strerror(EBUSY));
	if (group >= 0)
		close(group);

	/* Attach: the IOAS now leaves out the reserved regions. */
	t0 = suite_now_us();
	ret = cdev_attach(dev, ioas, &hwpt);
	t_attach = suite_now_us() - t0;
	ASSERT_EQ(0, ret)
	TH_LOG("VFIO_DEVICE_ATTACH_IOMMUFD_PT IOAS %u: %s", ioas, err_str(ret));
	TH_LOG("attached to IOAS %u through page table %u", ioas, hwpt);
	ret = ioas_ranges(fd, ioas, &t, &align);
	ASSERT_EQ(0, ret)
	TH_LOG("IOMMU_IOAS_IOVA_RANGES: %s", err_str(ret));
	ASSERT_LT(0, t.nr_ranges) TH_LOG("an attached IOAS with no IOVA");
	EXPECT_LE(SZ_4K, align)
	TH_LOG("IOVA alignment %llu with a domain attached, want at least "
	       "the smallest IOMMU page",
	       (unsigned long long)align);
	if (group_members(self->group_id, NULL, 0) == 1) {
		EXPECT_EQ(0,
			  ranges_overlap_resv(_metadata, &t, self->group_id));
	} else {
		TH_LOG("group %ld has several devices: the reserved regions "
		       "of %s alone are not known, not comparing",
		       self->group_id, self->bdf);
	}
	page = alloc_buf(SZ_4K);
	ASSERT_NE(NULL, page);
	msi = group_msi(self->group_id);
	if (msi)
		test_err_ioas_map(EINVAL, fd, ioas, msi, page, SZ_4K);
	else
		TH_LOG("group %ld reports no msi region: not mapping into one",
		       self->group_id);
	ASSERT_EQ(0, pick_iova(&t, SZ_4K, SZ_4K, SZ_16M, UINT64_MAX, &iova));
	test_ioas_map(fd, ioas, iova, page, SZ_4K);

	/* An IOAS in use is not destroyed. */
	ret = iommufd_destroy(fd, ioas);
	EXPECT_EQ(-EBUSY, ret)
	TH_LOG("IOMMU_DESTROY of IOAS %u while attached: %s, want %s", ioas,
	       err_str(ret), strerror(EBUSY));

	/* Replace: attach to another IOAS; the first gets its space back. */
	ret = ioas_alloc(fd, &ioas2);
	ASSERT_EQ(0, ret) TH_LOG("IOMMU_IOAS_ALLOC: %s", err_str(ret));
	ret = cdev_attach(dev, ioas2, &hwpt);
	EXPECT_EQ(0, ret)
	TH_LOG("VFIO_DEVICE_ATTACH_IOMMUFD_PT replacing IOAS %u by %u: %s",
	       ioas, ioas2, err_str(ret));
	ioas_unrestricted(_metadata, fd, ioas, "after the device moved away");
	test_ioas_unmap(fd, ioas, iova, SZ_4K, SZ_4K);

	/* Detach: the second IOAS gets its space back too. */
	t0 = suite_now_us();
	ret = cdev_detach(dev);
	t_detach = suite_now_us() - t0;
	EXPECT_EQ(0, ret)
	TH_LOG("VFIO_DEVICE_DETACH_IOMMUFD_PT: %s", err_str(ret));
	ioas_unrestricted(_metadata, fd, ioas2, "after the detach");
	metric("iommufd_device_attach", t_attach, "us");
	metric("iommufd_device_detach", t_detach, "us");
	EXPECT_EQ(0, iommufd_destroy(fd, ioas2));
	EXPECT_EQ(0, iommufd_destroy(fd, ioas));
	close(dev);
	close(fd);
	/* Closing the cdev unbinds it: the group opens again. */
	group = open_group(self->group_id);
	EXPECT_LE(0, group)
	TH_LOG("/dev/vfio/%ld after the cdev closed: %s", self->group_id,
	       err_str(group));
	if (group >= 0)
		close(group);
#endif
	edu_close(self);
}

/*
 * DMA by the edu device through an IOAS: a mapped copy arrives and is
 * verified; once its IOVA is unmapped, the device's write reaches no
 * memory.  IOG_EDU_MAP_PROBE=1 (the negative control) leaves the probe
 * mapped, and the isolation check must fail.
 */
TEST_F(edu, iommufd_dma)
{
	char cdev[PATH_MAX], why[512];
#if HAVE_IOMMUFD_UAPI
	bool leave_mapped = map_probe();
	uint8_t *src, *dst, *probe;
	uint64_t base, align, s, d, p;
	struct type1_info t;
	uint32_t devid, ioas;
	size_t len, changed = 0;
	int fd, dev, ret;
#endif

	edu_open(_metadata, self, EDU_BOUND);
	if (no_iommufd(self->bdf, cdev, sizeof(cdev), why, sizeof(why)))
		SKIP(return, "%s", why);
#if HAVE_IOMMUFD_UAPI
	iommufd_unsafe_if_needed(_metadata, self);
	fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("/dev/iommu: %s", strerror(errno));
	dev = open(cdev, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev) TH_LOG("%s: %s", cdev, strerror(errno));
	ret = cdev_bind(dev, fd, &devid);
	ASSERT_EQ(0, ret)
	TH_LOG("VFIO_DEVICE_BIND_IOMMUFD %s: %s", cdev, err_str(ret));
	ret = ioas_alloc(fd, &ioas);
	ASSERT_EQ(0, ret) TH_LOG("IOMMU_IOAS_ALLOC: %s", err_str(ret));
	ret = cdev_attach(dev, ioas, NULL);
	ASSERT_EQ(0, ret)
	TH_LOG("VFIO_DEVICE_ATTACH_IOMMUFD_PT IOAS %u: %s", ioas, err_str(ret));
	ret = ioas_ranges(fd, ioas, &t, &align);
	ASSERT_EQ(0, ret) TH_LOG("IOMMU_IOAS_IOVA_RANGES: %s", err_str(ret));

	ret = edu_ops.init(&self->dma, dev);
	ASSERT_EQ(0, ret) TH_LOG("edu init: %s", self->dma.err);
	self->dma_up = true;
	ASSERT_EQ(0, pick_iova(&t, SZ_1M, SZ_1M, SZ_16M, self->dma.dma_mask,
			       &base))
	TH_LOG("no free megabyte of IOVA between 16 MiB and the engine's "
	       "DMA mask 0x%llx",
	       (unsigned long long)self->dma.dma_mask);
	s = base;
	d = base + SZ_64K;
	p = base + SZ_1M / 2;
	len = self->dma.mem_size;
	src = alloc_buf(SZ_4K);
	dst = alloc_buf(SZ_4K);
	probe = alloc_buf(SZ_4K);
	ASSERT_TRUE(src && dst && probe);
	test_ioas_map(fd, ioas, s, src, SZ_4K);
	test_ioas_map(fd, ioas, d, dst, SZ_4K);
	test_ioas_map(fd, ioas, p, probe, SZ_4K);

	/* A page to the device and back, through the IOAS. */
	fill_secret((uint64_t *)src, SZ_4K / 8, seed());
	memset(dst, 0xee, SZ_4K);
	test_copy(self, IOG_DMA_TO_DEVICE, s, 0, len);
	test_copy(self, IOG_DMA_FROM_DEVICE, d, 0, len);
	EXPECT_EQ(0, memcmp(src, dst, len))
	TH_LOG("a page copied to the device and back through IOAS %u "
	       "differs",
	       ioas);

	/* The probe takes the device's writes while mapped... */
	memset(probe, 0xc3, SZ_4K);
	test_copy(self, IOG_DMA_FROM_DEVICE, p, 0, len);
	ASSERT_EQ(0, memcmp(src, probe, len))
	TH_LOG("a write to the mapped probe IOVA did not arrive: the "
	       "isolation check below would prove nothing");
	/* ...and none once unmapped, though the page is still ours. */
	fill_secret((uint64_t *)src, SZ_4K / 8, seed() + 1);
	test_copy(self, IOG_DMA_TO_DEVICE, s, 0, len);
	memset(probe, 0xc3, SZ_4K);
	if (leave_mapped)
		TH_LOG("negative control (IOG_EDU_MAP_PROBE=1 or "
		       "iog.edu_map_probe=1): probe IOVA 0x%llx left mapped, "
		       "this test must fail",
		       (unsigned long long)p);
	else
		test_ioas_unmap(fd, ioas, p, SZ_4K, SZ_4K);
	test_copy(self, IOG_DMA_FROM_DEVICE, p, 0, len);
	for (size_t i = 0; i < SZ_4K; i++)
		changed += probe[i] != 0xc3;
	EXPECT_EQ(0, changed)
	TH_LOG("a device write to IOVA 0x%llx, unmapped from IOAS %u, "
	       "reached memory: %zu bytes of the page once mapped there "
	       "changed",
	       (unsigned long long)p, ioas, changed);
	EXPECT_EQ(0, edu_ops.check(&self->dma))
	TH_LOG("after the copies: %s", self->dma.err);

	edu_ops.remove(&self->dma);
	self->dma_up = false;
	ret = ioas_unmap(fd, ioas, 0, UINT64_MAX, NULL);
	EXPECT_EQ(0, ret) TH_LOG("IOMMU_IOAS_UNMAP all: %s", err_str(ret));
	ret = cdev_detach(dev);
	EXPECT_EQ(0, ret)
	TH_LOG("VFIO_DEVICE_DETACH_IOMMUFD_PT: %s", err_str(ret));
	close(dev);
	close(fd);
#endif
	edu_close(self);
}

/* ---- viability: a group is the unit of ownership ------------------- */

FIXTURE(pair)
{
	struct saved saved; /* shared: the parent restores it */
	long group_id;
	char members[MAX_DEVS][BDF_LEN];
	int nr;
	char a[BDF_LEN]; /* goes to vfio-pci first */
	char b[BDF_LEN]; /* a sibling with a kernel driver */
	char b_driver[64];
	enum model_iommu_kind kind;
	bool kind_known;
};

/*
 * A group of endpoints, one of which has a kernel driver and none of
 * which is storage (it could hold the machine's root filesystem).
 */
static bool pick_pair(FIXTURE_DATA(pair) * self)
{
	struct dirent **list = NULL;
	int n = scandir(GROUPS_DIR, &list, NULL, alphasort);
	bool found = false;

	for (int i = 0; i < n; i++) {
		long id = strtol(list[i]->d_name, NULL, 10);
		int nr, drv_at = -1;
		bool ok;

		if (found || list[i]->d_name[0] == '.')
			goto next;
		nr = group_members(id, self->members, MAX_DEVS);
		ok = nr >= 2 && nr <= MAX_DEVS;
		for (int j = 0; ok && j < nr; j++) {
			char drv[64];

			ok = dev_header_type(self->members[j]) == 0 &&
			     (dev_hex(self->members[j], "class") >> 16) != 0x01;
			dev_driver(self->members[j], drv, sizeof(drv));
			if (*drv && strcmp(drv, VFIO_PCI) && drv_at < 0)
				drv_at = j;
		}
		if (ok && drv_at >= 0) {
			self->group_id = id;
			self->nr = nr;
			snprintf(self->b, BDF_LEN, "%s", self->members[drv_at]);
			snprintf(self->a, BDF_LEN, "%s",
				 self->members[drv_at ? 0 : 1]);
			dev_driver(self->b, self->b_driver,
				   sizeof(self->b_driver));
			found = true;
		}
	next:
		free(list[i]);
	}
	free(list);
	return found;
}

FIXTURE_SETUP(pair)
{
	const char *why = no_type1();

	if (why)
		SKIP(return, "%s", why);
	if (!pick_pair(self))
		SKIP(return, "no IOMMU group of two or more endpoints with one "
			     "on a kernel driver (and no storage): nothing to "
			     "make non-viable (the q35-dma-* topologies have a "
			     "multifunction e1000e pair)");
	self->kind_known = iommu_kind(&self->kind);
	TH_LOG("group %ld: %s to vfio-pci first, sibling %s on %s",
	       self->group_id, self->a, self->b, self->b_driver);
}

FIXTURE_TEARDOWN_PARENT(pair)
{
	restore_saved(_metadata, &self->saved);
}

TEST_F(pair, viability_follows_sibling_driver)
{
	char err[512];
	int group, c, flags, ret, dev;

	ret = bind_vfio(&self->saved, self->a, err, sizeof(err));
	ASSERT_EQ(0, ret) TH_LOG("%s", err);
	group = open_group(self->group_id);
	ASSERT_LE(0, group)
	TH_LOG("/dev/vfio/%ld: %s", self->group_id, err_str(group));
	flags = group_flags(group);
	EXPECT_EQ(0, flags)
	TH_LOG("group %ld with %s on %s: flags 0x%x, want 0 (not viable)",
	       self->group_id, self->b, self->b_driver, flags);
	c = open_container();
	ASSERT_LE(0, c);
	/* iommu_group_claim_dma_owner: the sibling's driver holds it. */
	ret = set_container(group, c);
	EXPECT_EQ(-EPERM, ret)
	TH_LOG("VFIO_GROUP_SET_CONTAINER of a non-viable group: %s, want %s",
	       err_str(ret), strerror(EPERM));
	if (!ret)
		unset_container(group);

	for (int i = 0; i < self->nr; i++) {
		ret = bind_vfio(&self->saved, self->members[i], err,
				sizeof(err));
		ASSERT_EQ(0, ret) TH_LOG("%s", err);
	}
	flags = group_flags(group);
	EXPECT_EQ(VFIO_GROUP_FLAGS_VIABLE, flags)
	TH_LOG("group %ld all on vfio-pci: flags 0x%x, want VIABLE",
	       self->group_id, flags);
	ret = set_container(group, c);
	ASSERT_EQ(0, ret)
	TH_LOG("VFIO_GROUP_SET_CONTAINER of the viable group: %s",
	       err_str(ret));
	allow_unsafe_if_needed(_metadata, &self->saved, self->kind_known,
			       self->kind);
	ret = set_iommu(c);
	ASSERT_EQ(0, ret) TH_LOG("VFIO_SET_IOMMU: %s", err_str(ret));
	dev = get_device(group, self->a);
	EXPECT_LE(0, dev)
	TH_LOG("VFIO_GROUP_GET_DEVICE_FD %s: %s", self->a, err_str(dev));
	if (dev >= 0)
		close(dev);
	close(group);
	close(c);
}

TEST_F(pair, kernel_driver_refused_while_owned)
{
	char err[512], path[PATH_MAX], drv[64];
	int group, c, ret, dev;

	for (int i = 0; i < self->nr; i++) {
		ret = bind_vfio(&self->saved, self->members[i], err,
				sizeof(err));
		ASSERT_EQ(0, ret) TH_LOG("%s", err);
	}
	group = open_group(self->group_id);
	ASSERT_LE(0, group);
	c = open_container();
	ASSERT_LE(0, c);
	ASSERT_EQ(0, set_container(group, c));
	allow_unsafe_if_needed(_metadata, &self->saved, self->kind_known,
			       self->kind);
	ASSERT_EQ(0, set_iommu(c));
	dev = get_device(group, self->a);
	ASSERT_LE(0, dev) TH_LOG("%s: %s", self->a, err_str(dev));

	/* Userspace owns the group's DMA: no kernel driver may probe. */
	ret = unbind_dev(&self->saved, self->b, err, sizeof(err));
	ASSERT_EQ(0, ret) TH_LOG("%s", err);
	ASSERT_EQ(0, suite_pathf(path, sizeof(path), PCI_DRIVERS "/%s/bind",
				 self->b_driver));
	ret = write_attr(path, self->b);
	dev_driver(self->b, drv, sizeof(drv));
	TH_LOG("binding %s to %s while group %ld is owned by userspace: %s, "
	       "driver now '%s'",
	       self->b, self->b_driver, self->group_id, err_str(ret), drv);
	EXPECT_STREQ("", drv)
	TH_LOG("%s bound %s inside a group userspace owns", self->b_driver,
	       self->b);
	EXPECT_NE(0, ret);
	close(dev);
	close(group);
	close(c);
	/* The teardown binds it again: ownership must have gone with us. */
}

TEST_HARNESS_MAIN
