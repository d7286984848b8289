/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the libFuzzer targets (fuzz/fuzz_*.c).
 *
 * A target aborts (FUZZ_ASSERT) when a property the library documents is
 * broken, so that libFuzzer records the input like any crash: a parser
 * that accepts what its own writer made, a round trip that changes a tree.
 */
#ifndef IOG_FUZZ_H
#define IOG_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FUZZ_ASSERT(cond, ...)                                            \
	do {                                                              \
		if (!(cond)) {                                            \
			fprintf(stderr,                                   \
				"%s:%d: property broken: %s: ", __FILE__, \
				__LINE__, #cond);                         \
			fprintf(stderr, __VA_ARGS__);                     \
			fputc('\n', stderr);                              \
			abort();                                          \
		}                                                         \
	} while (0)

/*
 * Negative control of the fuzz harness (tests/cases/50-fuzz.sh): a target
 * built with -DFUZZ_SELFTEST_CRASH aborts on inputs that start with this
 * marker, and the short run and the replay must report it as a failure.
 */
#define FUZZ_SELFTEST_MARKER "IOG-FUZZ-SELFTEST-CRASH"

static inline void fuzz_selftest(const uint8_t *data, size_t size)
{
#ifdef FUZZ_SELFTEST_CRASH
	size_t n = sizeof(FUZZ_SELFTEST_MARKER) - 1;

	if (size >= n && !memcmp(data, FUZZ_SELFTEST_MARKER, n)) {
		fprintf(stderr, "fuzz selftest: crashing on purpose\n");
		abort();
	}
#else
	(void)data;
	(void)size;
#endif
}

/* A copy of the input with a NUL after it (for APIs that want a string). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * An in-memory file: for parsers that only take a path, the input is
 * written to a memfd and handed over as /proc/self/fd/N (no disk, nothing
 * to clean up).  One descriptor per slot, reused by every run.
 */
struct fuzz_file {
	int fd;
	char path[64];
};

static inline void fuzz_file_set(struct fuzz_file *f, const void *data,
				 size_t size)
{
	const char *p = data;

	if (!f->fd) {
		f->fd = memfd_create("fuzz-input", 0);
		if (f->fd < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(f->path, sizeof(f->path), "/proc/self/fd/%d", f->fd);
	}
	if (ftruncate(f->fd, 0) || lseek(f->fd, 0, SEEK_SET)) {
		perror("memfd reset");
		abort();
	}
	while (size) {
		ssize_t n = write(f->fd, p, size);

		if (n <= 0) {
			perror("memfd write");
			abort();
		}
		p += n;
		size -= (size_t)n;
	}
}

#endif /* IOG_FUZZ_H */
