// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio-iommu grouping policy (spec §4.3, R13; observed-q35.md).
 */
#include <errno.h>

#include "pci_device_group.h"

#define PCI_VENDOR_REDHAT_QUMRANET 0x1af4
/* Modern virtio PCI ID: 0x1040 + virtio device type 23 (IOMMU). */
#define PCI_DEVICE_VIRTIO_IOMMU 0x1057
/* IOMMU_RESV_SW_MSI window of the driver. */
#define VIRTIO_SW_MSI_START 0x8000000ULL
#define VIRTIO_SW_MSI_END 0x80fffffULL
/*
 * x86: QEMU's virtio-iommu-pci reports the APIC's MSI window in its PROBE
 * replies (Debian 6.12 on QEMU 7.2 shows it as every group's msi region),
 * so the driver's software window does not apply there (R13).  The model
 * describes x86 machines when it runs on one.
 */
#if defined(__x86_64__) || defined(__i386__)
#define VIRTIO_DEV_MSI_START 0xfee00000ULL
#define VIRTIO_DEV_MSI_END 0xfeefffffULL
#endif

static int virtio_probe_device(struct model *m, struct model_pci_dev *d)
{
	/* "not translating ourself" */
	if (d->vendor == PCI_VENDOR_REDHAT_QUMRANET &&
	    d->device == PCI_DEVICE_VIRTIO_IOMMU) {
		model_why_nogroup(m, d, "the virtio-iommu function itself");
		return -ENODEV;
	}
	/*
	 * A device gets its fwspec, and so its group, from its own driver's
	 * probe (dma_configure; probe.h): one no driver probes has none.
	 */
	if (!model_state(m, d)->probed) {
		model_why_nogroup(
			m, d,
			m->probed_is_bound
				? "no driver bound, and virtio-iommu groups only devices probed after it"
				: "no registered driver's ID table matches it: no driver probes it, and only its driver's probe gives a device a virtio-iommu group");
		return -ENODEV;
	}
	return 0;
}

static int virtio_get_resv_regions(struct model *m,
				   const struct model_pci_dev *d,
				   struct model_resv_list *out)
{
	(void)d;
	if (m->virtio_msi_start || m->virtio_msi_end)
		return model_resv_add(out, m->virtio_msi_start,
				      m->virtio_msi_end, MODEL_RESV_MSI);
#ifdef VIRTIO_DEV_MSI_START
	if (!m->virtio_sw_msi)
		return model_resv_add(out, VIRTIO_DEV_MSI_START,
				      VIRTIO_DEV_MSI_END, MODEL_RESV_MSI);
#endif
	return model_resv_add(out, VIRTIO_SW_MSI_START, VIRTIO_SW_MSI_END,
			      MODEL_RESV_SW_MSI);
}

const struct model_iommu_ops model_virtio_iommu_ops = {
	.name = "virtio",
	.probe_device = virtio_probe_device,
	.device_group = model_pci_device_group,
	.get_resv_regions = virtio_get_resv_regions,
};
