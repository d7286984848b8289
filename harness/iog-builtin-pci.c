// SPDX-License-Identifier: GPL-2.0-only
/*
 * iog-builtin-pci: the PCI drivers built into a kernel, with their ID
 * tables as alias patterns, for the guest's /etc/iog/pci-aliases
 * (harness/image.sh; format in harness/model/probe.h).  The kernels we
 * test record no pci: alias for built-in code (harness/model/kimage.h),
 * so the tables come from the decompressed image itself.
 *
 *	iog-builtin-pci VMLINUX
 *
 * prints "builtin-driver NAME" for every driver found, then one
 * "builtin PATTERN NAME" per ID entry that can match without
 * driver_override.  Exit 0, or 1 (unreadable, not a vmlinux, or no PCI
 * driver found in it).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kimage.h"

static int print_driver(const char *driver, const struct model_pci_id *ids,
			size_t nr, void *data)
{
	char pat[128];

	(void)data;
	printf("builtin-driver %s\n", driver);
	for (size_t i = 0; i < nr; i++) {
		if (ids[i].override_only)
			continue;
		if (model_pci_id_alias(&ids[i], pat, sizeof(pat)))
			return -1;
		printf("builtin %s %s\n", pat, driver);
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned char *img = NULL;
	char err[256];
	struct stat st;
	FILE *f;
	int n;

	if (argc == 2 &&
	    (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: iog-builtin-pci VMLINUX\n");
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: iog-builtin-pci VMLINUX\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f || fstat(fileno(f), &st) || !S_ISREG(st.st_mode) ||
	    !(img = malloc(st.st_size ? st.st_size : 1)) ||
	    fread(img, 1, st.st_size, f) != (size_t)st.st_size) {
		fprintf(stderr, "iog-builtin-pci: %s: %s\n", argv[1],
			errno ? strerror(errno) : "cannot read");
		if (f)
			fclose(f);
		free(img);
		return 1;
	}
	fclose(f);
	n = model_kimage_pci_drivers(img, st.st_size, print_driver, NULL, err,
				     sizeof(err));
	free(img);
	if (n < 0) {
		fprintf(stderr, "iog-builtin-pci: %s: %s\n", argv[1], err);
		return 1;
	}
	if (!n) {
		fprintf(stderr, "iog-builtin-pci: %s: no PCI driver found\n",
			argv[1]);
		return 1;
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "iog-builtin-pci: write error\n");
		return 1;
	}
	return 0;
}
