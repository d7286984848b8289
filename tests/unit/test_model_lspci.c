// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the model on lspci's output: end to end against the groups
 * real guests produced (the .observed files under tests/fixtures/lspci),
 * from their `lspci -xxxx` dumps and their `lspci -vvnn` records (and the
 * same records without -nn); load errors; what a -vvnn record is read for
 * and what not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "model_util.h"
#include "unit_util.h"

#include "model.h"
#include "pci_topo.h"

/* ---- end to end: the captured guests ----------------------------------- */

FIXTURE(captured)
{
	struct model *m;
	struct model_partition p;
	struct obs *obs;
};

FIXTURE_VARIANT(captured)
{
	const char *name;
	enum model_iommu_kind iommu;
	const char *form; /* the file's suffix: "dump" unless set */
};

FIXTURE_VARIANT_ADD(captured, q35_acs_intel){
	.name = "q35-acs-intel",
	.iommu = MODEL_IOMMU_INTEL,
};

FIXTURE_VARIANT_ADD(captured, q35_noacs_intel){
	.name = "q35-noacs-intel",
	.iommu = MODEL_IOMMU_INTEL,
};

FIXTURE_VARIANT_ADD(captured, q35_bridge_nest_intel){
	.name = "q35-bridge-nest-intel",
	.iommu = MODEL_IOMMU_INTEL,
};

FIXTURE_VARIANT_ADD(captured, q35_acs_amd){
	.name = "q35-acs-amd",
	.iommu = MODEL_IOMMU_AMD,
};

/* The same machines as lspci -vvnn text (lspci -F DUMP -vvnn). */
FIXTURE_VARIANT_ADD(captured, q35_acs_intel_text){
	.name = "q35-acs-intel",
	.iommu = MODEL_IOMMU_INTEL,
	.form = "vvnn",
};

FIXTURE_VARIANT_ADD(captured, q35_noacs_intel_text){
	.name = "q35-noacs-intel",
	.iommu = MODEL_IOMMU_INTEL,
	.form = "vvnn",
};

FIXTURE_VARIANT_ADD(captured, q35_bridge_nest_intel_text){
	.name = "q35-bridge-nest-intel",
	.iommu = MODEL_IOMMU_INTEL,
	.form = "vvnn",
};

FIXTURE_VARIANT_ADD(captured, q35_acs_amd_text){
	.name = "q35-acs-amd",
	.iommu = MODEL_IOMMU_AMD,
	.form = "vvnn",
};

FIXTURE_SETUP(captured)
{
	struct model_opts o = {.iommu = variant->iommu};
	char rel[256];

	snprintf(rel, sizeof(rel), "lspci/%s.%s", variant->name,
		 variant->form ? variant->form : "dump");
	self->m = model_ut_boot_dump(model_ut_fixture(rel), &o);
	ASSERT_NE(NULL, self->m);
	ASSERT_EQ(0, model_partition(self->m, &self->p));
	snprintf(rel, sizeof(rel), "lspci/%s.observed", variant->name);
	self->obs = model_ut_obs_load(model_ut_fixture(rel));
	ASSERT_NE(NULL, self->obs);
}

FIXTURE_TEARDOWN(captured)
{
	model_partition_free(&self->p);
	model_free(self->m);
	free(self->obs);
}

/* Partition, IDs, reserved_regions and type all equal the kernel's. */
TEST_F(captured, prediction_equals_observed)
{
	char *diff = NULL;
	int n = model_compare(&self->p, self->obs->og, self->obs->nr, &diff);

	if (n)
		TH_LOG("%s", diff ? diff : "(no report)");
	EXPECT_EQ(0, n);
	EXPECT_EQ(self->obs->nr, self->p.nr);
	free(diff);
}

/* Each observed group, checked directly (not through model_compare). */
TEST_F(captured, groups_ids_and_regions_one_by_one)
{
	for (size_t i = 0; i < self->obs->nr; i++) {
		const struct obs_group *og = &self->obs->g[i];
		const struct model_pgroup *g =
			model_partition_group(&self->p, (int)og->id);

		ASSERT_NE(NULL, g) TH_LOG("no model group %ld", og->id);
		EXPECT_EQ(og->nr, g->nr) TH_LOG("group %ld", og->id);
		for (size_t k = 0; k < og->nr; k++) {
			EXPECT_EQ(og->id,
				  model_ut_group_of(&self->p, og->bdfs[k]))
			TH_LOG("%s: %s", og->bdfs[k],
			       model_ut_why_of(&self->p, og->bdfs[k]));
		}
		EXPECT_STREQ(og->resv, g->resv) TH_LOG("group %ld", og->id);
		EXPECT_STREQ(og->type, g->type);
	}
}

TEST_F(captured, every_device_has_a_reason)
{
	for (size_t i = 0; i < self->p.nr_devs; i++) {
		const char *w = self->p.devs[i].why;

		EXPECT_NE(NULL, strstr(w, "(R"))
		TH_LOG("%s: %s", self->p.devs[i].bdf, w);
	}
}

/* ---- loading ----------------------------------------------------------- */

TEST(load_errors_name_the_file)
{
	char err[MODEL_ERR_LEN];
	struct model *m;

	EXPECT_EQ(-1,
		  model_load_dump(&m, "/nonexistent/x.dump", err, sizeof(err)));
	EXPECT_EQ(NULL, m);
	EXPECT_STREQ("/nonexistent/x.dump: No such file or directory", err);
	EXPECT_EQ(-1, model_load_dump(&m, model_ut_fixture("model/README.md"),
				      err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "model/README.md: "));
	/*
	 * lspci -xxx: no extended config space; it loads, and the groups
	 * that need it are undecidable (test_quirks.c).
	 */
	EXPECT_EQ(0,
		  model_load_dump(
			  &m, model_ut_fixture("model/q35-acs-intel-256.dump"),
			  err, sizeof(err)))
	TH_LOG("%s", err);
	model_free(m);
}

/* ---- lspci -vvnn records ------------------------------------------------ */

/* src for reading and dst for writing, both or neither: 0 or -1. */
static int open_pair(const char *src, const char *dst, FILE **in, FILE **out)
{
	*in = fopen(src, "r");
	*out = fopen(dst, "w");
	if (*in && *out)
		return 0;
	if (*in)
		fclose(*in);
	if (*out)
		fclose(*out);
	return -1;
}

/*
 * Copy src to dst line by line: lines holding drop are left out, and from
 * is replaced by to in the first line holding both at (any if NULL) and
 * from, or in every line holding from if all.
 */
static int copy_edited(const char *src, const char *dst, const char *drop,
		       const char *at, const char *from, const char *to,
		       bool all)
{
	FILE *in, *out;
	char line[1024], *p;
	bool armed = !at, done = false;

	if (open_pair(src, dst, &in, &out))
		return -1;
	while (fgets(line, sizeof(line), in)) {
		if (drop && strstr(line, drop))
			continue;
		if (at && strstr(line, at))
			armed = true;
		if (armed && (all || !done) && from &&
		    (p = strstr(line, from))) {
			fprintf(out, "%.*s%s%s", (int)(p - line), line, to,
				p + strlen(from));
			done = true;
			continue;
		}
		fputs(line, out);
	}
	fclose(in);
	return fclose(out) || (from && !done) ? -1 : 0;
}

/* How far the model's prediction for text is from the kernel's groups. */
static int text_mismatches(const char *text, const char *observed)
{
	struct model_opts o = {.iommu = MODEL_IOMMU_INTEL};
	struct model_partition p;
	struct model *m = model_ut_boot_dump(text, &o);
	struct obs *obs = model_ut_obs_load(observed);
	char *diff = NULL;
	int n = -1;

	if (m && obs && !model_partition(m, &p)) {
		n = model_compare(&p, obs->og, obs->nr, &diff);
		model_partition_free(&p);
	}
	free(diff);
	free(obs);
	model_free(m);
	return n;
}

/*
 * A record's "IOMMU group:" lines are the kernel's answer: the prediction
 * is the same without them and with every one of them wrong.
 */
TEST(text_record_never_reads_iommu_group_lines)
{
	char dir[] = "/tmp/iog-text.XXXXXX", no[64], wrong[64];
	const char *src = model_ut_fixture("lspci/q35-acs-intel.vvnn");
	char *obs = strdup(model_ut_fixture("lspci/q35-acs-intel.observed"));

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(no, sizeof(no), "%s/none.vvnn", dir);
	snprintf(wrong, sizeof(wrong), "%s/wrong.vvnn", dir);
	ASSERT_EQ(0, copy_edited(src, no, "IOMMU group:", NULL, NULL, NULL,
				 false));
	/* Group N becomes 7N: every line wrong. */
	ASSERT_EQ(0, copy_edited(src, wrong, NULL, NULL,
				 "IOMMU group: ", "IOMMU group: 7", true));
	EXPECT_EQ(0, text_mismatches(src, obs));
	EXPECT_EQ(0, text_mismatches(no, obs));
	EXPECT_EQ(0, text_mismatches(wrong, obs));
	unit_rm_tree(dir);
	free(obs);
}

/*
 * Negative control: the ACS lines are read.  Root port 00:02.1 without
 * request redirect in ACSCtl joins its multifunction slot's first port.
 */
TEST(text_record_reads_acs_control)
{
	char dir[] = "/tmp/iog-text.XXXXXX", rr[64];
	const char *src = model_ut_fixture("lspci/q35-acs-intel.vvnn");
	char *obs = strdup(model_ut_fixture("lspci/q35-acs-intel.observed"));

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(rr, sizeof(rr), "%s/rr.vvnn", dir);
	ASSERT_EQ(0,
		  copy_edited(src, rr, NULL, "00:02.1 ",
			      "ACSCtl:\tSrcValid+ TransBlk- ReqRedir+",
			      "ACSCtl:\tSrcValid+ TransBlk- ReqRedir-", false));
	EXPECT_LT(0, text_mismatches(rr, obs));
	unit_rm_tree(dir);
	free(obs);
}

TEST(text_record_errors_name_file_and_line)
{
	char dir[] = "/tmp/iog-text.XXXXXX", p[64], err[MODEL_ERR_LEN];
	struct model *m;

	ASSERT_NE(NULL, mkdtemp(dir));
	/* Without -nn: names, no codes. */
	ASSERT_EQ(0, unit_write(dir, "plain.txt",
				"00:00.0 Host bridge: Intel Corporation "
				"Device [8086:29c0]\n"
				"00:1f.0 ISA bridge: Intel Corporation LPC\n"));
	snprintf(p, sizeof(p), "%s/plain.txt", dir);
	EXPECT_EQ(-1, model_load_dump(&m, p, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "plain.txt:1: ")) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(err, "-nn")) TH_LOG("%s", err);
	/* lspci without root: the capabilities are unknown, not absent. */
	ASSERT_EQ(0, unit_write(dir, "user.txt",
				"00:1c.0 PCI bridge [0604]: Intel Corporation "
				"Device [8086:a110] (rev f0)\n"
				"\tBus: primary=00, secondary=01, "
				"subordinate=01, sec-latency=0\n"
				"\tCapabilities: <access denied>\n\n"));
	snprintf(p, sizeof(p), "%s/user.txt", dir);
	EXPECT_EQ(-1, model_load_dump(&m, p, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "user.txt: ")) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(err, "0000:00:1c.0")) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(err, "not run as root")) TH_LOG("%s", err);
	unit_rm_tree(dir);
}

/*
 * src as lspci without -nn would have printed it: the class's "[cccc]"
 * and the "[vvvv:dddd]" after names dropped, "Device [vvvv:dddd]" (no
 * name in pci.ids) as "Device dddd".
 */
static int strip_nn(const char *src, const char *dst)
{
	FILE *in, *out;
	char line[1024];

	if (open_pair(src, dst, &in, &out))
		return -1;
	while (fgets(line, sizeof(line), in)) {
		char *ids = NULL, *p;
		unsigned int v, d;

		for (p = line; (p = strchr(p, '[')); p++)
			if (sscanf(p, "[%4x:%4x]", &v, &d) == 2 && p[10] == ']')
				ids = p;
		if (ids && ids - line >= 7 && !strncmp(ids - 7, "Device ", 7)) {
			/* "[vvvv:dddd]" to "dddd" */
			memmove(ids, ids + 6, strlen(ids + 6) + 1);
			memmove(ids + 4, ids + 5, strlen(ids + 5) + 1);
		} else if (ids && ids > line)
			memmove(ids - 1, ids + 11, strlen(ids + 11) + 1);
		p = strstr(line, "]: ");
		if (line[0] != '\t' && p && p - line >= 6 && p[-5] == '[')
			memmove(p - 6, p + 1, strlen(p + 1) + 1);
		fputs(line, out);
	}
	fclose(in);
	return fclose(out);
}

/*
 * lspci without -nn prints names only: the IDs are found again through
 * pci.ids and the prediction is the same.  Negative control: a device
 * name no pci.ids holds is refused, naming the line.
 */
TEST(text_record_without_nn_finds_ids_from_names)
{
	char dir[] = "/tmp/iog-text.XXXXXX", names[64], bad[64];
	char err[MODEL_ERR_LEN];
	const char *src = model_ut_fixture("lspci/q35-acs-intel.vvnn");
	char *obs = strdup(model_ut_fixture("lspci/q35-acs-intel.observed"));
	struct model *m;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(names, sizeof(names), "%s/names.vv", dir);
	snprintf(bad, sizeof(bad), "%s/bad.vv", dir);
	ASSERT_EQ(0, strip_nn(src, names));
	ASSERT_EQ(0, copy_edited(names, bad, NULL, NULL,
				 "QEMU PCIe Root port (prog-if",
				 "QEMU PCIe Root Port X (prog-if", false));
	EXPECT_EQ(0, text_mismatches(names, obs));
	EXPECT_EQ(-1, model_load_dump(&m, bad, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "bad.vv:7: ")) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(err, "names no vendor:device"))
	TH_LOG("%s", err);
	unit_rm_tree(dir);
	free(obs);
}

/* Groups of p whose certainty is c. */
static size_t groups_of_certainty(const char *text, enum model_iommu_kind k,
				  enum model_certainty c)
{
	struct model_opts o = {.iommu = k};
	struct model *m = model_ut_boot_dump(text, &o);
	struct model_partition p;
	size_t n = 0;

	if (m && !model_partition(m, &p)) {
		for (size_t i = 0; i < p.nr; i++)
			n += p.groups[i].certainty == c;
		model_partition_free(&p);
	}
	model_free(m);
	return n;
}

/*
 * The platform: QEMU's host bridge subsystem (1af4:1100) makes the group
 * IDs predictable; the same record with a real chipset's subsystem leaves
 * every ID undecidable (the firmware's IOMMU units order the probe), the
 * membership still equal to the kernel's, and on AMD the root complex's
 * group undecidable (the IVRS may leave it out).
 */
TEST(text_record_off_qemu_leaves_ids_and_amd_root_complex_open)
{
	char dir[] = "/tmp/iog-text.XXXXXX", real[64], ids[64], amd[64];
	char swap[64];
	const char *src = model_ut_fixture("lspci/q35-acs-intel.vvnn");
	const char *asrc = model_ut_fixture("lspci/q35-acs-amd.vvnn");
	char *obs = strdup(model_ut_fixture("lspci/q35-acs-intel.observed"));

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(real, sizeof(real), "%s/real.vvnn", dir);
	snprintf(ids, sizeof(ids), "%s/ids.observed", dir);
	snprintf(amd, sizeof(amd), "%s/amd.vvnn", dir);
	snprintf(swap, sizeof(swap), "%s/swap.observed", dir);
	ASSERT_EQ(0, copy_edited(src, real, NULL, NULL, "[1af4:1100]",
				 "[8086:29c0]", false));
	ASSERT_EQ(0, copy_edited(asrc, amd, NULL, NULL, "[1af4:1100]",
				 "[8086:29c0]", false));
	/* The kernel's groups 0 and 1 with their IDs swapped. */
	ASSERT_EQ(0, copy_edited(obs, swap, NULL, NULL, "0: 0000:00:00.0",
				 "0: 0000:00:02.0", false));
	ASSERT_EQ(0, copy_edited(swap, ids, NULL, NULL, "1: 0000:00:02.0",
				 "1: 0000:00:00.0", false));
	EXPECT_EQ(0, groups_of_certainty(src, MODEL_IOMMU_INTEL,
					 MODEL_ID_UNDECIDABLE));
	EXPECT_EQ(12, groups_of_certainty(real, MODEL_IOMMU_INTEL,
					  MODEL_ID_UNDECIDABLE));
	EXPECT_EQ(0, text_mismatches(real, obs));
	/* IDs compared on QEMU's machine only (negative control). */
	EXPECT_EQ(0, text_mismatches(real, ids));
	EXPECT_EQ(2, text_mismatches(src, ids));
	EXPECT_EQ(0, groups_of_certainty(asrc, MODEL_IOMMU_AMD,
					 MODEL_UNDECIDABLE));
	EXPECT_EQ(1,
		  groups_of_certainty(amd, MODEL_IOMMU_AMD, MODEL_UNDECIDABLE));
	unit_rm_tree(dir);
	free(obs);
}

TEST_HARNESS_MAIN
