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

/*
 * A fixture of a struct name##_fix set up by name##_fix_setup, whose
 * devices the parent puts back.
 */
#define DA_FIXTURE(name)                                  \
	FIXTURE(name)                                     \
	{                                                 \
		struct name##_fix f;                      \
	};                                                \
	FIXTURE_SETUP(name)                               \
	{                                                 \
		name##_fix_setup(_metadata, &self->f);    \
	}                                                 \
	FIXTURE_TEARDOWN_PARENT(name)                     \
	{                                                 \
		restore_saved(_metadata, &self->f.saved); \
	}

/* A test whose body is the function of the same name. */
#define DA_TEST(fixture, name)             \
	TEST_F(fixture, name)              \
	{                                  \
		name(_metadata, &self->f); \
	}

/* The group's devices on vfio-pci, put back by the parent. */
DA_FIXTURE(edu)

/* Container and group; the type1 IOMMU's info, map and unmap (type1.c). */
DA_TEST(edu, container_api)
DA_TEST(edu, attach_detach_cycles)
DA_TEST(edu, iommu_info)
DA_TEST(edu, map_unmap_semantics)
DA_TEST(edu, unmap_all)
DA_TEST(edu, dma_entry_limit)

/* rates.c */
DA_TEST(edu, map_unmap_rate)

/* Interrupt isolation (type1.c). */
DA_TEST(edu, type1_unsafe_interrupts)

/* DMA by the edu engine (dma.c); the fault report comes first. */
DA_TEST(edu, dma_mapped_copy)
DA_TEST(edu, dma_unmapped_fault_reported)
DA_TEST(edu, dma_unmapped_write_blocked)
DA_TEST(edu, dma_unmapped_read_blocked)

/* iommufd.c */
DA_TEST(edu, iommufd_ioas_map_unmap)
DA_TEST(edu, iommufd_device_attach)
DA_TEST(edu, iommufd_dma)

/* Viability: a group is the unit of ownership (viability.c). */
DA_FIXTURE(pair)
DA_TEST(pair, viability_follows_sibling_driver)
DA_TEST(pair, kernel_driver_refused_while_owned)

TEST_HARNESS_MAIN
