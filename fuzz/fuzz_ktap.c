// SPDX-License-Identifier: GPL-2.0-only
/*
 * KTAP on the return channel (harness/lib/ktap.c) and what iog-report does
 * with it (harness/lib/report*.c, deviations.c): parse, complete with the
 * host's meta, apply known deviations, write report.ktap, report.json and
 * report.md.  Properties:
 * - the writer's text reads back into an equal tree, before and after
 *   completion (ktap.h);
 * - report.json is JSON that runs_load() (make compare) accepts.
 */
#include "fuzz.h"

#include "deviations.h"
#include "json.h"
#include "ktap.h"
#include "report.h"
#include "runs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* How a run ended; one per input (by its length), so each run is one. */
static const char *const metas[] = {
	("topology=q35-acs\nkernel=debian-6.12\n"
	 "kernel_release=6.12.117+deb12-amd64\nstatus=completed\n"
	 "elapsed_s=61.2\nsuites=sysfs_layout grouping notifier\n"),
	("topology=q35-acs\nkernel=debian-6.1\nstatus=timeout\n"
	 "status_detail=no output for 180 s\nsuites=sysfs_layout teardown\n"),
	"topology=q35-virtio\nstatus=crashed\nelapsed_s=nan\n",
};

static const char deviations[] =
	"6.12.* | q35-acs | teardown/group.rescan_restores_partition | r | e\n"
	"* | q35-* | sysfs_layout/* | any | e\n";

static struct ktap_node *round_trip(const struct ktap_node *root,
				    const char *when)
{
	struct ktap_node *again;
	size_t len;
	char *text = ktap_write(root, &len);

	FUZZ_ASSERT(text, "ktap_write failed");
	FUZZ_ASSERT(strlen(text) == len, "length %zu, text %zu", len,
		    strlen(text));
	again = ktap_parse(text, len);
	FUZZ_ASSERT(again, "ktap_parse failed");
	FUZZ_ASSERT(ktap_equal(root, again),
		    "%s: the written KTAP reads back differently:\n%s", when,
		    text);
	free(text);
	return again;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_file f;
	struct json_options o = {.allow_duplicate_keys = true};
	struct report_buf json = {0}, md = {0};
	struct deviation_list dl;
	struct report_counts c = {0};
	struct runs_report r;
	struct report_meta m;
	struct json_error je;
	struct json_value *v;
	struct ktap_node *root;
	const char *meta = metas[size % 3];
	char err[512];

	fuzz_selftest(data, size);
	root = ktap_parse((const char *)data, size);
	FUZZ_ASSERT(root, "ktap_parse failed");
	ktap_free(round_trip(root, "parsed"));
	ktap_fact(root, "kernel_release");

	FUZZ_ASSERT(!report_meta_parse(meta, strlen(meta), &m), "meta");
	FUZZ_ASSERT(!deviations_parse("devs", deviations, strlen(deviations),
				      &dl, err, sizeof(err)),
		    "%s", err);
	FUZZ_ASSERT(!report_complete(root, &m), "report_complete failed");
	FUZZ_ASSERT(deviations_apply(root, &dl,
				     report_meta_get(&m, "kernel_release"),
				     report_meta_get(&m, "topology")) >= 0,
		    "deviations_apply failed");
	ktap_free(round_trip(root, "completed"));
	report_count(root, &c);

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
	deviations_free(&dl);
	report_meta_free(&m);
	ktap_free(root);
	return 0;
}
