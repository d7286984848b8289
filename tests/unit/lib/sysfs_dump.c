// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fake /sys trees from captured config space, for the model-oracle tests.
 *
 * Trees whose bus/pci/devices/X/config come from a captured `lspci -xxxx`
 * dump (tests/fixtures/lspci), as test_model.c's fake sysfs does, laid out
 * like the kernel's (devices/pci0000:00/<bridge>/<device>) so that the §9
 * checks hold, with the kernel's groups of the matching .observed file.
 * sysfs_tree.h declares and describes these.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pci/pci.h>

#include "model.h"
#include "model_util.h"
#include "pci_topo.h"
#include "sysfs_tree.h"

/* The group of an .observed file (model_util.h) holding bdf, or NULL. */
static const struct obs_group *obs_of(const struct obs *o, const char *bdf)
{
	for (size_t i = 0; i < o->nr; i++)
		for (size_t j = 0; j < o->g[i].nr; j++)
			if (!strcmp(o->g[i].bdfs[j], bdf))
				return &o->g[i];
	return NULL;
}

static void PCI_NONRET dump_pci_error(char *msg, ...)
{
	fprintf(stderr, "# libpci: %s\n", msg);
	abort();
}

static void dump_pci_quiet(char *msg, ...)
{
	(void)msg;
}

/* "pci0000:00/0000:00:02.2/0000:03:00.0/0000:04:01.0" for 04:01.0. */
static void dump_dev_path(const struct model_pci_dev *d, char *out, size_t size)
{
	const struct model_pci_dev *chain[32];
	size_t n = 0, off;

	for (const struct model_pci_dev *p = d; p && n < 32; p = p->parent)
		chain[n++] = p;
	off = snprintf(out, size, "pci%04x:%02x", (unsigned int)d->domain,
		       chain[n - 1]->bus);
	while (n-- && off < size)
		off += snprintf(out + off, size - off, "/%s", chain[n]->bdf);
}

/* Write the attributes libpci's sysfs access reads, config from the dump. */
static int dump_dev_files(const char *root, const char *dir, struct pci_dev *p)
{
	char rel[PATH_MAX + 32], text[32], path[2 * PATH_MAX + 64];
	u8 cfg[4096];
	int len = 4096;
	FILE *f;
	bool ok;

	if (!pci_read_block(p, 0, cfg, len))
		len = 256;
	if (!pci_read_block(p, 0, cfg, len))
		return -1;
	snprintf(path, sizeof(path), "%s/%s/config", root, dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	ok = fwrite(cfg, 1, len, f) == (size_t)len;
	if (fclose(f) || !ok)
		return -1;
	snprintf(rel, sizeof(rel), "%s/vendor", dir);
	snprintf(text, sizeof(text), "0x%04x\n", p->vendor_id);
	if (tree_put(root, rel, text))
		return -1;
	snprintf(rel, sizeof(rel), "%s/device", dir);
	snprintf(text, sizeof(text), "0x%04x\n", p->device_id);
	if (tree_put(root, rel, text))
		return -1;
	snprintf(rel, sizeof(rel), "%s/class", dir);
	snprintf(text, sizeof(text), "0x%06x\n",
		 (unsigned int)p->device_class << 8);
	if (tree_put(root, rel, text))
		return -1;
	/* What drivers match on (virtio-iommu's probe set, model/probe.h). */
	snprintf(rel, sizeof(rel), "%s/modalias", dir);
	snprintf(path, sizeof(path),
		 "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n", p->vendor_id,
		 p->device_id,
		 (cfg[0x0e] & 0x7f) ? 0 : cfg[0x2c] | cfg[0x2d] << 8,
		 (cfg[0x0e] & 0x7f) ? 0 : cfg[0x2e] | cfg[0x2f] << 8, cfg[0x0b],
		 cfg[0x0a], cfg[0x09]);
	if (tree_put(root, rel, path))
		return -1;
	snprintf(rel, sizeof(rel), "%s/irq", dir);
	if (tree_put(root, rel, "0\n"))
		return -1;
	snprintf(rel, sizeof(rel), "%s/resource", dir);
	return tree_put(root, rel, "");
}

/* tests/fixtures/lspci/NAME.EXT, or NULL. */
static char *lspci_fixture(const char *name, const char *ext)
{
	char *file, *r;

	if (asprintf(&file, "%s.%s", name, ext) < 0)
		return NULL;
	r = tree_fixture_in("lspci", file);
	free(file);
	return r;
}

/*
 * Build ROOT from tests/fixtures/lspci/NAME.dump with the kernel groups of
 * groups (NULL: lspci/NAME.observed) behind IOMMU iommu ("dmar0",
 * "ivhd0"; registered in class/iommu so that the suites can detect it).
 * 0, or -1 with a message on stderr.
 */
int dump_tree_build(const char *root, const char *name, const char *groups,
		    const char *iommu)
{
	char *dump = lspci_fixture(name, "dump"), err[MODEL_ERR_LEN],
	     rel[PATH_MAX], path[1024], link[PATH_MAX];
	char *obsf =
		groups ? tree_fixture(groups) : lspci_fixture(name, "observed");
	struct model_pci_topo t = {0};
	struct pci_access *acc = NULL;
	struct obs *o = obsf ? model_ut_obs_load(obsf) : NULL;
	int ret = -1;

	if (!o || !dump)
		goto out;
	/* Parents (and so the kernel's device paths) from the model's loader.
	 */
	if (model_pci_topo_load_dump(&t, dump, err, sizeof(err))) {
		fprintf(stderr, "# %s\n", err);
		goto out;
	}
	snprintf(rel, sizeof(rel), "devices/virtual/iommu/%s", iommu);
	snprintf(link, sizeof(link), "class/iommu/%s", iommu);
	if (tree_mkd(root, rel) || tree_link_rel(root, link, rel) ||
	    tree_mkd(root, "kernel/iommu_groups"))
		goto out;
	for (size_t i = 0; i < o->nr; i++) {
		if (tree_add_group(root, (int)o->g[i].id))
			goto out;
		snprintf(rel, sizeof(rel),
			 "kernel/iommu_groups/%ld/reserved_regions",
			 o->g[i].id);
		if (tree_put(root, rel, o->g[i].resv))
			goto out;
	}
	acc = pci_alloc();
	acc->error = dump_pci_error;
	acc->warning = dump_pci_quiet;
	acc->method = PCI_ACCESS_DUMP;
	pci_set_param(acc, "dump.name", dump);
	pci_init(acc);
	pci_scan_bus(acc);
	for (struct pci_dev *p = acc->devices; p; p = p->next) {
		const struct obs_group *g;
		struct model_pci_dev *d;
		char bdf[16];
		struct tdev td;

		pci_fill_info(p, PCI_FILL_IDENT | PCI_FILL_CLASS);
		snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.%d", p->domain,
			 p->bus, p->dev, p->func);
		d = model_pci_find(&t, bdf);
		if (!d)
			goto out;
		dump_dev_path(d, path, sizeof(path));
		g = obs_of(o, bdf);
		td.path = path;
		td.group = g ? (int)g->id : -1;
		snprintf(rel, sizeof(rel), "devices/%s", path);
		if (tree_add_device_to(root, &td, iommu) ||
		    dump_dev_files(root, rel, p))
			goto out;
	}
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "# building %s from %s: failed (%s)\n", root,
			name, strerror(errno));
	if (acc)
		pci_cleanup(acc);
	model_pci_topo_free(&t);
	free(dump);
	free(obsf);
	free(o);
	return ret;
}

/*
 * Move the device at ROOT/devices/PATH from group `from` to group `to`
 * (made if new): its devices/ entry and its iommu_group link.
 */
int dump_tree_move(const char *root, const char *path, int from, int to)
{
	const char *base = strrchr(path, '/') + 1;
	char rel[PATH_MAX], dev[PATH_MAX], grp[64];

	snprintf(rel, sizeof(rel), "kernel/iommu_groups/%d/devices/%s", from,
		 base);
	if (tree_rm(root, rel))
		return -1;
	snprintf(grp, sizeof(grp), "kernel/iommu_groups/%d", to);
	snprintf(rel, sizeof(rel), "%s/%s", root, grp);
	if (access(rel, F_OK) && tree_add_group(root, to))
		return -1;
	snprintf(rel, sizeof(rel), "%s/devices/%s", grp, base);
	snprintf(dev, sizeof(dev), "devices/%s", path);
	if (tree_link_rel(root, rel, dev))
		return -1;
	snprintf(rel, sizeof(rel), "devices/%s/iommu_group", path);
	return tree_link_rel(root, rel, grp);
}

/* ROOT/iog-expect: the .observed groups as an expectation file. */
int dump_tree_expect(const char *root, const char *name, const char *nogroup)
{
	char *path = lspci_fixture(name, "observed"), line[1024];
	struct obs *o = path ? model_ut_obs_load(path) : NULL;
	size_t off = 0;
	int ret = -1;
	FILE *f;

	snprintf(line, sizeof(line), "%s/iog-expect", root);
	f = fopen(line, "w");
	if (f && o) {
		for (size_t i = 0; i < o->nr; i++) {
			off = snprintf(line, sizeof(line), "group");
			for (size_t j = 0; j < o->g[i].nr; j++)
				off += snprintf(line + off, sizeof(line) - off,
						" %s", o->g[i].bdfs[j]);
			fprintf(f, "%s\n", line);
		}
		if (nogroup)
			fprintf(f, "nogroup %s\n", nogroup);
		ret = 0;
	}
	if (f && fclose(f))
		ret = -1;
	free(path);
	free(o);
	return ret;
}
