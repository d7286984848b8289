// SPDX-License-Identifier: GPL-2.0-only
/*
 * PCI topology from config space through libpci (spec §3.1, R2).
 *
 * libpci reports fatal errors through acc->error, which must not return;
 * we turn them into an error return with a longjmp back to the loader so
 * that a bad dump is a message naming the file, not an exit.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pci/pci.h>

#include "pci_topo.h"

static jmp_buf *pci_jmp;
static char pci_errmsg[MODEL_ERR_LEN];

static void PCI_NONRET pci_error_cb(char *msg, ...)
{
	va_list ap;

	va_start(ap, msg);
	vsnprintf(pci_errmsg, sizeof(pci_errmsg), msg, ap);
	va_end(ap);
	if (pci_jmp)
		longjmp(*pci_jmp, 1);
	/* Not reachable from our loaders; never let libpci go on. */
	fprintf(stderr, "libpci: %s\n", pci_errmsg);
	abort();
}

static void pci_quiet_cb(char *msg, ...)
{
	/* Warnings (missing pci.ids, unreadable attributes) are not fatal. */
	(void)msg;
}

static int cmp_dev(const void *a, const void *b)
{
	const struct model_pci_dev *x = a, *y = b;

	if (x->domain != y->domain)
		return x->domain < y->domain ? -1 : 1;
	if (x->bus != y->bus)
		return x->bus < y->bus ? -1 : 1;
	return (int)x->devfn - (int)y->devfn;
}

/* Read one device's registers; 0, or -1 with a reason in why. */
static int fill_dev(struct pci_access *acc, struct pci_dev *p,
		    struct model_pci_dev *d, char *why, size_t whylen)
{
	u8 probe[4];
	char name[256];

	pci_fill_info(p, PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_CAPS |
				 PCI_FILL_EXT_CAPS | PCI_FILL_BRIDGE_BASES);
	d->domain = p->domain;
	d->bus = p->bus;
	d->devfn = (u8)((p->dev << 3) | p->func);
	snprintf(d->bdf, sizeof(d->bdf), "%04x:%02x:%02x.%u",
		 (unsigned int)p->domain, p->bus, p->dev & 0x1fu, p->func & 7u);
	d->dev.name = d->bdf;
	/* Two devices must never share a name (VMD domains are 10000+). */
	if (p->domain < 0 || p->dev > 0x1f || p->func > 7) {
		snprintf(
			why, whylen,
			"%x:%02x:%02x.%u: a negative domain, slot beyond 1f or function beyond 7: the model's names cannot tell such devices apart",
			(unsigned int)p->domain, p->bus, p->dev, p->func);
		return -1;
	}
	d->vendor = p->vendor_id;
	d->device = p->device_id;
	d->class = p->device_class;

	/*
	 * Capabilities start past the first 64 bytes: without them every
	 * ACS verdict would be wrong, so refuse rather than guess.
	 */
	if (!pci_read_block(p, 0x40, probe, sizeof(probe))) {
		snprintf(
			why, whylen,
			"%s: config space past 64 bytes is not readable (a live system needs root; a dump needs lspci -xxxx)",
			d->bdf);
		return -1;
	}

	d->hdr_type = pci_read_byte(p, PCI_HEADER_TYPE);
	d->hdr_multifunction = d->hdr_type & 0x80;
	switch (d->hdr_type & 0x7f) {
	case PCI_HEADER_TYPE_BRIDGE:
	case PCI_HEADER_TYPE_CARDBUS:
		d->is_bridge = true;
		d->secondary = pci_read_byte(p, PCI_SECONDARY_BUS);
		d->subordinate = pci_read_byte(p, PCI_SUBORDINATE_BUS);
		break;
	}

	struct pci_cap *exp = pci_find_cap(p, PCI_CAP_ID_EXP, PCI_CAP_NORMAL);
	if (exp) {
		u16 flags = pci_read_word(p, exp->addr + PCI_EXP_FLAGS);

		d->is_pcie = true;
		d->pcie_type = (flags & PCI_EXP_FLAGS_TYPE) >> 4;
		/* Device Control 2 exists from capability version 2 on. */
		if ((flags & PCI_EXP_FLAGS_VERS) >= 2 && d->is_bridge)
			d->ari_forwarding =
				pci_read_word(p, exp->addr + PCI_EXP_DEVCTL2) &
				PCI_EXP_DEVCTL2_ARI;
	}

	/* Keep the bytes the input has, for quirks that read registers. */
	d->cfg = calloc(1, 4096);
	if (!d->cfg) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	static const int sizes[] = {4096, 256, 64};
	for (size_t i = 0; i < 3 && !d->cfg_len; i++)
		if (pci_read_block(p, 0, d->cfg, sizes[i]))
			d->cfg_len = (uint16_t)sizes[i];
	/*
	 * A dump may stop after the last extended row that is not zero
	 * (libpci reads such a dump alike): find its end, in 16-byte rows.
	 */
	if (d->cfg_len == 256) {
		unsigned int lo = 256, hi = 4096;

		while (hi - lo > 16) {
			unsigned int mid = (lo + hi) / 2 & ~15u;

			if (pci_read_block(p, 0, d->cfg, (int)mid))
				lo = mid;
			else
				hi = mid;
		}
		if (lo > 256 && pci_read_block(p, 0, d->cfg, (int)lo))
			d->cfg_len = (uint16_t)lo;
	}
	/* Whether that means "no ACS" or "unknown" is load()'s call. */
	d->ext_cfg_missing = d->is_pcie && d->cfg_len <= 256;

	struct pci_cap *acs =
		d->ext_cfg_missing
			? NULL
			: pci_find_cap(p, PCI_EXT_CAP_ID_ACS, PCI_CAP_EXTENDED);
	if (acs) {
		d->has_acs = true;
		d->acs_pos = (uint16_t)acs->addr;
		d->acs_cap = pci_read_word(p, acs->addr + PCI_ACS_CAP);
		d->acs_ctrl = pci_read_word(p, acs->addr + PCI_ACS_CTRL);
	}
	struct pci_cap *ari =
		pci_find_cap(p, PCI_EXT_CAP_ID_ARI, PCI_CAP_EXTENDED);
	if (ari) {
		d->has_ari = true;
		d->ari_next_fn = PCI_ARI_CAP_NFN(
			pci_read_word(p, ari->addr + PCI_ARI_CAP));
	}

	/* pci.ids only (no hwdb): the same text on every machine. */
	const char *n = pci_lookup_name(acc, name, sizeof(name),
					PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE |
						PCI_LOOKUP_NO_HWDB,
					d->vendor, d->device);
	d->name = strdup(n ? n : "");
	if (!d->name) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	return 0;
}

static int load(struct model_pci_topo *t, unsigned int method,
		const char *param, const char *value, const char *source,
		char *err, size_t errlen)
{
	struct pci_access *acc;
	jmp_buf jb;
	char why[MODEL_ERR_LEN] = "";

	memset(t, 0, sizeof(*t));
	t->source = strdup(source);
	if (!t->source) {
		snprintf(err, errlen, "%s: out of memory", source);
		return -1;
	}
	acc = pci_alloc();
	acc->error = pci_error_cb;
	acc->warning = pci_quiet_cb;
	acc->debug = pci_quiet_cb;
	pci_jmp = &jb;
	if (setjmp(jb)) {
		pci_jmp = NULL;
		snprintf(err, errlen, "%s: %s", source, pci_errmsg);
		pci_cleanup(acc);
		model_pci_topo_free(t);
		return -1;
	}
	acc->method = method;
	if (param && pci_set_param(acc, (char *)param, (char *)value)) {
		snprintf(why, sizeof(why), "libpci has no parameter %s", param);
		goto fail;
	}
	pci_init(acc);
	pci_scan_bus(acc);

	size_t n = 0;
	for (struct pci_dev *p = acc->devices; p; p = p->next)
		n++;
	if (!n) {
		snprintf(why, sizeof(why),
			 "no PCI devices found (not an lspci -xxxx dump?)");
		goto fail;
	}
	t->devs = calloc(n, sizeof(*t->devs));
	if (!t->devs) {
		snprintf(why, sizeof(why), "out of memory");
		goto fail;
	}
	for (struct pci_dev *p = acc->devices; p; p = p->next) {
		if (fill_dev(acc, p, &t->devs[t->nr++], why, sizeof(why)))
			goto fail;
	}
	/*
	 * Read as root, sysfs shows the extended space the kernel has, and
	 * lspci -xxxx prints it: a PCIe device without it has no ACS.  Only
	 * a dump with no extended space at all (lspci -xxx) leaves it unknown.
	 */
	bool any_ext = false;
	for (size_t i = 0; i < t->nr; i++)
		any_ext |= t->devs[i].cfg_len > 256;
	for (size_t i = 0; i < t->nr; i++)
		t->devs[i].ext_cfg_missing &=
			method == PCI_ACCESS_DUMP && !any_ext;
	pci_jmp = NULL;
	pci_cleanup(acc);

	qsort(t->devs, t->nr, sizeof(*t->devs), cmp_dev);
	for (size_t i = 1; i < t->nr; i++) {
		if (!cmp_dev(&t->devs[i - 1], &t->devs[i])) {
			snprintf(err, errlen, "%s: device %s listed twice",
				 source, t->devs[i].bdf);
			model_pci_topo_free(t);
			return -1;
		}
	}
	/* Sorting moved the structs: names must point at their own bdf. */
	for (size_t i = 0; i < t->nr; i++)
		t->devs[i].dev.name = t->devs[i].bdf;
	if (model_pci_topo_finish(t, why, sizeof(why))) {
		snprintf(err, errlen, "%s: %s", source, why);
		model_pci_topo_free(t);
		return -1;
	}
	return 0;
fail:
	pci_jmp = NULL;
	snprintf(err, errlen, "%s: %s", source, why);
	pci_cleanup(acc);
	model_pci_topo_free(t);
	return -1;
}

/*
 * libpci 3.9's dump reader stores a row at any offset that fits an int, so
 * one with the top bit set ("f0000050: 00 ...", fuzz/crashes/lspci) writes
 * before its buffer.  Config space ends at 4096: refuse rows past it first.
 */
static int dump_check_offsets(FILE *f, const char *path, char *err,
			      size_t errlen)
{
	char *line = NULL;
	size_t cap = 0;
	unsigned int n = 0;
	int ret = 0;

	while (getline(&line, &cap, f) >= 0) {
		size_t k = strspn(line, "0123456789abcdefABCDEF");

		n++;
		if (k && line[k] == ':' && line[k + 1] == ' ' &&
		    strtoul(line, NULL, 16) >= 4096) {
			snprintf(
				err, errlen,
				"%s:%u: config space offset %.*s is past 4096 bytes",
				path, n, (int)(k > 16 ? 16 : k), line);
			ret = -1;
			break;
		}
	}
	free(line);
	return ret;
}

int model_pci_topo_load_dump(struct model_pci_topo *t, const char *path,
			     char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");

	/* libpci would say "Cannot open"; say which file and why first. */
	if (!f) {
		memset(t, 0, sizeof(*t));
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (dump_check_offsets(f, path, err, errlen)) {
		fclose(f);
		memset(t, 0, sizeof(*t));
		return -1;
	}
	fclose(f);
	return load(t, PCI_ACCESS_DUMP, "dump.name", path, path, err, errlen);
}

int model_pci_topo_load_sysfs(struct model_pci_topo *t, const char *sysfs_root,
			      char *err, size_t errlen)
{
	char path[4096];
	int ret;

	if (!sysfs_root)
		return load(t, PCI_ACCESS_AUTO, NULL, NULL, "/sys/bus/pci", err,
			    errlen);
	snprintf(path, sizeof(path), "%s/bus/pci", sysfs_root);
	ret = load(t, PCI_ACCESS_SYS_BUS_PCI, "sysfs.path", path, path, err,
		   errlen);
	return ret;
}

void model_pci_topo_free(struct model_pci_topo *t)
{
	for (size_t i = 0; i < t->nr; i++) {
		free(t->devs[i].name);
		free(t->devs[i].cfg);
	}
	free(t->devs);
	free(t->boot_order);
	free(t->source);
	memset(t, 0, sizeof(*t));
}

struct model_pci_dev *model_pci_get_slot(const struct model_pci_topo *t,
					 int domain, int bus, int devfn)
{
	struct model_pci_dev key = {
		.domain = domain, .bus = (uint8_t)bus, .devfn = (uint8_t)devfn};

	if (!t->nr)
		return NULL;
	return bsearch(&key, t->devs, t->nr, sizeof(*t->devs), cmp_dev);
}

struct model_pci_dev *model_pci_find(const struct model_pci_topo *t,
				     const char *bdf)
{
	unsigned int dom = 0, bus, dev, fn;
	char tail;

	if (sscanf(bdf, "%x:%x:%x.%u%c", &dom, &bus, &dev, &fn, &tail) != 4) {
		dom = 0;
		if (sscanf(bdf, "%x:%x.%u%c", &bus, &dev, &fn, &tail) != 3)
			return NULL;
	}
	if (bus > 0xff || dev > 0x1f || fn > 7)
		return NULL;
	return model_pci_get_slot(t, (int)dom, (int)bus,
				  (int)((dev << 3) | fn));
}

/*
 * Each device's parent: the first bridge (in t->devs order) of its domain
 * whose secondary bus is the device's bus, NULL on a root bus.  A table of
 * 256 buses per domain (t->devs is sorted, so a domain is one run): a
 * search of all devices for each device was quadratic.
 */
static void find_parents(struct model_pci_topo *t)
{
	for (size_t first = 0, end; first < t->nr; first = end) {
		struct model_pci_dev *by_secondary[256] = {NULL};
		int domain = t->devs[first].domain;

		for (end = first; end < t->nr && t->devs[end].domain == domain;
		     end++) {
			struct model_pci_dev *b = &t->devs[end];

			/* Secondary equal to its own bus: unconfigured. */
			if (b->is_bridge && b->secondary != b->bus &&
			    !by_secondary[b->secondary])
				by_secondary[b->secondary] = b;
		}
		for (size_t i = first; i < end; i++)
			t->devs[i].parent = by_secondary[t->devs[i].bus];
	}
}

/* drivers/pci/controller/vmd.c vmd_ids (Debian's 6.12; 6.1 has a subset). */
static bool is_vmd(const struct model_pci_dev *d)
{
	static const uint16_t ids[] = {0x201d, 0x28c0, 0x467f, 0x4c3d, 0xa77f,
				       0x7d0b, 0xad0b, 0x9a0b, 0xb60b, 0xb06f};

	if (d->vendor != 0x8086)
		return false;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (d->device == ids[i])
			return true;
	return false;
}

/*
 * The vmd driver gives each endpoint it probes (in device order) the next
 * domain past every one there is (vmd_find_free_domain: 10000 past the
 * firmware's), and pci_real_dma_dev() maps the domain's devices back to it.
 */
static struct model_pci_dev *vmd_endpoint(const struct model_pci_topo *t,
					  const struct model_pci_dev *d)
{
	int next = 0xffff, k;

	if (d->domain <= 0xffff)
		return NULL;
	for (size_t i = 0; i < t->nr && t->devs[i].domain <= 0xffff; i++)
		if (t->devs[i].domain > next)
			next = t->devs[i].domain;
	k = d->domain - (next + 1);
	for (size_t i = 0; i < t->nr && t->devs[i].domain <= 0xffff; i++)
		if (is_vmd(&t->devs[i]) && !k--)
			return &t->devs[i];
	return NULL;
}

/* The first index of t->devs at or past (domain, bus) (sorted array). */
static size_t bus_lower_bound(const struct model_pci_topo *t, int domain,
			      int bus)
{
	size_t lo = 0, hi = t->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct model_pci_dev *d = &t->devs[mid];

		if (d->domain < domain || (d->domain == domain && d->bus < bus))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct order_ctx {
	struct model_pci_topo *t;
	size_t n;
	unsigned char *bus_seen; /* per (domain index, bus): visited */
};

/*
 * R2: device_add order.  All devices of a bus first (devfn order, or the
 * ARI next-function chain on an ARI bus), then each bridge's secondary bus
 * in the same order, depth first.
 */
static void order_bus(struct order_ctx *c, size_t first, size_t end);

static void add_dev(struct order_ctx *c, struct model_pci_dev *d)
{
	d->boot_index = c->n;
	c->t->boot_order[c->n++] = d;
}

static bool in_order(struct order_ctx *c, const struct model_pci_dev *d)
{
	return d->boot_index < c->n && c->t->boot_order[d->boot_index] == d;
}

/* Devices [first, end) of t->devs are one bus (sorted array). */
static void order_bus(struct order_ctx *c, size_t first, size_t end)
{
	struct model_pci_topo *t = c->t;
	size_t start_n = c->n;
	struct model_pci_dev *d0 = &t->devs[first];

	if (d0->parent && d0->parent->ari_forwarding && d0->devfn == 0) {
		/* The ARI chain from function 0, as the slot scan walks it. */
		struct model_pci_dev *d = d0;
		while (d && !in_order(c, d)) {
			add_dev(c, d);
			if (!d->has_ari || !d->ari_next_fn)
				break;
			d = model_pci_get_slot(t, d->domain, d->bus,
					       d->ari_next_fn);
		}
	}
	for (size_t i = first; i < end; i++)
		if (!in_order(c, &t->devs[i]))
			add_dev(c, &t->devs[i]);
	size_t stop = c->n;
	for (size_t k = start_n; k < stop; k++) {
		struct model_pci_dev *b = t->boot_order[k];

		if (!b->is_bridge || b->secondary == b->bus)
			continue;
		/* Only the secondary bus's run can hold its children. */
		for (size_t j = bus_lower_bound(t, b->domain, b->secondary);
		     j < t->nr && t->devs[j].domain == b->domain &&
		     t->devs[j].bus == b->secondary;
		     j++) {
			struct model_pci_dev *d = &t->devs[j];

			if (d->parent != b || in_order(c, d))
				continue;
			size_t e = j;
			while (e < t->nr && t->devs[e].domain == d->domain &&
			       t->devs[e].bus == d->bus)
				e++;
			order_bus(c, j, e);
			break;
		}
	}
}

int model_pci_topo_finish(struct model_pci_topo *t, char *err, size_t errlen)
{
	struct order_ctx c = {.t = t};

	find_parents(t);
	for (size_t i = 0; i < t->nr; i++) {
		t->devs[i].real_dma = vmd_endpoint(t, &t->devs[i]);
		t->devs[i].dev.name = t->devs[i].bdf;
		t->devs[i].boot_index = (size_t)-1;
	}
	/* A bus that is its own ancestor is a broken dump, not a topology. */
	for (size_t i = 0; i < t->nr; i++) {
		size_t steps = 0;

		for (struct model_pci_dev *p = t->devs[i].parent; p;
		     p = p->parent) {
			if (++steps > t->nr) {
				snprintf(
					err, errlen,
					"bridges above %s form a loop of bus numbers",
					t->devs[i].bdf);
				return -1;
			}
		}
	}
	for (size_t i = 0; i < t->nr; i++) {
		struct model_pci_dev *d = &t->devs[i];
		bool ari = d->parent && d->parent->ari_forwarding;

		/*
		 * §3.1: the slot scan forces multifunction on every function
		 * past the first it finds; on an ARI bus the whole device is
		 * one slot scan from devfn 0.
		 */
		if (ari)
			d->multifunction =
				d->devfn != 0 || d->hdr_multifunction;
		else
			d->multifunction =
				(d->devfn & 7) != 0 || d->hdr_multifunction;
	}
	free(t->boot_order);
	t->boot_order = calloc(t->nr ? t->nr : 1, sizeof(*t->boot_order));
	if (!t->boot_order) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* Root buses in (domain, bus) order, each scanned depth first. */
	for (size_t i = 0; i < t->nr;) {
		size_t e = i;

		while (e < t->nr && t->devs[e].domain == t->devs[i].domain &&
		       t->devs[e].bus == t->devs[i].bus)
			e++;
		if (!t->devs[i].parent && !in_order(&c, &t->devs[i]))
			order_bus(&c, i, e);
		i = e;
	}
	/* Buses under a bridge that is itself unreachable: append as found. */
	for (size_t i = 0; i < t->nr; i++)
		if (!in_order(&c, &t->devs[i]))
			add_dev(&c, &t->devs[i]);
	return 0;
}

void model_pci_add_dma_alias(struct model_pci_dev *a, uint8_t devfn)
{
	a->dma_alias_mask[devfn / 8] |= (uint8_t)(1u << (devfn % 8));
}

static bool alias_bit(const struct model_pci_dev *a, uint8_t devfn)
{
	return a->dma_alias_mask[devfn / 8] & (1u << (devfn % 8));
}

bool model_pci_devs_are_dma_aliases(const struct model_pci_dev *a,
				    const struct model_pci_dev *b)
{
	if (!model_pci_same_bus(a, b))
		return false;
	return alias_bit(a, b->devfn) || alias_bit(b, a->devfn);
}

static uint16_t rid_of(const struct model_pci_dev *d)
{
	return (uint16_t)(d->bus << 8 | d->devfn);
}

int model_pci_for_each_dma_alias(struct model_pci_dev *d, model_dma_alias_fn fn,
				 void *data)
{
	int ret;

	if (d->real_dma)
		d = d->real_dma;
	ret = fn(d, rid_of(d), data);

	if (ret)
		return ret;
	for (unsigned int devfn = 0; devfn < 256; devfn++) {
		if (!alias_bit(d, (uint8_t)devfn))
			continue;
		ret = fn(d, (uint16_t)(d->bus << 8 | devfn), data);
		if (ret)
			return ret;
	}
	/* Walk up: only bridges that rewrite the requester ID take part. */
	for (struct model_pci_dev *br = d->parent; br; br = br->parent) {
		/* The translation unit sits at this bridge (a quirk says). */
		if (br->xlate_root)
			return ret;
		if (!br->is_pcie && br->pcie_bridge_alias) {
			/* A PCIe-to-PCI bridge hiding its PCIe capability. */
			ret = fn(br, (uint16_t)(br->secondary << 8), data);
		} else if (!br->is_pcie) {
			/* Conventional bridge: requests carry its own ID. */
			ret = fn(br, rid_of(br), data);
		} else if (br->pcie_type == MODEL_PCIE_PCI_BRIDGE) {
			/* PCIe-to-PCI: secondary bus, devfn 0. */
			ret = fn(br, (uint16_t)(br->secondary << 8), data);
		} else if (br->pcie_type == MODEL_PCIE_PCIE_BRIDGE) {
			ret = fn(br, rid_of(br), data);
		}
		/* Root, upstream and downstream ports forward IDs as they are.
		 */
		if (ret)
			return ret;
	}
	return 0;
}

const char *model_pci_kind(const struct model_pci_dev *d)
{
	if (!d->is_pcie) {
		if ((d->hdr_type & 0x7f) == PCI_HEADER_TYPE_CARDBUS)
			return "CardBus bridge";
		return d->is_bridge ? "conventional PCI bridge"
				    : "conventional PCI device";
	}
	switch (d->pcie_type) {
	case MODEL_PCIE_ENDPOINT:
		return "PCIe endpoint";
	case MODEL_PCIE_LEG_END:
		return "legacy PCIe endpoint";
	case MODEL_PCIE_ROOT_PORT:
		return "root port";
	case MODEL_PCIE_UPSTREAM:
		return "switch upstream port";
	case MODEL_PCIE_DOWNSTREAM:
		return "switch downstream port";
	case MODEL_PCIE_PCI_BRIDGE:
		return "PCIe-to-PCI bridge";
	case MODEL_PCIE_PCIE_BRIDGE:
		return "PCI-to-PCIe bridge";
	case MODEL_PCIE_RC_END:
		return "root-complex integrated endpoint";
	case MODEL_PCIE_RC_EC:
		return "root-complex event collector";
	}
	return "PCIe device";
}
