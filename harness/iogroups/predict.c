// SPDX-License-Identifier: GPL-2.0-only
/*
 * iogroups predict: the model's groups for an lspci record, or compared with
 * a record of the kernel's groups (--expect).
 */
#include <stdlib.h>

#include "groups_listing.h"
#include "iogroups.h"
#include "pci_quirks.h"

/* One device as {"bdf":..,"name":..,"why":..}, after a comma unless first. */
static void json_pdev(bool first, const char *bdf, const char *name,
		      const char *why)
{
	printf("%s{\"bdf\":", first ? "" : ",");
	print_json_str(stdout, bdf);
	printf(",\"name\":");
	print_json_str(stdout, name);
	printf(",\"why\":");
	print_json_str(stdout, why);
	printf("}");
}

static void print_partition_json(const struct model_partition *p,
				 const char *kv)
{
	bool first = true;

	printf("{\"kernel\":");
	print_json_str(stdout, kv);
	printf(",\"undecidable\":%zu,\"groups\":[", nr_undecidable(p));
	for (size_t i = 0; i < p->nr; i++) {
		const struct model_pgroup *g = &p->groups[i];

		printf("%s{\"id\":%d,\"type\":", i ? "," : "", g->id);
		print_json_str(stdout, g->type);
		printf(",\"certainty\":");
		print_json_str(stdout, certainty_name(g->certainty));
		printf(",\"undecidable\":");
		print_json_str_or_null(stdout, g->undecidable);
		printf(",\"reserved_regions\":");
		print_json_resv(stdout, g->resv);
		printf(",\"devices\":[");
		for (size_t j = 0; j < g->nr; j++) {
			const struct model_pdev *d =
				model_partition_dev(p, g->bdfs[j]);

			json_pdev(!j, g->bdfs[j], d ? d->name : "",
				  d ? d->why : "");
		}
		printf("]}");
	}
	printf("],\"ungrouped\":[");
	for (size_t i = 0; i < p->nr_devs; i++) {
		if (p->devs[i].group >= 0)
			continue;
		json_pdev(first, p->devs[i].bdf, p->devs[i].name,
			  p->devs[i].why);
		first = false;
	}
	printf("]}\n");
}

static void print_partition(const struct model_partition *p, bool json,
			    unsigned int kernel)
{
	char kv[16];

	model_kernel_str(kernel, kv, sizeof(kv));
	if (json) {
		print_partition_json(p, kv);
		return;
	}
	for (size_t i = 0; i < p->nr; i++) {
		const struct model_pgroup *g = &p->groups[i];

		printf("IOMMU group %d (type %s)\n", g->id, g->type);
		if (g->undecidable)
			printf("  %s\n", g->undecidable);
		for (size_t j = 0; j < g->nr; j++) {
			const struct model_pdev *d =
				model_partition_dev(p, g->bdfs[j]);

			printf("    %s  %s\n        %s\n", g->bdfs[j],
			       d ? d->name : "", d ? d->why : "");
		}
		printf("  reserved regions:\n");
		print_resv_text(stdout, g->resv, "    ");
	}
	for (size_t i = 0; i < p->nr_devs; i++)
		if (p->devs[i].group < 0)
			printf("no group: %s  %s\n        %s\n", p->devs[i].bdf,
			       p->devs[i].name, p->devs[i].why);
	if (nr_certain(p, MODEL_UNDECIDABLE))
		printf("%zu of %zu groups cannot be decided from this input (kernel %s quirks)\n",
		       nr_certain(p, MODEL_UNDECIDABLE), p->nr, kv);
	if (nr_certain(p, MODEL_ID_UNDECIDABLE))
		printf("the IDs of %zu groups cannot be decided from this input\n",
		       nr_certain(p, MODEL_ID_UNDECIDABLE));
}

/* The reason of the first ID-undecidable group. */
static const char *first_id_why(const struct model_partition *p)
{
	for (size_t i = 0; i < p->nr; i++)
		if (p->groups[i].certainty == MODEL_ID_UNDECIDABLE)
			return p->groups[i].undecidable;
	return "";
}

/*
 * predict --expect: the prediction against a record of the kernel's groups
 * (membership and IDs; a record holds no reserved regions).  0 if equal,
 * 1 if not (the differences on stdout), EXIT_USAGE if unreadable.
 */
static int compare_listing(const struct args *a,
			   const struct model_partition *p)
{
	struct model_observed_group *obs;
	struct groups_listing l;
	char err[512], *diff = NULL;
	int n;

	if (groups_listing_load(a->expect, &l, err, sizeof(err))) {
		fprintf(stderr, "iogroups: %s\n", err);
		return EXIT_USAGE;
	}
	obs = calloc(l.nr, sizeof(*obs));
	if (!obs)
		die_oom();
	for (size_t i = 0; i < l.nr; i++)
		obs[i] = (struct model_observed_group){
			.id = l.g[i].id,
			.bdfs = (const char *const *)l.g[i].bdfs,
			.nr = l.g[i].nr,
		};
	n = model_compare(p, obs, l.nr, &diff);
	if (n < 0)
		die_oom();
	if (n)
		printf("%s: %d difference(s) from the model's prediction:\n%s",
		       a->expect, n, diff ? diff : "");
	else if (nr_certain(p, MODEL_UNDECIDABLE))
		printf("%s: equal to the model's prediction where it decides; "
		       "%zu of its %zu groups are undecidable from this input "
		       "(their devices left out)",
		       a->expect, nr_certain(p, MODEL_UNDECIDABLE), p->nr);
	else
		printf("%s: equal to the model's prediction (%zu groups, %zu "
		       "devices)",
		       a->expect, l.nr, l.devices);
	/* Membership only where the input cannot order the probes. */
	if (!n && nr_certain(p, MODEL_ID_UNDECIDABLE))
		printf("; the IDs of %zu groups not compared: %s",
		       nr_certain(p, MODEL_ID_UNDECIDABLE), first_id_why(p));
	if (!n)
		printf("\n");
	free(diff);
	free(obs);
	groups_listing_free(&l);
	return n ? 1 : 0;
}

int cmd_predict(struct args *a)
{
	struct model_partition p;
	struct model *m;
	unsigned int kernel;
	int ret = 0;

	if (!a->dump || !a->iommu) {
		fprintf(stderr,
			"iogroups: predict needs --dump FILE and --iommu KIND\n%s",
			usage_text);
		return EXIT_USAGE;
	}
	m = model_run(a, false);
	if (!m)
		return EXIT_USAGE;
	if (model_partition(m, &p))
		die_oom();
	if (kernel_of(a, &kernel))
		kernel = 0;
	if (a->expect)
		ret = compare_listing(a, &p);
	else
		print_partition(&p, a->json, kernel);
	model_partition_free(&p);
	model_free(m);
	/* Load is libpci's dump reader and pci.ids; the rest is the model. */
	if (a->times) {
		fflush(stdout);
		fprintf(stderr,
			"iogroups: times: load %.2f ms, boot %.2f ms, output %.2f ms\n",
			a->t_loaded - a->t_start, a->t_booted - a->t_loaded,
			now_ms() - a->t_booted);
	}
	return ret;
}
