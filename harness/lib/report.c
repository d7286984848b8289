// SPDX-License-Identifier: GPL-2.0-only
/*
 * Run report.  The guest's stream says what ran; meta.txt says how the run
 * ended.  A stream cut short by a timeout or a crash must still read as a
 * failure, so completion fills in every result the guest could not print.
 */
#include "report.h"
#include "timing.h"
#include "fileio.h"
#include "deviations.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* More distinct meta keys than this are ignored. */
#define REPORT_META_KEYS_MAX 1024

/* ---- buffer ---- */

void report_buf_free(struct report_buf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

static bool report_buf_room(struct report_buf *b, size_t n)
{
	size_t need, ncap;
	char *ns;

	if (b->oom)
		return false;
	if (n > SIZE_MAX / 2 - b->len) {
		b->oom = true;
		return false;
	}
	need = b->len + n + 1;
	if (need <= b->cap)
		return true;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need)
		ncap *= 2;
	ns = realloc(b->s, ncap);
	if (!ns) {
		b->oom = true;
		return false;
	}
	b->s = ns;
	b->cap = ncap;
	return true;
}

void report_buf_add(struct report_buf *b, const char *s, size_t n)
{
	if (!report_buf_room(b, n))
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void report_buf_puts(struct report_buf *b, const char *s)
{
	report_buf_add(b, s, strlen(s));
}

void report_buf_printf(struct report_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if (!report_buf_room(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Drop everything after len (used to pop path components). */
static void report_buf_cut(struct report_buf *b, size_t len)
{
	if (b->s && len <= b->len) {
		b->len = len;
		b->s[len] = '\0';
	}
}

/* ---- text ---- */

/* Length of the valid UTF-8 sequence starting at s, 0 if none does. */
static size_t report_utf8(const unsigned char *s, size_t n)
{
	unsigned int cp, min;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void report_json_string_n(struct report_buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	if (!s) {
		report_buf_puts(b, "null");
		return;
	}
	report_buf_add(b, "\"", 1);
	while (i < n) {
		size_t run = i, l;

		/* Copy plain runs at once; stop at anything needing care. */
		while (run < n && u[run] >= 0x20 && u[run] < 0x7f &&
		       u[run] != '"' && u[run] != '\\')
			run++;
		report_buf_add(b, s + i, run - i);
		i = run;
		if (i >= n)
			break;
		if (u[i] == '"' || u[i] == '\\') {
			report_buf_add(b, "\\", 1);
			report_buf_add(b, s + i, 1);
			i++;
		} else if (u[i] < 0x20 || u[i] == 0x7f) {
			report_buf_printf(b, "\\u%04x", u[i]);
			i++;
		} else if ((l = report_utf8(u + i, n - i))) {
			report_buf_add(b, s + i, l);
			i += l;
		} else {
			report_buf_puts(b, "\\ufffd");
			i++;
		}
	}
	report_buf_add(b, "\"", 1);
}

void report_json_string(struct report_buf *b, const char *s)
{
	report_json_string_n(b, s, s ? strlen(s) : 0);
}

/*
 * Markdown text: valid UTF-8, no control characters; inline text also
 * gets its markup characters escaped, code text is left as it is.
 */
static void report_md_text(struct report_buf *b, const char *s, bool code)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, l;

	while (i < n) {
		if (u[i] == '\t' && code) {
			report_buf_add(b, "\t", 1);
			i++;
		} else if (u[i] < 0x20 || u[i] == 0x7f) {
			report_buf_add(b, " ", 1);
			i++;
		} else if (!code && strchr("\\`*_[]<>|", u[i])) {
			report_buf_add(b, "\\", 1);
			report_buf_add(b, s + i, 1);
			i++;
		} else if ((l = report_utf8(u + i, n - i))) {
			report_buf_add(b, s + i, l);
			i += l;
		} else {
			report_buf_puts(b, "\xef\xbf\xbd");
			i++;
		}
	}
}

/* Longest run of backticks in s. */
static size_t report_ticks(const char *s)
{
	size_t best = 0, cur = 0;

	for (; *s; s++) {
		cur = *s == '`' ? cur + 1 : 0;
		if (cur > best)
			best = cur;
	}
	return best;
}

static void report_md_code_span(struct report_buf *b, const char *s)
{
	size_t t = report_ticks(s) + 1;

	for (size_t i = 0; i < t; i++)
		report_buf_add(b, "`", 1);
	/* Padding keeps a leading or trailing backtick out of the fence. */
	report_buf_add(b, " ", t > 1 ? 1 : 0);
	report_md_text(b, s, true);
	report_buf_add(b, " ", t > 1 ? 1 : 0);
	for (size_t i = 0; i < t; i++)
		report_buf_add(b, "`", 1);
}

/* ---- meta ---- */

void report_meta_free(struct report_meta *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->keys[i]);
		free(m->values[i]);
	}
	free(m->keys);
	free(m->values);
	memset(m, 0, sizeof(*m));
}

const char *report_meta_get(const struct report_meta *m, const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->keys[i], key))
			return m->values[i];
	return NULL;
}

static int report_meta_set(struct report_meta *m, const char *k, size_t kl,
			   const char *v, size_t vl)
{
	char *key = strndup(k, kl), *val = strndup(v, vl), **nk, **nv;

	if (!key || !val)
		goto oom;
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->keys[i], key)) {
			free(m->values[i]);
			m->values[i] = val;
			free(key);
			return 0;
		}
	if (m->n >= REPORT_META_KEYS_MAX) {
		free(key);
		free(val);
		return 0;
	}
	nk = realloc(m->keys, (m->n + 1) * sizeof(*nk));
	if (!nk)
		goto oom;
	m->keys = nk;
	nv = realloc(m->values, (m->n + 1) * sizeof(*nv));
	if (!nv)
		goto oom;
	m->values = nv;
	m->keys[m->n] = key;
	m->values[m->n] = val;
	m->n++;
	return 0;
oom:
	free(key);
	free(val);
	return -1;
}

int report_meta_parse(const char *buf, size_t len, struct report_meta *m)
{
	size_t off = 0;

	memset(m, 0, sizeof(*m));
	while (buf && off < len) {
		const char *s = buf + off, *nl = memchr(s, '\n', len - off);
		size_t n = nl ? (size_t)(nl - s) : len - off;
		const char *eq, *k;
		size_t kl;

		off += n + 1;
		while (n && s[n - 1] == '\r')
			n--;
		if (!n || s[0] == '#')
			continue;
		eq = memchr(s, '=', n);
		if (!eq)
			continue;
		/* Blanks around the key are not part of it; the value is. */
		k = s;
		kl = (size_t)(eq - s);
		while (kl && (k[kl - 1] == ' ' || k[kl - 1] == '\t'))
			kl--;
		while (kl && (*k == ' ' || *k == '\t')) {
			k++;
			kl--;
		}
		if (!kl)
			continue;
		if (report_meta_set(m, k, kl, eq + 1,
				    n - (size_t)(eq + 1 - s))) {
			report_meta_free(m);
			return -1;
		}
	}
	return 0;
}

/* ---- completion ---- */

struct report_ctx {
	const struct report_meta *m;
	bool completed;
	enum ktap_result res; /* for what the run cut short */
	const char *reason;
	bool applied; /* some result was filled in from the status */
};

static const char *report_status(const struct report_meta *m)
{
	const char *s = report_meta_get(m, "status");

	return s && *s ? s : "error";
}

static const char *report_status_phrase(const char *status)
{
	if (!strcmp(status, "timeout"))
		return "the guest timed out";
	if (!strcmp(status, "crashed"))
		return "the guest crashed";
	if (!strcmp(status, "interrupted"))
		return "the run was interrupted";
	if (!strcmp(status, "completed"))
		return "the run completed";
	return "the run failed";
}

static void report_ctx_init(struct report_ctx *x, const struct report_meta *m)
{
	const char *status = report_status(m);
	const char *detail = report_meta_get(m, "status_detail");

	memset(x, 0, sizeof(*x));
	x->m = m;
	x->completed = !strcmp(status, "completed");
	/*
	 * What an interrupt cut short is the user's doing: not run (SKIP),
	 * never a guest or kernel error.  The run's verdict is still not a
	 * pass (report_verdict).
	 */
	if (!strcmp(status, "interrupted"))
		x->res = KTAP_SKIP;
	else if (!strcmp(status, "timeout"))
		x->res = KTAP_TIMEOUT;
	else
		x->res = KTAP_ERROR;
	x->reason = detail && *detail ? detail : report_status_phrase(status);
}

static int report_set(struct ktap_node *n, enum ktap_result res,
		      const char *reason)
{
	n->result = res;
	return ktap_set_reason(n, reason);
}

/* Results for nodes that never printed one; open: n itself has none. */
static int report_fill_open(struct ktap_node *n, struct report_ctx *x,
			    bool open)
{
	for (size_t i = 0; i < n->nchildren; i++) {
		struct ktap_node *c = n->children[i];
		bool was_open = c->result == KTAP_NONE;

		if (was_open) {
			int r;

			/* Cut short by the end of the stream: blame the run. */
			if (open && !x->completed) {
				r = report_set(c, x->res, x->reason);
				x->applied = true;
			} else if (open) {
				r = report_set(
					c, KTAP_ERROR,
					"the output ended without a result line");
			} else {
				r = report_set(c, KTAP_ERROR,
					       "no result line in the output");
			}
			if (r)
				return -1;
			if (!c->number)
				c->number = (int)i + 1;
		}
		if (report_fill_open(c, x, was_open))
			return -1;
	}
	return 0;
}

/*
 * Suite names seen at the top level: a sorted index of the stream's names
 * plus a short list of names added during completion, so that matching
 * the expected suites stays cheap however long the stream is.
 */
struct report_names {
	const char **sorted;
	size_t nsorted;
	const char **added;
	size_t nadded;
};

static int report_cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int report_names_init(struct report_names *ix,
			     const struct ktap_node *root)
{
	memset(ix, 0, sizeof(*ix));
	ix->sorted = calloc(root->nchildren + 1, sizeof(char *));
	ix->added = calloc(REPORT_SUITES_MAX + 2, sizeof(char *));
	if (!ix->sorted || !ix->added)
		return -1;
	/* Empty names are left out: such a node may be renamed. */
	for (size_t i = 0; i < root->nchildren; i++)
		if (root->children[i]->name[0])
			ix->sorted[ix->nsorted++] = root->children[i]->name;
	qsort(ix->sorted, ix->nsorted, sizeof(char *), report_cmp_name);
	return 0;
}

static bool report_names_has(const struct report_names *ix, const char *name)
{
	if (bsearch(&name, ix->sorted, ix->nsorted, sizeof(char *),
		    report_cmp_name))
		return true;
	for (size_t i = 0; i < ix->nadded; i++)
		if (!strcmp(ix->added[i], name))
			return true;
	return false;
}

static void report_names_free(struct report_names *ix)
{
	free(ix->sorted);
	free(ix->added);
}

/* Expected suite names (meta "suites"), at most REPORT_SUITES_MAX. */
static size_t report_expected(const struct report_meta *m,
			      char names[][REPORT_NAME_MAX])
{
	const char *s = report_meta_get(m, "suites");
	size_t k = 0;

	while (s && *s && k < REPORT_SUITES_MAX) {
		size_t n;

		s += strspn(s, " \t");
		n = strcspn(s, " \t");
		if (!n)
			break;
		if (n < REPORT_NAME_MAX) {
			memcpy(names[k], s, n);
			names[k++][n] = '\0';
		}
		s += n;
	}
	return k;
}

static int report_add_failed(struct ktap_node *root, struct report_ctx *x,
			     const char *name, const char *completed_reason)
{
	struct ktap_node *n = ktap_node_new(name);

	if (!n)
		return -1;
	n->number = (int)root->nchildren + 1;
	if (report_set(n, x->completed ? KTAP_ERROR : x->res,
		       x->completed ? completed_reason : x->reason) ||
	    ktap_add_child(root, n)) {
		ktap_free(n);
		return -1;
	}
	x->applied |= !x->completed;
	return 0;
}

/* Name an unnamed open last suite, add expected suites that never ran. */
static int report_match_suites(struct ktap_node *root, struct report_ctx *x,
			       struct report_names *ix)
{
	char(*names)[REPORT_NAME_MAX] =
		malloc(REPORT_SUITES_MAX * sizeof(*names));
	struct ktap_node *last =
		root->nchildren ? root->children[root->nchildren - 1] : NULL;
	size_t k, i;
	int r = -1;

	if (!names)
		return -1;
	k = report_expected(x->m, names);
	/* Only the last suite can be open: the stream ended inside it. */
	if (last && last->result == KTAP_NONE && !last->name[0]) {
		for (i = 0; i < k && report_names_has(ix, names[i]); i++)
			;
		if (i < k) {
			if (ktap_set_name(last, names[i]))
				goto out;
			ix->added[ix->nadded++] = last->name;
		}
	}
	for (i = 0; i < k; i++) {
		if (report_names_has(ix, names[i]))
			continue;
		if (report_add_failed(root, x, names[i],
				      "the suite is missing from the output"))
			goto out;
		last = root->children[root->nchildren - 1];
		ix->added[ix->nadded++] = last->name;
	}
	r = 0;
out:
	free(names);
	return r;
}

/*
 * KTAP numbers the results of a level 1, 2, 3 ... in order.  A result
 * numbered otherwise (two writers interleaved, a line lost, a stream
 * replayed) is an ERROR, so that a garbled stream never passes.
 */
static int report_check_sequence(struct ktap_node *n)
{
	char why[96];

	for (size_t i = 0; i < n->nchildren; i++) {
		struct ktap_node *c = n->children[i];

		if (c->number == (int)i + 1 || c->result == KTAP_TIMEOUT ||
		    c->result == KTAP_ERROR)
			continue;
		snprintf(why, sizeof(why),
			 "out of sequence: numbered %d, expected %zu",
			 c->number, i + 1);
		if (report_set(c, KTAP_ERROR, why))
			return -1;
	}
	return 0;
}

/*
 * Plan, sequence and child checks, bottom up.  cut: the result the run gave
 * what it cut short (KTAP_NONE for a completed run); such a node cannot
 * have its plan.
 */
static int report_fix_results(struct ktap_node *n, enum ktap_result cut)
{
	size_t bad = 0;
	char why[128];

	if (report_check_sequence(n))
		return -1;
	for (size_t i = 0; i < n->nchildren; i++) {
		if (report_fix_results(n->children[i], cut))
			return -1;
		bad += !ktap_result_ok(n->children[i]->result);
	}
	if (n->plan >= 0 && (size_t)n->plan != n->nchildren &&
	    n->result != KTAP_TIMEOUT && n->result != KTAP_ERROR &&
	    (cut == KTAP_NONE || n->result != cut)) {
		snprintf(why, sizeof(why), "plan mismatch: planned %d, got %zu",
			 n->plan, n->nchildren);
		return report_set(n, KTAP_ERROR, why);
	}
	if (bad && (n->result == KTAP_PASS || n->result == KTAP_SKIP)) {
		snprintf(why, sizeof(why),
			 "reported ok, but %zu of its %zu tests did not pass",
			 bad, n->nchildren);
		return report_set(n, KTAP_FAIL, why);
	}
	return 0;
}

static int report_add_run_node(struct ktap_node *root, const char *name,
			       enum ktap_result res, const char *reason)
{
	struct ktap_node *n = ktap_node_new(name);

	if (!n)
		return -1;
	n->number = (int)root->nchildren + 1;
	if (report_set(n, res, reason) || ktap_add_child(root, n)) {
		ktap_free(n);
		return -1;
	}
	return 0;
}

int report_complete(struct ktap_node *root, const struct report_meta *m)
{
	struct report_names ix;
	struct report_ctx x;
	size_t streamed = root->nchildren;
	char why[96];
	int r;

	report_ctx_init(&x, m);
	r = report_names_init(&ix, root);
	if (!r)
		r = report_match_suites(root, &x, &ix);
	report_names_free(&ix);
	if (r || report_fill_open(root, &x, true))
		return -1;
	/* The guest's own plan may promise suites that nobody named. */
	if (root->plan >= 0 && root->nchildren < (size_t)root->plan) {
		snprintf(why, sizeof(why),
			 "the guest planned %d suites, %zu reported",
			 root->plan, streamed);
		if (report_add_failed(root, &x, "(missing suites)", why) ||
		    ktap_add_diag(root->children[root->nchildren - 1], why))
			return -1;
	}
	/* ... or fewer than it reports. */
	if (root->plan >= 0 && streamed > (size_t)root->plan) {
		snprintf(why, sizeof(why),
			 "the guest planned %d suites, %zu reported",
			 root->plan, streamed);
		if (report_add_run_node(root, "(unplanned suites)", KTAP_ERROR,
					why))
			return -1;
	}
	if (report_check_sequence(root))
		return -1;
	for (size_t i = 0; i < root->nchildren; i++)
		if (report_fix_results(root->children[i],
				       x.completed ? KTAP_NONE : x.res))
			return -1;
	if (!root->nchildren)
		return report_add_run_node(
			root, "run", x.completed ? KTAP_ERROR : x.res,
			x.completed ? "no test results in the guest output"
				    : x.reason);
	if (!x.completed && !x.applied)
		return report_add_run_node(root, "run", x.res, x.reason);
	return 0;
}

/* ---- counting and walking ---- */

typedef void (*report_visit_fn)(const struct ktap_node *n, const char *path,
				void *ctx);

static void report_display_name(struct report_buf *b, const struct ktap_node *n)
{
	if (n->name[0])
		report_buf_puts(b, n->name);
	else
		report_buf_printf(b, "#%d", n->number);
}

/*
 * Call fn for each node that counts below (and maybe including) n, with
 * its path from n.  Returns whether anything counted failed.
 */
static bool report_visit(const struct ktap_node *n, bool top,
			 struct report_buf *path, report_visit_fn fn, void *ctx)
{
	bool failed = false;

	if (!n->nchildren && !(top && n->result == KTAP_NONE)) {
		fn(n, path->s ? path->s : "", ctx);
		return !ktap_result_ok(n->result);
	}
	for (size_t i = 0; i < n->nchildren; i++) {
		size_t keep = path->len;

		if (keep)
			report_buf_add(path, "/", 1);
		report_display_name(path, n->children[i]);
		failed |= report_visit(n->children[i], false, path, fn, ctx);
		report_buf_cut(path, keep);
	}
	if (!failed && !ktap_result_ok(n->result) &&
	    !(top && n->result == KTAP_NONE)) {
		fn(n, path->s ? path->s : "", ctx);
		failed = true;
	}
	return failed;
}

static void report_walk(const struct ktap_node *n, report_visit_fn fn,
			void *ctx)
{
	struct report_buf path = {0};

	report_visit(n, true, &path, fn, ctx);
	report_buf_free(&path);
}

static void report_count_one(const struct ktap_node *n, const char *path,
			     void *ctx)
{
	struct report_counts *c = ctx;

	(void)path;
	switch (n->result) {
	case KTAP_PASS:
		c->pass++;
		break;
	case KTAP_FAIL:
		c->fail++;
		break;
	case KTAP_SKIP:
		c->skip++;
		break;
	case KTAP_XFAIL:
		c->xfail++;
		break;
	case KTAP_TIMEOUT:
		c->timeout++;
		break;
	default:
		c->error++;
		break;
	}
}

void report_count(const struct ktap_node *n, struct report_counts *c)
{
	memset(c, 0, sizeof(*c));
	report_walk(n, report_count_one, c);
}

bool report_counts_pass(const struct report_counts *c)
{
	return !c->fail && !c->timeout && !c->error;
}

/*
 * The run's verdict: PASS needs every test passed, skipped or listed and a
 * run that completed; an interrupted one says so rather than FAIL.
 */
static const char *report_verdict(const struct ktap_node *root,
				  const struct report_meta *m)
{
	const char *status = report_status(m);
	struct report_counts c;

	report_count(root, &c);
	if (!strcmp(status, "interrupted"))
		return "INTERRUPTED";
	return report_counts_pass(&c) && !strcmp(status, "completed") ? "PASS"
								      : "FAIL";
}

/* ---- report.json ---- */

static void report_json_double(struct report_buf *b, double v)
{
	char s[40];

	if (!isfinite(v)) {
		report_buf_puts(b, "null");
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(s, sizeof(s), "%.*g", prec, v);
		if (strtod(s, NULL) == v)
			break;
	}
	report_buf_puts(b, s);
}

static void report_json_kv(struct report_buf *b, const char *key,
			   const char *value, const char *sep)
{
	report_json_string(b, key);
	report_buf_puts(b, ":");
	report_json_string(b, value);
	report_buf_puts(b, sep);
}

static void report_json_diags(struct report_buf *b, const struct ktap_node *n)
{
	report_buf_puts(b, "\"diagnostics\":[");
	for (size_t i = 0; i < n->ndiags; i++) {
		report_buf_puts(b, i ? "," : "");
		report_json_string(b, n->diags[i]);
	}
	report_buf_puts(b, "],\"metrics\":[");
	for (size_t i = 0; i < n->nmetrics; i++) {
		report_buf_puts(b, i ? "," : "");
		report_buf_puts(b, "{");
		report_json_kv(b, "name", n->metrics[i].name, ",");
		report_buf_puts(b, "\"value\":");
		report_json_double(b, n->metrics[i].value);
		report_buf_puts(b, ",");
		report_json_kv(b, "unit", n->metrics[i].unit, "}");
	}
	report_buf_puts(b, "]");
}

struct report_json_ctx {
	struct report_buf *b;
	const struct ktap_node *suite;
	size_t ntests;
};

static void report_json_test(const struct ktap_node *n, const char *path,
			     void *p)
{
	struct report_json_ctx *c = p;

	if (n == c->suite)
		return;
	report_buf_puts(c->b, c->ntests++ ? ",\n    {" : "\n    {");
	report_json_kv(c->b, "name", path, ",");
	report_json_kv(c->b, "result", ktap_result_name(n->result), ",");
	report_json_kv(c->b, "reason", n->reason, ",");
	report_json_diags(c->b, n);
	report_buf_puts(c->b, "}");
}

static const char *report_release(const struct ktap_node *root,
				  const struct report_meta *m)
{
	static const char *const keys[] = {"kernel_release", "release",
					   "uname_r", "kernel"};
	const char *s = report_meta_get(m, "kernel_release");

	for (size_t i = 0; (!s || !*s) && i < sizeof(keys) / sizeof(*keys); i++)
		s = ktap_fact(root, keys[i]);
	return s && *s ? s : NULL;
}

int report_json(struct report_buf *b, const struct ktap_node *root,
		const struct report_meta *m)
{
	static const char *const plain[] = {"command", "reproduce"};
	struct report_counts c;
	const char *el = report_meta_get(m, "elapsed_s");
	char *end = NULL;
	double elapsed = el ? strtod(el, &end) : NAN;

	report_count(root, &c);
	report_buf_puts(b, "{\"schema\":1,\n");
	report_json_kv(b, "topology", report_meta_get(m, "topology"), ",\n");
	report_json_kv(b, "topology_file", report_meta_get(m, "topology_file"),
		       ",\n");
	report_buf_puts(b, "\"kernel\":{");
	report_json_kv(b, "name", report_meta_get(m, "kernel"), ",");
	report_json_kv(b, "release", report_release(root, m), ",");
	report_json_kv(b, "config_hash",
		       report_meta_get(m, "kernel_config_hash"), "},\n");
	report_buf_puts(b, "\"qemu\":{");
	report_json_kv(b, "version", report_meta_get(m, "qemu_version"), ",");
	report_json_kv(b, "accel", report_meta_get(m, "accel"), "},\n");
	for (size_t i = 0; i < sizeof(plain) / sizeof(*plain); i++)
		report_json_kv(b, plain[i], report_meta_get(m, plain[i]),
			       ",\n");
	report_json_kv(b, "status", report_status(m), ",\n");
	report_json_kv(b, "status_detail", report_meta_get(m, "status_detail"),
		       ",\n");
	report_json_kv(b, "started", report_meta_get(m, "started"), ",\n");
	report_buf_puts(b, "\"elapsed_s\":");
	if (!el || end == el || *end)
		elapsed = NAN;
	report_json_double(b, elapsed);
	report_buf_puts(b, ",\n");
	report_json_kv(b, "console", report_meta_get(m, "console"), ",\n");
	report_json_kv(b, "verdict",
		       strcmp(report_verdict(root, m), "PASS") ? "fail"
							       : "pass",
		       ",\n");
	report_buf_printf(b,
			  "\"summary\":{\"pass\":%u,\"fail\":%u,\"skip\":%u,"
			  "\"xfail\":%u,\"timeout\":%u,\"error\":%u},\n",
			  c.pass, c.fail, c.skip, c.xfail, c.timeout, c.error);
	timing_json(b, root, m);
	report_buf_puts(b, "\"guest\":{");
	for (size_t i = 0; i < root->nfacts; i++)
		report_json_kv(b, root->facts[i].key, root->facts[i].value,
			       i + 1 < root->nfacts ? "," : "");
	report_buf_puts(b, "},\n\"other_output\":[");
	for (size_t i = 0; i < root->ndiags; i++) {
		report_buf_puts(b, i ? "," : "");
		report_json_string(b, root->diags[i]);
	}
	report_buf_puts(b, "],\n\"suites\":[");
	for (size_t i = 0; i < root->nchildren; i++) {
		const struct ktap_node *s = root->children[i];
		struct report_json_ctx jc = {.b = b, .suite = s};
		struct report_buf name = {0};

		report_display_name(&name, s);
		report_buf_puts(b, i ? ",\n  {" : "\n  {");
		report_json_kv(b, "name", name.s, ",");
		report_buf_free(&name);
		report_json_kv(b, "result", ktap_result_name(s->result), ",");
		report_json_kv(b, "reason", s->reason, ",");
		report_json_diags(b, s);
		report_buf_puts(b, ",\"tests\":[");
		report_walk(s, report_json_test, &jc);
		report_buf_puts(b, "]}");
	}
	report_buf_puts(b, "\n]}\n");
	return b->oom ? -1 : 0;
}

/* ---- report.md ---- */

struct report_md_ctx {
	struct report_buf *b;
	const struct report_meta *m;
	const struct ktap_node *suite;
	int pass; /* which kind of node to list */
	size_t listed;
};

static void report_md_name(struct report_buf *b, const struct ktap_node *s,
			   const char *path)
{
	struct report_buf name = {0};

	report_display_name(&name, s);
	report_md_text(b, name.s ? name.s : "", false);
	report_buf_free(&name);
	if (path[0]) {
		report_buf_puts(b, ": ");
		report_md_text(b, path, false);
	}
}

static void report_md_evidence(struct report_buf *b, const struct ktap_node *n)
{
	size_t ticks = 2, lines = n->ndiags + n->nmetrics;

	if (!lines) {
		report_buf_puts(b, "No diagnostic output.\n\n");
		return;
	}
	for (size_t i = 0; i < n->ndiags; i++)
		if (report_ticks(n->diags[i]) > ticks)
			ticks = report_ticks(n->diags[i]);
	for (size_t i = 0; i <= ticks; i++)
		report_buf_add(b, "`", 1);
	report_buf_puts(b, "\n");
	for (size_t i = 0; i < n->ndiags && i < REPORT_MD_LINES_MAX; i++) {
		report_buf_puts(b, "# ");
		report_md_text(b, n->diags[i], true);
		report_buf_puts(b, "\n");
	}
	if (n->ndiags > REPORT_MD_LINES_MAX)
		report_buf_printf(b, "... %zu more lines in report.ktap\n",
				  n->ndiags - REPORT_MD_LINES_MAX);
	for (size_t i = 0; i < n->nmetrics; i++) {
		char v[40];

		snprintf(v, sizeof(v), "%g", n->metrics[i].value);
		report_buf_puts(b, "# metric: ");
		report_md_text(b, n->metrics[i].name, true);
		report_buf_printf(b, " %s ", v);
		report_md_text(b, n->metrics[i].unit, true);
		report_buf_puts(b, "\n");
	}
	for (size_t i = 0; i <= ticks; i++)
		report_buf_add(b, "`", 1);
	report_buf_puts(b, "\n\n");
}

static void report_md_item(const struct ktap_node *n, const char *path, void *p)
{
	struct report_md_ctx *c = p;
	const char *rep;

	if (c->pass == 0 && !ktap_result_ok(n->result)) {
		report_buf_puts(c->b, "### ");
		report_md_name(c->b, c->suite, path);
		report_buf_printf(c->b, " (%s", ktap_result_name(n->result));
		if (n->reason[0]) {
			report_buf_puts(c->b, ": ");
			report_md_text(c->b, n->reason, false);
		}
		report_buf_puts(c->b, ")\n\n");
		report_md_evidence(c->b, n);
		rep = report_meta_get(c->m, "reproduce");
		if (!rep || !*rep)
			rep = report_meta_get(c->m, "command");
		report_buf_puts(c->b, "Reproduce: ");
		if (rep && *rep)
			report_md_code_span(c->b, rep);
		else
			report_buf_puts(c->b, "(not recorded)");
		report_buf_puts(c->b, "\n\n");
		c->listed++;
	} else if ((c->pass == 1 && n->result == KTAP_SKIP) ||
		   (c->pass == 2 && n->result == KTAP_XFAIL)) {
		report_buf_puts(c->b, "- ");
		report_md_name(c->b, c->suite, path);
		if (n->reason[0]) {
			report_buf_puts(c->b, ": ");
			report_md_text(c->b, n->reason, false);
		}
		report_buf_puts(c->b, "\n");
		c->listed++;
	}
}

/* One pass over every suite listing one kind of node; returns how many. */
static size_t report_md_list(struct report_buf *b, const struct ktap_node *root,
			     const struct report_meta *m, int pass,
			     const char *heading)
{
	struct report_md_ctx c = {.b = b, .m = m, .pass = pass};
	struct report_md_ctx probe = c;
	struct report_buf scratch = {0};

	/* The heading only if the list is not empty: count first. */
	probe.b = &scratch;
	for (size_t i = 0; i < root->nchildren; i++) {
		probe.suite = root->children[i];
		report_walk(probe.suite, report_md_item, &probe);
	}
	report_buf_free(&scratch);
	if (!probe.listed)
		return 0;
	report_buf_puts(b, heading);
	for (size_t i = 0; i < root->nchildren; i++) {
		c.suite = root->children[i];
		report_walk(c.suite, report_md_item, &c);
	}
	if (pass)
		report_buf_puts(b, "\n");
	return c.listed;
}

static void report_md_fact(struct report_buf *b, const char *label,
			   const char *value, bool code);

/*
 * The last lines of the console of a run that did not complete (meta
 * "console_tail", set by report_run_with): what the guest said last.
 */
static void report_md_console(struct report_buf *b, const struct report_meta *m)
{
	const char *t = report_meta_get(m, "console_tail");
	size_t ticks = report_ticks(t ? t : "") + 1;

	if (!t || !*t)
		return;
	report_buf_puts(b, "## Console, last lines\n\n");
	report_md_fact(b, "Whole console", report_meta_get(m, "console"), true);
	report_buf_puts(b, "\n");
	ticks = ticks < 3 ? 3 : ticks;
	for (size_t i = 0; i < ticks; i++)
		report_buf_add(b, "`", 1);
	report_buf_puts(b, "\n");
	for (const char *l = t; *l;) {
		size_t n = strcspn(l, "\n"), keep = n;
		char *line;

		while (keep && l[keep - 1] == '\r')
			keep--;
		line = strndup(l, keep);

		if (!line) {
			b->oom = true;
			return;
		}
		report_md_text(b, line, true);
		report_buf_puts(b, "\n");
		free(line);
		l += n + (l[n] == '\n');
	}
	for (size_t i = 0; i < ticks; i++)
		report_buf_add(b, "`", 1);
	report_buf_puts(b, "\n\n");
}

static void report_md_fact(struct report_buf *b, const char *label,
			   const char *value, bool code)
{
	if (!value || !*value)
		return;
	report_buf_printf(b, "- %s: ", label);
	if (code)
		report_md_code_span(b, value);
	else
		report_md_text(b, value, false);
	report_buf_puts(b, "\n");
}

int report_markdown(struct report_buf *b, const struct ktap_node *root,
		    const struct report_meta *m)
{
	const char *topo = report_meta_get(m, "topology");
	const char *rel = report_release(root, m);
	const char *kname = report_meta_get(m, "kernel");
	const char *detail = report_meta_get(m, "status_detail");
	const char *el = report_meta_get(m, "elapsed_s");
	struct report_counts c;

	report_count(root, &c);
	report_buf_puts(b, "# ");
	report_md_text(b, topo && *topo ? topo : "run", false);
	report_buf_puts(b, " on ");
	report_md_text(b,
		       rel		 ? rel
		       : kname && *kname ? kname
					 : "unknown kernel",
		       false);
	report_buf_printf(b, ": %s\n\n", report_verdict(root, m));
	report_buf_printf(b,
			  "%u passed, %u failed, %u timed out, %u errors, "
			  "%u skipped, %u expected failures.\n\n",
			  c.pass, c.fail, c.timeout, c.error, c.skip, c.xfail);

	report_buf_puts(
		b, "| Suite | Verdict | Passed | Failed | Skipped | Note |\n"
		   "| --- | --- | ---: | ---: | ---: | --- |\n");
	/* One line per suite, those that did not pass first. */
	for (size_t k = 0; k < 2 * root->nchildren; k++) {
		const struct ktap_node *s = root->children[k % root->nchildren];
		struct report_counts sc;

		if (ktap_result_ok(s->result) == (k < root->nchildren))
			continue;
		report_count(s, &sc);
		report_buf_puts(b, "| ");
		report_md_name(b, s, "");
		report_buf_printf(b, " | %s | %u | %u | %u | ",
				  ktap_result_name(s->result),
				  sc.pass + sc.xfail,
				  sc.fail + sc.timeout + sc.error, sc.skip);
		report_md_text(b, s->reason, false);
		report_buf_puts(b, " |\n");
	}
	report_buf_puts(b, "\n");

	report_md_list(b, root, m, 0, "## Failures\n\n");
	report_md_console(b, m);
	report_md_list(b, root, m, 1, "## Skipped\n\n");
	report_md_list(b, root, m, 2, "## Expected failures\n\n");

	if (root->ndiags) {
		report_buf_puts(b, "## Output outside any test\n\n");
		report_md_evidence(b, root);
	}

	timing_markdown(b, root, m);
	report_buf_puts(b, "## Run\n\n");
	report_md_fact(b, "Topology", topo, false);
	report_md_fact(b, "Topology file", report_meta_get(m, "topology_file"),
		       true);
	report_md_fact(b, "Kernel", kname, false);
	report_md_fact(b, "Kernel release", rel, false);
	report_md_fact(b, "Kernel config hash",
		       report_meta_get(m, "kernel_config_hash"), true);
	report_md_fact(b, "QEMU", report_meta_get(m, "qemu_version"), false);
	report_md_fact(b, "Accelerator", report_meta_get(m, "accel"), false);
	report_buf_puts(b, "- Status: ");
	report_md_text(b, report_status(m), false);
	if (detail && *detail) {
		report_buf_puts(b, " (");
		report_md_text(b, detail, false);
		report_buf_puts(b, ")");
	}
	report_buf_puts(b, "\n");
	report_md_fact(b, "Started", report_meta_get(m, "started"), false);
	if (el && *el) {
		report_buf_puts(b, "- Elapsed: ");
		report_md_text(b, el, false);
		report_buf_puts(b, " s\n");
	}
	report_md_fact(b, "Console log", report_meta_get(m, "console"), true);
	report_md_fact(b, "Command", report_meta_get(m, "command"), true);
	report_md_fact(b, "Reproduce", report_meta_get(m, "reproduce"), true);
	for (size_t i = 0; i < root->nfacts; i++) {
		report_buf_puts(b, "- Guest ");
		report_md_text(b, root->facts[i].key, false);
		report_buf_puts(b, ": ");
		report_md_text(b, root->facts[i].value, false);
		report_buf_puts(b, "\n");
	}
	return b->oom ? -1 : 0;
}

/* ---- files ---- */

static char *report_path(const char *dir, const char *name)
{
	size_t dl = strlen(dir);
	bool slash = dl && dir[dl - 1] == '/';
	size_t n = dl + strlen(name) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s%s%s", dir, slash ? "" : "/", name);
	return p;
}

int report_write_atomic(const char *dir, const char *name, const char *data,
			size_t len, char *err, size_t errlen)
{
	char *path = report_path(dir, name), *tmp = NULL, *tname = NULL;
	size_t off = 0;
	int fd = -1, e = ENOMEM;

	if (!path)
		goto fail;
	tname = malloc(strlen(name) + 6);
	if (!tname)
		goto fail;
	sprintf(tname, ".%s.tmp", name);
	tmp = report_path(dir, tname);
	if (!tmp)
		goto fail;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		e = errno;
		goto fail;
	}
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			goto fail_unlink;
		}
		off += (size_t)n;
	}
	if (fsync(fd)) {
		e = errno;
		goto fail_unlink;
	}
	if (close(fd)) {
		fd = -1;
		e = errno;
		goto fail_unlink;
	}
	fd = -1;
	if (rename(tmp, path)) {
		e = errno;
		goto fail_unlink;
	}
	free(path);
	free(tmp);
	free(tname);
	return 0;
fail_unlink:
	if (fd >= 0)
		close(fd);
	fd = -1;
	unlink(tmp);
fail:
	if (fd >= 0)
		close(fd);
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", path ? path : name,
			 strerror(e));
	free(path);
	free(tmp);
	free(tname);
	return -1;
}

/*
 * Read at most max bytes of path.  Returns 0, or an errno; *cut tells
 * whether the file was longer (then only max bytes were kept).
 */
static int report_read(const char *path, size_t max, char **buf, size_t *len,
		       bool *cut)
{
	return iog_read_file(path, max, buf, len, cut);
}

/*
 * For a run that did not complete: the last REPORT_CONSOLE_LINES lines of
 * its console (meta "console"), at most REPORT_CONSOLE_BYTES from its end,
 * as meta "console_tail" for report.md.  A console that cannot be read is
 * no error.  0, or -1 when memory runs out.
 */
static int report_console_tail(struct report_meta *m)
{
	const char *path = report_meta_get(m, "console");
	char *buf = NULL, *p;
	struct stat st;
	size_t len = 0, lines = 0;
	ssize_t n;
	int fd, r;

	if (!path || !*path || !strcmp(report_status(m), "completed"))
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		goto done;
	if (st.st_size > REPORT_CONSOLE_BYTES &&
	    lseek(fd, st.st_size - REPORT_CONSOLE_BYTES, SEEK_SET) < 0)
		goto done;
	buf = malloc(REPORT_CONSOLE_BYTES + 1);
	if (!buf) {
		close(fd);
		return -1;
	}
	while (len < REPORT_CONSOLE_BYTES) {
		n = read(fd, buf + len, REPORT_CONSOLE_BYTES - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	/* No NUL inside, no trailing blank lines; then the last lines. */
	for (size_t i = 0; i < len; i++)
		if (!buf[i])
			buf[i] = ' ';
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	buf[len] = '\0';
	for (p = buf + len; p > buf; p--)
		if (p[-1] == '\n' && ++lines == REPORT_CONSOLE_LINES)
			break;
	/* A first line cut by the byte limit is left out. */
	if (p == buf && st.st_size > REPORT_CONSOLE_BYTES) {
		p = strchr(buf, '\n');
		p = p ? p + 1 : buf + len;
	}
	if (*p) {
		r = report_meta_set(m, "console_tail", 12, p, strlen(p));
		free(buf);
		close(fd);
		return r;
	}
done:
	free(buf);
	close(fd);
	return 0;
}

struct report_print_ctx {
	FILE *f;
	const struct ktap_node *suite;
	size_t nfailed;
};

/* One failure on the terminal, with the first lines of its evidence. */
static void report_print_one(const struct ktap_node *n, const char *path,
			     void *p)
{
	struct report_print_ctx *c = p;
	struct report_buf b = {0};
	size_t i;

	if (ktap_result_ok(n->result))
		return;
	/* The rest is in report.md; the terminal gets the first few. */
	if (c->nfailed++ >= REPORT_TTY_FAILURES_MAX)
		return;
	report_buf_puts(&b, ktap_result_name(n->result));
	report_buf_puts(&b, ": ");
	report_display_name(&b, c->suite);
	if (path[0]) {
		report_buf_puts(&b, ": ");
		report_buf_puts(&b, path);
	}
	if (n->reason[0]) {
		report_buf_puts(&b, " (");
		report_buf_puts(&b, n->reason);
		report_buf_puts(&b, ")");
	}
	for (i = 0; i < n->ndiags && i < REPORT_TTY_LINES_MAX; i++) {
		report_buf_puts(&b, "\n    # ");
		report_buf_puts(&b, n->diags[i]);
	}
	if (n->ndiags > REPORT_TTY_LINES_MAX)
		report_buf_printf(&b, "\n    ... %zu more lines",
				  n->ndiags - REPORT_TTY_LINES_MAX);
	if (b.s) {
		struct report_buf clean = {0};

		/* Guest text may hold terminal escapes: print it defanged. */
		char *save = NULL;

		for (char *line = strtok_r(b.s, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			report_md_text(&clean, line, true);
			report_buf_puts(&clean, "\n");
		}
		if (clean.s)
			fputs(clean.s, c->f);
		report_buf_free(&clean);
	}
	report_buf_free(&b);
}

static void report_print_failures(FILE *f, const struct ktap_node *root)
{
	struct report_print_ctx c = {.f = f};

	for (size_t i = 0; i < root->nchildren; i++) {
		c.suite = root->children[i];
		report_walk(c.suite, report_print_one, &c);
	}
	if (c.nfailed > REPORT_TTY_FAILURES_MAX)
		fprintf(f, "... and %zu more failures\n",
			c.nfailed - REPORT_TTY_FAILURES_MAX);
}

static void report_summary(FILE *out, const struct ktap_node *root,
			   const struct report_meta *m, const char *outdir)
{
	const char *topo = report_meta_get(m, "topology");
	const char *rel = report_release(root, m);
	const char *kname = report_meta_get(m, "kernel");
	struct report_counts c;
	size_t dl = strlen(outdir);

	report_count(root, &c);
	fprintf(out, "%s on %s: %s (%u passed, %u failed",
		topo && *topo ? topo : "run",
		rel		  ? rel
		: kname && *kname ? kname
				  : "unknown kernel",
		report_verdict(root, m), c.pass, c.fail);
	if (c.timeout)
		fprintf(out, ", %u timed out", c.timeout);
	if (c.error)
		fprintf(out, ", %u error%s", c.error, c.error == 1 ? "" : "s");
	fprintf(out, ", %u skipped", c.skip);
	if (c.xfail)
		fprintf(out, ", %u expected failure%s", c.xfail,
			c.xfail == 1 ? "" : "s");
	fprintf(out, ") -> %s%sreport.md\n", outdir,
		dl && outdir[dl - 1] == '/' ? "" : "/");
}

int report_run(const char *raw, const char *meta, const char *outdir, FILE *out,
	       FILE *errf)
{
	return report_run_with(raw, meta, NULL, outdir, out, errf);
}

int report_run_with(const char *raw, const char *meta, const char *deviations,
		    const char *outdir, FILE *out, FILE *errf)
{
	struct deviation_list dl = {0};
	char *dbuf = NULL;
	size_t dlen;
	bool dcut;
	struct report_meta m = {0};
	struct report_buf json = {0}, md = {0};
	struct ktap_node *root = NULL;
	char *rbuf = NULL, *mbuf = NULL, *ktap = NULL;
	size_t rlen, mlen, klen = 0;
	char err[512];
	bool cut, mcut;
	int e, ret = 2;

	e = report_read(raw, REPORT_RAW_MAX, &rbuf, &rlen, &cut);
	if (e) {
		fprintf(errf, "iog-report: %s: %s\n", raw, strerror(e));
		goto out;
	}
	e = report_read(meta, REPORT_META_MAX, &mbuf, &mlen, &mcut);
	if (!e && mcut)
		e = EFBIG;
	if (e) {
		fprintf(errf, "iog-report: %s: %s\n", meta, strerror(e));
		goto out;
	}
	if (deviations) {
		e = report_read(deviations, REPORT_META_MAX, &dbuf, &dlen,
				&dcut);
		if (!e && dcut)
			e = EFBIG;
		if (e) {
			fprintf(errf, "iog-report: %s: %s\n", deviations,
				strerror(e));
			goto out;
		}
		if (deviations_parse(deviations, dbuf, dlen, &dl, err,
				     sizeof(err))) {
			fprintf(errf, "iog-report: %s\n", err);
			goto out;
		}
	}
	root = ktap_parse(rbuf, rlen);
	if (!root || report_meta_parse(mbuf, mlen, &m) ||
	    report_console_tail(&m))
		goto oom;
	if (cut) {
		snprintf(err, sizeof(err),
			 "iog-report: %s: only the first %lu bytes were read",
			 raw, REPORT_RAW_MAX);
		if (ktap_add_diag(root, err))
			goto oom;
	}
	if (report_complete(root, &m))
		goto oom;
	if (deviations_apply(root, &dl, report_meta_get(&m, "kernel_release"),
			     report_meta_get(&m, "topology")) < 0)
		goto oom;
	ktap = ktap_write(root, &klen);
	if (!ktap || report_json(&json, root, &m) ||
	    report_markdown(&md, root, &m))
		goto oom;
	if (report_write_atomic(outdir, "report.ktap", ktap, klen, err,
				sizeof(err)) ||
	    report_write_atomic(outdir, "report.json", json.s, json.len, err,
				sizeof(err)) ||
	    report_write_atomic(outdir, "report.md", md.s, md.len, err,
				sizeof(err))) {
		fprintf(errf, "iog-report: %s\n", err);
		goto out;
	}
	report_print_failures(errf, root);
	report_summary(out, root, &m, outdir);
	ret = strcmp(report_verdict(root, &m), "PASS") ? 1 : 0;
	goto out;
oom:
	fprintf(errf, "iog-report: out of memory\n");
out:
	free(rbuf);
	free(mbuf);
	free(dbuf);
	deviations_free(&dl);
	free(ktap);
	ktap_free(root);
	report_meta_free(&m);
	report_buf_free(&json);
	report_buf_free(&md);
	return ret;
}
