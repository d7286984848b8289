// SPDX-License-Identifier: GPL-2.0-only
/*
 * The model's prediction against the kernel's groups (model_compare):
 * membership, IDs, reserved_regions and type, with a report that explains
 * each differing member and lists what the input could not decide.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_int.h"

struct cgroup {
	long id;
	char (*bdfs)[MODEL_BDF_LEN]; /* sorted */
	size_t nr;
	bool matched;
};

static int cmp_bdf(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int cgroup_fill(struct cgroup *c, long id, const char *const *bdfs,
		       size_t nr)
{
	c->id = id;
	c->bdfs = calloc(nr ? nr : 1, sizeof(*c->bdfs));
	if (!c->bdfs)
		return -1;
	for (size_t i = 0; i < nr; i++) {
		/* Keep an unparsable name as it is: it then matches nothing. */
		if (model_norm_bdf(bdfs[i], c->bdfs[i]))
			snprintf(c->bdfs[i], MODEL_BDF_LEN, "%s", bdfs[i]);
	}
	c->nr = nr;
	qsort(c->bdfs, nr, sizeof(*c->bdfs), cmp_bdf);
	return 0;
}

static bool cgroup_same(const struct cgroup *a, const struct cgroup *b)
{
	if (a->nr != b->nr)
		return false;
	for (size_t i = 0; i < a->nr; i++)
		if (strcmp(a->bdfs[i], b->bdfs[i]))
			return false;
	return true;
}

static const struct cgroup *cgroup_holding(const struct cgroup *v, size_t n,
					   const char *bdf)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < v[i].nr; k++)
			if (!strcmp(v[i].bdfs[k], bdf))
				return &v[i];
	return NULL;
}

static void sb_members(struct model_sbuf *b, const struct cgroup *c)
{
	model_sb_printf(b, "{");
	for (size_t i = 0; i < c->nr; i++)
		model_sb_printf(b, "%s%s", i ? " " : "", c->bdfs[i]);
	model_sb_printf(b, "}");
}

/* Text equality up to trailing newlines and blanks. */
static size_t trimmed_len(const char *s)
{
	size_t n = strlen(s);

	while (n && strchr("\r\n \t", s[n - 1]))
		n--;
	return n;
}

static bool text_same(const char *a, const char *b)
{
	size_t n = trimmed_len(a);

	return n == trimmed_len(b) && !memcmp(a, b, n);
}

static void sb_indented(struct model_sbuf *b, const char *label,
			const char *text)
{
	const char *s = text;

	model_sb_printf(b, "    %s:%s", label, *s ? "\n" : " (empty)\n");
	while (*s) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);

		model_sb_printf(b, "      %.*s\n", (int)n, s);
		s += n + (e ? 1 : 0);
	}
}

/* Each device's reason once per report; later mentions point back. */
struct seen {
	char (*bdf)[MODEL_BDF_LEN];
	size_t nr, cap;
};

static void sb_why(struct model_sbuf *b, const struct model_partition *p,
		   const char *bdf, struct seen *seen)
{
	const struct model_pdev *d = model_partition_dev(p, bdf);

	for (size_t i = 0; i < seen->nr; i++) {
		if (!strcmp(seen->bdf[i], bdf)) {
			model_sb_printf(b, "    %s: as above\n", bdf);
			return;
		}
	}
	if (seen->nr == seen->cap) {
		size_t n = seen->cap ? seen->cap * 2 : 16;
		void *v = realloc(seen->bdf, n * sizeof(*seen->bdf));

		if (!v) {
			b->oom = true;
			return;
		}
		seen->bdf = v;
		seen->cap = n;
	}
	snprintf(seen->bdf[seen->nr++], MODEL_BDF_LEN, "%s", bdf);

	model_sb_printf(b, "    %s: %s\n", bdf,
			d ? d->why : "not in the model's topology");
}

int model_compare(const struct model_partition *p,
		  const struct model_observed_group *obs, size_t nr_obs,
		  char **diff)
{
	struct cgroup *pc = calloc(p->nr ? p->nr : 1, sizeof(*pc));
	struct cgroup *oc = calloc(nr_obs ? nr_obs : 1, sizeof(*oc));
	struct model_sbuf b = {0};
	int ndiff = -1;
	struct seen seen = {0};

	if (diff)
		*diff = NULL;
	if (!pc || !oc)
		goto out;
	for (size_t i = 0; i < p->nr; i++)
		if (cgroup_fill(&pc[i], p->groups[i].id,
				(const char *const *)p->groups[i].bdfs,
				p->groups[i].nr))
			goto out;
	for (size_t i = 0; i < nr_obs; i++)
		if (cgroup_fill(&oc[i], obs[i].id, obs[i].bdfs, obs[i].nr))
			goto out;
	ndiff = 0;

	/*
	 * An undecidable group is no prediction: leave it, and the kernel's
	 * groups holding its devices, out (listed at the end).
	 */
	for (size_t i = 0; i < p->nr; i++) {
		if (p->groups[i].certainty != MODEL_UNDECIDABLE)
			continue;
		pc[i].matched = true;
		for (size_t k = 0; k < pc[i].nr; k++)
			for (size_t j = 0; j < nr_obs; j++)
				for (size_t x = 0; x < oc[j].nr; x++)
					if (!strcmp(oc[j].bdfs[x],
						    pc[i].bdfs[k]))
						oc[j].matched = true;
	}

	/* Same members: then IDs, reserved_regions and type must agree. */
	for (size_t i = 0; i < p->nr; i++) {
		for (size_t j = 0; j < nr_obs; j++) {
			if (pc[i].matched || oc[j].matched ||
			    !cgroup_same(&pc[i], &oc[j]))
				continue;
			pc[i].matched = oc[j].matched = true;
			if (pc[i].id != oc[j].id &&
			    p->groups[i].certainty == MODEL_DECIDED) {
				ndiff++;
				model_sb_printf(&b, "- group ");
				sb_members(&b, &pc[i]);
				model_sb_printf(
					&b, ": model ID %ld, kernel ID %ld\n",
					pc[i].id, oc[j].id);
				sb_why(&b, p, pc[i].bdfs[0], &seen);
			}
			if (obs[j].resv &&
			    !text_same(p->groups[i].resv, obs[j].resv)) {
				ndiff++;
				model_sb_printf(
					&b,
					"- group %ld reserved_regions differ\n",
					oc[j].id);
				sb_indented(&b, "model", p->groups[i].resv);
				sb_indented(&b, "kernel", obs[j].resv);
			}
			if (obs[j].type &&
			    !text_same(p->groups[i].type, obs[j].type)) {
				ndiff++;
				model_sb_printf(
					&b,
					"- group %ld type: model %s, kernel %.*s\n",
					oc[j].id, p->groups[i].type,
					(int)strcspn(obs[j].type, "\n"),
					obs[j].type);
			}
			break;
		}
	}
	/* Model groups the kernel does not have, member by member. */
	for (size_t i = 0; i < p->nr; i++) {
		if (pc[i].matched)
			continue;
		ndiff++;
		model_sb_printf(&b, "- model group %ld ", pc[i].id);
		sb_members(&b, &pc[i]);
		model_sb_printf(&b, "; kernel:");
		for (size_t k = 0; k < pc[i].nr; k++) {
			const struct cgroup *o =
				cgroup_holding(oc, nr_obs, pc[i].bdfs[k]);

			if (o)
				model_sb_printf(&b, " %s in group %ld",
						pc[i].bdfs[k], o->id);
			else
				model_sb_printf(&b, " %s in no group",
						pc[i].bdfs[k]);
			model_sb_printf(&b, "%s",
					k + 1 < pc[i].nr ? "," : "\n");
		}
		for (size_t k = 0; k < pc[i].nr; k++)
			sb_why(&b, p, pc[i].bdfs[k], &seen);
	}
	/* Kernel groups the model does not have. */
	for (size_t j = 0; j < nr_obs; j++) {
		if (oc[j].matched)
			continue;
		ndiff++;
		model_sb_printf(&b, "- kernel group %ld ", oc[j].id);
		sb_members(&b, &oc[j]);
		model_sb_printf(&b, "; model:");
		for (size_t k = 0; k < oc[j].nr; k++) {
			const struct cgroup *g =
				cgroup_holding(pc, p->nr, oc[j].bdfs[k]);

			if (g)
				model_sb_printf(&b, " %s in group %ld",
						oc[j].bdfs[k], g->id);
			else
				model_sb_printf(&b, " %s in no group",
						oc[j].bdfs[k]);
			model_sb_printf(&b, "%s",
					k + 1 < oc[j].nr ? "," : "\n");
		}
		for (size_t k = 0; k < oc[j].nr; k++)
			sb_why(&b, p, oc[j].bdfs[k], &seen);
	}
	for (size_t i = 0; i < p->nr; i++) {
		if (p->groups[i].certainty == MODEL_DECIDED)
			continue;
		model_sb_printf(&b, "~ not compared: model group %ld%s ",
				pc[i].id,
				p->groups[i].certainty == MODEL_ID_UNDECIDABLE
					? " (its ID)"
					: "");
		sb_members(&b, &pc[i]);
		model_sb_printf(&b, ": %s\n", p->groups[i].undecidable);
	}
	if (b.oom)
		ndiff = -1;
out:
	for (size_t i = 0; pc && i < p->nr; i++)
		free(pc[i].bdfs);
	for (size_t i = 0; oc && i < nr_obs; i++)
		free(oc[i].bdfs);
	free(pc);
	free(oc);
	free(seen.bdf);
	if (ndiff >= 0 && diff)
		*diff = model_sb_done(&b);
	else
		free(b.s);
	if (diff && ndiff >= 0 && !*diff)
		ndiff = -1;
	return ndiff;
}
