// SPDX-License-Identifier: GPL-2.0-only
/*
 * iog-matrix: reading the jobs (jobs.tsv, or a scan for run directories)
 * and their reports, and the command itself.  Every (topology, kernel) job
 * gets a run row and a row per suite; every cell is PASS, FAIL, SKIP (with
 * its reason) or XFAIL, so a missing report or a missing suite is never an
 * empty cell.
 */
#include "matrix_int.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- small helpers ---- */

char *mx_path(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		return NULL;
	return p;
}

bool mx_exists(const char *dir, const char *name)
{
	char *p = mx_path(dir, name);
	bool yes = p && !access(p, F_OK);

	free(p);
	return yes;
}

bool mx_nonempty(const char *dir, const char *name)
{
	char *p = mx_path(dir, name);
	struct stat st;
	bool yes = p && !stat(p, &st) && st.st_size > 0;

	free(p);
	return yes;
}

int mx_add_key(char ***keys, size_t *n, const char *k)
{
	char **nk;

	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*keys)[i], k))
			return 0;
	nk = realloc(*keys, (*n + 1) * sizeof(*nk));
	if (!nk)
		return -1;
	*keys = nk;
	nk[*n] = strdup(k);
	if (!nk[*n])
		return -1;
	(*n)++;
	return 0;
}

void mx_free_keys(char **k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(k[i]);
	free(k);
}

const char *mx_fact(const struct mx *m, const char *key)
{
	const char *v = report_meta_get(&m->facts, key);

	return v && *v ? v : NULL;
}

/* ---- jobs ---- */

static struct mx_job *mx_new_job(struct mx *m)
{
	struct mx_job *nj;

	if (m->n >= MATRIX_JOBS_MAX)
		return NULL;
	nj = realloc(m->jobs, (m->n + 1) * sizeof(*nj));
	if (!nj)
		return NULL;
	m->jobs = nj;
	memset(&nj[m->n], 0, sizeof(*nj));
	nj[m->n].status = -1;
	return &nj[m->n++];
}

/* Load the job's run directory, if it has one. */
static void mx_load(struct mx *m, struct mx_job *j)
{
	char err[1024], *real;
	size_t dl;

	if (!j->run || access(j->run, F_OK))
		return;
	if (runs_load(&j->rep, j->run, err, sizeof(err))) {
		runs_free(&j->rep);
		j->load_error = strdup(err);
		if (!j->load_error)
			m->oom = true;
	} else {
		j->has_rep = true;
	}
	/* Links relative to DIR where the run is inside it. */
	real = realpath(j->run, NULL);
	dl = m->real_dir ? strlen(m->real_dir) : 0;
	if (real && dl && !strncmp(real, m->real_dir, dl) && real[dl] == '/')
		j->link = strdup(real + dl + 1);
	else
		j->link = strdup(real ? real : j->run);
	free(real);
	if (!j->link)
		m->oom = true;
}

/* The next tab-separated field of *s (which moves on), or "". */
static char *mx_field(char **s)
{
	char *f = *s, *t;

	if (!f)
		return "";
	t = strchr(f, '\t');
	if (t) {
		*t = '\0';
		*s = t + 1;
	} else {
		*s = NULL;
	}
	return f;
}

static int mx_read_jobs(struct mx *m, const char *path, char *err,
			size_t errlen)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len;
	unsigned int lineno = 0;
	int e = runs_read_file(path, 16UL * 1024 * 1024, &buf, &len);

	if (e) {
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -1;
	}
	m->from_jobs = true;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *rest = line, *topo, *kern, *st, *run, *log, *why;
		struct mx_job *j;

		lineno++;
		line[strcspn(line, "\r")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		topo = mx_field(&rest);
		kern = mx_field(&rest);
		st = mx_field(&rest);
		run = mx_field(&rest);
		log = mx_field(&rest);
		why = mx_field(&rest);
		if (!topo[0] || !kern[0]) {
			snprintf(
				err, errlen,
				"%s: line %u: want TOPOLOGY<tab>KERNEL<tab>...",
				path, lineno);
			free(buf);
			return -1;
		}
		j = mx_new_job(m);
		if (!j) {
			snprintf(err, errlen,
				 "%s: more than %d jobs or out of memory", path,
				 MATRIX_JOBS_MAX);
			free(buf);
			return -1;
		}
		j->topology = strdup(topo);
		j->kernel = strdup(kern);
		if (st[0]) {
			char *end;
			long v = strtol(st, &end, 10);

			if (!*end && v >= 0 && v <= INT_MAX)
				j->status = (int)v;
		}
		if (run[0])
			j->run = run[0] == '/' ? strdup(run)
					       : mx_path(m->dir, run);
		if (log[0])
			j->log = strdup(log);
		if (why[0])
			j->reason = strdup(why);
		if (!j->topology || !j->kernel || (run[0] && !j->run) ||
		    (log[0] && !j->log) || (why[0] && !j->reason))
			m->oom = true;
		else
			mx_load(m, j);
	}
	free(buf);
	return 0;
}

static const char *mx_base(const char *p)
{
	const char *s = strrchr(p, '/');

	return s && s[1] ? s + 1 : p;
}

/* No jobs.tsv: every run directory in DIR is a job. */
static int mx_scan_jobs(struct mx *m, char *err, size_t errlen)
{
	char **paths = NULL;
	size_t n = 0;

	if (mx_exists(m->dir, "report.json")) {
		paths = calloc(1, sizeof(*paths));
		if (!paths || !(paths[0] = strdup(m->dir))) {
			free(paths);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		n = 1;
	} else if (runs_find(m->dir, &paths, &n, err, errlen)) {
		return -1;
	}
	for (size_t i = 0; i < n && !m->oom; i++) {
		struct mx_job *j = mx_new_job(m);

		if (!j) {
			snprintf(err, errlen, "%s: more than %d runs", m->dir,
				 MATRIX_JOBS_MAX);
			runs_paths_free(paths, n);
			return -1;
		}
		j->run = paths[i];
		paths[i] = NULL;
		mx_load(m, j);
		if (j->has_rep && j->rep.topology[0] && j->rep.kernel[0]) {
			j->topology = strdup(j->rep.topology);
			j->kernel = strdup(j->rep.kernel);
		} else {
			j->topology = strdup(mx_base(j->run));
			j->kernel = strdup("?");
		}
		if (!j->topology || !j->kernel)
			m->oom = true;
	}
	runs_paths_free(paths, n);
	return 0;
}

/*
 * Of jobs with the same keys the last one counts (jobs.tsv order; for a
 * scan, the newest by start time).
 */
static void mx_dedupe(struct mx *m)
{
	for (size_t i = 0; i < m->n; i++) {
		struct mx_job *a = &m->jobs[i];

		for (size_t k = i + 1; k < m->n && !a->ignored; k++) {
			struct mx_job *b = &m->jobs[k];
			bool a_older;

			if (b->ignored || strcmp(a->topology, b->topology) ||
			    strcmp(a->kernel, b->kernel))
				continue;
			a_older = true;
			if (!m->from_jobs && a->has_rep && b->has_rep)
				a_older = strcmp(a->rep.started,
						 b->rep.started) <= 0;
			(a_older ? a : b)->ignored = true;
			m->ignored++;
		}
	}
	for (size_t i = 0; i < m->n; i++) {
		if (m->jobs[i].ignored)
			continue;
		if (mx_add_key(&m->topos, &m->ntopos, m->jobs[i].topology) ||
		    mx_add_key(&m->kernels, &m->nkernels, m->jobs[i].kernel))
			m->oom = true;
	}
}

const struct mx_job *mx_job(const struct mx *m, const char *topo,
			    const char *kern)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct mx_job *j = &m->jobs[i];

		if (!j->ignored && !strcmp(j->topology, topo) &&
		    !strcmp(j->kernel, kern))
			return j;
	}
	return NULL;
}

/* ---- main ---- */

static void mx_usage(FILE *f)
{
	fprintf(f,
		"usage: iog-matrix [--title TEXT] DIR\n"
		"  Writes DIR/matrix.md and DIR/matrix.html: a cell per topology, kernel\n"
		"  and suite.  DIR is a matrix directory from harness/matrix.sh (jobs.tsv,\n"
		"  matrix.txt, runs/) or any directory of run directories.\n"
		"  Exit 0: every run passed; 1: some run failed or has no report; 2: error.\n");
}

static void mx_free(struct mx *m)
{
	for (size_t i = 0; i < m->n; i++) {
		struct mx_job *j = &m->jobs[i];

		free(j->topology);
		free(j->kernel);
		free(j->run);
		free(j->link);
		free(j->log);
		free(j->reason);
		free(j->load_error);
		if (j->has_rep)
			runs_free(&j->rep);
	}
	free(m->jobs);
	mx_free_keys(m->topos, m->ntopos);
	mx_free_keys(m->kernels, m->nkernels);
	for (size_t i = 0; i < m->nratios; i++)
		free(m->ratios[i].label);
	free(m->ratios);
	report_meta_free(&m->facts);
	free(m->real_dir);
}

int matrix_main(int argc, char **argv, FILE *out, FILE *errf)
{
	struct mx m = {.title = "IOMMU-groups conformance matrix"};
	struct report_buf md = {0}, html = {0};
	char err[1024], *jobs = NULL, *facts = NULL, *buf = NULL;
	struct mx_totals t;
	size_t len;
	int ret = 2, e;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			mx_usage(out);
			return 0;
		}
		if (!strcmp(argv[i], "--title") && i + 1 < argc) {
			m.title = argv[++i];
		} else if (!strncmp(argv[i], "--title=", 8)) {
			m.title = argv[i] + 8;
		} else if (argv[i][0] == '-' || m.dir) {
			fprintf(errf, "iog-matrix: unexpected argument '%s'\n",
				argv[i]);
			mx_usage(errf);
			return 2;
		} else {
			m.dir = argv[i];
		}
	}
	if (!m.dir) {
		mx_usage(errf);
		return 2;
	}
	m.real_dir = realpath(m.dir, NULL);
	if (!m.real_dir) {
		fprintf(errf, "iog-matrix: %s: %s\n", m.dir, strerror(errno));
		goto out;
	}
	facts = mx_path(m.dir, "matrix.txt");
	jobs = mx_path(m.dir, "jobs.tsv");
	if (!facts || !jobs)
		goto oom;
	e = runs_read_file(facts, REPORT_META_MAX, &buf, &len);
	if (e && e != ENOENT) {
		fprintf(errf, "iog-matrix: %s: %s\n", facts, strerror(e));
		goto out;
	}
	if (!e && report_meta_parse(buf, len, &m.facts))
		goto oom;
	if (!access(jobs, F_OK) ? mx_read_jobs(&m, jobs, err, sizeof(err))
				: mx_scan_jobs(&m, err, sizeof(err))) {
		fprintf(errf, "iog-matrix: %s\n", err);
		goto out;
	}
	if (m.oom)
		goto oom;
	if (!m.n) {
		fprintf(errf, "iog-matrix: %s: no jobs and no runs\n", m.dir);
		goto out;
	}
	mx_dedupe(&m);
	mx_collect_ratios(&m);
	if (m.oom)
		goto oom;
	if (mx_write_ratios(&m, err, sizeof(err))) {
		fprintf(errf, "iog-matrix: %s\n", err);
		goto out;
	}
	mx_markdown(&md, &m);
	mx_html(&html, &m);
	if (md.oom || html.oom)
		goto oom;
	if (report_write_atomic(m.dir, "matrix.md", md.s, md.len, err,
				sizeof(err)) ||
	    report_write_atomic(m.dir, "matrix.html", html.s, html.len, err,
				sizeof(err))) {
		fprintf(errf, "iog-matrix: %s\n", err);
		goto out;
	}
	mx_totals(&m, &t);
	fprintf(out,
		"matrix: %zu runs, %zu passed, %zu failed, %zu skipped, %zu "
		"with expected failures -> %s/matrix.md, %s/matrix.html\n",
		t.runs, t.v[MX_PASS], t.v[MX_FAIL], t.v[MX_SKIP], t.v[MX_XFAIL],
		m.dir, m.dir);
	ret = t.v[MX_FAIL] ? 1 : 0;
	goto out;
oom:
	fprintf(errf, "iog-matrix: out of memory\n");
out:
	free(buf);
	free(facts);
	free(jobs);
	report_buf_free(&md);
	report_buf_free(&html);
	mx_free(&m);
	return ret;
}
