// SPDX-License-Identifier: GPL-2.0-only
/*
 * ABI documentation files (harness/lib/abidoc.c).  Properties: an error is
 * one "FILE:LINE: message"; every accepted entry has at least one What:
 * path, names the file it came from and a line within the input; a What:
 * pattern without wildcards (and within the matcher's 64 components)
 * matches itself.
 */
#include "fuzz.h"

#include "abidoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Non-empty '/'-separated parts; the matcher takes up to 64 (abidoc.c). */
static size_t components(const char *p)
{
	size_t n = 0;

	for (; *p; p++)
		n += *p != '/' && (p[1] == '/' || !p[1]);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[ABIDOC_ERR_LEN];
	struct abidoc d = {0};
	size_t lines = 1;

	fuzz_selftest(data, size);
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	err[0] = '\0';
	if (abidoc_parse(&d, "fuzz-abi", (const char *)data, size, err,
			 sizeof(err))) {
		FUZZ_ASSERT(!strncmp(err, "fuzz-abi:", 9), "err '%s'", err);
		FUZZ_ASSERT(!strchr(err, '\n'), "err '%s'", err);
	} else {
		for (size_t i = 0; i < d.nr; i++) {
			const struct abidoc_entry *e = &d.v[i];

			FUZZ_ASSERT(e->nr_what > 0,
				    "entry %zu has no What:", i);
			FUZZ_ASSERT(e->file && !strcmp(e->file, "fuzz-abi"),
				    "entry %zu names '%s'", i,
				    e->file ? e->file : "(null)");
			FUZZ_ASSERT(e->line >= 1 && e->line <= lines,
				    "entry %zu at line %u of %zu", i, e->line,
				    lines);
			for (size_t w = 0; w < e->nr_what; w++) {
				const char *p = e->what[w];

				if (p[0] == '/' && !strpbrk(p, "*<>") &&
				    !strstr(p, "...") && components(p) <= 64)
					FUZZ_ASSERT(
						abidoc_path_match(p, p),
						"'%s' does not match itself",
						p);
			}
		}
	}
	abidoc_free(&d);
	return 0;
}
