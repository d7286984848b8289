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
/*
 * One program from several files (suites/domain_attach/, one per concern;
 * domain_attach.h lists them).  kselftest_harness.h keeps its fixture and
 * test lists in static variables, so only this file, the one with
 * TEST_HARNESS_MAIN, registers: every FIXTURE and TEST_F is here, in the
 * order the tests run, and its body calls the function of the same name,
 * which takes _metadata and uses ASSERT_, EXPECT_, TH_LOG and SKIP as a
 * test body would.  The other files include suites/ksft_helpers.h, which
 * makes their copies of the harness's global symbols weak and forbids
 * registering there.
 */
#include "kselftest_harness.h"

#include "domain_attach/domain_attach.h"

/* The group's devices on vfio-pci, put back by the parent. */
FIXTURE(edu)
{
	struct edu_fix f;
};

FIXTURE_SETUP(edu)
{
	edu_fix_setup(_metadata, &self->f);
}

FIXTURE_TEARDOWN_PARENT(edu)
{
	restore_saved(_metadata, &self->f.saved);
}

/* Container and group; the type1 IOMMU's info, map and unmap (type1.c). */
TEST_F(edu, container_api)
{
	container_api(_metadata, &self->f);
}

TEST_F(edu, attach_detach_cycles)
{
	attach_detach_cycles(_metadata, &self->f);
}

TEST_F(edu, iommu_info)
{
	iommu_info(_metadata, &self->f);
}

TEST_F(edu, map_unmap_semantics)
{
	map_unmap_semantics(_metadata, &self->f);
}

TEST_F(edu, unmap_all)
{
	unmap_all(_metadata, &self->f);
}

TEST_F(edu, dma_entry_limit)
{
	dma_entry_limit(_metadata, &self->f);
}

/* rates.c */
TEST_F(edu, map_unmap_rate)
{
	map_unmap_rate(_metadata, &self->f);
}

/* Interrupt isolation (type1.c). */
TEST_F(edu, type1_unsafe_interrupts)
{
	type1_unsafe_interrupts(_metadata, &self->f);
}

/* DMA by the edu engine (dma.c); the fault report comes first. */
TEST_F(edu, dma_mapped_copy)
{
	dma_mapped_copy(_metadata, &self->f);
}

TEST_F(edu, dma_unmapped_fault_reported)
{
	dma_unmapped_fault_reported(_metadata, &self->f);
}

TEST_F(edu, dma_unmapped_write_blocked)
{
	dma_unmapped_write_blocked(_metadata, &self->f);
}

TEST_F(edu, dma_unmapped_read_blocked)
{
	dma_unmapped_read_blocked(_metadata, &self->f);
}

/* iommufd.c */
TEST_F(edu, iommufd_ioas_map_unmap)
{
	iommufd_ioas_map_unmap(_metadata, &self->f);
}

TEST_F(edu, iommufd_device_attach)
{
	iommufd_device_attach(_metadata, &self->f);
}

TEST_F(edu, iommufd_dma)
{
	iommufd_dma(_metadata, &self->f);
}

/* Viability: a group is the unit of ownership (viability.c). */
FIXTURE(pair)
{
	struct pair_fix f;
};

FIXTURE_SETUP(pair)
{
	pair_fix_setup(_metadata, &self->f);
}

FIXTURE_TEARDOWN_PARENT(pair)
{
	restore_saved(_metadata, &self->f.saved);
}

TEST_F(pair, viability_follows_sibling_driver)
{
	viability_follows_sibling_driver(_metadata, &self->f);
}

TEST_F(pair, kernel_driver_refused_while_owned)
{
	kernel_driver_refused_while_owned(_metadata, &self->f);
}

TEST_HARNESS_MAIN
