// SPDX-License-Identifier: GPL-2.0-only
/*
 * domain_attach's DMA by QEMU's edu engine (drivers/edu) through a type1
 * container: a copy through a mapped IOVA arrives; one through an
 * unmapped IOVA leaves an IOMMU fault report in the kernel log and
 * reaches no memory, not even the page that was mapped there a moment
 * before (a stale translation would).  The copies and checks run through
 * f->space, so iommufd_dma shares them.
 */
#include "ksft_helpers.h"

#include "domain_attach.h"

/* A copy takes 100 ms of QEMU's virtual clock; TCG may lag behind. */
#define DMA_TIMEOUT_MS 3000
/* How long a fault report may take to reach the kernel log. */
#define FAULT_TIMEOUT_MS 1500

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

/* ---- copies --------------------------------------------------------- */

void dma_layout(struct __test_metadata *_metadata, const struct edu_fix *f,
		struct dma_layout *l)
{
	uint64_t base;

	ASSERT_EQ(0, pick_iova(&f->info, SZ_1M, SZ_1M, SZ_16M, f->dma.dma_mask,
			       &base))
	TH_LOG("no free megabyte of IOVA between 16 MiB and the engine's "
	       "DMA mask 0x%llx",
	       (unsigned long long)f->dma.dma_mask);
	l->src = base;
	l->dst = base + SZ_64K;
	/* Far from the others: a stray write would not land on them. */
	l->probe = base + SZ_1M / 2;
}

int dma_copy(struct iog_dma_dev *d, enum iog_dma_dir dir, uint64_t iova,
	     size_t off, size_t len)
{
	int ret = d->ops->copy_start(d, dir, iova, off, len);

	return ret ? ret : d->ops->copy_wait(d, DMA_TIMEOUT_MS);
}

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

static uint64_t dma_seed(void)
{
	return (uint64_t)suite_now_us() ^ ((uint64_t)getpid() << 32);
}

void dma_roundtrip(struct __test_metadata *_metadata, struct edu_fix *f,
		   const struct dma_layout *l, uint8_t *src, uint8_t *dst)
{
	size_t len = f->dma.mem_size;

	fill_secret((uint64_t *)src, SZ_4K / 8, dma_seed());
	memset(dst, 0xee, SZ_4K);
	test_copy(f, IOG_DMA_TO_DEVICE, l->src, 0, len);
	test_copy(f, IOG_DMA_FROM_DEVICE, l->dst, 0, len);
	EXPECT_EQ(0, memcmp(src, dst, len))
	TH_LOG("a page copied to the device and back through %s differs",
	       f->space.name);
}

void dma_probe_receives(struct __test_metadata *_metadata, struct edu_fix *f,
			const struct dma_layout *l, const uint8_t *src,
			uint8_t *probe)
{
	size_t len = f->dma.mem_size;

	memset(probe, 0xc3, SZ_4K);
	test_copy(f, IOG_DMA_FROM_DEVICE, l->probe, 0, len);
	ASSERT_EQ(0, memcmp(src, probe, len))
	TH_LOG("a write to the mapped probe IOVA did not arrive: the "
	       "isolation check that follows would prove nothing");
}

void dma_probe_blocked(struct __test_metadata *_metadata, struct edu_fix *f,
		       const struct dma_layout *l, uint8_t *src, uint8_t *probe)
{
	size_t changed = 0, len = f->dma.mem_size;

	/*
	 * Unmapped, with the page still ours: a stale translation would
	 * write the device's new data into it.
	 */
	fill_secret((uint64_t *)src, SZ_4K / 8, dma_seed() + 1);
	test_copy(f, IOG_DMA_TO_DEVICE, l->src, 0, len);
	memset(probe, 0xc3, SZ_4K);
	if (map_probe())
		TH_LOG("negative control (IOG_EDU_MAP_PROBE=1 or "
		       "iog.edu_map_probe=1): probe IOVA 0x%llx left mapped, "
		       "this test must fail",
		       (unsigned long long)l->probe);
	else
		test_unmap(&f->space, l->probe, SZ_4K, 0, SZ_4K);
	test_copy(f, IOG_DMA_FROM_DEVICE, l->probe, 0, len);
	for (size_t i = 0; i < SZ_4K; i++)
		changed += probe[i] != 0xc3;
	EXPECT_EQ(0, changed)
	TH_LOG("a device write to IOVA 0x%llx, unmapped from %s, reached "
	       "memory: %zu bytes of the page once mapped there changed",
	       (unsigned long long)l->probe, f->space.name, changed);
}

/* ---- the tests -------------------------------------------------------- */

void dma_mapped_copy(struct __test_metadata *_metadata, struct edu_fix *f)
{
	struct dma_layout l;
	uint8_t *src, *dst;
	size_t bad = 0;

	edu_open(_metadata, f, EDU_DMA);
	dma_layout(_metadata, f, &l);
	src = alloc_buf(SZ_4K);
	dst = alloc_buf(SZ_4K);
	ASSERT_TRUE(src && dst);
	test_map(&f->space, l.src, src, SZ_4K);
	test_map(&f->space, l.dst, dst, SZ_4K);
	dma_roundtrip(_metadata, f, &l, src, dst);

	/* Offsets and lengths are honoured: 100 bytes, 0x100 -> 0x200. */
	memset(dst, 0xee, SZ_4K);
	test_copy(f, IOG_DMA_FROM_DEVICE, l.dst + 0x200, 0x100, 100);
	for (size_t i = 0; i < SZ_4K; i++) {
		bool in = i >= 0x200 && i < 0x200 + 100;

		bad += dst[i] != (in ? src[i - 0x100] : 0xee);
	}
	EXPECT_EQ(0, bad)
	TH_LOG("100 bytes from device offset 0x100 to IOVA offset 0x200: "
	       "%zu bytes of the page wrong",
	       bad);
	EXPECT_EQ(0, edu_ops.check(&f->dma))
	TH_LOG("after the copies: %s", f->dma.err);
	edu_close(f);
}

/*
 * QEMU's amd-iommu logs no IO_PAGE_FAULT event when the page-table entry
 * for the IOVA is zero: hw/i386/amd_iommu.c amdvi_page_walk() returns
 * without amdvi_page_fault() (7.2; later versions drop the call).
 */
static bool fault_unreported(const struct edu_fix *f)
{
	char vendor[64];

	return f->kind_known && f->kind == MODEL_IOMMU_AMD &&
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
void dma_unmapped_fault_reported(struct __test_metadata *_metadata,
				 struct edu_fix *f)
{
	bool leave_mapped = map_probe();
	struct dma_layout l;
	bool w, r;
	int kmsg;

	if (fault_unreported(f))
		SKIP(return, "QEMU's amd-iommu reports no IO_PAGE_FAULT for an "
			     "IOVA whose page-table entry is zero "
			     "(hw/i386/amd_iommu.c amdvi_page_walk returns "
			     "without amdvi_page_fault): no fault can reach "
			     "the kernel log");
	edu_open(_metadata, f, EDU_DMA);
	dma_layout(_metadata, f, &l);
	if (leave_mapped) {
		void *probe = alloc_buf(SZ_4K);

		ASSERT_NE(NULL, probe);
		test_map(&f->space, l.probe, probe, SZ_4K);
		TH_LOG("negative control (IOG_EDU_MAP_PROBE=1 or "
		       "iog.edu_map_probe=1): probe IOVA 0x%llx mapped, this "
		       "test must fail",
		       (unsigned long long)l.probe);
	}
	kmsg = suite_kmsg_open();
	ASSERT_LE(0, kmsg) TH_LOG("/dev/kmsg: %s", strerror(errno));
	test_copy(f, IOG_DMA_FROM_DEVICE, l.probe, 0, 4);
	w = expect_fault(_metadata, kmsg, f->bdf, l.probe, IOG_DMA_FROM_DEVICE);
	test_copy(f, IOG_DMA_TO_DEVICE, l.probe, 0, 4);
	r = expect_fault(_metadata, kmsg, f->bdf, l.probe, IOG_DMA_TO_DEVICE);
	close(kmsg);
	EXPECT_TRUE(w);
	EXPECT_TRUE(r);
	EXPECT_EQ(0, edu_ops.check(&f->dma))
	TH_LOG("after the faults: %s", f->dma.err);
	edu_close(f);
}

void dma_unmapped_write_blocked(struct __test_metadata *_metadata,
				struct edu_fix *f)
{
	struct dma_layout l;
	uint8_t *src, *probe;

	edu_open(_metadata, f, EDU_DMA);
	dma_layout(_metadata, f, &l);
	src = alloc_buf(SZ_4K);
	probe = alloc_buf(SZ_4K);
	ASSERT_TRUE(src && probe);
	test_map(&f->space, l.src, src, SZ_4K);
	test_map(&f->space, l.probe, probe, SZ_4K);

	/* While mapped, the device's writes reach the probe page. */
	fill_secret((uint64_t *)src, SZ_4K / 8, dma_seed());
	test_copy(f, IOG_DMA_TO_DEVICE, l.src, 0, f->dma.mem_size);
	dma_probe_receives(_metadata, f, &l, src, probe);
	dma_probe_blocked(_metadata, f, &l, src, probe);
	EXPECT_EQ(0, edu_ops.check(&f->dma))
	TH_LOG("after the blocked write: %s", f->dma.err);
	edu_close(f);
}

void dma_unmapped_read_blocked(struct __test_metadata *_metadata,
			       struct edu_fix *f)
{
	bool leave_mapped = map_probe();
	struct dma_layout l;
	uint64_t *src, *dst, *secret;
	size_t leaked = 0, zero = 0, fill = 0, n, len;

	edu_open(_metadata, f, EDU_DMA);
	dma_layout(_metadata, f, &l);
	len = f->dma.mem_size;
	n = len / 8;
	src = alloc_buf(SZ_4K);
	dst = alloc_buf(SZ_4K);
	secret = alloc_buf(SZ_4K);
	ASSERT_TRUE(src && dst && secret);
	test_map(&f->space, l.src, src, SZ_4K);
	test_map(&f->space, l.dst, dst, SZ_4K);
	test_map(&f->space, l.probe, secret, SZ_4K);

	/* While mapped, the device reads the secret page. */
	fill_secret(secret, SZ_4K / 8, dma_seed());
	test_copy(f, IOG_DMA_TO_DEVICE, l.probe, 0, len);
	test_copy(f, IOG_DMA_FROM_DEVICE, l.dst, 0, len);
	ASSERT_EQ(0, memcmp(dst, secret, len))
	TH_LOG("a read from the mapped probe IOVA did not arrive: the "
	       "isolation check below would prove nothing");

	/* Overwrite the device's copy, unmap, read again. */
	for (size_t i = 0; i < n; i++)
		src[i] = 0x0f0f0f0f0f0f0f0eULL;
	test_copy(f, IOG_DMA_TO_DEVICE, l.src, 0, len);
	if (leave_mapped)
		TH_LOG("negative control (IOG_EDU_MAP_PROBE=1 or "
		       "iog.edu_map_probe=1): probe IOVA 0x%llx left mapped, "
		       "this test must fail",
		       (unsigned long long)l.probe);
	else
		test_unmap(&f->space, l.probe, SZ_4K, 0, SZ_4K);
	test_copy(f, IOG_DMA_TO_DEVICE, l.probe, 0, len);
	memset(dst, 0, SZ_4K);
	test_copy(f, IOG_DMA_FROM_DEVICE, l.dst, 0, len);
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
	EXPECT_EQ(0, edu_ops.check(&f->dma))
	TH_LOG("after the blocked read: %s", f->dma.err);
	edu_close(f);
}
