// SPDX-License-Identifier: GPL-2.0-only
/*
 * Run report: meta.txt, completion of the guest's KTAP tree, counts and
 * verdict.  The guest's stream says what ran; meta.txt says how the run
 * ended.  A stream cut short by a timeout or a crash must still read as a
 * failure, so completion fills in every result the guest could not print.
 */
#include "report_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* More distinct meta keys than this are ignored. */
#define REPORT_META_KEYS_MAX 1024

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

int report_meta_set(struct report_meta *m, const char *k, size_t kl,
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

const char *report_status(const struct report_meta *m)
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

void report_display_name(struct report_buf *b, const struct ktap_node *n)
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

void report_walk(const struct ktap_node *n, report_visit_fn fn, void *ctx)
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
const char *report_verdict(const struct ktap_node *root,
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

const char *report_release(const struct ktap_node *root,
			   const struct report_meta *m)
{
	static const char *const keys[] = {"kernel_release", "release",
					   "uname_r", "kernel"};
	const char *s = report_meta_get(m, "kernel_release");

	for (size_t i = 0; (!s || !*s) && i < sizeof(keys) / sizeof(*keys); i++)
		s = ktap_fact(root, keys[i]);
	return s && *s ? s : NULL;
}
