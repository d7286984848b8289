// SPDX-License-Identifier: GPL-2.0-only
/*
 * Negative control of `make check SANITIZE=1` (tests/cases/35-sanitize.sh):
 * a suite built with ASan and UBSan and -fsanitize-recover=undefined whose
 * one test passes.  A forked child, like a kselftest test, overflows an
 * int: UBSan reports it and lets the child exit 0.  The parent then loses
 * a block: LeakSanitizer reports it at exit.  Only the reports that
 * harness/run-suites.sh collects say anything went wrong.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static char *volatile block;

int main(int argc, char **argv)
{
	volatile int big = INT_MAX;
	pid_t pid;
	int status;

	(void)argv;
	printf("TAP version 13\n1..1\n");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int sum = big + argc; /* signed overflow: UBSan reports it */

		_exit(sum == 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 1;
	block = malloc(64);
	block = NULL; /* lost: LeakSanitizer reports it at exit */
	printf("ok 1 global.overflow_and_leak\n");
	/* LeakSanitizer ends the process without flushing stdio. */
	fflush(stdout);
	return 0;
}
