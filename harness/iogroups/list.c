// SPDX-License-Identifier: GPL-2.0-only
/*
 * iogroups list: the kernel's groups as sysfs shows them (the kernel's view
 * that explain and check use too).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "iogroups.h"
#include "pci_names.h"
#include "pci_topo.h"

static int cmp_kdev(const void *a, const void *b)
{
	return strcmp(((const struct kdev *)a)->name,
		      ((const struct kdev *)b)->name);
}

static int cmp_kgroup(const void *a, const void *b)
{
	const struct kgroup *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* A PCI device's pci.ids name from its sysfs vendor/device attributes. */
static char *pci_label(const char *root, const char *name)
{
	char path[PATH_MAX], buf[256];
	unsigned int v, d;
	char *vs, *ds;

	pathf(path, sizeof(path), "%s/bus/pci/devices/%s/vendor", root, name);
	vs = read_file(path);
	pathf(path, sizeof(path), "%s/bus/pci/devices/%s/device", root, name);
	ds = read_file(path);
	if (!vs || !ds || sscanf(vs, "%x", &v) != 1 ||
	    sscanf(ds, "%x", &d) != 1) {
		free(vs);
		free(ds);
		return xstrdup("");
	}
	free(vs);
	free(ds);
	return xstrdup(
		model_pci_name((uint16_t)v, (uint16_t)d, buf, sizeof(buf)));
}

void kview_free(struct kview *k)
{
	for (size_t i = 0; i < k->nr; i++) {
		for (size_t j = 0; j < k->g[i].nr; j++) {
			free(k->g[i].devs[j].name);
			free(k->g[i].devs[j].label);
		}
		free(k->g[i].devs);
		free(k->g[i].resv);
		free(k->g[i].type);
	}
	free(k->g);
	memset(k, 0, sizeof(*k));
}

/* ROOT/kernel/iommu_groups; 0, or -1 with a message on stderr. */
int kview_read(const char *root, struct kview *k)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *e;
	DIR *d;

	memset(k, 0, sizeof(*k));
	d = pathf(dir, sizeof(dir), "%s/kernel/iommu_groups", root)
		    ? NULL
		    : opendir(dir);
	if (!d) {
		fprintf(stderr, "iogroups: %s: %s%s\n", dir, strerror(errno),
			errno == ENOENT
				? " (kernel built without CONFIG_IOMMU_API?)"
				: "");
		return -1;
	}
	while ((e = readdir(d))) {
		struct kgroup g = {0};
		DIR *dd;

		if (!all_digits(e->d_name))
			continue;
		g.id = strtol(e->d_name, NULL, 10);
		pathf(path, sizeof(path), "%s/%s/devices", dir, e->d_name);
		dd = opendir(path);
		if (!dd) {
			fprintf(stderr, "iogroups: %s: %s\n", path,
				strerror(errno));
			closedir(d);
			kview_free(k);
			return -1;
		}
		for (struct dirent *m; (m = readdir(dd));) {
			if (m->d_name[0] == '.')
				continue;
			g.devs = xrealloc(g.devs, (g.nr + 1) * sizeof(*g.devs));
			g.devs[g.nr].name = xstrdup(m->d_name);
			g.devs[g.nr].label = pci_label(root, m->d_name);
			g.nr++;
		}
		closedir(dd);
		if (g.nr)
			qsort(g.devs, g.nr, sizeof(*g.devs), cmp_kdev);
		pathf(path, sizeof(path), "%s/%s/reserved_regions", dir,
		      e->d_name);
		g.resv = read_file(path);
		pathf(path, sizeof(path), "%s/%s/type", dir, e->d_name);
		g.type = read_file(path);
		if (g.type)
			g.type[strcspn(g.type, "\n")] = '\0';
		k->g = xrealloc(k->g, (k->nr + 1) * sizeof(*k->g));
		k->g[k->nr++] = g;
	}
	closedir(d);
	if (k->nr)
		qsort(k->g, k->nr, sizeof(*k->g), cmp_kgroup);
	return 0;
}

const struct kgroup *kview_find(const struct kview *k, const char *bdf)
{
	for (size_t i = 0; i < k->nr; i++)
		for (size_t j = 0; j < k->g[i].nr; j++)
			if (!strcmp(k->g[i].devs[j].name, bdf))
				return &k->g[i];
	return NULL;
}

int cmd_list(const struct args *a)
{
	struct kview k;

	if (kview_read(root_of(a), &k))
		return EXIT_USAGE;
	if (a->json) {
		printf("{\"groups\":[");
		for (size_t i = 0; i < k.nr; i++) {
			const struct kgroup *g = &k.g[i];

			printf("%s{\"id\":%ld,\"type\":", i ? "," : "", g->id);
			print_json_str_or_null(stdout, g->type);
			printf(",\"reserved_regions\":");
			print_json_resv(stdout, g->resv);
			printf(",\"devices\":[");
			for (size_t j = 0; j < g->nr; j++) {
				printf("%s{\"bdf\":", j ? "," : "");
				print_json_str(stdout, g->devs[j].name);
				printf(",\"name\":");
				print_json_str(stdout, g->devs[j].label);
				printf("}");
			}
			printf("]}");
		}
		printf("]}\n");
	} else if (!k.nr) {
		printf("no IOMMU groups in %s/kernel/iommu_groups\n",
		       root_of(a));
	}
	for (size_t i = 0; !a->json && i < k.nr; i++) {
		const struct kgroup *g = &k.g[i];

		printf("IOMMU group %ld (type %s)\n", g->id,
		       g->type ? g->type : "?");
		for (size_t j = 0; j < g->nr; j++)
			printf("    %s  %s\n", g->devs[j].name,
			       g->devs[j].label);
		printf("  reserved regions:\n");
		print_resv_text(stdout, g->resv, "    ");
	}
	kview_free(&k);
	return 0;
}
