// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the JSON parser (harness/lib/json.c): valid documents,
 * each class of error with its line and column, escapes and UTF-8, limits,
 * and that whatever report_json.c writes parses back.
 */
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "json.h"
#include "ktap.h"
#include "report.h"

/* Leaks are checked inside each test: the harness child exits with _exit(). */
extern int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

static int leaks(void)
{
	return __lsan_do_recoverable_leak_check
		       ? __lsan_do_recoverable_leak_check()
		       : 0;
}

static struct json_value *parse(const char *s, struct json_error *e)
{
	return json_parse(s, strlen(s), NULL, e);
}

/* A string of n copies of c followed by tail; caller frees. */
static char *repeat(char c, size_t n, const char *tail)
{
	size_t t = strlen(tail);
	char *s = malloc(n + t + 1);

	if (!s)
		return NULL;
	memset(s, c, n);
	memcpy(s + n, tail, t + 1);
	return s;
}

TEST(scalars)
{
	static const struct {
		const char *in;
		enum json_type type;
		double num;
	} cases[] = {
		{"null", JSON_NULL, 0},		  {"true", JSON_BOOL, 1},
		{"false", JSON_BOOL, 0},	  {"0", JSON_NUMBER, 0},
		{"-0", JSON_NUMBER, 0},		  {"42", JSON_NUMBER, 42},
		{"-12.5e-1", JSON_NUMBER, -1.25}, {"1E2", JSON_NUMBER, 100},
		{"1e+2", JSON_NUMBER, 100},	  {"0.125", JSON_NUMBER, 0.125},
		{" \t\r\n 7 \n", JSON_NUMBER, 7}, {"\"\"", JSON_STRING, 0},
	};
	struct json_error e;

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct json_value *v = parse(cases[i].in, &e);

		ASSERT_NE(NULL, v) TH_LOG("%s: %s", cases[i].in, e.message);
		EXPECT_EQ(cases[i].type, v->type);
		if (v->type == JSON_NUMBER)
			EXPECT_EQ(cases[i].num, v->number);
		if (v->type == JSON_BOOL)
			EXPECT_EQ(cases[i].num != 0, v->boolean);
		json_free(v);
	}
	ASSERT_EQ(0, leaks());
}

TEST(document)
{
	static const char doc[] =
		"{\"schema\": 1,\n"
		" \"list\": [1, \"two\", [], {}, null, true],\n"
		"  \"nested\": {\"a\": {\"b\": [false, -3]}},\n"
		"\t\"empty\": \"\"}\n";
	const struct json_value *list, *b, *v;
	struct json_value *root;
	struct json_error e;
	double d;

	root = parse(doc, &e);
	ASSERT_NE(NULL, root) TH_LOG("%u:%u: %s", e.line, e.column, e.message);
	ASSERT_EQ(JSON_OBJECT, root->type);
	EXPECT_EQ(4, json_count(root));
	EXPECT_STREQ("schema", root->members[0].key);
	EXPECT_STREQ("empty", root->members[3].key);
	EXPECT_TRUE(json_num(json_get(root, "schema"), &d));
	EXPECT_EQ(1, d);
	list = json_get(root, "list");
	ASSERT_TRUE(json_is(list, JSON_ARRAY));
	EXPECT_EQ(6, json_count(list));
	EXPECT_STREQ("two", json_str(json_at(list, 1)));
	EXPECT_EQ(0, json_count(json_at(list, 2)));
	EXPECT_TRUE(json_is(json_at(list, 3), JSON_OBJECT));
	EXPECT_TRUE(json_is(json_at(list, 4), JSON_NULL));
	EXPECT_TRUE(json_at(list, 5)->boolean);
	EXPECT_NULL(json_at(list, 6));
	b = json_get(json_get(json_get(root, "nested"), "a"), "b");
	ASSERT_EQ(2, json_count(b));
	EXPECT_EQ(-3, json_at(b, 1)->number);
	EXPECT_STREQ("", json_get_str(root, "empty", "dflt"));
	EXPECT_STREQ("dflt", json_get_str(root, "schema", "dflt"));
	EXPECT_STREQ("dflt", json_get_str(root, "absent", "dflt"));
	EXPECT_NULL(json_get(list, "x"));
	EXPECT_NULL(json_at(root, 0));
	EXPECT_NULL(json_get(NULL, "x"));
	EXPECT_NULL(json_get(root, NULL));
	EXPECT_EQ(0, json_count(json_get(root, "schema")));
	EXPECT_FALSE(json_num(json_at(list, 1), NULL));
	EXPECT_NULL(json_str(NULL));
	/* Positions: line and byte column where each value starts. */
	EXPECT_EQ(1, root->line);
	EXPECT_EQ(1, root->column);
	EXPECT_EQ(2, list->line);
	EXPECT_EQ(10, list->column);
	EXPECT_EQ(2, root->members[1].line);
	EXPECT_EQ(2, root->members[1].column);
	v = json_at(list, 1);
	EXPECT_EQ(2, v->line);
	EXPECT_EQ(14, v->column);
	EXPECT_EQ(3, b->line);
	EXPECT_EQ(25, b->column);
	EXPECT_EQ(4, root->members[3].line);
	EXPECT_EQ(2, root->members[3].column);
	json_free(root);
	json_free(NULL);
	EXPECT_STREQ("object", json_type_name(JSON_OBJECT));
	EXPECT_STREQ("boolean", json_type_name(JSON_BOOL));
	ASSERT_EQ(0, leaks());
}

/* Every class of error, with where it is reported. */
TEST(errors)
{
	static const struct {
		const char *in;
		unsigned int line, column;
		const char *msg;
	} cases[] = {
		/* end of input */
		{"", 1, 1, "unexpected end of input: want a value"},
		{"  \n\t ", 2, 3, "unexpected end of input: want a value"},
		{"[1,2", 1, 5, "end of input in the array opened at 1:1"},
		{"[1,", 1, 4, "end of input in the array opened at 1:1"},
		{"\n {\"a\"", 2, 6, "end of input in the object opened at 2:2"},
		{"{\"a\":", 1, 6, "end of input in the object opened at 1:1"},
		{"{\"a\":1", 1, 7, "end of input in the object opened at 1:1"},
		/* structure */
		{"[1 2]", 1, 4,
		 "want ',' or ']' after an array item, found '2'"},
		{"[1,]", 1, 4, "trailing comma before ']'"},
		{"[,1]", 1, 2, "unexpected ',': want a value"},
		{"{\"a\":1,}", 1, 8, "trailing comma before '}'"},
		{"{1:2}", 1, 2, "want a string as object key, found '1'"},
		{"{'a':2}", 1, 2, "want a string as object key, found '''"},
		{"{\"a\" 1}", 1, 6, "want ':' after an object key, found '1'"},
		{"{\"a\":1 \"b\":2}", 1, 8,
		 "want ',' or '}' after an object member, found '\"'"},
		{"{\"a\":1,\n \"b\":2,\n  \"a\":3}", 3, 3,
		 "duplicate key \"a\" (first at 1:2)"},
		{"1 2", 1, 3, "unexpected '2' after the document"},
		{"{}}", 1, 3, "unexpected '}' after the document"},
		{"[1]\0", 1, 4, NULL}, /* see below: NUL needs a length */
		{"// c\n1", 1, 1, "unexpected '/': want a value"},
		{"\xef\xbb\xbf{}", 1, 1,
		 "byte order mark (U+FEFF) is not allowed"},
		{"{\n  \"a\": [1,\n   2,,\n]}", 3, 6,
		 "unexpected ',': want a value"},
		{"\xff", 1, 1, "unexpected byte 0xff: want a value"},
		/* literals */
		{"tru", 1, 1, "invalid literal: want 'true'"},
		{"[nul]", 1, 2, "invalid literal: want 'null'"},
		{"falsy", 1, 1, "invalid literal: want 'false'"},
		{"truex", 1, 5, "unexpected 'x' after the document"},
		{"NaN", 1, 1, "NaN and Infinity are not JSON"},
		{"[-Infinity]", 1, 3, "invalid number: want a digit after '-'"},
		/* numbers */
		{"01", 1, 1, "invalid number: leading zeros are not allowed"},
		{"-01", 1, 1, "invalid number: leading zeros are not allowed"},
		{"-", 1, 2, "invalid number: want a digit after '-'"},
		{"1.", 1, 3, "want a digit after the decimal point"},
		{"1.e5", 1, 3, "want a digit after the decimal point"},
		{"1e", 1, 3, "want a digit in the exponent"},
		{"1e+", 1, 4, "want a digit in the exponent"},
		{"+1", 1, 1, "unexpected '+': want a value"},
		{".5", 1, 1, "unexpected '.': want a value"},
		{"0x10", 1, 2, "unexpected 'x' after the document"},
		{"[1e400]", 1, 2, "number out of the range of a double: 1e400"},
		{"-1e309", 1, 1, "number out of the range of a double: -1e309"},
		/* strings */
		{"\"abc", 1, 5, "unterminated string (opened at 1:1)"},
		{"[\"ab\\", 1, 6, "unterminated string (opened at 1:2)"},
		{"\"a\nb\"", 1, 3,
		 "unescaped line break in the string opened at 1:1"},
		{"\"a\tb\"", 1, 3,
		 "unescaped control character 0x09 in string"},
		{"\"\x7f\"", 0, 0, NULL}, /* DEL is allowed */
		{"\"\\x\"", 1, 2, "invalid escape: '\\' followed by 'x'"},
		{"\"\\\x01\"", 1, 2,
		 "invalid escape: '\\' followed by byte 0x01"},
		{"\"\\u12G4\"", 1, 2, "invalid \\u escape: want 4 hex digits"},
		{"\"\\u12\"", 1, 2, "invalid \\u escape: want 4 hex digits"},
		{"\"ab\\ud800\"", 1, 4, "unpaired surrogate \\uD800: a high"},
		{"\"\\ud800\\u0041\"", 1, 2, "unpaired surrogate \\uD800"},
		{"\"\\ud800\\ud800\"", 1, 2, "unpaired surrogate \\uD800"},
		{"\"\\udc00\"", 1, 2, "unpaired surrogate \\uDC00: a low"},
		/* invalid UTF-8 in strings */
		{"\"\xff\"", 1, 2,
		 "invalid UTF-8 in string: sequence starting with byte 0xff"},
		{"\"ok\x80\"", 1, 4, "starting with byte 0x80"},
		{"\"\xc0\xaf\"", 1, 2,
		 "starting with byte 0xc0"}, /* overlong */
		{"\"\xe0\x80\xaf\"", 1, 2,
		 "starting with byte 0xe0"}, /* overlong */
		{"\"\xed\xa0\x80\"", 1, 2,
		 "starting with byte 0xed"}, /* surrogate */
		{"\"\xf4\x90\x80\x80\"", 1, 2,
		 "starting with byte 0xf4"}, /* > U+10FFFF */
		{"\"\xe2\x82\"", 1, 2,
		 "starting with byte 0xe2"}, /* truncated */
		{"\"\xf5\x80\x80\x80\"", 1, 2, "starting with byte 0xf5"},
	};
	char formatted[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const char *want = cases[i].msg;
		struct json_error e;
		struct json_value *v = parse(cases[i].in, &e);

		if (!want && !cases[i].line) {
			ASSERT_NE(NULL, v) TH_LOG("%s", cases[i].in);
			json_free(v);
			continue;
		}
		if (!want) { /* a NUL byte after the document */
			json_free(v);
			v = json_parse(cases[i].in, 4, NULL, &e);
			want = "unexpected byte 0x00 after the document";
		}
		ASSERT_NULL(v) TH_LOG("case %zu parsed", i);
		EXPECT_EQ(cases[i].line, e.line)
		{
			TH_LOG("case %zu: %s", i, e.message);
		}
		EXPECT_EQ(cases[i].column, e.column)
		{
			TH_LOG("case %zu: %s", i, e.message);
		}
		EXPECT_NE(NULL, strstr(e.message, want))
		{
			TH_LOG("case %zu: got '%s'", i, e.message);
		}
	}
	/* The message a tool prints. */
	{
		struct json_error e;

		ASSERT_NULL(parse("{\n\"a\" 1}", &e));
		json_error_format(&e, "run/report.json", formatted,
				  sizeof(formatted));
		EXPECT_STREQ(
			"run/report.json:2:5: want ':' after an object key, found '1'",
			formatted);
		json_error_format(&e, NULL, formatted, sizeof(formatted));
		EXPECT_STREQ("2:5: want ':' after an object key, found '1'",
			     formatted);
		EXPECT_EQ(6, e.offset);
	}
	/* No error structure: still no crash. */
	EXPECT_NULL(json_parse("[", 1, NULL, NULL));
	/* A NULL buffer is empty input. */
	{
		struct json_error e;

		EXPECT_NULL(json_parse(NULL, 5, NULL, &e));
		EXPECT_EQ(1, e.line);
		EXPECT_EQ(1, e.column);
	}
	ASSERT_EQ(0, leaks());
}

TEST(escapes)
{
	static const struct {
		const char *in, *out;
		size_t len;
	} cases[] = {
		{"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8},
		{"\"\\u0041\\u00e9\\u00E9\"", "A\xc3\xa9\xc3\xa9", 5},
		{"\"\\u20ac\"", "\xe2\x82\xac", 3},
		{"\"\\uffff\"", "\xef\xbf\xbf", 3},
		{"\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4},
		{"\"\\uDBFF\\uDFFF\"", "\xf4\x8f\xbf\xbf", 4},
		{"\"\\ud800\\udc00\"", "\xf0\x90\x80\x80", 4},
		{"\"a\\u0000b\"", "a\0b", 3},
		{"\"\\u007f\\u0080\\u07ff\\u0800\"",
		 "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80", 8},
		/* Raw UTF-8, the longest forms of each length. */
		{"\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"",
		 "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf", 13},
		{"\"\xed\x9f\xbf\xee\x80\x80\"", "\xed\x9f\xbf\xee\x80\x80", 6},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct json_error e;
		struct json_value *v = parse(cases[i].in, &e);

		ASSERT_NE(NULL, v) TH_LOG("case %zu: %s", i, e.message);
		ASSERT_EQ(JSON_STRING, v->type);
		EXPECT_EQ(cases[i].len, v->len) TH_LOG("case %zu", i);
		EXPECT_EQ(0, memcmp(cases[i].out, v->string, cases[i].len))
		TH_LOG("case %zu", i);
		EXPECT_EQ('\0', v->string[v->len]);
		json_free(v);
	}
	/* Keys are decoded alike, and found by their decoded bytes. */
	{
		struct json_value *v = parse("{\"\\u00e9t\\u00e9\":1,"
					     "\"a\\u0000b\":2}",
					     NULL);

		ASSERT_NE(NULL, v);
		EXPECT_NE(NULL, json_get(v, "\xc3\xa9t\xc3\xa9"));
		EXPECT_NULL(json_get(v, "a"));
		EXPECT_EQ(2, json_get_n(v, "a\0b", 3)->number);
		json_free(v);
	}
	ASSERT_EQ(0, leaks());
}

TEST(deep_nesting)
{
	struct json_options o = {0};
	struct json_error e;
	struct json_value *v;
	char *s, *open;

	/* JSON_DEPTH_DEFAULT levels parse, one more does not. */
	open = repeat('[', JSON_DEPTH_DEFAULT, "");
	ASSERT_NE(NULL, open);
	s = malloc(2 * JSON_DEPTH_DEFAULT + 1);
	ASSERT_NE(NULL, s);
	memcpy(s, open, JSON_DEPTH_DEFAULT);
	memset(s + JSON_DEPTH_DEFAULT, ']', JSON_DEPTH_DEFAULT);
	s[2 * JSON_DEPTH_DEFAULT] = '\0';
	v = parse(s, &e);
	ASSERT_NE(NULL, v) TH_LOG("%s", e.message);
	json_free(v);
	free(s);
	free(open);
	s = repeat('[', JSON_DEPTH_DEFAULT + 1, "]");
	ASSERT_NE(NULL, s);
	EXPECT_NULL(parse(s, &e));
	EXPECT_EQ(1, e.line);
	EXPECT_EQ(JSON_DEPTH_DEFAULT + 1, e.column);
	EXPECT_STREQ("nesting deeper than 128 levels", e.message);
	free(s);
	/* Objects count too. */
	s = repeat('{', 1, "\"a\":{\"b\":[{}]}}");
	o.max_depth = 3;
	EXPECT_NULL(json_parse(s, strlen(s), &o, &e));
	EXPECT_EQ(12, e.column);
	EXPECT_STREQ("nesting deeper than 3 levels", e.message);
	o.max_depth = 4;
	v = json_parse(s, strlen(s), &o, &e);
	EXPECT_NE(NULL, v);
	json_free(v);
	free(s);
	/* A limit above the cap is the cap; a million levels stay safe. */
	o.max_depth = 1000000;
	s = repeat('[', 1000000, "");
	ASSERT_NE(NULL, s);
	EXPECT_NULL(json_parse(s, strlen(s), &o, &e));
	EXPECT_EQ(JSON_DEPTH_MAX + 1, e.column);
	free(s);
	ASSERT_EQ(0, leaks());
}

TEST(size_limit)
{
	struct json_options o = {.max_size = 10};
	struct json_error e;
	struct json_value *v;

	EXPECT_NULL(json_parse("[1,\n2, 3, 4, 5]", 15, &o, &e));
	EXPECT_EQ(2, e.line);
	EXPECT_EQ(7, e.column);
	EXPECT_EQ(10, e.offset);
	EXPECT_STREQ("input of 15 bytes is larger than the limit of 10",
		     e.message);
	v = json_parse("[1,2,3,45]", 10, &o, &e);
	EXPECT_NE(NULL, v);
	json_free(v);
	ASSERT_EQ(0, leaks());
}

TEST(huge_numbers)
{
	struct json_error e;
	struct json_value *v;
	char *s;

	v = parse("[1e308, 1.7976931348623157e308, -1.7976931348623157e308,"
		  " 1e-400, -1e-400, 4.9e-324, 123456789012345678901234567890,"
		  " -0]",
		  &e);
	ASSERT_NE(NULL, v) TH_LOG("%s", e.message);
	EXPECT_EQ(1e308, json_at(v, 0)->number);
	EXPECT_EQ(1.7976931348623157e308, json_at(v, 1)->number);
	EXPECT_EQ(-1.7976931348623157e308, json_at(v, 2)->number);
	EXPECT_EQ(0, json_at(v, 3)->number);
	EXPECT_EQ(0, json_at(v, 4)->number);
	EXPECT_LT(0, json_at(v, 5)->number);
	EXPECT_EQ(123456789012345678901234567890.0, json_at(v, 6)->number);
	EXPECT_TRUE(signbit(json_at(v, 7)->number));
	json_free(v);
	/* 1.7976931348623159e308 rounds beyond the largest double. */
	EXPECT_NULL(parse("1.7976931348623159e308", &e));
	EXPECT_NE(NULL, strstr(e.message, "out of the range"));
	/* Long literals: the message quotes only their start. */
	s = repeat('9', 5000, "");
	ASSERT_NE(NULL, s);
	EXPECT_NULL(parse(s, &e));
	EXPECT_STREQ("number out of the range of a double: "
		     "99999999999999999999999999999999...",
		     e.message);
	free(s);
	s = repeat('0', 5000, "1");
	ASSERT_NE(NULL, s);
	s[0] = '0';
	s[1] = '.';
	v = parse(s, &e);
	ASSERT_NE(NULL, v) TH_LOG("%s", e.message);
	EXPECT_EQ(0, v->number);
	json_free(v);
	free(s);
	s = repeat('1', 300, ".5e-10");
	v = parse(s, &e);
	ASSERT_NE(NULL, v);
	EXPECT_LT(1e288, v->number);
	json_free(v);
	free(s);
	v = parse("1e-999999999999999999999999", &e);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(0, v->number);
	json_free(v);
	EXPECT_NULL(parse("1e999999999999999999999999", &e));
	ASSERT_EQ(0, leaks());
}

/* A locale whose decimal point is a comma changes nothing. */
TEST(locale_independent)
{
	static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8",
					    "fr_FR.UTF-8", "de_DE"};
	struct json_value *v = NULL;
	const char *got = NULL;

	for (size_t i = 0; !got && i < sizeof(names) / sizeof(*names); i++)
		got = setlocale(LC_NUMERIC, names[i]);
	if (!got)
		SKIP(return, "no locale with a decimal comma is installed");
	v = parse("[1.5, 2e-1]", NULL);
	setlocale(LC_NUMERIC, "C");
	ASSERT_NE(NULL, v);
	EXPECT_EQ(1.5, json_at(v, 0)->number);
	EXPECT_EQ(0.2, json_at(v, 1)->number);
	json_free(v);
}

TEST(duplicate_keys)
{
	static const char doc[] = "{\"a\":1,\"b\":2,\"a\":3}";
	struct json_options o = {.allow_duplicate_keys = true};
	struct json_error e;
	struct json_value *v;
	char big[64 * 1024];
	size_t n = 0;

	EXPECT_NULL(json_parse(doc, strlen(doc), NULL, &e));
	EXPECT_EQ(14, e.column);
	v = json_parse(doc, strlen(doc), &o, &e);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(3, json_count(v));
	EXPECT_EQ(3, json_get(v, "a")->number); /* the last one */
	json_free(v);
	/* Many keys: found through the hash table, one duplicate at the end. */
	n += (size_t)snprintf(big + n, sizeof(big) - n, "{");
	for (int i = 0; i < 3000; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "\"k%d\":%d,",
				      i, i);
	n += (size_t)snprintf(big + n, sizeof(big) - n, "\"k1234\":0}");
	v = json_parse(big, n, NULL, &e);
	EXPECT_NULL(v);
	EXPECT_NE(NULL,
		  strstr(e.message, "duplicate key \"k1234\" (first at 1:"));
	big[n - 10] = '}';
	big[n - 9] = '\0';
	big[n - 11] = ' ';
	v = json_parse(big, n - 9, NULL, &e);
	ASSERT_NE(NULL, v) TH_LOG("%s", e.message);
	EXPECT_EQ(3000, json_count(v));
	EXPECT_EQ(2999, json_get(v, "k2999")->number);
	json_free(v);
	/* Keys that differ only after a NUL are different keys. */
	v = parse("{\"a\\u0000x\":1,\"a\\u0000y\":2,\"a\":3}", &e);
	ASSERT_NE(NULL, v) TH_LOG("%s", e.message);
	json_free(v);
	EXPECT_NULL(parse("{\"\\u00e9\":1,\"\xc3\xa9\":2}", &e));
	EXPECT_STREQ("duplicate key \"\\xc3\\xa9\" (first at 1:2)", e.message);
	ASSERT_EQ(0, leaks());
}

/* Whatever report_json.c writes as a JSON string parses back. */
TEST(report_strings_round_trip)
{
	uint64_t x = 0x2545f4914f6cdd1dULL;
	unsigned char in[64];

	for (int iter = 0; iter < 3000; iter++) {
		struct report_buf b = {0};
		struct json_error e;
		struct json_value *v;
		size_t n = (size_t)(iter % 64);
		bool valid;

		for (size_t i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			/* Mostly text, some UTF-8 lead bytes and controls. */
			in[i] = (unsigned char)(x % 4 ? 0x20 + x % 0x60
						      : x >> 8);
		}
		report_json_string_n(&b, (const char *)in, n);
		ASSERT_FALSE(b.oom);
		v = json_parse(b.s, b.len, NULL, &e);
		ASSERT_NE(NULL, v) TH_LOG("%s: %s", b.s, e.message);
		ASSERT_EQ(JSON_STRING, v->type);
		/* Valid UTF-8 comes back unchanged. */
		valid = true;
		for (size_t i = 0; i < n && valid; i++)
			valid = in[i] < 0x80;
		if (valid) {
			EXPECT_EQ(n, v->len);
			EXPECT_EQ(0, memcmp(in, v->string, n));
		}
		json_free(v);
		report_buf_free(&b);
	}
	ASSERT_EQ(0, leaks());
}

/* A whole report.json from report_json.c parses, and has its schema. */
TEST(report_document)
{
	static const char raw[] =
		"KTAP version 1\n# iog: kernel_release 6.1\n"
		"# iog: kernel_release 6.1 again\n1..1\n"
		"    1..2\n    # metric: lat 2.5 us\n"
		"    ok 1 a\n    not ok 2 b # why\nnot ok 1 s\n";
	const char *meta = "topology=t\nkernel=debian-6.1\nstatus=completed\n"
			   "elapsed_s=1.5\nsuites=s\nreproduce=make check\n";
	struct json_options o = {.allow_duplicate_keys = true};
	const struct json_value *s, *t;
	struct report_buf b = {0};
	struct json_value *root;
	struct report_meta m;
	struct ktap_node *k;
	struct json_error e;

	k = ktap_parse(raw, sizeof(raw) - 1);
	ASSERT_NE(NULL, k);
	ASSERT_EQ(0, report_meta_parse(meta, strlen(meta), &m));
	ASSERT_EQ(0, report_complete(k, &m));
	ASSERT_EQ(0, report_json(&b, k, &m));
	/* A fact the guest repeats is a repeated key in "guest". */
	EXPECT_NULL(json_parse(b.s, b.len, NULL, &e));
	EXPECT_NE(NULL, strstr(e.message, "duplicate key \"kernel_release\""));
	root = json_parse(b.s, b.len, &o, &e);
	ASSERT_NE(NULL, root) TH_LOG("%s", e.message);
	EXPECT_EQ(1, json_get(root, "schema")->number);
	EXPECT_EQ(1.5, json_get(root, "elapsed_s")->number);
	EXPECT_STREQ("debian-6.1",
		     json_get_str(json_get(root, "kernel"), "name", NULL));
	EXPECT_STREQ("6.1 again", json_get_str(json_get(root, "guest"),
					       "kernel_release", NULL));
	s = json_at(json_get(root, "suites"), 0);
	EXPECT_STREQ("s", json_get_str(s, "name", NULL));
	t = json_at(json_get(s, "tests"), 1);
	EXPECT_STREQ("b", json_get_str(t, "name", NULL));
	EXPECT_STREQ("fail", json_get_str(t, "result", NULL));
	t = json_at(json_get(s, "tests"), 0);
	EXPECT_EQ(
		2.5,
		json_get(json_at(json_get(t, "metrics"), 0), "value")->number);
	json_free(root);
	report_buf_free(&b);
	report_meta_free(&m);
	ktap_free(k);
	ASSERT_EQ(0, leaks());
}

/* Every prefix and random corruptions of a document: no crash, sane errors. */
TEST(random_inputs)
{
	static const char doc[] =
		"{\"a\": [1, -2.5e3, \"x\\u00e9\\ud83d\\ude00\\n\", true],\n"
		" \"b\": {\"c\": null, \"d\": \"\xc3\xa9\"}, \"e\": false}";
	static const char alphabet[] =
		"{}[]\",:\\u0123456789.eE+-truefalsn \n\t"
		"\xc3\xa9\xed\xff";
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	size_t len = sizeof(doc) - 1;
	char buf[sizeof(doc)];
	unsigned int ok = 0;

	for (size_t n = 0; n < len; n++) {
		struct json_error e;
		struct json_value *v = json_parse(doc, n, NULL, &e);

		ASSERT_NULL(v) TH_LOG("prefix of %zu bytes parsed", n);
		ASSERT_LE(e.offset, n);
		ASSERT_LE(1, e.line);
		ASSERT_LE(1, e.column);
	}
	for (int iter = 0; iter < 20000; iter++) {
		struct json_error e;
		struct json_value *v;
		int flips;

		memcpy(buf, doc, len);
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		flips = 1 + (int)(x % 3);
		for (int f = 0; f < flips; f++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[(x >> 16) % len] =
				alphabet[(x >> 40) % (sizeof(alphabet) - 1)];
		}
		v = json_parse(buf,
			       (size_t)((x >> 8) % 4 ? len : (x >> 20) % len),
			       NULL, &e);
		if (v) {
			ok++;
			json_free(v);
		} else {
			ASSERT_LE(1, e.line);
			ASSERT_LE(1, e.column);
			ASSERT_LT(0, strlen(e.message));
		}
	}
	/* Some mutations (e.g. a digit for a digit) stay valid. */
	EXPECT_LT(0, ok);
	ASSERT_EQ(0, leaks());
}

TEST_HARNESS_MAIN
