// SPDX-License-Identifier: GPL-2.0-only
/*
 * reserved_regions of a group: §2.1 and R11.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resv.h"

const char *model_resv_type_name(enum model_resv_type type)
{
	switch (type) {
	case MODEL_RESV_DIRECT:
		return "direct";
	case MODEL_RESV_DIRECT_RELAXABLE:
		return "direct-relaxable";
	case MODEL_RESV_RESERVED:
		return "reserved";
	case MODEL_RESV_MSI:
	case MODEL_RESV_SW_MSI:
		/* §2.1: both MSI kinds print as "msi". */
		return "msi";
	}
	return "?";
}

int model_resv_add(struct model_resv_list *l, uint64_t start, uint64_t end,
		   enum model_resv_type type)
{
	if (l->nr == l->cap) {
		size_t n = l->cap ? l->cap * 2 : 8;
		struct model_resv_region *r = realloc(l->r, n * sizeof(*r));

		if (!r)
			return -1;
		l->r = r;
		l->cap = n;
	}
	l->r[l->nr++] = (struct model_resv_region){start, end, type};
	return 0;
}

static int cmp_region(const void *a, const void *b)
{
	const struct model_resv_region *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return 0;
}

void model_resv_merge(struct model_resv_list *l)
{
	size_t out = 0;

	if (!l->nr)
		return;
	qsort(l->r, l->nr, sizeof(*l->r), cmp_region);
	/*
	 * Sweep in start order; each region meets the last kept region of
	 * its own type.  Different types are never merged and may overlap.
	 */
	for (size_t i = 0; i < l->nr; i++) {
		struct model_resv_region cur = l->r[i];
		struct model_resv_region *top = NULL;

		for (size_t k = out; k-- > 0;) {
			if (l->r[k].type == cur.type) {
				top = &l->r[k];
				break;
			}
		}
		/* Adjacent counts (next.start <= prev.end + 1); no overflow. */
		if (top &&
		    (top->end == UINT64_MAX || cur.start <= top->end + 1)) {
			if (cur.end > top->end)
				top->end = cur.end;
			continue;
		}
		l->r[out++] = cur;
	}
	l->nr = out;
}

char *model_resv_format(const struct model_resv_list *l)
{
	/* "0x" + 16 + " 0x" + 16 + " " + type + "\n" */
	size_t size = l->nr * 64 + 1;
	char *s = malloc(size);
	size_t off = 0;

	if (!s)
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; i < l->nr; i++)
		off += (size_t)snprintf(s + off, size - off,
					"0x%016llx 0x%016llx %s\n",
					(unsigned long long)l->r[i].start,
					(unsigned long long)l->r[i].end,
					model_resv_type_name(l->r[i].type));
	return s;
}

void model_resv_free(struct model_resv_list *l)
{
	free(l->r);
	memset(l, 0, sizeof(*l));
}
