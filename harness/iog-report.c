// SPDX-License-Identifier: GPL-2.0-only
/*
 * iog-report: turn the guest's raw KTAP stream and the host's meta.txt
 * into report.ktap, report.json and report.md in a run directory.
 */
#include "report.h"

#include <stdio.h>
#include <string.h>

static void iog_report_usage(FILE *f)
{
	fprintf(f, "usage: iog-report --raw RAW --meta META --out DIR [--deviations FILE]\n");
}

int main(int argc, char **argv)
{
	const char *raw = NULL, *meta = NULL, *out = NULL, *dev = NULL;

	for (int i = 1; i < argc; i++) {
		const char **dst = NULL;

		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			iog_report_usage(stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--raw"))
			dst = &raw;
		else if (!strcmp(argv[i], "--meta"))
			dst = &meta;
		else if (!strcmp(argv[i], "--out"))
			dst = &out;
		else if (!strcmp(argv[i], "--deviations"))
			dst = &dev;
		if (!dst || i + 1 >= argc) {
			fprintf(stderr, "iog-report: %s '%s'\n",
				dst ? "missing value for" : "unknown argument",
				argv[i]);
			iog_report_usage(stderr);
			return 2;
		}
		*dst = argv[++i];
	}
	if (!raw || !meta || !out) {
		iog_report_usage(stderr);
		return 2;
	}
	return report_run_with(raw, meta, dev, out, stdout, stderr);
}
