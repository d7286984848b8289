// SPDX-License-Identifier: GPL-2.0-only
/*
 * iog-topo: check a topology file, show what it means for QEMU and the
 * guest kernel, or write the guest's expectation file.  The shell scripts
 * read "show" line by line, so every value is one line.
 */
#include "topo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void iog_topo_usage(FILE *f)
{
	fprintf(f, "usage: iog-topo check FILE\n"
		   "       iog-topo show FILE\n"
		   "       iog-topo expect FILE\n");
}

static void iog_topo_show(const struct topo *t, const struct topo_strv *qa)
{
	printf("name %s\n", t->name);
	printf("iommu %s\n", topo_iommu_name(t->iommu));
	printf("timeout %u\n", t->timeout_s);
	printf("append");
	for (size_t i = 0; i < t->append.n; i++)
		printf(" %s", t->append.v[i]);
	printf("\n");
	for (size_t i = 0; i < t->modules.n; i++)
		printf("module %s\n", t->modules.v[i]);
	for (size_t i = 0; i < t->ndrives; i++)
		printf("drive %s %llu\n", t->drives[i].id, t->drives[i].bytes);
	for (size_t i = 0; i < t->suites.n; i++)
		printf("suite %s\n", t->suites.v[i]);
	for (size_t i = 0; i < t->guest_env.n; i++)
		printf("env %s\n", t->guest_env.v[i]);
	for (size_t i = 0; i < qa->n; i++)
		printf("qemu %s\n", qa->v[i]);
}

int main(int argc, char **argv)
{
	struct topo_strv qa = {0};
	char err[TOPO_ERR_LEN];
	struct topo t;
	int ret = 0;

	if (argc == 2 &&
	    (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		iog_topo_usage(stdout);
		return 0;
	}
	if (argc != 3 || (strcmp(argv[1], "check") && strcmp(argv[1], "show") &&
			  strcmp(argv[1], "expect"))) {
		iog_topo_usage(stderr);
		return 2;
	}
	if (topo_parse_file(argv[2], &t, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (!strcmp(argv[1], "show")) {
		if (topo_qemu_args(&t, &qa)) {
			fprintf(stderr, "iog-topo: out of memory\n");
			ret = 2;
		} else {
			iog_topo_show(&t, &qa);
		}
	} else if (!strcmp(argv[1], "expect")) {
		char *s = topo_expect_text(&t, argv[2]);

		if (!s) {
			fprintf(stderr, "iog-topo: out of memory\n");
			ret = 2;
		} else {
			fputs(s, stdout);
			free(s);
		}
	}
	topo_strv_free(&qa);
	topo_free(&t);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "iog-topo: cannot write to standard output\n");
		ret = 2;
	}
	return ret;
}
