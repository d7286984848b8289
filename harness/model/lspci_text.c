// SPDX-License-Identifier: GPL-2.0-only
/*
 * `lspci -vvnn` text back to config space bytes (lspci_text.h), and a
 * record file as a temporary dump for the model's loader.  Only what
 * grouping reads is rebuilt, at the offsets lspci printed: IDs, class,
 * revision, header type (the multifunction bit from the functions a slot
 * shows), a bridge's bus numbers, the PCI Express capability (type,
 * version, DevCtl2's ARI forwarding) and the ACS and ARI extended
 * capabilities (without -nn, the IDs and class the names stand for in
 * pci.ids).  The field names are those pciutils' ls-caps.c and
 * ls-ecaps.c print.  What the text cannot say stays out of the dump, so
 * the model sees it as unreadable, not as absent:
 *   - "Capabilities: <access denied>" (lspci not run as root): only the
 *     64-byte header is written and the device is listed as unknown;
 *   - no extended capability anywhere in the record: lspci could not read
 *     extended config space, so every device gets 256 bytes (a real PCIe
 *     device almost always shows one, AER if nothing else).
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lspci_text.h"
#include "pci_names.h"
#include "pci_quirks.h"

#define CFG_HDR 64
#define CFG_STD 256
#define CFG_EXT 4096

struct ext_cap {
	unsigned int off, id, ver;
};

#define MAX_EXT 4

struct text_dev {
	int domain, bus, dev, fn;
	struct ext_cap ext[MAX_EXT]; /* the kept extended capabilities */
	int next;
	uint8_t cfg[CFG_EXT];
	bool denied; /* capabilities not readable */
	unsigned int line; /* of the device's first line */
};

/* The address lspci printed at the start of s: lspci_text.h. */
size_t model_lspci_addr(const char *s, unsigned int *domain, unsigned int *bus,
			unsigned int *devfn)
{
	unsigned int dom = 0, b, dev, fn;
	int n = 0, k = 0;

	if (!isxdigit((unsigned char)*s))
		return 0;
	/* Four digits of domain, up to eight for VMD's (10000 and on). */
	if (sscanf(s, "%8x:%2x:%2x.%1u%n", &dom, &b, &dev, &fn, &n) == 4 &&
	    n >= 12 && n <= 16 && s[n - 8] == ':' && dom <= 0x7fffffff)
		;
	else if (dom = 0, n = 0,
		 sscanf(s, "%2x:%2x.%1u%n", &b, &dev, &fn, &n) == 3 && n == 7)
		;
	else
		return 0;
	while (s[n] == '/' &&
	       sscanf(s + n, "/%2x:%2x.%1u%n", &b, &dev, &fn, &k) == 3 &&
	       k == 8)
		n += k;
	if (isalnum((unsigned char)s[n]) || b > 0xff || dev > 0x1f || fn > 7)
		return 0;
	*domain = dom;
	*bus = b;
	*devfn = dev << 3 | fn;
	return n;
}

/* A device line's address (followed by a space); the length taken. */
static size_t parse_addr(const char *s, struct text_dev *d)
{
	unsigned int dom, bus, devfn;
	size_t n = model_lspci_addr(s, &dom, &bus, &devfn);

	if (n) {
		if (s[n] != ' ')
			return 0;
		d->domain = dom;
		d->bus = bus;
		d->dev = devfn >> 3;
		d->fn = devfn & 7;
	}
	return n ? n + 1 : 0;
}

/* Past a mail reply's quoting ("> ", ">> ") at the start of line l. */
static const char *unquote(const char *l)
{
	while (*l == '>')
		l += 1 + (l[1] == ' ');
	return l;
}

bool model_lspci_text_detect(const char *text)
{
	bool device = false;
	struct text_dev d;

	/* A dump has "00: xx xx ..." data lines; lspci -v text never. */
	for (const char *l = text; l && *l;
	     l = strchr(l, '\n'), l = l ? l + 1 : l) {
		if (!strncmp(unquote(l), "00: ", 4))
			return false;
		device = device || parse_addr(unquote(l), &d);
	}
	return device;
}

static void put16(uint8_t *c, unsigned int off, unsigned int v)
{
	c[off] = v & 0xff;
	c[off + 1] = (v >> 8) & 0xff;
}

static void put32(uint8_t *c, unsigned int off, uint32_t v)
{
	put16(c, off, v & 0xffff);
	put16(c, off + 2, v >> 16);
}

/* "[hhhh]" at p (hex digits only inside); its value, or -1. */
static long bracket_hex(const char *p, int digits)
{
	char *end;
	long v;

	if (p[0] != '[' || !isxdigit((unsigned char)p[1]))
		return -1;
	v = strtol(p + 1, &end, 16);
	return end == p + 1 + digits && *end == ']' ? v : -1;
}

/* The last "[vvvv:dddd]" of s (names may hold brackets), NULL if none. */
static const char *find_ids(const char *s)
{
	const char *ids = NULL;
	unsigned int v, dv;

	for (const char *p = s; (p = strchr(p, '[')); p++)
		if (sscanf(p, "[%4x:%4x]", &v, &dv) == 2 && p[5] == ':' &&
		    p[10] == ']')
			ids = p;
	return ids;
}

/* Those IDs into cfg at off; false if s has none. */
static bool last_ids(const char *s, uint8_t *cfg, unsigned int off)
{
	const char *ids = find_ids(s);
	unsigned int v, dv;

	if (!ids)
		return false;
	sscanf(ids, "[%4x:%4x]", &v, &dv);
	cfg[off] = v & 0xff;
	cfg[off + 1] = v >> 8;
	cfg[off + 2] = dv & 0xff;
	cfg[off + 3] = dv >> 8;
	return true;
}

/* Header type from the class: PCI-to-PCI bridge, CardBus bridge. */
static void header_type(struct text_dev *d)
{
	if (d->cfg[0x0b] == 0x06 &&
	    (d->cfg[0x0a] == 0x04 || d->cfg[0x0a] == 0x09))
		d->cfg[0x0e] = 1;
	else if (d->cfg[0x0b] == 0x06 && d->cfg[0x0a] == 0x07)
		d->cfg[0x0e] = 2;
}

/*
 * Whether the quirk table tells the pairs apart: a row covers some but not
 * all.  If not, any of them gives the same groups.
 */
static bool quirks_tell_apart(const struct model_pci_id *ids, size_t n)
{
	size_t nr;
	const struct model_quirk *q = model_quirks(&nr);

	for (size_t i = 0; i < nr; i++) {
		size_t hits = 0;

		for (size_t k = 0; k < n; k++)
			hits += model_quirk_ids_match(&q[i], ids[k].a,
						      ids[k].b);
		if (hits && hits < n)
			return true;
	}
	return false;
}

#define MAX_NAMED 64

/*
 * The header line of lspci without -nn: "CLASS: VENDOR DEVICE (rev rr)
 * (prog-if pp [NAME])", the IDs found again from the names.  A name that
 * pci.ids gives several IDs (a host bridge) will do if no quirk row tells
 * them apart.
 */
static int parse_names(const char *s, struct text_dev *d, char *why,
		       size_t whylen)
{
	char cls[128], name[256], sub[384];
	const char *colon = strstr(s, ": ");
	struct model_pci_id ids[MAX_NAMED];
	uint16_t class;
	unsigned int v;
	size_t n;
	char *p;

	if (!colon || (size_t)(colon - s) >= sizeof(cls)) {
		snprintf(why, whylen,
			 "no \"CLASS: VENDOR DEVICE\" after the "
			 "address");
		return -1;
	}
	snprintf(cls, sizeof(cls), "%.*s", (int)(colon - s), s);
	snprintf(name, sizeof(name), "%s", colon + 2);
	p = strstr(name, " (prog-if ");
	if (p) {
		if (sscanf(p, " (prog-if %2x", &v) == 1)
			d->cfg[0x09] = v;
		*p = '\0';
	}
	n = strlen(name);
	if (n > 9 && !strncmp(name + n - 9, " (rev ", 6) &&
	    name[n - 1] == ')' && sscanf(name + n - 9, " (rev %2x)", &v) == 1) {
		d->cfg[0x08] = v;
		name[n - 9] = '\0';
	}
	n = 0;
	if (!model_pci_class_of(cls, &class, sub, sizeof(sub)))
		n = model_pci_ids_of(name, ids, MAX_NAMED, sub, sizeof(sub));
	if (n > MAX_NAMED || (n > 1 && quirks_tell_apart(ids, n))) {
		snprintf(sub, sizeof(sub),
			 "\"%s\" names %zu vendor:devices in pci.ids that the "
			 "kernel's quirks tell apart",
			 name, n);
		n = 0;
	}
	if (!n) {
		snprintf(why, whylen,
			 "%s (without lspci's -nn the IDs are found from the "
			 "names)",
			 sub);
		return -1;
	}
	put16(d->cfg, 0x00, ids[0].a);
	put16(d->cfg, 0x02, ids[0].b);
	put16(d->cfg, 0x0a, class);
	header_type(d);
	return 0;
}

/* Whether a quirk row keys on vendor:device's subsystem IDs. */
static bool quirk_reads_subsystem(unsigned int vendor, unsigned int device)
{
	size_t nr;
	const struct model_quirk *q = model_quirks(&nr);

	for (size_t i = 0; i < nr; i++)
		if (q[i].sub && model_quirk_ids_match(&q[i], vendor, device))
			return true;
	return false;
}

/*
 * A type 0 device's "Subsystem: " text s: the IDs (a quirk may read them)
 * from -nn's brackets, else from the names where a quirk needs them, and
 * for the host bridge 00:00.0, whose subsystem tells QEMU's machine from a
 * real one (the model's qemu_machine): there a name pci.ids cannot turn
 * back leaves the platform unknown, which only costs the group IDs.
 */
static int parse_subsystem(const char *s, struct text_dev *d, char *why,
			   size_t whylen)
{
	unsigned int vendor = d->cfg[0] | d->cfg[1] << 8;
	unsigned int device = d->cfg[2] | d->cfg[3] << 8;
	bool quirk = quirk_reads_subsystem(vendor, device);
	bool host = !d->domain && !d->bus && !d->dev && !d->fn;
	uint16_t sv, sd;
	char sub[256];

	if (last_ids(s, d->cfg, 0x2c) || (!quirk && !host))
		return 0;
	if (model_pci_subsys_of(s, vendor, device, &sv, &sd, sub,
				sizeof(sub))) {
		if (!quirk)
			return 0;
		snprintf(why, whylen, "%s, which a quirk of %04x:%04x reads",
			 sub, vendor, device);
		return -1;
	}
	put16(d->cfg, 0x2c, sv);
	put16(d->cfg, 0x2e, sd);
	return 0;
}

/*
 * The header line after its address: "CLASS NAME [ccss]: VENDOR DEVICE
 * [vvvv:dddd] (rev rr) (prog-if pp [NAME])".  The IDs are the last
 * "[hhhh:hhhh]" (names may hold brackets of their own).  Without -nn the
 * names alone are there, and pci.ids gives the IDs back (pci_names.h).
 */
static int parse_header(const char *s, struct text_dev *d, char *why,
			size_t whylen)
{
	const char *cls = NULL, *ids = find_ids(s), *p;
	unsigned int v;

	for (p = s; !cls && (p = strchr(p, '[')); p++)
		if (bracket_hex(p, 4) >= 0 && p[6] == ':')
			cls = p;
	if (!ids) /* the class may still be there: "Class name [0c80]" */
		return parse_names(s, d, why, whylen);
	if (!cls || !ids || ids < cls) {
		snprintf(why, whylen,
			 "no [cccc] class and [vvvv:dddd] IDs: the record "
			 "needs lspci's -nn");
		return -1;
	}
	last_ids(ids, d->cfg, 0x00);
	put16(d->cfg, 0x0a, bracket_hex(cls, 4));
	p = strstr(ids, "(rev ");
	if (p && sscanf(p, "(rev %2x)", &v) == 1)
		d->cfg[0x08] = v;
	p = strstr(ids, "(prog-if ");
	if (p && sscanf(p, "(prog-if %2x", &v) == 1)
		d->cfg[0x09] = v;
	header_type(d);
	return 0;
}

/* "Flag+ Other- ..." : whether name is followed by '+' in s. */
static bool flag(const char *s, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = s; (p = strstr(p, name)); p += n)
		if ((p == s || !isalnum((unsigned char)p[-1])) && p[n] == '+')
			return true;
	return false;
}

/* ACSCap / ACSCtl flags in bit order (PCIe ACS capability register). */
static unsigned int acs_bits(const char *s)
{
	static const char *const names[] = {
		"SrcValid",    "TransBlk",   "ReqRedir",   "CmpltRedir",
		"UpstreamFwd", "EgressCtrl", "DirectTrans"};
	unsigned int v = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flag(s, names[i]))
			v |= 1u << i;
	return v;
}

/* The PCI Express capability's type names, by type number. */
static const char *const express_types[] = {
	[0x0] = "Endpoint",
	[0x1] = "Legacy Endpoint",
	[0x4] = "Root Port",
	[0x5] = "Upstream Port",
	[0x6] = "Downstream Port",
	[0x7] = "PCI-Express to PCI/PCI-X Bridge",
	[0x8] = "PCI/PCI-X to PCI-Express Bridge",
	[0x9] = "Root Complex Integrated Endpoint",
	[0xa] = "Root Complex Event Collector",
};

static int express_type(const char *s)
{
	int t;

	for (t = 0; t < (int)(sizeof(express_types) / sizeof(*express_types));
	     t++)
		if (express_types[t] &&
		    !strncmp(s, express_types[t], strlen(express_types[t])))
			return t;
	if (sscanf(s, "Unknown type %d", &t) == 1 && t >= 0 && t < 16)
		return t;
	return -1;
}

enum cap_kind { CAP_OTHER, CAP_EXPRESS, CAP_ACS, CAP_ARI };

struct parse {
	struct text_dev *devs;
	size_t nr, alloc;
	bool ext_seen; /* some device showed an extended capability */
	const char *path;
	char *err;
	size_t errlen;
};

static int fail(struct parse *p, unsigned int line, const char *why)
{
	snprintf(p->err, p->errlen, "%s:%u: %s", p->path, line, why);
	return -1;
}

/* Chain the PCI Express capability at off, the only standard one read. */
static void chain_std(struct text_dev *d, unsigned int off)
{
	d->cfg[0x06] |= 0x10; /* status: capability list */
	d->cfg[off] = 0x10;
	d->cfg[off + 1] = d->cfg[0x34];
	d->cfg[0x34] = off;
}

/* Note an extended capability; chain_ext() links them at the end. */
static void add_ext(struct text_dev *d, unsigned int off, unsigned int id,
		    unsigned int ver)
{
	if (d->next < MAX_EXT)
		d->ext[d->next++] = (struct ext_cap){off, id, ver};
}

static int ext_cmp(const void *a, const void *b)
{
	return (int)((const struct ext_cap *)a)->off -
	       (int)((const struct ext_cap *)b)->off;
}

/*
 * Link d's extended capabilities in address order from 0x100, where the
 * list starts; a Null capability (ID 0) holds that place when none of the
 * kept ones is there.
 */
static void chain_ext(struct text_dev *d)
{
	unsigned int next = 0;

	if (!d->next)
		return;
	qsort(d->ext, d->next, sizeof(*d->ext), ext_cmp);
	for (int i = d->next - 1; i >= 0; i--) {
		put32(d->cfg, d->ext[i].off,
		      d->ext[i].id | d->ext[i].ver << 16 | next << 20);
		next = d->ext[i].off;
	}
	if (next != 0x100)
		put32(d->cfg, 0x100, next << 20);
}

static int parse_text(struct parse *p, const char *text)
{
	struct text_dev *d = NULL;
	enum cap_kind cap = CAP_OTHER;
	unsigned int line = 0, exp = 0, ext = 0;
	bool devctl2 = false;
	char buf[1024];
	char why[512];

	for (const char *l = text; *l;) {
		const char *e = strchr(l, '\n');
		size_t n = e ? (size_t)(e - l) : strlen(l);
		const char *s;
		int depth = 0;
		unsigned int a, b, c;

		line++;
		snprintf(buf, sizeof(buf), "%.*s", (int)n, l);
		l += n + (e != NULL);
		/* A line longer than buf was cut: its end is buf's. */
		n = strlen(buf);
		if (n && buf[n - 1] == '\r')
			buf[n - 1] = '\0';
		s = unquote(buf);
		while (*s == '\t') {
			s++;
			depth++;
		}
		if (!*s)
			continue;
		if (!depth) {
			struct text_dev nd = {0};
			size_t at = parse_addr(s, &nd);

			if (!at)
				return fail(p, line,
					    "not a device line of lspci -vvnn "
					    "(\"bb:dd.f CLASS [cccc]: ... "
					    "[vvvv:dddd]\")");
			if (parse_header(s + at, &nd, why, sizeof(why)))
				return fail(p, line, why);
			if (p->nr == p->alloc) {
				size_t na = p->alloc ? 2 * p->alloc : 64;
				struct text_dev *m =
					realloc(p->devs, na * sizeof(*m));

				if (!m)
					return fail(p, line, "out of memory");
				p->devs = m;
				p->alloc = na;
			}
			nd.line = line;
			d = &p->devs[p->nr++];
			*d = nd;
			cap = CAP_OTHER;
			devctl2 = false;
			continue;
		}
		if (!d)
			return fail(p, line, "indented line before any device");
		if (depth == 1) {
			devctl2 = false;
			cap = CAP_OTHER;
			if (!strncmp(s, "Capabilities: <access denied>", 29)) {
				d->denied = true;
			} else if (sscanf(s, "Capabilities: [%x v%u]", &a,
					  &b) == 2 &&
				   a >= 0x100 && a < CFG_EXT - 8) {
				const char *name = strchr(s, ']') + 2;

				p->ext_seen = true;
				if (!strncmp(name, "Access Control Services",
					     23)) {
					cap = CAP_ACS;
					add_ext(d, a & ~3u, 0x000d, b);
				} else if (!strncmp(name,
						    "Alternative Routing-ID",
						    22)) {
					cap = CAP_ARI;
					add_ext(d, a & ~3u, 0x000e, b);
				}
				ext = a & ~3u;
			} else if (sscanf(s,
					  "Capabilities: [%x] Express (v%u) ",
					  &a, &b) == 2 &&
				   a >= 0x40 && a <= 0xfc) {
				const char *t = strchr(s, ')') + 2;
				int type = express_type(t);

				if (type < 0)
					return fail(
						p, line,
						"unknown PCI Express port type");
				exp = a & ~3u;
				chain_std(d, exp);
				put16(d->cfg, exp + 2,
				      (b & 0xf) | type << 4 |
					      (strstr(t, "(Slot+)") ? 0x100
								    : 0));
				cap = CAP_EXPRESS;
			} else if (!strncmp(s, "Subsystem: ", 11) &&
				   !(d->cfg[0x0e] & 0x7f)) {
				if (parse_subsystem(s + 11, d, why,
						    sizeof(why)))
					return fail(p, line, why);
			} else if (sscanf(s,
					  "Bus: primary=%x, secondary=%x, "
					  "subordinate=%x",
					  &a, &b, &c) == 3) {
				d->cfg[0x18] = a;
				d->cfg[0x19] = b;
				d->cfg[0x1a] = c;
			}
			continue;
		}
		/* Depth 2 and more: the fields of the capability above. */
		if (depth == 2)
			devctl2 = cap == CAP_EXPRESS &&
				  !strncmp(s, "DevCtl2:", 8);
		/* DevCtl2: a v2 capability's, inside the 256 bytes. */
		if (devctl2 && flag(s, "ARIFwd") && exp + 0x2a <= CFG_STD)
			put16(d->cfg, exp + 0x28, 0x0020);
		if (cap == CAP_ACS && !strncmp(s, "ACSCap:", 7))
			put16(d->cfg, ext + 4, acs_bits(s));
		if (cap == CAP_ACS && !strncmp(s, "ACSCtl:", 7))
			put16(d->cfg, ext + 6, acs_bits(s));
		if (cap == CAP_ARI && !strncmp(s, "ARICap:", 7)) {
			const char *nf = strstr(s, "Next Function: ");

			put16(d->cfg, ext + 4,
			      flag(s, "MFVC") | flag(s, "ACS") << 1 |
				      (nf ? atoi(nf + 15) & 0xff : 0) << 8);
		}
	}
	if (!p->nr)
		return fail(p, line, "no device in the record");
	return 0;
}

/* Function 0's header bit: set when its slot shows further functions. */
static void mark_multifunction(struct parse *p)
{
	for (size_t i = 0; i < p->nr; i++)
		for (size_t j = 0; j < p->nr; j++) {
			struct text_dev *x = &p->devs[i], *y = &p->devs[j];

			if (i != j && x->domain == y->domain &&
			    x->bus == y->bus && x->dev == y->dev) {
				x->cfg[0x0e] |= 0x80;
				break;
			}
		}
}

int model_lspci_text_to_dump(const char *text, const char *path, FILE *out,
			     char *unknown, size_t unknown_len, char *err,
			     size_t errlen)
{
	struct parse p = {.path = path, .err = err, .errlen = errlen};
	size_t ul = 0;
	int ret;

	if (unknown && unknown_len)
		unknown[0] = '\0';
	ret = parse_text(&p, text);
	if (!ret)
		mark_multifunction(&p);
	for (size_t i = 0; !ret && i < p.nr; i++)
		chain_ext(&p.devs[i]);
	for (size_t i = 0; !ret && i < p.nr; i++) {
		struct text_dev *d = &p.devs[i];
		size_t size = d->denied	    ? CFG_HDR
			      : !p.ext_seen ? CFG_STD
					    : CFG_EXT;
		char addr[MODEL_BDF_LEN];

		snprintf(addr, sizeof(addr), "%04x:%02x:%02x.%d", d->domain,
			 d->bus, d->dev, d->fn);
		if (d->denied && unknown &&
		    ul + strlen(addr) + 2 <= unknown_len) {
			memcpy(unknown + ul, addr, strlen(addr) + 1);
			ul += strlen(addr) + 1;
			unknown[ul] = '\0';
		}
		fprintf(out, "%s from lspci -vvnn\n", addr);
		for (size_t off = 0; off < size; off += 16) {
			fprintf(out, "%02zx:", off);
			for (size_t k = 0; k < 16; k++)
				fprintf(out, " %02x", d->cfg[off + k]);
			fputc('\n', out);
		}
		fputc('\n', out);
	}
	free(p.devs);
	if (!ret && (fflush(out) || ferror(out))) {
		snprintf(err, errlen, "%s: writing its dump failed", path);
		ret = -1;
	}
	return ret;
}

/* The record at path as a temporary dump (lspci_text.h). */
int model_lspci_text_as_dump(const char *path, char *tmp, size_t tmplen,
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
