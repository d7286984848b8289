// SPDX-License-Identifier: GPL-2.0-only
/*
 * Finished runs, read back from their report.json.  The report is checked
 * against the schema report_json.c writes (schema 1): a field of the wrong
 * type is an error naming the file, line, column and field, never a crash
 * or a silent misreading.  Fields the tools do not need may be absent.
 */
#include "runs.h"
#include "fileio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- files ---- */

int runs_read_file(const char *path, size_t max, char **buf, size_t *len)
{
	return iog_read_file(path, max, buf, len, NULL);
}

static char *runs_join(const char *dir, const char *name)
{
	size_t dl = strlen(dir);
	char *p;

	if (asprintf(&p, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/",
		     name) < 0)
		return NULL;
	return p;
}

static bool runs_is_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

static bool runs_is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* ---- schema ---- */

struct runs_ctx {
	const char *file;
	char *err;
	size_t errlen;
};

static int runs_bad(struct runs_ctx *c, const struct json_value *v,
		    const char *where, const char *want)
{
	snprintf(c->err, c->errlen, "%s:%u:%u: %s: want %s, found %s", c->file,
		 v->line, v->column, where, want, json_type_name(v->type));
	return -1;
}

static int runs_missing(struct runs_ctx *c, const struct json_value *obj,
			const char *where)
{
	snprintf(c->err, c->errlen, "%s:%u:%u: %s is missing", c->file,
		 obj->line, obj->column, where);
	return -1;
}

/*
 * String member key of obj into *out: "" when absent or null (or an error
 * when required), an error for any other type.  where names obj.
 */
static int runs_str(struct runs_ctx *c, const struct json_value *obj,
		    const char *where, const char *key, bool required,
		    const char **out)
{
	const struct json_value *v = json_get(obj, key);
	char w[160];

	snprintf(w, sizeof(w), "%s%s%s", where, *where ? "." : "", key);
	*out = "";
	if (!v || v->type == JSON_NULL)
		return required ? runs_missing(c, obj, w) : 0;
	if (v->type != JSON_STRING)
		return runs_bad(c, v, w, "a string");
	*out = v->string;
	return 0;
}

/*
 * The array at obj's key into *a (w names it): an error when absent if
 * required, else NULL when absent or null; an error for any other type.
 */
static int runs_array(struct runs_ctx *c, const struct json_value *obj,
		      const char *key, const char *w, bool required,
		      const struct json_value **a)
{
	*a = json_get(obj, key);
	if (!*a && required)
		return runs_missing(c, obj, w);
	if (!*a || (!required && (*a)->type == JSON_NULL)) {
		*a = NULL;
		return 0;
	}
	if ((*a)->type != JSON_ARRAY)
		return runs_bad(c, *a, w, "an array");
	return 0;
}

/* n + 1 zeroed elements of size bytes; NULL, with the error, if none. */
static void *runs_calloc(struct runs_ctx *c, size_t n, size_t size)
{
	void *p = calloc(n + 1, size);

	if (!p)
		snprintf(c->err, c->errlen, "%s: out of memory", c->file);
	return p;
}

static int runs_diags(struct runs_ctx *c, const struct json_value *obj,
		      const char *where, struct runs_test *t)
{
	const struct json_value *a;
	char w[160];

	snprintf(w, sizeof(w), "%s.diagnostics", where);
	if (runs_array(c, obj, "diagnostics", w, false, &a))
		return -1;
	if (!a)
		return 0;
	t->diags = runs_calloc(c, a->len, sizeof(*t->diags));
	if (!t->diags)
		return -1;
	for (size_t i = 0; i < a->len; i++) {
		if (a->items[i]->type != JSON_STRING) {
			snprintf(w, sizeof(w), "%s.diagnostics[%zu]", where, i);
			return runs_bad(c, a->items[i], w, "a string");
		}
		t->diags[t->ndiags++] = a->items[i]->string;
	}
	return 0;
}

static int runs_metrics(struct runs_ctx *c, const struct json_value *obj,
			const char *where, struct runs_test *t)
{
	const struct json_value *a;
	char w[160];

	snprintf(w, sizeof(w), "%s.metrics", where);
	if (runs_array(c, obj, "metrics", w, false, &a))
		return -1;
	if (!a)
		return 0;
	t->metrics = runs_calloc(c, a->len, sizeof(*t->metrics));
	if (!t->metrics)
		return -1;
	for (size_t i = 0; i < a->len; i++) {
		const struct json_value *m = a->items[i], *v;
		struct runs_metric *rm = &t->metrics[i];

		snprintf(w, sizeof(w), "%s.metrics[%zu]", where, i);
		if (m->type != JSON_OBJECT)
			return runs_bad(c, m, w, "an object");
		if (runs_str(c, m, w, "name", true, &rm->name) ||
		    runs_str(c, m, w, "unit", false, &rm->unit))
			return -1;
		v = json_get(m, "value");
		if (v && v->type == JSON_NUMBER) {
			rm->value = v->number;
			rm->has_value = true;
		} else if (v && v->type != JSON_NULL) {
			snprintf(w, sizeof(w), "%s.metrics[%zu].value", where,
				 i);
			return runs_bad(c, v, w, "a number or null");
		}
		t->nmetrics++;
	}
	return 0;
}

/* name, result, reason, diagnostics, metrics of a suite or test. */
static int runs_test_fill(struct runs_ctx *c, const struct json_value *obj,
			  const char *where, struct runs_test *t)
{
	if (obj->type != JSON_OBJECT)
		return runs_bad(c, obj, where, "an object");
	if (runs_str(c, obj, where, "name", true, &t->name) ||
	    runs_str(c, obj, where, "result", true, &t->result) ||
	    runs_str(c, obj, where, "reason", false, &t->reason))
		return -1;
	if (!t->result[0]) {
		snprintf(c->err, c->errlen, "%s:%u:%u: %s.result is empty",
			 c->file, obj->line, obj->column, where);
		return -1;
	}
	return runs_diags(c, obj, where, t) || runs_metrics(c, obj, where, t)
		       ? -1
		       : 0;
}

static int runs_suites(struct runs_ctx *c, struct runs_report *r)
{
	const struct json_value *a;
	char w[96];

	if (runs_array(c, r->doc, "suites", "suites", true, &a))
		return -1;
	r->suites = runs_calloc(c, a->len, sizeof(*r->suites));
	if (!r->suites)
		return -1;
	for (size_t i = 0; i < a->len; i++) {
		const struct json_value *so = a->items[i], *ta;
		struct runs_suite *s = &r->suites[i];

		r->nsuites++;
		snprintf(w, sizeof(w), "suites[%zu]", i);
		if (runs_test_fill(c, so, w, &s->self))
			return -1;
		snprintf(w, sizeof(w), "suites[%zu].tests", i);
		if (runs_array(c, so, "tests", w, false, &ta))
			return -1;
		if (!ta)
			continue;
		s->tests = runs_calloc(c, ta->len, sizeof(*s->tests));
		if (!s->tests)
			return -1;
		for (size_t j = 0; j < ta->len; j++) {
			s->ntests++;
			snprintf(w, sizeof(w), "suites[%zu].tests[%zu]", i, j);
			if (runs_test_fill(c, ta->items[j], w, &s->tests[j]))
				return -1;
		}
	}
	return 0;
}

static int runs_fields(struct runs_ctx *c, struct runs_report *r)
{
	const struct json_value *root = r->doc, *v, *k;

	if (root->type != JSON_OBJECT)
		return runs_bad(c, root, "the document", "an object");
	v = json_get(root, "schema");
	if (!v) {
		snprintf(c->err, c->errlen,
			 "%s:%u:%u: no \"schema\": not a report.json", c->file,
			 root->line, root->column);
		return -1;
	}
	if (v->type != JSON_NUMBER)
		return runs_bad(c, v, "schema", "a number");
	if (v->number != 1) {
		snprintf(c->err, c->errlen,
			 "%s:%u:%u: schema %g is not supported (want 1)",
			 c->file, v->line, v->column, v->number);
		return -1;
	}
	k = json_get(root, "kernel");
	if (k && k->type != JSON_OBJECT && k->type != JSON_NULL)
		return runs_bad(c, k, "kernel", "an object");
	if (runs_str(c, root, "", "topology", false, &r->topology) ||
	    runs_str(c, k, "kernel", "name", false, &r->kernel) ||
	    runs_str(c, k, "kernel", "release", false, &r->release) ||
	    runs_str(c, root, "", "status", false, &r->status) ||
	    runs_str(c, root, "", "status_detail", false, &r->status_detail) ||
	    runs_str(c, root, "", "reproduce", false, &r->reproduce) ||
	    runs_str(c, root, "", "command", false, &r->command) ||
	    runs_str(c, root, "", "started", false, &r->started) ||
	    runs_str(c, root, "", "verdict", false, &r->verdict) ||
	    runs_str(c, root, "", "console", false, &r->console))
		return -1;
	v = json_get(root, "elapsed_s");
	if (v && v->type == JSON_NUMBER) {
		r->elapsed_s = v->number;
		r->has_elapsed = true;
	} else if (v && v->type != JSON_NULL) {
		return runs_bad(c, v, "elapsed_s", "a number or null");
	}
	return runs_suites(c, r);
}

/* ---- one run ---- */

static const char *runs_meta(const struct runs_report *r, const char *key)
{
	const char *v = report_meta_get(&r->meta, key);

	return v ? v : "";
}

/* A run directory without report.json: what meta.txt says, if any. */
static int runs_no_report(struct runs_report *r, char *err, size_t errlen)
{
	char *mpath = runs_join(r->dir, "meta.txt"), *buf = NULL;
	size_t len;
	int e = mpath ? runs_read_file(mpath, REPORT_META_MAX, &buf, &len)
		      : ENOMEM;

	if (!e && report_meta_parse(buf, len, &r->meta))
		e = ENOMEM;
	free(buf);
	if (e && e != ENOENT) {
		snprintf(err, errlen, "%s: %s", mpath ? mpath : r->dir,
			 strerror(e));
		free(mpath);
		return -1;
	}
	free(mpath);
	r->topology = runs_meta(r, "topology");
	r->kernel = runs_meta(r, "kernel");
	r->release = runs_meta(r, "kernel_release");
	r->status = runs_meta(r, "status");
	r->status_detail = runs_meta(r, "status_detail");
	r->reproduce = runs_meta(r, "reproduce");
	r->command = runs_meta(r, "command");
	r->started = runs_meta(r, "started");
	r->console = runs_meta(r, "console");
	r->verdict = "fail";
	if (e == ENOENT)
		r->problem = strdup("no report.json (the run stopped before "
				    "writing meta.txt)");
	else if (asprintf(&r->problem,
			  "no report.json (iog-report did not finish; run "
			  "%s%s%s)",
			  r->status[0] ? r->status : "status unknown",
			  r->status_detail[0] ? ": " : "",
			  r->status_detail) < 0)
		r->problem = NULL;
	if (!r->problem) {
		snprintf(err, errlen, "%s: out of memory", r->dir);
		return -1;
	}
	return 0;
}

int runs_load(struct runs_report *r, const char *path, char *err, size_t errlen)
{
	struct json_options o = {.max_size = RUNS_REPORT_MAX,
				 /* report_json.c repeats a fact the guest
				  * repeats; the last one counts. */
				 .allow_duplicate_keys = true};
	struct runs_ctx c = {.err = err, .errlen = errlen};
	struct json_error je;
	char *buf = NULL, *slash;
	size_t len;
	int e;

	memset(r, 0, sizeof(*r));
	r->topology = r->kernel = r->release = r->status = "";
	r->status_detail = r->reproduce = r->command = r->started = "";
	r->verdict = r->console = "";
	if (runs_is_dir(path)) {
		r->dir = strdup(path);
		r->json_path = runs_join(path, "report.json");
		if (!r->dir || !r->json_path)
			goto oom;
		if (!runs_is_file(r->json_path) && access(r->json_path, F_OK)) {
			free(r->json_path);
			r->json_path = NULL;
			return runs_no_report(r, err, errlen);
		}
	} else {
		r->json_path = strdup(path);
		r->dir = strdup(path);
		if (!r->dir || !r->json_path)
			goto oom;
		slash = strrchr(r->dir, '/');
		if (slash && slash != r->dir)
			*slash = '\0';
		else if (slash)
			slash[1] = '\0';
		else
			strcpy(r->dir, ".");
	}
	e = runs_read_file(r->json_path, RUNS_REPORT_MAX, &buf, &len);
	if (e) {
		snprintf(err, errlen, "%s: %s", r->json_path,
			 e == EFBIG ? "larger than 512 MiB" : strerror(e));
		return -1;
	}
	r->doc = json_parse(buf, len, &o, &je);
	free(buf);
	if (!r->doc) {
		json_error_format(&je, r->json_path, err, errlen);
		return -1;
	}
	c.file = r->json_path;
	return runs_fields(&c, r);
oom:
	snprintf(err, errlen, "%s: out of memory", path);
	return -1;
}

static void runs_test_free(struct runs_test *t)
{
	free(t->diags);
	free(t->metrics);
}

void runs_free(struct runs_report *r)
{
	for (size_t i = 0; i < r->nsuites; i++) {
		for (size_t j = 0; j < r->suites[i].ntests; j++)
			runs_test_free(&r->suites[i].tests[j]);
		free(r->suites[i].tests);
		runs_test_free(&r->suites[i].self);
	}
	free(r->suites);
	json_free(r->doc);
	report_meta_free(&r->meta);
	free(r->dir);
	free(r->json_path);
	free(r->problem);
	memset(r, 0, sizeof(*r));
}

/* ---- many runs ---- */

struct runs_paths {
	char **p;
	size_t n, cap;
};

static int runs_paths_add(struct runs_paths *ps, char *p)
{
	if (ps->n == ps->cap) {
		size_t ncap = ps->cap ? ps->cap * 2 : 16;
		char **np = realloc(ps->p, ncap * sizeof(*np));

		if (!np)
			return -1;
		ps->p = np;
		ps->cap = ncap;
	}
	ps->p[ps->n++] = p;
	return 0;
}

static int runs_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool runs_is_run(const char *dir)
{
	char *a = runs_join(dir, "report.json"),
	     *b = runs_join(dir, "meta.txt");
	bool yes = (a && !access(a, F_OK)) || (b && runs_is_file(b));

	free(a);
	free(b);
	return yes;
}

/* Run directories in dir, and one level below those that are not runs. */
static int runs_scan(const char *dir, int depth, struct runs_paths *out,
		     char *err, size_t errlen)
{
	struct runs_paths names = {0};
	struct dirent *d;
	DIR *dp = opendir(dir);
	int ret = 0;

	if (!dp) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((d = readdir(dp))) {
		char *p;

		if (d->d_name[0] == '.')
			continue;
		p = runs_join(dir, d->d_name);
		if (!p || runs_paths_add(&names, p)) {
			free(p);
			ret = -1;
			snprintf(err, errlen, "%s: out of memory", dir);
			break;
		}
	}
	closedir(dp);
	if (names.n)
		qsort(names.p, names.n, sizeof(*names.p), runs_strcmp);
	for (size_t i = 0; !ret && i < names.n; i++) {
		if (!runs_is_dir(names.p[i]))
			continue;
		if (runs_is_run(names.p[i])) {
			if (out->n >= RUNS_MAX) {
				snprintf(err, errlen,
					 "%s: more than %d run directories",
					 dir, RUNS_MAX);
				ret = -1;
			} else if (runs_paths_add(out, names.p[i])) {
				snprintf(err, errlen, "%s: out of memory", dir);
				ret = -1;
			} else {
				names.p[i] = NULL;
			}
		} else if (depth < 1) {
			ret = runs_scan(names.p[i], depth + 1, out, err,
					errlen);
		}
	}
	for (size_t i = 0; i < names.n; i++)
		free(names.p[i]);
	free(names.p);
	return ret;
}

int runs_find(const char *dir, char ***paths, size_t *n, char *err,
	      size_t errlen)
{
	struct runs_paths ps = {0};

	*paths = NULL;
	*n = 0;
	if (runs_scan(dir, 0, &ps, err, errlen)) {
		runs_paths_free(ps.p, ps.n);
		return -1;
	}
	*paths = ps.p;
	*n = ps.n;
	return 0;
}

void runs_paths_free(char **paths, size_t n)
{
	for (size_t i = 0; paths && i < n; i++)
		free(paths[i]);
	free(paths);
}

int runs_set_load(struct runs_set *s, const char *path, char *err,
		  size_t errlen)
{
	char **paths = NULL, *rj;
	size_t n = 0;
	int ret = 0;

	memset(s, 0, sizeof(*s));
	s->path = strdup(path);
	if (!s->path) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	if (access(path, F_OK)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rj = runs_join(path, "report.json");
	s->single = !runs_is_dir(path) || (rj && !access(rj, F_OK));
	free(rj);
	if (s->single) {
		s->runs = calloc(1, sizeof(*s->runs));
		if (!s->runs) {
			snprintf(err, errlen, "%s: out of memory", path);
			return -1;
		}
		s->n = 1;
		return runs_load(&s->runs[0], path, err, errlen);
	}
	if (runs_find(path, &paths, &n, err, errlen))
		return -1;
	if (!n) {
		snprintf(err, errlen,
			 "%s: no report.json, and no run directories in it",
			 path);
		ret = -1;
		goto out;
	}
	s->runs = calloc(n, sizeof(*s->runs));
	if (!s->runs) {
		snprintf(err, errlen, "%s: out of memory", path);
		ret = -1;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		s->n++;
		if (runs_load(&s->runs[i], paths[i], err, errlen)) {
			ret = -1;
			break;
		}
	}
out:
	runs_paths_free(paths, n);
	return ret;
}

void runs_set_free(struct runs_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		runs_free(&s->runs[i]);
	free(s->runs);
	free(s->path);
	memset(s, 0, sizeof(*s));
}

/* ---- results ---- */

bool runs_result_ok(const char *result)
{
	return result && (!strcmp(result, "pass") || !strcmp(result, "skip") ||
			  !strcmp(result, "xfail"));
}

bool runs_suite_counts_itself(const struct runs_suite *s)
{
	if (!s->ntests)
		return true;
	if (runs_result_ok(s->self.result))
		return false;
	for (size_t i = 0; i < s->ntests; i++)
		if (!runs_result_ok(s->tests[i].result))
			return false;
	return true;
}

static void runs_count_one(const char *r, struct runs_counts *c)
{
	if (!strcmp(r, "pass"))
		c->pass++;
	else if (!strcmp(r, "fail"))
		c->fail++;
	else if (!strcmp(r, "skip"))
		c->skip++;
	else if (!strcmp(r, "xfail"))
		c->xfail++;
	else if (!strcmp(r, "timeout"))
		c->timeout++;
	else if (!strcmp(r, "error"))
		c->error++;
	else
		c->other++;
}

void runs_suite_counts(const struct runs_suite *s, struct runs_counts *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < s->ntests; i++)
		runs_count_one(s->tests[i].result, c);
	if (runs_suite_counts_itself(s))
		runs_count_one(s->self.result, c);
}

bool runs_counts_ok(const struct runs_counts *c)
{
	return !c->fail && !c->timeout && !c->error && !c->other;
}

/* ---- Markdown and HTML ---- */

void runs_md_text(struct report_buf *b, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			report_buf_add(b, " ", 1);
		else if (strchr("\\`*_[]<>|~", c))
			report_buf_printf(b, "\\%c", c);
		else
			report_buf_add(b, s, 1);
	}
}

/* The longest run of backticks in s. */
static size_t runs_ticks(const char *s)
{
	size_t best = 0, cur = 0;

	for (; s && *s; s++) {
		cur = *s == '`' ? cur + 1 : 0;
		if (cur > best)
			best = cur;
	}
	return best;
}

void runs_md_code(struct report_buf *b, const char *s)
{
	size_t ticks = runs_ticks(s) + 1, n = s ? strlen(s) : 0;
	/* Spaces keep backticks inside off the fence (one each is dropped). */
	bool pad = ticks > 1 || (n && (s[0] == ' ' || s[n - 1] == ' '));

	for (size_t i = 0; i < ticks; i++)
		report_buf_add(b, "`", 1);
	if (pad)
		report_buf_add(b, " ", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			report_buf_add(b, " ", 1);
		else
			report_buf_add(b, s + i, 1);
	}
	if (pad)
		report_buf_add(b, " ", 1);
	for (size_t i = 0; i < ticks; i++)
		report_buf_add(b, "`", 1);
}

void runs_md_block(struct report_buf *b, const char *const *lines, size_t n)
{
	size_t ticks = 2;

	for (size_t i = 0; i < n; i++)
		if (runs_ticks(lines[i]) > ticks)
			ticks = runs_ticks(lines[i]);
	for (size_t i = 0; i <= ticks; i++)
		report_buf_add(b, "`", 1);
	report_buf_puts(b, "\n");
	for (size_t i = 0; i < n; i++) {
		for (const char *s = lines[i]; *s; s++) {
			unsigned char c = (unsigned char)*s;

			if ((c < 0x20 && c != '\t') || c == 0x7f)
				report_buf_printf(b, "\\x%02x", c);
			else
				report_buf_add(b, s, 1);
		}
		report_buf_puts(b, "\n");
	}
	for (size_t i = 0; i <= ticks; i++)
		report_buf_add(b, "`", 1);
	report_buf_puts(b, "\n");
}

void runs_html_text(struct report_buf *b, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&':
			report_buf_puts(b, "&amp;");
			break;
		case '<':
			report_buf_puts(b, "&lt;");
			break;
		case '>':
			report_buf_puts(b, "&gt;");
			break;
		case '"':
			report_buf_puts(b, "&quot;");
			break;
		case '\'':
			report_buf_puts(b, "&#39;");
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				report_buf_add(b, " ", 1);
			else
				report_buf_add(b, s, 1);
		}
	}
}

void runs_url_path(struct report_buf *b, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~/+:@", c))
			report_buf_add(b, s, 1);
		else
			report_buf_printf(b, "%%%02X", c);
	}
}
