// SPDX-License-Identifier: GPL-2.0-only
/*
 * Snapshot reader and checkers for the kernel's IOMMU group sysfs
 * (/sys/kernel/iommu_groups and the device-side iommu_group links).
 * The root is "/sys" unless IOG_SYSFS_ROOT names a crafted tree.
 * Rule numbers (§) refer to shared/spec/iommu-groups.md.
 *
 * sysfs.c reads the snapshot, sysfs_text.c parses values and kernel
 * releases, sysfs_check.c holds every check, sysfs_partition.c the PCI
 * partitions and the expectation file.
 */
#ifndef IOG_SYSFS_H
#define IOG_SYSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Attribute reads stop here; sysfs attributes fit in one page. */
#define SYSFS_READ_MAX (64 * 1024)

/* Length of an error message buffer that always fits our messages. */
#define SYSFS_ERR_LEN 256

/* ---- configuration ---------------------------------------------------- */

/* IOG_SYSFS_ROOT if set and non-empty, else "/sys". */
const char *sysfs_root(void);

/* ---- snapshot --------------------------------------------------------- */

/* One attribute file of a group. */
struct sysfs_file {
	bool present; /* lstat() found something at the path */
	mode_t mode; /* its lstat() mode */
	int err; /* 0 if read, else errno (EINVAL: not a regular file) */
	char *data; /* NUL-terminated content (first SYSFS_READ_MAX bytes) */
	size_t len; /* bytes in data (may contain NUL bytes) */
	bool truncated; /* the file is longer than SYSFS_READ_MAX */
};

/* One entry of <group>/devices/. */
struct sysfs_member {
	char *name; /* entry name */
	bool is_link; /* the entry is a symlink */
	char *target; /* readlink() text, NULL if not a link */
	char *real; /* resolved path, NULL if resolution failed */
	int err; /* errno of the failed resolution, else 0 */
	bool is_dir; /* real is a directory */
	bool back_present; /* <real>/iommu_group exists (lstat) */
	char *back_real; /* resolved <real>/iommu_group, NULL if none */
	int back_err; /* errno of the failed back-link resolution */
};

/* One entry of ROOT/kernel/iommu_groups. */
struct sysfs_group {
	char *name; /* directory entry name */
	mode_t mode; /* lstat() mode of the entry */
	bool is_dir; /* a real directory (not a symlink) */
	long id; /* value if the name is all digits and <= INT_MAX, else -1 */
	bool id_canonical; /* decimal without leading zeros (§9.1) */
	char *real; /* resolved path of the group directory */
	bool devices_present; /* devices/ exists (lstat) */
	bool devices_is_dir; /* devices/ is a real directory */
	int devices_err; /* errno listing devices/, 0 if listed */
	struct sysfs_member *members; /* sorted by name */
	size_t nr_members;
	struct sysfs_file reserved_regions;
	struct sysfs_file type;
	struct sysfs_file name_attr; /* the optional "name" file */
};

/* A device under ROOT/bus/BUS/devices that has an iommu_group link. */
struct sysfs_device {
	char *bus; /* bus name, e.g. "pci" */
	char *name; /* entry name in ROOT/bus/BUS/devices */
	char *real; /* resolved device directory */
	char *group_target; /* readlink() of iommu_group */
	char *group_real; /* resolved iommu_group, NULL if broken */
	int group_err; /* errno of the failed resolution, else 0 */
	bool has_iommu_link; /* <device>/iommu is a symlink */
};

struct sysfs_snapshot {
	char *root; /* as configured */
	char *root_real; /* resolved root, NULL if it does not resolve */
	char *devices_real; /* resolved ROOT/devices, NULL if absent */
	char *groups_path; /* ROOT/kernel/iommu_groups */
	bool groups_present; /* lstat() found it */
	bool groups_is_dir; /* it is a directory */
	int groups_err; /* errno listing it, 0 if listed */
	struct sysfs_group *groups; /* canonical IDs ascending, then names */
	size_t nr_groups;
	struct sysfs_device *devices; /* sorted by real path */
	size_t nr_devices;
	int bus_err; /* errno listing ROOT/bus, 0 if listed */
};

/*
 * Read the whole tree under root (NULL: sysfs_root()).  Missing or broken
 * pieces are recorded, not fatal.  Returns 0, or -1 with errno (ENOMEM).
 */
int sysfs_snapshot_take(const char *root, struct sysfs_snapshot *s);
void sysfs_snapshot_free(struct sysfs_snapshot *s);

/* The group whose directory resolves to real, or NULL. */
const struct sysfs_group *sysfs_group_by_real(const struct sysfs_snapshot *s,
					      const char *real);

/* ---- value parsers ---------------------------------------------------- */

/* Decimal value of an all-digit name (<= INT_MAX), else -1. */
long sysfs_group_id_parse(const char *name, bool *canonical);

/* reserved_regions types in the kernel's enum order (§2.1). */
enum sysfs_resv_type {
	SYSFS_RESV_DIRECT,
	SYSFS_RESV_DIRECT_RELAXABLE,
	SYSFS_RESV_RESERVED,
	SYSFS_RESV_MSI,
	SYSFS_RESV_NR_TYPES,
};

struct sysfs_resv_region {
	uint64_t start;
	uint64_t end; /* inclusive */
	enum sysfs_resv_type type;
	unsigned int line;
};

struct sysfs_resv_list {
	struct sysfs_resv_region *regions;
	size_t nr;
};

const char *sysfs_resv_type_name(enum sysfs_resv_type t);

/*
 * Parse and validate reserved_regions content (§2.1, §9.6).  On success
 * returns 0 and, if out is not NULL, the regions (free with
 * sysfs_resv_list_free).  On failure returns -1 and writes "line N: what"
 * to err.  An empty file is valid.
 */
int sysfs_resv_parse(const char *data, size_t len, struct sysfs_resv_list *out,
		     char *err, size_t errsz);
void sysfs_resv_list_free(struct sysfs_resv_list *l);

/* type content: one word of §9.7 and one newline.  0 or -1 with err. */
int sysfs_type_check(const char *data, size_t len, char *err, size_t errsz);

/* name content: exactly one line (§2.3).  0 or -1 with err. */
int sysfs_name_check(const char *data, size_t len, char *err, size_t errsz);

/* ---- kernel versions -------------------------------------------------- */

struct sysfs_kver {
	int major;
	int minor;
};

enum sysfs_feature {
	SYSFS_FEAT_RESERVED_REGIONS, /* 4.11 */
	SYSFS_FEAT_TYPE, /* 5.11 */
};

/* Parse "6.12.117+deb12-amd64", "6.1.0-56-amd64", "6.13.0-rc1": 0 or -1. */
int sysfs_kver_parse(const char *release, struct sysfs_kver *v);
bool sysfs_kver_at_least(const struct sysfs_kver *v, int major, int minor);
bool sysfs_kver_has(const struct sysfs_kver *v, enum sysfs_feature f);
/* The version that introduced f, and its attribute name. */
struct sysfs_kver sysfs_feature_since(enum sysfs_feature f);
const char *sysfs_feature_name(enum sysfs_feature f);

/*
 * The running kernel's release (IOG_KERNEL_RELEASE overrides uname -r, for
 * tests on crafted trees) copied to release, and parsed into v.  Returns 0,
 * or -1 if it cannot be read or parsed (release still holds the text).
 */
int sysfs_kver_running(struct sysfs_kver *v, char *release, size_t size);

/* ---- invariant checks (§9) -------------------------------------------- */

/* Problems found by a check: one self-contained line each. */
struct sysfs_problems {
	char **msg;
	size_t nr;
	size_t cap;
	size_t dropped; /* problems whose message could not be stored */
};

static inline size_t sysfs_problems_count(const struct sysfs_problems *p)
{
	return p->nr + p->dropped;
}

void sysfs_problems_free(struct sysfs_problems *p);

/* s with control characters as \xNN, in a malloc()ed string (NULL: ENOMEM). */
char *sysfs_escape(const char *s);

/*
 * Each check appends what is wrong to p and returns how many items it
 * examined, so that a caller can tell "nothing wrong" from "nothing seen".
 */
/* §9.1: entries are directories named by distinct canonical decimal IDs. */
size_t sysfs_check_group_ids(const struct sysfs_snapshot *s,
			     struct sysfs_problems *p);
/* §9.2: every group has a devices/ directory. */
size_t sysfs_check_devices_dirs(const struct sysfs_snapshot *s,
				struct sysfs_problems *p);
/* §9.2: every group has the attribute file of feature f. */
size_t sysfs_check_present(const struct sysfs_snapshot *s, enum sysfs_feature f,
			   struct sysfs_problems *p);
/* §9.6: each present reserved_regions is well formed. */
size_t sysfs_check_reserved_regions(const struct sysfs_snapshot *s,
				    struct sysfs_problems *p);
/* §9.7: each present type is one word of the vocabulary. */
size_t sysfs_check_type(const struct sysfs_snapshot *s,
			struct sysfs_problems *p);
/* §9.2: each present name is one line. */
size_t sysfs_check_name(const struct sysfs_snapshot *s,
			struct sysfs_problems *p);
/* §9.3: devices/ entries are links to device directories in ROOT/devices. */
size_t sysfs_check_forward_links(const struct sysfs_snapshot *s,
				 struct sysfs_problems *p);
/* §9.3: each member's iommu_group link resolves back to its group. */
size_t sysfs_check_back_links(const struct sysfs_snapshot *s,
			      struct sysfs_problems *p);
/* §9.3: entry name = device basename, or basename.N. */
size_t sysfs_check_entry_names(const struct sysfs_snapshot *s,
			       struct sysfs_problems *p);
/* §9.4: a linked device is listed once, by the group it links to. */
size_t sysfs_check_membership(const struct sysfs_snapshot *s,
			      struct sysfs_problems *p);
/* §9.5: no group has an empty devices/ (nothing pins groups at boot). */
size_t sysfs_check_nonempty(const struct sysfs_snapshot *s,
			    struct sysfs_problems *p);
/* §9.10: linked devices have an iommu link (groups with a name exempt). */
size_t sysfs_check_iommu_links(const struct sysfs_snapshot *s,
			       struct sysfs_problems *p);

/* ---- PCI partition ---------------------------------------------------- */

/* Is s a PCI device name DDDD:BB:DD.F as the kernel prints it? */
bool sysfs_is_bdf(const char *s);
/* Normalise "DDDD:BB:DD.F" or "BB:DD.F" (any case) into out; false if bad. */
bool sysfs_bdf_normalize(const char *in, char *out, size_t size);

struct sysfs_pgroup {
	long id; /* kernel group ID; declaration line for expectations */
	char **bdfs; /* sorted */
	size_t nr;
};

struct sysfs_partition {
	struct sysfs_pgroup *groups;
	size_t nr;
};

/*
 * The kernel's groups with their PCI members (devices/ entries named like
 * a BDF), groups by ID, members sorted.  Groups without PCI members are
 * left out.  Returns 0 or -1 (ENOMEM).
 */
int sysfs_partition_build(const struct sysfs_snapshot *s,
			  struct sysfs_partition *part);
void sysfs_partition_free(struct sysfs_partition *part);
/* The group holding bdf, or NULL. */
const struct sysfs_pgroup *
sysfs_partition_find(const struct sysfs_partition *part, const char *bdf);
bool sysfs_pgroup_equal(const struct sysfs_pgroup *a,
			const struct sysfs_pgroup *b);
/* "{0000:03:00.0 0000:04:01.0}" in a malloc()ed string, NULL on ENOMEM. */
char *sysfs_pgroup_str(const struct sysfs_pgroup *g);

/* The guest expectation file (docs/formats.md). */
struct sysfs_expect {
	struct sysfs_partition groups; /* in file order */
	char **nogroup;
	size_t nr_nogroup;
};

/* 0, or -1 with "line N: what" in err. */
int sysfs_expect_parse(const char *data, size_t len, struct sysfs_expect *e,
		       char *err, size_t errsz);
/* As above from a file; -1 with errno ENOENT if the file does not exist. */
int sysfs_expect_load(const char *path, struct sysfs_expect *e, char *err,
		      size_t errsz);
void sysfs_expect_free(struct sysfs_expect *e);

/* Each declared group equals exactly one kernel group.  Returns groups. */
size_t sysfs_check_declared_groups(const struct sysfs_partition *expected,
				   const struct sysfs_partition *kernel,
				   struct sysfs_problems *p);
/* Every PCI device the kernel grouped is declared.  Returns devices. */
size_t sysfs_check_groups_declared(const struct sysfs_partition *expected,
				   const struct sysfs_partition *kernel,
				   struct sysfs_problems *p);

/* What ROOT/bus/pci/devices/BDF says about one device. */
struct sysfs_pci_dev {
	bool present; /* resolves to a directory */
	bool has_group_link; /* <device>/iommu_group exists (lstat) */
	char *group_real; /* its resolved target, NULL if broken */
	long group_id; /* ID from the target's name, -1 if none */
};

/* 0, or -1 (ENOMEM).  root NULL: sysfs_root(). */
int sysfs_pci_dev_get(const char *root, const char *bdf,
		      struct sysfs_pci_dev *d);
void sysfs_pci_dev_free(struct sysfs_pci_dev *d);

#endif /* IOG_SYSFS_H */
