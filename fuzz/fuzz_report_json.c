// SPDX-License-Identifier: GPL-2.0-only
/*
 * report.json as make compare reads it: runs_load()'s schema checks
 * (harness/lib/runs.c) and the whole comparison (harness/lib/compare.c).
 * The input is one report, or BASE, a NUL byte, and NEW (JSON never holds
 * a raw NUL); both go through memfds, since the loaders take paths.
 * Properties: a refused report has an error naming the file; a report
 * compared with itself is no regression; the exit status is 0, 1 or 2.
 */
#include "fuzz.h"

#include "compare.h"
#include "runs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *null_out(void)
{
	static FILE *f;

	if (!f)
		f = fopen("/dev/null", "w");
	FUZZ_ASSERT(f, "/dev/null");
	return f;
}

static bool load(const struct fuzz_file *f)
{
	struct runs_report r;
	char err[1024];
	int ret = runs_load(&r, f->path, err, sizeof(err));

	if (ret)
		FUZZ_ASSERT(!strncmp(err, f->path, strlen(f->path)),
			    "error does not name the file: %s", err);
	runs_free(&r);
	return !ret;
}

static int compare(const struct fuzz_file *a, const struct fuzz_file *b)
{
	char *argv[] = {"iog-compare", (char *)a->path, (char *)b->path, NULL};
	int ret = compare_main(3, argv, null_out(), null_out());

	FUZZ_ASSERT(ret >= 0 && ret <= 2, "exit status %d", ret);
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_file base, new;
	const uint8_t *nul = memchr(data, 0, size);
	size_t blen = nul ? (size_t)(nul - data) : size;
	bool ok;

	fuzz_selftest(data, size);
	fuzz_file_set(&base, data, blen);
	ok = load(&base);
	if (ok)
		FUZZ_ASSERT(compare(&base, &base) == 0,
			    "a report compared with itself is a regression");
	if (!nul)
		return 0;
	fuzz_file_set(&new, nul + 1, size - blen - 1);
	ok &= load(&new);
	FUZZ_ASSERT(compare(&base, &new) != 2 || !ok,
		    "two loadable reports did not compare");
	return 0;
}
