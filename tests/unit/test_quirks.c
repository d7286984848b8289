// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the quirk table (harness/model/pci_quirks.c) and of the
 * undecidable groups: each kind of row changes a prediction on a small
 * synthetic lspci dump, rows are gated by kernel version, explanations
 * name the row, and a 256-byte dump gives undecidable groups with reasons.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "model_util.h"

#include "iommu_ops.h"
#include "model.h"
#include "pci_device_group.h"
#include "pci_quirks.h"
#include "pci_topo.h"

/* Tests run from the top of the tree (tests/run.sh); IOG_FIXTURES overrides. */
static const char *fixture(const char *rel)
{
	static char path[1024];
	const char *e = getenv("IOG_FIXTURES");

	snprintf(path, sizeof(path), "%s/%s", e && *e ? e : "tests/fixtures",
		 rel);
	return path;
}

/* ---- synthetic dumps ---------------------------------------------------- */

struct fdev {
	unsigned int bus, dev, fn;
	uint8_t cfg[4096];
};

struct fdump {
	struct fdev d[12];
	size_t nr;
};

static void put16(struct fdev *d, unsigned int off, uint16_t v)
{
	d->cfg[off] = (uint8_t)v;
	d->cfg[off + 1] = (uint8_t)(v >> 8);
}

static void put32(struct fdev *d, unsigned int off, uint32_t v)
{
	put16(d, off, (uint16_t)v);
	put16(d, off + 2, (uint16_t)(v >> 16));
}

/* A function "bb:dd.f" with IDs and class (base << 8 | sub). */
static struct fdev *fd_add(struct fdump *f, const char *bdf, uint16_t vendor,
			   uint16_t device, uint16_t class)
{
	struct fdev *d = &f->d[f->nr++];

	memset(d, 0, sizeof(*d));
	sscanf(bdf, "%x:%x.%u", &d->bus, &d->dev, &d->fn);
	put16(d, 0x00, vendor);
	put16(d, 0x02, device);
	put16(d, 0x0a, class);
	/* QEMU's machine (the model's qemu_machine): its subsystem. */
	if (!d->bus && !d->dev && !d->fn && class == 0x0600) {
		put16(d, 0x2c, 0x1af4);
		put16(d, 0x2e, 0x1100);
	}
	return d;
}

static void fd_mf(struct fdev *d)
{
	d->cfg[0x0e] |= 0x80;
}

/* Type 1 header: a bridge to buses sec..sub. */
static void fd_bridge(struct fdev *d, unsigned int sec, unsigned int sub)
{
	d->cfg[0x0e] |= 1;
	d->cfg[0x18] = (uint8_t)d->bus;
	d->cfg[0x19] = (uint8_t)sec;
	d->cfg[0x1a] = (uint8_t)sub;
}

/* A PCIe capability (version 2) of the given port type at 0x40. */
static void fd_pcie(struct fdev *d, enum model_pcie_type type)
{
	put16(d, 0x06, 0x0010);
	d->cfg[0x34] = 0x40;
	d->cfg[0x40] = 0x10;
	put16(d, 0x42, (uint16_t)(2 | type << 4));
}

/* ACS extended capability at 0x100 as the PCIe spec packs it. */
static void fd_acs(struct fdev *d, uint16_t cap, uint16_t ctrl)
{
	put32(d, 0x100, 0x0001000d);
	put16(d, 0x104, cap);
	put16(d, 0x106, ctrl);
}

/* As Sunrise Point root ports have it: capability and control dwords. */
static void fd_acs_dwords(struct fdev *d, uint16_t cap, uint16_t ctrl)
{
	put32(d, 0x100, 0x0001000d);
	put32(d, 0x104, cap);
	put32(d, 0x108, ctrl);
}

/* Write f in lspci -xxxx form (len 4096) or -xxx form (256). */
static int fd_write(const struct fdump *f, size_t len, char *path)
{
	FILE *out;
	int fd;

	strcpy(path, "/tmp/iog-quirk-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	out = fdopen(fd, "w");
	if (!out) {
		close(fd);
		return -1;
	}
	for (size_t i = 0; i < f->nr; i++) {
		const struct fdev *d = &f->d[i];

		fprintf(out, "%02x:%02x.%u Device\n", d->bus, d->dev, d->fn);
		for (size_t off = 0; off < len; off += 16) {
			fprintf(out, off < 256 ? "%02zx:" : "%03zx:", off);
			for (size_t k = 0; k < 16; k++)
				fprintf(out, " %02x", d->cfg[off + k]);
			fputc('\n', out);
		}
		fputc('\n', out);
	}
	return fclose(out);
}

/* Boot the model on f; NULL with the error on stderr. */
static struct model *fd_boot(const struct fdump *f, size_t len,
			     enum model_iommu_kind iommu, unsigned int kernel)
{
	struct model_opts o = {.iommu = iommu, .kernel = kernel};
	char path[64], err[MODEL_ERR_LEN];
	struct model *m;

	if (fd_write(f, len, path))
		return NULL;
	if (model_load_dump(&m, path, err, sizeof(err))) {
		fprintf(stderr, "# %s\n", err);
		unlink(path);
		return NULL;
	}
	unlink(path);
	if (model_boot(m, &o, err, sizeof(err))) {
		fprintf(stderr, "# %s\n", err);
		model_free(m);
		return NULL;
	}
	return m;
}

/* A booted model and its prediction. */
struct pred {
	struct model *m;
	struct model_partition p;
};

static int pred_get(struct pred *r, const struct fdump *f, size_t len,
		    enum model_iommu_kind iommu, unsigned int kernel)
{
	memset(r, 0, sizeof(*r));
	r->m = fd_boot(f, len, iommu, kernel);
	if (!r->m || model_partition(r->m, &r->p))
		return -1;
	return 0;
}

static void pred_put(struct pred *r)
{
	model_partition_free(&r->p);
	model_free(r->m);
}

static int group_of(const struct pred *r, const char *bdf)
{
	const struct model_pdev *d = model_partition_dev(&r->p, bdf);

	return d ? d->group : -2;
}

static const struct model_pgroup *pgroup_of(const struct pred *r,
					    const char *bdf)
{
	return model_partition_group(&r->p, group_of(r, bdf));
}

static bool together(const struct pred *r, const char *a, const char *b)
{
	return group_of(r, a) >= 0 && group_of(r, a) == group_of(r, b);
}

/* model_explain's text for bdf (static buffer; "" if none). */
static const char *explain(const struct pred *r, const char *bdf)
{
	static char buf[8192];
	char *s = model_explain(r->m, bdf);

	snprintf(buf, sizeof(buf), "%s", s ? s : "");
	free(s);
	return buf;
}

#define RP_ACS_ON 0x1d /* SV RR CR UF */

/* A root port 00:1c.0 with ACS on, to bus 1; endpoints go there. */
static void root_port(struct fdump *f, uint16_t vendor, uint16_t device,
		      const char *bdf, unsigned int bus)
{
	struct fdev *rp = fd_add(f, bdf, vendor, device, 0x0604);

	fd_bridge(rp, bus, bus);
	fd_pcie(rp, MODEL_PCIE_ROOT_PORT);
	fd_acs(rp, 0x1f, RP_ACS_ON);
}

/* ---- the table and the kernel versions --------------------------------- */

TEST(table_size_per_kernel)
{
	size_t nr, in61 = 0, in612 = 0, acs = 0;
	const struct model_quirk *q = model_quirks(&nr);
	const struct model_quirk *only612 = NULL;

	for (size_t i = 0; i < nr; i++) {
		in61 += model_quirk_in_kernel(&q[i], MODEL_KERNEL(6, 1));
		in612 += model_quirk_in_kernel(&q[i], MODEL_KERNEL(6, 12));
		acs += q[i].kind <= MODEL_QK_ACS_INTEL_SPT;
		EXPECT_NE(0, q[i].kernels);
		EXPECT_NE(NULL, q[i].fn);
		EXPECT_NE(NULL, q[i].what);
		if (!(q[i].kernels & MODEL_K6_1))
			only612 = &q[i];
	}
	/* 132 kernel rows, 7 of them expanded into the ranges they test. */
	EXPECT_EQ(158, acs);
	EXPECT_EQ(299, in61);
	EXPECT_EQ(300, in612);
	/* Debian's 6.12 adds the Switchtec PCI1008XG4 (1055:1008). */
	ASSERT_NE(NULL, only612);
	EXPECT_EQ(0x1055, only612->vendor);
	EXPECT_EQ(0x1008, only612->dev_lo);
	EXPECT_STREQ("quirk_switchtec_ntb_dma_alias", only612->fn);
}

TEST(kernel_versions_parse_and_pick_a_column)
{
	unsigned int k;

	ASSERT_EQ(0, model_kernel_parse("6.12.118-amd64", &k));
	EXPECT_EQ(MODEL_KERNEL(6, 12), k);
	ASSERT_EQ(0, model_kernel_parse("6.1", &k));
	EXPECT_EQ(MODEL_KERNEL(6, 1), k);
	EXPECT_EQ(-1, model_kernel_parse("debian-6.12", &k));
	EXPECT_EQ(-1, model_kernel_parse("6", &k));
	EXPECT_EQ(MODEL_K6_1, model_kernel_column(MODEL_KERNEL(6, 6)));
	EXPECT_EQ(MODEL_K6_12, model_kernel_column(MODEL_KERNEL(6, 18)));
	EXPECT_EQ(MODEL_K6_12, model_kernel_column(0));
}

/* ---- ACS rows --------------------------------------------------------------
 */

/* Two functions of one endpoint on bus 1 without ACS capabilities. */
static void mf_pair(struct fdump *f, uint16_t vendor, uint16_t device)
{
	struct fdev *a, *b;

	root_port(f, 0x1b36, 0x000c, "00:1c.0", 1);
	a = fd_add(f, "01:00.0", vendor, device, 0x0200);
	fd_pcie(a, MODEL_PCIE_ENDPOINT);
	fd_mf(a);
	b = fd_add(f, "01:00.1", vendor, device, 0x0200);
	fd_pcie(b, MODEL_PCIE_ENDPOINT);
}

TEST(acs_grant_row_splits_a_multifunction_endpoint)
{
	struct fdump f = {0};
	struct pred r;

	/* 82576 (8086:10c9): pci_quirk_mf_endpoint_acs. */
	mf_pair(&f, 0x8086, 0x10c9);
	ASSERT_EQ(0, pred_get(&r, &f, 4096, MODEL_IOMMU_INTEL, 0));
	EXPECT_FALSE(together(&r, "01:00.0", "01:00.1"));
	EXPECT_NE(NULL, strstr(explain(&r, "01:00.1"),
			       "ACS SV TB RR CR UF DT granted by "
			       "pci_quirk_mf_endpoint_acs (kernel 6.1, 6.12)"))
	TH_LOG("%s", explain(&r, "01:00.1"));
	pred_put(&r);

	/* 82574L (8086:10d3) has no row: the functions share (R8). */
	memset(&f, 0, sizeof(f));
	mf_pair(&f, 0x8086, 0x10d3);
	ASSERT_EQ(0, pred_get(&r, &f, 4096, MODEL_IOMMU_INTEL, 0));
	EXPECT_TRUE(together(&r, "01:00.0", "01:00.1"));
	EXPECT_EQ(NULL, strstr(explain(&r, "01:00.1"), "quirk:"));
	pred_put(&r);
}

TEST(acs_deny_row_overrides_the_capability)
{
	struct fdump f = {0};
	struct fdev *ep;
	struct pred r;

	/* A Zhaoxin root port outside the listed IDs: "no", ACS or not. */
	root_port(&f, 0x1d17, 0x0700, "00:1c.0", 1);
	ep = fd_add(&f, "01:00.0", 0x1234, 0x0001, 0x0200);
	fd_pcie(ep, MODEL_PCIE_ENDPOINT);
	ASSERT_EQ(0, pred_get(&r, &f, 4096, MODEL_IOMMU_INTEL, 0));
	EXPECT_TRUE(together(&r, "00:1c.0", "01:00.0"));
	EXPECT_NE(NULL,
		  strstr(explain(&r, "01:00.0"),
			 "ACS denied by pci_quirk_zhaoxin_pcie_ports_acs"))
	TH_LOG("%s", explain(&r, "01:00.0"));
	pred_put(&r);

	/* A listed one isolates without any ACS capability. */
	put16(&f.d[0], 0x02, 0x0710);
	memset(f.d[0].cfg + 0x100, 0, 16);
	ASSERT_EQ(0, pred_get(&r, &f, 4096, MODEL_IOMMU_INTEL, 0));
	EXPECT_FALSE(together(&r, "00:1c.0", "01:00.0"));
	pred_put(&r);
}

TEST(amd_southbridge_row_needs_an_ivrs_table)
{
	struct fdump f = {0};
	struct pred r;

	fd_mf(fd_add(&f, "00:14.0", 0x1002, 0x4385, 0x0c05));
	fd_add(&f, "00:14.3", 0x1002, 0x439d, 0x0601);
	/* VT-d: no IVRS, the quirk passes: conventional functions share. */
	ASSERT_EQ(0, pred_get(&r, &f, 4096, MODEL_IOMMU_INTEL, 0));
	EXPECT_TRUE(together(&r, "00:14.0", "00:14.3"));
	pred_put(&r);
	ASSERT_EQ(0, pred_get(&r, &f, 4096, MODEL_IOMMU_AMD, 0));
	EXPECT_FALSE(together(&r, "00:14.0", "00:14.3"));
	EXPECT_NE(NULL, strstr(explain(&r, "00:14.3"),
			       "ACS RR CR granted by pci_quirk_amd_sb_acs"))
	TH_LOG("%s", explain(&r, "00:14.3"));
	pred_put(&r);
}

/* Two Intel PCH root ports of one slot, no ACS capability, and an LPC. */
static void pch(struct fdump *f, uint16_t rp_device, bool lpc, uint32_t rcba)
{
	for (int i = 0; i < 2; i++) {
		char bdf[16];
		struct fdev *rp, *ep;

		snprintf(bdf, sizeof(bdf), "00:1c.%d", i);
		rp = fd_add(f, bdf, 0x8086, (uint16_t)(rp_device + i), 0x0604);
		fd_bridge(rp, (unsigned int)i + 1, (unsigned int)i + 1);
		fd_pcie(rp, MODEL_PCIE_ROOT_PORT);
		if (!i)
			fd_mf(rp);
		snprintf(bdf, sizeof(bdf), "%02x:00.0", i + 1);
		ep = fd_add(f, bdf, 0x1234, 0x0001, 0x0200);
		fd_pcie(ep, MODEL_PCIE_ENDPOINT);
	}
	if (lpc)
		put32(fd_add(f, "00:1f.0", 0x8086, 0x1c44, 0x0601), 0xf0, rcba);
}

TEST(intel_pch_row_reads_the_lpc_rcba)
{
	struct fdump f = {0};
	struct pred r;

	pch(&f, 0x1c10, true, 0xfed1c001);
	ASSERT_EQ(0, pred_get(&r, &f, 4096, MODEL_IOMMU_INTEL, 0));
	EXPECT_FALSE(together(&r, "00:1c.0", "00:1c.1"));
	EXPECT_FALSE(together(&r, "00:1c.0", "01:00.0"));
	EXPECT_NE(NULL, strstr(explain(&r, "01:00.0"),
			       "root port 0000:00:1c.0 [8086:1c10] (Intel PCH "
			       "root port): ACS SV RR CR UF granted by "
			       "pci_quirk_intel_pch_acs (the LPC at 1f.0 has "
			       "RCBA enabled; kernel 6.1, 6.12)"))
	TH_LOG("%s", explain(&r, "01:00.0"));
	pred_put(&r);

	/* RCBA disabled: the ports are not isolated, all four share. */
	memset(&f, 0, sizeof(f));
	pch(&f, 0x1c10, true, 0);
	ASSERT_EQ(0, pred_get(&r, &f, 4096, MODEL_IOMMU_INTEL, 0));
	EXPECT_TRUE(together(&r, "00:1c.0", "02:00.0"));
	EXPECT_NE(NULL, strstr(explain(&r, "01:00.0"),
			       "ACS denied by pci_quirk_intel_pch_acs"));
	pred_put(&r);

	/* No LPC in the input: the quirk cannot be decided. */
	memset(&f, 0, sizeof(f));
	pch(&f, 0x1c10, false, 0);
	ASSERT_EQ(0, pred_get(&r, &f, 4096, MODEL_IOMMU_INTEL, 0));
	ASSERT_NE(NULL, pgroup_of(&r, "01:00.0"));
	EXPECT_EQ(MODEL_UNDECIDABLE, pgroup_of(&r, "01:00.0")->certainty);
	EXPECT_NE(NULL,
		  strstr(pgroup_of(&r, "01:00.0")->undecidable,
			 "pci_quirk_intel_pch_acs: the quirk reads the RCBA"))
	TH_LOG("%s", pgroup_of(&r, "01:00.0")->undecidable);
	pred_put(&r);
}

/* Two root ports of one slot with dword ACS registers, endpoints below. */
static void spt(struct fdump *f, uint16_t rp_device)
{
	for (int i = 0; i < 2; i++) {
		char bdf[16];
		struct fdev *rp, *ep;

		snprintf(bdf, sizeof(bdf), "00:1c.%d", i);
		rp = fd_add(f, bdf, 0x8086, (uint16_t)(rp_device + i), 0x0604);
		fd_bridge(rp, (unsigned int)i + 1, (unsigned int)i + 1);
		fd_pcie(rp, MODEL_PCIE_ROOT_PORT);
		fd_acs_dwords(rp, 0x1f, RP_ACS_ON);
		if (!i)
			fd_mf(rp);
		snprintf(bdf, sizeof(bdf), "%02x:00.0", i + 1);
		ep = fd_add(f, bdf, 0x1234, 0x0001, 0x0200);
		fd_pcie(ep, MODEL_PCIE_ENDPOINT);
	}
}

TEST(intel_spt_row_reads_acs_control_at_plus_8)
{
	struct fdump f = {0};
	struct pred r;

	/* Sunrise Point-H: control at capability + 8 has SV RR CR UF. */
	spt(&f, 0xa110);
	ASSERT_EQ(0, pred_get(&r, &f, 4096, MODEL_IOMMU_INTEL, 0));
	EXPECT_FALSE(together(&r, "00:1c.0", "00:1c.1"));
	EXPECT_FALSE(together(&r, "01:00.0", "02:00.0"));
	EXPECT_NE(NULL, strstr(explain(&r, "01:00.0"),
			       "root port 0000:00:1c.0 [8086:a110] (Intel PCH "
			       "root port with dword ACS registers): ACS "
			       "granted by pci_quirk_intel_spt_pch_acs"))
	TH_LOG("%s", explain(&r, "01:00.0"));
	pred_put(&r);

	/* The same bytes without the row: control (+6) reads 0. */
	memset(&f, 0, sizeof(f));
	spt(&f, 0xa000);
	ASSERT_EQ(0, pred_get(&r, &f, 4096, MODEL_IOMMU_INTEL, 0));
	EXPECT_TRUE(together(&r, "01:00.0", "02:00.0"));
	pred_put(&r);

	/* lspci -xxx: the registers are not in the input. */
	memset(&f, 0, sizeof(f));
	spt(&f, 0xa110);
	ASSERT_EQ(0, pred_get(&r, &f, 256, MODEL_IOMMU_INTEL, 0));
	ASSERT_NE(NULL, pgroup_of(&r, "01:00.0"));
	EXPECT_EQ(MODEL_UNDECIDABLE, pgroup_of(&r, "01:00.0")->certainty);
	EXPECT_NE(NULL, strstr(pgroup_of(&r, "01:00.0")->undecidable,
			       "pci_quirk_intel_spt_pch_acs: its ACS "
			       "registers are in extended config space"))
	TH_LOG("%s", pgroup_of(&r, "01:00.0")->undecidable);
	pred_put(&r);
}

/*
 * The same ports as lspci -vvnn text: lspci decodes the control word at
 * + 6, so the record does not hold the one the kernel reads.
 */
TEST(intel_spt_row_is_undecidable_from_lspci_text)
{
	static const char text[] =
		"00:1c.0 PCI bridge [0604]: Intel Corporation Device [8086:a110] (prog-if 00 [Normal decode])\n"
		"\tBus: primary=00, secondary=01, subordinate=01, sec-latency=0\n"
		"\tCapabilities: [40] Express (v2) Root Port (Slot+), MSI 00\n"
		"\tCapabilities: [100 v1] Access Control Services\n"
		"\t\tACSCap:\tSrcValid+ TransBlk+ ReqRedir+ CmpltRedir+ UpstreamFwd+ EgressCtrl- DirectTrans-\n"
		"\t\tACSCtl:\tSrcValid- TransBlk- ReqRedir- CmpltRedir- UpstreamFwd- EgressCtrl- DirectTrans-\n\n"
		"00:1c.1 PCI bridge [0604]: Intel Corporation Device [8086:a111] (prog-if 00 [Normal decode])\n"
		"\tBus: primary=00, secondary=02, subordinate=02, sec-latency=0\n"
		"\tCapabilities: [40] Express (v2) Root Port (Slot+), MSI 00\n"
		"\tCapabilities: [100 v1] Access Control Services\n"
		"\t\tACSCap:\tSrcValid+ TransBlk+ ReqRedir+ CmpltRedir+ UpstreamFwd+ EgressCtrl- DirectTrans-\n"
		"\t\tACSCtl:\tSrcValid- TransBlk- ReqRedir- CmpltRedir- UpstreamFwd- EgressCtrl- DirectTrans-\n\n"
		"01:00.0 Network controller [0280]: Vendor Device [1234:0001]\n"
		"\tCapabilities: [40] Express (v2) Endpoint, MSI 00\n\n"
		"02:00.0 Network controller [0280]: Vendor Device [1234:0001]\n"
		"\tCapabilities: [40] Express (v2) Endpoint, MSI 00\n\n";
	struct model_opts o = {.iommu = MODEL_IOMMU_INTEL};
	char path[] = "/tmp/iog-spt-text.XXXXXX", err[MODEL_ERR_LEN];
	const struct model_pgroup *g;
	struct pred r = {0};
	int fd = mkstemp(path);

	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)strlen(text), write(fd, text, strlen(text)));
	close(fd);
	ASSERT_EQ(0, model_load_dump(&r.m, path, err, sizeof(err)))
	TH_LOG("%s", err);
	unlink(path);
	ASSERT_EQ(0, model_boot(r.m, &o, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, model_partition(r.m, &r.p));
	g = pgroup_of(&r, "01:00.0");
	ASSERT_NE(NULL, g);
	EXPECT_EQ(MODEL_UNDECIDABLE, g->certainty);
	EXPECT_NE(NULL, strstr(g->undecidable, "lspci shows its ACS control"))
	TH_LOG("%s", g->undecidable);
	pred_put(&r);
}

TEST(intel_rciep_row_splits_integrated_functions)
{
	struct fdump f = {0};
	struct fdev *d;
	struct pred r;

	for (int v = 0; v < 2; v++) {
		memset(&f, 0, sizeof(f));
		d = fd_add(&f, "00:03.0", v ? 0x8086 : 0x1b36, 0x0001, 0x0200);
		fd_pcie(d, MODEL_PCIE_RC_END);
		fd_mf(d);
		d = fd_add(&f, "00:03.1", v ? 0x8086 : 0x1b36, 0x0001, 0x0200);
		fd_pcie(d, MODEL_PCIE_RC_END);
		ASSERT_EQ(0, pred_get(&r, &f, 4096, MODEL_IOMMU_INTEL, 0));
		EXPECT_EQ(!v, together(&r, "00:03.0", "00:03.1"));
		if (v)
			EXPECT_NE(NULL, strstr(explain(&r, "00:03.1"),
					       "pci_quirk_rciep_acs"));
		pred_put(&r);
	}
}

/* ---- DMA alias rows --------------------------------------------------------
 */

TEST(function_alias_row_joins_isolated_functions)
{
	struct fdump f = {0};
	struct fdev *a, *b;
	struct pred r;

	for (int v = 0; v < 2; v++) {
		memset(&f, 0, sizeof(f));
		root_port(&f, 0x1b36, 0x000c, "00:1c.0", 1);
		/* Marvell 88SE9123 DMAs as function 1. */
		a = fd_add(&f, "01:00.0", 0x1b4b, v ? 0x9123 : 0x9999, 0x0106);
		fd_pcie(a, MODEL_PCIE_ENDPOINT);
		fd_acs(a, 0x1f, RP_ACS_ON);
		fd_mf(a);
		b = fd_add(&f, "01:00.1", 0x1b4b, 0x91a4, 0x0101);
		fd_pcie(b, MODEL_PCIE_ENDPOINT);
		fd_acs(b, 0x1f, RP_ACS_ON);
		ASSERT_EQ(0, pred_get(&r, &f, 4096, MODEL_IOMMU_INTEL, 0));
		EXPECT_EQ(v, together(&r, "01:00.0", "01:00.1"));
		if (v)
			EXPECT_NE(NULL,
				  strstr(explain(&r, "01:00.1"),
					 "(R7); quirk: PCIe endpoint "
					 "0000:01:00.0 [1b4b:9123] (device "
					 "DMAing as another function of its "
					 "slot): DMA alias to function 1 of "
					 "its slot by quirk_dma_func1_alias"))
		TH_LOG("%s", explain(&r, "01:00.1"));
		pred_put(&r);
	}
}

TEST(fixed_alias_row_matches_the_subsystem)
{
	struct fdump f = {0};
	struct fdev *d;
	struct pred r;

	for (int v = 0; v < 2; v++) {
		memset(&f, 0, sizeof(f));
		/* Adaptec 3405: its DMA engine is the hidden 01.0. */
		d = fd_add(&f, "00:0e.0", 0x9005, 0x0285, 0x0104);
		put16(d, 0x2c, 0x9005);
		put16(d, 0x2e, v ? 0x02bb : 0x0999);
		fd_add(&f, "00:01.0", 0x1234, 0x0001, 0x0200);
		ASSERT_EQ(0, pred_get(&r, &f, 4096, MODEL_IOMMU_INTEL, 0));
		EXPECT_EQ(v, together(&r, "00:0e.0", "00:01.0"));
		if (v)
			EXPECT_NE(NULL, strstr(explain(&r, "00:0e.0"),
					       "DMA alias to 01.0 by "
					       "quirk_fixed_dma_alias"))
		TH_LOG("%s", explain(&r, "00:0e.0"));
		pred_put(&r);
	}
}

TEST(slot_and_whole_bus_alias_rows)
{
	static const struct {
		uint16_t vendor, device;
		const char *other;
		bool joins;
	} c[] = {
		/* VCA: functions 0-4 of every slot. */
		{0x8086, 0x2954, "00:05.0", true},
		{0x8086, 0x2954, "00:05.5", false},
		/* PLX NTB: every devfn. */
		{0x10b5, 0x87b0, "00:05.5", true},
		{0x10b5, 0x1234, "00:05.0", false},
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct fdump f = {0};
		struct pred r;

		fd_add(&f, "00:02.0", c[i].vendor, c[i].device, 0x0680);
		fd_add(&f, c[i].other, 0x1234, 0x0001, 0x0200);
		ASSERT_EQ(0, pred_get(&r, &f, 4096, MODEL_IOMMU_INTEL, 0));
		EXPECT_EQ(c[i].joins, together(&r, "00:02.0", c[i].other))
		TH_LOG("%04x:%04x and %s", c[i].vendor, c[i].device,
		       c[i].other);
		pred_put(&r);
	}
}

/* A Switchtec NTB function beside another device on QEMU's root bus. */
static void switchtec(struct fdump *f, uint16_t vendor, uint16_t device)
{
	fd_add(f, "00:00.0", 0x8086, 0x29c0, 0x0600);
	fd_add(f, "00:02.0", vendor, device, 0x0680);
	fd_add(f, "00:05.0", 0x1234, 0x0001, 0x0200);
}

TEST(register_aliases_are_undecidable_and_version_gated)
{
	struct fdump f = {0};
	struct pred r;

	/* 1055:1008 has the row in 6.12 only. */
	switchtec(&f, 0x1055, 0x1008);
	ASSERT_EQ(0, pred_get(&r, &f, 4096, MODEL_IOMMU_INTEL,
			      MODEL_KERNEL(6, 12)));
	ASSERT_NE(NULL, pgroup_of(&r, "00:05.0"));
	EXPECT_EQ(MODEL_UNDECIDABLE, pgroup_of(&r, "00:05.0")->certainty);
	EXPECT_NE(NULL, strstr(pgroup_of(&r, "00:05.0")->undecidable,
			       "quirk_switchtec_ntb_dma_alias: its DMA aliases "
			       "are read from device registers"))
	TH_LOG("%s", pgroup_of(&r, "00:05.0")->undecidable);
	pred_put(&r);
	ASSERT_EQ(0, pred_get(&r, &f, 4096, MODEL_IOMMU_INTEL,
			      MODEL_KERNEL(6, 1)));
	EXPECT_FALSE(together(&r, "00:02.0", "00:05.0"));
	EXPECT_EQ(MODEL_DECIDED, pgroup_of(&r, "00:05.0")->certainty);
	EXPECT_EQ(MODEL_DECIDED, pgroup_of(&r, "00:02.0")->certainty);
	pred_put(&r);

	/* In both: undecidable whatever the kernel. */
	memset(&f, 0, sizeof(f));
	switchtec(&f, 0x1055, 0x1006);
	ASSERT_EQ(0, pred_get(&r, &f, 4096, MODEL_IOMMU_INTEL,
			      MODEL_KERNEL(6, 1)));
	EXPECT_EQ(MODEL_UNDECIDABLE, pgroup_of(&r, "00:02.0")->certainty);
	pred_put(&r);

	/* Alone on its bus the aliases can reach nobody: decided. */
	memset(&f, 0, sizeof(f));
	fd_add(&f, "00:00.0", 0x8086, 0x29c0, 0x0600);
	root_port(&f, 0x1b36, 0x000c, "00:1c.0", 1);
	fd_add(&f, "01:00.0", 0x11f8, 0x8531, 0x0680);
	ASSERT_EQ(0, pred_get(&r, &f, 4096, MODEL_IOMMU_INTEL, 0));
	for (size_t i = 0; i < r.p.nr; i++)
		EXPECT_EQ(MODEL_DECIDED, r.p.groups[i].certainty);
	pred_put(&r);
}

/* The requester IDs a walk from bdf reports, in order. */
struct rids {
	uint16_t v[8];
	size_t nr;
};

static int rid_cb(struct model_pci_dev *dev, uint16_t rid, void *data)
{
	struct rids *r = data;

	(void)dev;
	if (r->nr < 8)
		r->v[r->nr++] = rid;
	return 0;
}

TEST(bridge_flags_change_requester_ids_not_groups)
{
	struct rids ids = {0};
	struct fdump f = {0};
	struct fdev *br;
	struct pred r;

	/* ASMedia ASM1083 (1b21:1080) hides its PCIe capability. */
	root_port(&f, 0x1b36, 0x000c, "00:1c.0", 1);
	br = fd_add(&f, "01:00.0", 0x1b21, 0x1080, 0x0604);
	fd_bridge(br, 2, 2);
	fd_add(&f, "02:00.0", 0x1234, 0x0001, 0x0200);
	ASSERT_EQ(0, pred_get(&r, &f, 4096, MODEL_IOMMU_INTEL, 0));
	EXPECT_TRUE(together(&r, "01:00.0", "02:00.0"));
	model_pci_for_each_dma_alias(model_pci_find(model_topo(r.m), "02:00.0"),
				     rid_cb, &ids);
	/* The device, then the bridge as a PCIe-to-PCI bridge: 02:00.0. */
	ASSERT_EQ(2, ids.nr);
	EXPECT_EQ(0x0200, ids.v[1]);
	EXPECT_NE(NULL, strstr(explain(&r, "02:00.0"),
			       "by quirk_use_pcie_bridge_dma_alias"))
	TH_LOG("%s", explain(&r, "02:00.0"));
	pred_put(&r);

	/* Without the row the bridge's own ID, the same group. */
	put16(&f.d[1], 0x02, 0x1234);
	memset(&ids, 0, sizeof(ids));
	ASSERT_EQ(0, pred_get(&r, &f, 4096, MODEL_IOMMU_INTEL, 0));
	EXPECT_TRUE(together(&r, "01:00.0", "02:00.0"));
	model_pci_for_each_dma_alias(model_pci_find(model_topo(r.m), "02:00.0"),
				     rid_cb, &ids);
	ASSERT_EQ(2, ids.nr);
	EXPECT_EQ(0x0100, ids.v[1]);
	pred_put(&r);

	/* ThunderX2 (14e4:9000): the walk stops below it. */
	put16(&f.d[1], 0x00, 0x14e4);
	put16(&f.d[1], 0x02, 0x9000);
	memset(&ids, 0, sizeof(ids));
	ASSERT_EQ(0, pred_get(&r, &f, 4096, MODEL_IOMMU_INTEL, 0));
	EXPECT_TRUE(together(&r, "01:00.0", "02:00.0"));
	model_pci_for_each_dma_alias(model_pci_find(model_topo(r.m), "02:00.0"),
				     rid_cb, &ids);
	EXPECT_EQ(1, ids.nr);
	EXPECT_NE(NULL, strstr(explain(&r, "02:00.0"),
			       "by quirk_bridge_cavm_thrx2_pcie_root"))
	TH_LOG("%s", explain(&r, "02:00.0"));
	pred_put(&r);
}

/* ---- undecidable inputs ----------------------------------------------------
 */

TEST(dump_of_256_bytes_gives_undecidable_groups_with_reasons)
{
	struct model_opts o = {.iommu = MODEL_IOMMU_INTEL};
	char err[MODEL_ERR_LEN];
	struct pred r = {0};
	const struct model_pgroup *g;

	/* lspci -xxx of q35-acs: loads, with the ports' ACS unknown. */
	ASSERT_EQ(0,
		  model_load_dump(&r.m, fixture("model/q35-acs-intel-256.dump"),
				  err, sizeof(err)))
	TH_LOG("%s", err);
	EXPECT_TRUE(
		model_pci_find(model_topo(r.m), "00:02.0")->ext_cfg_missing);
	EXPECT_FALSE(
		model_pci_find(model_topo(r.m), "00:1f.2")->ext_cfg_missing);
	ASSERT_EQ(0, model_boot(r.m, &o, err, sizeof(err)));
	ASSERT_EQ(0, model_partition(r.m, &r.p));
	/* The host bridge comes first: decided, and ID 0. */
	g = pgroup_of(&r, "00:00.0");
	ASSERT_NE(NULL, g);
	EXPECT_EQ(MODEL_DECIDED, g->certainty);
	EXPECT_EQ(NULL, g->undecidable);
	/* The root ports and what is behind them: undecidable, and why. */
	g = pgroup_of(&r, "01:00.0");
	ASSERT_NE(NULL, g);
	EXPECT_EQ(MODEL_UNDECIDABLE, g->certainty);
	EXPECT_NE(NULL, strstr(g->undecidable,
			       "ACS unknown, no extended config space in the "
			       "input (an lspci -xxx dump, or config space "
			       "read without root): root port 0000:00:02.0"))
	TH_LOG("%s", g->undecidable);
	EXPECT_NE(NULL, strstr(g->undecidable,
			       "taken as isolated instead, these devices are "
			       "grouped {0000:00:02.0} {0000:00:02.1}"));
	/* Single-function 00:05.0 is certain, its ID is not. */
	g = pgroup_of(&r, "00:05.0");
	ASSERT_NE(NULL, g);
	EXPECT_EQ(MODEL_ID_UNDECIDABLE, g->certainty);
	EXPECT_EQ(1, g->nr);
	EXPECT_NE(NULL, strstr(explain(&r, "00:05.0"), "ID undecidable"));
	pred_put(&r);

	/* The full dump decides everything. */
	ASSERT_EQ(0, model_load_dump(&r.m, fixture("lspci/q35-acs-intel.dump"),
				     err, sizeof(err)));
	ASSERT_EQ(0, model_boot(r.m, &o, err, sizeof(err)));
	ASSERT_EQ(0, model_partition(r.m, &r.p));
	for (size_t i = 0; i < r.p.nr; i++)
		EXPECT_EQ(MODEL_DECIDED, r.p.groups[i].certainty);
	pred_put(&r);
}

TEST(compare_leaves_undecidable_groups_out)
{
	static const char *const k0[] = {"0000:00:00.0"};
	/* Any kernel grouping of the ports is consistent with the input. */
	static const char *const k1[] = {"0000:00:02.0", "0000:00:02.1",
					 "0000:01:00.0"};
	struct model_observed_group obs[] = {
		{.id = 0, .bdfs = k0, .nr = 1},
		{.id = 1, .bdfs = k1, .nr = 3},
	};
	struct fdump f = {0};
	struct pred r;
	char *diff = NULL;

	fd_add(&f, "00:00.0", 0x8086, 0x29c0, 0x0600);
	for (int i = 0; i < 2; i++) {
		char bdf[16];
		struct fdev *rp;

		snprintf(bdf, sizeof(bdf), "00:02.%d", i);
		rp = fd_add(&f, bdf, 0x1b36, 0x000c, 0x0604);
		fd_bridge(rp, (unsigned int)i + 1, (unsigned int)i + 1);
		fd_pcie(rp, MODEL_PCIE_ROOT_PORT);
		fd_acs(rp, 0x1f, RP_ACS_ON);
		if (!i)
			fd_mf(rp);
	}
	fd_pcie(fd_add(&f, "01:00.0", 0x1234, 0x0001, 0x0200),
		MODEL_PCIE_ENDPOINT);
	/* lspci -xxx: the ports' ACS is not in the input. */
	ASSERT_EQ(0, pred_get(&r, &f, 256, MODEL_IOMMU_INTEL, 0));
	EXPECT_EQ(0, model_compare(&r.p, obs, 2, &diff)) TH_LOG("%s", diff);
	EXPECT_NE(NULL, strstr(diff, "~ not compared: model group 1"))
	TH_LOG("%s", diff);
	free(diff);
	/* A decided group still counts: the kernel moves the host bridge. */
	obs[0].id = 5;
	EXPECT_EQ(1, model_compare(&r.p, obs, 2, &diff));
	free(diff);
	pred_put(&r);
}

/* ---- iogroups -------------------------------------------------------------
 */

/* A sysfs tree of f's devices, all in the kernel groups "id:bdf ..." */
static int fd_sysfs(const struct fdump *f, const char *root,
		    const char *const *groups, size_t nr)
{
	char path[512], text[32];

	snprintf(path, sizeof(path), "mkdir -p %s/class/iommu/dmar0", root);
	if (system(path))
		return -1;
	for (size_t i = 0; i < f->nr; i++) {
		const struct fdev *d = &f->d[i];
		static const char *const attr[] = {"config", "vendor",
						   "device", "class",
						   "irq",    "resource"};

		snprintf(path, sizeof(path),
			 "mkdir -p %s/bus/pci/devices/0000:%02x:%02x.%u", root,
			 d->bus, d->dev, d->fn);
		if (system(path))
			return -1;
		for (size_t k = 0; k < 6; k++) {
			FILE *out;

			snprintf(path, sizeof(path),
				 "%s/bus/pci/devices/0000:%02x:%02x.%u/%s",
				 root, d->bus, d->dev, d->fn, attr[k]);
			out = fopen(path, "w");
			if (!out)
				return -1;
			if (k == 0)
				fwrite(d->cfg, 1, sizeof(d->cfg), out);
			else if (k == 1)
				fprintf(out, "0x%02x%02x\n", d->cfg[1],
					d->cfg[0]);
			else if (k == 2)
				fprintf(out, "0x%02x%02x\n", d->cfg[3],
					d->cfg[2]);
			else if (k == 3)
				fprintf(out, "0x%02x%02x%02x\n", d->cfg[0x0b],
					d->cfg[0x0a], d->cfg[0x09]);
			else if (k == 4)
				fprintf(out, "0\n");
			fclose(out);
		}
	}
	for (size_t i = 0; i < nr; i++) {
		char cmd[1024], bdfs[256];
		int id;

		if (sscanf(groups[i], "%d:%255[^\n]", &id, bdfs) != 2)
			return -1;
		snprintf(text, sizeof(text), "%d", id);
		snprintf(cmd, sizeof(cmd),
			 "d=%s/kernel/iommu_groups/%s/devices; mkdir -p $d && "
			 "for b in %s; do ln -s ../../../../bus/pci/devices/$b "
			 "$d/$b || exit 1; done",
			 root, text, bdfs);
		if (system(cmd))
			return -1;
	}
	return 0;
}

/*
 * Live: a Switchtec NTB beside another device.  Whether the kernel
 * groups them together or apart, check says it cannot tell, and exits 0.
 */
TEST(iogroups_check_reports_undecidable_not_deviation)
{
	static const char *const apart[] = {"0:0000:00:02.0", "1:0000:00:05.0"};
	static const char *const joint[] = {"0:0000:00:02.0 0000:00:05.0"};
	static char out[1 << 16];
	struct fdump f = {0};

	if (access("build/host/iogroups", X_OK))
		SKIP(return, "build/host/iogroups not built");
	switchtec(&f, 0x11f8, 0x8531);
	for (int v = 0; v < 2; v++) {
		char root[64] = "/tmp/iog-quirk-XXXXXX", args[256];

		ASSERT_NE(NULL, mkdtemp(root));
		ASSERT_EQ(0, fd_sysfs(&f, root, v ? joint : apart, v ? 1 : 2));
		snprintf(args, sizeof(args), "check --groups-only --sysfs %s",
			 root);
		EXPECT_EQ(0, model_ut_iogroups(args, out, sizeof(out)))
		TH_LOG("%s", out);
		EXPECT_NE(NULL, strstr(out, "cannot be decided from the input "
					    "and were not compared"))
		TH_LOG("%s", out);
		EXPECT_NE(NULL, strstr(out, "quirk_switchtec_ntb_dma_alias"));
		snprintf(args, sizeof(args),
			 "check --json --groups-only --sysfs %s", root);
		EXPECT_EQ(0, model_ut_iogroups(args, out, sizeof(out)));
		EXPECT_NE(NULL,
			  strstr(out, "\"differences\":0,\"undecidable\":"))
		TH_LOG("%s", out);
		snprintf(args, sizeof(args), "rm -rf %s", root);
		EXPECT_EQ(0, system(args));
	}
}

TEST(iogroups_quirks_predict_and_kernel_option)
{
	static char out[1 << 16];
	struct fdump f = {0};
	char path[64], args[256];

	if (access("build/host/iogroups", X_OK))
		SKIP(return, "build/host/iogroups not built");
	ASSERT_EQ(0,
		  model_ut_iogroups("quirks --kernel 6.1", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "299 rows for kernel 6.1 (158 ACS, 141 "
				    "header fixups)"))
	TH_LOG("%.300s", out + (strlen(out) > 300 ? strlen(out) - 300 : 0));
	ASSERT_EQ(0, model_ut_iogroups("quirks --kernel 6.12 --json", out,
				       sizeof(out)));
	EXPECT_NE(NULL,
		  strstr(out, "\"count\":300,\"acs\":158,\"fixups\":142"));
	EXPECT_EQ(2,
		  model_ut_iogroups("quirks --kernel six", out, sizeof(out)));

	switchtec(&f, 0x1055, 0x1008);
	ASSERT_EQ(0, fd_write(&f, 4096, path));
	snprintf(args, sizeof(args),
		 "predict --dump %s --iommu intel --kernel 6.12 --json", path);
	EXPECT_EQ(0, model_ut_iogroups(args, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "\"kernel\":\"6.12\",\"undecidable\":1"))
	TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\"certainty\":\"undecidable\""));
	snprintf(args, sizeof(args),
		 "predict --dump %s --iommu intel --kernel 6.1", path);
	EXPECT_EQ(0, model_ut_iogroups(args, out, sizeof(out)));
	EXPECT_EQ(NULL, strstr(out, "cannot be decided")) TH_LOG("%s", out);
	snprintf(args, sizeof(args), "predict --dump %s --iommu intel", path);
	EXPECT_EQ(0, model_ut_iogroups(args, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "1 of 1 groups cannot be decided from "
				    "this input (kernel 6.12 quirks)"))
	TH_LOG("%s", out);
	unlink(path);
}

TEST_HARNESS_MAIN
