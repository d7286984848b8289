// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reserved regions of a group (spec §2.1, R11): the union of its members'
 * regions, sorted by (start, type), same-type overlapping or adjacent
 * regions merged, printed as the kernel's reserved_regions file.
 */
#ifndef MODEL_RESV_H
#define MODEL_RESV_H

#include <stddef.h>
#include <stdint.h>

/* The kernel's enum order, which breaks ties between equal starts. */
enum model_resv_type {
	MODEL_RESV_DIRECT,
	MODEL_RESV_DIRECT_RELAXABLE,
	MODEL_RESV_RESERVED,
	MODEL_RESV_MSI,
	MODEL_RESV_SW_MSI,
};

struct model_resv_region {
	uint64_t start;
	uint64_t end; /* inclusive */
	enum model_resv_type type;
};

struct model_resv_list {
	struct model_resv_region *r;
	size_t nr;
	size_t cap;
};

/* "direct", "direct-relaxable", "reserved", "msi" (both MSI kinds). */
const char *model_resv_type_name(enum model_resv_type type);

/* Append [start, end]; 0 or -1 (ENOMEM).  Order does not matter. */
int model_resv_add(struct model_resv_list *l, uint64_t start, uint64_t end,
		   enum model_resv_type type);

/* Sort by (start, type) and merge same-type overlapping/adjacent (R11). */
void model_resv_merge(struct model_resv_list *l);

/*
 * The reserved_regions text of a merged list: one
 * "0x%016llx 0x%016llx TYPE\n" line per region.  malloc()ed, NULL on
 * ENOMEM; an empty list gives "".
 */
char *model_resv_format(const struct model_resv_list *l);

void model_resv_free(struct model_resv_list *l);

#endif /* MODEL_RESV_H */
