// SPDX-License-Identifier: GPL-2.0-only
/*
 * QEMU's edu device as an iog_dma_ops driver.  Register layout from
 * QEMU's docs/specs/edu (hw/misc/edu.c):
 *
 *   BAR0, 1 MiB of registers; 4-byte accesses below 0x80, 4 or 8 above.
 *   0x00 identification 0xRRrr00ed, 0x04 liveness (reads back inverted),
 *   0x80 DMA source, 0x88 DMA destination, 0x90 DMA count,
 *   0x98 DMA command: bit 0 start (clears when done), bit 1 direction
 *   (0: RAM to device, 1: device to RAM), bit 2 interrupt when done.
 *   Device memory: 4096 bytes at 0x40000 in the device's DMA space.
 *   Addresses are masked to 28 bits unless QEMU's dma_mask says more.
 *
 * QEMU runs a copy from a timer 100 ms (virtual clock) after the start
 * bit is written, and ignores DMA register writes while one runs.
 * QEMU 7.2 checks the device side of a copy off by one: a copy that ends
 * on the last byte of device memory is "out of bounds", and it stops the
 * whole machine (hw_error).  So a copy uses at most 4095 bytes.
 */
#include <errno.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "edu.h"

#define EDU_REG_ID 0x00
#define EDU_REG_LIVENESS 0x04
#define EDU_REG_DMA_SRC 0x80
#define EDU_REG_DMA_DST 0x88
#define EDU_REG_DMA_COUNT 0x90
#define EDU_REG_DMA_CMD 0x98

#define EDU_DMA_START 0x1
#define EDU_DMA_TO_RAM 0x2

#define EDU_MEM_BASE 0x40000
#define EDU_MEM_SIZE 4096
/* QEMU 7.2: the last byte of device memory cannot end a copy. */
#define EDU_MEM_USABLE (EDU_MEM_SIZE - 1)
#define EDU_DMA_MASK ((1ULL << 28) - 1)

static int edu_fail(struct iog_dma_dev *dev, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int edu_fail(struct iog_dma_dev *dev, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dev->err, sizeof(dev->err), fmt, ap);
	va_end(ap);
	return -err;
}

static uint32_t edu_read32(struct iog_dma_dev *dev, size_t reg)
{
	return *(volatile uint32_t *)(dev->bar + reg);
}

static void edu_write32(struct iog_dma_dev *dev, size_t reg, uint32_t v)
{
	*(volatile uint32_t *)(dev->bar + reg) = v;
}

static uint64_t edu_read64(struct iog_dma_dev *dev, size_t reg)
{
	return *(volatile uint64_t *)(dev->bar + reg);
}

static void edu_write64(struct iog_dma_dev *dev, size_t reg, uint64_t v)
{
	*(volatile uint64_t *)(dev->bar + reg) = v;
}

static int edu_cfg_rw(struct iog_dma_dev *dev, bool write, void *buf,
		      size_t len, off_t where)
{
	ssize_t n = write ? pwrite(dev->fd, buf, len, dev->cfg_off + where)
			  : pread(dev->fd, buf, len, dev->cfg_off + where);

	if (n == (ssize_t)len)
		return 0;
	return edu_fail(dev, n < 0 ? errno : EIO,
			"config space %s at 0x%lx: %s",
			write ? "write" : "read", (long)where,
			n < 0 ? strerror(errno) : "short transfer");
}

static int edu_region(struct iog_dma_dev *dev, int fd, uint32_t index,
		      struct vfio_region_info *ri)
{
	memset(ri, 0, sizeof(*ri));
	ri->argsz = sizeof(*ri);
	ri->index = index;
	if (ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, ri))
		return edu_fail(dev, errno,
				"VFIO_DEVICE_GET_REGION_INFO %u: %s", index,
				strerror(errno));
	return 0;
}

static int edu_init(struct iog_dma_dev *dev, int device_fd)
{
	struct vfio_region_info cfg, bar;
	uint16_t id[2], cmd;
	uint32_t ident;
	void *p;
	int ret;

	memset(dev, 0, sizeof(*dev));
	dev->ops = &edu_ops;
	dev->fd = device_fd;
	ret = edu_region(dev, device_fd, VFIO_PCI_CONFIG_REGION_INDEX, &cfg);
	if (ret)
		return ret;
	dev->cfg_off = cfg.offset;
	ret = edu_cfg_rw(dev, false, id, sizeof(id), PCI_VENDOR_ID);
	if (ret)
		return ret;
	if (id[0] != edu_ops.vendor || id[1] != edu_ops.device)
		return edu_fail(dev, ENODEV,
				"%04x:%04x is not an edu (%04x:%04x)", id[0],
				id[1], edu_ops.vendor, edu_ops.device);
	ret = edu_region(dev, device_fd, VFIO_PCI_BAR0_REGION_INDEX, &bar);
	if (ret)
		return ret;
	if (bar.size < EDU_REG_DMA_CMD + 8 ||
	    !(bar.flags & VFIO_REGION_INFO_FLAG_MMAP))
		return edu_fail(dev, ENODEV,
				"BAR0 of %llu bytes, flags 0x%x: not a "
				"mappable edu register BAR",
				(unsigned long long)bar.size, bar.flags);
	p = mmap(NULL, bar.size, PROT_READ | PROT_WRITE, MAP_SHARED, device_fd,
		 bar.offset);
	if (p == MAP_FAILED)
		return edu_fail(dev, errno, "mmap BAR0: %s", strerror(errno));
	dev->bar = p;
	dev->bar_size = bar.size;
	ret = edu_cfg_rw(dev, false, &cmd, sizeof(cmd), PCI_COMMAND);
	if (ret)
		goto fail;
	dev->cmd_saved = cmd;
	/* Bus mastering off, QEMU drops the device's DMA. */
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	ret = edu_cfg_rw(dev, true, &cmd, sizeof(cmd), PCI_COMMAND);
	if (ret)
		goto fail;
	ident = edu_read32(dev, EDU_REG_ID);
	if ((ident & 0xffff) != 0x00ed) {
		ret = edu_fail(dev, EIO,
			       "identification register reads 0x%08x, "
			       "want 0xRRrr00ed",
			       ident);
		goto fail;
	}
	dev->dma_mask = EDU_DMA_MASK;
	dev->mem_size = EDU_MEM_USABLE;
	return 0;
fail:
	munmap((void *)dev->bar, dev->bar_size);
	dev->bar = NULL;
	return ret;
}

static int edu_wait(struct iog_dma_dev *dev, unsigned int timeout_ms)
{
	struct timespec t0, t;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (!(edu_read64(dev, EDU_REG_DMA_CMD) & EDU_DMA_START))
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &t);
		ms = (t.tv_sec - t0.tv_sec) * 1000 +
		     (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (ms >= (long)timeout_ms)
			return edu_fail(dev, ETIMEDOUT,
					"DMA still running after %u ms",
					timeout_ms);
		usleep(1000);
	}
}

static void edu_remove(struct iog_dma_dev *dev)
{
	uint16_t cmd;

	if (!dev->bar)
		return;
	/* A copy in flight would run after we let go of its memory. */
	edu_wait(dev, 1000);
	cmd = dev->cmd_saved & ~PCI_COMMAND_MASTER;
	edu_cfg_rw(dev, true, &cmd, sizeof(cmd), PCI_COMMAND);
	munmap((void *)dev->bar, dev->bar_size);
	dev->bar = NULL;
}

static int edu_start(struct iog_dma_dev *dev, enum iog_dma_dir dir,
		     uint64_t iova, size_t off, size_t len)
{
	if (!len || off >= EDU_MEM_USABLE || len > EDU_MEM_USABLE - off)
		return edu_fail(dev, EINVAL,
				"%zu bytes at device offset %zu: outside the "
				"%d usable bytes of device memory",
				len, off, EDU_MEM_USABLE);
	if ((iova & ~EDU_DMA_MASK) || ((iova + len - 1) & ~EDU_DMA_MASK))
		return edu_fail(dev, EINVAL,
				"IOVA 0x%llx+%zu beyond the %d-bit DMA mask",
				(unsigned long long)iova, len, 28);
	if (edu_read64(dev, EDU_REG_DMA_CMD) & EDU_DMA_START)
		return edu_fail(dev, EBUSY, "a DMA is already running");
	if (dir == IOG_DMA_TO_DEVICE) {
		edu_write64(dev, EDU_REG_DMA_SRC, iova);
		edu_write64(dev, EDU_REG_DMA_DST, EDU_MEM_BASE + off);
	} else {
		edu_write64(dev, EDU_REG_DMA_SRC, EDU_MEM_BASE + off);
		edu_write64(dev, EDU_REG_DMA_DST, iova);
	}
	edu_write64(dev, EDU_REG_DMA_COUNT, len);
	edu_write64(dev, EDU_REG_DMA_CMD,
		    EDU_DMA_START |
			    (dir == IOG_DMA_FROM_DEVICE ? EDU_DMA_TO_RAM : 0));
	return 0;
}

static int edu_check(struct iog_dma_dev *dev)
{
	uint32_t ident = edu_read32(dev, EDU_REG_ID), v = 0x5a5a0000u ^ ident;
	uint32_t got;

	if ((ident & 0xffff) != 0x00ed)
		return edu_fail(dev, EIO, "identification reads 0x%08x", ident);
	edu_write32(dev, EDU_REG_LIVENESS, v);
	got = edu_read32(dev, EDU_REG_LIVENESS);
	if (got != ~v)
		return edu_fail(dev, EIO,
				"liveness: wrote 0x%08x, read 0x%08x, want "
				"0x%08x",
				v, got, ~v);
	if (edu_read64(dev, EDU_REG_DMA_CMD) & EDU_DMA_START)
		return edu_fail(dev, EBUSY, "a DMA is still running");
	return 0;
}

const struct iog_dma_ops edu_ops = {
	.name = "edu",
	.vendor = 0x1234,
	.device = 0x11e8,
	.init = edu_init,
	.remove = edu_remove,
	.copy_start = edu_start,
	.copy_wait = edu_wait,
	.check = edu_check,
};
