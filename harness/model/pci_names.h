/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PCI IDs and their pci.ids names, both ways, through libpci.  lspci
 * without -nn prints only names; the IDs behind a name are the ones for
 * which libpci's pci_lookup_name() gives that exact text.  hwdb is never
 * asked, so every machine gives the same answer for the same pci.ids.
 */
#ifndef MODEL_PCI_NAMES_H
#define MODEL_PCI_NAMES_H

#include <stddef.h>
#include <stdint.h>

/*
 * The pci.ids name of vendor:device into buf (display only; numbers if
 * the ID is unknown or pci.ids is missing).  Needs no config access.
 */
const char *model_pci_name(uint16_t vendor, uint16_t device, char *buf,
			   size_t len);

/*
 * The class code (base << 8 | subclass) whose lspci name is text: 0, or
 * -1 with why ("names no class in pci.ids", "names 2 classes").
 */
int model_pci_class_of(const char *text, uint16_t *class, char *why,
		       size_t whylen);

/* A pair of IDs: vendor:device or subvendor:subdevice. */
struct model_pci_id {
	uint16_t a, b;
};

/*
 * The vendor:device pairs whose "VENDOR DEVICE" text lspci printed (the
 * numbers where pci.ids lacks a name, "Device 1234", as lspci does): how
 * many there are (the first max of them in ids), 0 with why if none.
 * Names repeat in pci.ids (a host bridge under several IDs): the caller
 * decides whether the difference matters.
 */
size_t model_pci_ids_of(const char *text, struct model_pci_id *ids, size_t max,
			char *why, size_t whylen);

/*
 * The subsystem IDs of vendor:device whose "Subsystem:" text is text:
 * 0, or -1 with why.  Slow (every subsystem ID of the candidate vendors
 * is asked): only for the devices whose quirks read them.
 */
int model_pci_subsys_of(const char *text, uint16_t vendor, uint16_t device,
			uint16_t *subvendor, uint16_t *subdevice, char *why,
			size_t whylen);

#endif /* MODEL_PCI_NAMES_H */
