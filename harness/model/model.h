// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reference model's public API (DESIGN.md, "The reference model").
 *
 * Input: PCI config space (a live sysfs or an `lspci -xxxx` dump), the
 * IOMMU kind, and for virtio-iommu the devices a driver probes (probe.h
 * derives them from the drivers present and their ID tables).  The model
 * never reads the kernel's own grouping.  Output: the predicted
 * partition with predicted group IDs, each group's reserved_regions and
 * type, and for every device the rule that decided its group
 * (spec/iommu-groups.md §8).
 *
 *	struct model *m;
 *	struct model_opts o = { .iommu = MODEL_IOMMU_INTEL };
 *	struct model_partition p;
 *
 *	if (model_load_dump(&m, "q35.dump", err, sizeof(err)) ||
 *	    model_boot(m, &o, err, sizeof(err)) || model_partition(m, &p))
 *		...
 *	model_partition_free(&p);
 *	model_free(m);
 */
#ifndef MODEL_H
#define MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "group_core.h"

struct model;
struct model_pci_topo;

enum model_iommu_kind {
	MODEL_IOMMU_INTEL, /* VT-d */
	MODEL_IOMMU_AMD, /* AMD-Vi */
	MODEL_IOMMU_VIRTIO, /* virtio-iommu */
};

/* "intel", "amd", "virtio"; 0 or -1 for an unknown word. */
int model_iommu_kind_parse(const char *s, enum model_iommu_kind *kind);
const char *model_iommu_kind_name(enum model_iommu_kind kind);

/*
 * The IOMMU kind a live system runs, from SYSFS_ROOT/class/iommu: dmar*
 * (VT-d), ivhd* (AMD-Vi), a device link through virtio (virtio-iommu).
 * This names the driver, not its grouping.  0 with the entry's path in
 * from (if given), or -1 if nothing there says.
 */
int model_iommu_kind_detect(const char *sysfs_root, enum model_iommu_kind *kind,
			    char *from, size_t fromlen);

/* An IVRS alias entry (R14): requests of dev carry alias's ID. */
struct model_alias {
	const char *dev; /* BDF */
	const char *alias; /* BDF */
};

struct model_opts {
	enum model_iommu_kind iommu;
	/*
	 * The devices with a driver bound: they decide which removals emit
	 * UNBIND events.  For virtio-iommu without `probed`, they stand in
	 * for it (then a device whose driver's probe failed is missed).
	 */
	const char *const *bound;
	size_t nr_bound;
	/*
	 * virtio-iommu only: the devices whose driver probe the kernel runs
	 * (a registered driver's ID table matches them), in probe order:
	 * virtio-iommu groups exactly these, in that order, whether or not
	 * the probe then succeeds (probe.h).  Unknown order: pass them in
	 * boot order.  NULL: use `bound`.
	 */
	const char *const *probed;
	size_t nr_probed;
	/*
	 * virtio-iommu only: the MSI window the device reports in its PROBE
	 * replies.  Both 0: the model's own knowledge (vendor_virtio.c): on
	 * x86 QEMU's virtio-iommu-pci reports the APIC's window
	 * 0xfee00000-0xfeefffff; elsewhere none.  virtio_sw_msi: the device
	 * reports none (another VMM), so the driver's software window
	 * 0x8000000-0x80fffff applies (R13).
	 */
	uint64_t virtio_msi_start;
	uint64_t virtio_msi_end;
	bool virtio_sw_msi;
	/* AMD only: IVRS aliases; only same-bus ones affect grouping (R14). */
	const struct model_alias *ivrs_aliases;
	size_t nr_ivrs_aliases;
	/*
	 * The default domain type every group reports (§4.4).  NULL: "DMA",
	 * which QEMU's virtual IOMMUs force (caching mode / NpCache make the
	 * kernels strict; observed-q35.md).
	 */
	const char *default_domain_type;
	/*
	 * The kernel under test, as MODEL_KERNEL(major, minor) (pci_quirks.h):
	 * which quirk rows apply.  0: 6.12.  Live callers pass the running
	 * release (model_kernel_running).
	 */
	unsigned int kernel;
};

/*
 * How sure a predicted group is.  An input without some bytes a decision
 * needs (a 256-byte `lspci -xxx` dump has no extended config space, so no
 * ACS capability of a PCIe device) makes the model boot twice, unknown
 * ACS taken as absent and as isolated; since ACS only ever splits groups,
 * a group the two boots agree on is decided.
 */
enum model_certainty {
	MODEL_DECIDED = 0,
	MODEL_ID_UNDECIDABLE, /* members certain, ID not */
	MODEL_UNDECIDABLE, /* members not certain */
};

/* Load config space; 0, or -1 with a message naming the input in err. */
int model_load_dump(struct model **m, const char *path, char *err,
		    size_t errlen);
/* sysfs_root NULL: the running system; else a sysfs tree (its bus/pci). */
int model_load_live(struct model **m, const char *sysfs_root, char *err,
		    size_t errlen);
void model_free(struct model *m);

/* The topology as loaded (pci_topo.h), e.g. for device names. */
const struct model_pci_topo *model_topo(const struct model *m);

/*
 * Boot: every device in boot probe order (R2; for virtio the probed list)
 * through the vendor's probe_device (R3) and device_group (R4-R9).  Once
 * per model; 0, or -1 with err (an unknown BDF in opts, ENOMEM).
 */
int model_boot(struct model *m, const struct model_opts *opts, char *err,
	       size_t errlen);

/* One predicted group. */
struct model_pgroup {
	int id;
	char **bdfs; /* join order */
	size_t nr;
	char *resv; /* reserved_regions text (R11) */
	char *type; /* type attribute, without newline */
	enum model_certainty certainty;
	char *undecidable; /* why it is not MODEL_DECIDED, else NULL */
};

/* One device of the topology. */
struct model_pdev {
	char *bdf;
	char *name; /* pci.ids name, display only */
	int group; /* predicted group ID, -1 for none */
	char *why; /* the rule that decided, e.g. "... (R8)" */
};

struct model_partition {
	struct model_pgroup *groups; /* ascending ID */
	size_t nr;
	struct model_pdev *devs; /* (domain, bus, devfn) order */
	size_t nr_devs;
	/* devs' BDFs strictly ascend as strings: lookups bisect. */
	bool devs_sorted;
};

/* The current prediction; 0 or -1 (ENOMEM).  Free with the next one. */
int model_partition(const struct model *m, struct model_partition *p);
void model_partition_free(struct model_partition *p);
const struct model_pgroup *
model_partition_group(const struct model_partition *p, int id);
const struct model_pdev *model_partition_dev(const struct model_partition *p,
					     const char *bdf);

/*
 * Why bdf is where it is: its own rule, then the rule of every other
 * member of its group.  malloc()ed text; NULL if there is no such device
 * (or ENOMEM).
 */
char *model_explain(const struct model *m, const char *bdf);

/* ---- after boot (teardown, rescan and driver binding suites) ---------- */

/*
 * sysfs remove of bdf: its subtree first, deepest last-added first (§6),
 * each device leaving its group (R10).  0, or -1 if there is no such
 * present device.
 */
int model_remove_device(struct model *m, const char *bdf);

/*
 * sysfs rescan: every removed device comes back in boot order and is
 * probed per the rules.  kernel_early_probe reproduces what 6.1 and 6.12
 * do instead (observed-q35.md): a function > 0 is grouped inside
 * device_add, before the scan marks it multifunction, so it sees only
 * its own header bit.  0 or -1 (ENOMEM).
 */
int model_rescan(struct model *m, bool kernel_early_probe);

/*
 * Driver binding: the old notifier's BIND/BOUND (UNBIND/UNBOUND) events
 * for a grouped device.  On virtio-iommu an ungrouped device is probed
 * when its driver binds (6.12 behaviour).  0, or -1 for no such device.
 */
int model_driver_bind(struct model *m, const char *bdf);
int model_driver_unbind(struct model *m, const char *bdf);

/* Every group notifier event since load, in order. */
size_t model_events(const struct model *m, const struct model_event **ev);

/* ---- comparison with the kernel ------------------------------------- */

/* A group as the kernel shows it; resv and type NULL: not compared. */
struct model_observed_group {
	long id;
	const char *const *bdfs; /* any order */
	size_t nr;
	const char *resv; /* reserved_regions content */
	const char *type; /* type content, newline optional */
};

/*
 * Compare a prediction with the kernel's groups: membership, IDs, and
 * reserved_regions / type where given.  Returns the number of
 * differences (0: equal) or -1 (ENOMEM).  *diff (if diff is not NULL)
 * gets a malloc()ed human-readable report: each differing group on both
 * sides with the model's explanation of each member.  An undecidable
 * group (model_certainty) is not compared: its members, and the kernel
 * groups holding them, count as no difference and are listed at the end
 * of the report; an ID-undecidable group's ID is not compared.
 */
int model_compare(const struct model_partition *p,
		  const struct model_observed_group *obs, size_t nr_obs,
		  char **diff);

#endif /* MODEL_H */
