// SPDX-License-Identifier: GPL-2.0-only
/*
 * pci_device_group as spec/iommu-groups.md §3.2 describes it, with the
 * ACS predicates of §3.1 (R4-R9).  Every decision leaves a sentence in
 * struct model_why so that a disagreement with the kernel can be read;
 * the quirk rows (pci_quirks.h) and unknown inputs it consulted are noted
 * in the model for the explanation and the undecidable groups.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pci_device_group.h"

void model_acs_bits_str(uint16_t bits, char *buf, size_t len)
{
	static const struct {
		uint16_t bit;
		const char *name;
	} names[] = {
		{MODEL_ACS_SV, "SV"}, {MODEL_ACS_TB, "TB"},
		{MODEL_ACS_RR, "RR"}, {MODEL_ACS_CR, "CR"},
		{MODEL_ACS_UF, "UF"}, {MODEL_ACS_EC, "EC"},
		{MODEL_ACS_DT, "DT"},
	};
	size_t off = 0;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(bits & names[i].bit) || off >= len)
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					off ? " " : "", names[i].name);
	}
}

bool model_acs_flags_enabled(bool has_acs, uint16_t cap, uint16_t ctrl,
			     uint16_t flags, uint16_t *missing)
{
	if (!has_acs) {
		if (missing)
			*missing = flags;
		return false;
	}
	/* Unadvertised bits are hard-wired "enabled" (§3.1); EC is kept. */
	uint16_t need = flags & (cap | MODEL_ACS_EC);
	uint16_t miss = need & (uint16_t)~ctrl;

	if (missing)
		*missing = miss;
	return !miss;
}

#define NO_EXT_CFG                                                      \
	"ACS unknown, no extended config space in the input (an lspci " \
	"-xxx dump, or config space read without root)"

/* The quirk table decides first, as pci_dev_specific_acs_enabled(). */
int model_pci_acs_verdict(const struct model_quirk_env *env,
			  const struct model_pci_dev *d, uint16_t flags,
			  const struct model_quirk **row, const char **unknown)
{
	int q;

	*row = NULL;
	*unknown = NULL;
	q = model_quirk_acs(env, d, flags, row, unknown);
	if (q != MODEL_QUIRK_NONE)
		return q;
	*row = NULL;
	if (!d->is_pcie)
		return 0;
	switch (d->pcie_type) {
	case MODEL_PCIE_PCI_BRIDGE:
	case MODEL_PCIE_PCIE_BRIDGE:
	case MODEL_PCIE_RC_EC:
		return 0;
	case MODEL_PCIE_ROOT_PORT:
	case MODEL_PCIE_DOWNSTREAM:
		break;
	case MODEL_PCIE_ENDPOINT:
	case MODEL_PCIE_LEG_END:
	case MODEL_PCIE_UPSTREAM:
	case MODEL_PCIE_RC_END:
		/* R6: one function cannot talk to a sibling it lacks. */
		if (!d->multifunction)
			return 1;
		break;
	default:
		return 1;
	}
	if (d->ext_cfg_missing) {
		*unknown = NO_EXT_CFG;
		return MODEL_QUIRK_UNKNOWN;
	}
	return model_acs_flags_enabled(d->has_acs, d->acs_cap, d->acs_ctrl,
				       flags, NULL);
}

/* Remember what deciding the current device consulted (once each). */
static void note(struct model *m, const struct model_pci_dev *d,
		 const struct model_quirk *row, int verdict,
		 const char *unknown)
{
	for (size_t i = 0; i < m->nr_notes; i++)
		if (m->notes[i].dev == d && m->notes[i].row == row &&
		    !m->notes[i].unknown == !unknown)
			return;
	if (m->nr_notes == MODEL_MAX_NOTES)
		return;
	m->notes[m->nr_notes++] = (struct model_note){
		.dev = d, .row = row, .verdict = verdict, .unknown = unknown};
}

/*
 * pci_acs_enabled for the model m (NULL: default kernel, nothing noted).
 * Unknown counts as the current boot assumes (model_boot).
 */
static bool acs_enabled(struct model *m, const struct model_pci_dev *d,
			uint16_t flags)
{
	const struct model_quirk *row;
	const char *unknown;
	int v = model_pci_acs_verdict(m ? &m->qenv : NULL, d, flags, &row,
				      &unknown);

	if (m && (row || unknown))
		note(m, d, row, v, unknown);
	if (v == MODEL_QUIRK_UNKNOWN)
		return m && m->assume_isolated;
	return v;
}

static bool acs_path_enabled(struct model *m, const struct model_pci_dev *start,
			     uint16_t flags,
			     const struct model_pci_dev **failed)
{
	for (const struct model_pci_dev *p = start; p; p = p->parent) {
		if (!acs_enabled(m, p, flags)) {
			if (failed)
				*failed = p;
			return false;
		}
	}
	if (failed)
		*failed = NULL;
	return true;
}

static void acs_reason(struct model *m, const struct model_pci_dev *d,
		       uint16_t flags, char *buf, size_t len)
{
	const char *kind = model_pci_kind(d), *unknown;
	const struct model_quirk *row;
	char bits[64];
	uint16_t miss;
	int v;

	buf[0] = '\0';
	v = model_pci_acs_verdict(m ? &m->qenv : NULL, d, flags, &row,
				  &unknown);
	if (v == 1 || (v == MODEL_QUIRK_UNKNOWN && m && m->assume_isolated))
		return;
	if (v == MODEL_QUIRK_UNKNOWN) {
		snprintf(buf, len, "%s %s: %s%s%s, taken as absent", kind,
			 d->bdf, row ? row->fn : "", row ? ": " : "", unknown);
		return;
	}
	if (row) {
		snprintf(buf, len, "%s %s [%04x:%04x]: ACS denied by %s (%s)",
			 kind, d->bdf, d->vendor, d->device, row->fn,
			 row->kind == MODEL_QK_ACS_INTEL_PCH
				 ? "the LPC at 1f.0 has RCBA disabled"
			 : row->kind == MODEL_QK_ACS_INTEL_SPT
				 ? "ACS control at capability + 8 lacks bits"
				 : row->what);
		return;
	}
	if (!d->is_pcie) {
		snprintf(buf, len, "%s %s has no PCIe capability, so no ACS",
			 kind, d->bdf);
		return;
	}
	switch (d->pcie_type) {
	case MODEL_PCIE_PCI_BRIDGE:
	case MODEL_PCIE_PCIE_BRIDGE:
	case MODEL_PCIE_RC_EC:
		snprintf(buf, len, "%s %s never counts as ACS-isolated", kind,
			 d->bdf);
		return;
	default:
		break;
	}
	if (!d->has_acs) {
		snprintf(buf, len, "%s %s%s lacks an ACS capability", kind,
			 d->bdf,
			 d->multifunction &&
					 d->pcie_type != MODEL_PCIE_ROOT_PORT &&
					 d->pcie_type != MODEL_PCIE_DOWNSTREAM
				 ? " (multifunction)"
				 : "");
		return;
	}
	model_acs_flags_enabled(true, d->acs_cap, d->acs_ctrl, flags, &miss);
	model_acs_bits_str(miss, bits, sizeof(bits));
	snprintf(buf, len, "%s %s lacks ACS control bits %s", kind, d->bdf,
		 bits);
}

bool model_pci_acs_enabled(const struct model_pci_dev *d, uint16_t flags)
{
	return acs_enabled(NULL, d, flags);
}

bool model_pci_acs_path_enabled(const struct model_pci_dev *start,
				uint16_t flags,
				const struct model_pci_dev **failed)
{
	return acs_path_enabled(NULL, start, flags, failed);
}

void model_acs_reason(const struct model_pci_dev *d, uint16_t flags, char *buf,
		      size_t len)
{
	acs_reason(NULL, d, flags, buf, len);
}

/* The rows of d's header fixups of the given kinds, noted for the why. */
static void note_fixups(struct model *m, const struct model_pci_dev *d,
			unsigned int kinds)
{
	const struct model_dev_state *st = model_state(m, d);

	for (size_t i = 0; i < st->nr_fixups && i < MODEL_MAX_FIXUPS; i++)
		if (kinds & (1u << st->fixups[i]->kind))
			note(m, d, st->fixups[i], -1,
			     st->fixups[i]->kind == MODEL_QK_ALIAS_MMIO
				     ? "its DMA aliases are read from device registers, not config space"
				     : NULL);
}

#define ALIAS_KINDS                                                 \
	(1u << MODEL_QK_ALIAS_FUNC | 1u << MODEL_QK_ALIAS_DEVFNS |  \
	 1u << MODEL_QK_ALIAS_SLOT_FNS | 1u << MODEL_QK_ALIAS_ALL | \
	 1u << MODEL_QK_ALIAS_MMIO)

/* ---- §3.2 ------------------------------------------------------------ */

struct walk {
	struct model *m;
	struct model_pci_dev *last;
	struct model_iommu_group *group;
};

static int walk_cb(struct model_pci_dev *dev, uint16_t rid, void *data)
{
	struct walk *w = data;

	(void)rid;
	w->last = dev;
	w->group = model_group_of(w->m, dev);
	return w->group != NULL;
}

struct search {
	struct model *m;
	uint8_t visited[32]; /* devfns on P's bus, shared by steps 3 and 4 */
	struct model_pci_dev *via;
	/*
	 * P's bus in boot order, filled on first use: steps 3 and 4 look only
	 * there, and walking all of boot_order made booting quadratic.  At
	 * most 256, as (domain, bus, devfn) is unique in a loaded topology.
	 */
	struct model_pci_dev *bus[256];
	size_t nr_bus;
	bool have_bus;
};

static int cmp_boot_index(const void *a, const void *b)
{
	const struct model_pci_dev *x = *(struct model_pci_dev *const *)a;
	const struct model_pci_dev *y = *(struct model_pci_dev *const *)b;

	return (x->boot_index > y->boot_index) -
	       (x->boot_index < y->boot_index);
}

/* The devices on x's bus (x on P's bus), ordered as boot_order has them. */
static void search_bus(struct search *s, const struct model_pci_dev *x)
{
	struct model_pci_topo *t = &s->m->topo;
	size_t first = (size_t)(x - t->devs), end = first + 1;

	if (s->have_bus)
		return;
	s->have_bus = true;
	/* t->devs is sorted by (domain, bus, devfn): the bus is one run. */
	while (first > 0 && model_pci_same_bus(&t->devs[first - 1], x))
		first--;
	while (end < t->nr && model_pci_same_bus(&t->devs[end], x))
		end++;
	for (size_t i = first; i < end && s->nr_bus < 256; i++)
		s->bus[s->nr_bus++] = &t->devs[i];
	qsort(s->bus, s->nr_bus, sizeof(s->bus[0]), cmp_boot_index);
}

static struct model_iommu_group *function_alias_group(struct search *s,
						      struct model_pci_dev *x);

/* Step 3: explicit same-bus DMA aliases of x, transitively (R7). */
static struct model_iommu_group *alias_group(struct search *s,
					     struct model_pci_dev *x)
{
	struct model_iommu_group *g;

	if (s->visited[x->devfn / 8] & (1u << (x->devfn % 8)))
		return NULL;
	s->visited[x->devfn / 8] |= (uint8_t)(1u << (x->devfn % 8));
	g = model_group_of(s->m, x);
	if (g) {
		s->via = x;
		return g;
	}
	search_bus(s, x);
	for (size_t i = 0; i < s->nr_bus; i++) {
		struct model_pci_dev *y = s->bus[i];

		if (y == x || !model_state(s->m, y)->present ||
		    !model_pci_devs_are_dma_aliases(x, y))
			continue;
		/* Name the quirks that made them aliases. */
		note_fixups(s->m, x, ALIAS_KINDS);
		note_fixups(s->m, y, ALIAS_KINDS);
		g = alias_group(s, y);
		if (g)
			return g;
		g = function_alias_group(s, y);
		if (g)
			return g;
	}
	return NULL;
}

/* Step 4: same-slot functions without ACS share (R8). */
static struct model_iommu_group *function_alias_group(struct search *s,
						      struct model_pci_dev *x)
{
	if (!x->multifunction || acs_enabled(s->m, x, MODEL_REQ_ACS_FLAGS))
		return NULL;
	search_bus(s, x);
	for (size_t i = 0; i < s->nr_bus; i++) {
		struct model_pci_dev *y = s->bus[i];
		struct model_iommu_group *g;

		if (y == x || !model_state(s->m, y)->present ||
		    !model_pci_same_bus(x, y) ||
		    model_pci_slot(x) != model_pci_slot(y) ||
		    acs_enabled(s->m, y, MODEL_REQ_ACS_FLAGS))
			continue;
		g = alias_group(s, y);
		if (g)
			return g;
	}
	return NULL;
}

static void why_set(struct model_why *why, enum model_rule rule,
		    const struct model_pci_dev *via, const char *prefix,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void why_set(struct model_why *why, enum model_rule rule,
		    const struct model_pci_dev *via, const char *prefix,
		    const char *fmt, ...)
{
	va_list ap;
	size_t off = 0;

	why->rule = rule;
	why->via = via;
	if (prefix && prefix[0])
		off = (size_t)snprintf(why->text, sizeof(why->text), "%s; ",
				       prefix);
	if (off >= sizeof(why->text))
		return;
	va_start(ap, fmt);
	vsnprintf(why->text + off, sizeof(why->text) - off, fmt, ap);
	va_end(ap);
}

static void append(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t off = strlen(buf);
	va_list ap;

	if (off >= len - 1)
		return;
	if (off)
		off += (size_t)snprintf(buf + off, len - off, "; ");
	if (off >= len - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + off, len - off, fmt, ap);
	va_end(ap);
}

/* The R9 sentence for a device that is its own isolation point. */
static void why_own(struct model *m, struct model_why *why,
		    const struct model_pci_dev *d)
{
	char slot[16];

	snprintf(slot, sizeof(slot), "%02x:%02x", d->bus, model_pci_slot(d));
	if (d->multifunction && !acs_enabled(m, d, MODEL_REQ_ACS_FLAGS)) {
		char r[512];

		acs_reason(m, d, MODEL_REQ_ACS_FLAGS, r, sizeof(r));
		why_set(why, MODEL_RULE_R9, NULL, NULL,
			"new group: first probed function of multifunction slot %s without ACS (%s); the slot's other functions without ACS join it (R8, R9)",
			slot, r);
	} else if (d->multifunction) {
		why_set(why, MODEL_RULE_R9, NULL, NULL,
			"own group: function of multifunction slot %s with ACS enabled, isolated from its siblings (R9)",
			slot);
	} else if (model_pci_on_root_bus(d)) {
		why_set(why, MODEL_RULE_R9, NULL, NULL,
			"own group: single-function device on root bus (R9)");
	} else {
		why_set(why, MODEL_RULE_R9, NULL, NULL,
			"own group: ACS path to the root is isolated from %s %s up (R9)",
			model_pci_kind(d->parent), d->parent->bdf);
	}
}

struct model_iommu_group *model_pci_device_group(struct model *m,
						 struct model_pci_dev *d,
						 struct model_why *why)
{
	struct walk w = {.m = m};
	struct search s = {.m = m};
	struct model_iommu_group *g;
	struct model_pci_dev *p;
	char path[MODEL_WHY_LEN] = "";
	char slot[16];

	/*
	 * Step 1 (R4): the first device on the alias path with a group; the
	 * path starts at pci_real_dma_dev(), a VMD domain's endpoint.
	 */
	model_pci_for_each_dma_alias(d, walk_cb, &w);
	if (d->real_dma && w.group) {
		why_set(why, MODEL_RULE_R4, d->real_dma, NULL,
			"in the domain of Intel VMD %s: its DMA carries the VMD endpoint's requester ID (pci_real_dma_dev), so it joins that group (R4)",
			d->real_dma->bdf);
		return model_iommu_group_ref_get(w.group);
	}
	/* Bridges whose fixups shaped that walk. */
	for (const struct model_pci_dev *br = d->parent; br; br = br->parent) {
		note_fixups(m, br,
			    1u << MODEL_QK_XLATE_ROOT |
				    1u << MODEL_QK_BRIDGE_ALIAS);
		if (br->xlate_root)
			break;
	}
	if (w.group) {
		if (w.last != d && !w.last->dev.iommu_group)
			why_set(why, MODEL_RULE_R4, w.last, NULL,
				"aliases to %s %s (R4), which is not probed itself; what aliases to it shares one group",
				model_pci_kind(w.last), w.last->bdf);
		else if (w.last == d)
			why_set(why, MODEL_RULE_R4, d, NULL,
				"joins the group that the devices aliasing to this %s formed before it was probed (R4)",
				model_pci_kind(d));
		else
			why_set(why, MODEL_RULE_R4, w.last, NULL,
				"aliases to %s %s (R4)", model_pci_kind(w.last),
				w.last->bdf);
		return model_iommu_group_ref_get(w.group);
	}
	p = w.last;
	if (p != d)
		append(path, sizeof(path), "aliases to %s %s (R4)",
		       model_pci_kind(p), p->bdf);

	/* Step 2 (R5): climb while the path above is not ACS-isolated. */
	for (struct model_pci_dev *self = p->parent; self;
	     self = self->parent) {
		const struct model_pci_dev *bad;
		char r[512];

		if (acs_path_enabled(m, self, MODEL_REQ_ACS_FLAGS, &bad))
			break;
		acs_reason(m, bad, MODEL_REQ_ACS_FLAGS, r, sizeof(r));
		p = self;
		g = model_group_of(m, p);
		if (g) {
			if (bad == p)
				why_set(why, MODEL_RULE_R5, p, path, "%s (R5)",
					r);
			else
				why_set(why, MODEL_RULE_R5, p, path,
					"%s (R5); joins the group of %s %s", r,
					model_pci_kind(p), p->bdf);
			return model_iommu_group_ref_get(g);
		}
		append(path, sizeof(path), "%s (R5), and %s %s has no group", r,
		       model_pci_kind(p), p->bdf);
	}

	/* Step 3 (R7) and step 4 (R8) from the isolation point p. */
	snprintf(slot, sizeof(slot), "%02x:%02x", p->bus, model_pci_slot(p));
	g = alias_group(&s, p);
	if (g) {
		why_set(why, MODEL_RULE_R7, s.via, path,
			"%s is a DMA alias of %s on the same bus (R7)", p->bdf,
			s.via->bdf);
		goto found;
	}
	g = function_alias_group(&s, p);
	if (g) {
		why_set(why, MODEL_RULE_R8, s.via, path,
			"function of multifunction slot %s without ACS, shares with %s (R8)",
			slot, s.via->bdf);
		goto found;
	}

	/* Step 5 (R9). */
	g = model_iommu_group_alloc(&m->core);
	if (!g)
		return NULL;
	if (p == d) {
		why_own(m, why, d);
		return g;
	}
	why_set(why, MODEL_RULE_R9, p, path,
		"%s %s has no group (not probed): new group for everything that aliases to it (R9)",
		model_pci_kind(p), p->bdf);
	model_state(m, p)->anchor = g;
	return g;
found:
	/* A bridge with no group yet keeps the group its subtree chose. */
	if (p != d && !model_group_of(m, p))
		model_state(m, p)->anchor = g;
	return model_iommu_group_ref_get(g);
}
