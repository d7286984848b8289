// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sysfs text the suites read: reserved_regions, type, name, group
 * directory names, BDFs, kernel releases, and the guest expectation file
 * (harness/lib/sysfs_text.c; BDFs and the expectation file in
 * sysfs_partition.c).  Every input goes through each reader.  Properties:
 * - a valid reserved_regions, taken into the model's region list
 *   (harness/model/resv.c), merged and printed again, is the same text;
 * - the same bytes read as binary regions, merged and printed by the
 *   model, are a valid reserved_regions (the model writes what the
 *   validator accepts);
 * - type accepts exactly the vocabulary and a newline;
 * - an accepted group ID prints back to a canonical name; a normalised BDF
 *   is a kernel BDF and normalises to itself;
 * - an accepted expectation file matches itself with no problem.
 */
#include "fuzz.h"

#include "resv.h"
#include "sysfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const enum model_resv_type to_model[SYSFS_RESV_NR_TYPES] = {
	[SYSFS_RESV_DIRECT] = MODEL_RESV_DIRECT,
	[SYSFS_RESV_DIRECT_RELAXABLE] = MODEL_RESV_DIRECT_RELAXABLE,
	[SYSFS_RESV_RESERVED] = MODEL_RESV_RESERVED,
	[SYSFS_RESV_MSI] = MODEL_RESV_MSI,
};

static void resv_round_trip(const char *s, size_t size)
{
	struct sysfs_resv_list l;
	struct model_resv_list m = {0};
	char err[SYSFS_ERR_LEN];
	char *text;

	if (sysfs_resv_parse(s, size, &l, err, sizeof(err))) {
		FUZZ_ASSERT(!strncmp(err, "line ", 5) ||
				    !strcmp(err, "out of memory"),
			    "error '%s'", err);
		return;
	}
	for (size_t i = 0; i < l.nr; i++) {
		FUZZ_ASSERT(l.regions[i].start <= l.regions[i].end,
			    "region %zu start above end", i);
		FUZZ_ASSERT(!model_resv_add(&m, l.regions[i].start,
					    l.regions[i].end,
					    to_model[l.regions[i].type]),
			    "out of memory");
	}
	model_resv_merge(&m);
	text = model_resv_format(&m);
	FUZZ_ASSERT(text, "out of memory");
	FUZZ_ASSERT(strlen(text) == size && !memcmp(text, s, size),
		    "valid reserved_regions printed differently:\n%.*s---\n%s",
		    (int)size, s, text);
	free(text);
	model_resv_free(&m);
	sysfs_resv_list_free(&l);
}

/* 17 bytes a region: start, end (swapped if need be), type. */
static void resv_model_valid(const uint8_t *data, size_t size)
{
	struct model_resv_list m = {0};
	char err[SYSFS_ERR_LEN];
	char *text;

	for (; size >= 17; data += 17, size -= 17) {
		uint64_t a, b;

		memcpy(&a, data, 8);
		memcpy(&b, data + 8, 8);
		FUZZ_ASSERT(!model_resv_add(&m, a < b ? a : b, a < b ? b : a,
					    to_model[data[16] % 4]),
			    "out of memory");
	}
	model_resv_merge(&m);
	text = model_resv_format(&m);
	FUZZ_ASSERT(text, "out of memory");
	FUZZ_ASSERT(
		!sysfs_resv_parse(text, strlen(text), NULL, err, sizeof(err)),
		"the model printed an invalid reserved_regions: %s\n%s", err,
		text);
	free(text);
	model_resv_free(&m);
}

static void type_check(const char *s, size_t size)
{
	static const char *const words[] = {"blocked", "identity", "unmanaged",
					    "DMA",     "DMA-FQ",   "unknown"};
	char err[SYSFS_ERR_LEN];
	bool want = false;

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		want |= size == strlen(words[i]) + 1 &&
			!memcmp(s, words[i], size - 1) && s[size - 1] == '\n';
	FUZZ_ASSERT(!sysfs_type_check(s, size, err, sizeof(err)) == want,
		    "type '%.*s' %s", (int)size, s,
		    want ? "refused" : "accepted");
	if (!sysfs_name_check(s, size, err, sizeof(err)))
		FUZZ_ASSERT(size && s[size - 1] == '\n' &&
				    !memchr(s, '\n', size - 1) &&
				    !memchr(s, '\0', size),
			    "name '%.*s' accepted", (int)size, s);
}

static void names(const char *str)
{
	char out[32], again[32], buf[32];
	struct sysfs_kver v;
	bool canonical;
	long id;

	id = sysfs_group_id_parse(str, &canonical);
	if (id >= 0) {
		snprintf(buf, sizeof(buf), "%ld", id);
		FUZZ_ASSERT(!canonical == !!strcmp(buf, str),
			    "group '%s' id %ld canonical %d", str, id,
			    canonical);
	}
	if (sysfs_bdf_normalize(str, out, sizeof(out))) {
		FUZZ_ASSERT(sysfs_is_bdf(out), "'%s' -> '%s'", str, out);
		FUZZ_ASSERT(sysfs_bdf_normalize(out, again, sizeof(again)) &&
				    !strcmp(out, again),
			    "'%s' -> '%s' -> '%s'", str, out, again);
	}
	if (!sysfs_kver_parse(str, &v))
		FUZZ_ASSERT(v.major >= 0 && v.minor >= 0 && v.major < 10000 &&
				    v.minor < 10000,
			    "release '%s' -> %d.%d", str, v.major, v.minor);
	free(sysfs_escape(str));
}

static void expect_check(const char *s, size_t size)
{
	struct sysfs_problems p = {0};
	char err[SYSFS_ERR_LEN];
	struct sysfs_expect e;

	if (sysfs_expect_parse(s, size, &e, err, sizeof(err))) {
		FUZZ_ASSERT(err[0], "refused without a message");
		return;
	}
	sysfs_check_declared_groups(&e.groups, &e.groups, &p);
	sysfs_check_groups_declared(&e.groups, &e.groups, &p);
	FUZZ_ASSERT(!sysfs_problems_count(&p),
		    "an expectation differs from itself: %s",
		    p.nr ? p.msg[0] : "?");
	sysfs_problems_free(&p);
	sysfs_expect_free(&e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/*
	 * The readers that take a length get the input itself, so that ASan
	 * sees a read past its end; the others a NUL-terminated copy.
	 */
	const char *raw = (const char *)data;
	char *s = fuzz_strndup(data, size);

	fuzz_selftest(data, size);
	resv_round_trip(raw, size);
	resv_model_valid(data, size);
	type_check(raw, size);
	names(s);
	expect_check(raw, size);
	free(s);
	return 0;
}
