// SPDX-License-Identifier: GPL-2.0-only
/*
 * The known-deviations list (harness/lib/deviations.c): parsed, then
 * applied to a run with failures, whose report.ktap is written.
 * Properties: an error is "FILE:LINE: message"; an applied list turns at
 * most the failures into XFAIL; the reasons and notes it puts into the
 * tree survive the KTAP writer (the tree reads back equal).
 */
#include "fuzz.h"

#include "deviations.h"
#include "ktap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char run[] = "KTAP version 1\n"
			  "1..3\n"
			  "    KTAP version 1\n"
			  "    1..2\n"
			  "    not ok 1 group.rescan_restores_partition\n"
			  "    ok 2 group.remove\n"
			  "not ok 1 teardown\n"
			  "    KTAP version 1\n"
			  "    1..1\n"
			  "    not ok 1 global.model_partition_matches\n"
			  "not ok 2 grouping\n"
			  "    KTAP version 1\n"
			  "    1..1\n"
			  "    ok 1 global.decimal_ids\n"
			  "ok 3 sysfs_layout\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const where[][2] = {
		{"6.12.117+deb12-amd64", "q35-acs"},
		{"6.1.0-56-amd64", "q35-virtio"},
		{NULL, NULL},
	};
	struct deviation_list l;
	char err[512];

	fuzz_selftest(data, size);
	err[0] = '\0';
	if (deviations_parse("devs", (const char *)data, size, &l, err,
			     sizeof(err))) {
		FUZZ_ASSERT(!strncmp(err, "devs:", 5), "error '%s'", err);
		return 0;
	}
	for (size_t i = 0; i < l.n; i++)
		FUZZ_ASSERT(l.v[i].release[0] && strchr(l.v[i].test, '/'),
			    "entry %zu", i);
	for (size_t w = 0; w < sizeof(where) / sizeof(where[0]); w++) {
		struct ktap_node *root = ktap_parse(run, sizeof(run) - 1),
				 *again;
		size_t len;
		char *text;
		int n;

		FUZZ_ASSERT(root, "ktap_parse failed");
		n = deviations_apply(root, &l, where[w][0], where[w][1]);
		FUZZ_ASSERT(n >= 0 && n <= 2, "%d tests turned into XFAIL", n);
		text = ktap_write(root, &len);
		FUZZ_ASSERT(text, "ktap_write failed");
		again = ktap_parse(text, len);
		FUZZ_ASSERT(again && ktap_equal(root, again),
			    "the applied list does not survive the writer:\n%s",
			    text);
		free(text);
		ktap_free(again);
		ktap_free(root);
		for (size_t i = 0; i < l.n; i++)
			l.v[i].seen = l.v[i].matched = false;
	}
	deviations_free(&l);
	return 0;
}
