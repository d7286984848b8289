// SPDX-License-Identifier: GPL-2.0-only
/*
 * Topology file parser (docs/formats.md, "Topology files").  The parser is
 * pure over a buffer so that it can be fuzzed; topo_parse_file() only adds
 * the read.
 */
#ifndef IOG_TOPO_H
#define IOG_TOPO_H

#include <stddef.h>
#include <stdio.h>

/* Longest accepted line, without its newline. */
#define TOPO_LINE_MAX 4096
/* Largest topology file topo_parse_file() reads. */
#define TOPO_FILE_MAX (1024 * 1024)
/* Length of an error buffer that always holds a whole message. */
#define TOPO_ERR_LEN 512

/* Value limits; zero is never accepted. */
#define TOPO_MEMORY_MAX 1048576U /* MiB */
#define TOPO_SMP_MAX 1024U
#define TOPO_TIMEOUT_MAX 86400U /* seconds */
#define TOPO_DRIVE_MAX (64ULL << 30) /* bytes */

/*
 * The hub of the first netdev.  Not 0: legacy -net options join hub 0 (the
 * LAVA qemu device type's "-net nic -net user"), which reaches the host.
 */
#define TOPO_HUB_FIRST 1

enum topo_iommu {
	TOPO_IOMMU_UNSET = 0, /* only while parsing */
	TOPO_IOMMU_NONE,
	TOPO_IOMMU_INTEL,
	TOPO_IOMMU_AMD,
	TOPO_IOMMU_VIRTIO,
};

/* A growable vector of owned strings. */
struct topo_strv {
	char **v;
	size_t n;
};

struct topo_drive {
	char *id;
	unsigned long long bytes;
	int line;
};

/* A network backend connected to nothing (a hub port of its own). */
struct topo_netdev {
	char *id;
	int line;
};

/* An -object of a type that touches nothing on the host. */
struct topo_object {
	char *args; /* the -object value, as written */
	char *id;
	int line;
};

/* One expect-group line; bdfs normalised to 0000:bb:dd.f, in file order. */
struct topo_group {
	struct topo_strv bdfs;
	int line;
};

struct topo {
	char *name; /* the name statement, else the file's basename */
	char *machine;
	enum topo_iommu iommu;
	char *iommu_device; /* "-device" value, NULL for none */
	unsigned int memory_mib; /* default 1024 */
	unsigned int smp; /* default 1 */
	char *cpu; /* default "max" */
	unsigned int timeout_s; /* 0: not given (the harness default applies) */
	struct topo_strv append; /* kernel args, IOMMU defaults first */
	struct topo_strv modules; /* IOMMU default first, no duplicates */
	struct topo_strv devices; /* -device values in file order */
	struct topo_drive *drives;
	size_t ndrives;
	struct topo_netdev *netdevs; /* in file order */
	size_t nnetdevs;
	struct topo_object *objects; /* in file order */
	size_t nobjects;
	struct topo_strv suites; /* empty: all suites; no duplicates */
	struct topo_strv traces; /* QEMU trace events to enable (-trace) */
	struct topo_strv guest_env; /* NAME=VALUE for the suites, file order */
	struct topo_group *groups;
	size_t ngroups;
	struct topo_strv nogroup; /* normalised BDFs in file order */
};

/*
 * Parse len bytes of buf (need not be NUL-terminated).  fname names the
 * input in messages and gives the default run name.  Returns 0, or -1 with
 * "FILE:LINE: message" (or "FILE: message") in err; on error *t is left
 * empty, and topo_free() is safe on it either way.
 */
int topo_parse_buf(const char *fname, const char *buf, size_t len,
		   struct topo *t, char *err, size_t errlen);

/* Read path (at most TOPO_FILE_MAX bytes) and parse it. */
int topo_parse_file(const char *path, struct topo *t, char *err, size_t errlen);

void topo_free(struct topo *t);

/* "intel", "amd", "virtio", "none" ("unset" for TOPO_IOMMU_UNSET). */
const char *topo_iommu_name(enum topo_iommu kind);

/*
 * The QEMU arguments the topology implies, one argv element each:
 * -machine, -m, -smp, -cpu, the IOMMU -device, each -object, each netdev
 * as -netdev hubport on a hub of its own (the first is TOPO_HUB_FIRST),
 * each -device line, then the trace events.  Drives are not included:
 * their files are made per run.  Returns 0, or -1 on allocation failure.
 * Free with topo_strv_free().
 */
int topo_qemu_args(const struct topo *t, struct topo_strv *out);

/*
 * The guest expectation file (docs/formats.md) as a malloc'd string:
 * "# generated from SOURCE", group lines (BDFs sorted, groups sorted by
 * their first BDF), then nogroup lines, sorted.  NULL on allocation failure.
 */
char *topo_expect_text(const struct topo *t, const char *source);

void topo_strv_free(struct topo_strv *sv);

/* Parse a BDF into "dddd:bb:dd.f" (out must hold 13 bytes); 0 or -1. */
int topo_parse_bdf(const char *s, char out[13]);

#endif /* IOG_TOPO_H */
