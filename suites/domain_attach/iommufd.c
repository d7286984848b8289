// SPDX-License-Identifier: GPL-2.0-only
/*
 * domain_attach's iommufd part.  The iommufd user API (linux/iommufd.h,
 * 6.2+) and VFIO's device cdev (6.6+).  Neither packaged kernel is built
 * with CONFIG_IOMMUFD (spec/observed-q35.md): there the tests SKIP saying
 * so; a kernel from `make check KERNEL_SRC=` (kernel/iog.config) runs
 * them.  They check the iommufd side of group ownership: a device bound
 * through its cdev and its group's legacy fd exclude each other, an IOAS
 * a device is attached to leaves out the group's reserved regions and
 * takes them back on detach, and the device's DMA reaches mapped IOVA and
 * nothing else.
 */
#include "ksft_helpers.h"

#include <dirent.h>
#include <fcntl.h>

#include "domain_attach.h"

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
int ioas_map(int fd, uint32_t ioas, bool fixed, void *va, uint64_t len,
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
int ioas_unmap(int fd, uint32_t ioas, uint64_t iova, uint64_t len,
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

/* The operations' two forms (domain_attach.h says how they behave). */
#define test_open_iommufd()                                        \
	({                                                         \
		int __fd = open("/dev/iommu", O_RDWR | O_CLOEXEC); \
		ASSERT_LE(0, __fd)                                 \
		TH_LOG("/dev/iommu: %s", strerror(errno));         \
		__fd;                                              \
	})

#define test_open_cdev(path)                                                  \
	({                                                                    \
		int __fd = open(path, O_RDWR | O_CLOEXEC);                    \
		ASSERT_LE(0, __fd) TH_LOG("%s: %s", (path), strerror(errno)); \
		__fd;                                                         \
	})

#define test_ioas_alloc(fd)                                   \
	({                                                    \
		uint32_t __id;                                \
		int __r = ioas_alloc(fd, &__id);              \
		ASSERT_EQ(0, __r)                             \
		TH_LOG("IOMMU_IOAS_ALLOC: %s", err_str(__r)); \
		__id;                                         \
	})

#define test_ioas_destroy(fd, id) \
	__test_call(iommufd_destroy(fd, id), "IOMMU_DESTROY %u", (unsigned)(id))
#define test_err_ioas_destroy(err, fd, id)                                \
	__test_err_call(err, iommufd_destroy(fd, id), "IOMMU_DESTROY %u", \
			(unsigned)(id))

/* The device ID. */
#define test_cdev_bind(dev, fd)                                       \
	({                                                            \
		uint32_t __id;                                        \
		int __r = cdev_bind(dev, fd, &__id);                  \
		ASSERT_EQ(0, __r)                                     \
		TH_LOG("VFIO_DEVICE_BIND_IOMMUFD: %s", err_str(__r)); \
		__id;                                                 \
	})
#define test_err_cdev_bind(err, dev, fd)                        \
	({                                                      \
		uint32_t __id;                                  \
		__test_err_call(err, cdev_bind(dev, fd, &__id), \
				"VFIO_DEVICE_BIND_IOMMUFD");    \
	})

/* Attach to (or replace with) pt; the page table used. */
#define test_cdev_attach(dev, pt)                                              \
	({                                                                     \
		uint32_t __hwpt;                                               \
		int __r = cdev_attach(dev, pt, &__hwpt);                       \
		ASSERT_EQ(0, __r)                                              \
		TH_LOG("VFIO_DEVICE_ATTACH_IOMMUFD_PT %u: %s", (unsigned)(pt), \
		       err_str(__r));                                          \
		__hwpt;                                                        \
	})
#define test_err_cdev_attach(err, dev, pt)               \
	__test_err_call(err, cdev_attach(dev, pt, NULL), \
			"VFIO_DEVICE_ATTACH_IOMMUFD_PT %u", (unsigned)(pt))

#define test_cdev_detach(dev) \
	__test_call(cdev_detach(dev), "VFIO_DEVICE_DETACH_IOMMUFD_PT")

/*
 * The device's cdev bound to a new /dev/iommu, attached to an IOAS that
 * becomes f->space: iommufd's counterpart of edu_open(EDU_DEVICE).
 */
static void iommufd_edu_open(struct __test_metadata *_metadata,
			     struct edu_fix *f, const char *cdev)
{
	uint64_t align;
	uint32_t ioas;
	int ret;

	allow_unsafe_if_needed(_metadata, &f->saved, f->kind_known, f->kind,
			       IOMMUFD_PARAM("allow_unsafe_interrupts"));
	f->iommufd = test_open_iommufd();
	f->device = test_open_cdev(cdev);
	test_cdev_bind(f->device, f->iommufd);
	ioas = test_ioas_alloc(f->iommufd);
	test_cdev_attach(f->device, ioas);
	space_ioas(&f->space, f->iommufd, ioas);
	ret = ioas_ranges(f->iommufd, ioas, &f->info, &align);
	ASSERT_EQ(0, ret) TH_LOG("IOMMU_IOAS_IOVA_RANGES: %s", err_str(ret));
}
#else
/* Never called: no IOAS space exists without the UAPI. */
int ioas_map(int fd, uint32_t ioas, bool fixed, void *va, uint64_t len,
	     uint64_t *iova)
{
	(void)fd, (void)ioas, (void)fixed, (void)va, (void)len, (void)iova;
	return -EOPNOTSUPP;
}

int ioas_unmap(int fd, uint32_t ioas, uint64_t iova, uint64_t len,
	       uint64_t *done)
{
	(void)fd, (void)ioas, (void)iova, (void)len, (void)done;
	return -EOPNOTSUPP;
}
#endif

/*
 * /dev/iommu alone: an IOAS, its IOVA space, map and unmap semantics.
 * They differ from type1's: an unmap must cover whole mappings or fails
 * with ENOENT, and so does one that finds nothing.
 */
void iommufd_ioas_map_unmap(struct __test_metadata *_metadata,
			    struct edu_fix *f)
{
	char why[512];
#if HAVE_IOMMUFD_UAPI
	uint64_t base = SZ_16M, iova, done;
	struct iova_space sp;
	uint32_t ioas;
	uint8_t *mem;
	int fd, ret;
#endif

	(void)f; /* no device: the fixture only skips without an edu */
	if (no_iommufd(NULL, NULL, 0, why, sizeof(why)))
		SKIP(return, "%s", why);
#if HAVE_IOMMUFD_UAPI
	fd = test_open_iommufd();
	ioas = test_ioas_alloc(fd);
	ASSERT_NE(0, ioas) TH_LOG("IOMMU_IOAS_ALLOC returned object ID 0");
	space_ioas(&sp, fd, ioas);
	ioas_unrestricted(_metadata, fd, ioas, "with no device attached");
	mem = alloc_buf(SZ_1M);
	ASSERT_NE(NULL, mem);

	/* Overlaps: any byte already mapped refuses the whole request. */
	test_map(&sp, base + SZ_64K, mem, SZ_64K);
	test_err_map(EEXIST, &sp, base + SZ_64K, mem, SZ_64K);
	test_err_map(EEXIST, &sp, base + SZ_64K + SZ_4K, mem, SZ_4K);
	test_err_map(EEXIST, &sp, base + SZ_64K - SZ_4K, mem, 2 * SZ_4K);
	test_err_map(EEXIST, &sp, base, mem, 4 * SZ_64K);
	/* Adjacent is not overlapping. */
	test_map(&sp, base + 2 * SZ_64K, mem + SZ_64K, SZ_64K);

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
	test_unmap(&sp, iova, SZ_64K, 0, SZ_64K);

	/* Whole mappings only: no bisecting one, no holes alone. */
	test_err_unmap(ENOENT, &sp, base + SZ_64K, SZ_4K, 0);
	test_err_unmap(ENOENT, &sp, base + SZ_64K + SZ_4K, SZ_64K - SZ_4K, 0);
	test_err_unmap(ENOENT, &sp, base + 4 * SZ_64K, SZ_64K, 0);
	/* A range covering two mappings and a hole takes both. */
	test_unmap(&sp, base, 4 * SZ_64K, 0, 2 * SZ_64K);
	/* A freed range maps again; unmap-all (0, U64_MAX) takes it. */
	test_map(&sp, base + SZ_64K, mem, SZ_64K);
	test_map(&sp, base + SZ_1M, mem, SZ_4K);
	ret = ioas_unmap(fd, ioas, 0, UINT64_MAX, &done);
	EXPECT_EQ(0, ret) TH_LOG("IOMMU_IOAS_UNMAP all: %s", err_str(ret));
	EXPECT_EQ(SZ_64K + SZ_4K, done)
	TH_LOG("IOMMU_IOAS_UNMAP all unmapped 0x%llx bytes, want 0x%llx",
	       (unsigned long long)done, SZ_64K + SZ_4K);

	/* IOMMU_DESTROY frees the object; its ID then names nothing. */
	test_ioas_destroy(fd, ioas);
	test_err_ioas_destroy(ENOENT, fd, ioas);
	close(fd);
#endif
}

/*
 * The device's cdev: bind, attach, replace, detach, and the group's
 * ownership rules across the two interfaces.
 */
void iommufd_device_attach(struct __test_metadata *_metadata, struct edu_fix *f)
{
	char cdev[PATH_MAX], why[512];
#if HAVE_IOMMUFD_UAPI
	uint32_t devid, ioas, ioas2, hwpt;
	double t0, t_attach, t_detach;
	uint64_t align, msi, iova;
	struct iova_space sp;
	struct type1_info t;
	int fd, dev, group, ret;
	uint8_t *page;
#endif

	f->group_id = bind_group(_metadata, &f->saved, f->bdf);
	if (no_iommufd(f->bdf, cdev, sizeof(cdev), why, sizeof(why)))
		SKIP(return, "%s", why);
#if HAVE_IOMMUFD_UAPI
	allow_unsafe_if_needed(_metadata, &f->saved, f->kind_known, f->kind,
			       IOMMUFD_PARAM("allow_unsafe_interrupts"));
	fd = test_open_iommufd();

	/* While the group's legacy fd is open, the cdev cannot bind. */
	group = test_open_group(f->group_id);
	dev = test_open_cdev(cdev);
	test_err_cdev_bind(EBUSY, dev, fd);
	close(dev);
	close(group);

	/* An unbound cdev takes no other ioctl. */
	dev = test_open_cdev(cdev);
	ioas = test_ioas_alloc(fd);
	test_err_cdev_attach(EINVAL, dev, ioas);

	devid = test_cdev_bind(dev, fd);
	EXPECT_NE(0, devid) TH_LOG("the bind returned device ID 0");
	TH_LOG("%s (%s) bound to iommufd as device %u", cdev, f->bdf, devid);
	/* And while the cdev is bound, the group's fd cannot open. */
	test_err_open_group(EBUSY, f->group_id);

	/* Attach: the IOAS now leaves out the reserved regions. */
	t0 = suite_now_us();
	hwpt = test_cdev_attach(dev, ioas);
	t_attach = suite_now_us() - t0;
	TH_LOG("attached to IOAS %u through page table %u", ioas, hwpt);
	ret = ioas_ranges(fd, ioas, &t, &align);
	ASSERT_EQ(0, ret)
	TH_LOG("IOMMU_IOAS_IOVA_RANGES: %s", err_str(ret));
	ASSERT_LT(0, t.nr_ranges) TH_LOG("an attached IOAS with no IOVA");
	EXPECT_LE(SZ_4K, align)
	TH_LOG("IOVA alignment %llu with a domain attached, want at least "
	       "the smallest IOMMU page",
	       (unsigned long long)align);
	if (group_members(f->group_id, NULL, 0) == 1) {
		EXPECT_EQ(0, ranges_overlap_resv(_metadata, &t, f->group_id,
						 "IOAS IOVA range"));
	} else {
		TH_LOG("group %ld has several devices: the reserved regions "
		       "of %s alone are not known, not comparing",
		       f->group_id, f->bdf);
	}
	page = alloc_buf(SZ_4K);
	ASSERT_NE(NULL, page);
	space_ioas(&sp, fd, ioas);
	msi = group_msi(_metadata, f->group_id);
	if (msi)
		test_err_map(EINVAL, &sp, msi, page, SZ_4K);
	else
		TH_LOG("group %ld reports no msi region: not mapping into one",
		       f->group_id);
	ASSERT_EQ(0, pick_iova(&t, SZ_4K, SZ_4K, SZ_16M, UINT64_MAX, &iova));
	test_map(&sp, iova, page, SZ_4K);

	/* An IOAS in use is not destroyed. */
	test_err_ioas_destroy(EBUSY, fd, ioas);

	/* Replace: attach to another IOAS; the first gets its space back. */
	ioas2 = test_ioas_alloc(fd);
	test_cdev_attach(dev, ioas2);
	ioas_unrestricted(_metadata, fd, ioas, "after the device moved away");
	test_unmap(&sp, iova, SZ_4K, 0, SZ_4K);

	/* Detach: the second IOAS gets its space back too. */
	t0 = suite_now_us();
	test_cdev_detach(dev);
	t_detach = suite_now_us() - t0;
	ioas_unrestricted(_metadata, fd, ioas2, "after the detach");
	metric("iommufd_device_attach", t_attach, "us");
	metric("iommufd_device_detach", t_detach, "us");
	test_ioas_destroy(fd, ioas2);
	test_ioas_destroy(fd, ioas);
	close(dev);
	close(fd);
	/* Closing the cdev unbinds it: the group opens again. */
	close(test_open_group(f->group_id));
#endif
	edu_close(f);
}

/*
 * DMA by the edu device through an IOAS, checked as through a container
 * (dma.c): a mapped copy arrives; once its IOVA is unmapped, the
 * device's write reaches no memory.  IOG_EDU_MAP_PROBE=1 (the negative
 * control) leaves the probe mapped, and the isolation check must fail.
 */
void iommufd_dma(struct __test_metadata *_metadata, struct edu_fix *f)
{
	char cdev[PATH_MAX], why[512];
#if HAVE_IOMMUFD_UAPI
	uint8_t *src, *dst, *probe;
	struct dma_layout l;
	int ret;
#endif

	f->group_id = bind_group(_metadata, &f->saved, f->bdf);
	if (no_iommufd(f->bdf, cdev, sizeof(cdev), why, sizeof(why)))
		SKIP(return, "%s", why);
#if HAVE_IOMMUFD_UAPI
	iommufd_edu_open(_metadata, f, cdev);
	edu_dma_up(_metadata, f);
	dma_layout(_metadata, f, &l);
	src = alloc_buf(SZ_4K);
	dst = alloc_buf(SZ_4K);
	probe = alloc_buf(SZ_4K);
	ASSERT_TRUE(src && dst && probe);
	test_map(&f->space, l.src, src, SZ_4K);
	test_map(&f->space, l.dst, dst, SZ_4K);
	test_map(&f->space, l.probe, probe, SZ_4K);

	/* A page to the device and back, through the IOAS. */
	dma_roundtrip(_metadata, f, &l, src, dst);
	/* The probe takes the device's writes while mapped... */
	dma_probe_receives(_metadata, f, &l, src, probe);
	/* ...and none once unmapped, though the page is still ours. */
	dma_probe_blocked(_metadata, f, &l, src, probe);
	EXPECT_EQ(0, edu_ops.check(&f->dma))
	TH_LOG("after the copies: %s", f->dma.err);

	edu_ops.remove(&f->dma);
	f->dma_up = false;
	ret = ioas_unmap(f->iommufd, f->space.ioas, 0, UINT64_MAX, NULL);
	EXPECT_EQ(0, ret) TH_LOG("IOMMU_IOAS_UNMAP all: %s", err_str(ret));
	test_cdev_detach(f->device);
#endif
	edu_close(f);
}
