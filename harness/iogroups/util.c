// SPDX-License-Identifier: GPL-2.0-only
/*
 * iogroups helpers: allocation, JSON and text output, paths and small files.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iogroups.h"

double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

const char *root_of(const struct args *a)
{
	return a->sysfs ? a->sysfs : "/sys";
}

void die_oom(void)
{
	fprintf(stderr, "iogroups: out of memory\n");
	exit(EXIT_USAGE);
}

char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		die_oom();
	return d;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die_oom();
	return p;
}

void print_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; s && *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void print_json_str_or_null(FILE *f, const char *s)
{
	if (s)
		print_json_str(f, s);
	else
		fputs("null", f);
}

/* reserved_regions text as an array of {start, end, type}. */
void print_json_resv(FILE *f, const char *text)
{
	const char *s = text ? text : "";
	bool first = true;

	fputc('[', f);
	while (*s) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		char line[256], start[32], end[32], type[64];

		snprintf(line, sizeof(line), "%.*s", (int)n, s);
		if (sscanf(line, "%31s %31s %63s", start, end, type) == 3) {
			fprintf(f, "%s{\"start\":", first ? "" : ",");
			print_json_str(f, start);
			fputs(",\"end\":", f);
			print_json_str(f, end);
			fputs(",\"type\":", f);
			print_json_str(f, type);
			fputc('}', f);
			first = false;
		}
		s += n + (e ? 1 : 0);
	}
	fputc(']', f);
}

int pathf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* A whole small file, NUL-terminated; NULL with errno. */
char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = (len + 4096 + 1) * 2;
			buf = xrealloc(buf, cap);
		}
		size_t n = fread(buf + len, 1, 4096, f);

		len += n;
		if (n < 4096)
			break;
	}
	if (ferror(f)) {
		int e = errno;

		fclose(f);
		free(buf);
		errno = e ? e : EIO;
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

void print_resv_text(FILE *f, const char *resv, const char *indent)
{
	const char *s = resv;

	if (!s) {
		fprintf(f, "%s(no reserved_regions file)\n", indent);
		return;
	}
	if (!*s)
		fprintf(f, "%s(none)\n", indent);
	while (*s) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);

		fprintf(f, "%s%.*s\n", indent, (int)n, s);
		s += n + (e ? 1 : 0);
	}
}
