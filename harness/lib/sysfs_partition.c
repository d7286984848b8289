// SPDX-License-Identifier: GPL-2.0-only
/*
 * PCI partitions: the kernel's (from a snapshot) and the declared one (the
 * expectation file, docs/formats.md), and the PCI addresses they hold.
 */
#include "sysfs_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The expectation file is ours, not the kernel's: allow more than a page. */
#define EXPECT_READ_MAX (1024 * 1024)

/* ---- PCI addresses ---------------------------------------------------- */

static bool hex_run(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]) && (s[i] < 'a' || s[i] > 'f'))
			return false;
	return true;
}

bool sysfs_is_bdf(const char *s)
{
	const char *c = s ? strchr(s, ':') : NULL;
	size_t dom;

	/* %04x:%02x:%02x.%d; domains above 0xffff print wider (VMD). */
	if (!c)
		return false;
	dom = c - s;
	if (dom < 4 || dom > 8 || !hex_run(s, dom))
		return false;
	s = c + 1;
	if (strlen(s) != 7 || s[2] != ':' || s[5] != '.' || !hex_run(s, 2) ||
	    !hex_run(s + 3, 2) || s[6] < '0' || s[6] > '7')
		return false;
	/* Device number is 5 bits. */
	return s[3] <= '1';
}

bool sysfs_bdf_normalize(const char *in, char *out, size_t size)
{
	char buf[32];
	size_t n, colons = 0;

	if (!in)
		return false;
	n = strlen(in);
	if (n >= sizeof(buf) - 5)
		return false;
	for (size_t i = 0; i < n; i++)
		colons += in[i] == ':';
	snprintf(buf, sizeof(buf), "%s%s", colons == 1 ? "0000:" : "", in);
	for (char *c = buf; *c; c++)
		*c = tolower((unsigned char)*c);
	if (!sysfs_is_bdf(buf) || strlen(buf) >= size)
		return false;
	strcpy(out, buf);
	return true;
}

/* ---- the kernel's partition ------------------------------------------- */

static void pgroup_free(struct sysfs_pgroup *g)
{
	sysfs_strv_free(g->bdfs, g->nr);
}

void sysfs_partition_free(struct sysfs_partition *part)
{
	for (size_t i = 0; i < part->nr; i++)
		pgroup_free(&part->groups[i]);
	free(part->groups);
	memset(part, 0, sizeof(*part));
}

static int cmp_pgroup(const void *a, const void *b)
{
	const struct sysfs_pgroup *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

int sysfs_partition_build(const struct sysfs_snapshot *s,
			  struct sysfs_partition *part)
{
	size_t cap = 0;

	memset(part, 0, sizeof(*part));
	for_each_group(g, s) {
		struct sysfs_pgroup pg = {.id = g->id};
		size_t bcap = 0;

		if (!g->is_dir || g->id < 0)
			continue;
		for_each_member(m, g) {
			if (!sysfs_is_bdf(m->name))
				continue;
			if (sysfs_grow(&pg.bdfs, &bcap, pg.nr,
				       sizeof(*pg.bdfs)))
				goto oom;
			pg.bdfs[pg.nr] = strdup(m->name);
			if (!pg.bdfs[pg.nr])
				goto oom;
			pg.nr++;
		}
		if (!pg.nr)
			continue;
		qsort(pg.bdfs, pg.nr, sizeof(*pg.bdfs), sysfs_cmp_str);
		if (sysfs_grow(&part->groups, &cap, part->nr,
			       sizeof(*part->groups)))
			goto oom;
		part->groups[part->nr++] = pg;
		continue;
	oom:
		pgroup_free(&pg);
		sysfs_partition_free(part);
		errno = ENOMEM;
		return -1;
	}
	if (part->nr)
		qsort(part->groups, part->nr, sizeof(*part->groups),
		      cmp_pgroup);
	return 0;
}

const struct sysfs_pgroup *
sysfs_partition_find(const struct sysfs_partition *part, const char *bdf)
{
	for (size_t i = 0; i < part->nr; i++)
		for (size_t j = 0; j < part->groups[i].nr; j++)
			if (!strcmp(part->groups[i].bdfs[j], bdf))
				return &part->groups[i];
	return NULL;
}

bool sysfs_pgroup_equal(const struct sysfs_pgroup *a,
			const struct sysfs_pgroup *b)
{
	if (a->nr != b->nr)
		return false;
	for (size_t i = 0; i < a->nr; i++)
		if (strcmp(a->bdfs[i], b->bdfs[i]))
			return false;
	return true;
}

char *sysfs_pgroup_str(const struct sysfs_pgroup *g)
{
	struct sysfs_sb b = {0};

	sysfs_sb_printf(&b, "{");
	for (size_t i = 0; i < g->nr; i++)
		sysfs_sb_printf(&b, "%s%s", i ? " " : "", g->bdfs[i]);
	sysfs_sb_printf(&b, "}");
	return sysfs_sb_take(&b);
}

/* ---- the expectation file --------------------------------------------- */

void sysfs_expect_free(struct sysfs_expect *e)
{
	sysfs_partition_free(&e->groups);
	sysfs_strv_free(e->nogroup, e->nr_nogroup);
	memset(e, 0, sizeof(*e));
}

/* Where bdf was declared already: its line, or 0. */
static unsigned int declared_at(const struct sysfs_expect *e,
				const unsigned int *nogroup_line,
				const char *bdf)
{
	for (size_t i = 0; i < e->groups.nr; i++)
		for (size_t j = 0; j < e->groups.groups[i].nr; j++)
			if (!strcmp(e->groups.groups[i].bdfs[j], bdf))
				return e->groups.groups[i].id;
	for (size_t i = 0; i < e->nr_nogroup; i++)
		if (!strcmp(e->nogroup[i], bdf))
			return nogroup_line[i];
	return 0;
}

/* Add one normalised PCI address from line `line` to e (group: into pg). */
static int expect_add(struct sysfs_expect *e, unsigned int **nlines,
		      size_t *ncap, size_t *lcap, struct sysfs_pgroup *pg,
		      size_t *bcap, bool is_group, const char *bdf,
		      unsigned int line)
{
	char *dup = strdup(bdf);

	if (!dup)
		return -1;
	if (is_group) {
		if (sysfs_grow(&pg->bdfs, bcap, pg->nr, sizeof(*pg->bdfs)))
			goto oom;
		pg->bdfs[pg->nr++] = dup;
		return 0;
	}
	if (sysfs_grow(&e->nogroup, ncap, e->nr_nogroup, sizeof(*e->nogroup)) ||
	    sysfs_grow(nlines, lcap, e->nr_nogroup, sizeof(**nlines)))
		goto oom;
	e->nogroup[e->nr_nogroup] = dup;
	(*nlines)[e->nr_nogroup++] = line;
	return 0;
oom:
	free(dup);
	return -1;
}

int sysfs_expect_parse(const char *data, size_t len, struct sysfs_expect *e,
		       char *err, size_t errsz)
{
	size_t gcap = 0, ncap = 0, lcap = 0, pos = 0;
	unsigned int line = 0, *nlines = NULL;
	struct sysfs_pgroup pg = {0};
	char *copy = NULL;

	memset(e, 0, sizeof(*e));
	sysfs_set_err(err, errsz, "%s", "");
	if (memchr(data, '\0', len)) {
		sysfs_set_err(err, errsz, "contains a NUL byte");
		return -1;
	}
	while (pos < len) {
		const char *l = data + pos, *nl = memchr(l, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - l) : len - pos;
		size_t bcap = 0, count = 0;
		char *tok, *save, *kw;
		bool is_group;

		line++;
		pos += ll + 1;
		copy = strndup(l, ll);
		if (!copy)
			goto oom;
		/* '#' starts a comment at line start or after whitespace. */
		for (char *c = copy; *c; c++) {
			if (*c == '#' &&
			    (c == copy || isspace((unsigned char)c[-1]))) {
				*c = '\0';
				break;
			}
		}
		kw = strtok_r(copy, " \t\r\v\f", &save);
		if (!kw) {
			free(copy);
			copy = NULL;
			continue;
		}
		if (strcmp(kw, "group") && strcmp(kw, "nogroup")) {
			sysfs_set_err(err, errsz,
				      "line %u: unknown statement "
				      "'%.40s'; wanted group or nogroup",
				      line, kw);
			goto bad;
		}
		is_group = !strcmp(kw, "group");
		memset(&pg, 0, sizeof(pg));
		pg.id = line;
		while ((tok = strtok_r(NULL, " \t\r\v\f", &save))) {
			char bdf[32];
			unsigned int at;

			if (!sysfs_bdf_normalize(tok, bdf, sizeof(bdf))) {
				sysfs_set_err(err, errsz,
					      "line %u: '%.40s' is not "
					      "a PCI address (DDDD:BB:DD.F "
					      "or BB:DD.F)",
					      line, tok);
				goto bad;
			}
			at = declared_at(e, nlines, bdf);
			for (size_t i = 0; !at && i < pg.nr; i++)
				if (!strcmp(pg.bdfs[i], bdf))
					at = line;
			if (at) {
				sysfs_set_err(err, errsz,
					      "line %u: %s already "
					      "declared on line %u",
					      line, bdf, at);
				goto bad;
			}
			if (expect_add(e, &nlines, &ncap, &lcap, &pg, &bcap,
				       is_group, bdf, line))
				goto oom;
			count++;
		}
		if (!count) {
			sysfs_set_err(err, errsz,
				      "line %u: %s without a PCI address", line,
				      kw);
			goto bad;
		}
		if (is_group) {
			qsort(pg.bdfs, pg.nr, sizeof(*pg.bdfs), sysfs_cmp_str);
			if (sysfs_grow(&e->groups.groups, &gcap, e->groups.nr,
				       sizeof(*e->groups.groups)))
				goto oom;
			e->groups.groups[e->groups.nr++] = pg;
			memset(&pg, 0, sizeof(pg));
		}
		free(copy);
		copy = NULL;
	}
	free(nlines);
	return 0;
oom:
	sysfs_set_err(err, errsz, "out of memory");
bad:
	pgroup_free(&pg);
	free(copy);
	free(nlines);
	sysfs_expect_free(e);
	return -1;
}

int sysfs_expect_load(const char *path, struct sysfs_expect *e, char *err,
		      size_t errsz)
{
	struct sysfs_file f;
	int ret;

	memset(e, 0, sizeof(*e));
	if (sysfs_read_capped(path, EXPECT_READ_MAX, &f)) {
		sysfs_set_err(err, errsz, "out of memory");
		errno = ENOMEM;
		return -1;
	}
	if (f.err) {
		int saved = f.err;

		sysfs_set_err(err, errsz, "cannot read it: %s",
			      saved == EINVAL ? "not a regular file"
					      : strerror(saved));
		sysfs_file_free(&f);
		errno = saved;
		return -1;
	}
	if (f.truncated) {
		sysfs_set_err(err, errsz, "larger than %d bytes",
			      EXPECT_READ_MAX);
		sysfs_file_free(&f);
		errno = EFBIG;
		return -1;
	}
	ret = sysfs_expect_parse(f.data, f.len, e, err, errsz);
	sysfs_file_free(&f);
	if (ret)
		errno = EINVAL;
	return ret;
}
