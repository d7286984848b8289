// SPDX-License-Identifier: GPL-2.0-only
/*
 * iogroups quirks: the kernel's grouping quirks the model applies for one
 * kernel version.
 */
#include <string.h>

#include "iogroups.h"
#include "pci_quirks.h"

/* The quirk rows that apply to one kernel version, and how many. */
int cmd_quirks(const struct args *a)
{
	size_t nr, n = 0, n_acs = 0;
	const struct model_quirk *q = model_quirks(&nr);
	char kv[16], col[16], ids[96], effect[200], kernels[16];
	unsigned int kernel;

	if (kernel_of(a, &kernel))
		return EXIT_USAGE;
	model_kernel_str(kernel, kv, sizeof(kv));
	snprintf(col, sizeof(col), "%s",
		 model_kernel_column(kernel) == MODEL_K6_1 ? "6.1" : "6.12");
	if (a->json)
		printf("{\"kernel\":\"%s\",\"table\":\"%s\",\"rows\":[", kv,
		       col);
	for (size_t i = 0; i < nr; i++, q++) {
		if (!model_quirk_in_kernel(q, kernel))
			continue;
		model_quirk_ids(q, ids, sizeof(ids));
		model_quirk_effect(q, effect, sizeof(effect));
		model_quirk_kernels(q, kernels, sizeof(kernels));
		n_acs += q->kind <= MODEL_QK_ACS_INTEL_SPT;
		if (a->json) {
			printf("%s{\"ids\":", n ? "," : "");
			print_json_str(stdout, ids);
			printf(",\"fn\":");
			print_json_str(stdout, q->fn);
			printf(",\"what\":");
			print_json_str(stdout, q->what);
			printf(",\"asserts\":");
			print_json_str(stdout, effect);
			printf(",\"kernels\":");
			print_json_str(stdout, kernels);
			printf("}");
		} else {
			printf("%-34s %s [%s]\n    %s: %s\n", ids, q->fn,
			       kernels, q->what, effect);
		}
		n++;
	}
	if (a->json)
		printf("],\"count\":%zu,\"acs\":%zu,\"fixups\":%zu}\n", n,
		       n_acs, n - n_acs);
	else
		printf("%zu rows for kernel %s (%zu ACS, %zu header fixups), from drivers/pci/quirks.c of Debian's linux-source-%s\n",
		       n, kv, n_acs, n - n_acs,
		       !strcmp(col, "6.1") ? "6.1 (6.1.192)"
					   : "6.12 (6.12.118)");
	return 0;
}
