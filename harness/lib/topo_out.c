// SPDX-License-Identifier: GPL-2.0-only
/*
 * Topology output: the QEMU arguments and the guest's expectation file.
 */
#include "topo_int.h"

#include <stdlib.h>
#include <string.h>

int topo_qemu_args(const struct topo *t, struct topo_strv *out)
{
	char num[16];

	memset(out, 0, sizeof(*out));
	if (topo_strv_add(out, "-machine") ||
	    topo_strv_add(out, t->machine ? t->machine : "") ||
	    topo_strv_add(out, "-m"))
		goto fail;
	snprintf(num, sizeof(num), "%u", t->memory_mib);
	if (topo_strv_add(out, num) || topo_strv_add(out, "-smp"))
		goto fail;
	snprintf(num, sizeof(num), "%u", t->smp);
	if (topo_strv_add(out, num) || topo_strv_add(out, "-cpu") ||
	    topo_strv_add(out, t->cpu ? t->cpu : "max"))
		goto fail;
	if (t->iommu_device && (topo_strv_add(out, "-device") ||
				topo_strv_add(out, t->iommu_device)))
		goto fail;
	for (size_t i = 0; i < t->nobjects; i++)
		if (topo_strv_add(out, "-object") ||
		    topo_strv_add(out, t->objects[i].args))
			goto fail;
	/* A hub of its own and no other port: no traffic leaves the NIC. */
	for (size_t i = 0; i < t->nnetdevs; i++)
		if (topo_strv_add(out, "-netdev") ||
		    topo_strv_addf(out, "hubport,id=%s,hubid=%zu",
				   t->netdevs[i].id, TOPO_HUB_FIRST + i))
			goto fail;
	for (size_t i = 0; i < t->devices.n; i++)
		if (topo_strv_add(out, "-device") ||
		    topo_strv_add(out, t->devices.v[i]))
			goto fail;
	/* Their log goes nowhere (QEMU_TRACE in check.sh keeps it). */
	for (size_t i = 0; i < t->traces.n; i++)
		if (topo_strv_add(out, "-trace") ||
		    topo_strv_add(out, t->traces.v[i]))
			goto fail;
	if (t->traces.n &&
	    (topo_strv_add(out, "-D") || topo_strv_add(out, "/dev/null")))
		goto fail;
	return 0;
fail:
	topo_strv_free(out);
	return -1;
}

static int topo_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int topo_cmp_group(const void *a, const void *b)
{
	const struct topo_strv *ga = a, *gb = b;

	return strcmp(ga->v[0], gb->v[0]);
}

/* Append to a malloc'd string; frees it and returns NULL on failure. */
static char *topo_cat(char *s, size_t *len, const char *add)
{
	size_t n = strlen(add);
	char *r = realloc(s, *len + n + 1);

	if (!r) {
		free(s);
		return NULL;
	}
	memcpy(r + *len, add, n + 1);
	*len += n;
	return r;
}

char *topo_expect_text(const struct topo *t, const char *source)
{
	struct topo_strv *gs = NULL;
	char **ng = NULL;
	char *s = NULL;
	size_t len = 0;

	s = topo_cat(s, &len, "# generated from ");
	if (s)
		s = topo_cat(s, &len, source ? source : "<input>");
	if (s)
		s = topo_cat(s, &len, "\n");
	if (!s)
		return NULL;
	/* Sort copies of the pointer arrays; the topology stays as read. */
	gs = calloc(t->ngroups + 1, sizeof(*gs));
	ng = calloc(t->nogroup.n + 1, sizeof(*ng));
	if (!gs || !ng)
		goto fail;
	for (size_t i = 0; i < t->ngroups; i++) {
		gs[i].n = t->groups[i].bdfs.n;
		gs[i].v = calloc(gs[i].n + 1, sizeof(char *));
		if (!gs[i].v)
			goto fail;
		memcpy(gs[i].v, t->groups[i].bdfs.v, gs[i].n * sizeof(char *));
		qsort(gs[i].v, gs[i].n, sizeof(char *), topo_cmp_str);
	}
	for (size_t i = 0; i < t->ngroups; i++)
		if (!gs[i].n)
			goto fail;
	qsort(gs, t->ngroups, sizeof(*gs), topo_cmp_group);
	if (t->nogroup.n)
		memcpy(ng, t->nogroup.v, t->nogroup.n * sizeof(char *));
	qsort(ng, t->nogroup.n, sizeof(char *), topo_cmp_str);
	for (size_t i = 0; i < t->ngroups && s; i++) {
		s = topo_cat(s, &len, "group");
		for (size_t j = 0; j < gs[i].n && s; j++) {
			s = topo_cat(s, &len, " ");
			if (s)
				s = topo_cat(s, &len, gs[i].v[j]);
		}
		if (s)
			s = topo_cat(s, &len, "\n");
	}
	for (size_t i = 0; i < t->nogroup.n && s; i++) {
		s = topo_cat(s, &len, "nogroup ");
		if (s)
			s = topo_cat(s, &len, ng[i]);
		if (s)
			s = topo_cat(s, &len, "\n");
	}
	goto out;
fail:
	free(s);
	s = NULL;
out:
	if (gs)
		for (size_t i = 0; i < t->ngroups; i++)
			free(gs[i].v);
	free(gs);
	free(ng);
	return s;
}
