// SPDX-License-Identifier: GPL-2.0-only
/*
 * iog-matrix.  Every (topology, kernel) job gets a run row and a row per
 * suite; every cell is PASS, FAIL, SKIP (with its reason) or XFAIL, so a
 * missing report or a missing suite is never an empty cell.
 */
#include "matrix.h"
#include "runs.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MX_REASON_MAX 400

enum mx_verdict {
	MX_PASS,
	MX_FAIL,
	MX_SKIP,
	MX_XFAIL,
};

struct mx_job {
	char *topology, *kernel; /* row and column keys */
	int status; /* check.sh's exit status, -1 if unknown */
	char *run; /* the run directory, NULL if none */
	char *link; /* the same for links from DIR */
	char *log; /* relative to DIR, NULL if none */
	char *reason; /* from jobs.tsv, NULL if none */
	struct runs_report rep;
	bool has_rep; /* rep loaded (it may still have a problem) */
	char *load_error; /* report.json unreadable: why */
	bool ignored; /* a later job has the same keys */
};

struct mx_ratio {
	char *label;
	double value;
};

struct mx {
	const char *dir;
	char *real_dir;
	const char *title;
	struct mx_job *jobs;
	size_t n;
	char **topos, **kernels;
	size_t ntopos, nkernels;
	size_t ignored;
	bool from_jobs; /* jobs.tsv, not a scan */
	struct report_meta facts;
	struct mx_ratio *ratios;
	size_t nratios;
	bool oom;
};

struct mx_cell {
	enum mx_verdict v;
	char counts[96];
	char reason[MX_REASON_MAX];
	bool has_elapsed;
	double elapsed;
	const char *status; /* a run that did not complete: its status */
	const char *link; /* run directory for report.md */
	const char *dir; /* run directory without a report */
	const char *log;
};

/* ---- small helpers ---- */

static char *mx_path(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		return NULL;
	return p;
}

static bool mx_exists(const char *dir, const char *name)
{
	char *p = mx_path(dir, name);
	bool yes = p && !access(p, F_OK);

	free(p);
	return yes;
}

static bool mx_nonempty(const char *dir, const char *name)
{
	char *p = mx_path(dir, name);
	struct stat st;
	bool yes = p && !stat(p, &st) && st.st_size > 0;

	free(p);
	return yes;
}

static int mx_add_key(char ***keys, size_t *n, const char *k)
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

static const char *mx_fact(const struct mx *m, const char *key)
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

static const struct mx_job *mx_job(const struct mx *m, const char *topo,
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

static bool mx_usable(const struct mx_job *j)
{
	return j && j->has_rep && !j->rep.problem;
}

/* ---- cells ---- */

static void mx_counts_text(struct mx_cell *c, const struct runs_counts *t)
{
	size_t o = 0;

#define MX_ADD(cond, fmt, v)                                                   \
	do {                                                                   \
		if ((cond) && o < sizeof(c->counts))                           \
			o += (size_t)snprintf(c->counts + o,                   \
					      sizeof(c->counts) - o, "%s" fmt, \
					      o ? ", " : "", v);               \
	} while (0)
	MX_ADD(t->fail, "%u fail", t->fail);
	MX_ADD(t->timeout, "%u timeout", t->timeout);
	MX_ADD(t->error + t->other, "%u error", t->error + t->other);
	MX_ADD(t->pass, "%u pass", t->pass);
	MX_ADD(t->skip, "%u skip", t->skip);
	MX_ADD(t->xfail, "%u xfail", t->xfail);
	MX_ADD(!o, "%s", "no tests");
#undef MX_ADD
}

static enum mx_verdict mx_verdict_of(const struct runs_counts *t)
{
	if (!runs_counts_ok(t))
		return MX_FAIL;
	if (!t->pass && !t->xfail && t->skip)
		return MX_SKIP;
	return t->xfail ? MX_XFAIL : MX_PASS;
}

static void mx_add_counts(struct runs_counts *sum, const struct runs_counts *c)
{
	sum->pass += c->pass;
	sum->fail += c->fail;
	sum->skip += c->skip;
	sum->xfail += c->xfail;
	sum->timeout += c->timeout;
	sum->error += c->error;
	sum->other += c->other;
}

/* The first test of s (or s) with a result of the given kind. */
static const struct runs_test *mx_first(const struct runs_suite *s, bool bad)
{
	for (size_t i = 0; i < s->ntests; i++) {
		const char *r = s->tests[i].result;

		if (bad ? !runs_result_ok(r) : !strcmp(r, "skip"))
			return &s->tests[i];
	}
	return &s->self;
}

static void mx_reason_from(struct mx_cell *c, const struct runs_suite *s)
{
	const struct runs_test *t = mx_first(s, c->v == MX_FAIL);

	if (c->v == MX_FAIL && t != &s->self)
		snprintf(c->reason, sizeof(c->reason), "%s%s%s", t->name,
			 t->reason[0] ? ": " : "", t->reason);
	else if (t->reason[0])
		snprintf(c->reason, sizeof(c->reason), "%s", t->reason);
	else if (s->self.reason[0])
		snprintf(c->reason, sizeof(c->reason), "%s", s->self.reason);
	else if (c->v == MX_SKIP)
		snprintf(c->reason, sizeof(c->reason), "no reason given");
}

static const struct runs_suite *mx_suite(const struct runs_report *r,
					 const char *name)
{
	for (size_t i = 0; i < r->nsuites; i++)
		if (!strcmp(r->suites[i].self.name, name))
			return &r->suites[i];
	return NULL;
}

static void mx_suite_cell(const struct mx_job *j, const char *suite,
			  struct mx_cell *c)
{
	const struct runs_suite *s;
	struct runs_counts t;

	memset(c, 0, sizeof(*c));
	if (!j) {
		c->v = MX_SKIP;
		snprintf(c->reason, sizeof(c->reason),
			 "not run: no job for this kernel");
		return;
	}
	if (!mx_usable(j)) {
		c->v = MX_FAIL;
		snprintf(c->reason, sizeof(c->reason),
			 "no report (see the run row)");
		return;
	}
	s = mx_suite(&j->rep, suite);
	if (!s) {
		c->v = MX_SKIP;
		snprintf(c->reason, sizeof(c->reason),
			 "not run: not in this run's report");
		return;
	}
	runs_suite_counts(s, &t);
	c->v = mx_verdict_of(&t);
	mx_counts_text(c, &t);
	if (c->v != MX_PASS)
		mx_reason_from(c, s);
	for (size_t i = 0; i < s->self.nmetrics; i++) {
		const struct runs_metric *me = &s->self.metrics[i];

		if (!strcmp(me->name, "elapsed_s") && me->has_value) {
			c->has_elapsed = true;
			c->elapsed = me->value;
		}
	}
}

static void mx_run_cell(const struct mx_job *j, struct mx_cell *c)
{
	struct runs_counts t = {0};

	memset(c, 0, sizeof(*c));
	if (!j) {
		c->v = MX_SKIP;
		snprintf(c->reason, sizeof(c->reason),
			 "not run: no job for this kernel");
		return;
	}
	c->log = j->log;
	if (j->load_error) {
		c->v = MX_FAIL;
		snprintf(c->reason, sizeof(c->reason),
			 "report.json unreadable: %s", j->load_error);
		c->dir = j->link;
		return;
	}
	if (!j->has_rep || j->rep.problem) {
		c->v = MX_FAIL;
		c->dir = j->link;
		if (j->has_rep)
			snprintf(c->reason, sizeof(c->reason), "%s%s%s",
				 j->rep.problem, j->reason ? ": " : "",
				 j->reason ? j->reason : "");
		else if (j->reason)
			snprintf(c->reason, sizeof(c->reason), "%s", j->reason);
		else if (j->status >= 0)
			snprintf(c->reason, sizeof(c->reason),
				 "check.sh exited with status %d and made no "
				 "run directory",
				 j->status);
		else
			snprintf(c->reason, sizeof(c->reason),
				 "no run directory");
		return;
	}
	for (size_t i = 0; i < j->rep.nsuites; i++) {
		struct runs_counts sc;

		runs_suite_counts(&j->rep.suites[i], &sc);
		mx_add_counts(&t, &sc);
	}
	c->v = mx_verdict_of(&t);
	mx_counts_text(c, &t);
	if (strcmp(j->rep.status, "completed")) {
		c->status = j->rep.status[0] ? j->rep.status : "no status";
		c->v = MX_FAIL;
		snprintf(c->reason, sizeof(c->reason), "%s",
			 j->rep.status_detail);
	} else if (c->v == MX_SKIP && j->rep.nsuites) {
		mx_reason_from(c, &j->rep.suites[0]);
	}
	c->has_elapsed = j->rep.has_elapsed;
	c->elapsed = j->rep.elapsed_s;
	c->link = j->link;
}

/* The suites of a topology, in the order its runs list them. */
static char **mx_suites(const struct mx *m, const char *topo, size_t *n)
{
	char **names = NULL;

	*n = 0;
	for (size_t i = 0; i < m->n; i++) {
		const struct mx_job *j = &m->jobs[i];

		if (j->ignored || strcmp(j->topology, topo) || !mx_usable(j))
			continue;
		for (size_t k = 0; k < j->rep.nsuites; k++) {
			if (mx_add_key(&names, n, j->rep.suites[k].self.name)) {
				for (size_t x = 0; x < *n; x++)
					free(names[x]);
				free(names);
				*n = 0;
				return NULL;
			}
		}
	}
	return names;
}

static void mx_free_keys(char **k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(k[i]);
	free(k);
}

/* ---- ratios ---- */

static void mx_ratio_add(struct mx *m, const struct mx_job *j,
			 const struct runs_suite *s, const struct runs_test *t)
{
	for (size_t i = 0; i < t->nmetrics; i++) {
		const struct runs_metric *me = &t->metrics[i];
		struct mx_ratio *nr;
		char *l;

		/* Ratios: unit "ratio" (throughput), or named ratio_*. */
		if ((strncmp(me->name, "ratio_", 6) &&
		     !(me->unit && !strcmp(me->unit, "ratio"))) ||
		    !me->has_value)
			continue;
		if (asprintf(&l, "%s/%s %s%s%s %s", j->topology, j->kernel,
			     s->self.name, t == &s->self ? "" : ":",
			     t == &s->self ? "" : t->name, me->name) < 0) {
			m->oom = true;
			return;
		}
		for (char *p = l; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == '"')
				*p = *p == '"' ? '\'' : ' ';
		nr = realloc(m->ratios, (m->nratios + 1) * sizeof(*nr));
		if (!nr) {
			free(l);
			m->oom = true;
			return;
		}
		m->ratios = nr;
		nr[m->nratios].label = l;
		nr[m->nratios].value = me->value;
		m->nratios++;
	}
}

static void mx_collect_ratios(struct mx *m)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct mx_job *j = &m->jobs[i];

		if (j->ignored || !mx_usable(j))
			continue;
		for (size_t k = 0; k < j->rep.nsuites; k++) {
			const struct runs_suite *s = &j->rep.suites[k];

			mx_ratio_add(m, j, s, &s->self);
			for (size_t t = 0; t < s->ntests; t++)
				mx_ratio_add(m, j, s, &s->tests[t]);
		}
	}
}

static const char mx_gnuplot[] =
	"# Written by iog-matrix; harness/matrix.sh runs it in this directory\n"
	"# when gnuplot is installed (Debian: gnuplot-nox).\n"
	"set datafile separator \"\\t\"\n"
	"set style fill solid 0.7 border -1\n"
	"set boxwidth 0.7\n"
	"set xtics rotate by 45 right noenhanced font \",8\"\n"
	"set ylabel \"ratio\"\n"
	"set yrange [0:*]\n"
	"set grid ytics\n"
	"set key off\n"
	"set bmargin 14\n"
	"set title \"ratio measurements by run\" noenhanced\n"
	"if (strstrt(GPVAL_TERMINALS, \"pngcairo\") > 0) {\n"
	"    set terminal pngcairo size 1200,700\n"
	"} else {\n"
	"    set terminal png size 1200,700\n"
	"}\n"
	"set output \"ratios.png\"\n"
	"plot \"ratios.tsv\" using 0:2:xtic(1) with boxes lc rgb \"#4477aa\", \\\n"
	"     1 with lines dt 2 lc rgb \"#333333\"\n"
	"set terminal svg size 1200,700 dynamic\n"
	"set output \"ratios.svg\"\n"
	"replot\n"
	"set output\n";

static int mx_write_ratios(struct mx *m, char *err, size_t errlen)
{
	static const char *const stale[] = {"ratios.tsv", "ratios.gp",
					    "ratios.png", "ratios.svg"};
	struct report_buf b = {0};
	int r;

	if (!m->nratios) {
		for (size_t i = 0; i < sizeof(stale) / sizeof(*stale); i++) {
			char *p = mx_path(m->dir, stale[i]);

			if (p)
				unlink(p);
			free(p);
		}
		return 0;
	}
	for (size_t i = 0; i < m->nratios; i++) {
		char v[40];

		for (int prec = 15; prec <= 17; prec++) {
			snprintf(v, sizeof(v), "%.*g", prec,
				 m->ratios[i].value);
			if (strtod(v, NULL) == m->ratios[i].value)
				break;
		}
		report_buf_printf(&b, "%s\t%s\n", m->ratios[i].label, v);
	}
	if (b.oom) {
		report_buf_free(&b);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r = report_write_atomic(m->dir, "ratios.tsv", b.s, b.len, err, errlen);
	report_buf_free(&b);
	if (!r)
		r = report_write_atomic(m->dir, "ratios.gp", mx_gnuplot,
					sizeof(mx_gnuplot) - 1, err, errlen);
	return r;
}

static void mx_base64(struct report_buf *b, const unsigned char *s, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrs"
		"tuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		unsigned long v = (unsigned long)s[i] << 16;
		char q[4];

		if (i + 1 < n)
			v |= (unsigned long)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		q[0] = tab[(v >> 18) & 63];
		q[1] = tab[(v >> 12) & 63];
		q[2] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? tab[v & 63] : '=';
		report_buf_add(b, q, 4);
	}
}

/* ---- Markdown ---- */

static const char *const mx_word[] = {"PASS", "FAIL", "SKIP", "XFAIL"};
static const char *const mx_mark[] = {"\xe2\x9c\x85", "\xe2\x9d\x8c",
				      "\xe2\x8f\xad\xef\xb8\x8f",
				      "\xf0\x9f\x9f\xa1"};

static void mx_md_cell(struct report_buf *b, const struct mx_cell *c)
{
	report_buf_printf(b, "%s **%s**", mx_mark[c->v], mx_word[c->v]);
	if (c->status) {
		report_buf_puts(b, " (");
		runs_md_text(b, c->status);
		report_buf_puts(b, ")");
	}
	if (c->counts[0]) {
		report_buf_puts(b, " ");
		runs_md_text(b, c->counts);
	}
	if (c->reason[0]) {
		report_buf_puts(b, c->counts[0] ? " \xe2\x80\x94 " : ": ");
		runs_md_text(b, c->reason);
	}
	if (c->has_elapsed)
		report_buf_printf(b, " \xc2\xb7 %.1f s", c->elapsed);
	if (c->link) {
		report_buf_puts(b, " \xc2\xb7 [report](");
		runs_url_path(b, c->link);
		report_buf_puts(b, "/report.md)");
	}
	if (c->dir) {
		report_buf_puts(b, " \xc2\xb7 [run directory](");
		runs_url_path(b, c->dir);
		report_buf_puts(b, ")");
	}
	if (!c->link && c->log) {
		report_buf_puts(b, " \xc2\xb7 [log](");
		runs_url_path(b, c->log);
		report_buf_puts(b, ")");
	}
}

struct mx_totals {
	size_t runs, v[4];
};

static void mx_totals(const struct mx *m, struct mx_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < m->ntopos; i++) {
		for (size_t k = 0; k < m->nkernels; k++) {
			const struct mx_job *j =
				mx_job(m, m->topos[i], m->kernels[k]);
			struct mx_cell c;

			if (!j)
				continue;
			mx_run_cell(j, &c);
			t->runs++;
			t->v[c.v]++;
		}
	}
}

/* The release a kernel column ran, from its first report. */
static const char *mx_release(const struct mx *m, const char *kern)
{
	for (size_t i = 0; i < m->n; i++)
		if (!m->jobs[i].ignored && m->jobs[i].has_rep &&
		    !strcmp(m->jobs[i].kernel, kern) &&
		    m->jobs[i].rep.release[0])
			return m->jobs[i].rep.release;
	return NULL;
}

static void mx_md_fact(struct report_buf *b, const char *label, const char *v,
		       const char *suffix)
{
	if (!v)
		return;
	report_buf_printf(b, "- %s: ", label);
	runs_md_text(b, v);
	report_buf_printf(b, "%s\n", suffix);
}

static void mx_md_ratios(struct report_buf *b, const struct mx *m)
{
	report_buf_puts(b, "## Ratios\n\n");
	if (!m->nratios) {
		report_buf_puts(b, "No ratio measurements in these runs: "
				   "nothing to plot.\n");
		return;
	}
	if (mx_exists(m->dir, "ratios.png"))
		report_buf_puts(b, "![ratio measurements](ratios.png) "
				   "([SVG](ratios.svg), data in "
				   "[ratios.tsv](ratios.tsv))\n\n");
	else if (mx_nonempty(m->dir, "gnuplot.log"))
		report_buf_puts(b, "gnuplot failed to plot them: see "
				   "[gnuplot.log](gnuplot.log) (script "
				   "`ratios.gp`, data `ratios.tsv`).\n\n");
	else
		report_buf_puts(b, "Not plotted: gnuplot is not installed "
				   "(Debian: `apt-get install gnuplot-nox`; "
				   "then `gnuplot ratios.gp` in this "
				   "directory, or run the matrix again).\n\n");
	report_buf_puts(b, "| Run and measurement | Ratio |\n| --- | ---: |\n");
	for (size_t i = 0; i < m->nratios; i++) {
		report_buf_puts(b, "| ");
		runs_md_text(b, m->ratios[i].label);
		report_buf_printf(b, " | %.4g |\n", m->ratios[i].value);
	}
}

static void mx_markdown(struct report_buf *b, const struct mx *m)
{
	struct mx_totals t;

	mx_totals(m, &t);
	report_buf_puts(b, "# ");
	runs_md_text(b, m->title);
	report_buf_printf(b, ": %s\n\n", t.v[MX_FAIL] ? "FAIL" : "PASS");
	report_buf_printf(b,
			  "%zu runs: %zu passed, %zu failed, %zu skipped "
			  "entirely, %zu with expected failures.\n\n",
			  t.runs, t.v[MX_PASS], t.v[MX_FAIL], t.v[MX_SKIP],
			  t.v[MX_XFAIL]);
	report_buf_puts(b, "| Topology | Suite |");
	for (size_t k = 0; k < m->nkernels; k++) {
		const char *rel = mx_release(m, m->kernels[k]);

		report_buf_puts(b, " ");
		runs_md_text(b, m->kernels[k]);
		if (rel) {
			report_buf_puts(b, " (");
			runs_md_text(b, rel);
			report_buf_puts(b, ")");
		}
		report_buf_puts(b, " |");
	}
	report_buf_puts(b, "\n| --- | --- |");
	for (size_t k = 0; k < m->nkernels; k++)
		report_buf_puts(b, " --- |");
	report_buf_puts(b, "\n");
	for (size_t i = 0; i < m->ntopos; i++) {
		size_t ns;
		char **suites = mx_suites(m, m->topos[i], &ns);

		report_buf_puts(b, "| **");
		runs_md_text(b, m->topos[i]);
		report_buf_puts(b, "** | *run* |");
		for (size_t k = 0; k < m->nkernels; k++) {
			struct mx_cell c;

			mx_run_cell(mx_job(m, m->topos[i], m->kernels[k]), &c);
			report_buf_puts(b, " ");
			mx_md_cell(b, &c);
			report_buf_puts(b, " |");
		}
		report_buf_puts(b, "\n");
		for (size_t s = 0; s < ns; s++) {
			report_buf_puts(b, "| | ");
			runs_md_text(b, suites[s]);
			report_buf_puts(b, " |");
			for (size_t k = 0; k < m->nkernels; k++) {
				struct mx_cell c;

				mx_suite_cell(
					mx_job(m, m->topos[i], m->kernels[k]),
					suites[s], &c);
				report_buf_puts(b, " ");
				mx_md_cell(b, &c);
				report_buf_puts(b, " |");
			}
			report_buf_puts(b, "\n");
		}
		mx_free_keys(suites, ns);
	}
	report_buf_puts(b, "\nA cell counts the suite's tests; elapsed times "
			   "are per run (per suite where the suite reports "
			   "an `elapsed_s` metric).  Compare two matrices "
			   "with `iog-compare OLD NEW`.\n\n");
	if (m->ignored)
		report_buf_printf(b,
				  "%zu older runs of a topology and kernel "
				  "that ran again are not shown.\n\n",
				  m->ignored);
	mx_md_ratios(b, m);
	report_buf_puts(b, "\n## Matrix\n\n");
	mx_md_fact(b, "Directory", m->dir, "");
	mx_md_fact(b, "Started", mx_fact(m, "started"), "");
	mx_md_fact(b, "Wall time", mx_fact(m, "elapsed_s"), " s");
	mx_md_fact(b, "Parallel runs", mx_fact(m, "jobs"), "");
	mx_md_fact(b, "Host CPUs", mx_fact(m, "nproc"), "");
	mx_md_fact(b, "Host", mx_fact(m, "host"), "");
	mx_md_fact(b, "Interrupted", mx_fact(m, "interrupted"), "");
}

/* ---- HTML ---- */

static const char *const mx_class[] = {"pass", "fail", "skip", "xfail"};

static void mx_html_cell(struct report_buf *b, const struct mx_cell *c)
{
	report_buf_printf(b, "<td class=\"%s\"><b>%s</b>", mx_class[c->v],
			  mx_word[c->v]);
	if (c->status) {
		report_buf_puts(b, " (");
		runs_html_text(b, c->status);
		report_buf_puts(b, ")");
	}
	if (c->counts[0]) {
		report_buf_puts(b, " <span class=\"n\">");
		runs_html_text(b, c->counts);
		report_buf_puts(b, "</span>");
	}
	if (c->reason[0]) {
		report_buf_puts(b, "<div class=\"why\">");
		runs_html_text(b, c->reason);
		report_buf_puts(b, "</div>");
	}
	if (c->has_elapsed || c->link || c->dir || c->log) {
		const char *sep = "";

		report_buf_puts(b, "<div class=\"meta\">");
		if (c->has_elapsed) {
			report_buf_printf(b, "%.1f s", c->elapsed);
			sep = " &middot; ";
		}
		if (c->link) {
			report_buf_printf(b, "%s<a href=\"", sep);
			runs_url_path(b, c->link);
			report_buf_puts(b, "/report.md\">report.md</a>");
			sep = " &middot; ";
		}
		if (c->dir) {
			report_buf_printf(b, "%s<a href=\"", sep);
			runs_url_path(b, c->dir);
			report_buf_puts(b, "\">run directory</a>");
			sep = " &middot; ";
		}
		if (!c->link && c->log) {
			report_buf_printf(b, "%s<a href=\"", sep);
			runs_url_path(b, c->log);
			report_buf_puts(b, "\">log</a>");
		}
		report_buf_puts(b, "</div>");
	}
	report_buf_puts(b, "</td>");
}

static const char mx_css[] =
	"body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;"
	"margin:1.5em;color:#1d1d1f;background:#fff}"
	"h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.5em}"
	"table{border-collapse:collapse;margin:.5em 0}"
	"th,td{border:1px solid #b8b8b8;padding:.35em .6em;vertical-align:top;"
	"text-align:left}"
	"thead th{background:#e9ecef;position:sticky;top:0}"
	"th.topo{background:#f4f4f4;white-space:nowrap}"
	"td.suite{white-space:nowrap}tr.run td{border-top:2px solid #777}"
	"tr.run th{border-top:2px solid #777}"
	"td.pass{background:#d8f0dc}td.fail{background:#f9d6d9}"
	"td.skip{background:#e6e6e6}td.xfail{background:#fff0c2}"
	"td.pass b{color:#1e6b31}td.fail b{color:#a4161a}"
	"td.skip b{color:#555}td.xfail b{color:#7a5b00}"
	".why{font-size:.85em;color:#444;max-width:28em}"
	".meta{font-size:.85em;color:#555}.n{font-size:.9em}"
	".rel{font-weight:normal;font-size:.85em;color:#555}"
	".verdict-pass{color:#1e6b31}.verdict-fail{color:#a4161a}"
	"span.key{display:inline-block;padding:0 .5em;margin-right:.5em;"
	"border:1px solid #b8b8b8}"
	"img{max-width:100%;border:1px solid #ddd}";

static void mx_html_fact(struct report_buf *b, const char *label, const char *v,
			 const char *suffix)
{
	if (!v)
		return;
	report_buf_printf(b, "<li>%s: ", label);
	runs_html_text(b, v);
	report_buf_printf(b, "%s</li>\n", suffix);
}

static void mx_html_ratios(struct report_buf *b, const struct mx *m)
{
	report_buf_puts(b, "<h2>Ratios</h2>\n");
	if (!m->nratios) {
		report_buf_puts(b, "<p>No ratio measurements in "
				   "these runs: nothing to plot.</p>\n");
		return;
	}
	if (mx_exists(m->dir, "ratios.png")) {
		char *p = mx_path(m->dir, "ratios.png"), *png = NULL;
		size_t len = 0;

		if (p && !runs_read_file(p, MATRIX_PNG_MAX, &png, &len)) {
			report_buf_puts(b,
					"<p><img alt=\"ratio measurements\" "
					"src=\"data:image/png;base64,");
			mx_base64(b, (const unsigned char *)png, len);
			report_buf_puts(b, "\"></p>\n");
		} else {
			report_buf_puts(b,
					"<p><img alt=\"ratio measurements\" "
					"src=\"ratios.png\"></p>\n");
		}
		free(p);
		free(png);
		report_buf_puts(b, "<p><a href=\"ratios.svg\">SVG</a> &middot; "
				   "<a href=\"ratios.tsv\">data</a></p>\n");
	} else if (mx_nonempty(m->dir, "gnuplot.log")) {
		report_buf_puts(b, "<p>gnuplot failed to plot them: see "
				   "<a href=\"gnuplot.log\">gnuplot.log</a>."
				   "</p>\n");
	} else {
		report_buf_puts(b, "<p>Not plotted: gnuplot is not installed "
				   "(Debian: <code>apt-get install "
				   "gnuplot-nox</code>; then <code>gnuplot "
				   "ratios.gp</code> in this directory, or run "
				   "the matrix again).</p>\n");
	}
	report_buf_puts(b, "<table><thead><tr><th>Run and measurement</th>"
			   "<th>Ratio</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < m->nratios; i++) {
		report_buf_puts(b, "<tr><td>");
		runs_html_text(b, m->ratios[i].label);
		report_buf_printf(b, "</td><td>%.4g</td></tr>\n",
				  m->ratios[i].value);
	}
	report_buf_puts(b, "</tbody></table>\n");
}

static void mx_html(struct report_buf *b, const struct mx *m)
{
	struct mx_totals t;

	mx_totals(m, &t);
	report_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
			   "<meta charset=\"utf-8\">\n<title>");
	runs_html_text(b, m->title);
	report_buf_printf(b, "</title>\n<style>%s</style>\n</head>\n<body>\n",
			  mx_css);
	report_buf_puts(b, "<h1>");
	runs_html_text(b, m->title);
	report_buf_printf(b, ": <span class=\"verdict-%s\">%s</span></h1>\n",
			  t.v[MX_FAIL] ? "fail" : "pass",
			  t.v[MX_FAIL] ? "FAIL" : "PASS");
	report_buf_printf(b,
			  "<p>%zu runs: %zu passed, %zu failed, %zu skipped "
			  "entirely, %zu with expected failures.</p>\n",
			  t.runs, t.v[MX_PASS], t.v[MX_FAIL], t.v[MX_SKIP],
			  t.v[MX_XFAIL]);
	report_buf_puts(b, "<table>\n<thead><tr><th>Topology</th>"
			   "<th>Suite</th>");
	for (size_t k = 0; k < m->nkernels; k++) {
		const char *rel = mx_release(m, m->kernels[k]);

		report_buf_puts(b, "<th>");
		runs_html_text(b, m->kernels[k]);
		if (rel) {
			report_buf_puts(b, "<br><span class=\"rel\">");
			runs_html_text(b, rel);
			report_buf_puts(b, "</span>");
		}
		report_buf_puts(b, "</th>");
	}
	report_buf_puts(b, "</tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < m->ntopos; i++) {
		size_t ns;
		char **suites = mx_suites(m, m->topos[i], &ns);

		report_buf_printf(b,
				  "<tr class=\"run\"><th class=\"topo\" "
				  "rowspan=\"%zu\">",
				  ns + 1);
		runs_html_text(b, m->topos[i]);
		report_buf_puts(b, "</th><td class=\"suite\"><i>run</i></td>");
		for (size_t k = 0; k < m->nkernels; k++) {
			struct mx_cell c;

			mx_run_cell(mx_job(m, m->topos[i], m->kernels[k]), &c);
			mx_html_cell(b, &c);
		}
		report_buf_puts(b, "</tr>\n");
		for (size_t s = 0; s < ns; s++) {
			report_buf_puts(b, "<tr><td class=\"suite\">");
			runs_html_text(b, suites[s]);
			report_buf_puts(b, "</td>");
			for (size_t k = 0; k < m->nkernels; k++) {
				struct mx_cell c;

				mx_suite_cell(
					mx_job(m, m->topos[i], m->kernels[k]),
					suites[s], &c);
				mx_html_cell(b, &c);
			}
			report_buf_puts(b, "</tr>\n");
		}
		mx_free_keys(suites, ns);
	}
	report_buf_puts(b, "</tbody>\n</table>\n");
	report_buf_puts(b,
			"<p><span class=\"key\" style=\"background:#d8f0dc\">"
			"PASS</span><span class=\"key\" "
			"style=\"background:#f9d6d9\">FAIL</span>"
			"<span class=\"key\" style=\"background:#e6e6e6\">"
			"SKIP</span><span class=\"key\" "
			"style=\"background:#fff0c2\">XFAIL</span> "
			"A cell counts the suite's tests; elapsed times are "
			"per run (per suite where the suite reports an "
			"<code>elapsed_s</code> metric).</p>\n");
	if (m->ignored)
		report_buf_printf(b,
				  "<p>%zu older runs of a topology and kernel "
				  "that ran again are not shown.</p>\n",
				  m->ignored);
	mx_html_ratios(b, m);
	report_buf_puts(b, "<h2>Matrix</h2>\n<ul>\n");
	mx_html_fact(b, "Directory", m->dir, "");
	mx_html_fact(b, "Started", mx_fact(m, "started"), "");
	mx_html_fact(b, "Wall time", mx_fact(m, "elapsed_s"), " s");
	mx_html_fact(b, "Parallel runs", mx_fact(m, "jobs"), "");
	mx_html_fact(b, "Host CPUs", mx_fact(m, "nproc"), "");
	mx_html_fact(b, "Host", mx_fact(m, "host"), "");
	mx_html_fact(b, "Interrupted", mx_fact(m, "interrupted"), "");
	report_buf_puts(b, "</ul>\n</body>\n</html>\n");
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
