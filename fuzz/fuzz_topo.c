// SPDX-License-Identifier: GPL-2.0-only
/*
 * Topology files (harness/lib/topo.c).  Properties: an error is one
 * "FILE:LINE: message"; an accepted topology yields QEMU arguments and an
 * expectation file that the guest's reader (sysfs_expect_parse) accepts
 * with the same groups.
 */
#include "fuzz.h"

#include "sysfs.h"
#include "topo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[TOPO_ERR_LEN], serr[SYSFS_ERR_LEN];
	struct topo t;
	struct topo_strv args = {0};
	struct sysfs_expect e;
	char bdf[13], *text;

	fuzz_selftest(data, size);
	err[0] = '\0';
	if (topo_parse_buf("fuzz.topo", (const char *)data, size, &t, err,
			   sizeof(err))) {
		FUZZ_ASSERT(!strncmp(err, "fuzz.topo:", 10), "err '%s'", err);
		FUZZ_ASSERT(!strchr(err, '\n'), "err '%s'", err);
		topo_free(&t);
		return 0;
	}
	FUZZ_ASSERT(t.iommu != TOPO_IOMMU_UNSET, "iommu unset");
	FUZZ_ASSERT(!topo_qemu_args(&t, &args), "topo_qemu_args failed");
	topo_strv_free(&args);

	text = topo_expect_text(&t, "fuzz.topo");
	FUZZ_ASSERT(text, "topo_expect_text failed");
	FUZZ_ASSERT(
		!sysfs_expect_parse(text, strlen(text), &e, serr, sizeof(serr)),
		"the guest rejects the expectation file: %s\n%s", serr, text);
	FUZZ_ASSERT(e.groups.nr == t.ngroups && e.nr_nogroup == t.nogroup.n,
		    "%zu groups, %zu nogroup; the topology had %zu, %zu",
		    e.groups.nr, e.nr_nogroup, t.ngroups, t.nogroup.n);
	sysfs_expect_free(&e);
	free(text);

	/* Every normalised BDF parses again to itself. */
	for (size_t i = 0; i < t.nogroup.n; i++) {
		FUZZ_ASSERT(!topo_parse_bdf(t.nogroup.v[i], bdf) &&
				    !strcmp(bdf, t.nogroup.v[i]),
			    "BDF '%s'", t.nogroup.v[i]);
	}
	topo_free(&t);
	return 0;
}
