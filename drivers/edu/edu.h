// SPDX-License-Identifier: GPL-2.0-only
/*
 * Userspace VFIO driver for QEMU's educational PCI device "edu"
 * (1234:11e8), a DMA engine with 4 KiB of device memory.
 *
 * Every DMA-engine driver in drivers/ sits behind the same small ops table
 * (STYLE.md: the VFIO selftests' lib/drivers), so a suite programs "a
 * device that copies" and loops over whichever driver matches.  The table
 * lives here while edu is the only such driver; a second one moves it to
 * a shared header.
 *
 * The caller owns the VFIO side (container, group, device fd, IOVA
 * mappings); a driver only programs its device through the device fd.
 * Every call returns 0 or a negative errno and leaves the reason in
 * dev->err.
 */
#ifndef IOG_DRIVERS_EDU_H
#define IOG_DRIVERS_EDU_H

#include <stddef.h>
#include <stdint.h>

enum iog_dma_dir {
	IOG_DMA_TO_DEVICE, /* system memory (an IOVA) -> device memory */
	IOG_DMA_FROM_DEVICE, /* device memory -> system memory (an IOVA) */
};

struct iog_dma_ops;

struct iog_dma_dev {
	const struct iog_dma_ops *ops;
	int fd; /* the VFIO device fd, the caller's */
	volatile uint8_t *bar; /* register BAR, mmapped by init */
	size_t bar_size;
	uint64_t cfg_off; /* config space region offset in fd */
	uint16_t cmd_saved; /* PCI_COMMAND before init */
	uint64_t dma_mask; /* IOVAs the engine can address */
	size_t mem_size; /* device memory a copy can use */
	char err[256];
};

struct iog_dma_ops {
	const char *name;
	uint16_t vendor;
	uint16_t device;
	/* Map the registers, enable memory decoding and bus mastering. */
	int (*init)(struct iog_dma_dev *dev, int device_fd);
	/* Wait for the engine to go idle, stop bus mastering, unmap. */
	void (*remove)(struct iog_dma_dev *dev);
	/* Start copying len bytes between iova and device memory at off. */
	int (*copy_start)(struct iog_dma_dev *dev, enum iog_dma_dir dir,
			  uint64_t iova, size_t off, size_t len);
	/* Wait up to timeout_ms for the copy to end (-ETIMEDOUT). */
	int (*copy_wait)(struct iog_dma_dev *dev, unsigned int timeout_ms);
	/* The device answers and is idle (-EIO, -EBUSY). */
	int (*check)(struct iog_dma_dev *dev);
};

extern const struct iog_dma_ops edu_ops;

#endif /* IOG_DRIVERS_EDU_H */
