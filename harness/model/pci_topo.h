// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PCI topology the reference model works on: config space read through
 * libpci, from a live sysfs or from an `lspci -xxxx` dump, reduced to what
 * grouping needs (spec/iommu-groups.md §3.1).  Only pci_topo.c includes
 * libpci; callers see plain C types.
 */
#ifndef MODEL_PCI_TOPO_H
#define MODEL_PCI_TOPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "group_core.h"

/* "dddd:bb:dd.f" plus NUL, a VMD domain (10000 and on) up to eight digits. */
#define MODEL_BDF_LEN 17

/* PCIe Device/Port type (PCIe capability flags, bits 7:4). */
enum model_pcie_type {
	MODEL_PCIE_ENDPOINT = 0x0,
	MODEL_PCIE_LEG_END = 0x1,
	MODEL_PCIE_ROOT_PORT = 0x4,
	MODEL_PCIE_UPSTREAM = 0x5,
	MODEL_PCIE_DOWNSTREAM = 0x6,
	MODEL_PCIE_PCI_BRIDGE = 0x7, /* PCIe-to-PCI/PCI-X bridge */
	MODEL_PCIE_PCIE_BRIDGE = 0x8, /* PCI/PCI-X-to-PCIe bridge */
	MODEL_PCIE_RC_END = 0x9, /* root complex integrated endpoint */
	MODEL_PCIE_RC_EC = 0xa, /* root complex event collector */
};

/* ACS capability / control bits (PCIe ACS extended capability). */
#define MODEL_ACS_SV 0x0001 /* source validation */
#define MODEL_ACS_TB 0x0002 /* translation blocking */
#define MODEL_ACS_RR 0x0004 /* P2P request redirect */
#define MODEL_ACS_CR 0x0008 /* P2P completion redirect */
#define MODEL_ACS_UF 0x0010 /* upstream forwarding */
#define MODEL_ACS_EC 0x0020 /* P2P egress control */
#define MODEL_ACS_DT 0x0040 /* direct translated P2P */

struct model_pci_dev {
	/* Embedded generic device: its iommu_group is group_of() (§3.2). */
	struct model_device dev;
	char bdf[MODEL_BDF_LEN];

	int domain;
	uint8_t bus;
	uint8_t devfn;
	uint16_t vendor;
	uint16_t device;
	uint16_t class; /* base class << 8 | subclass */
	uint8_t hdr_type; /* raw header type byte, multifunction bit 0x80 */

	/* Header bit 7 of this function itself. */
	bool hdr_multifunction;
	/*
	 * What the kernel's boot scan leaves in pdev->multifunction: the
	 * header bit of function 0, forced on for every further function the
	 * slot scan finds (§3.1).
	 */
	bool multifunction;

	bool is_bridge; /* type 1 (or CardBus) header */
	uint8_t secondary; /* valid if is_bridge */
	uint8_t subordinate;

	bool is_pcie; /* has a PCIe capability */
	enum model_pcie_type pcie_type; /* valid if is_pcie */
	bool ari_forwarding; /* port with ARI Forwarding Enable set */

	bool has_acs;
	uint16_t acs_cap; /* ACS capability register */
	uint16_t acs_ctrl; /* ACS control register */

	bool has_ari;
	uint8_t ari_next_fn; /* ARI next function number */

	/* Explicit DMA aliases on the own bus (quirks, AMD IVRS: R14). */
	uint8_t dma_alias_mask[32];

	/* Bridge whose secondary bus is ours; NULL on a root bus. */
	struct model_pci_dev *parent;
	/*
	 * pci_real_dma_dev(): for a device in an Intel VMD domain (10000 and
	 * on), the VMD endpoint whose requester ID its DMA carries; else NULL.
	 */
	struct model_pci_dev *real_dma;
	/* Position in the boot probe order (R2), 0-based. */
	size_t boot_index;

	char *name; /* "vendor device" from pci.ids, for display only */

	/* Config space as the input holds it: cfg_len is 64, 256, 4096, or in
	 * a dump that stops after its last non-zero row, that row's end. */
	uint8_t *cfg;
	uint16_t cfg_len;
	uint16_t acs_pos; /* offset of the ACS capability, 0 if none */
	/*
	 * PCIe, in a dump without any extended config space (lspci -xxx): its
	 * ACS (and ARI) capability is unknown, not absent.  A live read as
	 * root and lspci -xxxx show the space the kernel has.
	 */
	bool ext_cfg_missing;
	/*
	 * Rebuilt from lspci -v text (lspci_text.h): only the fields lspci
	 * decoded are real, so a quirk that reads other registers cannot tell.
	 */
	bool cfg_from_text;
	/* Header fixups (pci_quirks.h) that change the DMA-alias walk. */
	bool pcie_bridge_alias; /* PCI_DEV_FLAG_PCIE_BRIDGE_ALIAS */
	bool xlate_root; /* PCI_DEV_FLAGS_BRIDGE_XLATE_ROOT: the walk stops */
};

struct model_pci_topo {
	/* Sorted by (domain, bus, devfn); pointers into it are stable. */
	struct model_pci_dev *devs;
	size_t nr;
	/* The same devices in boot probe order (R2). */
	struct model_pci_dev **boot_order;
	char *source; /* "dump FILE" or "sysfs DIR", for messages */
};

/* Length of an error message buffer that always holds our messages. */
#define MODEL_ERR_LEN 512

/*
 * Load from an `lspci -xxxx` dump (libpci's dump access method; an `lspci
 * -xxx` one loads with ext_cfg_missing).  0, or -1 with a message naming
 * the file in err; *t is then empty (free is safe).
 */
int model_pci_topo_load_dump(struct model_pci_topo *t, const char *path,
			     char *err, size_t errlen);

/*
 * Load the live topology.  sysfs_root NULL: libpci's automatic access;
 * else the sysfs tree at sysfs_root (its bus/pci).  Needs root for config
 * space past 64 bytes: that is reported, not guessed around.
 */
int model_pci_topo_load_sysfs(struct model_pci_topo *t, const char *sysfs_root,
			      char *err, size_t errlen);

void model_pci_topo_free(struct model_pci_topo *t);

/*
 * Recompute parents, multifunction flags and boot order after devices
 * were filled in by hand (unit tests build topologies this way).
 */
int model_pci_topo_finish(struct model_pci_topo *t, char *err, size_t errlen);

/* The device named "dddd:bb:dd.f" or "bb:dd.f", or NULL. */
struct model_pci_dev *model_pci_find(const struct model_pci_topo *t,
				     const char *bdf);
struct model_pci_dev *model_pci_get_slot(const struct model_pci_topo *t,
					 int domain, int bus, int devfn);

/* The PCI device that embeds a group member. */
static inline struct model_pci_dev *model_to_pci_dev(struct model_device *dev)
{
	return (struct model_pci_dev *)((char *)dev -
					offsetof(struct model_pci_dev, dev));
}

/* True if d sits on a root bus (no bridge above it). */
static inline bool model_pci_on_root_bus(const struct model_pci_dev *d)
{
	return !d->parent;
}

static inline int model_pci_slot(const struct model_pci_dev *d)
{
	return d->devfn >> 3;
}

static inline int model_pci_func(const struct model_pci_dev *d)
{
	return d->devfn & 7;
}

static inline bool model_pci_same_bus(const struct model_pci_dev *a,
				      const struct model_pci_dev *b)
{
	return a->domain == b->domain && a->bus == b->bus;
}

/* Record that a issues DMA as devfn on its own bus (pci_add_dma_alias). */
void model_pci_add_dma_alias(struct model_pci_dev *a, uint8_t devfn);
/* a's alias mask names b, or b's names a (same bus only). */
bool model_pci_devs_are_dma_aliases(const struct model_pci_dev *a,
				    const struct model_pci_dev *b);

/*
 * §3.1 pci_for_each_dma_alias: fn(dev, rid, data) for d itself (its
 * real_dma if it has one), its explicit aliases, then each bridge above
 * that rewrites the requester ID.
 * Stops at the first non-zero return and returns it.
 */
typedef int (*model_dma_alias_fn)(struct model_pci_dev *dev, uint16_t rid,
				  void *data);
int model_pci_for_each_dma_alias(struct model_pci_dev *d, model_dma_alias_fn fn,
				 void *data);

/* "root port", "PCIe-to-PCI bridge", "conventional PCI device", ... */
const char *model_pci_kind(const struct model_pci_dev *d);

#endif /* MODEL_PCI_TOPO_H */
