// SPDX-License-Identifier: GPL-2.0-only
/*
 * Running the suite binaries on fake /sys trees, and finding the fixtures.
 *
 * For the test_sysfs*.c unit tests: sysfs_layout and grouping run with
 * a clean IOG_* environment.  sysfs_tree.h declares and describes these.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sysfs_tree.h"

/* build/san/test_sysfs -> build/guest/NAME, unless IOG_SUITE_DIR says. */
static char *suite_path(const char *name)
{
	const char *dir = getenv("IOG_SUITE_DIR");
	char exe[PATH_MAX], *r;
	ssize_t n;

	if (dir && *dir) {
		if (asprintf(&r, "%s/%s", dir, name) < 0)
			return NULL;
		return r;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return NULL;
	exe[n] = '\0';
	if (asprintf(&r, "%s/../guest/%s", dirname(exe), name) < 0)
		return NULL;
	return r;
}

/* tests/fixtures/SUB/NAME from the repository root or the build dir. */
char *tree_fixture_in(const char *sub, const char *name)
{
	char exe[PATH_MAX], *r;
	ssize_t n;

	if (asprintf(&r, "tests/fixtures/%s/%s", sub, name) < 0)
		return NULL;
	if (!access(r, R_OK))
		return r;
	free(r);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return NULL;
	exe[n] = '\0';
	if (asprintf(&r, "%s/../../tests/fixtures/%s/%s", dirname(exe), sub,
		     name) < 0)
		return NULL;
	return r;
}

/* tests/fixtures/sysfs/NAME. */
char *tree_fixture(const char *name)
{
	return tree_fixture_in("sysfs", name);
}

/*
 * Run a suite binary with env (NULL-terminated "K=V" list) on top of a
 * clean IOG_* environment.
 */
int suite_exec(const char *name, const char *const *env, struct suite_run *r)
{
	char *path = suite_path(name);
	size_t len = 0;
	int fds[2], st;
	pid_t pid;

	r->status = -1;
	r->out[0] = '\0';
	if (!path || access(path, X_OK)) {
		snprintf(r->out, sizeof(r->out),
			 "%s not found: run `make suites` first (or set "
			 "IOG_SUITE_DIR)",
			 path ? path : name);
		free(path);
		return -1;
	}
	if (pipe(fds)) {
		free(path);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		unsetenv("IOG_SYSFS_ROOT");
		unsetenv("IOG_EXPECT");
		unsetenv("IOG_EXPECT_GROUPS");
		unsetenv("IOG_KERNEL_RELEASE");
		unsetenv("IOG_IOMMU");
		unsetenv("IOG_MODULE_ORDER");
		for (; *env; env++)
			putenv((char *)*env);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	free(path);
	if (pid < 0) {
		close(fds[0]);
		return -1;
	}
	for (;;) {
		ssize_t n =
			read(fds[0], r->out + len, sizeof(r->out) - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
		if (len == sizeof(r->out) - 1)
			break;
	}
	r->out[len] = '\0';
	close(fds[0]);
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return 0;
}

/* Long-lived env strings for putenv() in the child. */
char *suite_env(const char *k, const char *v)
{
	char *s;

	if (asprintf(&s, "%s=%s", k, v) < 0)
		abort();
	return s;
}

/* How often needle occurs in hay. */
size_t suite_count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *s = hay; (s = strstr(s, needle)); s++)
		n++;
	return n;
}
