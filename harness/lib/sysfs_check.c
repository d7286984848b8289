// SPDX-License-Identifier: GPL-2.0-only
/*
 * The checks: §9 invariants of a snapshot, and declared groups against the
 * kernel's (docs/formats.md).  One function per rule, each adding one
 * self-contained line per problem: what was found, what was wanted, the rule.
 */
#include "sysfs_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- small helpers ---------------------------------------------------- */

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && path[n] == '/';
}

static const char *kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISLNK(m))
		return "a symlink";
	if (S_ISREG(m))
		return "a regular file";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device node";
	return "gone";
}

/* ---- problems --------------------------------------------------------- */

/*
 * Names come from the tree and may hold control characters; escape them
 * so every problem stays one printable line in the KTAP stream.
 */
char *sysfs_escape(const char *s)
{
	size_t n = strlen(s);
	char *r = malloc(4 * n + 1), *o = r;

	if (!r)
		return NULL;
	for (; *s; s++) {
		unsigned char c = *s;

		if (c < 0x20 || c == 0x7f)
			o += sprintf(o, "\\x%02x", c);
		else
			*o++ = c;
	}
	*o = '\0';
	return r;
}

static void __attribute__((format(printf, 2, 3)))
problem(struct sysfs_problems *p, const char *fmt, ...)
{
	char *raw, *m;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&raw, fmt, ap);
	va_end(ap);
	if (n < 0) {
		p->dropped++;
		return;
	}
	m = sysfs_escape(raw);
	free(raw);
	if (!m || sysfs_grow(&p->msg, &p->cap, p->nr, sizeof(*p->msg))) {
		free(m);
		p->dropped++;
		return;
	}
	p->msg[p->nr++] = m;
}

void sysfs_problems_free(struct sysfs_problems *p)
{
	sysfs_strv_free(p->msg, p->nr);
	memset(p, 0, sizeof(*p));
}

/* ---- §9 checks -------------------------------------------------------- */

static const struct sysfs_file *feature_file(const struct sysfs_group *g,
					     enum sysfs_feature f)
{
	return f == SYSFS_FEAT_RESERVED_REGIONS ? &g->reserved_regions
						: &g->type;
}

size_t sysfs_check_group_ids(const struct sysfs_snapshot *s,
			     struct sysfs_problems *p)
{
	size_t n = 0;

	for_each_group(g, s) {
		n++;
		if (!g->is_dir)
			problem(p,
				"%s/%s is %s; wanted a group directory (§9.1)",
				s->groups_path, g->name, kind(g->mode));
		if (g->id < 0) {
			bool digits = strspn(g->name, "0123456789") ==
				      strlen(g->name);

			problem(p,
				"group '%s': name is %s; wanted a decimal ID "
				"matching ^(0|[1-9][0-9]*)$ (§9.1)",
				g->name,
				digits ? "out of range (above INT_MAX)"
				       : "not a decimal number");
		} else if (!g->id_canonical) {
			problem(p,
				"group '%s': ID has a leading zero; wanted "
				"'%ld' (§9.1)",
				g->name, g->id);
		}
		for (size_t j = g - s->groups + 1; j < s->nr_groups; j++)
			if (g->id >= 0 && s->groups[j].id == g->id)
				problem(p,
					"groups '%s' and '%s' both have ID "
					"%ld; wanted distinct IDs (§9.1)",
					g->name, s->groups[j].name, g->id);
	}
	return n;
}

size_t sysfs_check_devices_dirs(const struct sysfs_snapshot *s,
				struct sysfs_problems *p)
{
	size_t n = 0;

	for_each_group(g, s) {
		if (!g->is_dir)
			continue;
		n++;
		if (!g->devices_present)
			problem(p,
				"group %s: devices/ is missing; wanted a "
				"directory (§9.2)",
				g->name);
		else if (!g->devices_is_dir)
			problem(p,
				"group %s: devices is not a directory; wanted "
				"a directory (§9.2)",
				g->name);
		else if (g->devices_err)
			problem(p, "group %s: cannot list devices/: %s (§9.2)",
				g->name, strerror(g->devices_err));
	}
	return n;
}

/* Presence and readability of one attribute, nothing about content. */
static bool attr_readable(const struct sysfs_group *g, const char *attr,
			  const struct sysfs_file *f, struct sysfs_problems *p)
{
	if (!f->present)
		return false;
	if (f->err == EINVAL && !S_ISREG(f->mode) && !S_ISLNK(f->mode)) {
		problem(p, "group %s: %s is %s; wanted a regular file", g->name,
			attr, kind(f->mode));
		return false;
	}
	if (f->err) {
		problem(p, "group %s: cannot read %s: %s", g->name, attr,
			f->err == EINVAL ? "not a regular file"
					 : strerror(f->err));
		return false;
	}
	if (f->truncated) {
		problem(p,
			"group %s: %s is larger than %d bytes; wanted a small "
			"attribute",
			g->name, attr, SYSFS_READ_MAX);
		return false;
	}
	return true;
}

size_t sysfs_check_present(const struct sysfs_snapshot *s, enum sysfs_feature f,
			   struct sysfs_problems *p)
{
	struct sysfs_kver since = sysfs_feature_since(f);
	const char *attr = sysfs_feature_name(f);
	size_t n = 0;

	for_each_group(g, s) {
		const struct sysfs_file *file = feature_file(g, f);

		if (!g->is_dir)
			continue;
		n++;
		if (!file->present)
			problem(p,
				"group %s: %s is missing; wanted it on kernels "
				">= %d.%d (§9.2)",
				g->name, attr, since.major, since.minor);
		else
			attr_readable(g, attr, file, p);
	}
	return n;
}

typedef int (*content_check)(const char *, size_t, char *, size_t);

static size_t check_content(const struct sysfs_snapshot *s,
			    struct sysfs_problems *p, const char *attr,
			    size_t off, content_check fn, const char *rule)
{
	char err[SYSFS_ERR_LEN];
	size_t n = 0;

	for_each_group(g, s) {
		const struct sysfs_file *f =
			(const void *)((const char *)g + off);

		if (!g->is_dir || !f->present)
			continue;
		n++;
		if (!attr_readable(g, attr, f, p))
			continue;
		if (fn(f->data, f->len, err, sizeof(err)))
			problem(p, "group %s: %s %s (%s)", g->name, attr, err,
				rule);
	}
	return n;
}

static int resv_check(const char *d, size_t len, char *err, size_t errsz)
{
	return sysfs_resv_parse(d, len, NULL, err, errsz);
}

size_t sysfs_check_reserved_regions(const struct sysfs_snapshot *s,
				    struct sysfs_problems *p)
{
	return check_content(s, p, "reserved_regions",
			     offsetof(struct sysfs_group, reserved_regions),
			     resv_check, "§9.6");
}

size_t sysfs_check_type(const struct sysfs_snapshot *s,
			struct sysfs_problems *p)
{
	return check_content(s, p, "type", offsetof(struct sysfs_group, type),
			     sysfs_type_check, "§9.7");
}

size_t sysfs_check_name(const struct sysfs_snapshot *s,
			struct sysfs_problems *p)
{
	return check_content(s, p, "name",
			     offsetof(struct sysfs_group, name_attr),
			     sysfs_name_check, "§9.2");
}

size_t sysfs_check_forward_links(const struct sysfs_snapshot *s,
				 struct sysfs_problems *p)
{
	size_t n = 0;

	for_each_group(g, s) {
		for_each_member(m, g) {
			n++;
			if (!m->is_link)
				problem(p,
					"group %s: devices/%s is not a "
					"symlink; wanted a link to the device "
					"(§9.3)",
					g->name, m->name);
			else if (!m->real)
				problem(p,
					"group %s: devices/%s -> %s does not "
					"resolve (%s); wanted an existing "
					"device directory (§9.3)",
					g->name, m->name,
					m->target ? m->target : "?",
					strerror(m->err));
			else if (!m->is_dir)
				problem(p,
					"group %s: devices/%s -> %s is not a "
					"directory; wanted a device directory "
					"(§9.3)",
					g->name, m->name, m->real);
			else if (s->devices_real &&
				 !under(m->real, s->devices_real))
				problem(p,
					"group %s: devices/%s -> %s is outside "
					"%s; wanted a device directory there "
					"(§9.3)",
					g->name, m->name, m->real,
					s->devices_real);
		}
	}
	return n;
}

size_t sysfs_check_back_links(const struct sysfs_snapshot *s,
			      struct sysfs_problems *p)
{
	size_t n = 0;

	for_each_group(g, s) {
		for_each_member(m, g) {
			if (!m->real || !m->is_dir || !g->real)
				continue;
			n++;
			if (!m->back_present)
				problem(p,
					"group %s: device %s (devices/%s) has "
					"no iommu_group link; wanted one "
					"resolving to group %s (§9.3)",
					g->name, m->real, m->name, g->name);
			else if (!m->back_real)
				problem(p,
					"group %s: device %s (devices/%s): "
					"iommu_group does not resolve (%s); "
					"wanted group %s (§9.3)",
					g->name, m->real, m->name,
					strerror(m->back_err), g->name);
			else if (strcmp(m->back_real, g->real))
				problem(p,
					"group %s: device %s (devices/%s): "
					"iommu_group resolves to %s (group "
					"%s); wanted %s (§9.3)",
					g->name, m->real, m->name, m->back_real,
					sysfs_base_of(m->back_real), g->real);
		}
	}
	return n;
}

/* name is base, or base "." and decimal digits (collision suffix, §2). */
static bool entry_name_ok(const char *name, const char *base)
{
	size_t n = strlen(base);

	if (!strcmp(name, base))
		return true;
	if (strncmp(name, base, n) || name[n] != '.' || !name[n + 1])
		return false;
	return strspn(name + n + 1, "0123456789") == strlen(name + n + 1);
}

size_t sysfs_check_entry_names(const struct sysfs_snapshot *s,
			       struct sysfs_problems *p)
{
	size_t n = 0;

	for_each_group(g, s) {
		for_each_member(m, g) {
			const char *path = m->real ? m->real : m->target;
			const char *base;

			if (!path)
				continue;
			base = sysfs_base_of(path);
			n++;
			if (!entry_name_ok(m->name, base))
				problem(p,
					"group %s: devices/%s points at device "
					"'%s'; wanted the entry named '%s' or "
					"'%s.<n>' (§9.3)",
					g->name, m->name, base, base, base);
		}
	}
	return n;
}

struct member_ref {
	const char *real;
	const struct sysfs_group *g;
	const struct sysfs_member *m;
};

static int cmp_ref(const void *a, const void *b)
{
	const struct member_ref *x = a, *y = b;

	return strcmp(x->real, y->real);
}

size_t sysfs_check_membership(const struct sysfs_snapshot *s,
			      struct sysfs_problems *p)
{
	struct member_ref *refs = NULL;
	size_t nr = 0, cap = 0, n = 0;

	for_each_group(g, s) {
		for_each_member(m, g) {
			if (!m->real || !m->is_dir)
				continue;
			if (sysfs_grow(&refs, &cap, nr, sizeof(*refs))) {
				problem(p, "out of memory");
				free(refs);
				return n;
			}
			refs[nr++] = (struct member_ref){m->real, g, m};
		}
	}
	if (nr)
		qsort(refs, nr, sizeof(*refs), cmp_ref);

	/* No device in two groups, nor twice in one (§9.4). */
	for (size_t i = 0; i < nr;) {
		size_t k = i + 1;

		while (k < nr && !strcmp(refs[k].real, refs[i].real))
			k++;
		n++;
		if (k - i > 1) {
			struct sysfs_sb b = {0};
			char *list;

			for (size_t x = i; x < k; x++)
				sysfs_sb_printf(&b, "%sgroup %s (devices/%s)",
						x > i ? ", " : "",
						refs[x].g->name,
						refs[x].m->name);
			list = sysfs_sb_take(&b);
			problem(p,
				"device %s is listed %zu times: %s; wanted "
				"exactly one group (§9.4)",
				refs[i].real, k - i, list ? list : "?");
			free(list);
		}
		i = k;
	}

	/* Each linked device is listed by the group its link names. */
	for (size_t i = 0; i < s->nr_devices; i++) {
		const struct sysfs_device *d = &s->devices[i];
		const struct sysfs_group *want;
		struct member_ref key, *hit;
		bool found;

		if (!d->real)
			continue;
		n++;
		if (!d->group_real) {
			problem(p,
				"device %s/%s (%s): iommu_group -> %s does not "
				"resolve (%s); wanted a group directory (§9.4)",
				d->bus, d->name, d->real,
				d->group_target ? d->group_target : "?",
				strerror(d->group_err));
			continue;
		}
		want = sysfs_group_by_real(s, d->group_real);
		if (!want) {
			problem(p,
				"device %s/%s (%s): iommu_group resolves to "
				"%s, which is not a group directory in %s "
				"(§9.4)",
				d->bus, d->name, d->real, d->group_real,
				s->groups_path);
			continue;
		}
		key.real = d->real;
		hit = nr ? bsearch(&key, refs, nr, sizeof(*refs), cmp_ref)
			 : NULL;
		if (!hit) {
			problem(p,
				"group %s: device %s/%s (%s) links to group %s "
				"but no group's devices/ lists it; wanted it "
				"in group %s's devices/ (§9.4)",
				want->name, d->bus, d->name, d->real,
				want->name, want->name);
			continue;
		}
		while (hit > refs && !strcmp(hit[-1].real, d->real))
			hit--;
		found = false;
		for (struct member_ref *r = hit;
		     r < refs + nr && !strcmp(r->real, d->real); r++)
			found |= r->g == want;
		if (!found)
			problem(p,
				"group %s: device %s/%s (%s) links to group %s "
				"but is listed by group %s (devices/%s); "
				"wanted it in group %s's devices/ (§9.4)",
				want->name, d->bus, d->name, d->real,
				want->name, hit->g->name, hit->m->name,
				want->name);
	}
	free(refs);
	return n;
}

size_t sysfs_check_nonempty(const struct sysfs_snapshot *s,
			    struct sysfs_problems *p)
{
	size_t n = 0;

	for_each_group(g, s) {
		if (!g->is_dir || !g->devices_is_dir || g->devices_err)
			continue;
		n++;
		if (!g->nr_members)
			problem(p,
				"group %s: devices/ is empty; wanted at least "
				"one device, since only an external holder "
				"pins an empty group and nothing holds one at "
				"boot (§9.5)",
				g->name);
	}
	return n;
}

size_t sysfs_check_iommu_links(const struct sysfs_snapshot *s,
			       struct sysfs_problems *p)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nr_devices; i++) {
		const struct sysfs_device *d = &s->devices[i];
		const struct sysfs_group *g =
			sysfs_group_by_real(s, d->group_real);

		n++;
		if (d->has_iommu_link)
			continue;
		/* §9.10: VFIO no-IOMMU groups carry a name and no IOMMU. */
		if (g && g->name_attr.present)
			continue;
		problem(p,
			"group %s: device %s/%s (%s) has an iommu_group link "
			"but no iommu link; wanted both (§9.10)",
			g ? g->name
			  : (d->group_real ? sysfs_base_of(d->group_real)
					   : "?"),
			d->bus, d->name, d->real ? d->real : "?");
	}
	return n;
}

/* ---- declared against the kernel's ------------------------------------ */

size_t sysfs_check_declared_groups(const struct sysfs_partition *expected,
				   const struct sysfs_partition *kernel,
				   struct sysfs_problems *p)
{
	size_t n = 0;

	for (size_t i = 0; i < expected->nr; i++) {
		const struct sysfs_pgroup *e = &expected->groups[i];
		const struct sysfs_pgroup *k0 =
			sysfs_partition_find(kernel, e->bdfs[0]);
		char *es, *ks = NULL;
		struct sysfs_sb b = {0};
		bool first = true;

		n++;
		if (k0 && sysfs_pgroup_equal(e, k0))
			continue;
		/* Every kernel group touching e, once, in e's order. */
		for (size_t j = 0; j < e->nr; j++) {
			const struct sysfs_pgroup *k =
				sysfs_partition_find(kernel, e->bdfs[j]);
			bool seen = false;
			char *s;

			for (size_t x = 0; k && x < j; x++)
				seen |= sysfs_partition_find(kernel,
							     e->bdfs[x]) == k;
			if (seen)
				continue;
			if (!k) {
				sysfs_sb_printf(&b, "%s%s in no group",
						first ? "" : ", ", e->bdfs[j]);
				first = false;
				continue;
			}
			s = sysfs_pgroup_str(k);
			sysfs_sb_printf(&b, "%sgroup %ld %s", first ? "" : ", ",
					k->id, s ? s : "?");
			free(s);
			first = false;
		}
		ks = sysfs_sb_take(&b);
		es = sysfs_pgroup_str(e);
		problem(p, "expected group %s: kernel has %s", es ? es : "?",
			ks ? ks : "?");
		free(es);
		free(ks);
	}
	return n;
}

size_t sysfs_check_groups_declared(const struct sysfs_partition *expected,
				   const struct sysfs_partition *kernel,
				   struct sysfs_problems *p)
{
	size_t n = 0;

	for (size_t i = 0; i < kernel->nr; i++) {
		const struct sysfs_pgroup *k = &kernel->groups[i];
		struct sysfs_sb b = {0};
		size_t missing = 0;
		char *ks, *list;

		for (size_t j = 0; j < k->nr; j++) {
			n++;
			if (sysfs_partition_find(expected, k->bdfs[j]))
				continue;
			sysfs_sb_printf(&b, "%s%s", missing ? " " : "",
					k->bdfs[j]);
			missing++;
		}
		list = sysfs_sb_take(&b);
		if (missing) {
			ks = sysfs_pgroup_str(k);
			problem(p,
				"kernel group %ld %s: %s not in any expected "
				"group; wanted every grouped PCI device "
				"declared (docs/formats.md)",
				k->id, ks ? ks : "?", list ? list : "?");
			free(ks);
		}
		free(list);
	}
	return n;
}
