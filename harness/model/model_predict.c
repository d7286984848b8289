// SPDX-License-Identifier: GPL-2.0-only
/*
 * The model's predictions after boot: the partition with each group's
 * reserved_regions, type and certainty, device lookups, the undecidable
 * groups of a two-boot input, and a device's explanation.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_int.h"
#include "pci_device_group.h"

static int cmp_group_id(const void *a, const void *b)
{
	const struct model_pgroup *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int fill_group(struct model *m, struct model_iommu_group *g,
		      struct model_pgroup *pg)
{
	struct model_resv_list l = {0};

	pg->id = g->id;
	pg->bdfs = calloc(g->nr_devices ? g->nr_devices : 1, sizeof(char *));
	if (!pg->bdfs)
		return -1;
	for (size_t k = 0; k < g->nr_devices; k++) {
		const struct model_pci_dev *d = model_to_pci_dev(g->devices[k]);

		pg->bdfs[k] = strdup(d->bdf);
		if (!pg->bdfs[k])
			goto fail;
		pg->nr++;
		/* §2.1: every member's regions, in list order. */
		if (m->ops->get_resv_regions(m, d, &l))
			goto fail;
	}
	model_resv_merge(&l);
	pg->resv = model_resv_format(&l);
	pg->type =
		strdup(m->default_domain_type ? m->default_domain_type : "DMA");
	model_resv_free(&l);
	/* The least certain member decides (model_boot marks them alike). */
	for (size_t k = 0; k < g->nr_devices; k++) {
		const struct model_dev_state *st =
			model_state(m, model_to_pci_dev(g->devices[k]));

		if (st->certainty <= pg->certainty)
			continue;
		pg->certainty = st->certainty;
		free(pg->undecidable);
		pg->undecidable = strdup(st->undecidable);
		if (!pg->undecidable)
			return -1;
	}
	return pg->resv && pg->type ? 0 : -1;
fail:
	model_resv_free(&l);
	return -1;
}

int model_partition(const struct model *cm, struct model_partition *p)
{
	struct model *m = (struct model *)cm;

	memset(p, 0, sizeof(*p));
	if (m->core.nr_groups) {
		p->groups = calloc(m->core.nr_groups, sizeof(*p->groups));
		if (!p->groups)
			goto fail;
	}
	for (size_t i = 0; i < m->core.nr_groups; i++) {
		p->nr++;
		if (fill_group(m, m->core.groups[i], &p->groups[i]))
			goto fail;
	}
	if (p->nr)
		qsort(p->groups, p->nr, sizeof(*p->groups), cmp_group_id);
	if (m->topo.nr) {
		p->devs = calloc(m->topo.nr, sizeof(*p->devs));
		if (!p->devs)
			goto fail;
	}
	for (size_t i = 0; i < m->topo.nr; i++) {
		const struct model_pci_dev *d = &m->topo.devs[i];
		struct model_pdev *pd = &p->devs[p->nr_devs];

		if (!m->st[i].present)
			continue;
		p->nr_devs++;
		pd->bdf = strdup(d->bdf);
		pd->name = strdup(d->name ? d->name : "");
		pd->group = d->dev.iommu_group ? d->dev.iommu_group->id : -1;
		pd->why = strdup(m->st[i].why.text[0] ? m->st[i].why.text
						      : "not probed");
		if (!pd->bdf || !pd->name || !pd->why)
			goto fail;
	}
	/* Domains past ffff print as their low 16 bits and break the order. */
	p->devs_sorted = true;
	for (size_t i = 1; i < p->nr_devs; i++)
		if (strcmp(p->devs[i - 1].bdf, p->devs[i].bdf) >= 0)
			p->devs_sorted = false;
	return 0;
fail:
	model_partition_free(p);
	return -1;
}

void model_partition_free(struct model_partition *p)
{
	for (size_t i = 0; i < p->nr; i++) {
		for (size_t k = 0; k < p->groups[i].nr; k++)
			free(p->groups[i].bdfs[k]);
		free(p->groups[i].bdfs);
		free(p->groups[i].resv);
		free(p->groups[i].type);
		free(p->groups[i].undecidable);
	}
	free(p->groups);
	for (size_t i = 0; i < p->nr_devs; i++) {
		free(p->devs[i].bdf);
		free(p->devs[i].name);
		free(p->devs[i].why);
	}
	free(p->devs);
	memset(p, 0, sizeof(*p));
}

const struct model_pgroup *
model_partition_group(const struct model_partition *p, int id)
{
	for (size_t i = 0; i < p->nr; i++)
		if (p->groups[i].id == id)
			return &p->groups[i];
	return NULL;
}

/* "dddd:bb:dd.f" from any accepted spelling; 0 or -1. */
int model_norm_bdf(const char *in, char out[MODEL_BDF_LEN])
{
	unsigned int dom = 0, bus, dev, fn;
	char tail;

	if (sscanf(in, "%x:%x:%x.%u%c", &dom, &bus, &dev, &fn, &tail) != 4) {
		dom = 0;
		if (sscanf(in, "%x:%x.%u%c", &bus, &dev, &fn, &tail) != 3)
			return -1;
	}
	if (dom > 0x7fffffff || bus > 0xff || dev > 0x1f || fn > 7)
		return -1;
	snprintf(out, MODEL_BDF_LEN, "%04x:%02x:%02x.%u", dom, bus, dev, fn);
	return 0;
}

const struct model_pdev *model_partition_dev(const struct model_partition *p,
					     const char *bdf)
{
	char n[MODEL_BDF_LEN];

	if (model_norm_bdf(bdf, n))
		return NULL;
	/* A linear search per member made printing a partition quadratic. */
	if (p->devs_sorted) {
		size_t lo = 0, hi = p->nr_devs;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int c = strcmp(p->devs[mid].bdf, n);

			if (!c)
				return &p->devs[mid];
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		return NULL;
	}
	for (size_t i = 0; i < p->nr_devs; i++)
		if (!strcmp(p->devs[i].bdf, n))
			return &p->devs[i];
	return NULL;
}

void model_sb_printf(struct model_sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (b->len + (size_t)n + 1 > b->cap) {
		size_t cap = (b->len + (size_t)n + 1) * 2;
		char *s = realloc(b->s, cap);

		if (!s) {
			b->oom = true;
			free(b->s);
			b->s = NULL;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *model_sb_done(struct model_sbuf *b)
{
	if (!b->oom && !b->s)
		model_sb_printf(b, "%s", "");
	return b->oom ? NULL : b->s;
}

/* What the input could not decide for g's members, as "; "-joined text. */
static void sb_unknowns(struct model_sbuf *b, struct model *m,
			const struct model_iommu_group *g)
{
	const struct model_note *seen[64];
	size_t nseen = 0;

	/* Each device once, however many members consulted it. */
	for (size_t i = 0; i < g->nr_devices; i++) {
		const struct model_dev_state *st =
			model_state(m, model_to_pci_dev(g->devices[i]));

		for (size_t k = 0; k < st->nr_unknown && nseen < 64; k++) {
			const struct model_note *n = &st->unknown[k];
			size_t j;

			for (j = 0; j < nseen; j++)
				if (seen[j]->dev == n->dev &&
				    seen[j]->row == n->row)
					break;
			if (j == nseen)
				seen[nseen++] = n;
		}
	}
	if (!nseen)
		model_sb_printf(b, "the groups it depends on are undecidable");
	/* One sentence per cause, naming the devices it hides. */
	for (size_t i = 0, out = 0; i < nseen; i++) {
		bool done = false;

		for (size_t j = 0; j < i && !done; j++)
			done = seen[j]->row == seen[i]->row &&
			       seen[j]->unknown == seen[i]->unknown;
		if (done)
			continue;
		model_sb_printf(b, "%s%s%s%s: ", out++ ? "; " : "",
				seen[i]->row ? seen[i]->row->fn : "",
				seen[i]->row ? ": " : "", seen[i]->unknown);
		for (size_t j = i, n = 0; j < nseen; j++)
			if (seen[j]->row == seen[i]->row &&
			    seen[j]->unknown == seen[i]->unknown)
				model_sb_printf(b, "%s%s %s", n++ ? ", " : "",
						model_pci_kind(seen[j]->dev),
						seen[j]->dev->bdf);
	}
}

/* The groups g's members form in the other boot. */
static void sb_alt(struct model_sbuf *b, struct model *m,
		   const struct model_iommu_group *g)
{
	for (size_t i = 0; i < g->nr_devices; i++) {
		int alt = model_state(m, model_to_pci_dev(g->devices[i]))
				  ->alt_group;
		bool done = false;

		for (size_t k = 0; k < i && !done; k++)
			done = model_state(m, model_to_pci_dev(g->devices[k]))
				       ->alt_group == alt;
		if (done)
			continue;
		if (alt < 0) {
			model_sb_printf(b, " {%s: no group}",
					g->devices[i]->name);
			continue;
		}
		model_sb_printf(b, " {");
		for (size_t k = 0, n = 0; k < m->topo.nr; k++)
			if (m->st[k].present && m->st[k].alt_group == alt)
				model_sb_printf(b, "%s%s", n++ ? " " : "",
						m->topo.devs[k].bdf);
		model_sb_printf(b, "}");
	}
}

/*
 * After two boots: a group both boots formed, with the same ID, is
 * decided; one whose members the other boot groups otherwise is not.
 * Each member keeps the verdict and its reason.
 */
int model_mark_undecidable(struct model *m)
{
	for (size_t gi = 0; gi < m->core.nr_groups; gi++) {
		struct model_iommu_group *g = m->core.groups[gi];
		enum model_certainty c = MODEL_DECIDED;
		struct model_sbuf b = {0};
		size_t same = 0;
		char *text;
		int alt;

		if (!g->nr_devices)
			continue;
		alt = model_state(m, model_to_pci_dev(g->devices[0]))
			      ->alt_group;
		for (size_t i = 0; i < g->nr_devices; i++)
			if (model_state(m, model_to_pci_dev(g->devices[i]))
				    ->alt_group != alt)
				c = MODEL_UNDECIDABLE;
		for (size_t k = 0; k < m->topo.nr; k++)
			same += m->st[k].present && m->st[k].alt_group == alt;
		if (alt < 0 || same != g->nr_devices)
			c = MODEL_UNDECIDABLE;
		if (c == MODEL_DECIDED && alt != g->id)
			c = MODEL_ID_UNDECIDABLE;
		if (c == MODEL_DECIDED)
			continue;
		if (c == MODEL_UNDECIDABLE) {
			model_sb_printf(&b, "undecidable from this input: ");
			sb_unknowns(&b, m, g);
			model_sb_printf(
				&b,
				"; taken as isolated instead, these devices are grouped");
			sb_alt(&b, m, g);
		} else {
			model_sb_printf(
				&b,
				"ID undecidable from this input: the members are certain, but undecidable groups come before it (ID %d if unknown ACS is taken as isolated)",
				alt);
		}
		text = model_sb_done(&b);
		if (!text)
			return -1;
		for (size_t i = 0; i < g->nr_devices; i++) {
			struct model_dev_state *st =
				model_state(m, model_to_pci_dev(g->devices[i]));

			st->certainty = c;
			free(st->undecidable);
			st->undecidable = strdup(text);
			if (!st->undecidable) {
				free(text);
				return -1;
			}
		}
		free(text);
	}
	return 0;
}

char *model_explain(const struct model *cm, const char *bdf)
{
	struct model *m = (struct model *)cm;
	struct model_pci_dev *d = model_pci_find(&m->topo, bdf);
	struct model_iommu_group *g;
	struct model_sbuf b = {0};

	if (!d || !model_state(m, d)->present)
		return NULL;
	g = d->dev.iommu_group;
	model_sb_printf(&b, "%s %s (%s)\n", d->bdf, model_pci_kind(d),
			d->name ? d->name : "");
	if (!g) {
		model_sb_printf(&b, "  %s\n",
				model_state(m, d)->why.text[0]
					? model_state(m, d)->why.text
					: "not probed");
		return model_sb_done(&b);
	}
	model_sb_printf(&b, "  group %d, %zu member%s:", g->id, g->nr_devices,
			g->nr_devices == 1 ? "" : "s");
	for (size_t i = 0; i < g->nr_devices; i++)
		model_sb_printf(&b, " %s", g->devices[i]->name);
	model_sb_printf(&b, "\n");
	if (model_state(m, d)->undecidable)
		model_sb_printf(&b, "  %s\n", model_state(m, d)->undecidable);
	/* The device's own reason first, then its companions' (join order). */
	model_sb_printf(&b, "  %s: %s\n", d->bdf, model_state(m, d)->why.text);
	for (size_t i = 0; i < g->nr_devices; i++) {
		const struct model_pci_dev *o = model_to_pci_dev(g->devices[i]);

		if (o != d)
			model_sb_printf(&b, "  %s: %s\n", o->bdf,
					model_state(m, o)->why.text);
	}
	return model_sb_done(&b);
}
