// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reference model's driver: load, boot probe (R2, R3), teardown and
 * rescan (R10), driver binding.  The predictions and explanations are in
 * model_predict.c, the comparison with the kernel in model_compare.c.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lspci_text.h"
#include "model_int.h"
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
	text = model_lspci_text_as_dump(path, tmp, sizeof(tmp), err, errlen);
	ret = text < 0 ? -1
		       : model_pci_topo_load_dump(&m->topo, text ? tmp : path,
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

/* Entries of class/iommu under sysfs_root (NULL: /sys); -1 if unreadable. */
static int count_iommu_units(const char *sysfs_root)
{
	char dir[PATH_MAX];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/class/iommu",
		 sysfs_root ? sysfs_root : "/sys");
	d = opendir(dir);
	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
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
	/* One IOMMU unit: the probe order is the bus's, whatever the machine.
	 */
	m->ids_known = count_iommu_units(sysfs_root) == 1;
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

void model_note_unknown(struct model *m, const struct model_pci_dev *d,
			const char *why)
{
	struct model_dev_state *st = model_state(m, d);

	for (size_t k = 0; k < st->nr_unknown; k++)
		if (st->unknown[k].dev == d && st->unknown[k].unknown == why)
			return;
	if (st->nr_unknown < MODEL_MAX_UNKNOWN)
		st->unknown[st->nr_unknown++] =
			(struct model_note){.dev = d, .unknown = why};
}

/*
 * QEMU's machine: its host bridge 00:00.0 carries QEMU's subsystem vendor
 * (Red Hat, 1af4), which no real chipset does.
 */
static bool is_qemu_machine(const struct model_pci_topo *t)
{
	for (size_t i = 0; i < t->nr; i++) {
		const struct model_pci_dev *d = &t->devs[i];

		if (d->domain || d->bus || d->devfn)
			continue;
		return (d->hdr_type & 0x7f) == 0 && d->cfg_len >= 0x30 &&
		       (d->cfg[0x2c] | d->cfg[0x2d] << 8) == 0x1af4;
	}
	return false;
}

/*
 * Where the platform's IOMMU units are not known, the kernel's group IDs
 * are not either: it probes the devices of each unit as the unit
 * registers (6.x; non-INCLUDE_ALL DMAR units first, the integrated GPU's
 * on Intel clients), so only the membership is predicted.
 */
static int ids_unknown(struct model *m)
{
	static const char why[] =
		"ID undecidable from this input: the kernel numbers groups in "
		"the order its IOMMU units probe their devices (the firmware's "
		"DMAR or IVRS units, which this input does not hold); the "
		"members are certain";

	for (size_t i = 0; i < m->topo.nr; i++) {
		struct model_dev_state *st = &m->st[i];

		/* This reason outranks "undecidable groups come before it". */
		if (!m->topo.devs[i].dev.iommu_group ||
		    st->certainty == MODEL_UNDECIDABLE)
			continue;
		st->certainty = MODEL_ID_UNDECIDABLE;
		free(st->undecidable);
		st->undecidable = strdup(why);
		if (!st->undecidable)
			return -1;
	}
	return 0;
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
	if (m->ops->probe_unknown && m->ops->probe_unknown(m))
		m->two_boots = true;
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
	m->qemu_machine = is_qemu_machine(t);
	m->ids_known = m->ids_known || m->qemu_machine;
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
	if (m->two_boots && model_mark_undecidable(m))
		goto oom;
	if (!m->ids_known && ids_unknown(m))
		goto oom;
	free(order);
	m->booted = true;
	return 0;
oom:
	free(order);
	snprintf(err, errlen, "%s: out of memory", t->source);
	return -1;
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
