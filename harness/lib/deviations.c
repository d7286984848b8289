// SPDX-License-Identifier: GPL-2.0-only
#include "deviations.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEV_FIELDS 5
#define DEV_LINE_MAX 4096

static char *dev_strip(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return strndup(s, n);
}

static void dev_entry_free(struct deviation *d)
{
	free(d->release);
	free(d->topology);
	free(d->test);
	free(d->reason);
	free(d->evidence);
}

void deviations_free(struct deviation_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		dev_entry_free(&l->v[i]);
	free(l->v);
	free(l->file);
	memset(l, 0, sizeof(*l));
}

static int dev_parse_line(const char *fname, int lineno, const char *s,
			  size_t n, struct deviation *d, char *err,
			  size_t errlen)
{
	char *f[DEV_FIELDS] = {0};
	size_t nf = 0, start = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '|')
			continue;
		if (nf == DEV_FIELDS) {
			nf++;
			break;
		}
		f[nf] = dev_strip(s + start, i - start);
		if (!f[nf])
			goto oom;
		nf++;
		start = i + 1;
	}
	if (nf != DEV_FIELDS) {
		snprintf(
			err, errlen,
			"%s:%d: want 5 fields 'release | topology | suite/test | reason | evidence', found %zu",
			fname, lineno, nf);
		goto bad;
	}
	for (size_t i = 0; i < DEV_FIELDS; i++) {
		if (!*f[i]) {
			snprintf(err, errlen, "%s:%d: field %zu is empty",
				 fname, lineno, i + 1);
			goto bad;
		}
	}
	if (!strchr(f[2], '/')) {
		snprintf(
			err, errlen,
			"%s:%d: test '%s' must be SUITE/TEST (e.g. grouping/global.model_partition_matches)",
			fname, lineno, f[2]);
		goto bad;
	}
	*d = (struct deviation){.release = f[0],
				.topology = f[1],
				.test = f[2],
				.reason = f[3],
				.evidence = f[4],
				.line = lineno};
	return 0;
oom:
	snprintf(err, errlen, "%s:%d: out of memory", fname, lineno);
bad:
	for (size_t i = 0; i < DEV_FIELDS; i++)
		free(f[i]);
	return -1;
}

int deviations_parse(const char *fname, const char *buf, size_t len,
		     struct deviation_list *l, char *err, size_t errlen)
{
	size_t pos = 0;
	int lineno = 0;

	memset(l, 0, sizeof(*l));
	l->file = strdup(fname);
	if (!l->file)
		goto oom;
	while (pos < len) {
		const char *s = buf + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		size_t i = 0;
		struct deviation *v;

		pos += n + (nl ? 1 : 0);
		lineno++;
		if (memchr(s, '\0', n)) {
			snprintf(err, errlen, "%s:%d: NUL byte", fname, lineno);
			goto bad;
		}
		if (n > DEV_LINE_MAX) {
			snprintf(err, errlen,
				 "%s:%d: line longer than %d bytes", fname,
				 lineno, DEV_LINE_MAX);
			goto bad;
		}
		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
			i++;
		if (i == n || s[i] == '#')
			continue;
		v = realloc(l->v, (l->n + 1) * sizeof(*v));
		if (!v)
			goto oom;
		l->v = v;
		if (dev_parse_line(fname, lineno, s, n, &l->v[l->n], err,
				   errlen))
			goto bad;
		l->n++;
	}
	return 0;
oom:
	snprintf(err, errlen, "%s: out of memory", fname);
bad:
	deviations_free(l);
	return -1;
}

static bool dev_failed(enum ktap_result r)
{
	return r == KTAP_FAIL || r == KTAP_TIMEOUT || r == KTAP_ERROR;
}

/* A suite that ran to a result of its own (not one the run filled in). */
static bool dev_ran(enum ktap_result r)
{
	return r == KTAP_PASS || r == KTAP_FAIL || r == KTAP_XFAIL;
}

/* Mark one failing test XFAIL with the entry's reason and evidence. */
static int dev_xfail(struct ktap_node *t, const struct deviation *d,
		     const char *file)
{
	char *why;

	if (asprintf(&why, "known deviation (%s:%d): %s [evidence: %s]", file,
		     d->line, d->reason, d->evidence) < 0)
		return -1;
	t->result = KTAP_XFAIL;
	free(t->reason);
	t->reason = why;
	return 0;
}

int deviations_apply(struct ktap_node *root, struct deviation_list *l,
		     const char *release, const char *topology)
{
	int applied = 0;

	for (size_t i = 0; i < l->n; i++) {
		struct deviation *d = &l->v[i];

		d->matched = !fnmatch(d->release, release ? release : "", 0) &&
			     !fnmatch(d->topology, topology ? topology : "", 0);
	}
	for (size_t s = 0; s < root->nchildren; s++) {
		struct ktap_node *suite = root->children[s];
		bool still_failing = false, changed = false;

		for (size_t t = 0; t < suite->nchildren; t++) {
			struct ktap_node *test = suite->children[t];
			char *path;

			if (!dev_failed(test->result))
				continue;
			if (asprintf(&path, "%s/%s",
				     suite->name ? suite->name : "",
				     test->name ? test->name : "") < 0)
				return -1;
			for (size_t i = 0; i < l->n; i++) {
				struct deviation *d = &l->v[i];

				if (!d->matched || fnmatch(d->test, path, 0))
					continue;
				if (dev_xfail(test, d, l->file)) {
					free(path);
					return -1;
				}
				d->seen = true;
				changed = true;
				applied++;
				break;
			}
			free(path);
			if (dev_failed(test->result))
				still_failing = true;
		}
		/* The suite failed only through tests now known: so is it. */
		if (changed && !still_failing && dev_failed(suite->result)) {
			suite->result = KTAP_XFAIL;
			free(suite->reason);
			suite->reason =
				strdup("all failures are known deviations");
			if (!suite->reason)
				return -1;
		}
	}
	/*
	 * A listed deviation that no longer shows in a suite that ran is
	 * news: say so.
	 */
	for (size_t i = 0; i < l->n; i++) {
		const struct deviation *d = &l->v[i];
		char *msg, *suite_name;
		struct ktap_node *target = root;

		if (!d->matched || d->seen)
			continue;
		suite_name = strndup(d->test, strcspn(d->test, "/"));
		if (!suite_name)
			return -1;
		for (size_t s = 0; s < root->nchildren; s++) {
			if (root->children[s]->name &&
			    !fnmatch(suite_name, root->children[s]->name, 0))
				target = root->children[s];
		}
		free(suite_name);
		/*
		 * Its suite did not run here, or did not finish (a result
		 * the run filled in: interrupted, timed out, crashed):
		 * nothing to learn.
		 */
		if (target == root || !dev_ran(target->result))
			continue;
		if (asprintf(
			    &msg,
			    "known deviation not seen (%s:%d): %s passed or did not run; remove the entry if the kernel is fixed: %s",
			    l->file, d->line, d->test, d->reason) < 0)
			return -1;
		if (ktap_add_diag(target, msg)) {
			free(msg);
			return -1;
		}
		free(msg);
	}
	return applied;
}
