/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef IOG_FILEIO_H
#define IOG_FILEIO_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Read a whole file, at most max bytes, into a NUL-terminated buffer the
 * caller frees.  Past max: with cut given, keep the first max bytes and set
 * *cut (a guest that floods its channel still gets a report); without it,
 * fail with EFBIG.  Returns 0 or an errno value.
 */
int iog_read_file(const char *path, size_t max, char **buf, size_t *len,
		  bool *cut);

#endif
