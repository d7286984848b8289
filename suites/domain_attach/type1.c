// SPDX-License-Identifier: GPL-2.0-only
/*
 * domain_attach's VFIO type1 part: a group and its container, the type1v2
 * IOMMU's info, map and unmap semantics and limits, and interrupt
 * isolation.
 */
#include "ksft_helpers.h"

#include <fcntl.h>

#include "domain_attach.h"

/* ---- VFIO ------------------------------------------------------------ */

int open_container(void)
{
	return sys_ret(open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC));
}

int open_group(long id)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/vfio/%ld", id);
	return sys_ret(open(path, O_RDWR | O_CLOEXEC));
}

int group_flags(int group)
{
	struct vfio_group_status st = {.argsz = sizeof(st)};

	if (ioctl(group, VFIO_GROUP_GET_STATUS, &st))
		return -errno;
	return st.flags;
}

int set_container(int group, int container)
{
	return sys_ret(ioctl(group, VFIO_GROUP_SET_CONTAINER, &container));
}

int unset_container(int group)
{
	return sys_ret(ioctl(group, VFIO_GROUP_UNSET_CONTAINER));
}

int set_iommu(int container)
{
	return sys_ret(ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
}

int get_device(int group, const char *bdf)
{
	return sys_ret(ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf));
}

int dma_map(int container, uint64_t iova, void *va, uint64_t size)
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
int dma_unmap(int container, uint64_t iova, uint64_t size, uint32_t flags,
	      uint64_t *done)
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

int type1_info(int container, struct type1_info *out)
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

void edu_open(struct __test_metadata *_metadata, struct edu_fix *f,
	      enum edu_stage upto)
{
	int ret, flags;

	f->group_id = bind_group(_metadata, &f->saved, f->bdf);
	if (upto == EDU_BOUND)
		return;
	f->group = test_open_group(f->group_id);
	flags = group_flags(f->group);
	ASSERT_LE(0, flags)
	TH_LOG("VFIO_GROUP_GET_STATUS: %s", err_str(flags));
	ASSERT_TRUE(flags & VFIO_GROUP_FLAGS_VIABLE)
	TH_LOG("group %ld not viable with all its devices on vfio-pci",
	       f->group_id);
	if (upto == EDU_GROUP)
		return;
	f->container = test_open_container();
	ASSERT_EQ(1,
		  ioctl(f->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU))
	TH_LOG("the container offers no type1v2 IOMMU (module "
	       "vfio_iommu_type1 not loaded?)");
	test_set_container(f->group, f->container);
	allow_unsafe_if_needed(_metadata, &f->saved, f->kind_known, f->kind,
			       TYPE1_PARAM("allow_unsafe_interrupts"));
	test_set_iommu(f->container);
	space_type1(&f->space, f->container);
	ret = type1_info(f->container, &f->info);
	ASSERT_EQ(0, ret) TH_LOG("VFIO_IOMMU_GET_INFO: %s", err_str(ret));
	if (upto == EDU_ATTACHED)
		return;
	f->device = test_get_device(f->group, f->bdf);
	if (upto == EDU_DEVICE)
		return;
	edu_dma_up(_metadata, f);
	ret = edu_ops.check(&f->dma);
	ASSERT_EQ(0, ret) TH_LOG("edu check: %s", f->dma.err);
}

/* ---- container and group ------------------------------------------- */

/* VFIO_GROUP_GET_DEVICE_FD refused, when: in which state; any errno. */
static void expect_no_device(struct __test_metadata *_metadata,
			     const struct edu_fix *f, const char *when)
{
	int dev = get_device(f->group, f->bdf);

	EXPECT_GT(0, dev)
	TH_LOG("VFIO_GROUP_GET_DEVICE_FD %s: %s, want an error", when,
	       err_str(dev));
	if (dev >= 0)
		close(dev);
}

void container_api(struct __test_metadata *_metadata, struct edu_fix *f)
{
	int c, flags, dev;

	edu_open(_metadata, f, EDU_GROUP);
	c = f->container = test_open_container();
	ASSERT_EQ(VFIO_API_VERSION, ioctl(c, VFIO_GET_API_VERSION));
	ASSERT_EQ(1, ioctl(c, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU));
	flags = group_flags(f->group);
	EXPECT_EQ(VFIO_GROUP_FLAGS_VIABLE, flags)
	TH_LOG("a fresh group: flags 0x%x, want VIABLE only", flags);

	/* Nothing to choose an IOMMU for without a group. */
	test_err_set_iommu(EINVAL, c);
	/* No device before the group has an IOMMU. */
	expect_no_device(_metadata, f, "without a container");

	test_set_container(f->group, c);
	flags = group_flags(f->group);
	EXPECT_EQ(VFIO_GROUP_FLAGS_VIABLE | VFIO_GROUP_FLAGS_CONTAINER_SET,
		  flags)
	TH_LOG("in a container: flags 0x%x, want VIABLE|CONTAINER_SET", flags);
	/* A second container for the same group. */
	test_err_set_container(EINVAL, f->group, c);
	expect_no_device(_metadata, f, "before VFIO_SET_IOMMU");

	allow_unsafe_if_needed(_metadata, &f->saved, f->kind_known, f->kind,
			       TYPE1_PARAM("allow_unsafe_interrupts"));
	test_set_iommu(c);
	/* A second IOMMU for the same container. */
	test_err_set_iommu(EINVAL, c);
	dev = test_get_device(f->group, f->bdf);
	/* An open device keeps its group in the container. */
	test_err_unset_container(EBUSY, f->group);
	close(dev);
	test_unset_container(f->group);
	flags = group_flags(f->group);
	EXPECT_EQ(VFIO_GROUP_FLAGS_VIABLE, flags)
	TH_LOG("out of the container: flags 0x%x, want VIABLE only", flags);
	edu_close(f);
}

/* ---- the type1 IOMMU: info, map and unmap ------------------------- */

void iommu_info(struct __test_metadata *_metadata, struct edu_fix *f)
{
	const struct type1_info *ti = &f->info;
	struct type1_info after;
	char limit[32];
	uint64_t iova;
	void *page;
	int ret;

	edu_open(_metadata, f, EDU_ATTACHED);
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
	for (size_t i = 0; i < ti->nr_ranges; i++) {
		EXPECT_LE(ti->range[i].start, ti->range[i].end);
		if (i) {
			EXPECT_LT(ti->range[i - 1].end, ti->range[i].start)
			TH_LOG("ranges %zu and %zu out of order or "
			       "overlapping",
			       i - 1, i);
		}
	}
	EXPECT_EQ(0, ranges_overlap_resv(_metadata, ti, f->group_id,
					 "IOVA range"));

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
	test_map(&f->space, iova, page, SZ_4K);
	ASSERT_EQ(0, type1_info(f->container, &after));
	EXPECT_EQ(ti->avail - 1, after.avail)
	TH_LOG("dma_avail %u after one mapping, %u before", after.avail,
	       ti->avail);
	test_unmap(&f->space, iova, SZ_4K, 0, SZ_4K);
	ASSERT_EQ(0, type1_info(f->container, &after));
	EXPECT_EQ(ti->avail, after.avail)
	TH_LOG("dma_avail %u after unmapping, %u before", after.avail,
	       ti->avail);
	edu_close(f);
}

void map_unmap_semantics(struct __test_metadata *_metadata, struct edu_fix *f)
{
	const struct type1_info *ti = &f->info;
	const struct iova_space *sp = &f->space;
	struct type1_info now;
	uint64_t base, msi;
	uint8_t *mem;

	edu_open(_metadata, f, EDU_ATTACHED);
	ASSERT_EQ(0, pick_iova(ti, SZ_1M, SZ_1M, SZ_16M, UINT64_MAX, &base))
	TH_LOG("no free megabyte of IOVA above 16 MiB");
	mem = alloc_buf(SZ_1M);
	ASSERT_NE(NULL, mem);

	/* Malformed requests. */
	test_err_map(EINVAL, sp, base, mem, 0);
	test_err_map(EINVAL, sp, base + 1, mem, SZ_4K);
	test_err_map(EINVAL, sp, base, mem + 1, SZ_4K);
	test_err_map(EINVAL, sp, base, mem, SZ_4K + 1);

	/* Overlaps: any page already mapped refuses the whole request. */
	test_map(sp, base + SZ_64K, mem, SZ_64K);
	test_err_map(EEXIST, sp, base + SZ_64K, mem, SZ_64K);
	test_err_map(EEXIST, sp, base + SZ_64K + SZ_4K, mem, SZ_4K);
	test_err_map(EEXIST, sp, base + SZ_64K - SZ_4K, mem, 2 * SZ_4K);
	test_err_map(EEXIST, sp, base + 2 * SZ_64K - SZ_4K, mem, 2 * SZ_4K);
	test_err_map(EEXIST, sp, base, mem, 4 * SZ_64K);
	/* Adjacent is not overlapping. */
	test_map(sp, base + 2 * SZ_64K, mem + SZ_64K, SZ_64K);
	test_map(sp, base + SZ_64K - SZ_4K, mem + 2 * SZ_64K, SZ_4K);

	/* type1v2 unmaps whole mappings only: no bisecting one. */
	test_err_unmap(EINVAL, sp, base + SZ_64K, SZ_4K, 0);
	test_err_unmap(EINVAL, sp, base + SZ_64K + SZ_4K, SZ_64K - SZ_4K, 0);
	test_err_unmap(EINVAL, sp, base + SZ_64K, SZ_64K + SZ_4K, 0);
	/* Nothing there: success, nothing unmapped. */
	test_unmap(sp, base + 4 * SZ_64K, SZ_64K, 0, 0);
	/* Partial: one mapping of three, then a range holding two. */
	test_unmap(sp, base + SZ_64K - SZ_4K, SZ_4K, 0, SZ_4K);
	ASSERT_EQ(0, type1_info(f->container, &now));
	EXPECT_EQ(ti->avail - 2, now.avail)
	TH_LOG("dma_avail %u with two mappings, %u empty", now.avail,
	       ti->avail);
	test_map(sp, base + SZ_64K - SZ_4K, mem + 2 * SZ_64K, SZ_4K);
	/* Full: a range covering all three, holes included. */
	test_unmap(sp, base, 4 * SZ_64K, 0, 2 * SZ_64K + SZ_4K);
	ASSERT_EQ(0, type1_info(f->container, &now));
	EXPECT_EQ(ti->avail, now.avail)
	TH_LOG("dma_avail %u after unmapping everything, %u empty", now.avail,
	       ti->avail);
	/* A freed range maps again. */
	test_map(sp, base + SZ_64K, mem, SZ_64K);
	test_unmap(sp, base + SZ_64K, SZ_64K, 0, SZ_64K);

	/* The MSI window is not for mapping. */
	msi = group_msi(_metadata, f->group_id);
	if (msi)
		test_err_map(EINVAL, sp, msi, mem, SZ_4K);
	else
		TH_LOG("group %ld reports no msi region: not mapping into one",
		       f->group_id);
	edu_close(f);
}

void unmap_all(struct __test_metadata *_metadata, struct edu_fix *f)
{
	const struct iova_space *sp = &f->space;
	uint64_t base, done;
	struct type1_info now;
	uint8_t *mem;

	edu_open(_metadata, f, EDU_ATTACHED);
	if (ioctl(f->container, VFIO_CHECK_EXTENSION, VFIO_UNMAP_ALL) != 1)
		SKIP(return, "no VFIO_UNMAP_ALL extension (added in 5.12)");
	ASSERT_EQ(0, pick_iova(&f->info, 8 * SZ_64K, SZ_64K, SZ_16M, UINT64_MAX,
			       &base));
	mem = alloc_buf(8 * SZ_64K);
	ASSERT_NE(NULL, mem);
	for (int i = 0; i < 8; i += 2)
		test_map(sp, base + i * SZ_64K, mem + i * SZ_64K, SZ_64K);
	/* FLAG_ALL takes neither an IOVA nor a size. */
	test_err_unmap(EINVAL, sp, base, 0, VFIO_DMA_UNMAP_FLAG_ALL);
	test_err_unmap(EINVAL, sp, 0, SZ_64K, VFIO_DMA_UNMAP_FLAG_ALL);
	ASSERT_EQ(0, dma_unmap(f->container, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL,
			       &done));
	EXPECT_EQ(4 * SZ_64K, done)
	TH_LOG("unmap all: 0x%llx bytes unmapped, want 0x%llx",
	       (unsigned long long)done, 4 * SZ_64K);
	ASSERT_EQ(0, type1_info(f->container, &now));
	EXPECT_EQ(f->info.avail, now.avail);
	/* Nothing left: everything maps again. */
	test_map(sp, base, mem, 8 * SZ_64K);
	test_unmap(sp, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, 8 * SZ_64K);
	edu_close(f);
}

void dma_entry_limit(struct __test_metadata *_metadata, struct edu_fix *f)
{
	const struct iova_space *sp = &f->space;
	struct type1_info now;
	uint64_t base;
	uint8_t *mem;
	int ret;

	/* A container takes the limit when it gets its IOMMU. */
	ret = set_param(&f->saved, TYPE1_PARAM("dma_entry_limit"), "4");
	ASSERT_EQ(0, ret) TH_LOG("dma_entry_limit=4: %s", err_str(ret));
	edu_open(_metadata, f, EDU_ATTACHED);
	EXPECT_EQ(4, f->info.avail);
	ASSERT_EQ(0, pick_iova(&f->info, 8 * SZ_4K, SZ_4K, SZ_16M, UINT64_MAX,
			       &base));
	mem = alloc_buf(8 * SZ_4K);
	ASSERT_NE(NULL, mem);
	/* Every other page, so that no two mappings could merge. */
	for (int i = 0; i < 8; i += 2)
		test_map(sp, base + i * SZ_4K, mem + i * SZ_4K, SZ_4K);
	ASSERT_EQ(0, type1_info(f->container, &now));
	EXPECT_EQ(0, now.avail);
	test_err_map(ENOSPC, sp, base + SZ_4K, mem + SZ_4K, SZ_4K);
	test_unmap(sp, base, SZ_4K, 0, SZ_4K);
	test_map(sp, base + SZ_4K, mem + SZ_4K, SZ_4K);
	edu_close(f);
}

/* ---- interrupt isolation ------------------------------------------- */

void type1_unsafe_interrupts(struct __test_metadata *_metadata,
			     struct edu_fix *f)
{
	const char *param = TYPE1_PARAM("allow_unsafe_interrupts");
	int ret;

	if (!f->kind_known)
		SKIP(return, "IOMMU kind unknown: IOG_IOMMU unset and "
			     "/sys/class/iommu says nothing");
	if (access(param, W_OK))
		SKIP(return, "%s not writable", param);
	ret = set_param(&f->saved, param, "N");
	ASSERT_EQ(0, ret) TH_LOG("%s=N: %s", param, err_str(ret));
	edu_open(_metadata, f, EDU_GROUP);
	f->container = test_open_container();
	test_set_container(f->group, f->container);
	ret = set_iommu(f->container);
	if (f->kind != MODEL_IOMMU_VIRTIO) {
		/* Interrupt remapping isolates MSIs: nothing to allow. */
		EXPECT_EQ(0, ret)
		TH_LOG("%s with interrupt remapping and "
		       "allow_unsafe_interrupts=N: VFIO_SET_IOMMU %s, want "
		       "success",
		       model_iommu_kind_name(f->kind), err_str(ret));
		edu_close(f);
		return;
	}
	/* virtio-iommu on x86 remaps no interrupts (observed-q35.md). */
	EXPECT_EQ(-EPERM, ret)
	TH_LOG("virtio-iommu, allow_unsafe_interrupts=N: VFIO_SET_IOMMU %s, "
	       "want %s",
	       err_str(ret), strerror(EPERM));
	ret = set_param(&f->saved, param, "Y");
	ASSERT_EQ(0, ret) TH_LOG("%s=Y: %s", param, err_str(ret));
	ret = set_iommu(f->container);
	EXPECT_EQ(0, ret)
	TH_LOG("virtio-iommu, allow_unsafe_interrupts=Y: VFIO_SET_IOMMU %s, "
	       "want success",
	       err_str(ret));
	edu_close(f);
}
