// SPDX-License-Identifier: GPL-2.0-only
/*
 * Inside the model: the state of one model instance and the vendor ops
 * table (one file per IOMMU driver, like pciutils' access methods).
 */
#ifndef MODEL_IOMMU_OPS_H
#define MODEL_IOMMU_OPS_H

#include <stdbool.h>
#include <stddef.h>

#include "group_core.h"
#include "model.h"
#include "pci_quirks.h"
#include "pci_topo.h"
#include "resv.h"

/* The rule of §8 that decided a device's group. */
enum model_rule {
	MODEL_RULE_NONE = 0, /* not probed */
	MODEL_RULE_R3 = 3, /* no group: not behind this IOMMU */
	MODEL_RULE_R4 = 4, /* DMA-alias walk */
	MODEL_RULE_R5 = 5, /* ACS climb */
	MODEL_RULE_R7 = 7, /* same-bus DMA alias */
	MODEL_RULE_R8 = 8, /* multifunction without ACS */
	MODEL_RULE_R9 = 9, /* new group */
};

#define MODEL_WHY_LEN 1024

struct model_why {
	enum model_rule rule;
	const struct model_pci_dev *via; /* the device whose group it took */
	char text[MODEL_WHY_LEN];
};

/*
 * Something a grouping decision consulted that the explanation names: a
 * quirk row that decided (verdict: 0, 1 for ACS rows, -1 for fixups), or
 * data the input does not hold (unknown says which).
 */
struct model_note {
	const struct model_pci_dev *dev;
	const struct model_quirk *row; /* NULL: the ACS capability */
	int verdict;
	const char *unknown; /* NULL: decided from the input */
};

#define MODEL_MAX_NOTES 16
#define MODEL_MAX_UNKNOWN 4
#define MODEL_MAX_FIXUPS 4

/* Per-device state, indexed like topo.devs. */
struct model_dev_state {
	bool present; /* not removed */
	bool bound; /* a driver is bound */
	bool probed; /* a driver probes it (virtio-iommu groups only these) */
	struct model_why why;
	/*
	 * The group devices aliasing to this (unprobed) bridge share: §3.3
	 * gives them the bridge's group even when the bridge has none yet.
	 */
	struct model_iommu_group *anchor;

	/* Header fixup rows that matched it (pci_quirks.h). */
	const struct model_quirk *fixups[MODEL_MAX_FIXUPS];
	size_t nr_fixups;
	bool alias_unknown; /* a row's aliases are not in config space */
	/* Undecidable data its grouping consulted, in either boot. */
	struct model_note unknown[MODEL_MAX_UNKNOWN];
	size_t nr_unknown;
	int alt_group; /* its group ID with unknown ACS taken as isolated */
	enum model_certainty certainty;
	char *undecidable; /* why not decided (malloc()ed), or NULL */
};

struct model_iommu_ops;

struct model {
	struct model_pci_topo topo;
	struct model_group_core core;
	const struct model_iommu_ops *ops;
	struct model_opts opts; /* pointers not kept past model_boot */
	char *default_domain_type;
	uint64_t virtio_msi_start, virtio_msi_end;
	bool virtio_sw_msi;
	/* virtio: the probed set is the bound one (opts.probed NULL). */
	bool probed_is_bound;
	struct model_dev_state *st;
	/* AMD IVRS aliases resolved to devices (R14). */
	struct model_ivrs {
		struct model_pci_dev *dev, *alias;
	} * ivrs;
	size_t nr_ivrs;
	bool booted;
	/* The kernel, IVRS and topology the quirk rows see. */
	struct model_quirk_env qenv;
	/*
	 * The input leaves ACS or DMA aliases unknown: boot once with them
	 * taken as isolated (no alias), once as not (every alias), and
	 * compare (model_boot).  assume_isolated says which boot runs.
	 */
	bool two_boots;
	bool assume_isolated;
	/*
	 * QEMU's machine: one DRHD with INCLUDE_PCI_ALL, an IVRS that lists
	 * every device.  Off it, the firmware's tables decide what a dump
	 * cannot say (an AMD root complex's group: vendor_amd.c).
	 */
	bool qemu_machine;
	/*
	 * The kernel's probe order is the bus's: on QEMU's machine or a live
	 * system with one IOMMU unit.  Else it follows the firmware's DMAR or
	 * IVRS units, and so do the group IDs.
	 */
	bool ids_known;
	/* What grouping the current device consulted (probe_one). */
	struct model_note notes[MODEL_MAX_NOTES];
	size_t nr_notes;
};

struct model_iommu_ops {
	const char *name;
	/* R3: 0 if d is behind this IOMMU (and may be grouped), else -ENODEV.
	 */
	int (*probe_device)(struct model *m, struct model_pci_dev *d);
	/* A referenced group for d; NULL on ENOMEM.  Fills why. */
	struct model_iommu_group *(*device_group)(struct model *m,
						  struct model_pci_dev *d,
						  struct model_why *why);
	/* Append d's regions to out; 0 or -1 (ENOMEM). */
	int (*get_resv_regions)(struct model *m, const struct model_pci_dev *d,
				struct model_resv_list *out);
	/*
	 * Optional: whether probe_device cannot decide some device from this
	 * input (it then refuses it in the boot that takes unknowns as
	 * isolated, and accepts it with model_note_unknown in the other).
	 */
	bool (*probe_unknown)(const struct model *m);
};

extern const struct model_iommu_ops model_intel_iommu_ops;
extern const struct model_iommu_ops model_amd_iommu_ops;
extern const struct model_iommu_ops model_virtio_iommu_ops;

static inline struct model_dev_state *model_state(struct model *m,
						  const struct model_pci_dev *d)
{
	return &m->st[d - m->topo.devs];
}

/* Record why probe_device refused d (R3). */
void model_why_nogroup(struct model *m, const struct model_pci_dev *d,
		       const char *reason);

/*
 * What the input does not say about d (why: a static string): its group
 * is undecidable when the two boots differ, and the reason names why.
 */
void model_note_unknown(struct model *m, const struct model_pci_dev *d,
			const char *why);

/* The dev's group: its own, else the one anchored at it (§3.3.1). */
struct model_iommu_group *model_group_of(struct model *m,
					 const struct model_pci_dev *d);

#endif /* MODEL_IOMMU_OPS_H */
