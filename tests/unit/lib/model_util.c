// SPDX-License-Identifier: GPL-2.0-only
/*
 * Helpers the model's unit tests share (model_util.h): fixture paths, the
 * .observed files' reader, booting a dump and looking devices up.  No
 * TEST macros here: kselftest_harness.h keeps its list per program.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "model_util.h"
#include "pci_topo.h"

/* Tests run from the top of the tree (tests/run.sh); IOG_FIXTURES overrides. */
static const char *fixtures(void)
{
	const char *e = getenv("IOG_FIXTURES");

	return e && *e ? e : "tests/fixtures";
}

char *model_ut_fixture(const char *rel)
{
	static char path[4][1024];
	static int next;
	char *p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/%s", fixtures(), rel);
	return p;
}

struct obs_group *model_ut_obs_find(struct obs *o, long id)
{
	for (size_t i = 0; i < o->nr; i++)
		if (o->g[i].id == id)
			return &o->g[i];
	return NULL;
}

/* NULL on a read or format error (message on stderr). */
struct obs *model_ut_obs_load(const char *path)
{
	struct obs *o = calloc(1, sizeof(*o));
	FILE *f = fopen(path, "r");
	struct obs_group *cur = NULL;
	bool resv = false;
	char line[1024];

	if (!o || !f) {
		fprintf(stderr, "# %s: %s\n", path, strerror(errno));
		free(o);
		if (f)
			fclose(f);
		return NULL;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s = line, *tok, *save;
		long id;

		line[strcspn(line, "\n")] = '\0';
		if (!*s || *s == '#')
			continue;
		if (!strcmp(s, "=== RESV")) {
			resv = true;
			continue;
		}
		if (!resv) {
			id = strtol(s, &tok, 10);
			if (*tok != ':' || o->nr == OBS_GROUPS)
				goto bad;
			cur = &o->g[o->nr++];
			cur->id = id;
			for (tok = strtok_r(tok + 1, " ", &save); tok;
			     tok = strtok_r(NULL, " ", &save)) {
				if (cur->nr == OBS_MEMBERS)
					goto bad;
				snprintf(cur->bdfs[cur->nr], 16, "%s", tok);
				cur->ptrs[cur->nr] = cur->bdfs[cur->nr];
				cur->nr++;
			}
		} else if (sscanf(s, "group %ld", &id) == 1) {
			cur = model_ut_obs_find(o, id);
			if (!cur)
				goto bad;
			cur->has_resv = true;
		} else if (cur && !strncmp(s, "type ", 5)) {
			snprintf(cur->type, sizeof(cur->type), "%.31s", s + 5);
		} else if (cur && !strncmp(s, "0x", 2)) {
			size_t off = strlen(cur->resv);

			snprintf(cur->resv + off, sizeof(cur->resv) - off,
				 "%s\n", s);
		} else {
			goto bad;
		}
	}
	fclose(f);
	for (size_t i = 0; i < o->nr; i++) {
		o->og[i].id = o->g[i].id;
		o->og[i].bdfs = o->g[i].ptrs;
		o->og[i].nr = o->g[i].nr;
		o->og[i].resv = o->g[i].has_resv ? o->g[i].resv : NULL;
		o->og[i].type = o->g[i].has_resv ? o->g[i].type : NULL;
	}
	return o;
bad:
	fprintf(stderr, "# %s: cannot parse '%s'\n", path, line);
	fclose(f);
	free(o);
	return NULL;
}

/* Load a dump and boot it; NULL with the error on stderr. */
struct model *model_ut_boot_dump(const char *path, const struct model_opts *o)
{
	char err[MODEL_ERR_LEN];
	struct model *m;

	if (model_load_dump(&m, path, err, sizeof(err))) {
		fprintf(stderr, "# %s\n", err);
		return NULL;
	}
	if (model_boot(m, o, err, sizeof(err))) {
		fprintf(stderr, "# %s\n", err);
		model_free(m);
		return NULL;
	}
	return m;
}

/* The group ID of bdf in p, -1 if none, -2 if no such device. */
int model_ut_group_of(const struct model_partition *p, const char *bdf)
{
	const struct model_pdev *d = model_partition_dev(p, bdf);

	return d ? d->group : -2;
}

const char *model_ut_why_of(const struct model_partition *p, const char *bdf)
{
	const struct model_pdev *d = model_partition_dev(p, bdf);

	return d ? d->why : "";
}

static int cmp_ino(const void *a, const void *b)
{
	ino_t x = *(const ino_t *)a, y = *(const ino_t *)b;

	return x < y ? -1 : x > y;
}

int model_ut_dirs_in_inode_order(const char *dir, const char *const names[],
				 size_t n)
{
	char cmd[1200], from[1024], to[1024];
	ino_t ino[16];
	struct stat st;

	if (n > 16 ||
	    snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", dir) >=
		    (int)sizeof(cmd) ||
	    system(cmd))
		return -1;
	for (size_t i = 0; i < n; i++) {
		snprintf(from, sizeof(from), "%s/.order-%zu", dir, i);
		if (mkdir(from, 0755) || stat(from, &st))
			return -1;
		ino[i] = st.st_ino;
	}
	qsort(ino, n, sizeof(ino[0]), cmp_ino);
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < n; k++) {
			snprintf(from, sizeof(from), "%s/.order-%zu", dir, k);
			if (stat(from, &st) || st.st_ino != ino[i])
				continue;
			snprintf(to, sizeof(to), "%s/%s", dir, names[i]);
			if (rename(from, to))
				return -1;
			break;
		}
	}
	return 0;
}

/* build/host/iogroups ARGS, stdout and stderr into out (model_util.h). */
int model_ut_iogroups(const char *args, char *out, size_t outlen)
{
	char cmd[1024];
	size_t n;
	FILE *f;
	int st;

	snprintf(cmd, sizeof(cmd), "build/host/iogroups %s 2>&1", args);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	n = fread(out, 1, outlen - 1, f);
	out[n] = '\0';
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
