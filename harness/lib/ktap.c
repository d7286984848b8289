// SPDX-License-Identifier: GPL-2.0-only
/*
 * KTAP version 1 reader and writer.
 *
 * Reading keeps one frame per indentation level.  A frame holds the node
 * whose subtests live at that level (the owner), the node whose indented
 * block is being read but whose result line has not come yet (pending),
 * and the diagnostic lines and metrics seen since the last result line at
 * that level.  A result line at level d takes the pending node (or a new
 * one) and the held lines.  Frames deeper than the current line stay as
 * they are, so a stray line at a lower level does not cut a block in two.
 * When a node gets its result line, or at the end of the input, the frames
 * below it are closed: a pending node there never got its result line
 * (KTAP_NONE), and held lines go to the frame's owner.
 *
 * Every rule above is mirrored by the writer, so reading what it wrote
 * gives an equal tree.
 */
#include "ktap.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool ktap_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Arrays grow to the next power of two, so no capacity field is needed. */
static int ktap_grow(void **arr, size_t n, size_t size)
{
	void *p;

	if (n & (n - 1))
		return 0;
	if (n > SIZE_MAX / 2 / size)
		return -1;
	p = realloc(*arr, (n ? n * 2 : 1) * size);
	if (!p)
		return -1;
	*arr = p;
	return 0;
}

/*
 * A field of at most KTAP_FIELD_MAX bytes: optionally without leading
 * blanks, always without trailing ones.
 */
static char *ktap_field(const char *s, size_t n, bool ltrim)
{
	while (ltrim && n && ktap_ws(*s)) {
		s++;
		n--;
	}
	if (n > KTAP_FIELD_MAX)
		n = KTAP_FIELD_MAX;
	while (n && ktap_ws(s[n - 1]))
		n--;
	return strndup(s, n);
}

/*
 * A test name: up to any '#', trimmed, without TAP's "- " separator.
 * Newlines cannot occur in parsed text; built names may carry them.
 */
static char *ktap_name_field(const char *s, size_t n)
{
	const char *h = memchr(s, '#', n);
	char *r;

	if (h)
		n = (size_t)(h - s);
	for (;;) {
		while (n && ktap_ws(*s)) {
			s++;
			n--;
		}
		if (n && *s == '-' && (n == 1 || ktap_ws(s[1]))) {
			s++;
			n--;
			continue;
		}
		break;
	}
	r = ktap_field(s, n, true);
	for (char *c = r; c && *c; c++)
		if (*c == '\n')
			*c = ' ';
	return r;
}

const char *ktap_result_name(enum ktap_result r)
{
	switch (r) {
	case KTAP_PASS:
		return "pass";
	case KTAP_FAIL:
		return "fail";
	case KTAP_SKIP:
		return "skip";
	case KTAP_XFAIL:
		return "xfail";
	case KTAP_TIMEOUT:
		return "timeout";
	case KTAP_ERROR:
		return "error";
	default:
		return "none";
	}
}

bool ktap_result_ok(enum ktap_result r)
{
	return r == KTAP_PASS || r == KTAP_SKIP || r == KTAP_XFAIL;
}

struct ktap_node *ktap_node_new(const char *name)
{
	struct ktap_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->plan = -1;
	n->name = ktap_name_field(name ? name : "", name ? strlen(name) : 0);
	n->reason = strdup("");
	if (!n->name || !n->reason) {
		ktap_free(n);
		return NULL;
	}
	return n;
}

void ktap_free(struct ktap_node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nchildren; i++)
		ktap_free(n->children[i]);
	free(n->children);
	for (size_t i = 0; i < n->ndiags; i++)
		free(n->diags[i]);
	free(n->diags);
	for (size_t i = 0; i < n->nmetrics; i++) {
		free(n->metrics[i].name);
		free(n->metrics[i].unit);
	}
	free(n->metrics);
	for (size_t i = 0; i < n->nfacts; i++) {
		free(n->facts[i].key);
		free(n->facts[i].value);
	}
	free(n->facts);
	free(n->name);
	free(n->reason);
	free(n);
}

int ktap_add_child(struct ktap_node *parent, struct ktap_node *child)
{
	if (ktap_grow((void **)&parent->children, parent->nchildren,
		      sizeof(*parent->children)))
		return -1;
	parent->children[parent->nchildren++] = child;
	return 0;
}

/* Takes ownership of text (already a field). */
static int ktap_push_diag(struct ktap_node *n, char *text)
{
	if (!text || ktap_grow((void **)&n->diags, n->ndiags, sizeof(char *))) {
		free(text);
		return -1;
	}
	n->diags[n->ndiags++] = text;
	return 0;
}

int ktap_add_diag(struct ktap_node *n, const char *text)
{
	char *t = ktap_field(text, strlen(text), false);

	for (char *c = t; c && *c; c++)
		if (*c == '\n')
			*c = ' ';
	return ktap_push_diag(n, t);
}

/* Takes ownership of name and unit. */
static int ktap_push_metric(struct ktap_node *n, char *name, double value,
			    char *unit)
{
	if (!name || !unit ||
	    ktap_grow((void **)&n->metrics, n->nmetrics, sizeof(*n->metrics))) {
		free(name);
		free(unit);
		return -1;
	}
	n->metrics[n->nmetrics].name = name;
	n->metrics[n->nmetrics].value = value;
	n->metrics[n->nmetrics].unit = unit;
	n->nmetrics++;
	return 0;
}

int ktap_add_metric(struct ktap_node *n, const char *name, double value,
		    const char *unit)
{
	return ktap_push_metric(
		n, ktap_field(name, strlen(name), true), value,
		ktap_field(unit ? unit : "", unit ? strlen(unit) : 0, true));
}

static int ktap_push_fact(struct ktap_node *root, char *key, char *value)
{
	if (!key || !value ||
	    ktap_grow((void **)&root->facts, root->nfacts,
		      sizeof(*root->facts))) {
		free(key);
		free(value);
		return -1;
	}
	root->facts[root->nfacts].key = key;
	root->facts[root->nfacts].value = value;
	root->nfacts++;
	return 0;
}

int ktap_add_fact(struct ktap_node *root, const char *key, const char *value)
{
	return ktap_push_fact(root, ktap_field(key, strlen(key), true),
			      ktap_field(value ? value : "",
					 value ? strlen(value) : 0, true));
}

int ktap_set_name(struct ktap_node *n, const char *name)
{
	char *s = ktap_name_field(name, strlen(name));

	if (!s)
		return -1;
	free(n->name);
	n->name = s;
	return 0;
}

int ktap_set_reason(struct ktap_node *n, const char *reason)
{
	char *s = ktap_field(reason, strlen(reason), true);

	if (!s)
		return -1;
	for (char *c = s; *c; c++)
		if (*c == '\n')
			*c = ' ';
	free(n->reason);
	n->reason = s;
	return 0;
}

const char *ktap_fact(const struct ktap_node *root, const char *key)
{
	for (size_t i = root->nfacts; i-- > 0;)
		if (!strcmp(root->facts[i].key, key))
			return root->facts[i].value;
	return NULL;
}

/* ---- reader ---- */

struct ktap_frame {
	struct ktap_node *owner;
	struct ktap_node *pending;
	struct ktap_node held; /* only diags and metrics are used */
};

struct ktap_reader {
	struct ktap_node *root;
	struct ktap_frame f[KTAP_DEPTH_MAX + 2];
	int nvalid; /* frames 0..nvalid-1 are in use */
	bool oom;
};

/* Move held diagnostics and metrics to the end of dst's. */
static void ktap_move_held(struct ktap_reader *r, struct ktap_node *held,
			   struct ktap_node *dst)
{
	for (size_t i = 0; i < held->ndiags; i++)
		if (ktap_push_diag(dst, held->diags[i]))
			r->oom = true;
	for (size_t i = 0; i < held->nmetrics; i++)
		if (ktap_push_metric(dst, held->metrics[i].name,
				     held->metrics[i].value,
				     held->metrics[i].unit))
			r->oom = true;
	free(held->diags);
	free(held->metrics);
	held->diags = NULL;
	held->ndiags = 0;
	held->metrics = NULL;
	held->nmetrics = 0;
}

/* Close frames k and deeper, deepest first. */
static void ktap_close_frames(struct ktap_reader *r, int k)
{
	for (int j = r->nvalid - 1; j >= k; j--) {
		struct ktap_frame *f = &r->f[j];

		if (f->pending) {
			if (ktap_add_child(f->owner, f->pending)) {
				ktap_free(f->pending);
				r->oom = true;
			}
			f->pending = NULL;
		}
		ktap_move_held(r, &f->held, f->owner);
		f->owner = NULL;
	}
	if (r->nvalid > k)
		r->nvalid = k;
}

/* Make frames 0..d usable, opening blocks for pending nodes. */
static int ktap_enter(struct ktap_reader *r, int d)
{
	for (int k = r->nvalid; k <= d; k++) {
		struct ktap_frame *up = &r->f[k - 1];

		if (!up->pending) {
			up->pending = ktap_node_new(NULL);
			if (!up->pending)
				return -1;
		}
		up->pending->nested = true;
		memset(&r->f[k], 0, sizeof(r->f[k]));
		r->f[k].owner = up->pending;
		r->nvalid = k + 1;
	}
	return 0;
}

static int ktap_pending(struct ktap_frame *f)
{
	if (!f->pending)
		f->pending = ktap_node_new(NULL);
	return f->pending ? 0 : -1;
}

/* Parse a decimal int; -1 if not all digits or too large. */
static long ktap_int(const char *s, size_t n)
{
	long v = 0;

	if (!n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
		if (v > INT32_MAX)
			return -1;
	}
	return v;
}

static size_t ktap_span(const char *s, bool ws)
{
	size_t i = 0;

	while (s[i] && ktap_ws(s[i]) == ws)
		i++;
	return i;
}

static bool ktap_word(const char *s, const char *w)
{
	size_t n = strlen(w);

	return !strncmp(s, w, n) && (!s[n] || ktap_ws(s[n]));
}

/* "ok ..." or "not ok ..."; returns false if the line is not one. */
static bool ktap_result_line(struct ktap_reader *r, int d, const char *s)
{
	static const struct {
		const char *word;
		enum ktap_result res;
	} dirs[] = {
		{"SKIP", KTAP_SKIP},   {"XFAIL", KTAP_XFAIL},
		{"TODO", KTAP_XFAIL},  {"TIMEOUT", KTAP_TIMEOUT},
		{"ERROR", KTAP_ERROR},
	};
	struct ktap_frame *f;
	struct ktap_node *n;
	const char *desc, *hash;
	char *name, *reason;
	bool ok = true;
	enum ktap_result res;
	long num = 0;
	size_t k;

	if (ktap_word(s, "not")) {
		s += 3;
		s += ktap_span(s, true);
		ok = false;
	}
	if (!ktap_word(s, "ok"))
		return false;
	s += 2;
	s += ktap_span(s, true);
	k = strspn(s, "0123456789");
	if (k && (!s[k] || ktap_ws(s[k]) || s[k] == '#')) {
		num = ktap_int(s, k);
		if (num >= 0)
			s += k;
		else
			num = 0;
	}
	desc = s;
	hash = strchr(desc, '#');
	name = ktap_name_field(desc,
			       hash ? (size_t)(hash - desc) : strlen(desc));
	res = ok ? KTAP_PASS : KTAP_FAIL;
	if (hash) {
		const char *dt = hash + 1 + ktap_span(hash + 1, true);
		size_t wl = strcspn(dt, " \t\r\v\f");
		size_t cmp = wl && dt[wl - 1] == ':' ? wl - 1 : wl;

		reason = NULL;
		for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
			if (cmp == strlen(dirs[i].word) &&
			    !strncasecmp(dt, dirs[i].word, cmp)) {
				res = dirs[i].res;
				reason = ktap_field(dt + wl, strlen(dt + wl),
						    true);
				break;
			}
		if (res == KTAP_PASS || res == KTAP_FAIL)
			reason = ktap_field(dt, strlen(dt), true);
	} else {
		reason = strdup("");
	}
	if (!name || !reason || ktap_enter(r, d) || ktap_pending(&r->f[d]))
		goto oom;
	f = &r->f[d];
	n = f->pending;
	ktap_close_frames(r, d + 1);
	f->pending = NULL;
	ktap_move_held(r, &f->held, n);
	/* A block's "# Subtest:" name stands in for a missing one. */
	if (name[0]) {
		free(n->name);
		n->name = name;
		name = NULL;
	}
	free(n->reason);
	n->reason = reason;
	reason = NULL;
	n->number = (int)num;
	n->result = res;
	if (ktap_add_child(f->owner, n)) {
		ktap_free(n);
		goto oom;
	}
	free(name);
	return true;
oom:
	free(name);
	free(reason);
	r->oom = true;
	return true;
}

static void ktap_text_line(struct ktap_reader *r, int d, const char *text);

/* "1..N" with an optional "# comment"; false if not a plan line. */
static bool ktap_plan_line(struct ktap_reader *r, int d, const char *s)
{
	size_t k;
	long n;

	if (strncmp(s, "1..", 3))
		return false;
	k = strspn(s + 3, "0123456789");
	n = ktap_int(s + 3, k);
	if (n < 0)
		return false;
	s += 3 + k;
	s += ktap_span(s, true);
	if (*s && *s != '#')
		return false;
	if (ktap_enter(r, d)) {
		r->oom = true;
		return true;
	}
	r->f[d].owner->plan = (int)n;
	if (*s) {
		s++;
		if (*s == ' ')
			s++;
		ktap_text_line(r, d, s);
	}
	return true;
}

static bool ktap_metric_text(const char *s, struct ktap_node *held)
{
	const char *name, *val;
	size_t nl, vl;
	char vbuf[64];
	char *end;
	double v;

	name = s + ktap_span(s, true);
	nl = ktap_span(name, false);
	val = name + nl + ktap_span(name + nl, true);
	vl = ktap_span(val, false);
	if (!nl || !vl || vl >= sizeof(vbuf))
		return false;
	memcpy(vbuf, val, vl);
	vbuf[vl] = '\0';
	v = strtod(vbuf, &end);
	if (*end || !isfinite(v))
		return false;
	s = val + vl;
	/* held->metrics is only read back by ktap_move_held(). */
	ktap_push_metric(held, ktap_field(name, nl, false), v,
			 ktap_field(s, strlen(s), true));
	return true;
}

/* A non-structural line: special comments, else a diagnostic. */
static void ktap_text_line(struct ktap_reader *r, int d, const char *text)
{
	struct ktap_frame *f;

	if (ktap_enter(r, d)) {
		r->oom = true;
		return;
	}
	f = &r->f[d];
	if (!strncmp(text, "Subtest:", 8)) {
		struct ktap_node *n = f->owner;
		char *name;

		if (d == 0) {
			if (ktap_pending(f)) {
				r->oom = true;
				return;
			}
			n = f->pending;
		}
		name = ktap_name_field(text + 8, strlen(text + 8));
		if (!name) {
			r->oom = true;
			return;
		}
		free(n->name);
		n->name = name;
		return;
	}
	if (d == 0 && !strncmp(text, "iog:", 4)) {
		const char *k = text + 4 + ktap_span(text + 4, true);
		size_t kl = ktap_span(k, false);

		if (kl) {
			const char *v = k + kl;

			if (ktap_push_fact(r->root, ktap_field(k, kl, false),
					   ktap_field(v, strlen(v), true)))
				r->oom = true;
			return;
		}
	}
	if (!strncmp(text, "metric:", 7)) {
		size_t before = f->held.nmetrics;

		if (ktap_metric_text(text + 7, &f->held)) {
			if (f->held.nmetrics == before)
				r->oom = true;
			return;
		}
	}
	if (ktap_push_diag(&f->held, ktap_field(text, strlen(text), false)))
		r->oom = true;
}

static void ktap_line(struct ktap_reader *r, int d, const char *s)
{
	if (s[0] == '#') {
		s++;
		if (*s == ' ')
			s++;
		ktap_text_line(r, d, s);
		return;
	}
	if (!strncmp(s, "KTAP version", 12) || !strncmp(s, "TAP version", 11)) {
		if (ktap_enter(r, d))
			r->oom = true;
		return;
	}
	if (ktap_plan_line(r, d, s) || ktap_result_line(r, d, s))
		return;
	ktap_text_line(r, d, s);
}

struct ktap_node *ktap_parse(const char *buf, size_t len)
{
	struct ktap_reader r = {0};
	char *line = malloc(KTAP_LINE_MAX + 1);
	size_t off = 0;

	r.root = ktap_node_new(NULL);
	if (!line || !r.root) {
		free(line);
		ktap_free(r.root);
		return NULL;
	}
	r.f[0].owner = r.root;
	r.nvalid = 1;
	if (!buf)
		len = 0;
	while (off < len && !r.oom) {
		size_t spaces = 0, n = 0;
		bool indent = true;
		int d;

		/* NULs are dropped: serial lines often start with one. */
		for (; off < len && buf[off] != '\n'; off++) {
			char c = buf[off];

			if (!c)
				continue;
			if (indent && c == ' ') {
				spaces++;
				continue;
			}
			if (indent && ktap_ws(c))
				continue;
			indent = false;
			if (n < KTAP_LINE_MAX)
				line[n++] = c;
		}
		off++;
		while (n && ktap_ws(line[n - 1]))
			n--;
		line[n] = '\0';
		if (!n)
			continue;
		d = spaces / 4 > KTAP_DEPTH_MAX ? KTAP_DEPTH_MAX
						: (int)(spaces / 4);
		ktap_line(&r, d, line);
	}
	ktap_close_frames(&r, 0);
	free(line);
	if (r.oom) {
		ktap_free(r.root);
		return NULL;
	}
	return r.root;
}

/* ---- writer ---- */

struct ktap_out {
	char *s;
	size_t len, cap;
	bool oom;
};

__attribute__((format(printf, 3, 4))) static void
ktap_out(struct ktap_out *o, int level, const char *fmt, ...)
{
	size_t ind = (size_t)level * 4, need;
	va_list ap;
	int n;

	if (o->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		o->oom = true;
		return;
	}
	need = o->len + ind + (size_t)n + 2;
	if (need > o->cap) {
		size_t ncap = o->cap ? o->cap : 4096;
		char *ns;

		while (ncap < need)
			ncap *= 2;
		ns = realloc(o->s, ncap);
		if (!ns) {
			o->oom = true;
			return;
		}
		o->s = ns;
		o->cap = ncap;
	}
	memset(o->s + o->len, ' ', ind);
	va_start(ap, fmt);
	vsnprintf(o->s + o->len + ind, (size_t)n + 1, fmt, ap);
	va_end(ap);
	o->len += ind + (size_t)n;
	o->s[o->len++] = '\n';
	o->s[o->len] = '\0';
}

/* Shortest %g form that reads back as the same double. */
static void ktap_fmt_double(char *buf, size_t n, double v)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, n, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

static void ktap_write_lines(struct ktap_out *o, int level,
			     const struct ktap_node *n)
{
	char v[40];

	for (size_t i = 0; i < n->ndiags; i++)
		ktap_out(o, level, "# %s", n->diags[i]);
	for (size_t i = 0; i < n->nmetrics; i++) {
		ktap_fmt_double(v, sizeof(v), n->metrics[i].value);
		ktap_out(o, level, "# metric: %s %s%s%s", n->metrics[i].name, v,
			 n->metrics[i].unit[0] ? " " : "", n->metrics[i].unit);
	}
}

static bool ktap_has_block(const struct ktap_node *n)
{
	return n->nested || n->nchildren || n->plan >= 0;
}

static void ktap_write_node(struct ktap_out *o, int level,
			    const struct ktap_node *n)
{
	const char *dir = NULL;

	if (level > KTAP_DEPTH_MAX)
		level = KTAP_DEPTH_MAX;
	if (ktap_has_block(n)) {
		ktap_out(o, level + 1, "KTAP version 1");
		ktap_out(o, level + 1, "# Subtest:%s%s", n->name[0] ? " " : "",
			 n->name);
		if (n->plan >= 0)
			ktap_out(o, level + 1, "1..%d", n->plan);
		for (size_t i = 0; i < n->nchildren; i++)
			ktap_write_node(o, level + 1, n->children[i]);
		ktap_write_lines(o, level + 1, n);
	} else {
		ktap_write_lines(o, level, n);
	}
	switch (n->result) {
	case KTAP_NONE:
		/* Only "# Subtest:" at the top level opens a bare node. */
		if (!ktap_has_block(n) && level == 0)
			ktap_out(o, 0, "# Subtest:%s%s", n->name[0] ? " " : "",
				 n->name);
		return;
	case KTAP_SKIP:
		dir = "SKIP";
		break;
	case KTAP_XFAIL:
		dir = "XFAIL";
		break;
	case KTAP_TIMEOUT:
		dir = "TIMEOUT";
		break;
	case KTAP_ERROR:
		dir = "ERROR";
		break;
	default:
		break;
	}
	ktap_out(o, level, "%s %d%s%s%s%s%s%s",
		 ktap_result_ok(n->result) ? "ok" : "not ok", n->number,
		 n->name[0] ? " " : "", n->name,
		 dir || n->reason[0] ? " # " : "", dir ? dir : "",
		 dir && n->reason[0] ? " " : "", n->reason);
}

char *ktap_write(const struct ktap_node *root, size_t *len)
{
	struct ktap_out o = {0};

	ktap_out(&o, 0, "KTAP version 1");
	if (root->plan >= 0)
		ktap_out(&o, 0, "1..%d", root->plan);
	for (size_t i = 0; i < root->nfacts; i++)
		ktap_out(&o, 0, "# iog: %s%s%s", root->facts[i].key,
			 root->facts[i].value[0] ? " " : "",
			 root->facts[i].value);
	for (size_t i = 0; i < root->nchildren; i++)
		ktap_write_node(&o, 0, root->children[i]);
	ktap_write_lines(&o, 0, root);
	if (o.oom) {
		free(o.s);
		return NULL;
	}
	if (len)
		*len = o.len;
	return o.s;
}

bool ktap_equal(const struct ktap_node *a, const struct ktap_node *b)
{
	if (strcmp(a->name, b->name) || a->number != b->number ||
	    a->result != b->result || strcmp(a->reason, b->reason) ||
	    a->plan != b->plan || ktap_has_block(a) != ktap_has_block(b) ||
	    a->ndiags != b->ndiags || a->nmetrics != b->nmetrics ||
	    a->nchildren != b->nchildren || a->nfacts != b->nfacts)
		return false;
	for (size_t i = 0; i < a->ndiags; i++)
		if (strcmp(a->diags[i], b->diags[i]))
			return false;
	for (size_t i = 0; i < a->nmetrics; i++)
		if (strcmp(a->metrics[i].name, b->metrics[i].name) ||
		    a->metrics[i].value != b->metrics[i].value ||
		    strcmp(a->metrics[i].unit, b->metrics[i].unit))
			return false;
	for (size_t i = 0; i < a->nfacts; i++)
		if (strcmp(a->facts[i].key, b->facts[i].key) ||
		    strcmp(a->facts[i].value, b->facts[i].value))
			return false;
	for (size_t i = 0; i < a->nchildren; i++)
		if (!ktap_equal(a->children[i], b->children[i]))
			return false;
	return true;
}
