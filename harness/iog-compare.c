// SPDX-License-Identifier: GPL-2.0-only
/*
 * iog-compare BASE NEW: what changed between two runs or two matrices,
 * as Markdown for a merge request.  See harness/lib/compare.h.
 */
#include <stdio.h>

#include "compare.h"

int main(int argc, char **argv)
{
	return compare_main(argc, argv, stdout, stderr);
}
