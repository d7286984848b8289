// SPDX-License-Identifier: GPL-2.0-only
/*
 * iog-gendump: a synthetic `lspci -xxxx` dump of N PCI devices, for the
 * scale part of `make bench` and its check in `make test`.
 *
 *   iog-gendump [--seed S] [--compact] N         the dump, on stdout
 *   iog-gendump [--seed S] [--compact] --expect N
 *       "devices N groups G domains D buses B": the groups VT-d and
 *       AMD-Vi must form, counted from the structure generated (the rules
 *       of spec/iommu-groups.md §8), never from the model
 *
 * Every PCI domain has a host bridge at 00:00.0 and root ports with ACS in
 * multifunction slots on bus 0.  Below each root port, one of
 *   - a switch: upstream port, 2-8 downstream ports with ACS, without it,
 *     with it disabled or partly enabled, each with an endpoint slot or
 *     empty;
 *   - an endpoint slot of 1-8 functions with ACS, without, or mixed;
 *   - a PCIe-to-PCI bridge with conventional devices behind it.
 * When a domain's 256 buses or 31 root-port slots run out the next domain
 * begins: libpci's dump reader and the model key devices by domain.
 *
 * PCIe functions get the 4096 bytes lspci prints for them; --compact stops
 * after the last extended-space row that is not zero (libpci reads such a
 * dump alike, without parsing 3.5 KiB of zeros per function).
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum gkind { K_HOST, K_ROOT, K_UP, K_DOWN, K_EP, K_EP_MF, K_P2P, K_PCI };

/* A port's or function's ACS: the capability and what is enabled. */
enum gacs { ACS_NONE, ACS_ON, ACS_OFF, ACS_PART };

struct gdev {
	unsigned int domain;
	uint8_t bus, devfn;
	uint8_t kind; /* enum gkind */
	uint8_t acs; /* enum gacs */
	bool mf; /* header type bit 7 */
	uint8_t sec, sub; /* bridges */
	uint8_t port; /* link capability port number */
	unsigned int idx; /* creation order, for BAR addresses */
};

struct gen {
	uint64_t rng;
	unsigned long want;
	struct gdev *devs;
	size_t nr;
	unsigned long groups;
	int domain; /* -1 before the first */
	unsigned int next_bus; /* 256: the domain is full */
	unsigned int rp_dev, rp_fn, rp_slot_fns;
	unsigned int buses;
};

/* splitmix64: the same dump for the same seed on every machine. */
static uint64_t next_rand(struct gen *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static unsigned int pick(struct gen *g, unsigned int lo, unsigned int hi)
{
	return lo + (unsigned int)(next_rand(g) % (hi - lo + 1));
}

static unsigned long left(const struct gen *g)
{
	return g->want - g->nr;
}

static struct gdev *add(struct gen *g, unsigned int bus, unsigned int dev,
			unsigned int fn, enum gkind kind)
{
	struct gdev *d = &g->devs[g->nr];

	memset(d, 0, sizeof(*d));
	d->domain = (unsigned int)g->domain;
	d->bus = (uint8_t)bus;
	d->devfn = (uint8_t)(dev << 3 | fn);
	d->kind = (uint8_t)kind;
	d->idx = (unsigned int)g->nr++;
	return d;
}

/* A bus of this domain for a bridge's secondary side. */
static unsigned int take_bus(struct gen *g)
{
	g->buses++;
	return g->next_bus++;
}

/*
 * An endpoint slot of up to 8 functions at dev 0 of bus.  Groups: none of
 * its own behind a port without ACS (R5: it joins the port's); else one
 * per function with ACS and one for all without (R8, R9).
 */
static void ep_slot(struct gen *g, unsigned int bus, bool port_isolates)
{
	unsigned int f = pick(g, 1, 8), on = 0, off = 0;
	unsigned int policy = pick(g, 0, 3);

	if (f > left(g))
		f = (unsigned int)left(g);
	for (unsigned int fn = 0; fn < f; fn++) {
		struct gdev *d = add(g, bus, 0, fn, f > 1 ? K_EP_MF : K_EP);

		d->mf = f > 1;
		/* with ACS, none, present but disabled, mixed */
		if (policy == 0)
			d->acs = ACS_ON;
		else if (policy == 1)
			d->acs = ACS_NONE;
		else if (policy == 2)
			d->acs = ACS_OFF;
		else
			d->acs = pick(g, 0, 1) ? ACS_ON : ACS_NONE;
		if (d->acs == ACS_ON)
			on++;
		else
			off++;
	}
	if (!f || !port_isolates)
		return;
	/* A single function is isolated from siblings it lacks (R6). */
	if (f == 1)
		g->groups++;
	else
		g->groups += on + (off ? 1 : 0);
}

/* Downstream ports: mostly with ACS; else none, disabled, partly enabled. */
static const uint8_t down_acs[10] = {
	ACS_ON, ACS_ON,	  ACS_ON,   ACS_ON,  ACS_ON,
	ACS_ON, ACS_NONE, ACS_NONE, ACS_OFF, ACS_PART,
};

/* Switch: the upstream port on bus, k downstream ports below it. */
static void sw(struct gen *g, unsigned int bus)
{
	unsigned int internal = take_bus(g);
	unsigned int k = pick(g, 2, 8);
	/* g->devs never moves: it was sized for the whole dump. */
	struct gdev *up = add(g, bus, 0, 0, K_UP);
	size_t first;

	up->sec = (uint8_t)internal;
	g->groups++;
	/* One bus each, and one device each. */
	if (k > 256 - g->next_bus)
		k = 256 - g->next_bus;
	if (k > left(g))
		k = (unsigned int)left(g);
	first = g->nr;
	for (unsigned int i = 0; i < k; i++) {
		struct gdev *d = add(g, internal, i, 0, K_DOWN);

		d->acs = down_acs[pick(g, 0, 9)];
		d->port = (uint8_t)(i + 1);
		d->sec = d->sub = (uint8_t)take_bus(g);
		g->groups++;
	}
	for (unsigned int i = 0; i < k; i++) {
		const struct gdev *d = &g->devs[first + i];

		/* An empty hot-plug slot now and then. */
		if (left(g) && pick(g, 0, 7))
			ep_slot(g, d->sec, d->acs == ACS_ON);
	}
	up->sub = (uint8_t)(g->next_bus - 1);
}

/* PCIe-to-PCI bridge on bus and conventional slots behind it: one group
 * (R4, every request behind it carries the bridge's ID). */
static void p2p(struct gen *g, unsigned int bus)
{
	struct gdev *br = add(g, bus, 0, 0, K_P2P);
	unsigned int conv = take_bus(g);
	unsigned int slots = pick(g, 1, 6);

	br->sec = br->sub = (uint8_t)conv;
	g->groups++;
	for (unsigned int s = 1; s <= slots && left(g); s++) {
		unsigned int f = pick(g, 0, 3) ? 1 : 2;

		if (f > left(g))
			f = 1;
		for (unsigned int fn = 0; fn < f; fn++)
			add(g, conv, s, fn, K_PCI)->mf = f > 1;
	}
}

static void new_domain(struct gen *g)
{
	g->domain++;
	g->next_bus = 1;
	g->rp_dev = 0;
	g->rp_fn = g->rp_slot_fns = 0;
	g->buses++;
	/* Conventional, single function, root bus: its own group (R9). */
	add(g, 0, 0, 0, K_HOST);
	g->groups++;
}

static bool domain_full(const struct gen *g)
{
	return g->domain < 0 || g->next_bus > 255 ||
	       (g->rp_fn == g->rp_slot_fns && g->rp_dev == 31);
}

/* A root port and what hangs below it. */
static void root_port(struct gen *g)
{
	struct gdev *rp;
	unsigned int bus, kind;

	if (g->rp_fn == g->rp_slot_fns) {
		g->rp_dev++;
		g->rp_fn = 0;
		g->rp_slot_fns = pick(g, 1, 8);
	}
	rp = add(g, 0, g->rp_dev, g->rp_fn++, K_ROOT);
	rp->mf = g->rp_slot_fns > 1;
	rp->acs = ACS_ON;
	rp->port = (uint8_t)(g->rp_dev << 3 | (g->rp_fn - 1));
	g->groups++;
	bus = take_bus(g);
	rp->sec = (uint8_t)bus;
	kind = pick(g, 0, 9);
	if (!left(g)) {
		/* An empty slot ends the dump. */
	} else if (kind < 5 && 256 - g->next_bus >= 3 && left(g) >= 2) {
		sw(g, bus);
	} else if (kind >= 8 && 256 - g->next_bus >= 1) {
		p2p(g, bus);
	} else {
		ep_slot(g, bus, true);
	}
	rp->sub = (uint8_t)(g->next_bus - 1);
}

static int cmp_gdev(const void *a, const void *b)
{
	const struct gdev *x = a, *y = b;

	if (x->domain != y->domain)
		return x->domain < y->domain ? -1 : 1;
	if (x->bus != y->bus)
		return x->bus < y->bus ? -1 : 1;
	return (int)x->devfn - (int)y->devfn;
}

/* ---- config space --------------------------------------------------- */

static void put16(uint8_t *c, unsigned int off, unsigned int v)
{
	c[off] = (uint8_t)v;
	c[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *c, unsigned int off, uint32_t v)
{
	put16(c, off, v & 0xffff);
	put16(c, off + 2, v >> 16);
}

struct ident {
	unsigned int vendor, device, rev;
	uint32_t class; /* class, subclass, prog-if */
	int pcie_type; /* -1: conventional */
	const char *text; /* lspci's "Class: Vendor Device" */
};

static const struct ident idents[] = {
	[K_HOST] =
		{0x8086, 0x29c0, 0, 0x060000, -1,
		 "Host bridge: Intel Corporation 82G33/G31/P35/P31 Express DRAM Controller"},
	[K_ROOT] = {0x1b36, 0x000c, 0, 0x060400, 0x4,
		    "PCI bridge: Red Hat, Inc. QEMU PCIe Root port"},
	[K_UP] =
		{0x104c, 0x8232, 2, 0x060400, 0x5,
		 "PCI bridge: Texas Instruments XIO3130 PCI Express Switch (Upstream) (rev 02)"},
	[K_DOWN] =
		{0x104c, 0x8233, 1, 0x060400, 0x6,
		 "PCI bridge: Texas Instruments XIO3130 PCI Express Switch (Downstream) (rev 01)"},
	[K_EP] =
		{0x8086, 0x10d3, 0, 0x020000, 0x0,
		 "Ethernet controller: Intel Corporation 82574L Gigabit Network Connection"},
	[K_EP_MF] =
		/* Not I350 or other devices the kernel's quirk table grants
		 * ACS to: the generator's ACS is all the model may go by. */
		{0x14e4, 0x165f, 0, 0x020000, 0x0,
		 "Ethernet controller: Broadcom Inc. and subsidiaries NetXtreme BCM5720 Gigabit Ethernet PCIe"},
	[K_P2P] = {0x1b36, 0x000e, 0, 0x060400, 0x7,
		   "PCI bridge: Red Hat, Inc. Device 000e"},
	[K_PCI] =
		{0x8086, 0x100e, 3, 0x020000, -1,
		 "Ethernet controller: Intel Corporation 82540EM Gigabit Ethernet Controller (rev 03)"},
};

/* ACS capability and control as QEMU's ports and real multi-function
 * devices show them (the latter have no SV, TB or UF to offer). */
static void acs_regs(const struct gdev *d, unsigned int *cap,
		     unsigned int *ctrl)
{
	bool port = d->kind == K_ROOT || d->kind == K_DOWN;

	*cap = port ? 0x005f : 0x004c;
	switch (d->acs) {
	case ACS_ON:
		*ctrl = port ? 0x001d : 0x000c;
		break;
	case ACS_PART:
		/* SV and TB only: RR, CR and UF missing. */
		*ctrl = 0x0003;
		break;
	default:
		*ctrl = 0;
		break;
	}
}

/* The config space of d into c (4096 bytes, zeroed); its length. */
static unsigned int render(const struct gdev *d, uint8_t *c)
{
	const struct ident *id = &idents[d->kind];
	bool bridge = id->class == 0x060400;
	bool slot = d->kind == K_ROOT || d->kind == K_DOWN;
	bool acs = d->acs != ACS_NONE;
	unsigned int cap, ctrl;

	put16(c, 0x00, id->vendor);
	put16(c, 0x02, id->device);
	put16(c, 0x04, 0x0007); /* I/O, memory, bus master */
	put16(c, 0x06, id->pcie_type >= 0 ? 0x0010 : 0x0000);
	put32(c, 0x08, id->class << 8 | id->rev);
	c[0x0e] = (uint8_t)((bridge ? 0x01 : 0x00) | (d->mf ? 0x80 : 0));
	if (bridge) {
		c[0x18] = d->bus;
		c[0x19] = d->sec;
		c[0x1a] = d->sub;
		/* Windows closed (base above limit). */
		c[0x1c] = 0xf0;
		put16(c, 0x20, 0xfff0);
		put16(c, 0x24, 0xfff1);
		put16(c, 0x26, 0x0001);
	} else if (d->kind != K_HOST) {
		put32(c, 0x10, 0xc0000000u + (d->idx & 0xffff) * 0x4000u);
		put16(c, 0x2c, 0x1af4);
		put16(c, 0x2e, 0x1100);
	}
	if (d->kind != K_HOST) {
		c[0x3c] = 0x0b;
		c[0x3d] = 0x01; /* INTA */
	}
	if (id->pcie_type < 0)
		return 256;

	c[0x34] = 0x40;
	c[0x40] = 0x10; /* PCI Express, last in the list */
	put16(c, 0x42,
	      0x0002 | (unsigned int)id->pcie_type << 4 | (slot ? 0x0100 : 0));
	put32(c, 0x44, 0x00008000); /* role-based error reporting */
	put16(c, 0x48, 0x2810);
	put32(c, 0x4c, (uint32_t)d->port << 24 | 0x11); /* 2.5 GT/s x1 */
	put16(c, 0x52, 0x0011);
	if (slot)
		put32(c, 0x54, (uint32_t)d->port << 19 | 0x0040);

	/* AER at 0x100, ACS at 0x148 when the device has one. */
	put32(c, 0x100, 0x0001 | 2u << 16 | (acs ? 0x148u : 0) << 20);
	put32(c, 0x10c, 0x00462030);
	put32(c, 0x118, 0x000000a0);
	if (acs) {
		acs_regs(d, &cap, &ctrl);
		put32(c, 0x148, 0x000d | 1u << 16);
		put16(c, 0x14c, cap);
		put16(c, 0x14e, ctrl);
	}
	return 4096;
}

static const char hexd[] = "0123456789abcdef";

/* One device as lspci -xxxx prints it, blank line after. */
static void print_dev(FILE *f, const struct gdev *d, bool compact)
{
	uint8_t c[4096] = {0};
	unsigned int len = render(d, c);
	char line[64];

	if (compact && len > 256) {
		/* Keep 0x100 (the model insists on it) up to the last data. */
		unsigned int last = 0x100;

		for (unsigned int off = 0x100; off < len; off += 16)
			for (unsigned int k = 0; k < 16; k++)
				if (c[off + k])
					last = off;
		len = last + 16;
	}
	fprintf(f, "%04x:%02x:%02x.%d %s\n", d->domain, d->bus, d->devfn >> 3,
		d->devfn & 7, idents[d->kind].text);
	for (unsigned int off = 0; off < len; off += 16) {
		int n = snprintf(line, sizeof(line), "%02x:", off);

		for (unsigned int k = 0; k < 16; k++) {
			line[n++] = ' ';
			line[n++] = hexd[c[off + k] >> 4];
			line[n++] = hexd[c[off + k] & 15];
		}
		line[n++] = '\n';
		fwrite(line, 1, (size_t)n, f);
	}
	fputc('\n', f);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: iog-gendump [--seed S] [--compact] [--expect] DEVICES\n"
		"  the dump of DEVICES PCI devices on stdout; --expect prints\n"
		"  \"devices N groups G domains D buses B\" instead (VT-d, AMD-Vi)\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"seed", required_argument, NULL, 's'},
		{"compact", no_argument, NULL, 'c'},
		{"expect", no_argument, NULL, 'e'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct gen g = {.domain = -1, .rng = 1};
	bool compact = false, expect = false;
	char *end;
	int o;

	while ((o = getopt_long(argc, argv, "s:ceh", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			g.rng = strtoull(optarg, &end, 0);
			if (*end || !*optarg) {
				fprintf(stderr, "iog-gendump: bad seed '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'c':
			compact = true;
			break;
		case 'e':
			expect = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	g.want = strtoul(argv[optind], &end, 10);
	/* libpci's dump reader takes domains up to 0xffff (4 hex digits). */
	if (*end || !g.want || g.want > 1000000) {
		fprintf(stderr, "iog-gendump: DEVICES must be 1 to 1000000\n");
		return 2;
	}
	g.devs = calloc(g.want, sizeof(*g.devs));
	if (!g.devs) {
		fprintf(stderr, "iog-gendump: out of memory\n");
		return 1;
	}
	while (left(&g)) {
		if (domain_full(&g)) {
			new_domain(&g);
			continue;
		}
		root_port(&g);
	}
	if (expect) {
		printf("devices %zu groups %lu domains %d buses %u\n", g.nr,
		       g.groups, g.domain + 1, g.buses);
	} else {
		/* lspci's order: domain, bus, device, function. */
		qsort(g.devs, g.nr, sizeof(*g.devs), cmp_gdev);
		for (size_t i = 0; i < g.nr; i++)
			print_dev(stdout, &g.devs[i], compact);
	}
	free(g.devs);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "iog-gendump: write error\n");
		return 1;
	}
	return 0;
}
