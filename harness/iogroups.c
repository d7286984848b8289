// SPDX-License-Identifier: GPL-2.0-only
/*
 * iogroups main(): options and command dispatch; each command is in
 * harness/iogroups/.  The tool shows the kernel's IOMMU groups, and why
 * devices share them.
 *
 *   iogroups [list]              the running kernel's groups (its own view,
 *                                read from /sys/kernel/iommu_groups)
 *   iogroups explain BDF         why BDF shares its group, per the model
 *   iogroups check               model versus kernel on this machine
 *   iogroups predict --dump F    the model's groups for an lspci -xxxx dump
 *                                or lspci -vvnn record
 *   iogroups quirks              the kernel quirks the model applies
 *
 * Exit status: 0 fine, 1 the model and the kernel differ (check), 2 usage
 * or I/O error.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "iogroups/iogroups.h"

const char usage_text[] =
	"usage: iogroups [list] [--sysfs ROOT] [--json]\n"
	"       iogroups explain BDF [--iommu KIND] [--dump FILE] [--bound BDF,...] [--kernel V] [--sysfs ROOT] [--json]\n"
	"       iogroups check [--iommu KIND] [--bound BDF,...] [--kernel V] [--groups-only] [--sysfs ROOT] [--json]\n"
	"       iogroups predict --dump FILE --iommu KIND [--bound BDF,...] [--kernel V] [--json] [--times]\n"
	"                        [--expect GROUPS]\n"
	"       iogroups quirks [--kernel V] [--json]\n"
	"\n"
	"  list      the kernel's IOMMU groups: members with names, type, reserved regions\n"
	"  explain   why a device is in its group, per the reference model (rules R3-R9\n"
	"            of spec/iommu-groups.md): aliasing bridges, missing ACS bits, shared slots,\n"
	"            the kernel quirk that decided\n"
	"  check     compare the model's prediction with the kernel's groups (exit 1 if they differ;\n"
	"            groups the input cannot decide are listed, not compared)\n"
	"  predict   the model's groups for an `lspci -xxxx` dump or an `lspci -vvnn` record,\n"
	"            offline (an `lspci -xxx` dump loads too: groups that need its missing\n"
	"            bytes are marked undecidable)\n"
	"  quirks    the kernel's grouping quirks the model knows, for one kernel version\n"
	"\n"
	"  --iommu KIND       intel, amd or virtio (default: from ROOT/class/iommu)\n"
	"  --bound BDF,...    virtio-iommu: devices with a driver bound, in probe order\n"
	"                     (default on a live system: those with a driver link)\n"
	"  --kernel V         the kernel under test, e.g. 6.1 or 6.12: which quirks apply\n"
	"                     (default: the running kernel on a live system, else 6.12)\n"
	"  --domain-type T    the default domain type to predict (default DMA)\n"
	"  --groups-only      check membership and IDs, not reserved_regions and type\n"
	"  --sysfs ROOT       read ROOT instead of /sys\n"
	"  --dump FILE        read config space from an lspci -xxxx dump, or\n"
	"                     lspci -vvnn text (told apart by content)\n"
	"  --json             machine-readable output\n"
	"  --times            predict: milliseconds spent loading, booting and printing, on stderr\n"
	"  --expect FILE      predict: compare with the kernel's groups as FILE lists them\n"
	"                     (lspci -v \"IOMMU group:\" lines, \"Adding to iommu group\"\n"
	"                     kernel log lines or \"IOMMU Group N: BDF\" lines); exit 1 if\n"
	"                     they differ\n";

/* "a,b c" -> appended to a->bound */
static void add_bound(struct args *a, const char *list)
{
	char *copy = xstrdup(list), *save = NULL;

	for (char *t = strtok_r(copy, ", \t\n", &save); t;
	     t = strtok_r(NULL, ", \t\n", &save)) {
		a->bound =
			xrealloc(a->bound, (a->nr_bound + 1) * sizeof(char *));
		a->bound[a->nr_bound++] = xstrdup(t);
	}
	free(copy);
	a->bound_given = true;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"sysfs", required_argument, NULL, 's'},
		{"dump", required_argument, NULL, 'd'},
		{"iommu", required_argument, NULL, 'i'},
		{"bound", required_argument, NULL, 'b'},
		{"domain-type", required_argument, NULL, 't'},
		{"groups-only", no_argument, NULL, 'g'},
		{"times", no_argument, NULL, 'T'},
		{"expect", required_argument, NULL, 'e'},
		{"kernel", required_argument, NULL, 'k'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct args a = {0};
	int c, ret;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			a.json = true;
			break;
		case 's':
			a.sysfs = optarg;
			break;
		case 'd':
			a.dump = optarg;
			break;
		case 'i':
			a.iommu = optarg;
			break;
		case 'b':
			add_bound(&a, optarg);
			break;
		case 't':
			a.domain_type = optarg;
			break;
		case 'k':
			a.kernel = optarg;
			break;
		case 'g':
			a.groups_only = true;
			break;
		case 'T':
			a.times = true;
			break;
		case 'e':
			a.expect = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	a.cmd = optind < argc ? argv[optind++] : "list";
	if (!strcmp(a.cmd, "explain") && optind < argc)
		a.bdf = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "iogroups: unexpected argument '%s'\n%s",
			argv[optind], usage_text);
		return EXIT_USAGE;
	}
	if (!strcmp(a.cmd, "list"))
		ret = cmd_list(&a);
	else if (!strcmp(a.cmd, "explain"))
		ret = cmd_explain(&a);
	else if (!strcmp(a.cmd, "check"))
		ret = cmd_check(&a);
	else if (!strcmp(a.cmd, "predict"))
		ret = cmd_predict(&a);
	else if (!strcmp(a.cmd, "quirks"))
		ret = cmd_quirks(&a);
	else if (!strcmp(a.cmd, "help")) {
		fputs(usage_text, stdout);
		ret = 0;
	} else {
		fprintf(stderr, "iogroups: unknown command '%s'\n%s", a.cmd,
			usage_text);
		ret = EXIT_USAGE;
	}
	for (size_t i = 0; i < a.nr_bound; i++)
		free(a.bound[i]);
	free(a.bound);
	return ret;
}
