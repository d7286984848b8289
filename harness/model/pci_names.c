// SPDX-License-Identifier: GPL-2.0-only
/*
 * IDs to pci.ids names and names back to IDs (pci_names.h).  Going back,
 * libpci is asked the question lspci asked for every candidate ID, and
 * the IDs whose answer is the printed text are kept: a text no ID gives
 * (a pci.ids older than the record's) or that two IDs give (a name
 * repeated in pci.ids) names nothing, and the caller says so.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pci/pci.h>

#include "pci_names.h"

#define NAME_LEN 256

static struct pci_access *acc;

static void PCI_NONRET names_error(char *msg, ...)
{
	va_list ap;

	/* Only pci.ids can be wrong here: no input of ours reaches libpci. */
	fprintf(stderr, "libpci: ");
	va_start(ap, msg);
	vfprintf(stderr, msg, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void names_quiet(char *msg, ...)
{
	(void)msg; /* a missing pci.ids: every name is then numeric */
}

/* A named ID and its name, in the tables built for the reverse lookup. */
struct named {
	uint16_t id;
	char *name;
};

struct table {
	struct named *rows;
	size_t nr;
	bool built;
};

static struct table vendors, classes;
static struct table *devices; /* per vendor ID, built on first use */

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->nr; i++)
		free(t->rows[i].name);
	free(t->rows);
	*t = (struct table){0};
}

static void names_cleanup(void)
{
	table_free(&vendors);
	table_free(&classes);
	for (size_t v = 0; devices && v < 0x10000; v++)
		table_free(&devices[v]);
	free(devices);
	devices = NULL;
	if (acc)
		pci_cleanup(acc);
	acc = NULL;
}

static struct pci_access *names(void)
{
	if (!acc) {
		acc = pci_alloc();
		acc->error = names_error;
		acc->warning = names_quiet;
		acc->debug = names_quiet;
		atexit(names_cleanup);
	}
	return acc;
}

const char *model_pci_name(uint16_t vendor, uint16_t device, char *buf,
			   size_t len)
{
	const char *n = pci_lookup_name(names(), buf, (int)len,
					PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE |
						PCI_LOOKUP_NO_HWDB,
					vendor, device);

	return n ? n : "";
}

static void table_add(struct table *t, uint16_t id, const char *name)
{
	struct named *m = realloc(t->rows, (t->nr + 1) * sizeof(*m));
	char *s = strdup(name);

	if (!m || !s) {
		fprintf(stderr, "iogroups: out of memory\n");
		exit(2);
	}
	t->rows = m;
	t->rows[t->nr++] = (struct named){id, s};
}

/* Every ID of a kind that pci.ids names: lookup(id) is NULL or its name. */
static void table_build(struct table *t,
			const char *(*lookup)(unsigned int id, char *buf,
					      size_t len, const void *arg),
			const void *arg)
{
	char buf[NAME_LEN];

	if (t->built)
		return;
	t->built = true;
	for (unsigned int id = 0; id < 0x10000; id++) {
		const char *n = lookup(id, buf, sizeof(buf), arg);

		if (n)
			table_add(t, (uint16_t)id, n);
	}
}

#define STRICT (PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB)

static const char *vendor_name(unsigned int id, char *buf, size_t len,
			       const void *arg)
{
	(void)arg;
	return pci_lookup_name(names(), buf, (int)len,
			       PCI_LOOKUP_VENDOR | STRICT, id);
}

static const char *device_name(unsigned int id, char *buf, size_t len,
			       const void *arg)
{
	return pci_lookup_name(names(), buf, (int)len,
			       PCI_LOOKUP_DEVICE | STRICT,
			       *(const unsigned int *)arg, id);
}

/* Subclass names only: a class known by its base alone prints "[cccc]". */
static const char *class_name(unsigned int id, char *buf, size_t len,
			      const void *arg)
{
	const char *n;

	(void)arg;
	n = pci_lookup_name(names(), buf, (int)len, PCI_LOOKUP_CLASS | STRICT,
			    id);
	return n && !strchr(n, '[') ? n : NULL;
}

/* Why-strings of the lookups: none, or how many IDs a name stands for. */
static int resolved(size_t found, const char *text, const char *what, char *why,
		    size_t whylen)
{
	if (found == 1)
		return 0;
	if (!found)
		snprintf(why, whylen, "\"%s\" names no %s in this pci.ids",
			 text, what);
	else
		snprintf(why, whylen, "\"%s\" names %zu %ss in pci.ids", text,
			 found, what);
	return -1;
}

/* "hhhh" exactly (4 hex digits, then end of string or end char). */
static bool hex4(const char *s, char end, unsigned int *v)
{
	for (int i = 0; i < 4; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	if (s[4] != end)
		return false;
	*v = (unsigned int)strtoul(s, NULL, 16);
	return true;
}

int model_pci_class_of(const char *text, uint16_t *class, char *why,
		       size_t whylen)
{
	size_t n = strlen(text), found = 0;
	unsigned int v;

	/* "Class 0c80", "Serial bus controller [0c80]": numbers printed. */
	if (!strncmp(text, "Class ", 6) && hex4(text + 6, '\0', &v)) {
		*class = (uint16_t)v;
		return 0;
	}
	if (n >= 7 && !strncmp(text + n - 7, " [", 2) &&
	    hex4(text + n - 5, ']', &v)) {
		*class = (uint16_t)v;
		return 0;
	}
	table_build(&classes, class_name, NULL);
	for (size_t i = 0; i < classes.nr; i++)
		if (!strcmp(classes.rows[i].name, text)) {
			*class = classes.rows[i].id;
			found++;
		}
	return resolved(found, text, "class", why, whylen);
}

/* The IDs a text may stand for, as they are found. */
struct found {
	struct model_pci_id *ids;
	size_t max, nr;
};

static void found_add(struct found *f, uint16_t a, uint16_t b)
{
	if (f->nr < f->max)
		f->ids[f->nr] = (struct model_pci_id){a, b};
	f->nr++;
}

/* Adds to f the IDs (vendor:b) whose text after the vendor's name is rest. */
typedef void (*rest_fn)(uint16_t vendor, const char *rest, struct found *f,
			const void *arg);

/* The IDs whose text is "VENDOR REST", or the numbers lspci printed. */
static void by_vendor(const char *text, rest_fn rest, const void *arg,
		      struct found *f)
{
	unsigned int v, d;

	/* Neither name known: "Device 8086:1234". */
	if (!strncmp(text, "Device ", 7) && hex4(text + 7, ':', &v) &&
	    hex4(text + 12, '\0', &d)) {
		found_add(f, (uint16_t)v, (uint16_t)d);
		return;
	}
	table_build(&vendors, vendor_name, NULL);
	for (size_t i = 0; i < vendors.nr; i++) {
		const struct named *vn = &vendors.rows[i];
		size_t len = strlen(vn->name);

		if (strncmp(text, vn->name, len) || text[len] != ' ')
			continue;
		/* Vendor known, device not: "Intel Corporation Device 1234". */
		if (!strncmp(text + len + 1, "Device ", 7) &&
		    hex4(text + len + 8, '\0', &d))
			found_add(f, vn->id, (uint16_t)d);
		else
			rest(vn->id, text + len + 1, f, arg);
	}
}

static void device_rest(uint16_t vendor, const char *rest, struct found *f,
			const void *arg)
{
	struct table *t;
	unsigned int v = vendor;

	(void)arg;
	if (!devices) {
		devices = calloc(0x10000, sizeof(*devices));
		if (!devices) {
			fprintf(stderr, "iogroups: out of memory\n");
			exit(2);
		}
	}
	t = &devices[vendor];
	table_build(t, device_name, &v);
	for (size_t i = 0; i < t->nr; i++)
		if (!strcmp(t->rows[i].name, rest))
			found_add(f, vendor, t->rows[i].id);
}

size_t model_pci_ids_of(const char *text, struct model_pci_id *ids, size_t max,
			char *why, size_t whylen)
{
	struct found f = {ids, max, 0};

	by_vendor(text, device_rest, NULL, &f);
	if (!f.nr)
		resolved(0, text, "vendor:device", why, whylen);
	return f.nr;
}

/* The device whose subsystem is looked for. */
struct subsys_arg {
	uint16_t vendor, device;
};

static void subsys_rest(uint16_t subvendor, const char *rest, struct found *f,
			const void *arg)
{
	const struct subsys_arg *s = arg;
	char buf[NAME_LEN];

	for (unsigned int sd = 0; sd < 0x10000; sd++) {
		const char *n = pci_lookup_name(
			names(), buf, sizeof(buf),
			PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_DEVICE | STRICT,
			s->vendor, s->device, subvendor, sd);

		if (n && !strcmp(n, rest))
			found_add(f, subvendor, (uint16_t)sd);
	}
}

int model_pci_subsys_of(const char *text, uint16_t vendor, uint16_t device,
			uint16_t *subvendor, uint16_t *subdevice, char *why,
			size_t whylen)
{
	struct subsys_arg arg = {vendor, device};
	struct model_pci_id id;
	struct found f = {&id, 1, 0};

	by_vendor(text, subsys_rest, &arg, &f);
	*subvendor = id.a;
	*subdevice = id.b;
	return resolved(f.nr, text, "subsystem", why, whylen);
}
