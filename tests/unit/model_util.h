/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Declarations of the helpers the model's unit tests share
 * (lib/model_util.c): fixture paths, the .observed format, booting a dump.
 */
#ifndef IOG_MODEL_UTIL_H
#define IOG_MODEL_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

/* rel under tests/fixtures (IOG_FIXTURES overrides); the last 4 stay valid. */
char *model_ut_fixture(const char *rel);

/* ---- the .observed format: "ID: BDF ...", "=== RESV", "group N", ... --- */

#define OBS_GROUPS 64
#define OBS_MEMBERS 32

struct obs_group {
	long id;
	char bdfs[OBS_MEMBERS][16];
	const char *ptrs[OBS_MEMBERS];
	size_t nr;
	char resv[2048];
	char type[32];
	bool has_resv;
};

struct obs {
	struct obs_group g[OBS_GROUPS];
	size_t nr;
	struct model_observed_group og[OBS_GROUPS];
};

/* NULL on a read or format error (message on stderr); free() it. */
struct obs *model_ut_obs_load(const char *path);
/* The group with that ID in o, NULL if none. */
struct obs_group *model_ut_obs_find(struct obs *o, long id);

/* Load a dump and boot it; NULL with the error on stderr. */
struct model *model_ut_boot_dump(const char *path, const struct model_opts *o);

/* The group ID of bdf in p, -1 if none, -2 if no such device. */
int model_ut_group_of(const struct model_partition *p, const char *bdf);
/* The reason bdf is where it is, "" if no such device. */
const char *model_ut_why_of(const struct model_partition *p, const char *bdf);

/*
 * Make the directories DIR/names[0..n-1] (DIR made too) so that their inode
 * numbers rise in that order, as kernfs numbers built-in drivers in
 * registration order: a file system may reuse freed lower inodes, so they
 * are made first and named after, by rename, which keeps the inode.
 * 0 or -1 (errno).
 */
int model_ut_dirs_in_inode_order(const char *dir, const char *const names[],
				 size_t n);

/*
 * Run build/host/iogroups ARGS (from the repository root), its stdout and
 * stderr into out; 0-255 exit status, or -1 if it could not run.
 */
int model_ut_iogroups(const char *args, char *out, size_t outlen);

#endif /* IOG_MODEL_UTIL_H */
