// SPDX-License-Identifier: GPL-2.0-only
/*
 * AMD-Vi grouping policy (spec §4.2, R13, R14).
 */
#include <errno.h>

#include "pci_device_group.h"

#define AMD_MSI_START 0xfee00000ULL
#define AMD_MSI_END 0xfeefffffULL
/* HyperTransport reserved window. */
#define AMD_HT_START 0xfd00000000ULL
#define AMD_HT_END 0xffffffffffULL
#define PCI_VENDOR_AMD 0x1022
#define PCI_CLASS_SYSTEM_IOMMU 0x0806
#define PCI_CLASS_BRIDGE_HOST 0x0600

/*
 * The kernel groups a device only if the IVRS lists it (check_device():
 * rlookup_amd_iommu).  Every device that does DMA must be listed; the root
 * complex (the host bridge at device 0 of a root bus) does none, and real
 * firmware leaves it out (on the Ryzen and AM5 records in
 * tests/fixtures/realhw it has no group, while the dummy host bridges at
 * 00:01.0 and on have one), whereas QEMU's IVRS lists it.  A dump holds
 * no IVRS: off QEMU, the root complex's group is undecidable.
 */
static bool ivrs_unknown(const struct model *m, const struct model_pci_dev *d)
{
	return !m->qemu_machine && d->class == PCI_CLASS_BRIDGE_HOST &&
	       !d->parent && !d->devfn;
}

static bool amd_probe_unknown(const struct model *m)
{
	for (size_t i = 0; i < m->topo.nr; i++)
		if (ivrs_unknown(m, &m->topo.devs[i]))
			return true;
	return false;
}

static int amd_probe_device(struct model *m, struct model_pci_dev *d)
{
	/* The IOMMU does not translate its own function (observed-q35.md). */
	if (d->vendor == PCI_VENDOR_AMD && d->class == PCI_CLASS_SYSTEM_IOMMU) {
		model_why_nogroup(m, d, "the AMD IOMMU's own function");
		return -ENODEV;
	}
	if (ivrs_unknown(m, d)) {
		if (m->assume_isolated) {
			model_why_nogroup(
				m, d,
				"a root complex the firmware's IVRS may leave out");
			return -ENODEV;
		}
		model_note_unknown(m, d,
				   "whether the firmware's IVRS lists the root "
				   "complex (it does no DMA; this input holds "
				   "no IVRS)");
	}
	/*
	 * setup_aliases runs in probe, before device_group: an IVRS alias on
	 * the same bus becomes a PCI DMA alias (R14); one on another bus only
	 * programs DTEs and does not group.
	 */
	for (size_t i = 0; i < m->nr_ivrs; i++) {
		if (m->ivrs[i].dev != d || m->ivrs[i].alias == d ||
		    !model_pci_same_bus(d, m->ivrs[i].alias))
			continue;
		model_pci_add_dma_alias(d, m->ivrs[i].alias->devfn);
	}
	return 0;
}

static int amd_get_resv_regions(struct model *m, const struct model_pci_dev *d,
				struct model_resv_list *out)
{
	(void)m;
	(void)d;
	/* No IVMD entries in QEMU's IVRS, so no direct regions. */
	if (model_resv_add(out, AMD_MSI_START, AMD_MSI_END, MODEL_RESV_MSI))
		return -1;
	return model_resv_add(out, AMD_HT_START, AMD_HT_END,
			      MODEL_RESV_RESERVED);
}

const struct model_iommu_ops model_amd_iommu_ops = {
	.name = "amd",
	.probe_device = amd_probe_device,
	.device_group = model_pci_device_group,
	.get_resv_regions = amd_get_resv_regions,
	.probe_unknown = amd_probe_unknown,
};
