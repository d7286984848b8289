// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PCI ID tables of the drivers built into a kernel image.
 *
 * A module's ID table reaches userspace as `alias pci:...` lines in
 * modules.alias (modpost writes them from MODULE_DEVICE_TABLE).  Built-in
 * code gets no such lines on the kernels we test: on 6.1 and 6.12
 * MODULE_DEVICE_TABLE expands to nothing unless MODULE is defined, so
 * modules.builtin.modinfo holds no pci: alias, and drivers that cannot be
 * modules at all (pcieport) are not even listed there.  The tables exist
 * only inside vmlinux.  model_kimage_pci_drivers() finds them there: every
 * statically initialised struct pci_driver (name, id_table, probe, then
 * four more callbacks that are NULL or code) whose id_table is a
 * well-formed struct pci_device_id array.  The layout it relies on is
 * the same on 6.1 (which has a list_head before the name) and 6.12.
 */
#ifndef MODEL_KIMAGE_H
#define MODEL_KIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* PCI_ANY_ID */
#define MODEL_PCI_ANY_ID 0xffffffffu

/* One struct pci_device_id entry (include/linux/mod_devicetable.h). */
struct model_pci_id {
	uint32_t vendor, device, subvendor, subdevice;
	uint32_t class, class_mask;
	bool override_only; /* matches only through driver_override */
};

/* Called once per driver found; a non-zero return stops the scan. */
typedef int (*model_kimage_fn)(const char *driver,
			       const struct model_pci_id *ids, size_t nr,
			       void *data);

/*
 * Scan img (a 64-bit little-endian vmlinux ELF, len bytes) for built-in
 * PCI drivers.  Returns the number of drivers found, or -1 with a message
 * in err (not such an ELF, ENOMEM, or fn's non-zero return).
 */
int model_kimage_pci_drivers(const unsigned char *img, size_t len,
			     model_kimage_fn fn, void *data, char *err,
			     size_t errlen);

/*
 * The alias pattern of one entry, "pci:v...d...sv...sd...bc..sc..i..", as
 * modpost writes it for a module (PCI_ANY_ID and a zero class mask byte
 * as '*'), except that a class byte with a partial mask is written
 * exactly ('?' or a [...] set per hex digit) where modpost gives up.
 * Matched against a device's modalias with fnmatch(3).  0, or -1 if buf
 * is too small.
 */
int model_pci_id_alias(const struct model_pci_id *id, char *buf, size_t len);

#endif /* MODEL_KIMAGE_H */
