// SPDX-License-Identifier: GPL-2.0-only
/*
 * iogroups model runs: the IOMMU kind, bound devices and kernel version
 * chosen, the model loaded and booted for explain, check and predict.
 */
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iogroups.h"
#include "pci_quirks.h"
#include "pci_topo.h"

/* IOMMU kind from ROOT/class/iommu names: dmar* (VT-d), ivhd* (AMD-Vi). */
static int detect_iommu(const char *root, enum model_iommu_kind *kind)
{
	return model_iommu_kind_detect(root, kind, NULL, 0);
}

/* Devices with a driver link, in BDF order (the probe order is unknown). */
static void live_bound(const char *root, struct args *a)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent **list;
	int n;

	pathf(dir, sizeof(dir), "%s/bus/pci/devices", root);
	n = scandir(dir, &list, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		pathf(path, sizeof(path), "%s/%s/driver", dir, list[i]->d_name);
		if (list[i]->d_name[0] != '.' && !access(path, F_OK)) {
			a->bound = xrealloc(a->bound,
					    (a->nr_bound + 1) * sizeof(char *));
			a->bound[a->nr_bound++] = xstrdup(list[i]->d_name);
		}
		free(list[i]);
	}
	if (n >= 0)
		free(list);
}

/*
 * The kernel whose quirks apply: --kernel, else the running one when the
 * input is this machine's /sys, else the model's default.  0, or -1 after
 * a message.
 */
int kernel_of(const struct args *a, unsigned int *kernel)
{
	*kernel = 0;
	if (a->kernel) {
		if (!model_kernel_parse(a->kernel, kernel))
			return 0;
		fprintf(stderr,
			"iogroups: --kernel '%s': want a version such as 6.1 or 6.12\n",
			a->kernel);
		return -1;
	}
	if (!a->dump && !strcmp(root_of(a), "/sys") &&
	    model_kernel_running(kernel))
		*kernel = 0;
	return 0;
}

/* Load, choose the vendor, boot.  NULL after a message on stderr. */
struct model *model_run(struct args *a, bool need_kind_live)
{
	struct model_opts o = {0};
	char err[MODEL_ERR_LEN];
	struct model *m;

	if (kernel_of(a, &o.kernel))
		return NULL;
	if (a->iommu) {
		if (model_iommu_kind_parse(a->iommu, &o.iommu)) {
			fprintf(stderr,
				"iogroups: unknown IOMMU kind '%s' (intel, amd, virtio)\n",
				a->iommu);
			return NULL;
		}
	} else if (a->dump || !need_kind_live ||
		   detect_iommu(root_of(a), &o.iommu)) {
		fprintf(stderr,
			"iogroups: cannot tell the IOMMU kind%s%s%s: pass --iommu intel|amd|virtio\n",
			a->dump ? "" : " from ", a->dump ? "" : root_of(a),
			a->dump ? "" : "/class/iommu");
		return NULL;
	}
	if (o.iommu == MODEL_IOMMU_VIRTIO && !a->bound_given && !a->dump)
		live_bound(root_of(a), a);
	o.bound = (const char *const *)a->bound;
	o.nr_bound = a->nr_bound;
	o.default_domain_type = a->domain_type;

	a->t_start = now_ms();
	if (a->dump ? model_load_dump(&m, a->dump, err, sizeof(err))
		    : model_load_live(&m, a->sysfs, err, sizeof(err))) {
		fprintf(stderr, "iogroups: %s\n", err);
		return NULL;
	}
	a->t_loaded = now_ms();
	if (model_boot(m, &o, err, sizeof(err))) {
		fprintf(stderr, "iogroups: %s\n", err);
		model_free(m);
		return NULL;
	}
	a->t_booted = now_ms();
	return m;
}

const char *certainty_name(enum model_certainty c)
{
	switch (c) {
	case MODEL_DECIDED:
		break;
	case MODEL_ID_UNDECIDABLE:
		return "id-undecidable";
	case MODEL_UNDECIDABLE:
		return "undecidable";
	}
	return "decided";
}

size_t nr_certain(const struct model_partition *p, enum model_certainty c)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nr; i++)
		n += p->groups[i].certainty == c;
	return n;
}

size_t nr_undecidable(const struct model_partition *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nr; i++)
		n += p->groups[i].certainty != MODEL_DECIDED;
	return n;
}
