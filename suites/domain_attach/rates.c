// SPDX-License-Identifier: GPL-2.0-only
/*
 * domain_attach's measurements, "# metric:" lines on stdout: a group's
 * attach and detach time in a type1 container, and map and unmap rates.
 */
#include "ksft_helpers.h"

#include <sys/mman.h>

#include "domain_attach.h"

#define ATTACH_CYCLES 9

void attach_detach_cycles(struct __test_metadata *_metadata, struct edu_fix *f)
{
	double attach[ATTACH_CYCLES], detach[ATTACH_CYCLES];
	void *buf;
	int ret;

	edu_open(_metadata, f, EDU_GROUP);
	f->container = test_open_container();
	space_type1(&f->space, f->container);
	allow_unsafe_if_needed(_metadata, &f->saved, f->kind_known, f->kind,
			       TYPE1_PARAM("allow_unsafe_interrupts"));
	buf = alloc_buf(SZ_4K);
	ASSERT_NE(NULL, buf);
	for (int i = 0; i < ATTACH_CYCLES; i++) {
		double t0 = suite_now_us(), t1, t2;
		int dev, flags;

		ret = set_container(f->group, f->container);
		ASSERT_EQ(0, ret)
		TH_LOG("cycle %d: VFIO_GROUP_SET_CONTAINER: %s", i,
		       err_str(ret));
		ret = set_iommu(f->container);
		t1 = suite_now_us();
		ASSERT_EQ(0, ret)
		TH_LOG("cycle %d: VFIO_SET_IOMMU: %s", i, err_str(ret));
		attach[i] = t1 - t0;
		flags = group_flags(f->group);
		ASSERT_TRUE(flags > 0 &&
			    (flags & VFIO_GROUP_FLAGS_CONTAINER_SET))
		TH_LOG("cycle %d: attached, flags 0x%x", i, flags);
		/* The new domain works: a mapping, and a device. */
		test_map(&f->space, SZ_16M, buf, SZ_4K);
		dev = get_device(f->group, f->bdf);
		ASSERT_LE(0, dev)
		TH_LOG("cycle %d: VFIO_GROUP_GET_DEVICE_FD: %s", i,
		       err_str(dev));
		close(dev);
		/* The last group leaving drops the mapping with the domain. */
		t2 = suite_now_us();
		ret = unset_container(f->group);
		detach[i] = suite_now_us() - t2;
		ASSERT_EQ(0, ret)
		TH_LOG("cycle %d: VFIO_GROUP_UNSET_CONTAINER: %s", i,
		       err_str(ret));
		flags = group_flags(f->group);
		ASSERT_EQ(VFIO_GROUP_FLAGS_VIABLE, flags)
		TH_LOG("cycle %d: detached, flags 0x%x", i, flags);
		/* Without a group the container has no IOMMU to map with. */
		ret = dma_map(f->container, SZ_16M, buf, SZ_4K);
		ASSERT_NE(0, ret)
		TH_LOG("cycle %d: map after the last group left: %s, want an "
		       "error",
		       i, err_str(ret));
	}
	metric("vfio_group_attach", suite_median(attach, ATTACH_CYCLES), "us");
	metric("vfio_group_detach", suite_median(detach, ATTACH_CYCLES), "us");
	edu_close(f);
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

void map_unmap_rate(struct __test_metadata *_metadata, struct edu_fix *f)
{
	edu_open(_metadata, f, EDU_ATTACHED);
	for (size_t s = 0; s < ARRAY_SIZE(rate_sizes); s++) {
		uint64_t size = rate_sizes[s].size, base;
		int n = rate_sizes[s].count;
		double map[ROUNDS], unmap[ROUNDS];
		char name[64];
		uint8_t *mem;

		ASSERT_EQ(0, pick_iova(&f->info, n * size, SZ_2M, 16 * SZ_16M,
				       UINT64_MAX, &base));
		mem = alloc_buf(n * size);
		ASSERT_NE(NULL, mem);
		for (int r = 0; r < ROUNDS; r++) {
			double t0 = suite_now_us(), t1;

			for (int i = 0; i < n; i++)
				test_map(&f->space, base + i * size,
					 mem + i * size, size);
			t1 = suite_now_us();
			for (int i = 0; i < n; i++)
				test_unmap(&f->space, base + i * size, size, 0,
					   size);
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
	edu_close(f);
}
