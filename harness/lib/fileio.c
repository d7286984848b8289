// SPDX-License-Identifier: GPL-2.0-only
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int iog_read_file(const char *path, size_t max, char **buf, size_t *len,
		  bool *cut)
{
	size_t cap = 65536, n = 0;
	char *b = NULL;
	int fd, e = 0;

	*buf = NULL;
	*len = 0;
	if (cut)
		*cut = false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	for (;;) {
		ssize_t r;

		if (!b || n + 1 >= cap) {
			char *nb;

			if (b)
				cap = cap > max / 2 ? max + 2 : cap * 2;
			nb = realloc(b, cap);
			if (!nb) {
				e = ENOMEM;
				break;
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			break;
		}
		if (!r)
			break;
		n += (size_t)r;
		if (n > max) {
			if (!cut) {
				e = EFBIG;
				break;
			}
			n = max;
			*cut = true;
			break;
		}
	}
	close(fd);
	if (e) {
		free(b);
		return e;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}
