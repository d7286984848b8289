// SPDX-License-Identifier: GPL-2.0-only
/*
 * Throughput baselines (harness/lib/baseline.c).  Properties: an error is
 * one "FILE:LINE: message"; an accepted baseline has distinct valid types,
 * positive finite expectations and tolerances below 100 %, each findable;
 * the judge never calls a value inside the tolerance anything but a pass.
 */
#include <math.h>

#include "fuzz.h"

#include "baseline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	struct baseline b;

	fuzz_selftest(data, size);
	err[0] = '\0';
	if (baseline_parse("fuzz.baseline", (const char *)data, size, &b, err,
			   sizeof(err))) {
		FUZZ_ASSERT(!strncmp(err, "fuzz.baseline:", 14), "err '%s'",
			    err);
		FUZZ_ASSERT(!strchr(err, '\n'), "err '%s'", err);
		return 0;
	}
	FUZZ_ASSERT(b.nr <= BASELINE_MAX_RATIOS, "%zu ratios", b.nr);
	FUZZ_ASSERT(b.ordering_tolerance > 0 && b.ordering_tolerance < 1,
		    "ordering tolerance %g", b.ordering_tolerance);
	for (size_t i = 0; i < b.nr; i++) {
		const struct baseline_ratio *r = &b.ratio[i];

		FUZZ_ASSERT(baseline_type_valid(r->num) &&
				    baseline_type_valid(r->den) &&
				    strcmp(r->num, r->den),
			    "types '%s' '%s'", r->num, r->den);
		FUZZ_ASSERT(isfinite(r->expect) && r->expect > 0, "expect %g",
			    r->expect);
		FUZZ_ASSERT(r->tolerance > 0 && r->tolerance < 1,
			    "tolerance %g", r->tolerance);
		FUZZ_ASSERT(baseline_find(&b, r->num, r->den) == r,
			    "%s/%s not found as itself", r->num, r->den);
		FUZZ_ASSERT(baseline_judge(r, r->expect, 1000) == BASELINE_PASS,
			    "the expectation itself does not pass");
	}
	return 0;
}
