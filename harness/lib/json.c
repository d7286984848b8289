// SPDX-License-Identifier: GPL-2.0-only
/*
 * Strict JSON parser: recursive descent over a byte buffer, bounded by a
 * nesting depth and an input size, so that neither the stack nor the
 * memory it uses depends on anything but those limits and the input's
 * length.  The policy is in json.h.
 */
#include "json.h"

#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Numbers quoted in messages are cut to this many characters. */
#define JSON_QUOTE_MAX 32

struct json_parser {
	const unsigned char *start, *p, *end;
	const unsigned char *line_start;
	size_t line;
	unsigned int depth, max_depth;
	bool allow_dups;
	bool failed;
	struct json_error *err;
};

static unsigned int json_sat(size_t n)
{
	return n > UINT_MAX ? UINT_MAX : (unsigned int)n;
}

/* Column of a position on the current line. */
static unsigned int json_col(const struct json_parser *ps,
			     const unsigned char *at)
{
	return at >= ps->line_start
		       ? json_sat((size_t)(at - ps->line_start) + 1)
		       : 1;
}

__attribute__((format(printf, 3, 4))) static void
json_fail(struct json_parser *ps, const unsigned char *at, const char *fmt, ...)
{
	struct json_error *e = ps->err;
	va_list ap;

	if (ps->failed)
		return;
	ps->failed = true;
	if (!e)
		return;
	e->offset = (size_t)(at - ps->start);
	e->line = json_sat(ps->line);
	e->column = json_col(ps, at);
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
}

static void json_oom(struct json_parser *ps)
{
	json_fail(ps, ps->p, "out of memory");
}

/* What is at a position, for messages: "'x'", "byte 0xff", "end of input". */
static const char *json_what(const struct json_parser *ps,
			     const unsigned char *at, char *buf, size_t n)
{
	if (at >= ps->end)
		return "end of input";
	if (*at > 0x20 && *at < 0x7f)
		snprintf(buf, n, "'%c'", *at);
	else if (*at == ' ')
		snprintf(buf, n, "a space");
	else if (*at == '\n')
		snprintf(buf, n, "a line break");
	else
		snprintf(buf, n, "byte 0x%02x", *at);
	return buf;
}

static void json_ws(struct json_parser *ps)
{
	while (ps->p < ps->end) {
		unsigned char c = *ps->p;

		if (c == '\n') {
			ps->line++;
			ps->line_start = ps->p + 1;
		} else if (c != ' ' && c != '\t' && c != '\r') {
			break;
		}
		ps->p++;
	}
}

static struct json_value *json_new(struct json_parser *ps, enum json_type t)
{
	struct json_value *v = calloc(1, sizeof(*v));

	if (!v) {
		json_oom(ps);
		return NULL;
	}
	v->type = t;
	v->line = json_sat(ps->line);
	v->column = json_col(ps, ps->p);
	return v;
}

/* Double the capacity of an array of size elements; false on overflow. */
static bool json_grow(void **arr, size_t *cap, size_t size)
{
	size_t ncap = *cap ? *cap * 2 : 8;
	void *n;

	if (ncap > SIZE_MAX / 2 / size)
		return false;
	n = realloc(*arr, ncap * size);
	if (!n)
		return false;
	*arr = n;
	*cap = ncap;
	return true;
}

/* ---- strings ---- */

/* Length of the valid UTF-8 sequence at s (before e), 0 if invalid. */
static size_t json_utf8_len(const unsigned char *s, const unsigned char *e)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n;

	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
	} else if (c == 0xe0) {
		n = 3;
		lo = 0xa0; /* no overlong forms */
	} else if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef) {
		n = 3;
	} else if (c == 0xed) {
		n = 3;
		hi = 0x9f; /* no surrogates */
	} else if (c == 0xf0) {
		n = 4;
		lo = 0x90;
	} else if (c >= 0xf1 && c <= 0xf3) {
		n = 4;
	} else if (c == 0xf4) {
		n = 4;
		hi = 0x8f; /* nothing above U+10FFFF */
	} else {
		return 0;
	}
	if ((size_t)(e - s) < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* Four hex digits at s (before e) as a number, or -1. */
static long json_hex4(const unsigned char *s, const unsigned char *e)
{
	long v = 0;

	if (e - s < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		unsigned char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static size_t json_put_utf8(char *o, unsigned long cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * The escape at q (a backslash) into o; returns the bytes written and
 * advances *qp past it, or returns 0 after json_fail().
 */
static size_t json_escape(struct json_parser *ps, const unsigned char **qp,
			  char *o, unsigned int oline, unsigned int ocol)
{
	static const char plain[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
	const unsigned char *q = *qp, *e = ps->end;
	char what[32];
	long cp, lo;

	if (q + 1 >= e) {
		json_fail(ps, e, "unterminated string (opened at %u:%u)", oline,
			  ocol);
		return 0;
	}
	if (q[1] != 'u') {
		for (size_t i = 0; i + 1 < sizeof(plain); i += 2) {
			if (q[1] == (unsigned char)plain[i]) {
				*o = plain[i + 1];
				*qp = q + 2;
				return 1;
			}
		}
		json_fail(ps, q, "invalid escape: '\\' followed by %s",
			  json_what(ps, q + 1, what, sizeof(what)));
		return 0;
	}
	cp = json_hex4(q + 2, e);
	if (cp < 0) {
		json_fail(ps, q, "invalid \\u escape: want 4 hex digits");
		return 0;
	}
	q += 6;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		lo = e - q >= 6 && q[0] == '\\' && q[1] == 'u'
			     ? json_hex4(q + 2, e)
			     : -1;
		if (lo < 0xdc00 || lo > 0xdfff) {
			json_fail(
				ps, *qp,
				"unpaired surrogate \\u%04lX: a high surrogate must be followed by a low one (\\uDC00-\\uDFFF)",
				cp);
			return 0;
		}
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		q += 6;
	} else if (cp >= 0xdc00 && cp <= 0xdfff) {
		json_fail(
			ps, *qp,
			"unpaired surrogate \\u%04lX: a low surrogate must follow a high one (\\uD800-\\uDBFF)",
			cp);
		return 0;
	}
	*qp = q;
	return json_put_utf8(o, (unsigned long)cp);
}

/* The string at ps->p (its opening quote) into *out, *outlen.  0 or -1. */
static int json_string(struct json_parser *ps, char **out, size_t *outlen)
{
	const unsigned char *q = ps->p + 1, *e = ps->end, *r;
	unsigned int oline = json_sat(ps->line), ocol = json_col(ps, ps->p);
	size_t raw, o = 0, n;
	char *buf;

	/* Its extent bounds the decoded length: no escape grows. */
	for (r = q; r < e && *r != '"'; r++)
		if (*r == '\\' && r + 1 < e)
			r++;
	raw = (size_t)(r - q);
	buf = malloc(raw + 1);
	if (!buf) {
		json_oom(ps);
		return -1;
	}
	for (;;) {
		unsigned char c;

		if (q >= e) {
			json_fail(ps, e,
				  "unterminated string (opened at %u:%u)",
				  oline, ocol);
			goto fail;
		}
		c = *q;
		if (c == '"')
			break;
		if (c == '\n') {
			json_fail(
				ps, q,
				"unescaped line break in the string opened at %u:%u (missing '\"'?)",
				oline, ocol);
			goto fail;
		}
		if (c < 0x20) {
			json_fail(
				ps, q,
				"unescaped control character 0x%02x in string",
				c);
			goto fail;
		}
		if (c == '\\') {
			char tmp[4];

			n = json_escape(ps, &q, tmp, oline, ocol);
			if (!n)
				goto fail;
			if (n > raw - o) /* cannot happen: see above */
				goto internal;
			memcpy(buf + o, tmp, n);
			o += n;
			continue;
		}
		if (c < 0x80) {
			n = 1;
		} else {
			n = json_utf8_len(q, e);
			if (!n) {
				json_fail(
					ps, q,
					"invalid UTF-8 in string: sequence starting with byte 0x%02x",
					c);
				goto fail;
			}
		}
		if (n > raw - o)
			goto internal;
		memcpy(buf + o, q, n);
		o += n;
		q += n;
	}
	buf[o] = '\0';
	ps->p = q + 1;
	*out = buf;
	*outlen = o;
	return 0;
internal:
	json_fail(ps, q, "internal error decoding the string");
fail:
	free(buf);
	return -1;
}

/* ---- numbers ---- */

static bool json_digit(const unsigned char *q, const unsigned char *e)
{
	return q < e && *q >= '0' && *q <= '9';
}

/* Text [s, s + n) of RFC syntax to a double, whatever the C locale. */
static int json_strtod(const unsigned char *s, size_t n, double *out)
{
	const char *dp = localeconv()->decimal_point;
	size_t dpl = dp && *dp ? strlen(dp) : 0, o = 0;
	char small[64], *t = small, *end;
	int ret = 0;

	if (!dpl) {
		dp = ".";
		dpl = 1;
	}
	if (n > (SIZE_MAX - 1) / dpl)
		return -1;
	if (n * dpl + 1 > sizeof(small)) {
		t = malloc(n * dpl + 1);
		if (!t)
			return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			memcpy(t + o, dp, dpl);
			o += dpl;
		} else {
			t[o++] = (char)s[i];
		}
	}
	t[o] = '\0';
	*out = strtod(t, &end);
	if (end != t + o)
		ret = -1;
	if (t != small)
		free(t);
	return ret;
}

static struct json_value *json_number(struct json_parser *ps)
{
	const unsigned char *s = ps->p, *q = ps->p, *e = ps->end;
	struct json_value *v;
	double d;

	if (*q == '-')
		q++;
	if (!json_digit(q, e)) {
		json_fail(ps, q, "invalid number: want a digit after '-'");
		return NULL;
	}
	if (*q == '0') {
		q++;
		if (json_digit(q, e)) {
			json_fail(
				ps, s,
				"invalid number: leading zeros are not allowed");
			return NULL;
		}
	} else {
		while (json_digit(q, e))
			q++;
	}
	if (q < e && *q == '.') {
		q++;
		if (!json_digit(q, e)) {
			json_fail(
				ps, q,
				"invalid number: want a digit after the decimal point");
			return NULL;
		}
		while (json_digit(q, e))
			q++;
	}
	if (q < e && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < e && (*q == '+' || *q == '-'))
			q++;
		if (!json_digit(q, e)) {
			json_fail(
				ps, q,
				"invalid number: want a digit in the exponent");
			return NULL;
		}
		while (json_digit(q, e))
			q++;
	}
	if (json_strtod(s, (size_t)(q - s), &d)) {
		json_fail(ps, s, "cannot convert the number (out of memory?)");
		return NULL;
	}
	if (!isfinite(d)) {
		size_t n = (size_t)(q - s);

		json_fail(ps, s, "number out of the range of a double: %.*s%s",
			  (int)(n > JSON_QUOTE_MAX ? JSON_QUOTE_MAX : n), s,
			  n > JSON_QUOTE_MAX ? "..." : "");
		return NULL;
	}
	v = json_new(ps, JSON_NUMBER);
	if (v)
		v->number = d;
	ps->p = q;
	return v;
}

/* ---- containers ---- */

static struct json_value *json_value(struct json_parser *ps);

static bool json_open(struct json_parser *ps)
{
	if (ps->depth >= ps->max_depth) {
		json_fail(ps, ps->p, "nesting deeper than %u levels",
			  ps->max_depth);
		return false;
	}
	ps->depth++;
	ps->p++;
	return true;
}

static void json_eof_in(struct json_parser *ps, const char *what,
			unsigned int line, unsigned int col)
{
	json_fail(ps, ps->p,
		  "unexpected end of input in the %s opened at %u:%u", what,
		  line, col);
}

/*
 * Skip whitespace in the container v, kind "array" or "object"; false,
 * with the error, at the end of input.
 */
static bool json_ws_in(struct json_parser *ps, const struct json_value *v,
		       const char *kind)
{
	json_ws(ps);
	if (ps->p < ps->end)
		return true;
	json_eof_in(ps, kind, v->line, v->column);
	return false;
}

/*
 * After an item (item: "an array item") of the container v: 1 past the
 * close that ends it, 0 past the ',' before the next item, -1 on an
 * error.  what: a buffer for the message.
 */
static int json_after_item(struct json_parser *ps, const struct json_value *v,
			   const char *kind, char close, const char *item,
			   char *what, size_t whatlen)
{
	if (!json_ws_in(ps, v, kind))
		return -1;
	if (*ps->p == close) {
		ps->p++;
		return 1;
	}
	if (*ps->p != ',') {
		json_fail(ps, ps->p, "want ',' or '%c' after %s, found %s",
			  close, item, json_what(ps, ps->p, what, whatlen));
		return -1;
	}
	ps->p++;
	return 0;
}

static struct json_value *json_array(struct json_parser *ps)
{
	struct json_value *v = json_new(ps, JSON_ARRAY), *item;
	size_t cap = 0;
	int r;
	char what[32];

	if (!v || !json_open(ps))
		goto fail;
	json_ws(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		goto done;
	}
	for (;;) {
		if (!json_ws_in(ps, v, "array"))
			goto fail;
		if (*ps->p == ']') {
			json_fail(ps, ps->p, "trailing comma before ']'");
			goto fail;
		}
		item = json_value(ps);
		if (!item)
			goto fail;
		if (v->len == cap &&
		    !json_grow((void **)&v->items, &cap, sizeof(*v->items))) {
			json_free(item);
			json_oom(ps);
			goto fail;
		}
		v->items[v->len++] = item;
		r = json_after_item(ps, v, "array", ']', "an array item", what,
				    sizeof(what));
		if (r < 0)
			goto fail;
		if (r)
			break;
	}
done:
	ps->depth--;
	return v;
fail:
	json_free(v);
	return NULL;
}

static bool json_key_eq(const struct json_member *m, const char *k, size_t n)
{
	return m->keylen == n && !memcmp(m->key, k, n);
}

static size_t json_hash(const char *k, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)k[i]) * 0x100000001b3ULL;
	return (size_t)(h ^ (h >> 32));
}

/* Open addressing over member indexes (+1; 0 is empty). */
struct json_keyset {
	size_t *slot;
	size_t cap;
};

/*
 * Add member idx of obj to the set.  Returns idx, the index of an earlier
 * member with the same key, or SIZE_MAX when memory runs out.
 */
static size_t json_keyset_add(struct json_keyset *ks,
			      const struct json_value *obj, size_t idx)
{
	const struct json_member *m = &obj->members[idx];
	size_t h;

	if ((idx + 1) > ks->cap / 2) {
		size_t ncap = ks->cap ? ks->cap * 2 : 16;
		size_t *ns;

		if (ncap > SIZE_MAX / 4 / sizeof(*ns))
			return SIZE_MAX;
		ns = calloc(ncap, sizeof(*ns));
		if (!ns)
			return SIZE_MAX;
		free(ks->slot);
		ks->slot = ns;
		ks->cap = ncap;
		for (size_t i = 0; i < idx; i++) {
			const struct json_member *o = &obj->members[i];

			h = json_hash(o->key, o->keylen) & (ncap - 1);
			while (ns[h])
				h = (h + 1) & (ncap - 1);
			ns[h] = i + 1;
		}
	}
	h = json_hash(m->key, m->keylen) & (ks->cap - 1);
	while (ks->slot[h]) {
		size_t o = ks->slot[h] - 1;

		if (json_key_eq(&obj->members[o], m->key, m->keylen))
			return o;
		h = (h + 1) & (ks->cap - 1);
	}
	ks->slot[h] = idx + 1;
	return idx;
}

/* A key for a message: printable ASCII as is, the rest as \xNN, cut. */
static void json_quote_key(const struct json_member *m, char *buf, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < m->keylen && o + 8 < n; i++) {
		unsigned char c = (unsigned char)m->key[i];

		if (o + 12 >= n && i + 1 < m->keylen) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, n - o, "\\x%02x", c);
	}
	buf[o] = '\0';
}

static struct json_value *json_object(struct json_parser *ps)
{
	struct json_value *v = json_new(ps, JSON_OBJECT);
	struct json_keyset ks = {0};
	struct json_member *m;
	const unsigned char *key;
	size_t cap = 0;
	char what[48];
	int r;

	if (!v || !json_open(ps))
		goto fail;
	json_ws(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		goto done;
	}
	for (;;) {
		if (!json_ws_in(ps, v, "object"))
			goto fail;
		if (*ps->p != '"') {
			if (*ps->p == '}')
				json_fail(ps, ps->p,
					  "trailing comma before '}'");
			else
				json_fail(
					ps, ps->p,
					"want a string as object key, found %s",
					json_what(ps, ps->p, what,
						  sizeof(what)));
			goto fail;
		}
		if (v->len == cap && !json_grow((void **)&v->members, &cap,
						sizeof(*v->members))) {
			json_oom(ps);
			goto fail;
		}
		m = &v->members[v->len];
		memset(m, 0, sizeof(*m));
		m->line = json_sat(ps->line);
		m->column = json_col(ps, ps->p);
		key = ps->p;
		if (json_string(ps, &m->key, &m->keylen))
			goto fail;
		v->len++; /* the key is owned from here on */
		if (!ps->allow_dups) {
			size_t first = json_keyset_add(&ks, v, v->len - 1);

			if (first == SIZE_MAX) {
				json_oom(ps);
				goto fail;
			}
			if (first != v->len - 1) {
				json_quote_key(m, what, sizeof(what));
				json_fail(
					ps, key,
					"duplicate key \"%s\" (first at %u:%u)",
					what, v->members[first].line,
					v->members[first].column);
				goto fail;
			}
		}
		if (!json_ws_in(ps, v, "object"))
			goto fail;
		if (*ps->p != ':') {
			json_fail(ps, ps->p,
				  "want ':' after an object key, found %s",
				  json_what(ps, ps->p, what, sizeof(what)));
			goto fail;
		}
		ps->p++;
		if (!json_ws_in(ps, v, "object"))
			goto fail;
		m->value = json_value(ps);
		if (!m->value)
			goto fail;
		r = json_after_item(ps, v, "object", '}', "an object member",
				    what, sizeof(what));
		if (r < 0)
			goto fail;
		if (r)
			break;
	}
done:
	free(ks.slot);
	ps->depth--;
	return v;
fail:
	free(ks.slot);
	json_free(v);
	return NULL;
}

/* ---- values ---- */

static struct json_value *json_literal(struct json_parser *ps, const char *word,
				       enum json_type t, bool b)
{
	size_t n = strlen(word);
	struct json_value *v;

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n)) {
		json_fail(ps, ps->p, "invalid literal: want '%s'", word);
		return NULL;
	}
	v = json_new(ps, t);
	if (v)
		v->boolean = b;
	ps->p += n;
	return v;
}

static struct json_value *json_value(struct json_parser *ps)
{
	struct json_value *v;
	char what[32];

	json_ws(ps);
	if (ps->p >= ps->end) {
		json_fail(ps, ps->p, "unexpected end of input: want a value");
		return NULL;
	}
	switch (*ps->p) {
	case '{':
		return json_object(ps);
	case '[':
		return json_array(ps);
	case '"':
		v = json_new(ps, JSON_STRING);
		if (v && json_string(ps, &v->string, &v->len)) {
			free(v);
			v = NULL;
		}
		return v;
	case 't':
		return json_literal(ps, "true", JSON_BOOL, true);
	case 'f':
		return json_literal(ps, "false", JSON_BOOL, false);
	case 'n':
		return json_literal(ps, "null", JSON_NULL, false);
	case '-':
	case '0' ... '9':
		return json_number(ps);
	case 'N':
	case 'I':
		json_fail(
			ps, ps->p,
			"unexpected %s: want a value (NaN and Infinity are not JSON)",
			json_what(ps, ps->p, what, sizeof(what)));
		return NULL;
	default:
		json_fail(ps, ps->p, "unexpected %s: want a value",
			  json_what(ps, ps->p, what, sizeof(what)));
		return NULL;
	}
}

struct json_value *json_parse(const char *buf, size_t len,
			      const struct json_options *opt,
			      struct json_error *err)
{
	struct json_parser ps = {0};
	size_t max_size =
		opt && opt->max_size ? opt->max_size : JSON_SIZE_DEFAULT;
	struct json_value *v;
	char what[32];

	if (err)
		memset(err, 0, sizeof(*err));
	if (!buf) {
		buf = "";
		len = 0;
	}
	ps.start = (const unsigned char *)buf;
	ps.p = ps.start;
	ps.line_start = ps.start;
	ps.line = 1;
	ps.end = ps.start + (len > max_size ? max_size : len);
	ps.max_depth =
		opt && opt->max_depth ? opt->max_depth : JSON_DEPTH_DEFAULT;
	if (ps.max_depth > JSON_DEPTH_MAX)
		ps.max_depth = JSON_DEPTH_MAX;
	ps.allow_dups = opt && opt->allow_duplicate_keys;
	ps.err = err;
	if (len > max_size) {
		/* Say where the limit falls. */
		for (const unsigned char *q = ps.start; q < ps.end; q++) {
			if (*q == '\n') {
				ps.line++;
				ps.line_start = q + 1;
			}
		}
		json_fail(&ps, ps.end,
			  "input of %zu bytes is larger than the limit of %zu",
			  len, max_size);
		return NULL;
	}
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3)) {
		json_fail(&ps, ps.p, "byte order mark (U+FEFF) is not allowed");
		return NULL;
	}
	v = json_value(&ps);
	if (!v)
		return NULL;
	json_ws(&ps);
	if (ps.p < ps.end) {
		json_fail(&ps, ps.p, "unexpected %s after the document",
			  json_what(&ps, ps.p, what, sizeof(what)));
		json_free(v);
		return NULL;
	}
	return v;
}

void json_free(struct json_value *v)
{
	if (!v)
		return;
	switch (v->type) {
	case JSON_STRING:
		free(v->string);
		break;
	case JSON_ARRAY:
		for (size_t i = 0; i < v->len; i++)
			json_free(v->items[i]);
		free(v->items);
		break;
	case JSON_OBJECT:
		for (size_t i = 0; i < v->len; i++) {
			free(v->members[i].key);
			json_free(v->members[i].value);
		}
		free(v->members);
		break;
	default:
		break;
	}
	free(v);
}

void json_error_format(const struct json_error *err, const char *file,
		       char *buf, size_t size)
{
	if (!size)
		return;
	if (!err) {
		snprintf(buf, size, "%s%sunknown error", file ? file : "",
			 file ? ": " : "");
		return;
	}
	if (!err->line)
		snprintf(buf, size, "%s%s%s", file ? file : "",
			 file ? ": " : "", err->message);
	else
		snprintf(buf, size, "%s%s%u:%u: %s", file ? file : "",
			 file ? ":" : "", err->line, err->column, err->message);
}

const char *json_type_name(enum json_type t)
{
	switch (t) {
	case JSON_NULL:
		return "null";
	case JSON_BOOL:
		return "boolean";
	case JSON_NUMBER:
		return "number";
	case JSON_STRING:
		return "string";
	case JSON_ARRAY:
		return "array";
	case JSON_OBJECT:
		return "object";
	}
	return "unknown";
}

/* ---- lookups ---- */

const struct json_value *json_get_n(const struct json_value *obj,
				    const char *key, size_t keylen)
{
	if (!obj || obj->type != JSON_OBJECT || !key)
		return NULL;
	for (size_t i = obj->len; i-- > 0;)
		if (json_key_eq(&obj->members[i], key, keylen))
			return obj->members[i].value;
	return NULL;
}

const struct json_value *json_get(const struct json_value *obj, const char *key)
{
	return key ? json_get_n(obj, key, strlen(key)) : NULL;
}

const struct json_value *json_at(const struct json_value *arr, size_t i)
{
	if (!arr || arr->type != JSON_ARRAY || i >= arr->len)
		return NULL;
	return arr->items[i];
}

size_t json_count(const struct json_value *v)
{
	if (!v || (v->type != JSON_ARRAY && v->type != JSON_OBJECT))
		return 0;
	return v->len;
}

bool json_is(const struct json_value *v, enum json_type t)
{
	return v && v->type == t;
}

const char *json_str(const struct json_value *v)
{
	return v && v->type == JSON_STRING ? v->string : NULL;
}

bool json_num(const struct json_value *v, double *out)
{
	if (!v || v->type != JSON_NUMBER)
		return false;
	if (out)
		*out = v->number;
	return true;
}

const char *json_get_str(const struct json_value *obj, const char *key,
			 const char *dflt)
{
	const char *s = json_str(json_get(obj, key));

	return s ? s : dflt;
}
