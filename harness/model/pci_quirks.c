// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's grouping-relevant PCI quirks as data (pci_quirks.h).
 *
 * Rows follow drivers/pci/quirks.c of Debian's linux-source-6.1 (6.1.192)
 * and linux-source-6.12 (6.12.118): one row per entry of the kernel's
 * pci_dev_acs_enabled[] table and per DECLARE_PCI_FIXUP line of the DMA
 * alias fixups; where a quirk function matches IDs itself (device ranges,
 * the Intel PCH ID list), one row per range, in the function's order, and
 * a function's "no" for the IDs it does not list is a MODEL_QK_ACS_DENY
 * row after them.  The ACS rows are searched in order, first decision
 * wins, as pci_dev_specific_acs_enabled() does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "pci_device_group.h"
#include "pci_quirks.h"

#define K_BOTH (MODEL_K6_1 | MODEL_K6_12)
#define PCI_DEVFN(slot, fn) ((uint8_t)(((slot) << 3) | (fn)))

#define ISOLATED (MODEL_ACS_SV | MODEL_ACS_RR | MODEL_ACS_CR | MODEL_ACS_UF)
/* pci_quirk_mf_endpoint_acs: everything but EC. */
#define MF_GRANT (ISOLATED | MODEL_ACS_TB | MODEL_ACS_DT)
/* pci_quirk_amd_sb_acs looks at RR CR EC DT only and provides RR CR. */
#define AMD_SB_KEEP (MODEL_ACS_RR | MODEL_ACS_CR | MODEL_ACS_EC | MODEL_ACS_DT)
#define AMD_SB_GRANT (MODEL_ACS_RR | MODEL_ACS_CR)

#define RP_T MODEL_QT(MODEL_PCIE_ROOT_PORT)
#define RCIEP_T MODEL_QT(MODEL_PCIE_RC_END)
#define ZX_T (MODEL_QT(MODEL_PCIE_ROOT_PORT) | MODEL_QT(MODEL_PCIE_DOWNSTREAM))

#define ROW(v, lo, hi, k, kern, ...)                                        \
	{                                                                   \
		.vendor = (v), .dev_lo = (lo), .dev_hi = (hi), .kind = (k), \
		.kernels = (kern), __VA_ARGS__                              \
	}

/* ---- pci_dev_acs_enabled[] ------------------------------------------- */

#define AMD_SB(v, d)                                                       \
	ROW(v, d, d, MODEL_QK_ACS_AMD_SB, K_BOTH, .acs_keep = AMD_SB_KEEP, \
	    .acs_grant = AMD_SB_GRANT, .fn = "pci_quirk_amd_sb_acs",       \
	    .what = "AMD/ATI southbridge function")
#define MF(v, d)                                                         \
	ROW(v, d, d, MODEL_QK_ACS, K_BOTH, .acs_grant = MF_GRANT,        \
	    .fn = "pci_quirk_mf_endpoint_acs",                           \
	    .what = "multifunction device without peer-to-peer between " \
		    "its functions")
#define RP(v, d, f, w)                                                     \
	ROW(v, d, d, MODEL_QK_ACS, K_BOTH, .acs_grant = ISOLATED, .fn = f, \
	    .what = w)
#define PORT(v, lo, hi, t, f, w)                         \
	ROW(v, lo, hi, MODEL_QK_ACS, K_BOTH, .types = t, \
	    .acs_grant = ISOLATED, .fn = f, .what = w)
#define PCH(lo, hi, step)                                                     \
	ROW(0x8086, lo, hi, MODEL_QK_ACS_INTEL_PCH, K_BOTH, .dev_step = step, \
	    .types = RP_T, .acs_grant = ISOLATED,                             \
	    .fn = "pci_quirk_intel_pch_acs", .what = "Intel PCH root port")
#define SPT(lo, hi)                                                        \
	ROW(0x8086, lo, hi, MODEL_QK_ACS_INTEL_SPT, K_BOTH, .types = RP_T, \
	    .fn = "pci_quirk_intel_spt_pch_acs",                           \
	    .what = "Intel PCH root port with dword ACS registers")
#define WX(lo, hi)                                                       \
	ROW(0x8088, lo, hi, MODEL_QK_ACS, K_BOTH, .acs_grant = ISOLATED, \
	    .fn = "pci_quirk_wangxun_nic_acs", .what = "Wangxun NIC")
#define DENY(v, t, f, w)                                                       \
	ROW(v, 0x0000, 0xffff, MODEL_QK_ACS_DENY, K_BOTH, .types = t, .fn = f, \
	    .what = w)

/* ---- header fixups ------------------------------------------------------ */

#define FUNC_ALIAS(v, d, fn_nr)                                                \
	ROW(v, d, d, MODEL_QK_ALIAS_FUNC, K_BOTH, .alias = {fn_nr},            \
	    .nr_alias = 1,                                                     \
	    .fn = (fn_nr) ? "quirk_dma_func1_alias" : "quirk_dma_func0_alias", \
	    .what = "device DMAing as another function of its slot")
#define FIXED(v, d, sv, sd, devfn, w)                                          \
	ROW(v, d, d, MODEL_QK_ALIAS_DEVFNS, K_BOTH, .sub = true,               \
	    .subvendor = sv, .subdevice = sd, .alias = {devfn}, .nr_alias = 1, \
	    .fn = "quirk_fixed_dma_alias", .what = w)
#define BRIDGE_ALIAS(v, d)                           \
	ROW(v, d, d, MODEL_QK_BRIDGE_ALIAS, K_BOTH,  \
	    .fn = "quirk_use_pcie_bridge_dma_alias", \
	    .what = "PCIe-to-PCI bridge without a PCIe capability")
#define MIC_X200(v, d)                                        \
	ROW(v, d, d, MODEL_QK_ALIAS_DEVFNS, K_BOTH,           \
	    .alias = {PCI_DEVFN(0x10, 0), PCI_DEVFN(0x11, 0), \
		      PCI_DEVFN(0x12, 3)},                    \
	    .nr_alias = 3, .fn = "quirk_mic_x200_dma_alias",  \
	    .what = "Intel MIC x200 NTB DMA device")
#define VCA(v, d)                                                   \
	ROW(v, d, d, MODEL_QK_ALIAS_SLOT_FNS, K_BOTH, .alias = {5}, \
	    .nr_alias = 1, .fn = "quirk_pex_vca_alias",             \
	    .what = "Intel Visual Compute Accelerator NTB")
#define XLATE_ROOT(v, d)                               \
	ROW(v, d, d, MODEL_QK_XLATE_ROOT, K_BOTH,      \
	    .fn = "quirk_bridge_cavm_thrx2_pcie_root", \
	    .what = "Vulcan / ThunderX2 bridge holding the IOMMU")
#define PLX_NTB(v, d)                            \
	ROW(v, d, d, MODEL_QK_ALIAS_ALL, K_BOTH, \
	    .fn = "quirk_plx_ntb_dma_alias", .what = "PLX NTB")
/* A class fixup: only functions of class "other bridge" (0680). */
#define SWITCHTEC(v, d, kern)                                    \
	ROW(v, d, d, MODEL_QK_ALIAS_MMIO, kern, .class = 0x0680, \
	    .fn = "quirk_switchtec_ntb_dma_alias",               \
	    .what = "Switchtec NTB (proxy IDs from BAR 0)")

static const struct model_quirk table[] = {
	AMD_SB(0x1002, 0x4385),
	AMD_SB(0x1002, 0x439c),
	AMD_SB(0x1002, 0x4383),
	AMD_SB(0x1002, 0x439d),
	AMD_SB(0x1002, 0x4384),
	AMD_SB(0x1002, 0x4399),
	AMD_SB(0x1022, 0x780f),
	AMD_SB(0x1022, 0x7809),
	MF(0x1924, 0x0903),
	MF(0x1924, 0x0923),
	MF(0x1924, 0x0a03),
	MF(0x8086, 0x10c6),
	MF(0x8086, 0x10db),
	MF(0x8086, 0x10dd),
	MF(0x8086, 0x10e1),
	MF(0x8086, 0x10f1),
	MF(0x8086, 0x10f7),
	MF(0x8086, 0x10f8),
	MF(0x8086, 0x10f9),
	MF(0x8086, 0x10fa),
	MF(0x8086, 0x10fb),
	MF(0x8086, 0x10fc),
	MF(0x8086, 0x1507),
	MF(0x8086, 0x1514),
	MF(0x8086, 0x151c),
	MF(0x8086, 0x1529),
	MF(0x8086, 0x152a),
	MF(0x8086, 0x154d),
	MF(0x8086, 0x154f),
	MF(0x8086, 0x1551),
	MF(0x8086, 0x1558),
	MF(0x8086, 0x1509),
	MF(0x8086, 0x150e),
	MF(0x8086, 0x150f),
	MF(0x8086, 0x1510),
	MF(0x8086, 0x1511),
	MF(0x8086, 0x1516),
	MF(0x8086, 0x1527),
	MF(0x8086, 0x10c9),
	MF(0x8086, 0x10e6),
	MF(0x8086, 0x10e7),
	MF(0x8086, 0x10e8),
	MF(0x8086, 0x150a),
	MF(0x8086, 0x150d),
	MF(0x8086, 0x1518),
	MF(0x8086, 0x1526),
	MF(0x8086, 0x10a7),
	MF(0x8086, 0x10a9),
	MF(0x8086, 0x10d6),
	MF(0x8086, 0x1521),
	MF(0x8086, 0x1522),
	MF(0x8086, 0x1523),
	MF(0x8086, 0x1524),
	MF(0x8086, 0x105e),
	MF(0x8086, 0x105f),
	MF(0x8086, 0x1060),
	MF(0x8086, 0x10d9),
	MF(0x8086, 0x15b7),
	MF(0x8086, 0x15b8),
	PORT(0x8086, 0x0000, 0xffff, RCIEP_T, "pci_quirk_rciep_acs",
	     "Intel root-complex integrated endpoint"),
	RP(0x17cb, 0x0400, "pci_quirk_qcom_rp_acs", "Qualcomm root port"),
	RP(0x17cb, 0x0401, "pci_quirk_qcom_rp_acs", "Qualcomm root port"),
	RP(0x17cb, 0x0115, "pci_quirk_qcom_rp_acs", "Qualcomm root port"),
	RP(0x17cb, 0x0111, "pci_quirk_qcom_rp_acs", "Qualcomm root port"),
	RP(0x17cb, 0x0120, "pci_quirk_qcom_rp_acs", "Qualcomm root port"),
	RP(0x1dbf, 0x0401, "pci_quirk_qcom_rp_acs", "HXT root port"),
	/* pci_quirk_intel_pch_acs_ids[] */
	PCH(0x3b42, 0x3b51, 1),
	PCH(0x1c10, 0x1c1f, 1),
	PCH(0x1e10, 0x1e1f, 1),
	PCH(0x8c10, 0x8c1f, 1),
	PCH(0x9c10, 0x9c1b, 1),
	PCH(0x9c90, 0x9c9b, 1),
	PCH(0x1d10, 0x1d1e, 2),
	PCH(0x8d10, 0x8d1e, 1),
	PCH(0x8c90, 0x8c9e, 2),
	SPT(0xa110, 0xa11f),
	SPT(0xa167, 0xa16a),
	SPT(0xa290, 0xa29f),
	SPT(0xa2e7, 0xa2ee),
	SPT(0x9d10, 0x9d1b),
	MF(0x19a2, 0x710),
	MF(0x10df, 0x720),
	PORT(0x177d, 0xa000, 0xa7ff, RP_T, "pci_quirk_cavium_acs",
	     "Cavium ThunderX1 root port"),
	PORT(0x177d, 0xaf84, 0xaf84, RP_T, "pci_quirk_cavium_acs",
	     "Cavium ThunderX2 root port"),
	PORT(0x177d, 0xb884, 0xb884, RP_T, "pci_quirk_cavium_acs",
	     "Cavium ThunderX3 root port"),
	MF(0x177d, 0xa026),
	MF(0x177d, 0xa059),
	MF(0x177d, 0xa060),
	RP(0x10e8, 0xe004, "pci_quirk_xgene_acs", "X-Gene / Ampere root port"),
	RP(0x1def, 0xe005, "pci_quirk_xgene_acs", "X-Gene / Ampere root port"),
	RP(0x1def, 0xe006, "pci_quirk_xgene_acs", "X-Gene / Ampere root port"),
	RP(0x1def, 0xe007, "pci_quirk_xgene_acs", "X-Gene / Ampere root port"),
	RP(0x1def, 0xe008, "pci_quirk_xgene_acs", "X-Gene / Ampere root port"),
	RP(0x1def, 0xe009, "pci_quirk_xgene_acs", "X-Gene / Ampere root port"),
	RP(0x1def, 0xe00a, "pci_quirk_xgene_acs", "X-Gene / Ampere root port"),
	RP(0x1def, 0xe00b, "pci_quirk_xgene_acs", "X-Gene / Ampere root port"),
	RP(0x1def, 0xe00c, "pci_quirk_xgene_acs", "X-Gene / Ampere root port"),
	MF(0x14e4, 0x16d7),
	MF(0x14e4, 0x1750),
	MF(0x14e4, 0x1751),
	MF(0x14e4, 0x1752),
	MF(0x14e4, 0x1760),
	MF(0x14e4, 0x1761),
	MF(0x14e4, 0x1762),
	MF(0x14e4, 0x1763),
	RP(0x14e4, 0xd714, "pci_quirk_brcm_acs", "Broadcom iProc root port"),
	RP(0x0014, 0x3c09, "pci_quirk_loongson_acs", "Loongson root port"),
	RP(0x0014, 0x3c19, "pci_quirk_loongson_acs", "Loongson root port"),
	RP(0x0014, 0x3c29, "pci_quirk_loongson_acs", "Loongson root port"),
	RP(0x0014, 0x7a09, "pci_quirk_loongson_acs", "Loongson root port"),
	RP(0x0014, 0x7a19, "pci_quirk_loongson_acs", "Loongson root port"),
	RP(0x0014, 0x7a29, "pci_quirk_loongson_acs", "Loongson root port"),
	RP(0x0014, 0x7a39, "pci_quirk_loongson_acs", "Loongson root port"),
	RP(0x0014, 0x7a49, "pci_quirk_loongson_acs", "Loongson root port"),
	RP(0x0014, 0x7a59, "pci_quirk_loongson_acs", "Loongson root port"),
	RP(0x0014, 0x7a69, "pci_quirk_loongson_acs", "Loongson root port"),
	PORT(0x1c36, 0x0031, 0x0031, RP_T, "pci_quirk_al_acs",
	     "Amazon Annapurna Labs root port"),
	MF(0x1d17, 0x3038),
	MF(0x1d17, 0x3104),
	MF(0x1d17, 0x9083),
	RP(0x1957, 0x8d81, "pci_quirk_nxp_rp_acs", "NXP root port"),
	RP(0x1957, 0x8da1, "pci_quirk_nxp_rp_acs", "NXP root port"),
	RP(0x1957, 0x8d83, "pci_quirk_nxp_rp_acs", "NXP root port"),
	RP(0x1957, 0x8d80, "pci_quirk_nxp_rp_acs", "NXP root port"),
	RP(0x1957, 0x8da0, "pci_quirk_nxp_rp_acs", "NXP root port"),
	RP(0x1957, 0x8d82, "pci_quirk_nxp_rp_acs", "NXP root port"),
	RP(0x1957, 0x8d90, "pci_quirk_nxp_rp_acs", "NXP root port"),
	RP(0x1957, 0x8db0, "pci_quirk_nxp_rp_acs", "NXP root port"),
	RP(0x1957, 0x8d92, "pci_quirk_nxp_rp_acs", "NXP root port"),
	RP(0x1957, 0x8d91, "pci_quirk_nxp_rp_acs", "NXP root port"),
	RP(0x1957, 0x8db1, "pci_quirk_nxp_rp_acs", "NXP root port"),
	RP(0x1957, 0x8d93, "pci_quirk_nxp_rp_acs", "NXP root port"),
	RP(0x1957, 0x8d89, "pci_quirk_nxp_rp_acs", "NXP root port"),
	RP(0x1957, 0x8da9, "pci_quirk_nxp_rp_acs", "NXP root port"),
	RP(0x1957, 0x8d8b, "pci_quirk_nxp_rp_acs", "NXP root port"),
	RP(0x1957, 0x8d88, "pci_quirk_nxp_rp_acs", "NXP root port"),
	RP(0x1957, 0x8da8, "pci_quirk_nxp_rp_acs", "NXP root port"),
	RP(0x1957, 0x8d8a, "pci_quirk_nxp_rp_acs", "NXP root port"),
	RP(0x1957, 0x8d98, "pci_quirk_nxp_rp_acs", "NXP root port"),
	RP(0x1957, 0x8db8, "pci_quirk_nxp_rp_acs", "NXP root port"),
	RP(0x1957, 0x8d9a, "pci_quirk_nxp_rp_acs", "NXP root port"),
	RP(0x1957, 0x8d99, "pci_quirk_nxp_rp_acs", "NXP root port"),
	RP(0x1957, 0x8db9, "pci_quirk_nxp_rp_acs", "NXP root port"),
	RP(0x1957, 0x8d9b, "pci_quirk_nxp_rp_acs", "NXP root port"),
	PORT(0x1d17, 0x0710, 0x071e, ZX_T, "pci_quirk_zhaoxin_pcie_ports_acs",
	     "Zhaoxin root or downstream port"),
	PORT(0x1d17, 0x0721, 0x0721, ZX_T, "pci_quirk_zhaoxin_pcie_ports_acs",
	     "Zhaoxin root or downstream port"),
	PORT(0x1d17, 0x0723, 0x0752, ZX_T, "pci_quirk_zhaoxin_pcie_ports_acs",
	     "Zhaoxin root or downstream port"),
	DENY(0x1d17, ZX_T, "pci_quirk_zhaoxin_pcie_ports_acs",
	     "other Zhaoxin root or downstream port"),
	WX(0x0100, 0x010f),
	WX(0x1001, 0x1001),
	WX(0x2001, 0x2001),
	WX(0x5010, 0x5010),
	WX(0x5025, 0x5025),
	WX(0x5040, 0x5040),
	WX(0x5110, 0x5110),
	WX(0x5125, 0x5125),
	WX(0x5140, 0x5140),
	DENY(0x8088, 0, "pci_quirk_wangxun_nic_acs", "other Wangxun device"),
	FUNC_ALIAS(0x1180, 0xe832, 0),
	FUNC_ALIAS(0x1180, 0xe476, 0),
	FUNC_ALIAS(0x6766, 0x3d40, 0),
	FUNC_ALIAS(0x6766, 0x3d41, 0),
	FUNC_ALIAS(0x1b4b, 0x9120, 1),
	FUNC_ALIAS(0x1b4b, 0x9123, 1),
	FUNC_ALIAS(0x1b4b, 0x9125, 1),
	FUNC_ALIAS(0x1b4b, 0x9128, 1),
	FUNC_ALIAS(0x1b4b, 0x9130, 1),
	FUNC_ALIAS(0x1b4b, 0x9170, 1),
	FUNC_ALIAS(0x1b4b, 0x9172, 1),
	FUNC_ALIAS(0x1b4b, 0x917a, 1),
	FUNC_ALIAS(0x1b4b, 0x9182, 1),
	FUNC_ALIAS(0x1b4b, 0x9183, 1),
	FUNC_ALIAS(0x1b4b, 0x91a0, 1),
	FUNC_ALIAS(0x1b4b, 0x9215, 1),
	FUNC_ALIAS(0x1b4b, 0x9220, 1),
	FUNC_ALIAS(0x1b4b, 0x9230, 1),
	FUNC_ALIAS(0x1b4b, 0x9235, 1),
	FUNC_ALIAS(0x1103, 0x0642, 1),
	FUNC_ALIAS(0x1103, 0x0645, 1),
	FUNC_ALIAS(0x197b, 0x2392, 1),
	FUNC_ALIAS(0x1c28, 0x0122, 1),
	FIXED(0x9005, 0x0285, 0x9005, 0x02bb, PCI_DEVFN(1, 0), "Adaptec 3405"),
	FIXED(0x9005, 0x0285, 0x9005, 0x02bc, PCI_DEVFN(1, 0), "Adaptec 3805"),
	BRIDGE_ALIAS(0x1b21, 0x1080),
	BRIDGE_ALIAS(0x10e3, 0x8113),
	BRIDGE_ALIAS(0x1283, 0x8892),
	BRIDGE_ALIAS(0x1283, 0x8893),
	BRIDGE_ALIAS(0x8086, 0x244e),
	MIC_X200(0x8086, 0x2260),
	MIC_X200(0x8086, 0x2264),
	VCA(0x8086, 0x2954),
	VCA(0x8086, 0x2955),
	VCA(0x8086, 0x2956),
	VCA(0x8086, 0x2958),
	VCA(0x8086, 0x2959),
	VCA(0x8086, 0x295a),
	XLATE_ROOT(0x14e4, 0x9000),
	XLATE_ROOT(0x14e4, 0x9084),
	PLX_NTB(0x10b5, 0x87b0),
	PLX_NTB(0x10b5, 0x87b1),
	SWITCHTEC(0x11f8, 0x8531, K_BOTH),
	SWITCHTEC(0x11f8, 0x8532, K_BOTH),
	SWITCHTEC(0x11f8, 0x8533, K_BOTH),
	SWITCHTEC(0x11f8, 0x8534, K_BOTH),
	SWITCHTEC(0x11f8, 0x8535, K_BOTH),
	SWITCHTEC(0x11f8, 0x8536, K_BOTH),
	SWITCHTEC(0x11f8, 0x8541, K_BOTH),
	SWITCHTEC(0x11f8, 0x8542, K_BOTH),
	SWITCHTEC(0x11f8, 0x8543, K_BOTH),
	SWITCHTEC(0x11f8, 0x8544, K_BOTH),
	SWITCHTEC(0x11f8, 0x8545, K_BOTH),
	SWITCHTEC(0x11f8, 0x8546, K_BOTH),
	SWITCHTEC(0x11f8, 0x8551, K_BOTH),
	SWITCHTEC(0x11f8, 0x8552, K_BOTH),
	SWITCHTEC(0x11f8, 0x8553, K_BOTH),
	SWITCHTEC(0x11f8, 0x8554, K_BOTH),
	SWITCHTEC(0x11f8, 0x8555, K_BOTH),
	SWITCHTEC(0x11f8, 0x8556, K_BOTH),
	SWITCHTEC(0x11f8, 0x8561, K_BOTH),
	SWITCHTEC(0x11f8, 0x8562, K_BOTH),
	SWITCHTEC(0x11f8, 0x8563, K_BOTH),
	SWITCHTEC(0x11f8, 0x8564, K_BOTH),
	SWITCHTEC(0x11f8, 0x8565, K_BOTH),
	SWITCHTEC(0x11f8, 0x8566, K_BOTH),
	SWITCHTEC(0x11f8, 0x8571, K_BOTH),
	SWITCHTEC(0x11f8, 0x8572, K_BOTH),
	SWITCHTEC(0x11f8, 0x8573, K_BOTH),
	SWITCHTEC(0x11f8, 0x8574, K_BOTH),
	SWITCHTEC(0x11f8, 0x8575, K_BOTH),
	SWITCHTEC(0x11f8, 0x8576, K_BOTH),
	SWITCHTEC(0x11f8, 0x4000, K_BOTH),
	SWITCHTEC(0x11f8, 0x4084, K_BOTH),
	SWITCHTEC(0x11f8, 0x4068, K_BOTH),
	SWITCHTEC(0x11f8, 0x4052, K_BOTH),
	SWITCHTEC(0x11f8, 0x4036, K_BOTH),
	SWITCHTEC(0x11f8, 0x4028, K_BOTH),
	SWITCHTEC(0x11f8, 0x4100, K_BOTH),
	SWITCHTEC(0x11f8, 0x4184, K_BOTH),
	SWITCHTEC(0x11f8, 0x4168, K_BOTH),
	SWITCHTEC(0x11f8, 0x4152, K_BOTH),
	SWITCHTEC(0x11f8, 0x4136, K_BOTH),
	SWITCHTEC(0x11f8, 0x4128, K_BOTH),
	SWITCHTEC(0x11f8, 0x4200, K_BOTH),
	SWITCHTEC(0x11f8, 0x4284, K_BOTH),
	SWITCHTEC(0x11f8, 0x4268, K_BOTH),
	SWITCHTEC(0x11f8, 0x4252, K_BOTH),
	SWITCHTEC(0x11f8, 0x4236, K_BOTH),
	SWITCHTEC(0x11f8, 0x4228, K_BOTH),
	SWITCHTEC(0x11f8, 0x4352, K_BOTH),
	SWITCHTEC(0x11f8, 0x4336, K_BOTH),
	SWITCHTEC(0x11f8, 0x4328, K_BOTH),
	SWITCHTEC(0x11f8, 0x4452, K_BOTH),
	SWITCHTEC(0x11f8, 0x4436, K_BOTH),
	SWITCHTEC(0x11f8, 0x4428, K_BOTH),
	SWITCHTEC(0x11f8, 0x4552, K_BOTH),
	SWITCHTEC(0x11f8, 0x4536, K_BOTH),
	SWITCHTEC(0x11f8, 0x4528, K_BOTH),
	SWITCHTEC(0x11f8, 0x5000, K_BOTH),
	SWITCHTEC(0x11f8, 0x5084, K_BOTH),
	SWITCHTEC(0x11f8, 0x5068, K_BOTH),
	SWITCHTEC(0x11f8, 0x5052, K_BOTH),
	SWITCHTEC(0x11f8, 0x5036, K_BOTH),
	SWITCHTEC(0x11f8, 0x5028, K_BOTH),
	SWITCHTEC(0x11f8, 0x5100, K_BOTH),
	SWITCHTEC(0x11f8, 0x5184, K_BOTH),
	SWITCHTEC(0x11f8, 0x5168, K_BOTH),
	SWITCHTEC(0x11f8, 0x5152, K_BOTH),
	SWITCHTEC(0x11f8, 0x5136, K_BOTH),
	SWITCHTEC(0x11f8, 0x5128, K_BOTH),
	SWITCHTEC(0x11f8, 0x5200, K_BOTH),
	SWITCHTEC(0x11f8, 0x5284, K_BOTH),
	SWITCHTEC(0x11f8, 0x5268, K_BOTH),
	SWITCHTEC(0x11f8, 0x5252, K_BOTH),
	SWITCHTEC(0x11f8, 0x5236, K_BOTH),
	SWITCHTEC(0x11f8, 0x5228, K_BOTH),
	SWITCHTEC(0x11f8, 0x5300, K_BOTH),
	SWITCHTEC(0x11f8, 0x5384, K_BOTH),
	SWITCHTEC(0x11f8, 0x5368, K_BOTH),
	SWITCHTEC(0x11f8, 0x5352, K_BOTH),
	SWITCHTEC(0x11f8, 0x5336, K_BOTH),
	SWITCHTEC(0x11f8, 0x5328, K_BOTH),
	SWITCHTEC(0x11f8, 0x5400, K_BOTH),
	SWITCHTEC(0x11f8, 0x5484, K_BOTH),
	SWITCHTEC(0x11f8, 0x5468, K_BOTH),
	SWITCHTEC(0x11f8, 0x5452, K_BOTH),
	SWITCHTEC(0x11f8, 0x5436, K_BOTH),
	SWITCHTEC(0x11f8, 0x5428, K_BOTH),
	SWITCHTEC(0x11f8, 0x5500, K_BOTH),
	SWITCHTEC(0x11f8, 0x5584, K_BOTH),
	SWITCHTEC(0x11f8, 0x5568, K_BOTH),
	SWITCHTEC(0x11f8, 0x5552, K_BOTH),
	SWITCHTEC(0x11f8, 0x5536, K_BOTH),
	SWITCHTEC(0x11f8, 0x5528, K_BOTH),
	SWITCHTEC(0x1055, 0x1001, K_BOTH),
	SWITCHTEC(0x1055, 0x1002, K_BOTH),
	SWITCHTEC(0x1055, 0x1003, K_BOTH),
	SWITCHTEC(0x1055, 0x1004, K_BOTH),
	SWITCHTEC(0x1055, 0x1005, K_BOTH),
	SWITCHTEC(0x1055, 0x1006, K_BOTH),
	SWITCHTEC(0x1055, 0x1008, MODEL_K6_12),
};

const struct model_quirk *model_quirks(size_t *nr)
{
	*nr = sizeof(table) / sizeof(table[0]);
	return table;
}

/* ---- kernel versions ------------------------------------------------- */

unsigned int model_kernel_column(unsigned int kernel)
{
	if (!kernel)
		kernel = MODEL_KERNEL_DEFAULT;
	/* The table knows two kernels; others read the nearer one below. */
	return kernel >= MODEL_KERNEL(6, 12) ? MODEL_K6_12 : MODEL_K6_1;
}

/*
 * Whether IOG_MODEL_DROP_QUIRK (kernel function names, comma-separated)
 * names q's function: the negative controls of the real-machine fixtures
 * take a row out and show the prediction change.
 */
static bool dropped(const struct model_quirk *q)
{
	const char *l = getenv("IOG_MODEL_DROP_QUIRK");
	size_t n = strlen(q->fn);

	for (const char *p = l; p && (p = strstr(p, q->fn)); p += n)
		if ((p == l || p[-1] == ',') && (!p[n] || p[n] == ','))
			return true;
	return false;
}

bool model_quirk_in_kernel(const struct model_quirk *q, unsigned int kernel)
{
	return (q->kernels & model_kernel_column(kernel)) && !dropped(q);
}

int model_kernel_parse(const char *s, unsigned int *kernel)
{
	unsigned int major, minor;
	int n = 0;

	if (!s || sscanf(s, "%u.%u%n", &major, &minor, &n) != 2 ||
	    major > 255 || minor > 255 || (s[n] >= '0' && s[n] <= '9'))
		return -1;
	*kernel = MODEL_KERNEL(major, minor);
	return 0;
}

int model_kernel_running(unsigned int *kernel)
{
	struct utsname u;

	if (uname(&u))
		return -1;
	return model_kernel_parse(u.release, kernel);
}

const char *model_kernel_str(unsigned int kernel, char *buf, size_t len)
{
	if (!kernel)
		kernel = MODEL_KERNEL_DEFAULT;
	snprintf(buf, len, "%u.%u", kernel >> 8, kernel & 0xff);
	return buf;
}

/* ---- matching ---------------------------------------------------------- */

static uint16_t cfg16(const struct model_pci_dev *d, unsigned int off)
{
	return (uint16_t)(d->cfg[off] | d->cfg[off + 1] << 8);
}

static uint32_t cfg32(const struct model_pci_dev *d, unsigned int off)
{
	return (uint32_t)cfg16(d, off) | (uint32_t)cfg16(d, off + 2) << 16;
}

static bool is_acs_kind(enum model_quirk_kind k)
{
	return k <= MODEL_QK_ACS_INTEL_SPT;
}

bool model_quirk_ids_match(const struct model_quirk *q, uint16_t vendor,
			   uint16_t device)
{
	if (q->vendor != vendor || device < q->dev_lo || device > q->dev_hi)
		return false;
	return q->dev_step <= 1 || !((device - q->dev_lo) % q->dev_step);
}

static bool id_match(const struct model_quirk *q, const struct model_pci_dev *d)
{
	if (!model_quirk_ids_match(q, d->vendor, d->device))
		return false;
	if (q->class && d->class != q->class)
		return false;
	if (q->types && (!d->is_pcie || !(q->types & MODEL_QT(d->pcie_type))))
		return false;
	if (q->sub) {
		/* Subsystem IDs of a type 0 header. */
		if (!d->cfg || d->cfg_len < 0x30 || (d->hdr_type & 0x7f) != 0)
			return false;
		if (cfg16(d, 0x2c) != q->subvendor ||
		    cfg16(d, 0x2e) != q->subdevice)
			return false;
	}
	return true;
}

static bool grants(uint16_t want, uint16_t grant)
{
	return !(want & (uint16_t)~grant);
}

/*
 * The PCH root ports' isolation is switched on through the chipset's
 * root complex registers when ACS is enabled at device init; the kernel
 * then flags the port.  That succeeds iff the LPC bridge at 1f.0 of the
 * port's bus has RCBA enabled (bit 0 of config dword 0xf0).
 */
static int intel_pch(const struct model_quirk_env *env,
		     const struct model_pci_dev *d, uint16_t want,
		     const struct model_quirk *q, const char **unknown)
{
	const struct model_pci_dev *lpc =
		env->topo ? model_pci_get_slot(env->topo, d->domain, d->bus,
					       PCI_DEVFN(31, 0))
			  : NULL;

	if (!lpc || !lpc->cfg || lpc->cfg_len < 0xf4 || lpc->cfg_from_text) {
		*unknown =
			"the quirk reads the RCBA register (0xf0) of the LPC bridge at 1f.0 on the port's bus, which the input does not hold";
		return MODEL_QUIRK_UNKNOWN;
	}
	return grants(want, cfg32(lpc, 0xf0) & 1 ? q->acs_grant : 0);
}

/*
 * These ports put ACS capability and control in dwords: control at
 * capability + 8, not + 6.  Without the ACS capability the row passes.
 */
static int intel_spt(const struct model_pci_dev *d, uint16_t want,
		     const char **unknown)
{
	if (d->cfg_from_text) {
		*unknown =
			"lspci shows its ACS control at capability + 6, but these ports keep it at + 8, which the record does not hold";
		return MODEL_QUIRK_UNKNOWN;
	}
	if (d->ext_cfg_missing) {
		*unknown =
			"its ACS registers are in extended config space, which the input does not hold";
		return MODEL_QUIRK_UNKNOWN;
	}
	if (!d->acs_pos || !d->cfg || d->cfg_len < d->acs_pos + 12)
		return MODEL_QUIRK_NONE;
	want &= cfg16(d, d->acs_pos + 4) | MODEL_ACS_EC;
	return grants(want, cfg16(d, d->acs_pos + 8));
}

int model_quirk_acs(const struct model_quirk_env *env,
		    const struct model_pci_dev *d, uint16_t flags,
		    const struct model_quirk **row, const char **unknown)
{
	static const struct model_quirk_env defaults;
	const char *dummy;

	if (!env)
		env = &defaults;
	if (!unknown)
		unknown = &dummy;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct model_quirk *q = &table[i];
		uint16_t want = q->acs_keep ? flags & q->acs_keep : flags;
		int ret;

		if (!is_acs_kind(q->kind) ||
		    !model_quirk_in_kernel(q, env->kernel) || !id_match(q, d))
			continue;
		switch (q->kind) {
		case MODEL_QK_ACS:
			ret = grants(want, q->acs_grant);
			break;
		case MODEL_QK_ACS_DENY:
			ret = 0;
			break;
		case MODEL_QK_ACS_AMD_SB:
			/* On the root bus, with an AMD IOMMU's IVRS table. */
			if (!d->multifunction || d->parent || !env->ivrs)
				continue;
			ret = grants(want, q->acs_grant);
			break;
		case MODEL_QK_ACS_INTEL_PCH:
			ret = intel_pch(env, d, want, q, unknown);
			break;
		case MODEL_QK_ACS_INTEL_SPT:
			ret = intel_spt(d, want, unknown);
			if (ret == MODEL_QUIRK_NONE)
				continue;
			break;
		default:
			continue;
		}
		if (row)
			*row = q;
		return ret;
	}
	return MODEL_QUIRK_NONE;
}

size_t model_quirk_fixups(const struct model_quirk_env *env,
			  struct model_pci_dev *d,
			  const struct model_quirk **rows, size_t max)
{
	static const struct model_quirk_env defaults;
	size_t n = 0;

	if (!env)
		env = &defaults;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct model_quirk *q = &table[i];

		if (is_acs_kind(q->kind) ||
		    !model_quirk_in_kernel(q, env->kernel) || !id_match(q, d))
			continue;
		switch (q->kind) {
		case MODEL_QK_ALIAS_FUNC:
			if (model_pci_func(d) == q->alias[0])
				continue;
			model_pci_add_dma_alias(
				d, PCI_DEVFN(model_pci_slot(d), q->alias[0]));
			break;
		case MODEL_QK_ALIAS_DEVFNS:
			for (size_t k = 0; k < q->nr_alias; k++)
				model_pci_add_dma_alias(d, q->alias[k]);
			break;
		case MODEL_QK_ALIAS_SLOT_FNS:
			for (int slot = 0; slot < 32; slot++)
				for (int fn = 0; fn < q->alias[0]; fn++)
					model_pci_add_dma_alias(
						d, PCI_DEVFN(slot, fn));
			break;
		case MODEL_QK_ALIAS_ALL:
			for (int devfn = 0; devfn < 256; devfn++)
				model_pci_add_dma_alias(d, (uint8_t)devfn);
			break;
		case MODEL_QK_ALIAS_MMIO:
			/* The model decides what to assume (model.c). */
			break;
		case MODEL_QK_BRIDGE_ALIAS:
			/* A bridge below a PCIe port that is not itself one. */
			if (!d->parent || (d->hdr_type & 0x7f) != 1 ||
			    d->is_pcie || !d->parent->is_pcie ||
			    d->parent->pcie_type == MODEL_PCIE_PCI_BRIDGE)
				continue;
			d->pcie_bridge_alias = true;
			break;
		case MODEL_QK_XLATE_ROOT:
			d->xlate_root = true;
			break;
		default:
			continue;
		}
		if (n < max)
			rows[n] = q;
		n++;
	}
	return n;
}

/* ---- text ---------------------------------------------------------------- */

void model_quirk_effect(const struct model_quirk *q, char *buf, size_t len)
{
	char bits[64], keep[64];

	model_acs_bits_str(q->acs_grant, bits, sizeof(bits));
	switch (q->kind) {
	case MODEL_QK_ACS:
		snprintf(buf, len, "ACS %s granted", bits);
		break;
	case MODEL_QK_ACS_DENY:
		snprintf(buf, len, "ACS denied");
		break;
	case MODEL_QK_ACS_AMD_SB:
		model_acs_bits_str(q->acs_keep, keep, sizeof(keep));
		snprintf(
			buf, len,
			"ACS %s granted (of %s) to a multifunction device on a root bus when an IVRS table exists",
			bits, keep);
		break;
	case MODEL_QK_ACS_INTEL_PCH:
		snprintf(
			buf, len,
			"ACS %s granted if the LPC at 1f.0 has RCBA enabled, else denied",
			bits);
		break;
	case MODEL_QK_ACS_INTEL_SPT:
		snprintf(
			buf, len,
			"ACS capability and control read as dwords at +4 and +8 of the ACS capability");
		break;
	case MODEL_QK_ALIAS_FUNC:
		snprintf(buf, len, "DMA alias to function %u of its slot",
			 q->alias[0]);
		break;
	case MODEL_QK_ALIAS_DEVFNS: {
		size_t off = (size_t)snprintf(buf, len, "DMA alias to");

		for (size_t k = 0; k < q->nr_alias && off < len; k++)
			off += (size_t)snprintf(buf + off, len - off,
						" %02x.%u", q->alias[k] >> 3,
						q->alias[k] & 7u);
		break;
	}
	case MODEL_QK_ALIAS_SLOT_FNS:
		snprintf(
			buf, len,
			"DMA aliases to functions 0-%u of every slot of its bus",
			q->alias[0] - 1u);
		break;
	case MODEL_QK_ALIAS_ALL:
		snprintf(buf, len, "DMA aliases to every devfn of its bus");
		break;
	case MODEL_QK_ALIAS_MMIO:
		snprintf(
			buf, len,
			"DMA aliases read from device registers (not in config space)");
		break;
	case MODEL_QK_BRIDGE_ALIAS:
		snprintf(
			buf, len,
			"requests from below carry its secondary bus, devfn 0 (as a PCIe-to-PCI bridge's)");
		break;
	case MODEL_QK_XLATE_ROOT:
		snprintf(buf, len, "the DMA alias walk stops below it");
		break;
	}
}

void model_quirk_ids(const struct model_quirk *q, char *buf, size_t len)
{
	size_t off;

	if (q->dev_lo == 0 && q->dev_hi == 0xffff)
		off = (size_t)snprintf(buf, len, "%04x:*", q->vendor);
	else if (q->dev_lo == q->dev_hi)
		off = (size_t)snprintf(buf, len, "%04x:%04x", q->vendor,
				       q->dev_lo);
	else
		off = (size_t)snprintf(buf, len, "%04x:%04x-%04x%s", q->vendor,
				       q->dev_lo, q->dev_hi,
				       q->dev_step > 1 ? " (even)" : "");
	if (off < len && q->sub)
		off += (size_t)snprintf(buf + off, len - off, " sub %04x:%04x",
					q->subvendor, q->subdevice);
	if (off < len && q->class)
		off += (size_t)snprintf(buf + off, len - off, " class %04x",
					q->class);
	if (off < len && q->types & MODEL_QT(MODEL_PCIE_ROOT_PORT))
		off += (size_t)snprintf(buf + off, len - off, " root port");
	if (off < len && q->types & MODEL_QT(MODEL_PCIE_DOWNSTREAM))
		off += (size_t)snprintf(buf + off, len - off,
					" downstream port");
	if (off < len && q->types & MODEL_QT(MODEL_PCIE_RC_END))
		snprintf(buf + off, len - off, " RCiEP");
}

void model_quirk_kernels(const struct model_quirk *q, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", q->kernels & MODEL_K6_1 ? "6.1" : "",
		 q->kernels == (MODEL_K6_1 | MODEL_K6_12) ? ", " : "",
		 q->kernels & MODEL_K6_12 ? "6.12" : "");
}
