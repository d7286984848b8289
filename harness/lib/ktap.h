// SPDX-License-Identifier: GPL-2.0-only
/*
 * KTAP version 1 reader and writer for the guest's return channel.  The
 * reader takes whatever came out of the serial port (CR, NUL, garbage,
 * truncation, endless lines) and never fails except on allocation.  The
 * writer emits clean KTAP that the reader turns back into an equal tree.
 */
#ifndef IOG_KTAP_H
#define IOG_KTAP_H

#include <stdbool.h>
#include <stddef.h>

/* Input lines are cut here (after the indentation, NULs dropped). */
#define KTAP_LINE_MAX 4096
/*
 * Names, reasons and diagnostic texts are cut here, so that any line the
 * writer makes fits in KTAP_LINE_MAX and survives a second reading.
 */
#define KTAP_FIELD_MAX 2000
/* Deeper indentation counts as this level. */
#define KTAP_DEPTH_MAX 16

enum ktap_result {
	KTAP_NONE = 0, /* no result line was seen (the stream ended inside) */
	KTAP_PASS,
	KTAP_FAIL,
	KTAP_SKIP,
	KTAP_XFAIL, /* also "# TODO" */
	KTAP_TIMEOUT,
	KTAP_ERROR,
};

/* "# metric: NAME VALUE UNIT"; value is always finite. */
struct ktap_metric {
	char *name;
	double value;
	char *unit; /* "" if none */
};

/* "# iog: KEY VALUE" at the top level. */
struct ktap_fact {
	char *key;
	char *value; /* "" if none */
};

struct ktap_node {
	char *name; /* never NULL */
	int number; /* from the result line; 0 if none */
	enum ktap_result result;
	char *reason; /* directive text, never NULL */
	int plan; /* "1..N" of its subtests, -1 if none */
	bool nested; /* had an indented block of its own */
	/*
	 * Text of the lines before its result line at its level (without
	 * "# "), and for a nested node the lines of its block that are not
	 * subtests.
	 */
	char **diags;
	size_t ndiags;
	struct ktap_metric *metrics;
	size_t nmetrics;
	struct ktap_node **children;
	size_t nchildren;
	/* The root only: facts of the run. */
	struct ktap_fact *facts;
	size_t nfacts;
};

/*
 * Parse len bytes (not NUL-terminated).  Returns the root, whose children
 * are the top-level tests (suites) and whose diags are top-level lines
 * that belong to no test.  NULL only when memory runs out.
 */
struct ktap_node *ktap_parse(const char *buf, size_t len);

/* Free a node and everything below it. */
void ktap_free(struct ktap_node *node);

/*
 * The tree as KTAP version 1 text (malloc'd, NUL-terminated, length in
 * *len if len is not NULL).  NULL when memory runs out.
 */
char *ktap_write(const struct ktap_node *root, size_t *len);

/* Structural equality: everything the writer writes. */
bool ktap_equal(const struct ktap_node *a, const struct ktap_node *b);

/* "pass", "fail", "skip", "xfail", "timeout", "error", "none". */
const char *ktap_result_name(enum ktap_result r);

/* PASS, SKIP and XFAIL are fine; NONE counts as not fine. */
bool ktap_result_ok(enum ktap_result r);

/* ---- building trees (the report completes parsed trees) ---- */

/* A new node named name (NULL: ""), result NONE, plan -1. */
struct ktap_node *ktap_node_new(const char *name);

/* These return 0, or -1 when memory runs out. */
int ktap_add_child(struct ktap_node *parent, struct ktap_node *child);
int ktap_add_diag(struct ktap_node *node, const char *text);
int ktap_add_metric(struct ktap_node *node, const char *name, double value,
		    const char *unit);
int ktap_add_fact(struct ktap_node *root, const char *key, const char *value);
int ktap_set_name(struct ktap_node *node, const char *name);
int ktap_set_reason(struct ktap_node *node, const char *reason);

/* The last fact named key, or NULL. */
const char *ktap_fact(const struct ktap_node *root, const char *key);

#endif /* IOG_KTAP_H */
