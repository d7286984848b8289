// SPDX-License-Identifier: GPL-2.0-only
/*
 * iog-matrix DIR: the topology x kernel x suite table of a matrix of runs
 * (harness/matrix.sh) as DIR/matrix.md and DIR/matrix.html.  See
 * harness/lib/matrix.h.
 */
#include <stdio.h>

#include "matrix.h"

int main(int argc, char **argv)
{
	return matrix_main(argc, argv, stdout, stderr);
}
