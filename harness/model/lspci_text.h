/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `lspci -vvnn` text as model input: the form in which public hardware
 * records keep machines.  The text is turned back into the config space
 * bytes lspci decoded (IDs, class, header type, bus numbers, the PCI
 * Express capability, ACS and ARI), written as an `lspci -xxxx` dump that
 * libpci then reads like any other.  Without -nn the IDs and class are
 * found again from the names through pci.ids (pci_names.h).  The "IOMMU
 * group:" lines are the kernel's answer and are never read.
 */
#ifndef MODEL_LSPCI_TEXT_H
#define MODEL_LSPCI_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * A device address as lspci prints it at the start of s: "dddd:bb:dd.f",
 * "bb:dd.f", or an lspci -P path of them ("00:01.0/01:00.0", the device
 * last), not followed by a letter or digit.  Its length, 0 if none.
 */
size_t model_lspci_addr(const char *s, unsigned int *domain, unsigned int *bus,
			unsigned int *devfn);

/* Whether text (a whole file's content) is lspci -v text, not a dump. */
bool model_lspci_text_detect(const char *text);

/*
 * Write text (read from path, named in messages) to out as an lspci -xxxx
 * dump.  A device whose capabilities lspci could not read ("<access
 * denied>": not run as root) gets its 64-byte header only, and its address
 * ("dddd:bb:dd.f") is appended to unknown (NUL-separated, up to unknown_len
 * bytes) when unknown is not NULL.  0, or -1 with "path:line: why" in err.
 */
int model_lspci_text_to_dump(const char *text, const char *path, FILE *out,
			     char *unknown, size_t unknown_len, char *err,
			     size_t errlen);

/*
 * The file at path, if it is an lspci -vvnn record, as the dump it was
 * decoded from (model_lspci_text_to_dump), in a temporary file whose name
 * is put in tmp: 0 if path is no such record (tmp empty), 1 if tmp holds
 * its dump (the caller unlinks it), -1 with err (a device's capabilities
 * are not in the record: nothing to predict on).
 */
int model_lspci_text_as_dump(const char *path, char *tmp, size_t tmplen,
			     char *err, size_t errlen);

#endif
