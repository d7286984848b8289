// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the sysfs_*.c files share and sysfs.h does not publish: reader,
 * text parsers, §9 checks and partitions each live in their own file.
 */
#ifndef IOG_SYSFS_INT_H
#define IOG_SYSFS_INT_H

#include "sysfs.h"

/*
 * g: each group of snapshot s in turn; m: each member of group g.  An empty
 * array may be NULL, so the end is only computed from a non-NULL start.
 */
#define for_each_group(g, s)                                                 \
	for (const struct sysfs_group *g = (s)->groups,                      \
				      *g##_end = g ? g + (s)->nr_groups : g; \
	     g != g##_end; g++)
#define for_each_member(m, g)                                                  \
	for (const struct sysfs_member *m = (g)->members,                      \
				       *m##_end = m ? m + (g)->nr_members : m; \
	     m != m##_end; m++)

/* ---- sysfs_util.c ----------------------------------------------------- */

/*
 * Make room for element nr of *vp (elements of size bytes, *cap of them
 * allocated), doubling.  0, or -1 with errno ENOMEM.
 */
int sysfs_grow(void *vp, size_t *cap, size_t nr, size_t size);
/* qsort() comparison of char * elements. */
int sysfs_cmp_str(const void *a, const void *b);
void sysfs_strv_free(char **v, size_t nr);
/* The last component of path p. */
const char *sysfs_base_of(const char *p);

/* A growing string; on ENOMEM it stops growing and sysfs_sb_take() fails. */
struct sysfs_sb {
	char *s;
	size_t len;
	size_t cap;
	bool oom;
};

void __attribute__((format(printf, 2, 3)))
sysfs_sb_printf(struct sysfs_sb *b, const char *fmt, ...);
/* The string (the caller frees it), or NULL if memory ran out. */
char *sysfs_sb_take(struct sysfs_sb *b);

/* Format into err unless err is NULL or errsz 0. */
void __attribute__((format(printf, 3, 4)))
sysfs_set_err(char *err, size_t errsz, const char *fmt, ...);

/* ---- sysfs.c ---------------------------------------------------------- */

/*
 * Read up to cap bytes of a regular file into f (f->err says why not).
 * Returns -1 only on ENOMEM.
 */
int sysfs_read_capped(const char *path, size_t cap, struct sysfs_file *f);
void sysfs_file_free(struct sysfs_file *f);

#endif /* IOG_SYSFS_INT_H */
