// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reference model's driver: load, boot probe (R2, R3), predictions,
 * explanations, teardown and rescan (R10), comparison with the kernel.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lspci_text.h"
#include "pci_device_group.h"

int model_iommu_kind_parse(const char *s, enum model_iommu_kind *kind)
{
	if (!strcmp(s, "intel"))
		*kind = MODEL_IOMMU_INTEL;
	else if (!strcmp(s, "amd"))
		*kind = MODEL_IOMMU_AMD;
	else if (!strcmp(s, "virtio"))
		*kind = MODEL_IOMMU_VIRTIO;
	else
		return -1;
	return 0;
}

const char *model_iommu_kind_name(enum model_iommu_kind kind)
{
	switch (kind) {
	case MODEL_IOMMU_INTEL:
		return "intel";
	case MODEL_IOMMU_AMD:
		return "amd";
	case MODEL_IOMMU_VIRTIO:
		return "virtio";
	}
	return "?";
}

struct model_iommu_group *model_group_of(struct model *m,
					 const struct model_pci_dev *d)
{
	if (d->dev.iommu_group)
		return d->dev.iommu_group;
	return model_state(m, d)->anchor;
}

void model_why_nogroup(struct model *m, const struct model_pci_dev *d,
		       const char *reason)
{
	struct model_why *why = &model_state(m, d)->why;

	why->rule = MODEL_RULE_R3;
	why->via = NULL;
	snprintf(why->text, sizeof(why->text), "no group: %s (R3)", reason);
}

/* A freed group must not stay anchored at a bridge (its ID is reused). */
static void on_group_release(struct model_iommu_group *g, void *priv)
{
	struct model *m = priv;

	for (size_t i = 0; i < m->topo.nr; i++)
		if (m->st[i].anchor == g)
			m->st[i].anchor = NULL;
}

static int model_new(struct model **mp, struct model *m, char *err,
		     size_t errlen)
{
	m->st = calloc(m->topo.nr, sizeof(*m->st));
	if (!m->st) {
		snprintf(err, errlen, "%s: out of memory", m->topo.source);
		model_free(m);
		*mp = NULL;
		return -1;
	}
	for (size_t i = 0; i < m->topo.nr; i++)
		m->st[i].present = true;
	model_group_core_init(&m->core);
	m->core.release_cb = on_group_release;
	m->core.release_priv = m;
	*mp = m;
	return 0;
}

/*
 * An lspci -vvnn record (lspci_text.h) as the dump it was decoded from, in
 * a temporary file whose name is put in tmp; 0 if path is no such record
 * (tmp empty), 1 if tmp holds its dump, -1 with err.
 */
static int text_as_dump(const char *path, char *tmp, size_t tmplen,
			char *err, size_t errlen)
{
	char *text = NULL, unknown[256];
	size_t cap = 0;
	FILE *in = fopen(path, "r"), *out;
	ssize_t n;
	int fd, ret;

	tmp[0] = '\0';
	if (!in)
		return 0; /* the dump loader names the file and why */
	n = getdelim(&text, &cap, '\0', in);
	fclose(in);
	if (n <= 0 || !model_lspci_text_detect(text)) {
		free(text);
		return 0;
	}
	snprintf(tmp, tmplen, "%s/iog-lspci.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	fd = mkstemp(tmp);
	out = fd < 0 ? NULL : fdopen(fd, "w");
	if (!out) {
		snprintf(err, errlen, "%s: a temporary file: %s", path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		free(text);
		return -1;
	}
	ret = model_lspci_text_to_dump(text, path, out, unknown,
				       sizeof(unknown), err, errlen);
	free(text);
	if (fclose(out) && !ret) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		ret = -1;
	}
	/*
	 * Without its capabilities a device might be anything from a
	 * conventional PCI function to a switch port: nothing to predict on.
	 */
	if (!ret && unknown[0]) {
		snprintf(err, errlen,
			 "%s: the capabilities of %s are not in the record "
			 "(\"<access denied>\": lspci was not run as root); "
			 "its grouping cannot be decided",
			 path, unknown);
		ret = -1;
	}
	if (ret) {
		unlink(tmp);
		tmp[0] = '\0';
		return -1;
	}
	return 1;
}

int model_load_dump(struct model **mp, const char *path, char *err,
		    size_t errlen)
{
	struct model *m = calloc(1, sizeof(*m));
	char tmp[PATH_MAX];
	int text, ret;

	*mp = NULL;
	if (!m) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	text = text_as_dump(path, tmp, sizeof(tmp), err, errlen);
	ret = text < 0 ? -1 :
			 model_pci_topo_load_dump(&m->topo, text ? tmp : path,
						  err, errlen);
	if (text > 0) {
		char *at = strstr(err, tmp);

		unlink(tmp);
		/* Messages name the record, not the dump made of it. */
		if (ret && at) {
			char rest[512];

			snprintf(rest, sizeof(rest), "%s", at + strlen(tmp));
			snprintf(at, errlen - (at - err), "%s%s", path, rest);
		}
		if (!ret) {
			free(m->topo.source);
			m->topo.source = strdup(path);
			for (size_t i = 0; i < m->topo.nr; i++)
				m->topo.devs[i].cfg_from_text = true;
		}
	}
	if (ret) {
		free(m);
		return -1;
	}
	return model_new(mp, m, err, errlen);
}

int model_load_live(struct model **mp, const char *sysfs_root, char *err,
		    size_t errlen)
{
	struct model *m = calloc(1, sizeof(*m));

	*mp = NULL;
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (model_pci_topo_load_sysfs(&m->topo, sysfs_root, err, errlen)) {
		free(m);
		return -1;
	}
	return model_new(mp, m, err, errlen);
}

void model_free(struct model *m)
{
	if (!m)
		return;
	/* No anchor outlives the model: skip a scan of it per group. */
	m->core.release_cb = NULL;
	if (m->st)
		model_group_core_destroy(&m->core);
	for (size_t i = 0; m->st && i < m->topo.nr; i++)
		free(m->st[i].undecidable);
	model_pci_topo_free(&m->topo);
	free(m->st);
	free(m->ivrs);
	free(m->default_domain_type);
	free(m);
}

const struct model_pci_topo *model_topo(const struct model *m)
{
	return &m->topo;
}

/* A quirk row a decision rested on, as a sentence for the explanation. */
static void note_text(const struct model_note *n, char *buf, size_t len)
{
	const struct model_quirk *q = n->row;
	char effect[160], kernels[16];
	const char *detail = "";

	model_quirk_kernels(q, kernels, sizeof(kernels));
	model_quirk_effect(q, effect, sizeof(effect));
	if (q->kind == MODEL_QK_ACS_INTEL_PCH)
		detail = n->verdict ? "the LPC at 1f.0 has RCBA enabled; "
				    : "the LPC at 1f.0 has RCBA disabled; ";
	else if (q->kind == MODEL_QK_ACS_INTEL_SPT)
		detail = "control read at ACS capability + 8; ";
	if (q->kind <= MODEL_QK_ACS_INTEL_SPT) {
		char bits[64];

		/* The bits granted (the row's), or plainly no. */
		model_acs_bits_str(q->acs_grant, bits, sizeof(bits));
		snprintf(effect, sizeof(effect), "ACS %s%sgranted", bits,
			 bits[0] ? " " : "");
		if (n->verdict != 1)
			snprintf(effect, sizeof(effect), "ACS denied");
	}
	snprintf(buf, len,
		 "quirk: %s %s [%04x:%04x] (%s): %s by %s (%skernel %s)",
		 model_pci_kind(n->dev), n->dev->bdf, n->dev->vendor,
		 n->dev->device, q->what, effect, q->fn, detail, kernels);
}

/*
 * After device_group: name the quirk rows its decision consulted, and
 * keep what the input could not decide for the undecidable groups.
 */
static void take_notes(struct model *m, struct model_dev_state *st)
{
	for (size_t i = 0; i < m->nr_notes; i++) {
		const struct model_note *n = &m->notes[i];
		size_t off = strlen(st->why.text), k;

		if (n->unknown) {
			for (k = 0; k < st->nr_unknown; k++)
				if (st->unknown[k].dev == n->dev &&
				    st->unknown[k].row == n->row)
					break;
			if (k == st->nr_unknown &&
			    st->nr_unknown < MODEL_MAX_UNKNOWN)
				st->unknown[st->nr_unknown++] = *n;
		}
		/* An unknown one is the group's undecidable reason instead. */
		if (n->row && !n->unknown && off + 2 < sizeof(st->why.text)) {
			snprintf(st->why.text + off, sizeof(st->why.text) - off,
				 "; ");
			note_text(n, st->why.text + off + 2,
				  sizeof(st->why.text) - off - 2);
		}
	}
	m->nr_notes = 0;
}

/* R3 then device_group; 0 or -1 (ENOMEM). */
static int probe_one(struct model *m, struct model_pci_dev *d)
{
	struct model_dev_state *st = model_state(m, d);
	struct model_iommu_group *g;

	/* "Device is probed already if in a group" */
	if (d->dev.iommu_group)
		return 0;
	if (m->ops->probe_device(m, d))
		return 0;
	m->nr_notes = 0;
	g = m->ops->device_group(m, d, &st->why);
	take_notes(m, st);
	if (!g)
		return -1;
	if (model_iommu_group_add_device(g, &d->dev)) {
		model_iommu_group_put(g);
		return -1;
	}
	/* The membership holds the group now; drop device_group's ref. */
	model_iommu_group_put(g);
	return 0;
}

/*
 * The header fixups of every device (DMA aliases, bridge flags), and
 * whether the input leaves an ACS verdict or a DMA alias unknown.
 */
static void apply_fixups(struct model *m)
{
	struct model_pci_topo *t = &m->topo;

	m->two_boots = false;
	for (size_t i = 0; i < t->nr; i++) {
		struct model_dev_state *st = &m->st[i];
		const struct model_quirk *row;
		const char *unknown;
		size_t n = model_quirk_fixups(&m->qenv, &t->devs[i], st->fixups,
					      MODEL_MAX_FIXUPS);

		st->nr_fixups = n < MODEL_MAX_FIXUPS ? n : MODEL_MAX_FIXUPS;
		for (size_t k = 0; k < st->nr_fixups; k++)
			if (st->fixups[k]->kind == MODEL_QK_ALIAS_MMIO)
				st->alias_unknown = true;
		if (st->alias_unknown ||
		    model_pci_acs_verdict(&m->qenv, &t->devs[i],
					  MODEL_REQ_ACS_FLAGS, &row,
					  &unknown) == MODEL_QUIRK_UNKNOWN)
			m->two_boots = true;
	}
}

/* Forget the first of two boots: groups, IDs, events, reasons. */
static void reset_groups(struct model *m)
{
	model_group_core_destroy(&m->core);
	model_group_core_init(&m->core);
	m->core.release_cb = on_group_release;
	m->core.release_priv = m;
	for (size_t i = 0; i < m->topo.nr; i++) {
		m->st[i].anchor = NULL;
		memset(&m->st[i].why, 0, sizeof(m->st[i].why));
	}
}

static int mark_undecidable(struct model *m);

int model_boot(struct model *m, const struct model_opts *opts, char *err,
	       size_t errlen)
{
	struct model_pci_topo *t = &m->topo;
	struct model_pci_dev **order = NULL;
	size_t n = 0;

	if (m->booted) {
		snprintf(err, errlen, "%s: model already booted", t->source);
		return -1;
	}
	switch (opts->iommu) {
	case MODEL_IOMMU_INTEL:
		m->ops = &model_intel_iommu_ops;
		break;
	case MODEL_IOMMU_AMD:
		m->ops = &model_amd_iommu_ops;
		break;
	case MODEL_IOMMU_VIRTIO:
		m->ops = &model_virtio_iommu_ops;
		break;
	default:
		snprintf(err, errlen, "unknown IOMMU kind %d", opts->iommu);
		return -1;
	}
	m->opts = *opts;
	/* amd_iommu needs an IVRS table; the AMD southbridge quirk reads it. */
	m->qenv =
		(struct model_quirk_env){.kernel = opts->kernel,
					 .ivrs = opts->iommu == MODEL_IOMMU_AMD,
					 .topo = t};
	m->opts.bound = NULL;
	m->opts.probed = NULL;
	m->opts.ivrs_aliases = NULL;
	m->virtio_msi_start = opts->virtio_msi_start;
	m->virtio_msi_end = opts->virtio_msi_end;
	m->virtio_sw_msi = opts->virtio_sw_msi;
	m->probed_is_bound = !opts->probed;
	m->default_domain_type = strdup(
		opts->default_domain_type ? opts->default_domain_type : "DMA");
	order = calloc(t->nr ? t->nr : 1, sizeof(*order));
	if (!m->default_domain_type || !order)
		goto oom;

	for (size_t i = 0; i < opts->nr_bound; i++) {
		struct model_pci_dev *d = model_pci_find(t, opts->bound[i]);

		if (!d) {
			snprintf(err, errlen, "bound device %s is not in %s",
				 opts->bound[i], t->source);
			free(order);
			return -1;
		}
		model_state(m, d)->bound = true;
	}
	/*
	 * virtio-iommu groups in driver probe order the devices a driver
	 * probes (or, without that list, the bound ones).
	 */
	for (size_t i = 0;
	     opts->iommu == MODEL_IOMMU_VIRTIO &&
	     i < (opts->probed ? opts->nr_probed : opts->nr_bound);
	     i++) {
		const char *bdf =
			opts->probed ? opts->probed[i] : opts->bound[i];
		struct model_pci_dev *d = model_pci_find(t, bdf);

		if (!d) {
			snprintf(err, errlen, "probed device %s is not in %s",
				 bdf, t->source);
			free(order);
			return -1;
		}
		if (model_state(m, d)->probed)
			continue;
		model_state(m, d)->probed = true;
		order[n++] = d;
	}
	if (opts->nr_ivrs_aliases) {
		m->ivrs = calloc(opts->nr_ivrs_aliases, sizeof(*m->ivrs));
		if (!m->ivrs)
			goto oom;
	}
	for (size_t i = 0; i < opts->nr_ivrs_aliases; i++) {
		struct model_ivrs *a = &m->ivrs[m->nr_ivrs++];

		a->dev = model_pci_find(t, opts->ivrs_aliases[i].dev);
		a->alias = model_pci_find(t, opts->ivrs_aliases[i].alias);
		if (!a->dev || !a->alias) {
			snprintf(err, errlen,
				 "IVRS alias %s -> %s: %s is not in %s",
				 opts->ivrs_aliases[i].dev,
				 opts->ivrs_aliases[i].alias,
				 a->dev ? opts->ivrs_aliases[i].alias
					: opts->ivrs_aliases[i].dev,
				 t->source);
			free(order);
			return -1;
		}
	}

	/*
	 * The rest in boot order: VT-d and AMD-Vi probe every device in
	 * device_add order at IOMMU registration (R2); virtio-iommu refuses
	 * the ones no driver probes (R3), saying why.
	 */
	for (size_t i = 0; i < t->nr; i++) {
		struct model_pci_dev *d = t->boot_order[i];

		if (opts->iommu != MODEL_IOMMU_VIRTIO ||
		    !model_state(m, d)->probed)
			order[n++] = d;
	}
	apply_fixups(m);
	if (m->two_boots) {
		/* Unknown ACS isolated, unknown aliases none: the finest. */
		m->assume_isolated = true;
		for (size_t i = 0; i < n; i++)
			if (probe_one(m, order[i]))
				goto oom;
		for (size_t i = 0; i < t->nr; i++)
			m->st[i].alt_group =
				t->devs[i].dev.iommu_group
					? t->devs[i].dev.iommu_group->id
					: -1;
		reset_groups(m);
		m->assume_isolated = false;
		for (size_t i = 0; i < t->nr; i++)
			if (m->st[i].alias_unknown)
				for (int devfn = 0; devfn < 256; devfn++)
					model_pci_add_dma_alias(&t->devs[i],
								(uint8_t)devfn);
	}
	/* The prediction: unknown ACS absent, unknown aliases all. */
	for (size_t i = 0; i < n; i++)
		if (probe_one(m, order[i]))
			goto oom;
	if (m->two_boots && mark_undecidable(m))
		goto oom;
	free(order);
	m->booted = true;
	return 0;
oom:
	free(order);
	snprintf(err, errlen, "%s: out of memory", t->source);
	return -1;
}

/* ---- predictions ------------------------------------------------------ */

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
static int norm_bdf(const char *in, char out[MODEL_BDF_LEN])
{
	unsigned int dom = 0, bus, dev, fn;
	char tail;

	if (sscanf(in, "%x:%x:%x.%u%c", &dom, &bus, &dev, &fn, &tail) != 4) {
		dom = 0;
		if (sscanf(in, "%x:%x.%u%c", &bus, &dev, &fn, &tail) != 3)
			return -1;
	}
	if (dom > 0xffff || bus > 0xff || dev > 0x1f || fn > 7)
		return -1;
	snprintf(out, MODEL_BDF_LEN, "%04x:%02x:%02x.%u", dom, bus, dev, fn);
	return 0;
}

const struct model_pdev *model_partition_dev(const struct model_partition *p,
					     const char *bdf)
{
	char n[MODEL_BDF_LEN];

	if (norm_bdf(bdf, n))
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

/* A growable string; on ENOMEM it stays NULL and later appends no-op. */
struct sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
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

static char *sb_done(struct sbuf *b)
{
	if (!b->oom && !b->s)
		sb_printf(b, "%s", "");
	return b->oom ? NULL : b->s;
}

/* What the input could not decide for g's members, as "; "-joined text. */
static void sb_unknowns(struct sbuf *b, struct model *m,
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
		sb_printf(b, "the groups it depends on are undecidable");
	/* One sentence per cause, naming the devices it hides. */
	for (size_t i = 0, out = 0; i < nseen; i++) {
		bool done = false;

		for (size_t j = 0; j < i && !done; j++)
			done = seen[j]->row == seen[i]->row &&
			       seen[j]->unknown == seen[i]->unknown;
		if (done)
			continue;
		sb_printf(b, "%s%s%s%s: ", out++ ? "; " : "",
			  seen[i]->row ? seen[i]->row->fn : "",
			  seen[i]->row ? ": " : "", seen[i]->unknown);
		for (size_t j = i, n = 0; j < nseen; j++)
			if (seen[j]->row == seen[i]->row &&
			    seen[j]->unknown == seen[i]->unknown)
				sb_printf(b, "%s%s %s", n++ ? ", " : "",
					  model_pci_kind(seen[j]->dev),
					  seen[j]->dev->bdf);
	}
}

/* The groups g's members form in the other boot. */
static void sb_alt(struct sbuf *b, struct model *m,
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
			sb_printf(b, " {%s: no group}", g->devices[i]->name);
			continue;
		}
		sb_printf(b, " {");
		for (size_t k = 0, n = 0; k < m->topo.nr; k++)
			if (m->st[k].present && m->st[k].alt_group == alt)
				sb_printf(b, "%s%s", n++ ? " " : "",
					  m->topo.devs[k].bdf);
		sb_printf(b, "}");
	}
}

/*
 * After two boots: a group both boots formed, with the same ID, is
 * decided; one whose members the other boot groups otherwise is not.
 * Each member keeps the verdict and its reason.
 */
static int mark_undecidable(struct model *m)
{
	for (size_t gi = 0; gi < m->core.nr_groups; gi++) {
		struct model_iommu_group *g = m->core.groups[gi];
		enum model_certainty c = MODEL_DECIDED;
		struct sbuf b = {0};
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
			sb_printf(&b, "undecidable from this input: ");
			sb_unknowns(&b, m, g);
			sb_printf(
				&b,
				"; taken as isolated instead, these devices are grouped");
			sb_alt(&b, m, g);
		} else {
			sb_printf(
				&b,
				"ID undecidable from this input: the members are certain, but undecidable groups come before it (ID %d if unknown ACS is taken as isolated)",
				alt);
		}
		text = sb_done(&b);
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
	struct sbuf b = {0};

	if (!d || !model_state(m, d)->present)
		return NULL;
	g = d->dev.iommu_group;
	sb_printf(&b, "%s %s (%s)\n", d->bdf, model_pci_kind(d),
		  d->name ? d->name : "");
	if (!g) {
		sb_printf(&b, "  %s\n",
			  model_state(m, d)->why.text[0]
				  ? model_state(m, d)->why.text
				  : "not probed");
		return sb_done(&b);
	}
	sb_printf(&b, "  group %d, %zu member%s:", g->id, g->nr_devices,
		  g->nr_devices == 1 ? "" : "s");
	for (size_t i = 0; i < g->nr_devices; i++)
		sb_printf(&b, " %s", g->devices[i]->name);
	sb_printf(&b, "\n");
	if (model_state(m, d)->undecidable)
		sb_printf(&b, "  %s\n", model_state(m, d)->undecidable);
	/* The device's own reason first, then its companions' (join order). */
	sb_printf(&b, "  %s: %s\n", d->bdf, model_state(m, d)->why.text);
	for (size_t i = 0; i < g->nr_devices; i++) {
		const struct model_pci_dev *o = model_to_pci_dev(g->devices[i]);

		if (o != d)
			sb_printf(&b, "  %s: %s\n", o->bdf,
				  model_state(m, o)->why.text);
	}
	return sb_done(&b);
}

/* ---- teardown, rescan, binding ---------------------------------------- */

/* Devices on d's secondary bus, last added first (the kernel's order). */
static void for_children_reverse(struct model *m, struct model_pci_dev *d,
				 void (*fn)(struct model *,
					    struct model_pci_dev *))
{
	if (!d->is_bridge)
		return;
	for (size_t i = m->topo.nr; i-- > 0;) {
		struct model_pci_dev *c = m->topo.boot_order[i];

		if (c->parent == d && m->st[c - m->topo.devs].present)
			fn(m, c);
	}
}

static void stop_dev(struct model *m, struct model_pci_dev *d)
{
	for_children_reverse(m, d, stop_dev);
	if (model_state(m, d)->bound) {
		model_iommu_group_notify_driver(&d->dev,
						MODEL_EV_UNBIND_DRIVER);
		model_state(m, d)->bound = false;
		model_iommu_group_notify_driver(&d->dev,
						MODEL_EV_UNBOUND_DRIVER);
		/* The driver comes back with the device on rescan. */
		model_state(m, d)->bound = true;
	}
}

static void remove_dev(struct model *m, struct model_pci_dev *d)
{
	struct model_dev_state *st = model_state(m, d);

	for_children_reverse(m, d, remove_dev);
	/* BUS_NOTIFY_REMOVED_DEVICE -> release: leave the group (R10). */
	model_iommu_group_remove_device(&d->dev);
	st->present = false;
	st->anchor = NULL;
	memset(&st->why, 0, sizeof(st->why));
}

int model_remove_device(struct model *m, const char *bdf)
{
	struct model_pci_dev *d = model_pci_find(&m->topo, bdf);

	if (!d || !model_state(m, d)->present)
		return -1;
	/* §6: the whole subtree is stopped (unbound) before any removal. */
	stop_dev(m, d);
	remove_dev(m, d);
	return 0;
}

int model_rescan(struct model *m, bool kernel_early_probe)
{
	for (size_t i = 0; i < m->topo.nr; i++) {
		struct model_pci_dev *d = m->topo.boot_order[i];
		struct model_dev_state *st = model_state(m, d);
		bool mf = d->multifunction;
		int ret;

		if (st->present)
			continue;
		st->present = true;
		if (kernel_early_probe)
			d->multifunction = d->hdr_multifunction;
		ret = m->ops ? probe_one(m, d) : 0;
		d->multifunction = mf;
		if (ret)
			return -1;
		if (kernel_early_probe && mf != d->hdr_multifunction &&
		    st->why.rule != MODEL_RULE_R3) {
			size_t off = strlen(st->why.text);

			snprintf(
				st->why.text + off, sizeof(st->why.text) - off,
				" [grouped inside device_add before the slot scan marked it multifunction: its header lacks the bit; the kernels' rescan deviation, observed-q35.md]");
		}
	}
	return 0;
}

int model_driver_bind(struct model *m, const char *bdf)
{
	struct model_pci_dev *d = model_pci_find(&m->topo, bdf);

	if (!d || !model_state(m, d)->present)
		return -1;
	model_iommu_group_notify_driver(&d->dev, MODEL_EV_BIND_DRIVER);
	model_state(m, d)->bound = true;
	model_state(m, d)->probed = true;
	/* virtio-iommu (6.12) groups a device when its driver probes. */
	if (m->ops == &model_virtio_iommu_ops && probe_one(m, d))
		return -1;
	model_iommu_group_notify_driver(&d->dev, MODEL_EV_BOUND_DRIVER);
	return 0;
}

int model_driver_unbind(struct model *m, const char *bdf)
{
	struct model_pci_dev *d = model_pci_find(&m->topo, bdf);

	if (!d || !model_state(m, d)->present)
		return -1;
	model_iommu_group_notify_driver(&d->dev, MODEL_EV_UNBIND_DRIVER);
	model_state(m, d)->bound = false;
	model_iommu_group_notify_driver(&d->dev, MODEL_EV_UNBOUND_DRIVER);
	return 0;
}

size_t model_events(const struct model *m, const struct model_event **ev)
{
	*ev = m->core.events;
	return m->core.nr_events;
}

/* ---- comparison -------------------------------------------------------- */

struct cgroup {
	long id;
	char (*bdfs)[MODEL_BDF_LEN]; /* sorted */
	size_t nr;
	bool matched;
};

static int cmp_bdf(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int cgroup_fill(struct cgroup *c, long id, const char *const *bdfs,
		       size_t nr)
{
	c->id = id;
	c->bdfs = calloc(nr ? nr : 1, sizeof(*c->bdfs));
	if (!c->bdfs)
		return -1;
	for (size_t i = 0; i < nr; i++) {
		/* Keep an unparsable name as it is: it then matches nothing. */
		if (norm_bdf(bdfs[i], c->bdfs[i]))
			snprintf(c->bdfs[i], MODEL_BDF_LEN, "%s", bdfs[i]);
	}
	c->nr = nr;
	qsort(c->bdfs, nr, sizeof(*c->bdfs), cmp_bdf);
	return 0;
}

static bool cgroup_same(const struct cgroup *a, const struct cgroup *b)
{
	if (a->nr != b->nr)
		return false;
	for (size_t i = 0; i < a->nr; i++)
		if (strcmp(a->bdfs[i], b->bdfs[i]))
			return false;
	return true;
}

static const struct cgroup *cgroup_holding(const struct cgroup *v, size_t n,
					   const char *bdf)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < v[i].nr; k++)
			if (!strcmp(v[i].bdfs[k], bdf))
				return &v[i];
	return NULL;
}

static void sb_members(struct sbuf *b, const struct cgroup *c)
{
	sb_printf(b, "{");
	for (size_t i = 0; i < c->nr; i++)
		sb_printf(b, "%s%s", i ? " " : "", c->bdfs[i]);
	sb_printf(b, "}");
}

/* Text equality up to trailing newlines and blanks. */
static size_t trimmed_len(const char *s)
{
	size_t n = strlen(s);

	while (n && strchr("\r\n \t", s[n - 1]))
		n--;
	return n;
}

static bool text_same(const char *a, const char *b)
{
	size_t n = trimmed_len(a);

	return n == trimmed_len(b) && !memcmp(a, b, n);
}

static void sb_indented(struct sbuf *b, const char *label, const char *text)
{
	const char *s = text;

	sb_printf(b, "    %s:%s", label, *s ? "\n" : " (empty)\n");
	while (*s) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);

		sb_printf(b, "      %.*s\n", (int)n, s);
		s += n + (e ? 1 : 0);
	}
}

/* Each device's reason once per report; later mentions point back. */
struct seen {
	char (*bdf)[MODEL_BDF_LEN];
	size_t nr, cap;
};

static void sb_why(struct sbuf *b, const struct model_partition *p,
		   const char *bdf, struct seen *seen)
{
	const struct model_pdev *d = model_partition_dev(p, bdf);

	for (size_t i = 0; i < seen->nr; i++) {
		if (!strcmp(seen->bdf[i], bdf)) {
			sb_printf(b, "    %s: as above\n", bdf);
			return;
		}
	}
	if (seen->nr == seen->cap) {
		size_t n = seen->cap ? seen->cap * 2 : 16;
		void *v = realloc(seen->bdf, n * sizeof(*seen->bdf));

		if (!v) {
			b->oom = true;
			return;
		}
		seen->bdf = v;
		seen->cap = n;
	}
	snprintf(seen->bdf[seen->nr++], MODEL_BDF_LEN, "%s", bdf);

	sb_printf(b, "    %s: %s\n", bdf,
		  d ? d->why : "not in the model's topology");
}

int model_compare(const struct model_partition *p,
		  const struct model_observed_group *obs, size_t nr_obs,
		  char **diff)
{
	struct cgroup *pc = calloc(p->nr ? p->nr : 1, sizeof(*pc));
	struct cgroup *oc = calloc(nr_obs ? nr_obs : 1, sizeof(*oc));
	struct sbuf b = {0};
	int ndiff = -1;
	struct seen seen = {0};

	if (diff)
		*diff = NULL;
	if (!pc || !oc)
		goto out;
	for (size_t i = 0; i < p->nr; i++)
		if (cgroup_fill(&pc[i], p->groups[i].id,
				(const char *const *)p->groups[i].bdfs,
				p->groups[i].nr))
			goto out;
	for (size_t i = 0; i < nr_obs; i++)
		if (cgroup_fill(&oc[i], obs[i].id, obs[i].bdfs, obs[i].nr))
			goto out;
	ndiff = 0;

	/*
	 * An undecidable group is no prediction: leave it, and the kernel's
	 * groups holding its devices, out (listed at the end).
	 */
	for (size_t i = 0; i < p->nr; i++) {
		if (p->groups[i].certainty != MODEL_UNDECIDABLE)
			continue;
		pc[i].matched = true;
		for (size_t k = 0; k < pc[i].nr; k++)
			for (size_t j = 0; j < nr_obs; j++)
				for (size_t x = 0; x < oc[j].nr; x++)
					if (!strcmp(oc[j].bdfs[x],
						    pc[i].bdfs[k]))
						oc[j].matched = true;
	}

	/* Same members: then IDs, reserved_regions and type must agree. */
	for (size_t i = 0; i < p->nr; i++) {
		for (size_t j = 0; j < nr_obs; j++) {
			if (pc[i].matched || oc[j].matched ||
			    !cgroup_same(&pc[i], &oc[j]))
				continue;
			pc[i].matched = oc[j].matched = true;
			if (pc[i].id != oc[j].id &&
			    p->groups[i].certainty == MODEL_DECIDED) {
				ndiff++;
				sb_printf(&b, "- group ");
				sb_members(&b, &pc[i]);
				sb_printf(&b, ": model ID %ld, kernel ID %ld\n",
					  pc[i].id, oc[j].id);
				sb_why(&b, p, pc[i].bdfs[0], &seen);
			}
			if (obs[j].resv &&
			    !text_same(p->groups[i].resv, obs[j].resv)) {
				ndiff++;
				sb_printf(
					&b,
					"- group %ld reserved_regions differ\n",
					oc[j].id);
				sb_indented(&b, "model", p->groups[i].resv);
				sb_indented(&b, "kernel", obs[j].resv);
			}
			if (obs[j].type &&
			    !text_same(p->groups[i].type, obs[j].type)) {
				ndiff++;
				sb_printf(
					&b,
					"- group %ld type: model %s, kernel %.*s\n",
					oc[j].id, p->groups[i].type,
					(int)strcspn(obs[j].type, "\n"),
					obs[j].type);
			}
			break;
		}
	}
	/* Model groups the kernel does not have, member by member. */
	for (size_t i = 0; i < p->nr; i++) {
		if (pc[i].matched)
			continue;
		ndiff++;
		sb_printf(&b, "- model group %ld ", pc[i].id);
		sb_members(&b, &pc[i]);
		sb_printf(&b, "; kernel:");
		for (size_t k = 0; k < pc[i].nr; k++) {
			const struct cgroup *o =
				cgroup_holding(oc, nr_obs, pc[i].bdfs[k]);

			if (o)
				sb_printf(&b, " %s in group %ld", pc[i].bdfs[k],
					  o->id);
			else
				sb_printf(&b, " %s in no group", pc[i].bdfs[k]);
			sb_printf(&b, "%s", k + 1 < pc[i].nr ? "," : "\n");
		}
		for (size_t k = 0; k < pc[i].nr; k++)
			sb_why(&b, p, pc[i].bdfs[k], &seen);
	}
	/* Kernel groups the model does not have. */
	for (size_t j = 0; j < nr_obs; j++) {
		if (oc[j].matched)
			continue;
		ndiff++;
		sb_printf(&b, "- kernel group %ld ", oc[j].id);
		sb_members(&b, &oc[j]);
		sb_printf(&b, "; model:");
		for (size_t k = 0; k < oc[j].nr; k++) {
			const struct cgroup *g =
				cgroup_holding(pc, p->nr, oc[j].bdfs[k]);

			if (g)
				sb_printf(&b, " %s in group %ld", oc[j].bdfs[k],
					  g->id);
			else
				sb_printf(&b, " %s in no group", oc[j].bdfs[k]);
			sb_printf(&b, "%s", k + 1 < oc[j].nr ? "," : "\n");
		}
		for (size_t k = 0; k < oc[j].nr; k++)
			sb_why(&b, p, oc[j].bdfs[k], &seen);
	}
	for (size_t i = 0; i < p->nr; i++) {
		if (p->groups[i].certainty == MODEL_DECIDED)
			continue;
		sb_printf(&b, "~ not compared: model group %ld%s ", pc[i].id,
			  p->groups[i].certainty == MODEL_ID_UNDECIDABLE
				  ? " (its ID)"
				  : "");
		sb_members(&b, &pc[i]);
		sb_printf(&b, ": %s\n", p->groups[i].undecidable);
	}
	if (b.oom)
		ndiff = -1;
out:
	for (size_t i = 0; pc && i < p->nr; i++)
		free(pc[i].bdfs);
	for (size_t i = 0; oc && i < nr_obs; i++)
		free(oc[i].bdfs);
	free(pc);
	free(oc);
	free(seen.bdf);
	if (ndiff >= 0 && diff)
		*diff = sb_done(&b);
	else
		free(b.s);
	if (diff && ndiff >= 0 && !*diff)
		ndiff = -1;
	return ndiff;
}

int model_iommu_kind_detect(const char *sysfs_root, enum model_iommu_kind *kind,
			    char *from, size_t fromlen)
{
	char dir[PATH_MAX], path[PATH_MAX], link[PATH_MAX];
	struct dirent *e;
	int found = -1;
	DIR *d;

	if ((size_t)snprintf(dir, sizeof(dir), "%s/class/iommu", sysfs_root) >=
	    sizeof(dir))
		return -1;
	d = opendir(dir);
	if (!d)
		return -1;
	while (found < 0 && (e = readdir(d))) {
		ssize_t n;

		if (e->d_name[0] == '.')
			continue;
		if (!strncmp(e->d_name, "dmar", 4)) {
			*kind = MODEL_IOMMU_INTEL;
			found = 0;
		} else if (!strncmp(e->d_name, "ivhd", 4)) {
			*kind = MODEL_IOMMU_AMD;
			found = 0;
		} else if ((size_t)snprintf(path, sizeof(path), "%s/%s/device",
					    dir, e->d_name) < sizeof(path)) {
			n = readlink(path, link, sizeof(link) - 1);
			if (n > 0) {
				link[n] = '\0';
				if (strstr(link, "virtio")) {
					*kind = MODEL_IOMMU_VIRTIO;
					found = 0;
				}
			}
		}
		if (!found && from && fromlen)
			snprintf(from, fromlen, "%s/%s", dir, e->d_name);
	}
	closedir(d);
	return found;
}
