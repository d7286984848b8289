// SPDX-License-Identifier: GPL-2.0-only
/*
 * The JSON parser make compare reads reports with (harness/lib/json.c),
 * under its default policy and under a shallow one that allows duplicate
 * keys.  Properties:
 * - an error has a message and a position inside the input;
 * - an accepted document, written back out with report_json.c's
 *   string writer and %.17g numbers, parses into an equal tree;
 * - every key of an object is found by json_get, as its last occurrence.
 */
#include "fuzz.h"

#include <math.h>

#include "json.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void write_value(struct report_buf *b, const struct json_value *v)
{
	switch (v->type) {
	case JSON_NULL:
		report_buf_puts(b, "null");
		break;
	case JSON_BOOL:
		report_buf_puts(b, v->boolean ? "true" : "false");
		break;
	case JSON_NUMBER:
		FUZZ_ASSERT(isfinite(v->number), "number not finite");
		report_buf_printf(b, "%.17g", v->number);
		break;
	case JSON_STRING:
		report_json_string_n(b, v->string, v->len);
		break;
	case JSON_ARRAY:
		report_buf_puts(b, "[");
		for (size_t i = 0; i < v->len; i++) {
			if (i)
				report_buf_puts(b, ",");
			write_value(b, v->items[i]);
		}
		report_buf_puts(b, "]");
		break;
	case JSON_OBJECT:
		report_buf_puts(b, "{");
		for (size_t i = 0; i < v->len; i++) {
			const struct json_member *m = &v->members[i];
			const struct json_value *last = NULL;

			for (size_t k = 0; k < v->len; k++)
				if (v->members[k].keylen == m->keylen &&
				    !memcmp(v->members[k].key, m->key,
					    m->keylen))
					last = v->members[k].value;
			FUZZ_ASSERT(json_get_n(v, m->key, m->keylen) == last,
				    "json_get_n misses key %zu", i);
			if (i)
				report_buf_puts(b, ",");
			report_json_string_n(b, m->key, m->keylen);
			report_buf_puts(b, ":");
			write_value(b, m->value);
		}
		report_buf_puts(b, "}");
		break;
	}
}

static bool equal(const struct json_value *a, const struct json_value *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case JSON_NULL:
		return true;
	case JSON_BOOL:
		return a->boolean == b->boolean;
	case JSON_NUMBER:
		return a->number == b->number;
	case JSON_STRING:
		return a->len == b->len &&
		       !memcmp(a->string, b->string, a->len);
	case JSON_ARRAY:
		if (a->len != b->len)
			return false;
		for (size_t i = 0; i < a->len; i++)
			if (!equal(a->items[i], b->items[i]))
				return false;
		return true;
	case JSON_OBJECT:
		if (a->len != b->len)
			return false;
		for (size_t i = 0; i < a->len; i++)
			if (a->members[i].keylen != b->members[i].keylen ||
			    memcmp(a->members[i].key, b->members[i].key,
				   a->members[i].keylen) ||
			    !equal(a->members[i].value, b->members[i].value))
				return false;
		return true;
	}
	return false;
}

static void one(const uint8_t *data, size_t size, const struct json_options *o)
{
	struct report_buf b = {0};
	struct json_value *v, *again;
	struct json_error e;
	char msg[256];

	v = json_parse((const char *)data, size, o, &e);
	if (!v) {
		FUZZ_ASSERT(e.message[0] &&
				    memchr(e.message, 0, sizeof(e.message)),
			    "error without a message");
		FUZZ_ASSERT(
			e.offset <= size && e.line >= 1 && e.column >= 1,
			"error at offset %zu line %u column %u of %zu bytes",
			e.offset, e.line, e.column, size);
		json_error_format(&e, "fuzz.json", msg, sizeof(msg));
		return;
	}
	write_value(&b, v);
	FUZZ_ASSERT(!b.oom, "out of memory");
	again = json_parse(b.s, b.len, o, &e);
	FUZZ_ASSERT(again, "own output refused: %u:%u: %s\n%s", e.line,
		    e.column, e.message, b.s);
	FUZZ_ASSERT(equal(v, again), "written back differently:\n%s", b.s);
	json_free(again);
	json_free(v);
	report_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct json_options shallow = {
		.max_depth = 8,
		.allow_duplicate_keys = true,
	};

	fuzz_selftest(data, size);
	one(data, size, NULL);
	one(data, size, &shallow);
	return 0;
}
