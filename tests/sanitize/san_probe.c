// SPDX-License-Identifier: GPL-2.0-only
/*
 * Negative control of `make check SANITIZE=1` (tests/cases/35-sanitize.sh):
 * a suite with undefined behaviour, built with -fsanitize=undefined and
 * -fsanitize-recover, so UBSan reports the overflow and lets it carry on:
 * it exits 0 and passes its one test.  Only the sanitizer report that
 * harness/run-suites.sh collects can fail it.
 */
#include <limits.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	volatile int big = INT_MAX;
	int sum;

	(void)argv;
	sum = big + argc; /* signed overflow: UBSan reports it */
	printf("TAP version 13\n1..1\n# sum %d\nok 1 global.overflow\n", sum);
	return 0;
}
