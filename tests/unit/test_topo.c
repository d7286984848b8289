// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the topology parser (harness/lib/topo.c).  Run from the
 * repository root: fixtures are read from tests/fixtures/topo/.
 */
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "topo.h"

/* Leaks are checked inside each test: the harness child exits with _exit(). */
extern int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

static int leaks(void)
{
	return __lsan_do_recoverable_leak_check
		       ? __lsan_do_recoverable_leak_check()
		       : 0;
}

/* The error for text parsed as fname, or "(parsed)". */
static const char *perr(const char *fname, const char *text, size_t len)
{
	static char err[TOPO_ERR_LEN];
	struct topo t;

	if (!topo_parse_buf(fname, text, len, &t, err, sizeof(err))) {
		topo_free(&t);
		return "(parsed)";
	}
	topo_free(&t);
	return err;
}

#define PERR(text) perr("bad.topo", text, strlen(text))

TEST(full_file)
{
	static const char *const append[] = {"intel_iommu=on", "console=ttyS0",
					     "loglevel=7", "iommu.strict=1"};
	static const char *const modules[] = {"nvme", "e1000e", "vfio-pci"};
	char err[TOPO_ERR_LEN] = "";
	struct topo t;

	ASSERT_EQ(0, topo_parse_file("tests/fixtures/topo/full.topo", &t, err,
				     sizeof(err)))
	TH_LOG("%s", err);
	EXPECT_STREQ("", err);
	EXPECT_STREQ("full-test_1.0", t.name);
	EXPECT_STREQ("q35,kernel-irqchip=split", t.machine);
	EXPECT_EQ(TOPO_IOMMU_INTEL, t.iommu);
	EXPECT_STREQ("intel-iommu,intremap=on,device-iotlb=on", t.iommu_device);
	EXPECT_EQ(2048, t.memory_mib);
	EXPECT_EQ(4, t.smp);
	EXPECT_STREQ("host", t.cpu);
	EXPECT_EQ(300, t.timeout_s);
	ASSERT_EQ(4, t.append.n);
	for (size_t i = 0; i < 4; i++) {
		EXPECT_STREQ(append[i], t.append.v[i]);
	}
	ASSERT_EQ(3, t.modules.n);
	for (size_t i = 0; i < 3; i++) {
		EXPECT_STREQ(modules[i], t.modules.v[i]);
	}
	ASSERT_EQ(3, t.devices.n);
	EXPECT_STREQ("pcie-root-port,id=rp1,bus=pcie.0,chassis=1,addr=0x2.0",
		     t.devices.v[0]);
	EXPECT_STREQ("e1000e,bus=rp1", t.devices.v[1]);
	/* '#' inside a token is not a comment. */
	EXPECT_STREQ("nvme,drive=d0,serial=x#1,bus=pcie.0", t.devices.v[2]);
	ASSERT_EQ(2, t.ndrives);
	EXPECT_STREQ("d0", t.drives[0].id);
	EXPECT_EQ(64ULL << 20, t.drives[0].bytes);
	EXPECT_EQ(15, t.drives[0].line);
	EXPECT_STREQ("scratch.1", t.drives[1].id);
	EXPECT_EQ(4096, t.drives[1].bytes);
	ASSERT_EQ(2, t.suites.n);
	EXPECT_STREQ("sysfs_layout", t.suites.v[0]);
	EXPECT_STREQ("groups", t.suites.v[1]);
	ASSERT_EQ(2, t.ngroups);
	ASSERT_EQ(1, t.groups[0].bdfs.n);
	EXPECT_STREQ("0000:00:00.0", t.groups[0].bdfs.v[0]);
	EXPECT_EQ(21, t.groups[0].line);
	ASSERT_EQ(2, t.groups[1].bdfs.n);
	EXPECT_STREQ("0000:00:02.0", t.groups[1].bdfs.v[0]);
	EXPECT_STREQ("0000:01:00.0", t.groups[1].bdfs.v[1]);
	ASSERT_EQ(1, t.nogroup.n);
	EXPECT_STREQ("0000:00:1f.3", t.nogroup.v[0]);
	topo_free(&t);
	ASSERT_EQ(0, leaks());
}

TEST(defaults_and_crlf)
{
	char err[TOPO_ERR_LEN];
	struct topo t;

	ASSERT_EQ(0, topo_parse_file("tests/fixtures/topo/minimal.topo", &t,
				     err, sizeof(err)))
	TH_LOG("%s", err);
	EXPECT_STREQ("minimal", t.name);
	EXPECT_STREQ("pc", t.machine);
	EXPECT_EQ(TOPO_IOMMU_NONE, t.iommu);
	EXPECT_NULL(t.iommu_device);
	EXPECT_EQ(1024, t.memory_mib);
	EXPECT_EQ(1, t.smp);
	EXPECT_STREQ("max", t.cpu);
	EXPECT_EQ(0, t.timeout_s);
	EXPECT_EQ(0, t.append.n);
	EXPECT_EQ(0, t.modules.n);
	EXPECT_EQ(0, t.devices.n);
	EXPECT_EQ(0, t.ndrives);
	EXPECT_EQ(0, t.suites.n);
	EXPECT_EQ(0, t.ngroups);
	topo_free(&t);
	/* A second free of an emptied topology is harmless. */
	topo_free(&t);
	ASSERT_EQ(0, leaks());
}

TEST(iommu_kinds)
{
	const char *amd = "machine q35\niommu amd\n";
	const char *virtio =
		"machine q35\nmodules e1000 virtio_iommu\niommu virtio\n";
	const char *virtio_opts = "machine q35\niommu virtio x=1\n";
	char err[TOPO_ERR_LEN];
	struct topo t;

	ASSERT_EQ(0, topo_parse_buf("a.topo", amd, strlen(amd), &t, err,
				    sizeof(err)));
	EXPECT_STREQ("amd-iommu,intremap=on", t.iommu_device);
	ASSERT_EQ(1, t.append.n);
	EXPECT_STREQ("amd_iommu=on", t.append.v[0]);
	EXPECT_STREQ("amd", topo_iommu_name(t.iommu));
	topo_free(&t);

	ASSERT_EQ(0, topo_parse_buf("v.topo", virtio, strlen(virtio), &t, err,
				    sizeof(err)));
	EXPECT_STREQ("virtio-iommu-pci", t.iommu_device);
	EXPECT_EQ(0, t.append.n);
	/* The IOMMU's module comes first and is not repeated. */
	ASSERT_EQ(2, t.modules.n);
	EXPECT_STREQ("virtio_iommu", t.modules.v[0]);
	EXPECT_STREQ("e1000", t.modules.v[1]);
	topo_free(&t);

	ASSERT_EQ(0, topo_parse_buf("v.topo", virtio_opts, strlen(virtio_opts),
				    &t, err, sizeof(err)));
	EXPECT_STREQ("virtio-iommu-pci,x=1", t.iommu_device);
	topo_free(&t);

	ASSERT_EQ(0, topo_parse_buf("i.topo", "machine q35\niommu intel", 23,
				    &t, err, sizeof(err)));
	EXPECT_STREQ("intel-iommu,intremap=on,caching-mode=on", t.iommu_device);
	ASSERT_EQ(1, t.append.n);
	EXPECT_STREQ("intel_iommu=on", t.append.v[0]);
	topo_free(&t);
	ASSERT_EQ(0, leaks());
}

TEST(name_from_file)
{
	const char *ok = "machine pc\niommu none\n";

	EXPECT_STREQ("(parsed)", perr("topologies/q35-x.topo", ok, strlen(ok)));
	EXPECT_STREQ("dir/bad name.topo: cannot use 'bad name' from the file "
		     "name as the run name; add 'name NAME'",
		     perr("dir/bad name.topo", ok, strlen(ok)));
	EXPECT_STREQ("(parsed)", perr("dir/bad name.topo",
				      "name good\nmachine pc\n"
				      "iommu none\n",
				      31));
	ASSERT_EQ(0, leaks());
}

TEST(statement_errors)
{
	static const struct {
		const char *in, *err;
	} cases[] = {
		{"machine q35\niommu intel\ndevcie x\n",
		 "bad.topo:3: unknown statement 'devcie'"},
		{"Machine q35\n", "bad.topo:1: unknown statement 'Machine'"},
		{"devi\001ce x\n", "bad.topo:1: unknown statement 'devi?ce'"},
		{"machine\n", "bad.topo:1: 'machine' needs an argument"},
		{"machine q35 extra\n",
		 "bad.topo:1: 'machine' takes 1 argument, extra 'extra'"},
		{"machine a\n# c\nmachine b\n",
		 "bad.topo:3: 'machine' is already given at line 1"},
		{"iommu intel\niommu amd\n",
		 "bad.topo:2: 'iommu' is already given at line 1"},
		{"iommu arm\n", "bad.topo:1: unknown iommu 'arm' (want intel, "
				"amd, virtio or none)"},
		{"iommu none x\n", "bad.topo:1: 'iommu none' takes no options"},
		{"iommu intel a b\n",
		 "bad.topo:1: 'iommu' takes at most 2 arguments, extra 'b'"},
		{"iommu intel ,a\n", "bad.topo:1: bad iommu options ',a'"},
		{"iommu\n", "bad.topo:1: 'iommu' needs at least 1 argument"},
		{"iommu none\n", "bad.topo: missing 'machine' statement"},
		{"machine pc\n\n", "bad.topo: missing 'iommu' statement"},
		{"name a\nname b\n",
		 "bad.topo:2: 'name' is already given at line 1"},
		{"name a/b\n",
		 "bad.topo:1: bad name 'a/b' (want [A-Za-z0-9._-]+)"},
		{"memory 1\nmemory 2\n",
		 "bad.topo:2: 'memory' is already given at line 1"},
		{"smp 1\nsmp 1\n",
		 "bad.topo:2: 'smp' is already given at line 1"},
		{"cpu a\ncpu b\n",
		 "bad.topo:2: 'cpu' is already given at line 1"},
		{"timeout 1\ntimeout 1\n",
		 "bad.topo:2: 'timeout' is already given at line 1"},
		{"append\n", "bad.topo:1: 'append' needs at least 1 argument"},
		{"modules nv+me\n", "bad.topo:1: bad module name 'nv+me' "
				    "(want [A-Za-z0-9_-]+)"},
		{"modules\n",
		 "bad.topo:1: 'modules' needs at least 1 argument"},
		{"suites a,b\n", "bad.topo:1: bad suite name 'a,b' "
				 "(want [A-Za-z0-9._-]+)"},
		{"suites grouping\nsuites teardown\n",
		 "bad.topo:2: 'suites' is already given at line 1"},
		{"qemu-trace pci_nvme;x\n",
		 "bad.topo:1: bad trace event name 'pci_nvme;x' "
		 "(want [A-Za-z0-9_*]+)"},
		{"qemu-trace\n",
		 "bad.topo:1: 'qemu-trace' needs at least 1 argument"},
		{"-device\n", "bad.topo:1: '-device' needs an argument"},
		{"device\n", "bad.topo:1: 'device' needs an argument"},
		{"-device ,bus=x\n", "bad.topo:1: '-device' value ',bus=x' "
				     "names no device driver"},
		{"device e1000 bus=x\n",
		 "bad.topo:1: 'device' takes 1 argument, extra 'bus=x'"},
		{"expect-group\n",
		 "bad.topo:1: 'expect-group' needs at least 1 argument"},
		{"expect-nogroup\n",
		 "bad.topo:1: 'expect-nogroup' needs an argument"},
		{"expect-nogroup 00:00.0 00:01.0\n",
		 "bad.topo:1: 'expect-nogroup' takes 1 argument, extra "
		 "'00:01.0'"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EXPECT_STREQ(cases[i].err, PERR(cases[i].in))
		TH_LOG("case %zu", i);
	}
	ASSERT_EQ(0, leaks());
}

TEST(number_errors)
{
	static const struct {
		const char *in, *err;
	} cases[] = {
		{"memory abc", "bad number 'abc' for 'memory' (want 1 to "
			       "1048576)"},
		{"memory 0", "bad number '0' for 'memory' (want 1 to 1048576)"},
		{"memory 1048577",
		 "bad number '1048577' for 'memory' (want 1 to 1048576)"},
		{"memory 99999999999999999999999999",
		 "bad number '99999999999999999999999999' for 'memory' "
		 "(want 1 to 1048576)"},
		{"memory +5", "bad number '+5' for 'memory' (want 1 to "
			      "1048576)"},
		{"smp -1", "bad number '-1' for 'smp' (want 1 to 1024)"},
		{"smp 0x2", "bad number '0x2' for 'smp' (want 1 to 1024)"},
		{"timeout 0", "bad number '0' for 'timeout' (want 1 to 86400)"},
		{"timeout 1.5",
		 "bad number '1.5' for 'timeout' (want 1 to 86400)"},
	};
	char buf[256], want[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(buf, sizeof(buf), "machine pc\niommu none\n%s\n",
			 cases[i].in);
		snprintf(want, sizeof(want), "bad.topo:3: %s", cases[i].err);
		EXPECT_STREQ(want, PERR(buf)) TH_LOG("case %zu", i);
	}
	EXPECT_STREQ("(parsed)",
		     PERR("machine pc\niommu none\nmemory 1048576\nsmp 1024\n"
			  "timeout 86400\n"));
	EXPECT_STREQ("(parsed)", PERR("machine pc\niommu none\nmemory 0001\n"));
	ASSERT_EQ(0, leaks());
}

TEST(drive_errors)
{
	static const char *const bad_sizes[] = {
		"0",   "0M",   "65G", "1T",	     "M",
		"-1",  "1.5G", "",    "68719476737", "99999999999999999999G",
		"1MB",
	};
	char buf[256], want[256];

	for (size_t i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		if (!bad_sizes[i][0])
			continue;
		snprintf(buf, sizeof(buf),
			 "machine pc\niommu none\ndrive d0 %s\n", bad_sizes[i]);
		snprintf(want, sizeof(want),
			 "bad.topo:3: bad drive size '%s' (want 1 byte to 64G, "
			 "bytes or a K, M or G suffix)",
			 bad_sizes[i]);
		EXPECT_STREQ(want, PERR(buf)) TH_LOG("size %s", bad_sizes[i]);
	}
	EXPECT_STREQ(
		"bad.topo:4: drive 'd0' is already declared at line 3",
		PERR("machine pc\niommu none\ndrive d0 1M\ndrive d0 2M\n"));
	EXPECT_STREQ("bad.topo:1: bad drive id '0d' (want a letter, then "
		     "[A-Za-z0-9._-])",
		     PERR("drive 0d 1M\n"));
	EXPECT_STREQ("bad.topo:1: bad drive id 'a,b' (want a letter, then "
		     "[A-Za-z0-9._-])",
		     PERR("drive a,b 1M\n"));
	EXPECT_STREQ("bad.topo:1: 'drive' needs at least 2 arguments",
		     PERR("drive d0\n"));
	EXPECT_STREQ("bad.topo:1: 'drive' takes 2 arguments, extra 'x'",
		     PERR("drive d0 1M x\n"));

	{
		const char *ok = "machine pc\niommu none\ndrive a 64G\n"
				 "drive b 68719476736\ndrive c 1k\ndrive d 1\n";
		char err[TOPO_ERR_LEN];
		struct topo t;

		ASSERT_EQ(0, topo_parse_buf("ok.topo", ok, strlen(ok), &t, err,
					    sizeof(err)))
		TH_LOG("%s", err);
		ASSERT_EQ(4, t.ndrives);
		EXPECT_EQ(64ULL << 30, t.drives[0].bytes);
		EXPECT_EQ(64ULL << 30, t.drives[1].bytes);
		EXPECT_EQ(1024, t.drives[2].bytes);
		EXPECT_EQ(1, t.drives[3].bytes);
		topo_free(&t);
	}
	ASSERT_EQ(0, leaks());
}

TEST(bdf_errors)
{
	static const char *const bad[] = {
		"00:1g.0",	 "100:00.0", "00:20.0",	  "00:00.8",
		"10000:00:00.0", "00:00",    "0:0:0:0.0", "00:00.0x",
		":00.0",	 "00:.0",    "00:00.",	  "0000:00:00:0",
		"00:00.00",	 "-1:00.0",  "00 :00.0",
	};
	char buf[256], want[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf),
			 "machine pc\niommu none\nexpect-group 00:00.0 %s\n",
			 bad[i]);
		snprintf(
			want, sizeof(want),
			"bad.topo:3: bad BDF '%s' (want DDDD:BB:DD.F or BB:DD.F)",
			bad[i]);
		/* "00 :00.0" splits into two tokens: the first is bad. */
		if (!strcmp(bad[i], "00 :00.0"))
			snprintf(want, sizeof(want),
				 "bad.topo:3: bad BDF '00' (want DDDD:BB:DD.F "
				 "or BB:DD.F)");
		EXPECT_STREQ(want, PERR(buf)) TH_LOG("bdf %s", bad[i]);
	}
	ASSERT_EQ(0, leaks());
}

TEST(duplicate_bdfs)
{
	EXPECT_STREQ("bad.topo:4: 0000:01:00.0 is already declared at line 3",
		     PERR("machine pc\niommu none\n"
			  "expect-group 00:02.0 01:00.0\n"
			  "expect-nogroup 0000:01:00.0\n"));
	EXPECT_STREQ("bad.topo:5: 0000:0a:1f.7 is already declared at line 3",
		     PERR("machine pc\niommu none\n"
			  "expect-nogroup 0A:1F.7\nexpect-group 00:00.0\n"
			  "expect-group 00:01.0 0000:0a:1f.7\n"));
	EXPECT_STREQ("bad.topo:1: 0000:00:00.0 is already declared at line 1",
		     PERR("expect-group 00:00.0 0:0:0.0\n"));
	EXPECT_STREQ("bad.topo:2: 0000:00:00.0 is already declared at line 1",
		     PERR("expect-nogroup 00:00.0\nexpect-nogroup 00:00.0\n"));
	/* Same bus/dev/fn in another domain is another device. */
	EXPECT_STREQ("(parsed)", PERR("machine pc\niommu none\n"
				      "expect-group 00:00.0 0001:00:00.0\n"));
	ASSERT_EQ(0, leaks());
}

TEST(bdf_normalisation)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"00:1F.3", "0000:00:1f.3"},
		{"0000:0A:00.0", "0000:0a:00.0"},
		{"1:2.3", "0000:01:02.3"},
		{"1:0:0.0", "0001:00:00.0"},
		{"ffff:ff:1f.7", "ffff:ff:1f.7"},
		{"ABCD:EF:1e.6", "abcd:ef:1e.6"},
	};
	char out[13];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ASSERT_EQ(0, topo_parse_bdf(cases[i].in, out));
		EXPECT_STREQ(cases[i].out, out);
	}
	ASSERT_EQ(-1, topo_parse_bdf("", out));
	ASSERT_EQ(-1, topo_parse_bdf("0000:00:00.0 ", out));
}

TEST(nul_byte)
{
	static const char in[] = "machine pc\niommu none\nmem\0ory 5\n";

	EXPECT_STREQ("bad.topo:3: NUL byte in line",
		     perr("bad.topo", in, sizeof(in) - 1));
	/* A NUL in a comment is still refused: the file is not text. */
	EXPECT_STREQ("bad.topo:1: NUL byte in line",
		     perr("bad.topo", "# \0\n", 4));
	ASSERT_EQ(0, leaks());
}

TEST(line_length)
{
	char *buf = malloc(2 * TOPO_LINE_MAX);

	ASSERT_NE(NULL, buf);
	/* Exactly TOPO_LINE_MAX bytes is fine ... */
	memcpy(buf, "machine pc\n#", 12);
	memset(buf + 12, 'x', TOPO_LINE_MAX - 1);
	memcpy(buf + 11 + TOPO_LINE_MAX, "\niommu none\n", 12);
	EXPECT_STREQ("(parsed)",
		     perr("bad.topo", buf, 11 + TOPO_LINE_MAX + 12));
	/* ... one more is not, with or without a final newline. */
	memset(buf + 12, 'x', TOPO_LINE_MAX);
	buf[12 + TOPO_LINE_MAX] = '\n';
	EXPECT_STREQ("bad.topo:2: line longer than 4096 bytes",
		     perr("bad.topo", buf, 13 + TOPO_LINE_MAX));
	EXPECT_STREQ("bad.topo:2: line longer than 4096 bytes",
		     perr("bad.topo", buf, 12 + TOPO_LINE_MAX));
	free(buf);
	ASSERT_EQ(0, leaks());
}

TEST(missing_file)
{
	char err[TOPO_ERR_LEN];
	struct topo t;

	ASSERT_EQ(-1, topo_parse_file("tests/fixtures/topo/no-such.topo", &t,
				      err, sizeof(err)));
	EXPECT_STREQ("tests/fixtures/topo/no-such.topo: cannot open: No such "
		     "file or directory",
		     err);
	topo_free(&t);
	ASSERT_EQ(-1,
		  topo_parse_file("tests/fixtures/topo", &t, err, sizeof(err)));
	EXPECT_STREQ("tests/fixtures/topo: cannot read: Is a directory", err);
	ASSERT_EQ(0, leaks());
}

TEST(small_error_buffer)
{
	char err[8];
	struct topo t;

	ASSERT_EQ(-1, topo_parse_buf("long-file-name.topo", "x\n", 2, &t, err,
				     sizeof(err)));
	EXPECT_STREQ("long-fi", err);
	ASSERT_EQ(-1, topo_parse_buf("f", "x\n", 2, &t, NULL, 0));
	ASSERT_EQ(-1, topo_parse_buf("f", NULL, 0, &t, err, sizeof(err)));
	EXPECT_STREQ("f: miss", err);
	ASSERT_EQ(0, leaks());
}

TEST(qemu_args)
{
	static const char *const want[] = {
		"-machine",
		"q35,kernel-irqchip=split",
		"-m",
		"2048",
		"-smp",
		"4",
		"-cpu",
		"host",
		"-device",
		"intel-iommu,intremap=on,device-iotlb=on",
		"-device",
		"pcie-root-port,id=rp1,bus=pcie.0,chassis=1,addr=0x2.0",
		"-device",
		"e1000e,bus=rp1",
		"-device",
		"nvme,drive=d0,serial=x#1,bus=pcie.0",
	};
	struct topo_strv q;
	char err[TOPO_ERR_LEN];
	struct topo t;

	ASSERT_EQ(0, topo_parse_file("tests/fixtures/topo/full.topo", &t, err,
				     sizeof(err)));
	ASSERT_EQ(0, topo_qemu_args(&t, &q));
	ASSERT_EQ(sizeof(want) / sizeof(want[0]), q.n);
	for (size_t i = 0; i < q.n; i++) {
		EXPECT_STREQ(want[i], q.v[i]);
	}
	topo_strv_free(&q);
	topo_free(&t);

	/* No IOMMU device for "none". */
	ASSERT_EQ(0, topo_parse_file("tests/fixtures/topo/minimal.topo", &t,
				     err, sizeof(err)));
	ASSERT_EQ(0, topo_qemu_args(&t, &q));
	ASSERT_EQ(8, q.n);
	EXPECT_STREQ("max", q.v[7]);
	topo_strv_free(&q);
	topo_free(&t);

	/* Trace events after the devices, their log discarded. */
	static const char tr[] = "machine q35\niommu none\n"
				 "qemu-trace a_b pci_nvme_*\nqemu-trace a_b\n";
	ASSERT_EQ(0, topo_parse_buf("t.topo", tr, strlen(tr), &t, err,
				    sizeof(err)));
	ASSERT_EQ(0, topo_qemu_args(&t, &q));
	ASSERT_EQ(14, q.n);
	EXPECT_STREQ("-trace", q.v[8]);
	EXPECT_STREQ("a_b", q.v[9]);
	EXPECT_STREQ("pci_nvme_*", q.v[11]);
	EXPECT_STREQ("-D", q.v[12]);
	EXPECT_STREQ("/dev/null", q.v[13]);
	topo_strv_free(&q);
	topo_free(&t);
	ASSERT_EQ(0, leaks());
}

TEST(netdev_object_args)
{
	static const char in[] =
		"machine q35\niommu none\n"
		"-device e1000,netdev=n0\n"
		"netdev n0\n"
		"object rng-builtin,id=r0\n"
		"netdev Net.1_x-\n"
		"-object rng-random,id=r1,filename=/dev/urandom\n"
		"object rng-random,filename=/dev/random,id=r2\n"
		"object memory-backend-ram,id=m0,size=64M\n"
		"-device virtio-rng-pci,rng=r0\n";
	static const char *const want[] = {
		"-machine",
		"q35",
		"-m",
		"1024",
		"-smp",
		"1",
		"-cpu",
		"max",
		"-object",
		"rng-builtin,id=r0",
		"-object",
		"rng-random,id=r1,filename=/dev/urandom",
		"-object",
		"rng-random,filename=/dev/random,id=r2",
		"-object",
		"memory-backend-ram,id=m0,size=64M",
		/* Hubs of their own, none of them hub 0 (topo.h). */
		"-netdev",
		"hubport,id=n0,hubid=1",
		"-netdev",
		"hubport,id=Net.1_x-,hubid=2",
		"-device",
		"e1000,netdev=n0",
		"-device",
		"virtio-rng-pci,rng=r0",
	};
	char err[TOPO_ERR_LEN] = "";
	struct topo_strv q;
	struct topo t;

	ASSERT_EQ(0, topo_parse_buf("n.topo", in, strlen(in), &t, err,
				    sizeof(err)))
	TH_LOG("%s", err);
	ASSERT_EQ(2, t.nnetdevs);
	EXPECT_STREQ("n0", t.netdevs[0].id);
	EXPECT_EQ(4, t.netdevs[0].line);
	EXPECT_STREQ("Net.1_x-", t.netdevs[1].id);
	EXPECT_EQ(6, t.netdevs[1].line);
	ASSERT_EQ(4, t.nobjects);
	EXPECT_STREQ("r0", t.objects[0].id);
	EXPECT_STREQ("rng-builtin,id=r0", t.objects[0].args);
	EXPECT_EQ(5, t.objects[0].line);
	EXPECT_STREQ("r2", t.objects[2].id);
	EXPECT_STREQ("m0", t.objects[3].id);
	EXPECT_EQ(9, t.objects[3].line);
	ASSERT_EQ(0, topo_qemu_args(&t, &q));
	ASSERT_EQ(sizeof(want) / sizeof(want[0]), q.n);
	for (size_t i = 0; i < q.n; i++) {
		EXPECT_STREQ(want[i], q.v[i]) TH_LOG("arg %zu", i);
	}
	topo_strv_free(&q);
	topo_free(&t);
	ASSERT_EQ(0, leaks());
}

TEST(netdev_object_errors)
{
	static const struct {
		const char *in, *err;
	} cases[] = {
		{"netdev 0n", "bad netdev id '0n' (want a letter, then "
			      "[A-Za-z0-9._-])"},
		{"netdev user,id=n0", "bad netdev id 'user,id=n0' (want a "
				      "letter, then [A-Za-z0-9._-])"},
		{"netdev", "'netdev' needs an argument"},
		{"netdev n0 n1", "'netdev' takes 1 argument, extra 'n1'"},
		{"object", "'object' needs an argument"},
		{"-object a b", "'-object' takes 1 argument, extra 'b'"},
		{"object memory-backend-file,id=m,mem-path=/tmp/x,size=1M",
		 "object type 'memory-backend-file' is not allowed (want "
		 "rng-builtin, rng-random or memory-backend-ram: a topology "
		 "never touches host files)"},
		{"-object rng-egd,id=r,chardev=c",
		 "object type 'rng-egd' is not allowed (want rng-builtin, "
		 "rng-random or memory-backend-ram: a topology never touches "
		 "host files)"},
		{"object qom-type=memory-backend-file,id=m",
		 "object type 'qom-type=memory-backend-file' is not allowed "
		 "(want rng-builtin, rng-random or memory-backend-ram: a "
		 "topology never touches host files)"},
		{"object {\"qom-type\":\"rng-builtin\"}",
		 "object type '{\"qom-type\":\"rng-builtin\"}' is not allowed "
		 "(want rng-builtin, rng-random or memory-backend-ram: a "
		 "topology never touches host files)"},
		{"object ,id=r",
		 "object type '' is not allowed (want rng-builtin, rng-random "
		 "or memory-backend-ram: a topology never touches host files)"},
		{"object rng-builtin,qom-type=memory-backend-file,id=r",
		 "object property 'qom-type=memory-backend-file' would change "
		 "the object's type"},
		{"object rng-random,id=r,filename=/etc/shadow",
		 "object filename '/etc/shadow' is not allowed (want "
		 "/dev/urandom or /dev/random: a topology never touches host "
		 "files)"},
		{"object rng-random,id=r,filename=/dev/urandom,filename=/tmp/x",
		 "object filename '/tmp/x' is not allowed (want /dev/urandom "
		 "or /dev/random: a topology never touches host files)"},
		{"object rng-random,id=r,filename=/dev/urandom0",
		 "object filename '/dev/urandom0' is not allowed (want "
		 "/dev/urandom or /dev/random: a topology never touches host "
		 "files)"},
		{"object rng-random,id=r,filename=",
		 "object filename '' is not allowed (want /dev/urandom or "
		 "/dev/random: a topology never touches host files)"},
		{"object rng-random,id=r,filename=/dev/urandom,,x",
		 "object 'rng-random,id=r,filename=/dev/urandom,,x' has ',,' "
		 "(an escaped comma), which no allowed object needs"},
		{"object rng-builtin",
		 "object 'rng-builtin' has no id= (want TYPE,id=ID,...)"},
		{"object rng-builtin,id=",
		 "bad object id '' (want a letter, then [A-Za-z0-9._-])"},
		{"object rng-builtin,id=1r",
		 "bad object id '1r' (want a letter, then [A-Za-z0-9._-])"},
		{"object rng-builtin,id=r,id=s",
		 "object 'rng-builtin,id=r,id=s' has two ids"},
		{"object rng-builtin,id=r,x",
		 "bad object property 'x' (want KEY=VALUE)"},
		{"object rng-builtin,id=r,",
		 "bad object property '' (want KEY=VALUE)"},
		/* QEMU options pasted into a topology file get a hint. */
		{"-drive file=u.img,if=none,id=d0",
		 "unknown statement '-drive' (write 'drive ID SIZE' for a "
		 "scratch disk made per run, and '-device ...,drive=ID')"},
		{"-netdev user,id=n0",
		 "unknown statement '-netdev' (write 'netdev ID', a backend "
		 "connected to nothing, and '-device ...,netdev=ID')"},
	};
	char buf[256], want[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(buf, sizeof(buf), "machine pc\niommu none\n%s\n",
			 cases[i].in);
		snprintf(want, sizeof(want), "bad.topo:3: %s", cases[i].err);
		EXPECT_STREQ(want, PERR(buf)) TH_LOG("case %zu", i);
	}
	EXPECT_STREQ("bad.topo:5: netdev 'n0' is already declared at line 3",
		     PERR("machine pc\niommu none\nnetdev n0\nnetdev n1\n"
			  "netdev n0\n"));
	EXPECT_STREQ("bad.topo:4: object 'r' is already declared at line 3",
		     PERR("machine pc\niommu none\nobject rng-builtin,id=r\n"
			  "-object memory-backend-ram,size=1M,id=r\n"));
	/* Ids of different kinds do not collide (QEMU keeps them apart). */
	EXPECT_STREQ("(parsed)",
		     PERR("machine pc\niommu none\nnetdev x\ndrive x 1M\n"
			  "object rng-builtin,id=x\n"));
	ASSERT_EQ(0, leaks());
}

TEST(guest_env)
{
	static const struct {
		const char *in, *err;
	} bad[] = {
		{"guest-env", "'guest-env' needs at least 1 argument"},
		{"guest-env PATH=/x", "bad guest-env 'PATH=/x' (want "
				      "IOG_NAME=VALUE, NAME [A-Z0-9_]+, VALUE "
				      "[A-Za-z0-9._,:/+-]+)"},
		{"guest-env IOG_X",
		 "bad guest-env 'IOG_X' (want IOG_NAME=VALUE, "
		 "NAME [A-Z0-9_]+, VALUE [A-Za-z0-9._,:/+-]+)"},
		{"guest-env IOG_=1", "bad guest-env 'IOG_=1' (want "
				     "IOG_NAME=VALUE, NAME [A-Z0-9_]+, VALUE "
				     "[A-Za-z0-9._,:/+-]+)"},
		{"guest-env IOG_x=1", "bad guest-env 'IOG_x=1' (want "
				      "IOG_NAME=VALUE, NAME [A-Z0-9_]+, VALUE "
				      "[A-Za-z0-9._,:/+-]+)"},
		{"guest-env IOG_X=", "bad guest-env 'IOG_X=' (want "
				     "IOG_NAME=VALUE, NAME [A-Z0-9_]+, VALUE "
				     "[A-Za-z0-9._,:/+-]+)"},
		/* The value lands in a shell file inside single quotes. */
		{"guest-env IOG_X=a'b", "bad guest-env 'IOG_X=a'b' (want "
					"IOG_NAME=VALUE, NAME [A-Z0-9_]+, "
					"VALUE [A-Za-z0-9._,:/+-]+)"},
		{"guest-env IOG_X=$(id)", "bad guest-env 'IOG_X=$(id)' (want "
					  "IOG_NAME=VALUE, NAME [A-Z0-9_]+, "
					  "VALUE [A-Za-z0-9._,:/+-]+)"},
		{"guest-env IOG_X=1 IOG_X=2", "guest-env IOG_X set twice"},
	};
	char buf[256], want[512], err[TOPO_ERR_LEN];
	const char *text = "machine pc\niommu none\n"
			   "guest-env IOG_THROUGHPUT_FORM=short IOG_A_1=x.y/z\n"
			   "guest-env IOG_B=2\n";
	struct topo t;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "machine pc\niommu none\n%s\n",
			 bad[i].in);
		snprintf(want, sizeof(want), "bad.topo:3: %s", bad[i].err);
		EXPECT_STREQ(want, PERR(buf)) TH_LOG("case %zu", i);
	}
	/* A name is set once across lines too; a prefix is another name. */
	EXPECT_STREQ("bad.topo:4: guest-env IOG_X set twice",
		     PERR("machine pc\niommu none\nguest-env IOG_X=1\n"
			  "guest-env IOG_X=2\n"));
	EXPECT_STREQ("(parsed)",
		     PERR("machine pc\niommu none\nguest-env IOG_X=1\n"
			  "guest-env IOG_XY=2 IOG_Y=1\n"));
	ASSERT_EQ(0, topo_parse_buf("g.topo", text, strlen(text), &t, err,
				    sizeof(err)))
	TH_LOG("%s", err);
	ASSERT_EQ(3, t.guest_env.n);
	EXPECT_STREQ("IOG_THROUGHPUT_FORM=short", t.guest_env.v[0]);
	EXPECT_STREQ("IOG_A_1=x.y/z", t.guest_env.v[1]);
	EXPECT_STREQ("IOG_B=2", t.guest_env.v[2]);
	topo_free(&t);
	ASSERT_EQ(0, leaks());
}

TEST(netdev_object_limits)
{
	char *buf = malloc(64 * 1024);
	size_t n;

	ASSERT_NE(NULL, buf);
	n = (size_t)sprintf(buf, "machine pc\niommu none\n");
	for (int i = 0; i < 64; i++)
		n += (size_t)sprintf(buf + n, "netdev n%d\n", i);
	EXPECT_STREQ("(parsed)", perr("bad.topo", buf, n));
	n += (size_t)sprintf(buf + n, "netdev n64\n");
	EXPECT_STREQ("bad.topo:67: too many netdevs (at most 64)",
		     perr("bad.topo", buf, n));

	n = (size_t)sprintf(buf, "machine pc\niommu none\n");
	for (int i = 0; i < 64; i++)
		n += (size_t)sprintf(buf + n, "object rng-builtin,id=r%d\n", i);
	EXPECT_STREQ("(parsed)", perr("bad.topo", buf, n));
	n += (size_t)sprintf(buf + n, "object rng-builtin,id=r64\n");
	EXPECT_STREQ("bad.topo:67: too many objects (at most 64)",
		     perr("bad.topo", buf, n));
	free(buf);
	ASSERT_EQ(0, leaks());
}

TEST(expect_text)
{
	const char *in = "machine pc\niommu intel\n"
			 "expect-group 05:00.1 05:00.0\n"
			 "expect-nogroup 00:1f.0\n"
			 "expect-group 00:00.0\n"
			 "expect-nogroup 00:01.0\n"
			 "expect-group 0001:00:00.0 03:00.0\n";
	char err[TOPO_ERR_LEN];
	struct topo t;
	char *s;

	ASSERT_EQ(0, topo_parse_buf("src.topo", in, strlen(in), &t, err,
				    sizeof(err)));
	s = topo_expect_text(&t, "topologies/src.topo");
	ASSERT_NE(NULL, s);
	EXPECT_STREQ("# generated from topologies/src.topo\n"
		     "group 0000:00:00.0\n"
		     "group 0000:03:00.0 0001:00:00.0\n"
		     "group 0000:05:00.0 0000:05:00.1\n"
		     "nogroup 0000:00:01.0\n"
		     "nogroup 0000:00:1f.0\n",
		     s);
	/* The topology itself keeps file order. */
	EXPECT_STREQ("0000:05:00.1", t.groups[0].bdfs.v[0]);
	free(s);
	topo_free(&t);

	ASSERT_EQ(0, topo_parse_buf("e.topo", "machine pc\niommu none\n", 22,
				    &t, err, sizeof(err)));
	s = topo_expect_text(&t, "e.topo");
	ASSERT_NE(NULL, s);
	EXPECT_STREQ("# generated from e.topo\n", s);
	free(s);
	topo_free(&t);
	ASSERT_EQ(0, leaks());
}

TEST(repository_topologies)
{
	char err[TOPO_ERR_LEN];
	glob_t g;

	if (glob("topologies/*.topo", 0, NULL, &g)) {
		globfree(&g);
		SKIP(return, "no topologies/*.topo here");
	}
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct topo t;

		EXPECT_EQ(0,
			  topo_parse_file(g.gl_pathv[i], &t, err, sizeof(err)))
		TH_LOG("%s", err);
		topo_free(&t);
	}
	globfree(&g);
	ASSERT_EQ(0, leaks());
}

TEST_HARNESS_MAIN
