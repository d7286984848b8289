// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the model's live inputs: a sysfs tree made from a dump and
 * read back through libpci, the iogroups tool on it, and which devices a
 * driver probes (probe.h: alias files, driver tables found in a kernel
 * image by kimage.h, registration and module load order).
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pci/pci.h>

#include "kselftest_harness.h"
#include "model_util.h"

#include "kimage.h"
#include "model.h"
#include "pci_topo.h"
#include "probe.h"

/* A sysfs tree like the kernel's, from a dump, read back through libpci. */
static int write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -1;
	ok = fwrite(buf, 1, len, f) == len;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static void __attribute__((noreturn)) fake_pci_error(char *msg, ...)
{
	fprintf(stderr, "# libpci: %s\n", msg);
	exit(1);
}

static int make_sysfs(const char *dump, const char *root, const struct obs *o)
{
	struct pci_access *acc = pci_alloc();
	char path[1024], text[64];
	u8 cfg[4096];

	acc->error = fake_pci_error;
	acc->method = PCI_ACCESS_DUMP;
	pci_set_param(acc, "dump.name", (char *)dump);
	pci_init(acc);
	pci_scan_bus(acc);
	snprintf(
		path, sizeof(path),
		"mkdir -p %s/bus/pci/devices %s/class/iommu/dmar0 %s/kernel/iommu_groups",
		root, root, root);
	if (system(path))
		return -1;
	for (struct pci_dev *p = acc->devices; p; p = p->next) {
		char dir[512];
		int len = 4096;

		pci_fill_info(p, PCI_FILL_IDENT | PCI_FILL_CLASS);
		snprintf(dir, sizeof(dir),
			 "%s/bus/pci/devices/%04x:%02x:%02x.%d", root,
			 p->domain, p->bus, p->dev, p->func);
		if (mkdir(dir, 0755))
			return -1;
		if (!pci_read_block(p, 0, cfg, len))
			len = 256;
		if (!pci_read_block(p, 0, cfg, len))
			return -1;
		snprintf(path, sizeof(path), "%s/config", dir);
		if (write_file(path, cfg, (size_t)len))
			return -1;
		static const char *const attrs[] = {"vendor", "device", "class",
						    "irq", "resource"};
		for (size_t i = 0; i < 5; i++) {
			if (i == 0)
				snprintf(text, sizeof(text), "0x%04x\n",
					 p->vendor_id);
			else if (i == 1)
				snprintf(text, sizeof(text), "0x%04x\n",
					 p->device_id);
			else if (i == 2)
				snprintf(text, sizeof(text), "0x%06x\n",
					 (unsigned int)p->device_class << 8);
			else if (i == 3)
				snprintf(text, sizeof(text), "0\n");
			else
				text[0] = '\0';
			snprintf(path, sizeof(path), "%s/%s", dir, attrs[i]);
			if (write_file(path, text, strlen(text)))
				return -1;
		}
	}
	pci_cleanup(acc);
	for (size_t i = 0; o && i < o->nr; i++) {
		snprintf(path, sizeof(path),
			 "%s/kernel/iommu_groups/%ld/devices", root,
			 o->g[i].id);
		char cmd[1200];
		snprintf(cmd, sizeof(cmd), "mkdir -p %s", path);
		if (system(cmd))
			return -1;
		for (size_t k = 0; k < o->g[i].nr; k++) {
			char link[1100], target[256];

			snprintf(link, sizeof(link), "%s/%s", path,
				 o->g[i].bdfs[k]);
			snprintf(target, sizeof(target),
				 "../../../../bus/pci/devices/%s",
				 o->g[i].bdfs[k]);
			if (symlink(target, link))
				return -1;
		}
		snprintf(path, sizeof(path),
			 "%s/kernel/iommu_groups/%ld/reserved_regions", root,
			 o->g[i].id);
		if (write_file(path, o->g[i].resv, strlen(o->g[i].resv)))
			return -1;
		snprintf(path, sizeof(path), "%s/kernel/iommu_groups/%ld/type",
			 root, o->g[i].id);
		snprintf(text, sizeof(text), "%s\n", o->g[i].type);
		if (write_file(path, text, strlen(text)))
			return -1;
	}
	return 0;
}

FIXTURE(fake_sysfs)
{
	char root[64];
	struct obs *obs;
};

FIXTURE_SETUP(fake_sysfs)
{
	snprintf(self->root, sizeof(self->root), "/tmp/iog-model-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	self->obs = model_ut_obs_load(
		model_ut_fixture("lspci/q35-acs-intel.observed"));
	ASSERT_NE(NULL, self->obs);
	ASSERT_EQ(0, make_sysfs(model_ut_fixture("lspci/q35-acs-intel.dump"),
				self->root, self->obs));
}

FIXTURE_TEARDOWN(fake_sysfs)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->root);
	if (system(cmd))
		TH_LOG("could not remove %s", self->root);
	free(self->obs);
}

TEST_F(fake_sysfs, live_loader_sees_what_the_dump_says)
{
	struct model_opts o = {.iommu = MODEL_IOMMU_INTEL};
	char err[MODEL_ERR_LEN], *diff = NULL;
	struct model_partition p;
	struct model *m;

	ASSERT_EQ(0, model_load_live(&m, self->root, err, sizeof(err)))
	TH_LOG("%s", err);
	ASSERT_EQ(0, model_boot(m, &o, err, sizeof(err)));
	ASSERT_EQ(0, model_partition(m, &p));
	EXPECT_EQ(0, model_compare(&p, self->obs->og, self->obs->nr, &diff))
	TH_LOG("%s", diff);
	free(diff);
	model_partition_free(&p);
	model_free(m);
}

TEST_F(fake_sysfs, iogroups_list_check_explain)
{
	static char out[65536];
	char args[512];

	if (access("build/host/iogroups", X_OK))
		SKIP(return, "build/host/iogroups not built");
	snprintf(args, sizeof(args), "--sysfs %s", self->root);
	ASSERT_EQ(0, model_ut_iogroups(args, out, sizeof(out)))
	TH_LOG("%s", out);
	EXPECT_NE(NULL,
		  strstr(out, "IOMMU group 7 (type DMA)\n    0000:00:1f.0  "))
	TH_LOG("%s", out);
	/* Names come from pci.ids through libpci. */
	EXPECT_NE(NULL, strstr(out, "ICH9"));
	snprintf(args, sizeof(args), "check --sysfs %s", self->root);
	EXPECT_EQ(0, model_ut_iogroups(args, out, sizeof(out)))
	TH_LOG("%s", out);
	snprintf(args, sizeof(args), "explain 04:02.0 --sysfs %s", self->root);
	EXPECT_EQ(0, model_ut_iogroups(args, out, sizeof(out)));
	EXPECT_NE(
		NULL,
		strstr(out, "aliases to PCIe-to-PCI bridge 0000:03:00.0 (R4)"))
	TH_LOG("%s", out);
	EXPECT_NE(
		NULL,
		strstr(out,
		       "kernel: group 10: 0000:03:00.0 0000:04:01.0 0000:04:02.0"));

	/* The kernel splits 05:00.x (as after a rescan): exit 1, explained. */
	char cmd[1024];

	snprintf(
		cmd, sizeof(cmd),
		"mkdir -p %s/kernel/iommu_groups/12/devices && mv %s/kernel/iommu_groups/11/devices/0000:05:00.1 %s/kernel/iommu_groups/12/devices/",
		self->root, self->root, self->root);
	ASSERT_EQ(0, system(cmd));
	snprintf(args, sizeof(args), "check --groups-only --sysfs %s",
		 self->root);
	EXPECT_EQ(1, model_ut_iogroups(args, out, sizeof(out)))
	TH_LOG("%s", out);
	EXPECT_NE(
		NULL,
		strstr(out,
		       "0000:05:00.1: function of multifunction slot 05:00 without ACS, shares with 0000:05:00.0 (R8)"))
	TH_LOG("%s", out);
	snprintf(args, sizeof(args), "check --json --groups-only --sysfs %s",
		 self->root);
	EXPECT_EQ(1, model_ut_iogroups(args, out, sizeof(out)));
	/* Model group 11 against kernel groups 11 and 12. */
	EXPECT_NE(NULL, strstr(out, "\"differences\":3")) TH_LOG("%s", out);

	EXPECT_EQ(2, model_ut_iogroups(
			     "predict --iommu intel --dump /nonexistent.dump",
			     out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "/nonexistent.dump: No such file"));
	EXPECT_EQ(2, model_ut_iogroups("frobnicate", out, sizeof(out)));
}

/*
 * Config files of 256 bytes read live as root are the kernel's own view:
 * no extended space, so no ACS.  Unlike an lspci -xxx dump this decides
 * (the root ports' devices share the ports' group), and check compares.
 */
TEST(live_config_without_extended_space_means_no_acs)
{
	struct model_opts o = {.iommu = MODEL_IOMMU_INTEL};
	char root[64] = "/tmp/iog-model-XXXXXX", err[MODEL_ERR_LEN], cmd[128];
	struct obs *obs = model_ut_obs_load(
		model_ut_fixture("lspci/q35-acs-intel.observed"));
	struct model_partition p;
	struct model *m;

	ASSERT_NE(NULL, obs);
	ASSERT_NE(NULL, mkdtemp(root));
	ASSERT_EQ(0,
		  make_sysfs(model_ut_fixture("model/q35-acs-intel-256.dump"),
			     root, obs));
	ASSERT_EQ(0, model_load_live(&m, root, err, sizeof(err)))
	TH_LOG("%s", err);
	EXPECT_FALSE(model_pci_find(model_topo(m), "00:02.0")->ext_cfg_missing);
	ASSERT_EQ(0, model_boot(m, &o, err, sizeof(err)));
	ASSERT_EQ(0, model_partition(m, &p));
	EXPECT_EQ(model_ut_group_of(&p, "00:02.0"),
		  model_ut_group_of(&p, "01:00.0"));
	for (size_t i = 0; i < p.nr; i++)
		EXPECT_EQ(MODEL_DECIDED, p.groups[i].certainty);
	EXPECT_NE(NULL,
		  strstr(model_ut_why_of(&p, "01:00.0"),
			 "root port 0000:00:02.0 lacks an ACS capability"))
	TH_LOG("%s", model_ut_why_of(&p, "01:00.0"));
	/* The q35-acs kernel had ACS: a real difference. */
	EXPECT_LT(0, model_compare(&p, obs->og, obs->nr, NULL));
	model_partition_free(&p);
	model_free(m);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	EXPECT_EQ(0, system(cmd));
	free(obs);
}

TEST(virtio_groups_probed_devices_even_if_their_probe_fails)
{
	/*
	 * As 6.12 did on q35-virtio: pcieport on the ports and on the
	 * PCIe-to-PCI bridge (whose probe fails), agpgart-intel on the host
	 * bridge (probe fails), then nvme, e1000e, e1000.  No group for the
	 * ICH9 functions, which no driver matches.
	 */
	static const char *const probed[] = {
		"00:02.0", "00:02.1", "00:02.2", "00:02.3", "00:02.4",
		"03:00.0", "00:00.0", "01:00.0", "00:05.0", "02:00.0",
		"05:00.0", "05:00.1", "04:01.0", "04:02.0",
	};
	static const char *const bound[] = {"01:00.0", "04:01.0"};
	struct model_opts o = {.iommu = MODEL_IOMMU_VIRTIO,
			       .bound = bound,
			       .nr_bound = 2,
			       .probed = probed,
			       .nr_probed = sizeof(probed) / sizeof(probed[0])};
	struct model *m = model_ut_boot_dump(
		model_ut_fixture("lspci/q35-acs-intel.dump"), &o);
	const struct model_event *ev;
	struct model_partition p;
	size_t n, unbinds;

	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, model_partition(m, &p));
	EXPECT_EQ(4, model_ut_group_of(&p, "00:02.4"));
	EXPECT_EQ(5, model_ut_group_of(&p, "03:00.0"));
	EXPECT_EQ(6, model_ut_group_of(&p, "00:00.0"));
	EXPECT_EQ(7, model_ut_group_of(&p, "01:00.0"));
	EXPECT_EQ(10, model_ut_group_of(&p, "05:00.1"));
	/* The rules put the e1000 into the bridge's group (R4). */
	EXPECT_EQ(5, model_ut_group_of(&p, "04:01.0"));
	EXPECT_EQ(-1, model_ut_group_of(&p, "00:1f.2"));
	EXPECT_NE(NULL, strstr(model_ut_why_of(&p, "00:1f.2"),
			       "no registered driver's ID table matches it"))
	TH_LOG("%s", model_ut_why_of(&p, "00:1f.2"));
	EXPECT_EQ(11, (int)p.nr);
	model_partition_free(&p);
	/* `bound` still decides the driver events of a removal. */
	ASSERT_EQ(0, model_remove_device(m, "00:02.0"));
	n = model_events(m, &ev);
	unbinds = 0;
	for (size_t i = 0; i < n; i++)
		unbinds += ev[i].type == MODEL_EV_UNBIND_DRIVER;
	EXPECT_EQ(1, unbinds); /* 01:00.0, below the port */
	model_free(m);

	/* A probed device outside the topology is an error, named. */
	static const char *const bad[] = {"0000:42:00.0"};
	char err[MODEL_ERR_LEN];

	o.probed = bad;
	o.nr_probed = 1;
	o.nr_bound = 0;
	ASSERT_EQ(0, model_load_dump(
			     &m, model_ut_fixture("lspci/q35-acs-intel.dump"),
			     err, sizeof(err)));
	EXPECT_EQ(-1, model_boot(m, &o, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "probed device 0000:42:00.0 is not in"));
	model_free(m);
}

/* ---- built-in PCI drivers' tables (kimage.h) --------------------------- */

#define ANY MODEL_PCI_ANY_ID
/* PCI_DEVICE plus a class and mask, any subsystem. */
#define PCI_ID_CLASS(v, d, c, cm)                                   \
	{                                                           \
		.vendor = (v), .device = (d), .subvendor = ANY,     \
		.subdevice = ANY, .class = (c), .class_mask = (cm), \
		.override_only = false                              \
	}
#define PCI_ID_OVERRIDE(v)                                      \
	{                                                       \
		.vendor = (v), .device = ANY, .subvendor = ANY, \
		.subdevice = ANY, .class = 0, .class_mask = 0,  \
		.override_only = true                           \
	}

TEST(pci_id_alias_patterns)
{
	struct model_pci_id port = PCI_ID_CLASS(ANY, ANY, 0x060400, ANY);
	struct model_pci_id hb =
		PCI_ID_CLASS(0x8086, 0x29c0, 0x060000, 0xffff00);
	struct model_pci_id xhci = PCI_ID_CLASS(ANY, ANY, 0x0c0330, 0xfffffc);
	struct model_pci_id any = PCI_ID_CLASS(0x1af4, ANY, 0, 0);
	char buf[128];

	ASSERT_EQ(0, model_pci_id_alias(&port, buf, sizeof(buf)));
	EXPECT_STREQ("pci:v*d*sv*sd*bc06sc04i00", buf);
	ASSERT_EQ(0, model_pci_id_alias(&hb, buf, sizeof(buf)));
	EXPECT_STREQ("pci:v00008086d000029C0sv*sd*bc06sc00i*", buf);
	/* modpost gives up on a partial mask; the pattern stays exact. */
	ASSERT_EQ(0, model_pci_id_alias(&xhci, buf, sizeof(buf)));
	EXPECT_STREQ("pci:v*d*sv*sd*bc0Csc03i3[0123]", buf);
	EXPECT_TRUE(model_pci_alias_match(
		buf, "pci:v00001B36d0000000Dsv00001AF4sd00001100bc0Csc03i30"));
	EXPECT_FALSE(model_pci_alias_match(
		buf, "pci:v00001B36d0000000Dsv00001AF4sd00001100bc0Csc03i34"));
	ASSERT_EQ(0, model_pci_id_alias(&any, buf, sizeof(buf)));
	EXPECT_STREQ("pci:v00001AF4d*sv*sd*bc*sc*i*", buf);
	EXPECT_EQ(-1, model_pci_id_alias(&any, buf, 12));
}

#define KADDR_TEXT 0xffffffff81000000ULL
#define KADDR_RO 0xffffffff82000000ULL
#define KADDR_DATA 0xffffffff82100000ULL

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = v >> (8 * i);
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

/* One pci_device_id at p (40 bytes). */
static void put_id(unsigned char *p, const struct model_pci_id *id)
{
	memset(p, 0, 40);
	put32(p, id->vendor);
	put32(p + 4, id->device);
	put32(p + 8, id->subvendor);
	put32(p + 12, id->subdevice);
	put32(p + 16, id->class);
	put32(p + 20, id->class_mask);
	put32(p + 32, id->override_only);
}

/*
 * A vmlinux in miniature: .text, .rodata (names and tables), .data (a
 * 6.1-style pci_driver behind a list_head, and a decoy whose table has
 * a vendor past 0xffff), .shstrtab.
 */
static size_t make_elf(unsigned char *img, size_t size)
{
	static const char shstr[] = "\0.text\0.rodata\0.data\0.shstrtab";
	const size_t text = 0x100, ro = 0x200, data = 0x400, strs = 0x500,
		     sh = 0x600;
	const struct model_pci_id ids[] = {
		PCI_ID_CLASS(0x8086, 0x29c0, 0x060000, 0xffff00),
		PCI_ID_CLASS(ANY, ANY, 0x060400, ANY),
		PCI_ID_OVERRIDE(0x1234),
		{.vendor = 0},
	};
	const struct model_pci_id bad = PCI_ID_CLASS(0x12345, 1, 0, 0);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	struct {
		const char *name;
		uint32_t type;
		uint64_t flags, addr, off, len;
	} sec[] = {
		{"", SHT_NULL, 0, 0, 0, 0},
		{".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, KADDR_TEXT,
		 text, 0x40},
		{".rodata", SHT_PROGBITS, SHF_ALLOC, KADDR_RO, ro, 0x200},
		{".data", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, KADDR_DATA, data,
		 0x100},
		{".shstrtab", SHT_STRTAB, 0, 0, strs, sizeof(shstr)},
	};

	if (size < sh + 5 * sizeof(Elf64_Shdr))
		return 0;
	memset(img, 0, size);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_ehsize = sizeof(*eh);
	eh->e_shoff = sh;
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = 5;
	eh->e_shstrndx = 4;
	memset(img + text, 0xcc, 0x40);
	memcpy(img + ro, "agp-test", 9);
	for (size_t i = 0; i < 4; i++)
		put_id(img + ro + 0x10 + 40 * i, &ids[i]);
	memcpy(img + ro + 0x100, "decoy", 6);
	put_id(img + ro + 0x108, &bad);
	/* pci_driver after a list_head: name, id_table, probe, NULLs. */
	put64(img + data + 0x10, KADDR_RO);
	put64(img + data + 0x18, KADDR_RO + 0x10);
	put64(img + data + 0x20, KADDR_TEXT);
	put64(img + data + 0x38, KADDR_TEXT + 0x10); /* resume */
	put64(img + data + 0x80, KADDR_RO + 0x100);
	put64(img + data + 0x88, KADDR_RO + 0x108);
	put64(img + data + 0x90, KADDR_TEXT);
	memcpy(img + strs, shstr, sizeof(shstr));
	for (size_t i = 0, name = 0; i < 5; i++) {
		Elf64_Shdr s = {0};

		s.sh_name = name;
		name += strlen(sec[i].name) + 1;
		s.sh_type = sec[i].type;
		s.sh_flags = sec[i].flags;
		s.sh_addr = sec[i].addr;
		s.sh_offset = sec[i].off;
		s.sh_size = sec[i].len;
		s.sh_addralign = 8;
		memcpy(img + sh + i * sizeof(s), &s, sizeof(s));
	}
	return sh + 5 * sizeof(Elf64_Shdr);
}

struct found {
	char names[4][32];
	struct model_pci_id ids[4][8];
	size_t nr[4];
	size_t drivers;
};

static int collect(const char *driver, const struct model_pci_id *ids,
		   size_t nr, void *data)
{
	struct found *f = data;

	if (f->drivers == 4 || nr > 8)
		return -1;
	snprintf(f->names[f->drivers], sizeof(f->names[0]), "%s", driver);
	memcpy(f->ids[f->drivers], ids, nr * sizeof(*ids));
	f->nr[f->drivers++] = nr;
	return 0;
}

TEST(kimage_finds_builtin_pci_drivers)
{
	static unsigned char img[0x800];
	struct found f = {0};
	size_t len = make_elf(img, sizeof(img));
	char err[128];

	ASSERT_NE(0, len);
	EXPECT_EQ(1, model_kimage_pci_drivers(img, len, collect, &f, err,
					      sizeof(err)))
	TH_LOG("%s", err);
	EXPECT_STREQ("agp-test", f.names[0]);
	ASSERT_EQ(3, f.nr[0]);
	EXPECT_EQ(0x29c0, f.ids[0][0].device);
	EXPECT_EQ(0xffff00, f.ids[0][0].class_mask);
	EXPECT_EQ(MODEL_PCI_ANY_ID, f.ids[0][1].vendor);
	EXPECT_TRUE(f.ids[0][2].override_only);
	/* A callback's refusal stops the scan. */
	f.drivers = 4;
	EXPECT_EQ(-1, model_kimage_pci_drivers(img, len, collect, &f, err,
					       sizeof(err)));
	EXPECT_STREQ("stopped at driver agp-test", err);
	/* Not a vmlinux. */
	EXPECT_EQ(-1, model_kimage_pci_drivers((const unsigned char *)"MZ", 2,
					       collect, &f, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "not a 64-bit little-endian ELF"));
	/* Section headers past the end. */
	EXPECT_EQ(-1, model_kimage_pci_drivers(img, 0x700, collect, &f, err,
					       sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "out of bounds"));
}

/* ---- which devices a driver probes (probe.h) ---------------------------- */

static int put_text(const char *root, const char *rel, const char *text)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return write_file(path, text, strlen(text));
}

TEST(pci_aliases_load_and_name_bad_lines)
{
	char path[] = "/tmp/iog-aliases-XXXXXX";
	struct model_pci_aliases a;
	char err[MODEL_ERR_LEN];
	int fd = mkstemp(path);

	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0,
		  put_text("", path,
			   "# comment\n"
			   "alias pci:v00008086d000010D3sv*sd*bc*sc*i* e1000e\n"
			   "\n"
			   "builtin pci:v*d*sv*sd*bc06sc04i00 pcieport\n"
			   "builtin-driver pcieport\n"));
	ASSERT_EQ(0, model_pci_aliases_load(&a, path, err, sizeof(err)))
	TH_LOG("%s", err);
	ASSERT_EQ(2, a.nr);
	EXPECT_FALSE(a.v[0].builtin);
	EXPECT_STREQ("e1000e", a.v[0].name);
	EXPECT_TRUE(a.v[1].builtin);
	ASSERT_EQ(1, a.nr_builtin_drivers);
	EXPECT_STREQ("pcieport", a.builtin_drivers[0]);
	EXPECT_TRUE(model_pci_alias_match(
		a.v[0].pattern,
		"pci:v00008086d000010D3sv00008086sd00000000bc02sc00i00"));
	model_pci_aliases_free(&a);
	ASSERT_EQ(0, put_text("", path,
			      "alias pci:v*d*sv*sd*bc*sc*i* x\n"
			      "alias usb:v*p* y\n"));
	EXPECT_EQ(-1, model_pci_aliases_load(&a, path, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, ":2: want 'alias pci:PATTERN MODULE'"))
	TH_LOG("%s", err);
	unlink(path);
	EXPECT_EQ(-1, model_pci_aliases_load(&a, path, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "No such file"));
}

/* ROOT/bus/pci/drivers/D with D/module -> module/M (initstate if loaded). */
static int add_driver(const char *root, const char *d, const char *m,
		      bool loaded)
{
	char path[1024], target[256];

	snprintf(path, sizeof(path),
		 "mkdir -p %s/bus/pci/drivers/%s %s/module/%s", root, d, root,
		 m);
	if (system(path))
		return -1;
	snprintf(path, sizeof(path), "%s/bus/pci/drivers/%s/module", root, d);
	snprintf(target, sizeof(target), "../../../../module/%s", m);
	if (symlink(target, path))
		return -1;
	snprintf(path, sizeof(path), "module/%s/initstate", m);
	return loaded ? put_text(root, path, "live\n") : 0;
}

/* What the kernel writes to modalias, from the dump's config space. */
static int add_modaliases(const char *root, const struct model_pci_topo *t)
{
	for (size_t i = 0; i < t->nr; i++) {
		const struct model_pci_dev *d = &t->devs[i];
		char rel[128], text[128];
		char cfg[1024];
		unsigned char c[64];
		FILE *f;

		snprintf(cfg, sizeof(cfg), "%s/bus/pci/devices/%s/config", root,
			 d->bdf);
		f = fopen(cfg, "rb");
		if (!f || fread(c, 1, 64, f) != 64) {
			if (f)
				fclose(f);
			return -1;
		}
		fclose(f);
		snprintf(text, sizeof(text),
			 "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n",
			 c[0] | c[1] << 8, c[2] | c[3] << 8,
			 (c[0x0e] & 0x7f) ? 0 : c[0x2c] | c[0x2d] << 8,
			 (c[0x0e] & 0x7f) ? 0 : c[0x2e] | c[0x2f] << 8, c[0x0b],
			 c[0x0a], c[0x09]);
		snprintf(rel, sizeof(rel), "bus/pci/devices/%s/modalias",
			 d->bdf);
		if (put_text(root, rel, text))
			return -1;
	}
	return 0;
}

TEST_F(fake_sysfs, probes_follow_tables_registration_and_load_order)
{
	struct model_pci_aliases a;
	struct model_probes pr;
	char err[MODEL_ERR_LEN], path[1024];
	struct model *m;
	const char *order;

	ASSERT_EQ(0, model_load_live(&m, self->root, err, sizeof(err)));
	ASSERT_EQ(0, add_modaliases(self->root, model_topo(m)));
	/* Registration order: pcieport, agpgart-intel, shpchp (built in). */
	static const char *const builtin[] = {"pcieport", "agpgart-intel",
					      "shpchp"};
	snprintf(path, sizeof(path), "%s/bus/pci/drivers", self->root);
	ASSERT_EQ(0, model_ut_dirs_in_inode_order(path, builtin, 3));
	ASSERT_EQ(0, add_driver(self->root, "pcieport", "pcieportdrv", false));
	ASSERT_EQ(0,
		  add_driver(self->root, "agpgart-intel", "intel_agp", false));
	ASSERT_EQ(0, add_driver(self->root, "shpchp", "shpchp", false));
	ASSERT_EQ(0, add_driver(self->root, "nvme", "nvme", true));
	ASSERT_EQ(0, add_driver(self->root, "e1000e", "e1000e", true));
	snprintf(path, sizeof(path), "%s/aliases", self->root);
	ASSERT_EQ(0,
		  put_text("", path,
			   "alias pci:v*d*sv*sd*bc01sc08i02 nvme\n"
			   "alias pci:v00008086d000010D3sv*sd*bc*sc*i* e1000e\n"
			   "alias pci:v00008086d0000100Esv*sd*bc*sc*i* e1000\n"
			   "alias pci:v00008086d00002922sv*sd*bc*sc*i* ahci\n"
			   "builtin-driver pcieport\n"
			   "builtin pci:v*d*sv*sd*bc06sc04i00 pcieport\n"
			   "builtin pci:v*d*sv*sd*bc06sc04i00 shpchp\n"
			   "builtin-driver shpchp\n"
			   "builtin pci:v00008086d000029C0sv*sd*bc06sc00i* "
			   "agpgart-intel\n"
			   "builtin-driver agpgart-intel\n"));
	ASSERT_EQ(0, model_pci_aliases_load(&a, path, err, sizeof(err)));
	order = "virtio_iommu nvme e1000e";
	ASSERT_EQ(0, model_probes_live(model_topo(m), self->root, &a, order,
				       &pr, err, sizeof(err)))
	TH_LOG("%s", err);
	EXPECT_TRUE(pr.complete) TH_LOG("%s", pr.incomplete);
	EXPECT_TRUE(pr.order_known) TH_LOG("%s", pr.order_why);
	/*
	 * pcieport's devices in bus order (the bridge 03:00.0 too), then
	 * the host bridge, then nvme's, then e1000e's; e1000 is not loaded
	 * and ahci neither: no probe for 04:0x.0 and the ICH9 functions.
	 */
	static const char *const want[] = {
		"0000:00:02.0", "0000:00:02.1", "0000:00:02.2", "0000:00:02.3",
		"0000:00:02.4", "0000:03:00.0", "0000:00:00.0", "0000:01:00.0",
		"0000:00:05.0", "0000:02:00.0", "0000:05:00.0", "0000:05:00.1",
	};
	ASSERT_EQ(sizeof(want) / sizeof(want[0]), pr.nr);
	for (size_t i = 0; i < pr.nr; i++)
		EXPECT_STREQ(want[i], pr.v[i].bdf);
	EXPECT_STREQ("pcieport", pr.v[5].driver);
	EXPECT_TRUE(pr.v[5].builtin);
	EXPECT_EQ(MODEL_PROBE_DEFERRED, pr.v[6].when);
	EXPECT_STREQ("nvme", pr.v[7].module);
	EXPECT_EQ(MODEL_PROBE_AT_LOAD, pr.v[7].when);
	EXPECT_FALSE(pr.v[7].bound);
	model_probes_free(&pr);

	/* Loaded before virtio_iommu: deferred too, after the built-ins. */
	ASSERT_EQ(0, model_probes_live(model_topo(m), self->root, &a,
				       "e1000e virtio-iommu.ko nvme", &pr, err,
				       sizeof(err)));
	EXPECT_STREQ("0000:00:05.0", pr.v[7].bdf);
	EXPECT_EQ(MODEL_PROBE_DEFERRED, pr.v[7].when);
	EXPECT_STREQ("0000:01:00.0", pr.v[11].bdf);
	EXPECT_EQ(MODEL_PROBE_AT_LOAD, pr.v[11].when);
	model_probes_free(&pr);

	/* No order, or none for virtio_iommu: the times are unknown. */
	ASSERT_EQ(0, model_probes_live(model_topo(m), self->root, &a, NULL, &pr,
				       err, sizeof(err)));
	EXPECT_FALSE(pr.order_known);
	EXPECT_STREQ("the module load order is not known", pr.order_why);
	EXPECT_EQ(MODEL_PROBE_UNKNOWN, pr.v[0].when);
	model_probes_free(&pr);
	ASSERT_EQ(0, model_probes_live(model_topo(m), self->root, &a, "nvme",
				       &pr, err, sizeof(err)));
	EXPECT_FALSE(pr.order_known);
	EXPECT_NE(NULL, strstr(pr.order_why, "virtio_iommu is not in the "
					     "module load order 'nvme'"));
	model_probes_free(&pr);

	/* A bound device counts whatever the tables say. */
	snprintf(path, sizeof(path), "%s/bus/pci/devices/0000:00:1f.3/driver",
		 self->root);
	ASSERT_EQ(0, symlink("../../../bus/pci/drivers/nvme", path));
	/* A built-in driver with no known table: incomplete. */
	ASSERT_EQ(0, add_driver(self->root, "mystery", "mystery", false));
	ASSERT_EQ(0, model_probes_live(model_topo(m), self->root, &a, order,
				       &pr, err, sizeof(err)));
	EXPECT_FALSE(pr.complete);
	EXPECT_NE(NULL, strstr(pr.incomplete, "built-in PCI driver(s) mystery"))
	TH_LOG("%s", pr.incomplete);
	EXPECT_STREQ("0000:00:1f.3", pr.v[7].bdf);
	EXPECT_TRUE(pr.v[7].bound);
	model_probes_free(&pr);
	model_pci_aliases_free(&a);
	model_free(m);
}

TEST_HARNESS_MAIN
