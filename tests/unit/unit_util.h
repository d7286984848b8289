/* SPDX-License-Identifier: GPL-2.0-only */
/* Temp-tree helpers shared by the unit tests. */
#ifndef IOG_UNIT_UTIL_H
#define IOG_UNIT_UTIL_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int unit_rm_one(const char *path, const struct stat *st, int flag,
		       struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Remove a temp tree made by a test (links are removed, not followed). */
static inline void unit_rm_tree(const char *dir)
{
	nftw(dir, unit_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Write text to DIR/NAME; 0 or -1. */
static inline int unit_write(const char *dir, const char *name,
			     const char *text)
{
	char path[512];
	FILE *f;
	int r;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return -1;
	f = fopen(path, "w");
	if (!f)
		return -1;
	r = fputs(text, f) < 0;
	return fclose(f) || r ? -1 : 0;
}

/* DIR/NAME's whole content (caller frees), "" if empty, NULL if absent. */
static inline char *unit_read(const char *dir, const char *name)
{
	char path[512], *buf = NULL;
	size_t cap = 0;
	FILE *f;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return NULL;
	f = fopen(path, "r");
	if (!f)
		return NULL;
	if (getdelim(&buf, &cap, '\0', f) < 0) {
		free(buf);
		buf = strdup("");
	}
	fclose(f);
	return buf;
}

#endif
