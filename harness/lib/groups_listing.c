// SPDX-License-Identifier: GPL-2.0-only
/* A kernel's IOMMU groups as a record lists them (groups_listing.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "groups_listing.h"
#include "pci_topo.h"
#include "lspci_text.h"

/* The device address at s as "dddd:bb:dd.f" in out; its length, 0 if none. */
static size_t parse_bdf(const char *s, char out[MODEL_BDF_LEN])
{
	unsigned int dom, bus, devfn;
	size_t n = model_lspci_addr(s, &dom, &bus, &devfn);

	if (n)
		snprintf(out, MODEL_BDF_LEN, "%04x:%02x:%02x.%u", dom,
			 bus & 0xff, (devfn >> 3) & 0x1f, devfn & 7);
	return n;
}

/* Put bdf into group id; -1 on no memory, -2 if it is listed already. */
static int add(struct groups_listing *l, long id, const char *bdf)
{
	struct listed_group *g = NULL;

	for (size_t i = 0; i < l->nr; i++) {
		for (size_t k = 0; k < l->g[i].nr; k++)
			if (!strcmp(l->g[i].bdfs[k], bdf))
				return l->g[i].id == id ? 0 : -2;
		if (l->g[i].id == id)
			g = &l->g[i];
	}
	if (!g) {
		struct listed_group *m =
			realloc(l->g, (l->nr + 1) * sizeof(*m));

		if (!m)
			return -1;
		l->g = m;
		g = &l->g[l->nr++];
		*g = (struct listed_group){.id = id};
	}
	char **b = realloc(g->bdfs, (g->nr + 1) * sizeof(*b));

	if (!b)
		return -1;
	g->bdfs = b;
	g->bdfs[g->nr] = strdup(bdf);
	if (!g->bdfs[g->nr])
		return -1;
	g->nr++;
	l->devices++;
	return 0;
}

int groups_listing_load(const char *path, struct groups_listing *l, char *err,
			size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, cur[MODEL_BDF_LEN] = "", bdf[MODEL_BDF_LEN];
	size_t cap = 0;
	unsigned int n = 0;
	int ret = 0;

	memset(l, 0, sizeof(*l));
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (!ret && getline(&line, &cap, f) >= 0) {
		char *s = line, *p;
		long id = -1;
		int r = 0;

		n++;
		while (*s == '>' || *s == ' ' || *s == '\t')
			s++; /* mail quoting, indentation (kept or lost) */
		if ((p = strstr(s, ": Adding to iommu group ")) &&
		    (p = strstr(line, "pci ")) && parse_bdf(p + 4, bdf)) {
			id = strtol(strstr(p, "group ") + 6, NULL, 10);
			r = add(l, id, bdf);
		} else if (!strncasecmp(s, "IOMMU group ", 12) &&
			   isdigit((unsigned char)s[12])) {
			/* "IOMMU Group N: bb:dd.f ..." (a shell loop) */
			id = strtol(s + 12, &p, 10);
			p += strspn(p, ": \t");
			if (parse_bdf(p, bdf))
				r = add(l, id, bdf);
			else
				ret = -3;
		} else if (!strncmp(s, "IOMMU group: ", 13)) {
			/* lspci -v: the device line above names the device */
			if (!cur[0]) {
				ret = -3;
				break;
			}
			id = strtol(s + 13, NULL, 10);
			r = add(l, id, cur);
		} else if (parse_bdf(s, bdf) && s[parse_bdf(s, bdf)] == ' ') {
			memcpy(cur, bdf, sizeof(cur));
		}
		if (r == -1)
			ret = -1;
		else if (r == -2) {
			snprintf(err, errlen,
				 "%s:%u: %s is listed in two groups", path, n,
				 bdf[0] ? bdf : cur);
			ret = -2;
		}
	}
	if (ret == -3)
		snprintf(err, errlen,
			 "%s:%u: an IOMMU group line without a device", path,
			 n);
	else if (ret == -1)
		snprintf(err, errlen, "%s: out of memory", path);
	else if (!ret && !l->nr) {
		snprintf(err, errlen,
			 "%s: no IOMMU groups (lspci \"IOMMU group: N\" lines, "
			 "\"Adding to iommu group N\" kernel log lines or "
			 "\"IOMMU Group N: BDF\" lines)",
			 path);
		ret = -1;
	}
	free(line);
	fclose(f);
	if (ret)
		groups_listing_free(l);
	return ret ? -1 : 0;
}

void groups_listing_free(struct groups_listing *l)
{
	for (size_t i = 0; i < l->nr; i++) {
		for (size_t k = 0; k < l->g[i].nr; k++)
			free(l->g[i].bdfs[k]);
		free(l->g[i].bdfs);
	}
	free(l->g);
	memset(l, 0, sizeof(*l));
}
