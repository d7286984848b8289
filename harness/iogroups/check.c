// SPDX-License-Identifier: GPL-2.0-only
/*
 * iogroups check: the model's groups against the running kernel's.
 */
#include <stdlib.h>

#include "iogroups.h"

int cmd_check(struct args *a)
{
	struct model_observed_group *obs;
	struct model_partition p;
	struct kview k;
	struct model *m;
	char *diff = NULL;
	int n;

	if (a->dump) {
		fprintf(stderr,
			"iogroups: check compares with the running kernel; use predict for a dump\n");
		return EXIT_USAGE;
	}
	m = model_run(a, true);
	if (!m)
		return EXIT_USAGE;
	if (kview_read(root_of(a), &k)) {
		model_free(m);
		return EXIT_USAGE;
	}
	if (model_partition(m, &p))
		die_oom();
	obs = calloc(k.nr ? k.nr : 1, sizeof(*obs));
	if (!obs)
		die_oom();
	for (size_t i = 0; i < k.nr; i++) {
		const char **v = calloc(k.g[i].nr ? k.g[i].nr : 1, sizeof(*v));

		if (!v)
			die_oom();
		for (size_t j = 0; j < k.g[i].nr; j++)
			v[j] = k.g[i].devs[j].name;
		obs[i].id = k.g[i].id;
		obs[i].bdfs = v;
		obs[i].nr = k.g[i].nr;
		obs[i].resv = a->groups_only ? NULL : k.g[i].resv;
		obs[i].type = a->groups_only ? NULL : k.g[i].type;
	}
	n = model_compare(&p, obs, k.nr, &diff);
	if (n < 0)
		die_oom();
	if (a->json) {
		printf("{\"iommu\":");
		print_json_str(stdout, a->iommu ? a->iommu : "detected");
		printf(",\"model_groups\":%zu,\"kernel_groups\":%zu,\"differences\":%d,\"undecidable\":%zu,\"undecidable_groups\":[",
		       p.nr, k.nr, n, nr_undecidable(&p));
		for (size_t i = 0, c = 0; i < p.nr; i++) {
			const struct model_pgroup *g = &p.groups[i];

			if (g->certainty == MODEL_DECIDED)
				continue;
			printf("%s{\"id\":%d,\"certainty\":", c++ ? "," : "",
			       g->id);
			print_json_str(stdout, certainty_name(g->certainty));
			printf(",\"devices\":[");
			for (size_t j = 0; j < g->nr; j++) {
				printf("%s", j ? "," : "");
				print_json_str(stdout, g->bdfs[j]);
			}
			printf("],\"why\":");
			print_json_str(stdout, g->undecidable);
			printf("}");
		}
		printf("],\"report\":");
		print_json_str(stdout, diff);
		printf("}\n");
	} else if (n) {
		printf("model and kernel differ (%d difference%s):\n%s", n,
		       n == 1 ? "" : "s", diff);
	} else if (nr_undecidable(&p)) {
		/* Not a deviation: the input lacks what would decide them. */
		printf("ok: the kernel agrees with every group the model can decide; %zu of its %zu groups cannot be decided from the input and were not compared:\n%s",
		       nr_undecidable(&p), p.nr, diff);
	} else {
		printf("ok: the kernel's %zu groups are the model's\n", k.nr);
	}
	free(diff);
	for (size_t i = 0; i < k.nr; i++)
		free((void *)obs[i].bdfs);
	free(obs);
	kview_free(&k);
	model_partition_free(&p);
	model_free(m);
	return n ? EXIT_DIFF : 0;
}
