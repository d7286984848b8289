// SPDX-License-Identifier: GPL-2.0-only
/* Reader for Documentation/ABI files; see abidoc.h for the format. */
#include "abidoc.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "fileio.h"

enum abidoc_tag {
	TAG_NONE = -1,
	TAG_WHAT,
	TAG_DATE,
	TAG_KERNEL_VERSION,
	TAG_CONTACT,
	TAG_DESCRIPTION,
	TAG_USERS,
	TAG_NR,
};

static const char *const tag_names[TAG_NR] = {
	[TAG_WHAT] = "What",
	[TAG_DATE] = "Date",
	[TAG_KERNEL_VERSION] = "KernelVersion",
	[TAG_CONTACT] = "Contact",
	[TAG_DESCRIPTION] = "Description",
	[TAG_USERS] = "Users",
};

/* Paths and patterns deeper than this are not sysfs paths. */
#define ABIDOC_MAX_COMPONENTS 64

static void fail(char *err, size_t errlen, const char *fname, unsigned int line,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void fail(char *err, size_t errlen, const char *fname, unsigned int line,
		 const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!errlen)
		return;
	n = snprintf(err, errlen, "%s:%u: ", fname, line);
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
}

/* The tag a line starts with, and where its value begins. */
static enum abidoc_tag line_tag(const char *s, size_t n, size_t *value)
{
	size_t i = 0;

	while (i < n &&
	       ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')))
		i++;
	if (!i || i >= n || s[i] != ':')
		return TAG_NONE;
	for (int t = 0; t < TAG_NR; t++) {
		if (strlen(tag_names[t]) == i &&
		    !strncasecmp(s, tag_names[t], i)) {
			*value = i + 1;
			return t;
		}
	}
	return TAG_NONE;
}

static bool is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

/* s[0..n) without leading and trailing blanks, in a new string. */
static char *trimmed(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return strndup(s, n);
}

/* Append "\n" and line (trimmed) to *field; 0 or -1 (ENOMEM). */
static int field_append(char **field, const char *s, size_t n)
{
	char *t = trimmed(s, n), *j;
	size_t old = strlen(*field);

	if (!t)
		return -1;
	/* A field whose tag line was empty starts with its first line. */
	if (!old && !*t) {
		free(t);
		return 0;
	}
	j = realloc(*field, old + 1 + strlen(t) + 1);
	if (!j) {
		free(t);
		return -1;
	}
	if (old)
		j[old++] = '\n';
	strcpy(j + old, t);
	free(t);
	*field = j;
	return 0;
}

static void field_trim_end(char *f)
{
	size_t n;

	if (!f)
		return;
	n = strlen(f);
	while (n && (f[n - 1] == '\n' || f[n - 1] == ' ' || f[n - 1] == '\t'))
		f[--n] = '\0';
}

static char **entry_field(struct abidoc_entry *e, enum abidoc_tag t)
{
	switch (t) {
	case TAG_DATE:
		return &e->date;
	case TAG_KERNEL_VERSION:
		return &e->kernel_version;
	case TAG_CONTACT:
		return &e->contact;
	case TAG_DESCRIPTION:
		return &e->description;
	case TAG_USERS:
		return &e->users;
	default:
		return NULL;
	}
}

static void entry_free(struct abidoc_entry *e)
{
	for (size_t i = 0; i < e->nr_what; i++)
		free(e->what[i]);
	free(e->what);
	free(e->date);
	free(e->kernel_version);
	free(e->contact);
	free(e->description);
	free(e->users);
}

static struct abidoc_entry *entry_new(struct abidoc *d, const char *file,
				      unsigned int line)
{
	struct abidoc_entry *e;

	if (d->nr == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 16;
		struct abidoc_entry *v = realloc(d->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		d->v = v;
		d->cap = cap;
	}
	e = &d->v[d->nr++];
	memset(e, 0, sizeof(*e));
	e->file = file;
	e->line = line;
	return e;
}

static int entry_add_what(struct abidoc_entry *e, const char *s, size_t n)
{
	char **v = realloc(e->what, (e->nr_what + 1) * sizeof(*v));

	if (!v)
		return -1;
	e->what = v;
	v[e->nr_what] = trimmed(s, n);
	if (!v[e->nr_what])
		return -1;
	e->nr_what++;
	return 0;
}

static void entry_finish(struct abidoc_entry *e)
{
	if (!e)
		return;
	field_trim_end(e->date);
	field_trim_end(e->kernel_version);
	field_trim_end(e->contact);
	field_trim_end(e->description);
	field_trim_end(e->users);
}

int abidoc_parse(struct abidoc *d, const char *fname, const char *buf,
		 size_t len, char *err, size_t errlen)
{
	struct abidoc_entry *e = NULL;
	enum abidoc_tag last = TAG_NONE;
	bool fields = false; /* e has a tag other than What: */
	unsigned int lineno = 0;
	const char *file;
	char **files;
	size_t pos = 0;

	if (memchr(buf, '\0', len)) {
		fail(err, errlen, fname, 1, "NUL byte: not a text file");
		return -1;
	}
	files = realloc(d->files, (d->nr_files + 1) * sizeof(*files));
	if (!files)
		goto oom;
	d->files = files;
	files[d->nr_files] = strdup(fname);
	if (!files[d->nr_files])
		goto oom;
	file = files[d->nr_files++];

	while (pos < len) {
		const char *s = buf + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos, value = 0;
		enum abidoc_tag t;

		pos += n + 1;
		lineno++;
		if (n && s[n - 1] == '\r')
			n--;
		t = (n && s[0] != ' ' && s[0] != '\t') ? line_tag(s, n, &value)
						       : TAG_NONE;
		if (t == TAG_WHAT) {
			if (!e || fields) {
				entry_finish(e);
				e = entry_new(d, file, lineno);
				if (!e)
					goto oom;
				fields = false;
			}
			if (is_blank(s + value, n - value)) {
				fail(err, errlen, fname, lineno,
				     "What: without a path");
				goto bad;
			}
			if (entry_add_what(e, s + value, n - value))
				goto oom;
			last = t;
			continue;
		}
		if (t != TAG_NONE) {
			char **f;

			if (!e) {
				fail(err, errlen, fname, lineno,
				     "%s: before the first What:",
				     tag_names[t]);
				goto bad;
			}
			f = entry_field(e, t);
			/* A repeated tag (real files have them) adds a line. */
			if (*f ? field_append(f, s + value, n - value)
			       : !(*f = trimmed(s + value, n - value)))
				goto oom;
			fields = true;
			last = t;
			continue;
		}
		/* A continuation line, blank line or unknown "Word:" line. */
		if (is_blank(s, n)) {
			if (last != TAG_NONE && last != TAG_WHAT &&
			    field_append(entry_field(e, last), "", 0))
				goto oom;
			continue;
		}
		/* A file may open with a paragraph about its entries. */
		if (!e)
			continue;
		/* Indented lines after What: list more paths. */
		if (last == TAG_WHAT && (s[0] == ' ' || s[0] == '\t')) {
			if (entry_add_what(e, s, n))
				goto oom;
			continue;
		}
		if (last == TAG_WHAT) {
			fail(err, errlen, fname, lineno,
			     "\"%.*s\" after What: %s, where a tag or an "
			     "indented path belongs",
			     (int)(n > 40 ? 40 : n), s,
			     e->what[e->nr_what - 1]);
			goto bad;
		}
		if (field_append(entry_field(e, last), s, n))
			goto oom;
	}
	/* An empty file documents nothing, which is no error. */
	entry_finish(e);
	return 0;
oom:
	fail(err, errlen, fname, lineno, "out of memory");
bad:
	entry_finish(e);
	return -1;
}

void abidoc_free(struct abidoc *d)
{
	for (size_t i = 0; i < d->nr; i++)
		entry_free(&d->v[i]);
	free(d->v);
	for (size_t i = 0; i < d->nr_files; i++)
		free(d->files[i]);
	free(d->files);
	memset(d, 0, sizeof(*d));
}

static int skip_dot(const struct dirent *de)
{
	return de->d_name[0] != '.';
}

/* Parse dir/rel (rel "" for dir itself), recursively. */
static int load_tree(struct abidoc *d, const char *dir, const char *rel,
		     int depth, char *err, size_t errlen)
{
	struct dirent **names;
	char *path;
	int n, ret = 0;

	if (depth > 8) {
		fail(err, errlen, dir, 0, "%s: directories nested too deep",
		     rel);
		return -1;
	}
	if (asprintf(&path, "%s%s%s", dir, *rel ? "/" : "", rel) < 0) {
		fail(err, errlen, dir, 0, "out of memory");
		return -1;
	}
	n = scandir(path, &names, skip_dot, alphasort);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char *sub = NULL, *full = NULL, *buf = NULL;
		struct stat st;
		size_t len;
		int e;

		if (ret)
			goto next;
		if (asprintf(&sub, "%s%s%s", rel, *rel ? "/" : "",
			     names[i]->d_name) < 0 ||
		    asprintf(&full, "%s/%s", path, names[i]->d_name) < 0) {
			snprintf(err, errlen, "out of memory");
			ret = -1;
			goto next;
		}
		if (stat(full, &st)) {
			snprintf(err, errlen, "%s: %s", full, strerror(errno));
			ret = -1;
		} else if (S_ISDIR(st.st_mode)) {
			ret = load_tree(d, dir, sub, depth + 1, err, errlen);
		} else if (S_ISREG(st.st_mode)) {
			e = iog_read_file(full, ABIDOC_FILE_MAX, &buf, &len,
					  NULL);
			if (e) {
				snprintf(err, errlen, "%s: %s", full,
					 strerror(e));
				ret = -1;
			} else {
				ret = abidoc_parse(d, sub, buf, len, err,
						   errlen);
			}
			free(buf);
		}
	next:
		free(sub);
		free(full);
		free(names[i]);
	}
	free(names);
	free(path);
	return ret;
}

int abidoc_load_dir(struct abidoc *d, const char *dir, char *err, size_t errlen)
{
	return load_tree(d, dir, "", 0, err, errlen);
}

/* Split p at '/' into v (empty components dropped); count, or -1. */
static int split_path(char *p, char **v)
{
	char *save = NULL;
	int n = 0;

	for (char *c = strtok_r(p, "/", &save); c;
	     c = strtok_r(NULL, "/", &save)) {
		if (n == ABIDOC_MAX_COMPONENTS)
			return -1;
		v[n++] = c;
	}
	return n;
}

/* One component against one pattern component with <name> placeholders. */
static bool component_match(const char *p, const char *s)
{
	const char *close;

	if (!strcmp(p, "*"))
		return true;
	for (;;) {
		if (*p == '<' && (close = strchr(p, '>'))) {
			/* One or more characters, then the rest. */
			if (!*s)
				return false;
			for (const char *t = s + 1;; t++) {
				if (component_match(close + 1, t))
					return true;
				if (!*t)
					return false;
			}
		}
		if (!*p || !*s)
			return !*p && !*s;
		if (*p != *s)
			return false;
		p++;
		s++;
	}
}

static bool components_match(char **p, int np, char **s, int ns)
{
	if (!np)
		return !ns;
	if (!strcmp(p[0], "...")) {
		for (int k = 1; k <= ns; k++)
			if (components_match(p + 1, np - 1, s + k, ns - k))
				return true;
		return false;
	}
	return ns && component_match(p[0], s[0]) &&
	       components_match(p + 1, np - 1, s + 1, ns - 1);
}

bool abidoc_path_match(const char *pattern, const char *path)
{
	char *pv[ABIDOC_MAX_COMPONENTS], *sv[ABIDOC_MAX_COMPONENTS];
	char *p = strdup(pattern), *s = strdup(path);
	int np, ns;
	bool ok = false;

	if (!p || !s)
		goto out;
	np = split_path(p, pv);
	ns = split_path(s, sv);
	/* A pattern with more "..." than this is no path. */
	if (np >= 0 && ns >= 0)
		ok = components_match(pv, np, sv, ns);
out:
	free(p);
	free(s);
	return ok;
}

static int parse_small(const char **s)
{
	int v = 0;

	if (**s < '0' || **s > '9')
		return -1;
	while (**s >= '0' && **s <= '9') {
		if (v > 9999)
			return -1;
		v = v * 10 + (**s - '0');
		(*s)++;
	}
	return v;
}

int abidoc_kver_parse(const char *s, int *major, int *minor)
{
	int ma, mi;

	if (!s)
		return -1;
	s += strcspn(s, "0123456789");
	ma = parse_small(&s);
	if (ma < 0 || *s != '.')
		return -1;
	s++;
	mi = parse_small(&s);
	if (mi < 0)
		return -1;
	*major = ma;
	*minor = mi;
	return 0;
}

const struct abidoc_entry *abidoc_find(const struct abidoc *d, const char *path,
				       size_t *what)
{
	for (size_t i = 0; i < d->nr; i++) {
		for (size_t j = 0; j < d->v[i].nr_what; j++) {
			if (abidoc_path_match(d->v[i].what[j], path)) {
				if (what)
					*what = j;
				return &d->v[i];
			}
		}
	}
	return NULL;
}

bool abidoc_quotes(const char *text, const char *word)
{
	size_t n = strlen(word);

	if (!text || !n)
		return false;
	for (const char *q = strchr(text, '"'); q; q = strchr(q + 1, '"'))
		if (!strncmp(q + 1, word, n) && q[1 + n] == '"')
			return true;
	return false;
}
