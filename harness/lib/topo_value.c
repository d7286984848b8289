// SPDX-License-Identifier: GPL-2.0-only
/*
 * Topology values: string vectors, numbers, sizes, names, BDFs and the set
 * that finds a BDF declared twice.
 */
#include "topo_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void topo_strv_free(struct topo_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

int topo_strv_add(struct topo_strv *sv, const char *s)
{
	char *d = strdup(s);
	char **v;

	if (!d)
		return -1;
	v = realloc(sv->v, (sv->n + 1) * sizeof(*v));
	if (!v) {
		free(d);
		return -1;
	}
	v[sv->n++] = d;
	sv->v = v;
	return 0;
}

__attribute__((format(printf, 2, 3))) int topo_strv_addf(struct topo_strv *sv,
							 const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -1;
	r = topo_strv_add(sv, s);
	free(s);
	return r;
}

bool topo_strv_has(const struct topo_strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], s))
			return true;
	return false;
}

static int topo_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Read 1..maxd hex digits ending at stop; returns the value or -1. */
static long topo_hexfield(const char **sp, int maxd, char stop)
{
	const char *s = *sp;
	long v = 0;
	int n = 0, d;

	while ((d = topo_hexval(*s)) >= 0) {
		if (++n > maxd)
			return -1;
		v = v * 16 + d;
		s++;
	}
	if (!n || *s != stop)
		return -1;
	*sp = s + (stop ? 1 : 0);
	return v;
}

int topo_parse_bdf(const char *s, char out[13])
{
	long dom = 0, bus, dev, fn;
	int colons = 0;

	for (const char *c = s; *c; c++)
		colons += *c == ':';
	if (colons == 2) {
		dom = topo_hexfield(&s, 4, ':');
		if (dom < 0)
			return -1;
	} else if (colons != 1) {
		return -1;
	}
	bus = topo_hexfield(&s, 2, ':');
	if (bus < 0)
		return -1;
	dev = topo_hexfield(&s, 2, '.');
	if (dev < 0 || dev > 0x1f)
		return -1;
	fn = topo_hexfield(&s, 1, '\0');
	if (fn < 0 || fn > 7)
		return -1;
	/* The masks are no-ops; they bound the output for -Wformat. */
	snprintf(out, 13, "%04x:%02x:%02x.%x", (unsigned int)dom & 0xffff,
		 (unsigned int)bus & 0xff, (unsigned int)dev & 0x1f,
		 (unsigned int)fn & 7);
	return 0;
}

uint32_t topo_bdf_key(const char *n)
{
	/* n is normalised: dddd:bb:dd.f */
	unsigned int dom, bus, dev, fn;

	if (sscanf(n, "%4x:%2x:%2x.%1x", &dom, &bus, &dev, &fn) != 4)
		return 0;
	return dom << 16 | bus << 8 | dev << 3 | fn;
}

static size_t topo_hash(uint32_t k, size_t cap)
{
	return (size_t)((k * 2654435761u) & (cap - 1));
}

/* Returns the earlier line of key, 0 if new (then added), -1 on ENOMEM. */
int topo_bdfset_add(struct topo_bdfset *s, uint32_t key, int line)
{
	size_t i;

	if ((s->n + 1) * 2 > s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 64;
		uint64_t *ns = calloc(ncap, sizeof(*ns));

		if (!ns)
			return -1;
		for (size_t j = 0; j < s->cap; j++) {
			uint64_t e = s->slot[j];

			if (!e)
				continue;
			i = topo_hash((uint32_t)((e >> 32) - 1), ncap);
			while (ns[i])
				i = (i + 1) & (ncap - 1);
			ns[i] = e;
		}
		free(s->slot);
		s->slot = ns;
		s->cap = ncap;
	}
	i = topo_hash(key, s->cap);
	while (s->slot[i]) {
		if ((uint32_t)((s->slot[i] >> 32) - 1) == key)
			return (int)(uint32_t)s->slot[i];
		i = (i + 1) & (s->cap - 1);
	}
	s->slot[i] = ((uint64_t)key + 1) << 32 | (uint32_t)line;
	s->n++;
	return 0;
}

/* Decimal in [1, max]. */
int topo_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > max / 10 || v * 10 + (unsigned)(*s - '0') > max)
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (!v)
		return -1;
	*out = v;
	return 0;
}

int topo_size(const char *s, unsigned long long *out)
{
	unsigned long long mult = 1, v = 0;
	size_t n = strlen(s);
	char digits[32];

	if (!n || n >= sizeof(digits))
		return -1;
	switch (s[n - 1]) {
	case 'K':
	case 'k':
		mult = 1ULL << 10;
		break;
	case 'M':
	case 'm':
		mult = 1ULL << 20;
		break;
	case 'G':
	case 'g':
		mult = 1ULL << 30;
		break;
	}
	if (mult != 1)
		n--;
	memcpy(digits, s, n);
	digits[n] = '\0';
	if (topo_uint(digits, TOPO_DRIVE_MAX / mult, &v))
		return -1;
	*out = v * mult;
	return 0;
}

bool topo_chars_ok(const char *s, const char *extra)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		char c = *s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || (c && strchr(extra, c)))
			continue;
		return false;
	}
	return true;
}

/* Drive, netdev and object ids: what QEMU accepts as an id, and no comma. */
bool topo_id_ok(const char *s)
{
	return ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')) &&
	       topo_chars_ok(s, "._-");
}
