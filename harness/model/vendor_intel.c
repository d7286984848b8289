// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel VT-d grouping policy (spec §4.1, R13).
 */
#include "pci_device_group.h"

#define INTEL_MSI_START 0xfee00000ULL
#define INTEL_MSI_END 0xfeefffffULL
#define PCI_CLASS_ISA_BRIDGE 0x0601

static int intel_probe_device(struct model *m, struct model_pci_dev *d)
{
	/* QEMU's DRHD is INCLUDE_PCI_ALL: every PCI device is in scope. */
	(void)m;
	(void)d;
	return 0;
}

static int intel_get_resv_regions(struct model *m,
				  const struct model_pci_dev *d,
				  struct model_resv_list *out)
{
	(void)m;
	/*
	 * Floppy workaround: an ISA bridge gets the low 16 MiB 1:1.  The
	 * spec says direct; the 6.12 guest shows direct-relaxable
	 * (observed-q35.md), which the boot decides.  QEMU has no RMRR.
	 */
	if (d->class == PCI_CLASS_ISA_BRIDGE &&
	    model_resv_add(out, 0, 0xffffffULL, MODEL_RESV_DIRECT_RELAXABLE))
		return -1;
	return model_resv_add(out, INTEL_MSI_START, INTEL_MSI_END,
			      MODEL_RESV_MSI);
}

const struct model_iommu_ops model_intel_iommu_ops = {
	.name = "intel",
	.probe_device = intel_probe_device,
	.device_group = model_pci_device_group,
	.get_resv_regions = intel_get_resv_regions,
};
