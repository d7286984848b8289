// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host's meta.txt (harness/lib/report.c, report_meta_parse) and where
 * its values end up: the completed tree, report.json and report.md.
 * Properties: a key is there once, with its last value; report.json stays JSON
 * that make compare loads, whatever bytes the values hold.
 */
#include "fuzz.h"

#include "json.h"
#include "ktap.h"
#include "report.h"
#include "runs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char run[] = "KTAP version 1\n"
			  "1..2\n"
			  "# iog: kernel_release 6.12.117+deb12-amd64\n"
			  "    KTAP version 1\n"
			  "    1..2\n"
			  "    # metric: scan_time 1.25 ms\n"
			  "    ok 1 global.decimal_ids\n"
			  "    not ok 2 global.links\n"
			  "not ok 1 sysfs_layout\n"
			  "    KTAP version 1\n"
			  "    1..3\n"
			  "    ok 1 global.partition\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_file f;
	struct json_options o = {.allow_duplicate_keys = true};
	struct report_buf json = {0}, md = {0};
	struct runs_report r;
	struct report_meta m;
	struct json_error je;
	struct json_value *v;
	struct ktap_node *root;
	char err[1024];

	fuzz_selftest(data, size);
	if (report_meta_parse((const char *)data, size, &m))
		return 0;
	for (size_t i = 0; i < m.n; i++) {
		for (size_t k = i + 1; k < m.n; k++)
			FUZZ_ASSERT(strcmp(m.keys[i], m.keys[k]),
				    "key '%s' twice", m.keys[i]);
		FUZZ_ASSERT(report_meta_get(&m, m.keys[i]) == m.values[i],
			    "key '%s'", m.keys[i]);
	}
	root = ktap_parse(run, sizeof(run) - 1);
	FUZZ_ASSERT(root, "ktap_parse failed");
	FUZZ_ASSERT(!report_complete(root, &m), "report_complete failed");
	FUZZ_ASSERT(!report_json(&json, root, &m) && !json.oom,
		    "report_json failed");
	v = json_parse(json.s, json.len, &o, &je);
	FUZZ_ASSERT(v, "report.json is not JSON: %u:%u: %s\n%s", je.line,
		    je.column, je.message, json.s);
	json_free(v);
	fuzz_file_set(&f, json.s, json.len);
	FUZZ_ASSERT(!runs_load(&r, f.path, err, sizeof(err)),
		    "make compare refuses report.json: %s\n%s", err, json.s);
	runs_free(&r);
	FUZZ_ASSERT(!report_markdown(&md, root, &m) && !md.oom,
		    "report_markdown failed");
	report_buf_free(&json);
	report_buf_free(&md);
	ktap_free(root);
	report_meta_free(&m);
	return 0;
}
