// SPDX-License-Identifier: GPL-2.0-only
/*
 * Group directory names and link targets as the sysfs checks see them
 * (harness/lib/sysfs_check.c, §9.1-§9.5, §9.10): a snapshot described by the
 * input, built in memory the way sysfs_snapshot_take() records a tree,
 * then every check, the PCI partition, and the declared-groups checks.
 *
 * Input: lines up to a line "---", then an expectation file
 * (docs/formats.md) for the declared-groups checks.
 *   ID: ENTRY ...      group directory ID with devices/ENTRY links; an
 *                      ENTRY is NAME or NAME,TARGET,REAL,BACK: the link's
 *                      readlink() text, where it resolves, where the
 *                      device's iommu_group resolves ("" default, "-"
 *                      none: broken or absent)
 *   type ID TEXT       the group's type file (a newline is added)
 *   name ID TEXT       the group has a name file (VFIO no-IOMMU)
 *   dev NAME REAL GROUP   a device with an iommu_group link resolving to
 *                      GROUP ("-" broken) and no iommu link
 * The observed groups of the lspci fixtures ("ID: BDF ...") are inputs.
 *
 * Property: a tree that is consistent by construction (canonical distinct
 * IDs, plain distinct BDF entries, nothing else) has no problem.
 */
#include "fuzz.h"

#include <errno.h>
#include <sys/stat.h>

#include "sysfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define GROUPS "/sys/kernel/iommu_groups"
#define DEVICES "/sys/devices/pci0000:00"

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	FUZZ_ASSERT(d, "out of memory");
	return d;
}

static char *xprintf(const char *a, const char *b)
{
	char *s;

	FUZZ_ASSERT(asprintf(&s, "%s%s", a, b) >= 0, "out of memory");
	return s;
}

static void *grow(void *v, size_t n, size_t size)
{
	/* One more element, zeroed. */
	char *p = realloc(v, (n + 1) * size);

	FUZZ_ASSERT(p, "out of memory");
	memset(p + n * size, 0, size);
	return p;
}

static struct sysfs_group *group_get(struct sysfs_snapshot *s, const char *name)
{
	struct sysfs_group *g;

	for (size_t i = 0; i < s->nr_groups; i++)
		if (!strcmp(s->groups[i].name, name))
			return &s->groups[i];
	s->groups = grow(s->groups, s->nr_groups, sizeof(*s->groups));
	g = &s->groups[s->nr_groups++];
	g->name = xstrdup(name);
	g->mode = S_IFDIR | 0755;
	g->is_dir = true;
	g->id = sysfs_group_id_parse(name, &g->id_canonical);
	g->real = xprintf(GROUPS "/", name);
	g->devices_present = true;
	g->devices_is_dir = true;
	return g;
}

static void device_add(struct sysfs_snapshot *s, const char *name,
		       const char *real, const char *group, bool iommu)
{
	struct sysfs_device *d;

	s->devices = grow(s->devices, s->nr_devices, sizeof(*s->devices));
	d = &s->devices[s->nr_devices++];
	d->bus = xstrdup("pci");
	d->name = xstrdup(name);
	d->real = real ? xstrdup(real) : NULL;
	if (group) {
		d->group_target =
			xprintf("../../../kernel/iommu_groups/", group);
		d->group_real = xprintf(GROUPS "/", group);
	} else {
		d->group_target = xstrdup("../../../kernel/iommu_groups/gone");
		d->group_err = ENOENT;
	}
	d->has_iommu_link = iommu;
}

static void file_set(struct sysfs_file *f, const char *text)
{
	free(f->data);
	f->present = true;
	f->mode = S_IFREG | 0444;
	f->data = xprintf(text, "\n");
	f->len = strlen(f->data);
}

/* "" default, "-" none, else the text itself. */
static char *field(char **save, const char *dflt)
{
	char *f = strsep(save, ",");

	if (!f || !*f)
		return dflt ? xstrdup(dflt) : NULL;
	if (!strcmp(f, "-"))
		return NULL;
	return xstrdup(f);
}

/* One "ID: ENTRY ..." line; false if it is not one of the plain kind. */
static bool group_line(struct sysfs_snapshot *s, char *line)
{
	char *colon = strchr(line, ':'), *tok, *save;
	bool plain = true;
	struct sysfs_group *g;

	/* The ID is the first token; BDFs have colons of their own. */
	tok = strpbrk(line, " \t");
	if (!colon || (tok && tok < colon))
		return false;
	*colon = '\0';
	g = group_get(s, line);
	plain = g->id >= 0 && g->id_canonical;
	for (tok = strtok_r(colon + 1, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		struct sysfs_member *m;
		char *fs = tok, *name = strsep(&fs, ","), *dflt;

		g->members =
			grow(g->members, g->nr_members, sizeof(*g->members));
		m = &g->members[g->nr_members++];
		m->name = xstrdup(name);
		plain &= !fs && sysfs_is_bdf(name);
		dflt = xprintf("../../../../devices/pci0000:00/", name);
		m->target = field(&fs, dflt);
		free(dflt);
		dflt = xprintf(DEVICES "/", name);
		m->real = field(&fs, dflt);
		free(dflt);
		m->back_real = field(&fs, g->real);
		m->is_link = m->target;
		m->is_dir = m->real;
		m->err = m->real ? 0 : ENOENT;
		m->back_present = true;
		m->back_err = m->back_real ? 0 : ENOENT;
		if (m->real)
			device_add(s, m->name, m->real, g->name, true);
	}
	return plain;
}

static int cmp_member(const void *a, const void *b)
{
	const struct sysfs_member *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static bool build(struct sysfs_snapshot *s, char *text)
{
	char *line, *save;
	bool consistent = true;

	s->root = xstrdup("/sys");
	s->root_real = xstrdup("/sys");
	s->devices_real = xstrdup("/sys/devices");
	s->groups_path = xstrdup(GROUPS);
	s->groups_present = s->groups_is_dir = true;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *rest = line, *kw = strsep(&rest, " "), *a, *b;

		if (!rest) {
			consistent &= group_line(s, line);
		} else if (!strcmp(kw, "type") || !strcmp(kw, "name")) {
			a = strsep(&rest, " ");
			file_set(!strcmp(kw, "type")
					 ? &group_get(s, a)->type
					 : &group_get(s, a)->name_attr,
				 rest ? rest : "");
			consistent = false;
		} else if (!strcmp(kw, "dev")) {
			a = strsep(&rest, " ");
			b = strsep(&rest, " ");
			device_add(s, a, b && strcmp(b, "-") ? b : NULL,
				   rest && strcmp(rest, "-") ? rest : NULL,
				   false);
			consistent = false;
		} else {
			rest[-1] = ' ';
			consistent &= group_line(s, line);
		}
	}
	for (size_t i = 0; i < s->nr_groups; i++) {
		struct sysfs_group *g = &s->groups[i];

		if (g->nr_members)
			qsort(g->members, g->nr_members, sizeof(*g->members),
			      cmp_member);
		for (size_t j = 0; j < g->nr_members; j++) {
			/* A BDF in two places is no longer consistent. */
			for (size_t k = i; k < s->nr_groups; k++)
				for (size_t l = k == i ? j + 1 : 0;
				     l < s->groups[k].nr_members; l++)
					consistent &= !!strcmp(
						g->members[j].name,
						s->groups[k].members[l].name);
		}
		if (!g->type.present)
			file_set(&g->type, "DMA");
		if (!g->reserved_regions.present)
			file_set(&g->reserved_regions,
				 "0x00000000fee00000 0x00000000feefffff msi");
		/* An empty group is a problem of its own (§9.5). */
		consistent &= g->nr_members > 0;
	}
	return consistent;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t (*const checks[])(const struct sysfs_snapshot *,
				 struct sysfs_problems *) = {
		sysfs_check_group_ids,
		sysfs_check_devices_dirs,
		sysfs_check_reserved_regions,
		sysfs_check_type,
		sysfs_check_name,
		sysfs_check_forward_links,
		sysfs_check_back_links,
		sysfs_check_entry_names,
		sysfs_check_membership,
		sysfs_check_nonempty,
		sysfs_check_iommu_links,
	};
	struct sysfs_snapshot s = {0};
	struct sysfs_problems p = {0};
	struct sysfs_partition part;
	struct sysfs_expect e;
	char err[SYSFS_ERR_LEN];
	char *text = fuzz_strndup(data, size), *sep;
	bool consistent;

	fuzz_selftest(data, size);
	sep = strstr(text, "\n---\n");
	if (sep)
		*sep = '\0';
	consistent = build(&s, text);
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		checks[i](&s, &p);
	sysfs_check_present(&s, SYSFS_FEAT_RESERVED_REGIONS, &p);
	sysfs_check_present(&s, SYSFS_FEAT_TYPE, &p);
	FUZZ_ASSERT(!consistent || !sysfs_problems_count(&p),
		    "a consistent tree has problems: %s",
		    p.nr ? p.msg[0] : "?");
	for (size_t i = 0; i < s.nr_devices; i++)
		sysfs_group_by_real(&s, s.devices[i].group_real);

	FUZZ_ASSERT(!sysfs_partition_build(&s, &part), "out of memory");
	if (sep && !sysfs_expect_parse(sep + 5, strlen(sep + 5), &e, err,
				       sizeof(err))) {
		sysfs_check_declared_groups(&e.groups, &part, &p);
		sysfs_check_groups_declared(&e.groups, &part, &p);
		sysfs_expect_free(&e);
	}
	for (size_t i = 0; i < part.nr; i++) {
		char *str = sysfs_pgroup_str(&part.groups[i]);

		FUZZ_ASSERT(str, "out of memory");
		FUZZ_ASSERT(sysfs_partition_find(&part, part.groups[i].bdfs[0]),
			    "%s not found", part.groups[i].bdfs[0]);
		free(str);
	}
	sysfs_partition_free(&part);
	sysfs_problems_free(&p);
	sysfs_snapshot_free(&s);
	free(text);
	return 0;
}
