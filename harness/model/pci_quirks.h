// SPDX-License-Identifier: GPL-2.0-only
/*
 * The grouping-relevant device quirks of the kernel's PCI code
 * (drivers/pci/quirks.c) as a table of rows: which devices, what each
 * asserts (ACS it grants or denies, DMA aliases, requester-ID flags), the
 * kernel function it comes from and the kernel versions that have it.
 * The facts are read from Debian's linux-source-6.1 (6.1.192) and
 * linux-source-6.12 (6.12.118).
 */
#ifndef MODEL_PCI_QUIRKS_H
#define MODEL_PCI_QUIRKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pci_topo.h"

/* A kernel version as MODEL_KERNEL(6, 12); 0 stands for the default. */
#define MODEL_KERNEL(major, minor) ((unsigned int)(major) << 8 | (minor))
#define MODEL_KERNEL_DEFAULT MODEL_KERNEL(6, 12)

/* The kernels a row is in: bit per version the table was read from. */
#define MODEL_K6_1 0x1
#define MODEL_K6_12 0x2

enum model_quirk_kind {
	/* pci_dev_acs_enabled[]: decides before the ACS capability. */
	MODEL_QK_ACS, /* grants acs_grant of the requested acs_keep bits */
	MODEL_QK_ACS_DENY, /* "not isolated" whatever is asked; ends the search
			    */
	MODEL_QK_ACS_AMD_SB, /* as MODEL_QK_ACS if multifunction, root bus, IVRS
			      */
	MODEL_QK_ACS_INTEL_PCH, /* as MODEL_QK_ACS if the LPC has RCBA enabled
				 */
	MODEL_QK_ACS_INTEL_SPT, /* ACS capability and control as dwords */
	/* Header fixups. */
	MODEL_QK_ALIAS_FUNC, /* DMA alias: function alias[0] of its own slot */
	MODEL_QK_ALIAS_DEVFNS, /* DMA aliases: the nr_alias devfns in alias[] */
	MODEL_QK_ALIAS_SLOT_FNS, /* functions 0..alias[0]-1 of every slot */
	MODEL_QK_ALIAS_ALL, /* every devfn of its bus */
	MODEL_QK_ALIAS_MMIO, /* aliases read from device registers, not config
			      */
	MODEL_QK_BRIDGE_ALIAS, /* PCI_DEV_FLAG_PCIE_BRIDGE_ALIAS */
	MODEL_QK_XLATE_ROOT, /* PCI_DEV_FLAGS_BRIDGE_XLATE_ROOT */
};

/* Bit for a PCIe device/port type in model_quirk.types. */
#define MODEL_QT(type) (1u << (type))

struct model_quirk {
	uint16_t vendor;
	uint16_t dev_lo, dev_hi; /* 0x0000-0xffff: any device */
	uint8_t dev_step; /* 2: every second ID from dev_lo; 0: each */
	bool sub; /* match subvendor:subdevice too */
	uint16_t subvendor, subdevice;
	uint16_t class; /* base class << 8 | subclass; 0: any */
	uint16_t types; /* MODEL_QT() of the PCIe types it needs; 0: any */
	enum model_quirk_kind kind;
	uint16_t acs_keep; /* requested bits the quirk looks at; 0: all */
	uint16_t acs_grant; /* of those, the ones it provides */
	uint8_t alias[3];
	uint8_t nr_alias;
	uint8_t kernels; /* MODEL_K6_1 | MODEL_K6_12 */
	const char *fn; /* the kernel function */
	const char *what; /* the devices, in a few words */
};

/* What the quirks see besides the device itself. */
struct model_quirk_env {
	unsigned int kernel; /* MODEL_KERNEL(); 0: MODEL_KERNEL_DEFAULT */
	bool ivrs; /* an ACPI IVRS table exists (AMD-Vi) */
	/* For quirks reading another device (the LPC's RCBA); may be NULL. */
	const struct model_pci_topo *topo;
};

/* The whole table, in the kernel's order. */
const struct model_quirk *model_quirks(size_t *nr);
/* Whether q's IDs (not its class, type or subsystem) cover vendor:device. */
bool model_quirk_ids_match(const struct model_quirk *q, uint16_t vendor,
			   uint16_t device);

/* MODEL_K6_1 or MODEL_K6_12: the column a kernel version reads. */
unsigned int model_kernel_column(unsigned int kernel);
bool model_quirk_in_kernel(const struct model_quirk *q, unsigned int kernel);

/* "6.12", "6.1.192-amd64", ... -> MODEL_KERNEL(); 0 or -1. */
int model_kernel_parse(const char *s, unsigned int *kernel);
/* The running kernel's release (uname); 0 or -1. */
int model_kernel_running(unsigned int *kernel);
/* "6.12" into buf. */
const char *model_kernel_str(unsigned int kernel, char *buf, size_t len);

/* Outcomes of model_quirk_acs. */
#define MODEL_QUIRK_NONE (-1) /* no row decides: the ACS capability does */
#define MODEL_QUIRK_UNKNOWN 2 /* a row applies but needs bytes not in input */

/*
 * pci_dev_specific_acs_enabled: the first row (in table order, in env's
 * kernel) that decides for d and flags.  0 not isolated, 1 isolated,
 * MODEL_QUIRK_UNKNOWN (with *unknown saying why), or MODEL_QUIRK_NONE.
 * *row (may be NULL) gets the deciding row.  env may be NULL (defaults).
 */
int model_quirk_acs(const struct model_quirk_env *env,
		    const struct model_pci_dev *d, uint16_t flags,
		    const struct model_quirk **row, const char **unknown);

/*
 * The header fixups for d in env's kernel: DMA aliases and bridge flags
 * are applied to d; every matching row (MODEL_QK_ALIAS_MMIO too, which
 * changes nothing) goes to rows[] up to max.  Returns the number matched.
 */
size_t model_quirk_fixups(const struct model_quirk_env *env,
			  struct model_pci_dev *d,
			  const struct model_quirk **rows, size_t max);

/* "ACS SV RR CR UF granted", "DMA alias to function 1", ... */
void model_quirk_effect(const struct model_quirk *q, char *buf, size_t len);
/* "8086:a110-a11f", "1b4b:9123", "1002:* class 0680", ... */
void model_quirk_ids(const struct model_quirk *q, char *buf, size_t len);
/* "6.1, 6.12" */
void model_quirk_kernels(const struct model_quirk *q, char *buf, size_t len);

#endif /* MODEL_PCI_QUIRKS_H */
