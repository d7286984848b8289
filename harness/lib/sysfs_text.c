// SPDX-License-Identifier: GPL-2.0-only
/*
 * The values read from sysfs, checked as text: group IDs, reserved_regions,
 * type and name content (§2, §9.6, §9.7), and kernel releases.  Messages
 * quote the offending text, cut to a printable length.
 */
#include "sysfs_int.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

/* ---- group IDs -------------------------------------------------------- */

long sysfs_group_id_parse(const char *name, bool *canonical)
{
	long v = 0;
	const char *p;

	if (canonical)
		*canonical = false;
	if (!name || !*name)
		return -1;
	for (p = name; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
		if (v > INT_MAX)
			return -1;
	}
	if (canonical)
		*canonical = name[0] != '0' || name[1] == '\0';
	return v;
}

/* ---- content validators ----------------------------------------------- */

static const char *const resv_names[SYSFS_RESV_NR_TYPES] = {
	[SYSFS_RESV_DIRECT] = "direct",
	[SYSFS_RESV_DIRECT_RELAXABLE] = "direct-relaxable",
	[SYSFS_RESV_RESERVED] = "reserved",
	[SYSFS_RESV_MSI] = "msi",
};

const char *sysfs_resv_type_name(enum sysfs_resv_type t)
{
	return (unsigned int)t < SYSFS_RESV_NR_TYPES ? resv_names[t] : "?";
}

static void __attribute__((format(printf, 6, 7)))
line_err(char *err, size_t errsz, unsigned int line, const char *l, size_t len,
	 const char *fmt, ...)
{
	char what[160];
	va_list ap;

	if (!err || !errsz)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(err, errsz, "line %u: %s (line '%.*s%s')", line, what,
		 (int)(len > 60 ? 60 : len), l, len > 60 ? "..." : "");
}

/* Exactly "0x" and 16 lower-case hex digits (§2.1: %016llx). */
static bool parse_addr(const char *p, size_t n, uint64_t *v)
{
	if (n != 18 || p[0] != '0' || p[1] != 'x')
		return false;
	*v = 0;
	for (size_t i = 2; i < n; i++) {
		unsigned int d;

		if (p[i] >= '0' && p[i] <= '9')
			d = p[i] - '0';
		else if (p[i] >= 'a' && p[i] <= 'f')
			d = p[i] - 'a' + 10;
		else
			return false;
		*v = *v << 4 | d;
	}
	return true;
}

/* Parse one line (without its newline) into r; message in err. */
static int resv_line(const char *l, size_t len, unsigned int line,
		     struct sysfs_resv_region *r, char *err, size_t errsz)
{
	const char *sp1, *sp2, *t;
	size_t tlen, best = 0;
	int bt = -1;

	sp1 = memchr(l, ' ', len);
	sp2 = sp1 ? memchr(sp1 + 1, ' ', len - (sp1 + 1 - l)) : NULL;
	if (!sp1 || !sp2) {
		line_err(err, errsz, line, l, len,
			 "wanted 'START END TYPE' separated by single spaces");
		return -1;
	}
	if (!parse_addr(l, sp1 - l, &r->start)) {
		line_err(err, errsz, line, l, len,
			 "start '%.*s' is not 0x and 16 lower-case hex digits",
			 (int)(sp1 - l > 40 ? 40 : sp1 - l), l);
		return -1;
	}
	if (!parse_addr(sp1 + 1, sp2 - sp1 - 1, &r->end)) {
		line_err(err, errsz, line, l, len,
			 "end '%.*s' is not 0x and 16 lower-case hex digits",
			 (int)(sp2 - sp1 - 1 > 40 ? 40 : sp2 - sp1 - 1),
			 sp1 + 1);
		return -1;
	}
	t = sp2 + 1;
	tlen = len - (t - l);
	/* Longest known word the type starts with ("direct-relaxable"). */
	for (int i = 0; i < SYSFS_RESV_NR_TYPES; i++) {
		size_t n = strlen(resv_names[i]);

		if (n <= tlen && !memcmp(t, resv_names[i], n) && n > best) {
			best = n;
			bt = i;
		}
	}
	if (bt < 0) {
		line_err(err, errsz, line, l, len,
			 "type '%.*s' is not "
			 "direct|direct-relaxable|reserved|msi",
			 (int)(tlen > 40 ? 40 : tlen), t);
		return -1;
	}
	if (best != tlen) {
		line_err(err, errsz, line, l, len,
			 "trailing characters '%.*s' after type '%s'",
			 (int)(tlen - best > 40 ? 40 : tlen - best), t + best,
			 resv_names[bt]);
		return -1;
	}
	r->type = bt;
	r->line = line;
	if (r->start > r->end) {
		line_err(err, errsz, line, l, len,
			 "start 0x%016llx is above end 0x%016llx",
			 (unsigned long long)r->start,
			 (unsigned long long)r->end);
		return -1;
	}
	return 0;
}

int sysfs_resv_parse(const char *data, size_t len, struct sysfs_resv_list *out,
		     char *err, size_t errsz)
{
	/* Latest region of each type: after the merge they never touch. */
	struct sysfs_resv_region last[SYSFS_RESV_NR_TYPES];
	bool have[SYSFS_RESV_NR_TYPES] = {false};
	struct sysfs_resv_region *v = NULL, prev = {0};
	size_t nr = 0, cap = 0, pos = 0;
	unsigned int line = 0;

	if (err && errsz)
		err[0] = '\0';
	while (pos < len) {
		const char *l = data + pos, *nl;
		struct sysfs_resv_region r;
		size_t ll;

		line++;
		nl = memchr(l, '\n', len - pos);
		ll = nl ? (size_t)(nl - l) : len - pos;
		if (memchr(l, '\0', ll)) {
			line_err(err, errsz, line, l, strnlen(l, ll),
				 "contains a NUL byte");
			goto bad;
		}
		if (!nl) {
			line_err(err, errsz, line, l, ll,
				 "no newline at the end of the file");
			goto bad;
		}
		if (!ll) {
			line_err(err, errsz, line, l, ll, "empty line");
			goto bad;
		}
		if (resv_line(l, ll, line, &r, err, errsz))
			goto bad;
		if (nr && r.start < prev.start) {
			line_err(err, errsz, line, l, ll,
				 "not sorted: start 0x%016llx is below line "
				 "%u's 0x%016llx",
				 (unsigned long long)r.start, prev.line,
				 (unsigned long long)prev.start);
			goto bad;
		}
		if (nr && r.start == prev.start && r.type < prev.type) {
			line_err(err, errsz, line, l, ll,
				 "same start as line %u but type '%s' sorts "
				 "before '%s' (direct < direct-relaxable < "
				 "reserved < msi)",
				 prev.line, resv_names[r.type],
				 resv_names[prev.type]);
			goto bad;
		}
		if (have[r.type]) {
			const struct sysfs_resv_region *q = &last[r.type];
			bool over = r.start <= q->end;

			if (over || r.start == q->end + 1) {
				line_err(err, errsz, line, l, ll,
					 "%s region %s line %u "
					 "(0x%016llx-0x%016llx); %ssame-type "
					 "regions are merged",
					 resv_names[r.type],
					 over ? "overlaps" : "touches", q->line,
					 (unsigned long long)q->start,
					 (unsigned long long)q->end,
					 over ? "" : "adjacent ");
				goto bad;
			}
		}
		have[r.type] = true;
		last[r.type] = r;
		prev = r;
		if (out) {
			if (sysfs_grow(&v, &cap, nr, sizeof(*v))) {
				if (err && errsz)
					snprintf(err, errsz, "out of memory");
				goto bad;
			}
			v[nr] = r;
		}
		nr++;
		pos += ll + 1;
	}
	if (out) {
		out->regions = v;
		out->nr = nr;
	}
	return 0;
bad:
	free(v);
	if (out)
		memset(out, 0, sizeof(*out));
	return -1;
}

void sysfs_resv_list_free(struct sysfs_resv_list *l)
{
	free(l->regions);
	memset(l, 0, sizeof(*l));
}

/* Common shape of type and name: one line, one newline, no NUL. */
static int one_line(const char *data, size_t len, char *err, size_t errsz)
{
	const char *nl;

	if (!len) {
		sysfs_set_err(err, errsz, "empty; wanted one line");
		return -1;
	}
	if (memchr(data, '\0', len)) {
		sysfs_set_err(err, errsz, "contains a NUL byte");
		return -1;
	}
	nl = memchr(data, '\n', len);
	if (!nl) {
		sysfs_set_err(err, errsz, "'%.*s' has no trailing newline",
			      (int)(len > 40 ? 40 : len), data);
		return -1;
	}
	if ((size_t)(nl - data) != len - 1) {
		sysfs_set_err(err, errsz, "more than one line ('%.*s...')",
			      (int)(len > 40 ? 40 : len), data);
		return -1;
	}
	return 0;
}

int sysfs_type_check(const char *data, size_t len, char *err, size_t errsz)
{
	static const char *const words[] = {"blocked", "identity", "unmanaged",
					    "DMA",     "DMA-FQ",   "unknown"};

	if (one_line(data, len, err, errsz))
		return -1;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i]) == len - 1 &&
		    !memcmp(data, words[i], len - 1))
			return 0;
	sysfs_set_err(err, errsz,
		      "'%.*s' is not one of "
		      "blocked|identity|unmanaged|DMA|DMA-FQ|unknown",
		      (int)(len - 1 > 40 ? 40 : len - 1), data);
	return -1;
}

int sysfs_name_check(const char *data, size_t len, char *err, size_t errsz)
{
	return one_line(data, len, err, errsz);
}

/* ---- kernel versions -------------------------------------------------- */

/* Up to 4 decimal digits: kernel version parts are small. */
static int small_num(const char **p, int *v)
{
	int n = 0;

	*v = 0;
	while (**p >= '0' && **p <= '9') {
		if (++n > 4)
			return -1;
		*v = *v * 10 + (**p - '0');
		(*p)++;
	}
	return n ? 0 : -1;
}

int sysfs_kver_parse(const char *release, struct sysfs_kver *v)
{
	const char *p = release;
	struct sysfs_kver k;

	if (!p || small_num(&p, &k.major) || *p++ != '.' ||
	    small_num(&p, &k.minor))
		return -1;
	/* "6.12" ends here or continues with ".117", "-rc1", "+deb12"... */
	if (*p && !strchr(".-+_~", *p))
		return -1;
	*v = k;
	return 0;
}

bool sysfs_kver_at_least(const struct sysfs_kver *v, int major, int minor)
{
	return v->major > major || (v->major == major && v->minor >= minor);
}

struct sysfs_kver sysfs_feature_since(enum sysfs_feature f)
{
	/* §2: reserved_regions since v4.11, type since v5.11. */
	if (f == SYSFS_FEAT_RESERVED_REGIONS)
		return (struct sysfs_kver){4, 11};
	return (struct sysfs_kver){5, 11};
}

const char *sysfs_feature_name(enum sysfs_feature f)
{
	return f == SYSFS_FEAT_RESERVED_REGIONS ? "reserved_regions" : "type";
}

bool sysfs_kver_has(const struct sysfs_kver *v, enum sysfs_feature f)
{
	struct sysfs_kver since = sysfs_feature_since(f);

	return sysfs_kver_at_least(v, since.major, since.minor);
}

int sysfs_kver_running(struct sysfs_kver *v, char *release, size_t size)
{
	const char *over = getenv("IOG_KERNEL_RELEASE");
	struct utsname u;
	const char *r;

	if (over && *over) {
		r = over;
	} else if (!uname(&u)) {
		r = u.release;
	} else {
		sysfs_set_err(release, size, "(uname failed)");
		return -1;
	}
	sysfs_set_err(release, size, "%s", r);
	return sysfs_kver_parse(r, v);
}
