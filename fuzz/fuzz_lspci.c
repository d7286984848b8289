// SPDX-License-Identifier: GPL-2.0-only
/*
 * `lspci -xxxx` dumps: libpci's dump reader and the model's reading of the
 * config space it returns (harness/model/pci_topo.c), then the whole model
 * on whatever topology that is: boot, partition, explanations, removal,
 * rescan and driver binding.  The dump reader only takes a path, so the
 * input goes through a memfd.  Properties: what the model predicts is what
 * the kernel would print (each group's reserved_regions and type pass the
 * sysfs validators), a prediction compared with itself has no difference,
 * and every device has an explanation.
 */
#include "fuzz.h"

#include "model.h"
#include "pci_topo.h"
#include "sysfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * pci.ids names are for display only, and libpci reads the whole of pci.ids
 * on every load: nearly half of each run.  This definition takes the place
 * of libpci's for the statically linked model (the model prints numbers
 * when a name is unknown anyway).
 */
struct pci_access;
char *pci_lookup_name(struct pci_access *a, char *buf, int size, int flags,
		      ...);

char *pci_lookup_name(struct pci_access *a, char *buf, int size, int flags, ...)
{
	(void)a;
	(void)flags;
	if (size > 0)
		buf[0] = 0;
	return NULL;
}

static const enum model_iommu_kind kinds[] = {
	MODEL_IOMMU_INTEL,
	MODEL_IOMMU_AMD,
	MODEL_IOMMU_VIRTIO,
};

static void check_partition(const struct model *m,
			    const struct model_partition *p)
{
	struct model_observed_group *obs;
	char err[SYSFS_ERR_LEN];
	int nd;

	obs = calloc(p->nr + 1, sizeof(*obs));
	FUZZ_ASSERT(obs, "out of memory");
	for (size_t i = 0; i < p->nr; i++) {
		const struct model_pgroup *g = &p->groups[i];
		char type[64];
		int n;

		FUZZ_ASSERT(!i || p->groups[i - 1].id < g->id,
			    "group IDs not ascending");
		FUZZ_ASSERT(!sysfs_resv_parse(g->resv, strlen(g->resv), NULL,
					      err, sizeof(err)),
			    "group %d: reserved_regions '%s': %s", g->id,
			    g->resv, err);
		n = snprintf(type, sizeof(type), "%s\n", g->type);
		FUZZ_ASSERT(n > 0 && (size_t)n < sizeof(type) &&
				    !sysfs_type_check(type, (size_t)n, err,
						      sizeof(err)),
			    "group %d: type '%s': %s", g->id, g->type, err);
		obs[i] = (struct model_observed_group){
			.id = g->id,
			.bdfs = (const char *const *)g->bdfs,
			.nr = g->nr,
			.resv = g->resv,
			.type = g->type,
		};
	}
	nd = model_compare(p, obs, p->nr, NULL);
	FUZZ_ASSERT(nd == 0, "a prediction differs from itself (%d)", nd);
	free(obs);
	for (size_t i = 0; i < p->nr_devs; i++) {
		char *why = model_explain(m, p->devs[i].bdf);

		FUZZ_ASSERT(why, "no explanation for %s", p->devs[i].bdf);
		free(why);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_file f;
	char err[MODEL_ERR_LEN];
	const struct model_pci_topo *t;
	struct model_partition p;
	struct model_opts o = {0};
	const char **bdfs;
	struct model *m;

	fuzz_selftest(data, size);
	fuzz_file_set(&f, data, size);
	if (model_load_dump(&m, f.path, err, sizeof(err))) {
		FUZZ_ASSERT(!strncmp(err, f.path, strlen(f.path)),
			    "error does not name the dump: %s", err);
		return 0;
	}
	t = model_topo(m);
	bdfs = calloc(t->nr + 1, sizeof(*bdfs));
	FUZZ_ASSERT(bdfs, "out of memory");
	for (size_t i = 0; i < t->nr; i++)
		bdfs[i] = t->boot_order[i]->bdf;

	/* One vendor per input, so that each run stays one boot. */
	o.iommu = kinds[size % 3];
	o.bound = bdfs;
	o.nr_bound = t->nr;
	if (model_boot(m, &o, err, sizeof(err)))
		goto out;
	FUZZ_ASSERT(!model_partition(m, &p), "model_partition failed");
	check_partition(m, &p);
	model_partition_free(&p);

	/* Take the first device's subtree away, rebind, and scan again. */
	if (t->nr) {
		char first[MODEL_BDF_LEN];

		memcpy(first, t->devs[0].bdf, sizeof(first));
		model_driver_unbind(m, t->devs[t->nr - 1].bdf);
		model_driver_bind(m, t->devs[t->nr - 1].bdf);
		FUZZ_ASSERT(!model_remove_device(m, first), "remove %s", first);
		FUZZ_ASSERT(!model_rescan(m, size & 1), "rescan failed");
		FUZZ_ASSERT(!model_partition(m, &p), "model_partition failed");
		check_partition(m, &p);
		model_partition_free(&p);
	}
out:
	free(bdfs);
	model_free(m);
	return 0;
}
