/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A kernel's IOMMU groups as a public record lists them, for comparing the
 * model's prediction offline (iogroups predict --expect).  Three forms,
 * told apart line by line:
 *   - lspci -v text: a device line ("bb:dd.f ...", "dddd:bb:dd.f ..." or a
 *     path "00:01.0/01:00.0 ...") and later its "IOMMU group: N" line;
 *   - the kernel log: "pci 0000:00:01.0: Adding to iommu group N";
 *   - the usual shell loop: "IOMMU Group N: 00:01.0 ..." or "IOMMU group
 *     N 0000:00:01.0 ...".
 * Mail quoting ("> ") and lost indentation are tolerated.
 */
#ifndef IOG_GROUPS_LISTING_H
#define IOG_GROUPS_LISTING_H

#include <stddef.h>

struct listed_group {
	long id;
	char **bdfs; /* "dddd:bb:dd.f" */
	size_t nr;
};

struct groups_listing {
	struct listed_group *g;
	size_t nr;
	size_t devices; /* devices named in the listing */
};

/*
 * Read path; 0, or -1 with "path: why" (or "path:line: why") in err.  A
 * device listed in two groups is an error; so is a listing without groups.
 */
int groups_listing_load(const char *path, struct groups_listing *l, char *err,
			size_t errlen);
void groups_listing_free(struct groups_listing *l);

#endif
