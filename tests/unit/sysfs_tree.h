/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fake /sys trees and suite runs shared by the test_sysfs*.c unit tests.
 *
 * Trees mirroring /sys are built in a mkdtemp() directory with relative
 * links shaped like the kernel's (§2): device iommu_group ->
 * ../../../kernel/iommu_groups/N, group devices/X ->
 * ../../../../devices/pci0000:00/X, bus/pci/devices/X -> ../../../devices/...
 * lib/sysfs_tree.c builds them and runs the §9 checks on them,
 * lib/sysfs_suite.c runs the suite binaries on them and
 * lib/sysfs_dump.c builds them from captured config space
 * (tests/fixtures/lspci) for the reference model.
 */
#ifndef IOG_UNIT_SYSFS_TREE_H
#define IOG_UNIT_SYSFS_TREE_H

#include <stddef.h>
#include <string.h>

#include "sysfs.h"

#define ASSERT_HAS(hay, needle)                      \
	ASSERT_TRUE(strstr((hay), (needle)) != NULL) \
	TH_LOG("'%s' not found in:\n%s", (needle), (hay))

#define EXPECT_HAS(hay, needle)                      \
	EXPECT_TRUE(strstr((hay), (needle)) != NULL) \
	TH_LOG("'%s' not found in:\n%s", (needle), (hay))

#define ASSERT_LACKS(hay, needle)                    \
	ASSERT_TRUE(strstr((hay), (needle)) == NULL) \
	TH_LOG("'%s' unexpectedly found in:\n%s", (needle), (hay))

/* ---- building trees (lib/sysfs_tree.c) --------------------------------- */

struct __test_metadata;

struct tdev {
	const char *path; /* below ROOT/devices */
	int group; /* -1: no group */
};

/* The good tree: a cut-down q35-acs (observed-q35.md). */
#define NR_GOOD_GROUPS 6
#define MSI "0x00000000fee00000 0x00000000feefffff msi\n"
#define ISA "0x0000000000000000 0x0000000000ffffff direct-relaxable\n"

/* mkdir -p; 0 or -1. */
int tree_mkdir_p(const char *path);
/* Write content to ROOT/rel, creating directories. */
int tree_put(const char *root, const char *rel, const char *content);
/* mkdir -p ROOT/rel. */
int tree_mkd(const char *root, const char *rel);
/* unlink ROOT/rel. */
int tree_rm(const char *root, const char *rel);
/*
 * Symlink ROOT/link -> target (relative to ROOT), made relative the way
 * the kernel does: one "../" per directory level of link below ROOT.
 */
int tree_link_rel(const char *root, const char *link, const char *target);
/* rename ROOT/from to ROOT/to. */
int tree_rename(const char *root, const char *from, const char *to);
/* Symlink ROOT/link -> raw text, as is. */
int tree_link_raw(const char *root, const char *link, const char *text);
/* Group ID with its devices/, reserved_regions and type. */
int tree_add_group(const char *root, int id);
/* A device at ROOT/devices/PATH, its iommu link to devices/virtual/iommu/IOMMU.
 */
int tree_add_device_to(const char *root, const struct tdev *d,
		       const char *iommu);
/* The good tree in ROOT. */
int tree_build_good(const char *root);
/* A fresh directory under $TMPDIR (default /tmp). */
char *tree_make_tmp(char *buf, size_t size);
/* rm -r ROOT, links removed, not followed. */
void tree_remove(const char *root);
/* FIXTURE_SETUP of a fixture holding the good tree in root[size]. */
void tree_setup_good(struct __test_metadata *_metadata, char *root,
		     size_t size);

#ifndef IOG_KSFT_HELPERS_H
/*
 * The fixture `tree` (kselftest_harness.h): a good tree under a fresh
 * root in self->root, removed after each test.  Only for test programs:
 * the library (suites/ksft_helpers.h) poisons the harness's names.
 */
#define TREE_FIXTURE                                                        \
	FIXTURE(tree)                                                       \
	{                                                                   \
		char root[256];                                             \
	};                                                                  \
	FIXTURE_SETUP(tree)                                                 \
	{                                                                   \
		tree_setup_good(_metadata, self->root, sizeof(self->root)); \
	}                                                                   \
	FIXTURE_TEARDOWN(tree)                                              \
	{                                                                   \
		tree_remove(self->root);                                    \
	}
#endif

/* ---- running checks (lib/sysfs_tree.c) --------------------------------- */

typedef size_t (*check_fn)(const struct sysfs_snapshot *,
			   struct sysfs_problems *);

struct run {
	size_t examined;
	size_t count;
	char text[8192]; /* the problems, one a line */
};

/* A §9 check: fn, or (fn NULL) sysfs_check_present() of feat. */
struct tree_check {
	const char *name;
	check_fn fn;
	enum sysfs_feature feat;
};

extern const struct tree_check tree_checks[];
extern const size_t tree_nr_checks;

/* Snapshot ROOT and run one check on it. */
void tree_run_check(const char *root, check_fn fn, struct run *r);
/* The same for sysfs_check_present(feat). */
void tree_run_present(const char *root, enum sysfs_feature feat, struct run *r);
void tree_run(const char *root, const struct tree_check *c, struct run *r);
/* Problems over all checks. */
size_t tree_run_all(const char *root, struct run *total);

/* ---- running suites (lib/sysfs_suite.c) -------------------------------- */

/* tests/fixtures/SUB/NAME from the repository root or the build dir. */
char *tree_fixture_in(const char *sub, const char *name);
/* tests/fixtures/sysfs/NAME. */
char *tree_fixture(const char *name);

struct suite_run {
	int status; /* exit status, or -1 if it did not exit */
	char out[65536]; /* stdout and stderr, merged as in the guest */
};

/*
 * Run a suite binary with env (NULL-terminated "K=V" list) on top of a
 * clean IOG_* environment.
 */
int suite_exec(const char *name, const char *const *env, struct suite_run *r);
/* Long-lived env strings for putenv() in the child. */
char *suite_env(const char *k, const char *v);
/* How often needle occurs in hay. */
size_t suite_count(const char *hay, const char *needle);

#define RUN_SUITE(name, r, ...)                                  \
	do {                                                     \
		const char *const __env[] = {__VA_ARGS__, NULL}; \
		ASSERT_EQ(0, suite_exec(name, __env, r))         \
		TH_LOG("%s", (r)->out);                          \
	} while (0)

/* Every test in the output ran: no "not ok". */
#define ASSERT_SUITE_OK(r)                                        \
	do {                                                      \
		ASSERT_EQ(0, (r)->status) TH_LOG("%s", (r)->out); \
		ASSERT_LACKS((r)->out, "not ok");                 \
	} while (0)

#define ASSERT_SUITE_FAILS(r)                                     \
	do {                                                      \
		ASSERT_NE(0, (r)->status) TH_LOG("%s", (r)->out); \
		ASSERT_HAS((r)->out, "not ok");                   \
	} while (0)

/* ---- trees from captured config space (lib/sysfs_dump.c) -------------- */

/*
 * Build ROOT from tests/fixtures/lspci/NAME.dump with the kernel groups of
 * groups (NULL: lspci/NAME.observed) behind IOMMU iommu ("dmar0",
 * "ivhd0"; registered in class/iommu so that the suites can detect it).
 * 0, or -1 with a message on stderr.
 */
int dump_tree_build(const char *root, const char *name, const char *groups,
		    const char *iommu);
/*
 * Move the device at ROOT/devices/PATH from group `from` to group `to`
 * (made if new): its devices/ entry and its iommu_group link.
 */
int dump_tree_move(const char *root, const char *path, int from, int to);
/* ROOT/iog-expect: lspci/NAME.observed's groups as an expectation file. */
int dump_tree_expect(const char *root, const char *name, const char *nogroup);

#endif /* IOG_UNIT_SYSFS_TREE_H */
