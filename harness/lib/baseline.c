// SPDX-License-Identifier: GPL-2.0-only
/*
 * Throughput baseline files (baseline.h, docs/formats.md).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "fileio.h"

/* A baseline is a few lines; anything this big is not one. */
#define BASELINE_MAX_BYTES (64 * 1024)

static const char *const domain_types[] = {"identity", "DMA-FQ", "DMA"};

bool baseline_type_valid(const char *s)
{
	for (size_t i = 0; i < sizeof(domain_types) / sizeof(domain_types[0]);
	     i++)
		if (!strcmp(s, domain_types[i]))
			return true;
	return false;
}

static int fail(char *err, size_t errlen, const char *name, unsigned int line,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail(char *err, size_t errlen, const char *name, unsigned int line,
		const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!errlen)
		return -1;
	n = snprintf(err, errlen, "%s:%u: ", name, line);
	if (n < 0 || (size_t)n >= errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* A number, finite and positive. */
static bool parse_positive(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v <= 0)
		return false;
	*out = v;
	return true;
}

/* "25%" -> 0.25; below 100 % (a tolerance of all is no check). */
static bool parse_percent(const char *s, double *out)
{
	size_t n = strlen(s);
	char num[32];
	double v;

	if (n < 2 || n >= sizeof(num) || s[n - 1] != '%')
		return false;
	memcpy(num, s, n - 1);
	num[n - 1] = '\0';
	if (!parse_positive(num, &v) || v >= 100)
		return false;
	*out = v / 100;
	return true;
}

/* Split line (modified) into at most max words; the count, max+1 if more. */
static size_t split_words(char *line, char **w, size_t max)
{
	size_t n = 0;

	for (char *s = strtok(line, " \t"); s; s = strtok(NULL, " \t")) {
		if (n == max)
			return max + 1;
		w[n++] = s;
	}
	return n;
}

static int parse_ratio(char **w, size_t n, struct baseline *b, const char *name,
		       unsigned int line, char *err, size_t errlen)
{
	struct baseline_ratio *r;
	char *slash;

	if (n != 5 || strcmp(w[3], "tolerance"))
		return fail(err, errlen, name, line,
			    "want 'ratio TYPE/TYPE VALUE tolerance PCT%%'");
	slash = strchr(w[1], '/');
	if (!slash)
		return fail(err, errlen, name, line, "'%s' is not TYPE/TYPE",
			    w[1]);
	*slash = '\0';
	if (!baseline_type_valid(w[1]) || !baseline_type_valid(slash + 1))
		return fail(err, errlen, name, line,
			    "unknown domain type in '%s/%s' (want identity, "
			    "DMA-FQ or DMA)",
			    w[1], slash + 1);
	if (!strcmp(w[1], slash + 1))
		return fail(err, errlen, name, line, "a ratio of %s to itself",
			    w[1]);
	if (baseline_find(b, w[1], slash + 1))
		return fail(err, errlen, name, line, "ratio %s/%s given twice",
			    w[1], slash + 1);
	if (b->nr == BASELINE_MAX_RATIOS)
		return fail(err, errlen, name, line, "more than %d ratios",
			    BASELINE_MAX_RATIOS);
	r = &b->ratio[b->nr];
	if (!parse_positive(w[2], &r->expect))
		return fail(err, errlen, name, line,
			    "'%s' is not a positive number", w[2]);
	if (!parse_percent(w[4], &r->tolerance))
		return fail(err, errlen, name, line,
			    "'%s' is not a percentage below 100%%", w[4]);
	snprintf(r->num, sizeof(r->num), "%s", w[1]);
	snprintf(r->den, sizeof(r->den), "%s", slash + 1);
	r->line = line;
	b->nr++;
	return 0;
}

int baseline_parse(const char *name, const char *text, size_t len,
		   struct baseline *b, char *err, size_t errlen)
{
	unsigned int line = 0;
	size_t pos = 0;

	memset(b, 0, sizeof(*b));
	b->ordering_tolerance = 0.15;
	while (pos < len) {
		size_t end = pos, n;
		char buf[256], *w[8], *hash;

		while (end < len && text[end] != '\n')
			end++;
		line++;
		if (end - pos >= sizeof(buf))
			return fail(err, errlen, name, line, "line too long");
		if (memchr(text + pos, '\0', end - pos))
			return fail(err, errlen, name, line, "NUL byte");
		memcpy(buf, text + pos, end - pos);
		buf[end - pos] = '\0';
		pos = end + 1;
		hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
		n = split_words(buf, w, 6);
		if (!n)
			continue;
		if (!strcmp(w[0], "ratio")) {
			if (parse_ratio(w, n, b, name, line, err, errlen))
				return -1;
		} else if (!strcmp(w[0], "form")) {
			if (n != 2 || (strcmp(w[1], "short") && strcmp(w[1], "long")))
				return fail(err, errlen, name, line,
					    "want 'form short' or 'form long'");
			b->short_form = !strcmp(w[1], "short");
		} else if (!strcmp(w[0], "ordering-tolerance")) {
			if (n != 2 ||
			    !parse_percent(w[1], &b->ordering_tolerance))
				return fail(err, errlen, name, line,
					    "want 'ordering-tolerance PCT%%'");
		} else {
			return fail(err, errlen, name, line,
				    "unknown keyword '%s' (want ratio, "
				    "ordering-tolerance or form)",
				    w[0]);
		}
	}
	return 0;
}

int baseline_load(const char *path, struct baseline *b, char *err,
		  size_t errlen)
{
	char *text;
	size_t len;
	int e, ret;

	e = iog_read_file(path, BASELINE_MAX_BYTES, &text, &len, NULL);
	if (e) {
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -1;
	}
	ret = baseline_parse(path, text, len, b, err, errlen);
	free(text);
	return ret;
}

const struct baseline_ratio *baseline_find(const struct baseline *b,
					   const char *num, const char *den)
{
	for (size_t i = 0; i < b->nr; i++)
		if (!strcmp(b->ratio[i].num, num) &&
		    !strcmp(b->ratio[i].den, den))
			return &b->ratio[i];
	return NULL;
}

bool baseline_ratio_ok(const struct baseline_ratio *r, double measured)
{
	return isfinite(measured) &&
	       fabs(measured - r->expect) <= r->tolerance * r->expect;
}

enum baseline_verdict baseline_judge(const struct baseline_ratio *r,
				     double measured, double cov_pct)
{
	double lo = r->expect * (1 - r->tolerance);
	double hi = r->expect * (1 + r->tolerance);
	double band;

	if (baseline_ratio_ok(r, measured))
		return BASELINE_PASS;
	if (!isfinite(measured) || !isfinite(cov_pct) || cov_pct < 0)
		return BASELINE_FAIL;
	band = 2 * cov_pct / 100 * measured;
	if (measured + band < lo || measured - band > hi)
		return BASELINE_FAIL;
	return BASELINE_INCONCLUSIVE;
}
