// SPDX-License-Identifier: GPL-2.0-only
/*
 * pci_device_group() and the ACS predicates it rests on (spec §3.1,
 * §3.2; rules R4-R9).
 */
#ifndef MODEL_PCI_DEVICE_GROUP_H
#define MODEL_PCI_DEVICE_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommu_ops.h"
#include "pci_topo.h"

/* §3.1 REQ_ACS_FLAGS: SV | RR | CR | UF (not TB, EC, DT). */
#define MODEL_REQ_ACS_FLAGS \
	(MODEL_ACS_SV | MODEL_ACS_RR | MODEL_ACS_CR | MODEL_ACS_UF)

/*
 * §3.1 pci_acs_flags_enabled on raw registers: false without an ACS
 * capability; a bit the capability register does not advertise counts as
 * enabled.  *missing (may be NULL) gets the required bits left disabled.
 */
bool model_acs_flags_enabled(bool has_acs, uint16_t cap, uint16_t ctrl,
			     uint16_t flags, uint16_t *missing);

/*
 * R6 pci_acs_enabled: quirk rows (pci_quirks.h, default kernel), port-type
 * rules, multifunction rule.  Unknown ACS (no extended config space in
 * the input) counts as absent here; the model itself boots both ways.
 */
bool model_pci_acs_enabled(const struct model_pci_dev *d, uint16_t flags);

/*
 * The same verdict in full: 1, 0, or MODEL_QUIRK_UNKNOWN with *unknown
 * saying what the input lacks; *row gets the quirk row that decided, NULL
 * if none did.  env NULL: the default kernel, no IVRS, no topology.
 */
int model_pci_acs_verdict(const struct model_quirk_env *env,
			  const struct model_pci_dev *d, uint16_t flags,
			  const struct model_quirk **row, const char **unknown);

/*
 * pci_acs_path_enabled(start, NULL, flags): start and every bridge above
 * it pass.  *failed (may be NULL) gets the lowest device that does not.
 */
bool model_pci_acs_path_enabled(const struct model_pci_dev *start,
				uint16_t flags,
				const struct model_pci_dev **failed);

/*
 * Why d fails model_pci_acs_enabled, as "<kind> <bdf> lacks ACS control
 * bits RR CR" and the like.  Writes "" if it passes.
 */
void model_acs_reason(const struct model_pci_dev *d, uint16_t flags, char *buf,
		      size_t len);

/* "SV RR" for a set of ACS bits. */
void model_acs_bits_str(uint16_t bits, char *buf, size_t len);

/*
 * §3.2 pci_device_group: the group d joins, referenced, with the rule and
 * the device that decided it in why.  NULL on ENOMEM.
 */
struct model_iommu_group *model_pci_device_group(struct model *m,
						 struct model_pci_dev *d,
						 struct model_why *why);

#endif /* MODEL_PCI_DEVICE_GROUP_H */
