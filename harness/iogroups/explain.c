// SPDX-License-Identifier: GPL-2.0-only
/*
 * iogroups explain: why a device is in its group, beside the kernel's group
 * on a live system.
 */
#include <stdlib.h>
#include <string.h>

#include "iogroups.h"
#include "pci_topo.h"

int cmd_explain(struct args *a)
{
	struct model_partition p;
	const struct model_pdev *d;
	struct kview k = {0};
	bool have_k = false;
	struct model *m;
	char *text;

	if (!a->bdf) {
		fprintf(stderr, "iogroups: explain needs a BDF\n%s",
			usage_text);
		return EXIT_USAGE;
	}
	m = model_run(a, true);
	if (!m)
		return EXIT_USAGE;
	if (model_partition(m, &p))
		die_oom();
	d = model_partition_dev(&p, a->bdf);
	if (!d) {
		fprintf(stderr, "iogroups: %s: no such PCI device in %s\n",
			a->bdf, model_topo(m)->source);
		model_partition_free(&p);
		model_free(m);
		return EXIT_USAGE;
	}
	/* Live: show the kernel's group beside the model's reasoning. */
	if (!a->dump && !kview_read(root_of(a), &k))
		have_k = true;
	const struct kgroup *kg = have_k ? kview_find(&k, d->bdf) : NULL;
	const struct model_pgroup *g = model_partition_group(&p, d->group);

	if (a->json) {
		printf("{\"bdf\":");
		print_json_str(stdout, d->bdf);
		printf(",\"name\":");
		print_json_str(stdout, d->name);
		if (g)
			printf(",\"group\":%d", g->id);
		else
			printf(",\"group\":null");
		printf(",\"why\":");
		print_json_str(stdout, d->why);
		printf(",\"undecidable\":");
		print_json_str_or_null(stdout, g ? g->undecidable : NULL);
		printf(",\"members\":[");
		for (size_t i = 0; g && i < g->nr; i++) {
			const struct model_pdev *o =
				model_partition_dev(&p, g->bdfs[i]);

			printf("%s{\"bdf\":", i ? "," : "");
			print_json_str(stdout, g->bdfs[i]);
			printf(",\"why\":");
			print_json_str(stdout, o ? o->why : "");
			printf("}");
		}
		printf("]");
		if (have_k) {
			printf(",\"kernel_group\":");
			if (kg) {
				printf("{\"id\":%ld,\"devices\":[", kg->id);
				for (size_t i = 0; i < kg->nr; i++) {
					printf("%s", i ? "," : "");
					print_json_str(stdout,
						       kg->devs[i].name);
				}
				printf("]}");
			} else {
				printf("null");
			}
		}
		printf("}\n");
	} else {
		text = model_explain(m, d->bdf);
		if (!text)
			die_oom();
		fputs(text, stdout);
		free(text);
		if (have_k && kg) {
			printf("  kernel: group %ld:", kg->id);
			for (size_t i = 0; i < kg->nr; i++)
				printf(" %s", kg->devs[i].name);
			printf("\n");
		} else if (have_k) {
			printf("  kernel: no group\n");
		}
	}
	kview_free(&k);
	model_partition_free(&p);
	model_free(m);
	return 0;
}
