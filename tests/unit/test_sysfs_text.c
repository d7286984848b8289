// SPDX-License-Identifier: GPL-2.0-only
/*
 * Parsers of sysfs text: reserved_regions, type, versions, expectation files.
 *
 * Unit tests of harness/lib/sysfs*.c's text formats: reserved_regions,
 * type and name, kernel versions, group IDs and BDFs, expectation files,
 * and comparing an expected partition with the kernel's.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "sysfs.h"
#include "sysfs_tree.h"

/* ---- reserved_regions parser (§2.1, §9.6) ----------------------------- */

#define A(x) "0x" x
#define R(s, e, t) A(s) " " A(e) " " t "\n"
#define Z "0000000000000000"

static int resv(const char *text, char *err)
{
	return sysfs_resv_parse(text, strlen(text), NULL, err, SYSFS_ERR_LEN);
}

TEST(resv_good)
{
	struct sysfs_resv_list l;
	char err[SYSFS_ERR_LEN];
	const char *t = R(Z, "0000000000ffffff", "direct-relaxable")
		R("00000000fee00000", "00000000feefffff", "msi")
			R("000000fd00000000", "000000ffffffffff", "reserved");

	ASSERT_EQ(0, sysfs_resv_parse(t, strlen(t), &l, err, sizeof(err)))
	TH_LOG("%s", err);
	ASSERT_EQ(3, l.nr);
	EXPECT_EQ(0xfee00000ULL, l.regions[1].start);
	EXPECT_EQ(0xfeefffffULL, l.regions[1].end);
	EXPECT_EQ(SYSFS_RESV_MSI, l.regions[1].type);
	EXPECT_EQ(SYSFS_RESV_RESERVED, l.regions[2].type);
	EXPECT_EQ(3, l.regions[2].line);
	sysfs_resv_list_free(&l);
	/* Empty is legal (§2.1). */
	ASSERT_EQ(0, sysfs_resv_parse("", 0, &l, err, sizeof(err)));
	EXPECT_EQ(0, l.nr);
	/* Equal starts in type order; different types may overlap. */
	EXPECT_EQ(0,
		  resv(R(Z, "00000000000fffff",
			 "direct") R(Z, "0000000000ffffff", "reserved")
			       R("0000000000001000", "0000000000001fff", "msi"),
		       err))
	TH_LOG("%s", err);
	/* Same type with a gap of one address is not "touching". */
	EXPECT_EQ(0,
		  resv(R(Z, "0000000000000fff", "msi")
			       R("0000000000001001", "0000000000001fff", "msi"),
		       err))
	TH_LOG("%s", err);
	/* Highest address. */
	EXPECT_EQ(0, resv(R("ffffffffffffffff", "ffffffffffffffff", "reserved"),
			  err))
	TH_LOG("%s", err);
}

TEST(resv_bad_grammar)
{
	char err[SYSFS_ERR_LEN];

	EXPECT_EQ(-1, resv("0x00000000FEE00000 0x00000000feefffff msi\n", err));
	EXPECT_HAS(err, "line 1: start '0x00000000FEE00000' is not 0x and 16 "
			"lower-case hex digits");
	EXPECT_EQ(-1, resv("0xfee00000 0x00000000feefffff msi\n", err));
	EXPECT_HAS(err, "line 1: start '0xfee00000'");
	EXPECT_EQ(-1, resv(R(Z, Z, "msi") "0x" Z " 0X" Z " msi\n", err));
	EXPECT_HAS(err, "line 2: end '0X" Z "'");
	EXPECT_EQ(-1, resv("0x" Z " 0x" Z "\n", err));
	EXPECT_HAS(err, "line 1: wanted 'START END TYPE'");
	EXPECT_EQ(-1, resv("0x" Z "  0x" Z " msi\n", err));
	EXPECT_HAS(err, "line 1: end ''");
	EXPECT_EQ(-1, resv("0x" Z " 0x" Z " sw-msi\n", err));
	EXPECT_HAS(err, "line 1: type 'sw-msi' is not "
			"direct|direct-relaxable|reserved|msi");
	EXPECT_EQ(-1, resv("0x" Z " 0x" Z " \n", err));
	EXPECT_HAS(err, "type '' is not");
	EXPECT_EQ(-1, resv(R(Z, Z, "msi") "\n", err));
	EXPECT_HAS(err, "line 2: empty line");
	EXPECT_EQ(-1, sysfs_resv_parse("0x" Z " 0x" Z " msi\0\n", 43, NULL, err,
				       sizeof(err)));
	EXPECT_HAS(err, "line 1: contains a NUL byte");
}

TEST(resv_trailing_garbage)
{
	char err[SYSFS_ERR_LEN];

	EXPECT_EQ(-1, resv("0x" Z " 0x" Z " msi extra\n", err));
	EXPECT_HAS(err,
		   "line 1: trailing characters ' extra' after type 'msi'");
	EXPECT_EQ(-1, resv("0x" Z " 0x" Z " msi \n", err));
	EXPECT_HAS(err, "trailing characters ' ' after type 'msi'");
	EXPECT_EQ(-1, resv("0x" Z " 0x" Z " direct-relaxablex\n", err));
	EXPECT_HAS(err, "after type 'direct-relaxable'");
	EXPECT_EQ(-1, resv("0x" Z " 0x" Z " msi\r\n", err));
	EXPECT_HAS(err, "trailing characters");
}

TEST(resv_missing_newline)
{
	char err[SYSFS_ERR_LEN];

	EXPECT_EQ(-1, resv("0x" Z " 0x" Z " msi", err));
	EXPECT_HAS(err, "line 1: no newline at the end of the file");
	EXPECT_EQ(-1, resv(R(Z, Z, "direct") "0x" Z " 0x" Z " msi", err));
	EXPECT_HAS(err, "line 2: no newline");
}

TEST(resv_start_above_end)
{
	char err[SYSFS_ERR_LEN];

	EXPECT_EQ(-1,
		  resv(R("0000000000002000", "0000000000001fff", "msi"), err));
	EXPECT_HAS(err, "line 1: start 0x0000000000002000 is above end "
			"0x0000000000001fff");
}

TEST(resv_unsorted)
{
	char err[SYSFS_ERR_LEN];

	EXPECT_EQ(-1, resv(R("00000000fee00000", "00000000feefffff", "msi")
				   R(Z, "0000000000ffffff", "direct-relaxable"),
			   err));
	EXPECT_HAS(err, "line 2: not sorted: start 0x0000000000000000 is below "
			"line 1's 0x00000000fee00000");
	/* Equal starts: direct < direct-relaxable < reserved < msi. */
	EXPECT_EQ(-1, resv(R(Z, "0000000000000fff", "msi")
				   R(Z, "0000000000000fff", "reserved"),
			   err));
	EXPECT_HAS(err, "line 2: same start as line 1 but type 'reserved' "
			"sorts before 'msi'");
}

TEST(resv_same_type_overlap)
{
	char err[SYSFS_ERR_LEN];

	EXPECT_EQ(-1, resv(R(Z, "0000000000001fff", "reserved")
				   R("0000000000001000", "0000000000002fff",
				     "reserved"),
			   err));
	EXPECT_HAS(err, "line 2: reserved region overlaps line 1 "
			"(0x0000000000000000-0x0000000000001fff)");
	/* Identical lines overlap too. */
	EXPECT_EQ(-1, resv(R(Z, Z, "msi") R(Z, Z, "msi"), err));
	EXPECT_HAS(err, "line 2: msi region overlaps line 1");
	/* Overlap with an earlier same-type region past a different type. */
	EXPECT_EQ(-1, resv(R(Z, "000000000000ffff", "direct")
				   R("0000000000001000", "0000000000001fff",
				     "msi") R("0000000000002000",
					      "0000000000002fff", "direct"),
			   err));
	EXPECT_HAS(err, "line 3: direct region overlaps line 1");
}

TEST(resv_same_type_adjacent)
{
	char err[SYSFS_ERR_LEN];

	EXPECT_EQ(-1, resv(R(Z, "0000000000000fff", "direct")
				   R("0000000000001000", "0000000000001fff",
				     "direct"),
			   err));
	EXPECT_HAS(err, "line 2: direct region touches line 1 "
			"(0x0000000000000000-0x0000000000000fff); adjacent "
			"same-type regions are merged");
	/* Adjacent regions of different types stay apart (§2.1). */
	EXPECT_EQ(0, resv(R(Z, "0000000000000fff", "direct")
				  R("0000000000001000", "0000000000001fff",
				    "direct-relaxable"),
			  err))
	TH_LOG("%s", err);
}

/* ---- type and name (§9.7, §2.3) --------------------------------------- */

TEST(type_words)
{
	static const char *const good[] = {"blocked\n",	  "identity\n",
					   "unmanaged\n", "DMA\n",
					   "DMA-FQ\n",	  "unknown\n"};
	static const char *const bad[] = {"",	    "\n",     "DMA",
					  "dma\n",  "DMA \n", "DMA\n\n",
					  " DMA\n", "auto\n", "DMA-FQX\n"};
	char err[SYSFS_ERR_LEN];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		EXPECT_EQ(0, sysfs_type_check(good[i], strlen(good[i]), err,
					      sizeof(err)))
		TH_LOG("'%s': %s", good[i], err);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, sysfs_type_check(bad[i], strlen(bad[i]), err,
					       sizeof(err)))
		TH_LOG("'%s' accepted", bad[i]);
	}
	EXPECT_EQ(-1, sysfs_type_check("DMA\0\n", 5, err, sizeof(err)));
	EXPECT_HAS(err, "NUL");
	EXPECT_EQ(-1, sysfs_type_check("DMA\nDMA\n", 8, err, sizeof(err)));
	EXPECT_HAS(err, "more than one line");
}

TEST(name_lines)
{
	char err[SYSFS_ERR_LEN];

	EXPECT_EQ(0, sysfs_name_check("vfio-noiommu\n", 13, err, sizeof(err)));
	EXPECT_EQ(-1, sysfs_name_check("vfio-noiommu", 12, err, sizeof(err)));
	EXPECT_HAS(err, "no trailing newline");
	EXPECT_EQ(-1, sysfs_name_check("a\nb\n", 4, err, sizeof(err)));
	EXPECT_EQ(-1, sysfs_name_check("", 0, err, sizeof(err)));
}

/* ---- versions, IDs, BDFs ------------------------------------------------ */

TEST(kernel_versions)
{
	static const struct {
		const char *s;
		int major, minor;
	} good[] = {
		{"6.12.117+deb12-amd64", 6, 12},
		{"6.1.0-56-amd64", 6, 1},
		{"6.13.0-rc1", 6, 13},
		{"4.11", 4, 11},
		{"5.10.0_custom", 5, 10},
		{"6.18.44-fc-v657", 6, 18},
		{"3.5.0", 3, 5},
	};
	static const char *const bad[] = {"",	  "abc",     "6",      "6.",
					  ".1",	  "6.x",     "6.1abc", "v6.1",
					  " 6.1", "123456.1"};
	struct sysfs_kver v;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ASSERT_EQ(0, sysfs_kver_parse(good[i].s, &v))
		TH_LOG("'%s' rejected", good[i].s);
		EXPECT_EQ(good[i].major, v.major);
		EXPECT_EQ(good[i].minor, v.minor);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, sysfs_kver_parse(bad[i], &v))
		TH_LOG("'%s' accepted", bad[i]);
	}
	EXPECT_EQ(-1, sysfs_kver_parse(NULL, &v));
}

TEST(kernel_features)
{
	struct sysfs_kver v;

	ASSERT_EQ(0, sysfs_kver_parse("4.10.17", &v));
	EXPECT_FALSE(sysfs_kver_has(&v, SYSFS_FEAT_RESERVED_REGIONS));
	ASSERT_EQ(0, sysfs_kver_parse("4.11.0", &v));
	EXPECT_TRUE(sysfs_kver_has(&v, SYSFS_FEAT_RESERVED_REGIONS));
	EXPECT_FALSE(sysfs_kver_has(&v, SYSFS_FEAT_TYPE));
	ASSERT_EQ(0, sysfs_kver_parse("5.10.209-1", &v));
	EXPECT_FALSE(sysfs_kver_has(&v, SYSFS_FEAT_TYPE));
	ASSERT_EQ(0, sysfs_kver_parse("5.11.0-rc1", &v));
	EXPECT_TRUE(sysfs_kver_has(&v, SYSFS_FEAT_TYPE));
	ASSERT_EQ(0, sysfs_kver_parse("6.1.0-56-amd64", &v));
	EXPECT_TRUE(sysfs_kver_has(&v, SYSFS_FEAT_TYPE));
	EXPECT_TRUE(sysfs_kver_has(&v, SYSFS_FEAT_RESERVED_REGIONS));
	ASSERT_EQ(0, sysfs_kver_parse("10.0", &v));
	EXPECT_TRUE(sysfs_kver_has(&v, SYSFS_FEAT_TYPE));
	EXPECT_STREQ("reserved_regions",
		     sysfs_feature_name(SYSFS_FEAT_RESERVED_REGIONS));
}

TEST(kernel_running_override)
{
	char release[64];
	struct sysfs_kver v;

	ASSERT_EQ(0, setenv("IOG_KERNEL_RELEASE", "4.9.0-19-amd64", 1));
	ASSERT_EQ(0, sysfs_kver_running(&v, release, sizeof(release)));
	EXPECT_STREQ("4.9.0-19-amd64", release);
	EXPECT_EQ(9, v.minor);
	ASSERT_EQ(0, setenv("IOG_KERNEL_RELEASE", "garbage", 1));
	EXPECT_EQ(-1, sysfs_kver_running(&v, release, sizeof(release)));
	ASSERT_EQ(0, unsetenv("IOG_KERNEL_RELEASE"));
	EXPECT_EQ(0, sysfs_kver_running(&v, release, sizeof(release)))
	TH_LOG("uname -r '%s' not parsed", release);
}

TEST(group_id_names)
{
	bool canon;

	EXPECT_EQ(0, sysfs_group_id_parse("0", &canon));
	EXPECT_TRUE(canon);
	EXPECT_EQ(42, sysfs_group_id_parse("42", &canon));
	EXPECT_TRUE(canon);
	EXPECT_EQ(42, sysfs_group_id_parse("042", &canon));
	EXPECT_FALSE(canon);
	EXPECT_EQ(0, sysfs_group_id_parse("00", &canon));
	EXPECT_FALSE(canon);
	EXPECT_EQ(-1, sysfs_group_id_parse("", &canon));
	EXPECT_EQ(-1, sysfs_group_id_parse("-1", &canon));
	EXPECT_EQ(-1, sysfs_group_id_parse("1a", &canon));
	EXPECT_EQ(-1, sysfs_group_id_parse("2147483648", &canon));
	EXPECT_EQ(2147483647, sysfs_group_id_parse("2147483647", &canon));
}

TEST(bdf_names)
{
	char out[32];

	EXPECT_TRUE(sysfs_is_bdf("0000:00:1f.2"));
	EXPECT_TRUE(sysfs_is_bdf("10000:e1:00.7"));
	EXPECT_FALSE(sysfs_is_bdf("0000:00:1F.2"));
	EXPECT_FALSE(sysfs_is_bdf("0000:00:20.0"));
	EXPECT_FALSE(sysfs_is_bdf("0000:00:1f.8"));
	EXPECT_FALSE(sysfs_is_bdf("00:1f.2"));
	EXPECT_FALSE(sysfs_is_bdf("0000:00:1f.2.1"));
	EXPECT_FALSE(sysfs_is_bdf("pci0000:00"));
	EXPECT_FALSE(sysfs_is_bdf(""));
	ASSERT_TRUE(sysfs_bdf_normalize("00:1F.2", out, sizeof(out)));
	EXPECT_STREQ("0000:00:1f.2", out);
	ASSERT_TRUE(sysfs_bdf_normalize("0000:04:01.0", out, sizeof(out)));
	EXPECT_STREQ("0000:04:01.0", out);
	EXPECT_FALSE(sysfs_bdf_normalize("1f.2", out, sizeof(out)));
	EXPECT_FALSE(sysfs_bdf_normalize("0000:00:1f.2", out, 5));
}

/* ---- expectation file and partition comparison ------------------------ */

static int expect_text(const char *text, struct sysfs_expect *e, char *err)
{
	return sysfs_expect_parse(text, strlen(text), e, err, SYSFS_ERR_LEN);
}

TEST(expect_parse)
{
	struct sysfs_expect e;
	char err[SYSFS_ERR_LEN];

	ASSERT_EQ(0,
		  expect_text("# header\n"
			      "group 0000:04:02.0 03:00.0\t0000:04:01.0 # x\n"
			      "\n   \n"
			      "nogroup 0000:00:01.0",
			      &e, err))
	TH_LOG("%s", err);
	ASSERT_EQ(1, e.groups.nr);
	EXPECT_EQ(2, e.groups.groups[0].id);
	ASSERT_EQ(3, e.groups.groups[0].nr);
	EXPECT_STREQ("0000:03:00.0", e.groups.groups[0].bdfs[0]);
	EXPECT_STREQ("0000:04:02.0", e.groups.groups[0].bdfs[2]);
	ASSERT_EQ(1, e.nr_nogroup);
	EXPECT_STREQ("0000:00:01.0", e.nogroup[0]);
	sysfs_expect_free(&e);

	EXPECT_EQ(-1, expect_text("group 0000:00:00.0\ngrop 0000:00:01.0\n", &e,
				  err));
	EXPECT_HAS(err, "line 2: unknown statement 'grop'");
	EXPECT_EQ(-1,
		  expect_text("group 0000:00:00.0 0000:00:1g.0\n", &e, err));
	EXPECT_HAS(err, "line 1: '0000:00:1g.0' is not a PCI address");
	EXPECT_EQ(-1, expect_text("group 00:00.0\nnogroup 0000:00:00.0\n", &e,
				  err));
	EXPECT_HAS(err, "line 2: 0000:00:00.0 already declared on line 1");
	EXPECT_EQ(-1, expect_text("group 00:02.0 00:02.0\n", &e, err));
	EXPECT_HAS(err, "already declared on line 1");
	EXPECT_EQ(-1, expect_text("group # nothing\n", &e, err));
	EXPECT_HAS(err, "line 1: group without a PCI address");
	EXPECT_EQ(-1, sysfs_expect_parse("group\0", 6, &e, err, sizeof(err)));
	/* A '#' inside a token is no comment: the token is bad. */
	EXPECT_EQ(-1, expect_text("group 0000:00:00.0#c\n", &e, err));
	/* Nothing declared is valid; the suite decides what that means. */
	ASSERT_EQ(0, expect_text("# nothing here\n", &e, err));
	EXPECT_EQ(0, e.groups.nr);
	sysfs_expect_free(&e);
}

TEST(expect_load_missing)
{
	struct sysfs_expect e;
	char err[SYSFS_ERR_LEN];

	EXPECT_EQ(-1, sysfs_expect_load("/nonexistent/iog/expect", &e, err,
					sizeof(err)));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, sysfs_expect_load("/", &e, err, sizeof(err)));
	EXPECT_NE(ENOENT, errno);
}

/* Build a partition from "id:bdf,bdf;id:bdf" for comparisons. */
static void part_of(const char *spec, struct sysfs_partition *p)
{
	char *copy = strdup(spec), *save, *g;

	memset(p, 0, sizeof(*p));
	p->groups = calloc(16, sizeof(*p->groups));
	for (g = strtok_r(copy, ";", &save); g;
	     g = strtok_r(NULL, ";", &save)) {
		struct sysfs_pgroup *pg = &p->groups[p->nr++];
		char *s2, *b;

		pg->id = strtol(g, &b, 10);
		pg->bdfs = calloc(16, sizeof(*pg->bdfs));
		for (b = strtok_r(b + 1, ",", &s2); b;
		     b = strtok_r(NULL, ",", &s2))
			pg->bdfs[pg->nr++] = strdup(b);
	}
	free(copy);
}

TEST(partition_compare)
{
	struct sysfs_partition exp, ker;
	struct sysfs_problems p = {0};

	part_of("1:0000:00:02.0,0000:00:02.1;"
		"2:0000:03:00.0,0000:04:01.0,0000:04:02.0;"
		"3:0000:05:00.0",
		&exp);
	part_of("1:0000:00:02.0;2:0000:00:02.1;"
		"10:0000:03:00.0,0000:04:01.0,0000:04:02.0,0000:04:03.0;"
		"11:0000:05:00.0;12:0000:06:00.0",
		&ker);
	EXPECT_EQ(3, sysfs_check_declared_groups(&exp, &ker, &p));
	ASSERT_EQ(2, p.nr);
	EXPECT_STREQ("expected group {0000:00:02.0 0000:00:02.1}: kernel has "
		     "group 1 {0000:00:02.0}, group 2 {0000:00:02.1}",
		     p.msg[0]);
	EXPECT_STREQ("expected group {0000:03:00.0 0000:04:01.0 0000:04:02.0}: "
		     "kernel has group 10 {0000:03:00.0 0000:04:01.0 "
		     "0000:04:02.0 0000:04:03.0}",
		     p.msg[1]);
	sysfs_problems_free(&p);
	EXPECT_EQ(8, sysfs_check_groups_declared(&exp, &ker, &p));
	ASSERT_EQ(2, p.nr);
	EXPECT_HAS(p.msg[0],
		   "kernel group 10 {0000:03:00.0 0000:04:01.0 0000:04:02.0 "
		   "0000:04:03.0}: 0000:04:03.0 not in any expected group");
	EXPECT_HAS(p.msg[1], "kernel group 12 {0000:06:00.0}: 0000:06:00.0 not "
			     "in any expected group");
	sysfs_problems_free(&p);
	sysfs_partition_free(&ker);

	/* Members the kernel did not group at all. */
	part_of("10:0000:03:00.0", &ker);
	sysfs_check_declared_groups(&exp, &ker, &p);
	ASSERT_EQ(3, p.nr);
	EXPECT_STREQ("expected group {0000:03:00.0 0000:04:01.0 0000:04:02.0}: "
		     "kernel has group 10 {0000:03:00.0}, 0000:04:01.0 in no "
		     "group, 0000:04:02.0 in no group",
		     p.msg[1]);
	sysfs_problems_free(&p);
	sysfs_partition_free(&ker);

	part_of("7:0000:00:02.0,0000:00:02.1;"
		"8:0000:03:00.0,0000:04:01.0,0000:04:02.0;9:0000:05:00.0",
		&ker);
	EXPECT_EQ(3, sysfs_check_declared_groups(&exp, &ker, &p));
	EXPECT_EQ(6, sysfs_check_groups_declared(&exp, &ker, &p));
	EXPECT_EQ(0, sysfs_problems_count(&p));
	sysfs_partition_free(&ker);
	sysfs_partition_free(&exp);
}

TEST_HARNESS_MAIN
