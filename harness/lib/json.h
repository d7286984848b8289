// SPDX-License-Identifier: GPL-2.0-only
/*
 * A small, strict JSON (RFC 8259) parser into a tree, for reading the
 * reports this package writes.  It takes any bytes and never crashes: what
 * is not JSON is an error with the line and column of the first problem.
 *
 * Policy:
 * - exactly one value, surrounded by optional whitespace (space, tab, CR,
 *   LF); no comments, no trailing commas, no byte order mark;
 * - strings must be valid UTF-8 (no overlong forms, no encoded surrogates,
 *   nothing above U+10FFFF) and hold no unescaped control characters;
 *   \uXXXX escapes are decoded to UTF-8, surrogate pairs combined, and a
 *   lone surrogate is an error; \u0000 is kept (see json_value.len);
 * - numbers follow the RFC grammar (no leading zeros, "+", "." or NaN) and
 *   are converted to double; one beyond double's range is an error, one
 *   too small for it becomes 0;
 * - duplicate object keys are an error unless allowed by the options;
 *   then lookups find the last one;
 * - nesting deeper than max_depth and input longer than max_size are
 *   errors.
 *
 * Lines count from 1 at each LF; columns count bytes from 1.
 */
#ifndef IOG_JSON_H
#define IOG_JSON_H

#include <stdbool.h>
#include <stddef.h>

/* Defaults when no options are given, and the largest depth accepted. */
#define JSON_DEPTH_DEFAULT 128
#define JSON_DEPTH_MAX 1000
#define JSON_SIZE_DEFAULT (256UL * 1024 * 1024)
#define JSON_MESSAGE_MAX 160

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json_member;

struct json_value {
	enum json_type type;
	/* Where the value starts (1-based; saturates at UINT_MAX). */
	unsigned int line, column;
	bool boolean; /* JSON_BOOL */
	double number; /* JSON_NUMBER: always finite */
	/*
	 * JSON_STRING: UTF-8, NUL-terminated; it may hold NUL bytes of its
	 * own (from \u0000), len tells.
	 */
	char *string;
	/* Bytes of string, items of an array, members of an object. */
	size_t len;
	struct json_value **items; /* JSON_ARRAY */
	struct json_member *members; /* JSON_OBJECT, in document order */
};

struct json_member {
	char *key; /* like json_value.string */
	size_t keylen;
	unsigned int line, column; /* of the key */
	struct json_value *value;
};

struct json_options {
	unsigned int max_depth; /* 0: JSON_DEPTH_DEFAULT; capped at _MAX */
	size_t max_size; /* 0: JSON_SIZE_DEFAULT */
	bool allow_duplicate_keys;
};

struct json_error {
	size_t offset; /* byte offset of the problem */
	unsigned int line, column; /* 1-based, as above */
	char message[JSON_MESSAGE_MAX];
};

/*
 * Parse len bytes of buf (no terminating NUL needed; buf may be NULL when
 * len is 0).  opt may be NULL for the defaults.  Returns the root value,
 * or NULL with err filled in (err may be NULL).  Running out of memory is
 * an error like any other ("out of memory").
 */
struct json_value *json_parse(const char *buf, size_t len,
			      const struct json_options *opt,
			      struct json_error *err);

/* Free a tree from json_parse(); NULL is fine. */
void json_free(struct json_value *v);

/* "FILE:LINE:COLUMN: MESSAGE" (without FILE and its colon when NULL). */
void json_error_format(const struct json_error *err, const char *file,
		       char *buf, size_t size);

/* "null", "boolean", "number", "string", "array", "object". */
const char *json_type_name(enum json_type t);

/* ---- lookups: each takes NULL and values of any type ---- */

/* Member of an object by key (the last one with duplicates), or NULL. */
const struct json_value *json_get(const struct json_value *obj,
				  const char *key);
const struct json_value *json_get_n(const struct json_value *obj,
				    const char *key, size_t keylen);
/* Item i of an array, or NULL. */
const struct json_value *json_at(const struct json_value *arr, size_t i);
/* Items of an array or members of an object; 0 for anything else. */
size_t json_count(const struct json_value *v);
bool json_is(const struct json_value *v, enum json_type t);
/* The string of a string value, else NULL. */
const char *json_str(const struct json_value *v);
/* The number of a number value into *out (if out): true, else false. */
bool json_num(const struct json_value *v, double *out);
/* json_str(json_get(obj, key)), or dflt when that is NULL. */
const char *json_get_str(const struct json_value *obj, const char *key,
			 const char *dflt);

#endif /* IOG_JSON_H */
