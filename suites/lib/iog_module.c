// SPDX-License-Identifier: GPL-2.0-only
/*
 * The test module (drivers/iog_groups) for the suites that change the
 * machine: its debugfs interface (docs/formats.md, "Test module debugfs")
 * and its event stream against the model's.  teardown_util.h declares
 * and describes these.
 */
#include "ksft_helpers.h"
#include "teardown_util.h"

void td_iog_path(char *buf, size_t size, const char *file)
{
	suite_pathf(buf, size, "%s/kernel/debug/iog/%s", sysfs_root(), file);
}

bool td_iog_present(void)
{
	char p[PATH_MAX];

	td_iog_path(p, sizeof(p), "events");
	return !access(p, W_OK);
}

bool td_require_iog(struct __test_metadata *_metadata)
{
	char p[256];

	td_iog_path(p, sizeof(p), "");
	if (!td_iog_present())
		SKIP(return false,
			    "the test module is not loaded: %s missing "
			    "(drivers/iog_groups, built by harness/module.sh "
			    "against the kernel under test)",
			    p);
	return true;
}

int td_iog_clear(void)
{
	char p[PATH_MAX];

	td_iog_path(p, sizeof(p), "events");
	return td_write(p, "clear");
}

int td_iog_owner(const char *cmd, const char *bdf, char *said, size_t size)
{
	char p[PATH_MAX], line[64];
	int err;

	td_iog_path(p, sizeof(p), "owner");
	snprintf(line, sizeof(line), "%s %s", cmd, bdf);
	err = td_write(p, line);
	if (said)
		td_read(p, said, size);
	return err;
}

void td_evs_free(struct td_evs *e)
{
	free(e->v);
	memset(e, 0, sizeof(*e));
}

int td_evs_add(struct td_evs *e, const char *action, const char *bdf,
	       long group, unsigned long long seq)
{
	if (e->nr == e->cap) {
		size_t n = e->cap ? e->cap * 2 : 32;
		struct td_ev *v = realloc(e->v, n * sizeof(*v));

		if (!v)
			return -1;
		e->v = v;
		e->cap = n;
	}
	e->v[e->nr] = (struct td_ev){.seq = seq, .group = group};
	td_copy(e->v[e->nr].action, action, sizeof(e->v[e->nr].action));
	td_copy(e->v[e->nr].bdf, bdf, sizeof(e->v[e->nr].bdf));
	e->nr++;
	return 0;
}

int td_iog_events(struct td_evs *e)
{
	char p[PATH_MAX], line[256];
	unsigned long long skipped = 0;
	FILE *f;
	int ret = 0;

	memset(e, 0, sizeof(*e));
	td_iog_path(p, sizeof(p), "events");
	f = fopen(p, "re");
	if (!f)
		return -1;
	while (!ret && fgets(line, sizeof(line), f)) {
		unsigned long long seq;
		char action[12], bdf[MODEL_BDF_LEN];
		long group;

		/* A device the suite beside holds (td_busy) is left out. */
		if (sscanf(line, "%llu %11s %12s %ld", &seq, action, bdf,
			   &group) != 4) {
			errno = EBADMSG;
			ret = -1;
		} else if (td_busy(bdf)) {
			skipped++;
		} else if (td_evs_add(e, action, bdf, group, seq)) {
			ret = -1;
		} else {
			e->v[e->nr - 1].skipped = skipped;
			skipped = 0;
		}
	}
	fclose(f);
	return ret;
}

int td_model_stream(const struct suite_model *sm, size_t from, struct td_evs *e)
{
	static const char *const name[] = {
		[MODEL_EV_ADD_DEVICE] = "add",
		[MODEL_EV_DEL_DEVICE] = "del",
		[MODEL_EV_BIND_DRIVER] = "bind",
		[MODEL_EV_BOUND_DRIVER] = "bound",
		[MODEL_EV_UNBIND_DRIVER] = "unbind",
		[MODEL_EV_UNBOUND_DRIVER] = "unbound",
	};
	const struct model_event *ev;
	size_t n = model_events(sm->m, &ev);

	memset(e, 0, sizeof(*e));
	for (size_t i = from; i < n; i++) {
		if (td_busy(ev[i].dev))
			continue;
		if (td_evs_add(e, name[ev[i].type], ev[i].dev, ev[i].group_id,
			       0))
			return -1;
		if (ev[i].type == MODEL_EV_DEL_DEVICE &&
		    td_evs_add(e, "removed", ev[i].dev, -1, 0))
			return -1;
	}
	return 0;
}

bool td_ev_same(const struct td_ev *a, const struct td_ev *b)
{
	return !strcmp(a->action, b->action) && !strcmp(a->bdf, b->bdf) &&
	       a->group == b->group;
}

void td_probe_barrier(void)
{
	struct dirent **list = NULL;
	char dir[PATH_MAX];
	int n;

	suite_pathf(dir, sizeof(dir), "%s/bus/pci/devices", sysfs_root());
	n = scandir(dir, &list, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		char p[PATH_MAX], ovr[128] = "";

		if (sysfs_is_bdf(list[i]->d_name) &&
		    td_dev_bound(list[i]->d_name)) {
			td_dev_path(p, sizeof(p), list[i]->d_name,
				    "driver_override");
			if (!td_read(p, ovr, sizeof(ovr)))
				td_write(p, ovr[0] && strcmp(ovr, "(null)")
						    ? ovr
						    : "\n");
		}
		free(list[i]);
	}
	free(list);
}

int td_evs_compare(const struct td_evs *model, const struct td_evs *kernel,
		   const char *what)
{
	size_t m = model->nr, k = kernel->nr, i, j;
	unsigned short *l = calloc((m + 1) * (k + 1), sizeof(*l));
	int bad = 0;

	if (!l)
		return -1;
#define TD_L(a, b) l[(a) * (k + 1) + (b)]
	for (i = m; i-- > 0;)
		for (j = k; j-- > 0;)
			TD_L(i, j) = td_ev_same(&model->v[i], &kernel->v[j])
					     ? TD_L(i + 1, j + 1) + 1
				     : TD_L(i + 1, j) > TD_L(i, j + 1)
					     ? TD_L(i + 1, j)
					     : TD_L(i, j + 1);
	fprintf(stderr, "# %s: model %zu events, kernel %zu events:\n", what, m,
		k);
	for (i = 0, j = 0; i < m || j < k;) {
		if (i < m && j < k && td_ev_same(&model->v[i], &kernel->v[j])) {
			fprintf(stderr, "#   = %llu %s %s %ld\n",
				kernel->v[j].seq, kernel->v[j].action,
				kernel->v[j].bdf, kernel->v[j].group);
			i++, j++;
		} else if (i < m &&
			   (j == k || TD_L(i + 1, j) >= TD_L(i, j + 1))) {
			fprintf(stderr,
				"#   - missing event: %s %s %ld (model event "
				"%zu of %zu)\n",
				model->v[i].action, model->v[i].bdf,
				model->v[i].group, i + 1, m);
			i++, bad++;
		} else {
			fprintf(stderr,
				"#   + unexpected event: %llu %s %s %ld (not "
				"in the model's stream, or not there)\n",
				kernel->v[j].seq, kernel->v[j].action,
				kernel->v[j].bdf, kernel->v[j].group);
			j++, bad++;
		}
	}
#undef TD_L
	for (j = 1; j < k; j++) {
		if (kernel->v[j].seq ==
		    kernel->v[j - 1].seq + 1 + kernel->v[j].skipped)
			continue;
		fprintf(stderr,
			"#   ! sequence gap: %llu follows %llu (events "
			"overwritten or lost)\n",
			kernel->v[j].seq, kernel->v[j - 1].seq);
		bad++;
	}
	fflush(stderr);
	free(l);
	return bad;
}
