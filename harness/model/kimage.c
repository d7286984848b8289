// SPDX-License-Identifier: GPL-2.0-only
/*
 * Built-in PCI drivers' ID tables from a vmlinux image (kimage.h).
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kimage.h"

/* struct pci_device_id on a 64-bit kernel: six u32, a kernel_ulong_t, a u32. */
#define ID_SIZE 40
#define ID_OVERRIDE_ONLY 32
/* More entries than any driver has: a runaway table is not one. */
#define ID_MAX 4096
#define NAME_MAX_LEN 64
/* name, id_table, probe, remove, suspend, resume, shutdown */
#define DRV_PTRS 7

struct ksec {
	uint64_t addr, size, off;
	bool exec;
};

struct kimg {
	const unsigned char *img;
	size_t len;
	struct ksec *sec;
	size_t nr;
	uint64_t lo, hi; /* the span of all sections */
};

static uint64_t rd64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* The section holding [va, va + n), or NULL. */
static const struct ksec *sec_of(const struct kimg *k, uint64_t va, size_t n)
{
	if (va < k->lo || va >= k->hi)
		return NULL;
	for (size_t i = 0; i < k->nr; i++) {
		const struct ksec *s = &k->sec[i];

		if (va >= s->addr && va - s->addr < s->size &&
		    n <= s->size - (va - s->addr))
			return s;
	}
	return NULL;
}

static const unsigned char *at(const struct kimg *k, uint64_t va, size_t n,
			       bool exec)
{
	const struct ksec *s = sec_of(k, va, n);

	if (!s || s->exec != exec)
		return NULL;
	return k->img + s->off + (va - s->addr);
}

/* A driver name: 1 to 63 printable characters, NUL-terminated. */
static const char *name_at(const struct kimg *k, uint64_t va)
{
	const struct ksec *s = sec_of(k, va, 1);
	const unsigned char *p;
	uint64_t room;

	if (!s || s->exec)
		return NULL;
	p = k->img + s->off + (va - s->addr);
	room = s->size - (va - s->addr);
	for (uint64_t i = 0; i < room && i < NAME_MAX_LEN; i++) {
		if (!p[i])
			return i ? (const char *)p : NULL;
		if (p[i] <= ' ' || p[i] > '~')
			return NULL;
	}
	return NULL;
}

static bool field_ok(uint32_t v)
{
	return v <= 0xffff || v == MODEL_PCI_ANY_ID;
}

/*
 * The entries of the table at va, as pci_match_id() walks them (it stops
 * at vendor, subvendor and class_mask all zero).  The count, or -1 if it
 * is not such a table.
 */
static long table_at(const struct kimg *k, uint64_t va,
		     struct model_pci_id *out)
{
	for (long n = 0; n < ID_MAX; n++) {
		const unsigned char *e =
			at(k, va + (uint64_t)n * ID_SIZE, ID_SIZE, false);
		struct model_pci_id id;
		uint32_t oo;

		if (!e)
			return -1;
		id.vendor = rd32(e);
		id.device = rd32(e + 4);
		id.subvendor = rd32(e + 8);
		id.subdevice = rd32(e + 12);
		id.class = rd32(e + 16);
		id.class_mask = rd32(e + 20);
		oo = rd32(e + ID_OVERRIDE_ONLY);
		if (!id.vendor && !id.subvendor && !id.class_mask)
			return n ? n : -1;
		if (!field_ok(id.vendor) || !field_ok(id.device) ||
		    !field_ok(id.subvendor) || !field_ok(id.subdevice) ||
		    id.class > 0xffffff ||
		    (id.class_mask > 0xffffff &&
		     id.class_mask != MODEL_PCI_ANY_ID) ||
		    oo > 1 || rd32(e + ID_OVERRIDE_ONLY + 4))
			return -1;
		id.override_only = oo;
		if (out)
			out[n] = id;
	}
	return -1;
}

/* A struct pci_driver at p: the driver's name and table, or false. */
static bool driver_at(const struct kimg *k, const unsigned char *p,
		      const char **name, uint64_t *table, long *nr)
{
	uint64_t v[DRV_PTRS];

	for (int i = 0; i < DRV_PTRS; i++)
		v[i] = rd64(p + 8 * i);
	/* probe is code; remove..shutdown are code or NULL. */
	if (!at(k, v[2], 1, true))
		return false;
	for (int i = 3; i < DRV_PTRS; i++)
		if (v[i] && !at(k, v[i], 1, true))
			return false;
	*name = name_at(k, v[0]);
	if (!*name)
		return false;
	*nr = table_at(k, v[1], NULL);
	*table = v[1];
	return *nr > 0;
}

int model_kimage_pci_drivers(const unsigned char *img, size_t len,
			     model_kimage_fn fn, void *data, char *err,
			     size_t errlen)
{
	struct kimg k = {.img = img, .len = len, .lo = UINT64_MAX};
	const Elf64_Ehdr *eh = (const void *)img;
	struct model_pci_id *ids = NULL;
	int found = 0;

	if (len < sizeof(*eh) || memcmp(img, ELFMAG, SELFMAG) ||
	    img[EI_CLASS] != ELFCLASS64 || img[EI_DATA] != ELFDATA2LSB) {
		snprintf(err, errlen,
			 "not a 64-bit little-endian ELF image (vmlinux)");
		return -1;
	}
	if (eh->e_shentsize != sizeof(Elf64_Shdr) || !eh->e_shnum ||
	    eh->e_shoff > len ||
	    (len - eh->e_shoff) / sizeof(Elf64_Shdr) < eh->e_shnum) {
		snprintf(err, errlen, "ELF section headers out of bounds");
		return -1;
	}
	k.sec = calloc(eh->e_shnum, sizeof(*k.sec));
	ids = calloc(ID_MAX, sizeof(*ids));
	if (!k.sec || !ids) {
		snprintf(err, errlen, "out of memory");
		found = -1;
		goto out;
	}
	for (size_t i = 0; i < eh->e_shnum; i++) {
		Elf64_Shdr sh;

		memcpy(&sh, img + eh->e_shoff + i * sizeof(sh), sizeof(sh));
		if (sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_ALLOC) ||
		    !sh.sh_addr || !sh.sh_size || sh.sh_offset > len ||
		    sh.sh_size > len - sh.sh_offset)
			continue;
		k.sec[k.nr++] = (struct ksec){
			.addr = sh.sh_addr,
			.size = sh.sh_size,
			.off = sh.sh_offset,
			.exec = sh.sh_flags & SHF_EXECINSTR,
		};
		if (sh.sh_addr < k.lo)
			k.lo = sh.sh_addr;
		if (sh.sh_addr + sh.sh_size > k.hi)
			k.hi = sh.sh_addr + sh.sh_size;
	}
	/* Drivers live in data; look at every aligned slot of it. */
	for (size_t i = 0; i < k.nr; i++) {
		const struct ksec *s = &k.sec[i];

		if (s->exec || s->addr % 8)
			continue;
		for (uint64_t o = 0; o + 8 * DRV_PTRS <= s->size; o += 8) {
			const char *name;
			uint64_t table;
			long nr;

			if (!driver_at(&k, img + s->off + o, &name, &table,
				       &nr))
				continue;
			table_at(&k, table, ids);
			found++;
			if (fn(name, ids, nr, data)) {
				snprintf(err, errlen, "stopped at driver %s",
					 name);
				found = -1;
				goto out;
			}
		}
	}
out:
	free(k.sec);
	free(ids);
	return found;
}

/* One class byte: exact, '*', or per hex digit exact/'?'/[set]. */
static int class_byte(char *buf, size_t len, uint8_t v, uint8_t m)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	if (m == 0xff)
		return snprintf(buf, len, "%02X", v);
	if (!m)
		return snprintf(buf, len, "*");
	for (int shift = 4; shift >= 0; shift -= 4) {
		unsigned int dm = m >> shift & 0xf, dv = v >> shift & 0xf;
		char set[20];
		size_t k = 0;

		if (dm == 0xf) {
			set[k++] = hex[dv];
		} else if (!dm) {
			set[k++] = '?';
		} else {
			set[k++] = '[';
			for (unsigned int h = 0; h < 16; h++)
				if ((h & dm) == (dv & dm))
					set[k++] = hex[h];
			set[k++] = ']';
		}
		if (n + k >= len)
			return (int)(n + k);
		memcpy(buf + n, set, k);
		n += k;
	}
	buf[n] = '\0';
	return (int)n;
}

int model_pci_id_alias(const struct model_pci_id *id, char *buf, size_t len)
{
	const uint32_t f[4] = {id->vendor, id->device, id->subvendor,
			       id->subdevice};
	static const char *const tag[4] = {"v", "d", "sv", "sd"};
	static const char *const ctag[3] = {"bc", "sc", "i"};
	size_t n = 0;
	int w;

	w = snprintf(buf, len, "pci:");
	if (w < 0 || (size_t)w >= len)
		return -1;
	n += w;
	for (int i = 0; i < 4; i++) {
		if (f[i] == MODEL_PCI_ANY_ID)
			w = snprintf(buf + n, len - n, "%s*", tag[i]);
		else
			w = snprintf(buf + n, len - n, "%s%08X", tag[i], f[i]);
		if (w < 0 || (size_t)w >= len - n)
			return -1;
		n += w;
	}
	for (int i = 0; i < 3; i++) {
		int shift = 16 - 8 * i;

		w = snprintf(buf + n, len - n, "%s", ctag[i]);
		if (w < 0 || (size_t)w >= len - n)
			return -1;
		n += w;
		w = class_byte(buf + n, len - n, id->class >> shift & 0xff,
			       id->class_mask >> shift & 0xff);
		if (w < 0 || (size_t)w >= len - n)
			return -1;
		n += w;
	}
	return 0;
}
