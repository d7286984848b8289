// SPDX-License-Identifier: GPL-2.0-only
/*
 * Snapshot reader and checkers for the IOMMU group sysfs.  Everything read
 * from the tree is data to judge: links may be broken or loop, files may be
 * missing, huge, FIFOs or full of NUL bytes, names may be odd.  Nothing
 * here follows a link further than realpath() does, and no read blocks.
 */
#include "sysfs.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

/* The expectation file is ours, not the kernel's: allow more than a page. */
#define EXPECT_READ_MAX (1024 * 1024)

/* ---- small helpers ---------------------------------------------------- */

static char *join(const char *a, const char *b)
{
	char *r;

	if (asprintf(&r, "%s/%s", a, b) < 0)
		return NULL;
	return r;
}

static int grow(void *vp, size_t *cap, size_t nr, size_t size)
{
	void **v = vp;
	size_t ncap;
	void *n;

	if (nr < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	if (ncap > SIZE_MAX / size) {
		errno = ENOMEM;
		return -1;
	}
	n = realloc(*v, ncap * size);
	if (!n)
		return -1;
	*v = n;
	*cap = ncap;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_strv(char **v, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(v[i]);
	free(v);
}

static const char *base_of(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && path[n] == '/';
}

static const char *kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISLNK(m))
		return "a symlink";
	if (S_ISREG(m))
		return "a regular file";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device node";
	return "gone";
}

/* readlink() into a malloc()ed string, NULL on any failure. */
static char *read_link(const char *path)
{
	for (size_t size = 256; size <= 65536; size *= 2) {
		char *buf = malloc(size);
		ssize_t n;

		if (!buf)
			return NULL;
		n = readlink(path, buf, size);
		if (n < 0) {
			free(buf);
			return NULL;
		}
		if ((size_t)n < size) {
			buf[n] = '\0';
			return buf;
		}
		free(buf);
	}
	return NULL;
}

/* A growing string; on ENOMEM it stops growing and sb_take() fails. */
struct sb {
	char *s;
	size_t len;
	size_t cap;
	bool oom;
};

static void __attribute__((format(printf, 2, 3)))
sb_printf(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if ((size_t)n < room) {
			b->len += n;
			return;
		}
		size_t ncap = b->cap * 2 + n + 64;
		char *ns = realloc(b->s, ncap);

		if (!ns) {
			b->oom = true;
			return;
		}
		b->s = ns;
		b->cap = ncap;
	}
}

static char *sb_take(struct sb *b)
{
	if (b->oom || !b->s) {
		free(b->s);
		return NULL;
	}
	return b->s;
}

/*
 * Names come from the tree and may hold control characters; escape them
 * so every problem stays one printable line in the KTAP stream.
 */
char *sysfs_escape(const char *s)
{
	size_t n = strlen(s);
	char *r = malloc(4 * n + 1), *o = r;

	if (!r)
		return NULL;
	for (; *s; s++) {
		unsigned char c = *s;

		if (c < 0x20 || c == 0x7f)
			o += sprintf(o, "\\x%02x", c);
		else
			*o++ = c;
	}
	*o = '\0';
	return r;
}

static void __attribute__((format(printf, 2, 3)))
problem(struct sysfs_problems *p, const char *fmt, ...)
{
	char *raw, *m;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&raw, fmt, ap);
	va_end(ap);
	if (n < 0) {
		p->dropped++;
		return;
	}
	m = sysfs_escape(raw);
	free(raw);
	if (!m || grow(&p->msg, &p->cap, p->nr, sizeof(*p->msg))) {
		free(m);
		p->dropped++;
		return;
	}
	p->msg[p->nr++] = m;
}

void sysfs_problems_free(struct sysfs_problems *p)
{
	free_strv(p->msg, p->nr);
	memset(p, 0, sizeof(*p));
}

/* ---- reading the tree ------------------------------------------------- */

const char *sysfs_root(void)
{
	const char *r = getenv("IOG_SYSFS_ROOT");

	return r && *r ? r : "/sys";
}

/*
 * Read up to cap bytes.  Only regular files are opened (O_NONBLOCK keeps a
 * crafted FIFO from hanging us).  Returns -1 only on ENOMEM.
 */
static int read_capped(const char *path, size_t cap, struct sysfs_file *f)
{
	struct stat st;
	int fd;

	memset(f, 0, sizeof(*f));
	if (lstat(path, &st)) {
		f->err = errno;
		return 0;
	}
	f->present = true;
	f->mode = st.st_mode;
	if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
		f->err = EINVAL;
		return 0;
	}
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		f->err = errno;
		return 0;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		f->err = EINVAL;
		close(fd);
		return 0;
	}
	f->data = malloc(cap + 1);
	if (!f->data) {
		close(fd);
		return -1;
	}
	while (f->len < cap) {
		ssize_t n = read(fd, f->data + f->len, cap - f->len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			f->err = errno;
			break;
		}
		if (n == 0)
			break;
		f->len += n;
	}
	if (f->len == cap && !f->err) {
		char c;
		ssize_t n;

		do
			n = read(fd, &c, 1);
		while (n < 0 && errno == EINTR);
		f->truncated = n > 0;
	}
	f->data[f->len] = '\0';
	close(fd);
	return 0;
}

static void file_free(struct sysfs_file *f)
{
	free(f->data);
	memset(f, 0, sizeof(*f));
}

/* Sorted entry names without "." and "..".  -1 with errno on failure. */
static int list_dir(const char *path, char ***names, size_t *nr)
{
	size_t cap = 0;
	struct dirent *de;
	DIR *d;
	int e;

	*names = NULL;
	*nr = 0;
	d = opendir(path);
	if (!d)
		return -1;
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de)
			break;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (grow(names, &cap, *nr, sizeof(**names)))
			goto fail;
		(*names)[*nr] = strdup(de->d_name);
		if (!(*names)[*nr])
			goto fail;
		(*nr)++;
	}
	if (errno)
		goto fail;
	closedir(d);
	if (*nr)
		qsort(*names, *nr, sizeof(**names), cmp_str);
	return 0;
fail:
	e = errno ? errno : ENOMEM;
	closedir(d);
	free_strv(*names, *nr);
	*names = NULL;
	*nr = 0;
	errno = e;
	return -1;
}

static int read_member(const char *dir, const char *name,
		       struct sysfs_member *m)
{
	char *path = join(dir, name), *back = NULL;
	struct stat st;

	memset(m, 0, sizeof(*m));
	m->name = strdup(name);
	if (!path || !m->name)
		goto oom;
	if (!lstat(path, &st) && S_ISLNK(st.st_mode)) {
		m->is_link = true;
		m->target = read_link(path);
	}
	m->real = realpath(path, NULL);
	if (!m->real) {
		m->err = errno;
		if (m->err == ENOMEM)
			goto oom;
		free(path);
		return 0;
	}
	m->is_dir = !stat(m->real, &st) && S_ISDIR(st.st_mode);
	if (m->is_dir) {
		back = join(m->real, "iommu_group");
		if (!back)
			goto oom;
		m->back_present = !lstat(back, &st);
		if (m->back_present) {
			m->back_real = realpath(back, NULL);
			if (!m->back_real)
				m->back_err = errno;
		}
	}
	free(back);
	free(path);
	return 0;
oom:
	free(back);
	free(path);
	return -1;
}

static void member_free(struct sysfs_member *m)
{
	free(m->name);
	free(m->target);
	free(m->real);
	free(m->back_real);
}

long sysfs_group_id_parse(const char *name, bool *canonical)
{
	long v = 0;
	const char *p;

	if (canonical)
		*canonical = false;
	if (!name || !*name)
		return -1;
	for (p = name; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
		if (v > INT_MAX)
			return -1;
	}
	if (canonical)
		*canonical = name[0] != '0' || name[1] == '\0';
	return v;
}

static int read_group(const char *groups, const char *name,
		      struct sysfs_group *g)
{
	char *path = join(groups, name), *sub = NULL, **names = NULL;
	size_t nr = 0;
	struct stat st;

	memset(g, 0, sizeof(*g));
	g->name = strdup(name);
	if (!path || !g->name)
		goto oom;
	g->id = sysfs_group_id_parse(name, &g->id_canonical);
	if (lstat(path, &st)) {
		free(path);
		return 0;
	}
	g->mode = st.st_mode;
	/* A symlinked "group" is not followed: the kernel makes real dirs. */
	g->is_dir = S_ISDIR(st.st_mode);
	if (!g->is_dir) {
		free(path);
		return 0;
	}
	g->real = realpath(path, NULL);
	if (!g->real && errno == ENOMEM)
		goto oom;

	sub = join(path, "devices");
	if (!sub)
		goto oom;
	if (!lstat(sub, &st)) {
		g->devices_present = true;
		g->devices_is_dir = S_ISDIR(st.st_mode);
	}
	if (!g->devices_present) {
		g->devices_err = ENOENT;
	} else if (!g->devices_is_dir) {
		g->devices_err = ENOTDIR;
	} else if (list_dir(sub, &names, &nr)) {
		if (errno == ENOMEM)
			goto oom;
		g->devices_err = errno;
	} else if (nr) {
		g->members = calloc(nr, sizeof(*g->members));
		if (!g->members)
			goto oom;
		for (size_t i = 0; i < nr; i++) {
			g->nr_members++;
			if (read_member(sub, names[i], &g->members[i]))
				goto oom;
		}
	}
	free_strv(names, nr);
	names = NULL;
	nr = 0;
	free(sub);

	sub = join(path, "reserved_regions");
	if (!sub || read_capped(sub, SYSFS_READ_MAX, &g->reserved_regions))
		goto oom;
	free(sub);
	sub = join(path, "type");
	if (!sub || read_capped(sub, SYSFS_READ_MAX, &g->type))
		goto oom;
	free(sub);
	sub = join(path, "name");
	if (!sub || read_capped(sub, SYSFS_READ_MAX, &g->name_attr))
		goto oom;
	free(sub);
	free(path);
	return 0;
oom:
	free_strv(names, nr);
	free(sub);
	free(path);
	errno = ENOMEM;
	return -1;
}

static void group_free(struct sysfs_group *g)
{
	for (size_t i = 0; i < g->nr_members; i++)
		member_free(&g->members[i]);
	free(g->members);
	free(g->name);
	free(g->real);
	file_free(&g->reserved_regions);
	file_free(&g->type);
	file_free(&g->name_attr);
}

/* Canonical IDs first, numerically; everything else by name after them. */
static int cmp_group(const void *a, const void *b)
{
	const struct sysfs_group *x = a, *y = b;
	bool xn = x->id >= 0 && x->id_canonical;
	bool yn = y->id >= 0 && y->id_canonical;

	if (xn != yn)
		return xn ? -1 : 1;
	if (xn && x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void device_free(struct sysfs_device *d)
{
	free(d->bus);
	free(d->name);
	free(d->real);
	free(d->group_target);
	free(d->group_real);
}

static int cmp_device(const void *a, const void *b)
{
	const struct sysfs_device *x = a, *y = b;

	if (!x->real || !y->real)
		return !x->real - !y->real;
	return strcmp(x->real, y->real);
}

/* Record ROOT/bus/BUS/devices/NAME if it has an iommu_group link. */
static int scan_device(struct sysfs_snapshot *s, size_t *cap, const char *bus,
		       const char *dir, const char *name)
{
	char *path = join(dir, name), *gl = NULL, *il = NULL;
	struct sysfs_device *d;
	struct stat st;

	if (!path)
		return -1;
	gl = join(path, "iommu_group");
	il = join(path, "iommu");
	if (!gl || !il)
		goto oom;
	if (lstat(gl, &st))
		goto out;
	if (grow(&s->devices, cap, s->nr_devices, sizeof(*s->devices)))
		goto oom;
	d = &s->devices[s->nr_devices++];
	memset(d, 0, sizeof(*d));
	d->bus = strdup(bus);
	d->name = strdup(name);
	if (!d->bus || !d->name)
		goto oom;
	d->real = realpath(path, NULL);
	d->group_target = read_link(gl);
	d->group_real = realpath(gl, NULL);
	if (!d->group_real)
		d->group_err = errno;
	d->has_iommu_link = !lstat(il, &st) && S_ISLNK(st.st_mode);
out:
	free(il);
	free(gl);
	free(path);
	return 0;
oom:
	free(il);
	free(gl);
	free(path);
	return -1;
}

static int scan_buses(struct sysfs_snapshot *s)
{
	char *bus_path = join(s->root, "bus"), **buses = NULL;
	size_t nr_buses = 0, cap = 0, out;

	if (!bus_path)
		return -1;
	if (list_dir(bus_path, &buses, &nr_buses)) {
		free(bus_path);
		if (errno == ENOMEM)
			return -1;
		s->bus_err = errno;
		return 0;
	}
	for (size_t i = 0; i < nr_buses; i++) {
		char *dir, **names;
		size_t nr;

		if (asprintf(&dir, "%s/%s/devices", bus_path, buses[i]) < 0)
			goto oom;
		if (list_dir(dir, &names, &nr)) {
			free(dir);
			if (errno == ENOMEM)
				goto oom;
			continue;
		}
		for (size_t j = 0; j < nr; j++) {
			if (scan_device(s, &cap, buses[i], dir, names[j])) {
				free_strv(names, nr);
				free(dir);
				goto oom;
			}
		}
		free_strv(names, nr);
		free(dir);
	}
	free_strv(buses, nr_buses);
	free(bus_path);

	/* A device is one directory however many bus links reach it. */
	if (s->nr_devices)
		qsort(s->devices, s->nr_devices, sizeof(*s->devices),
		      cmp_device);
	out = 0;
	for (size_t i = 0; i < s->nr_devices; i++) {
		if (out && s->devices[i].real && s->devices[out - 1].real &&
		    !strcmp(s->devices[i].real, s->devices[out - 1].real)) {
			device_free(&s->devices[i]);
			continue;
		}
		s->devices[out++] = s->devices[i];
	}
	s->nr_devices = out;
	return 0;
oom:
	free_strv(buses, nr_buses);
	free(bus_path);
	return -1;
}

int sysfs_snapshot_take(const char *root, struct sysfs_snapshot *s)
{
	char **names = NULL, *p;
	size_t nr = 0;
	struct stat st;

	memset(s, 0, sizeof(*s));
	s->root = strdup(root ? root : sysfs_root());
	if (!s->root)
		goto oom;
	s->root_real = realpath(s->root, NULL);
	p = join(s->root, "devices");
	if (!p)
		goto oom;
	s->devices_real = realpath(p, NULL);
	free(p);
	s->groups_path = join(s->root, "kernel/iommu_groups");
	if (!s->groups_path)
		goto oom;

	if (lstat(s->groups_path, &st)) {
		s->groups_err = errno;
	} else {
		s->groups_present = true;
		s->groups_is_dir = S_ISDIR(st.st_mode);
		if (!s->groups_is_dir) {
			s->groups_err = ENOTDIR;
		} else if (list_dir(s->groups_path, &names, &nr)) {
			if (errno == ENOMEM)
				goto oom;
			s->groups_err = errno;
		}
	}
	if (nr) {
		s->groups = calloc(nr, sizeof(*s->groups));
		if (!s->groups)
			goto oom;
		for (size_t i = 0; i < nr; i++) {
			s->nr_groups++;
			if (read_group(s->groups_path, names[i], &s->groups[i]))
				goto oom;
		}
		qsort(s->groups, s->nr_groups, sizeof(*s->groups), cmp_group);
	}
	free_strv(names, nr);
	names = NULL;
	nr = 0;
	if (scan_buses(s))
		goto oom;
	return 0;
oom:
	free_strv(names, nr);
	sysfs_snapshot_free(s);
	errno = ENOMEM;
	return -1;
}

void sysfs_snapshot_free(struct sysfs_snapshot *s)
{
	for (size_t i = 0; i < s->nr_groups; i++)
		group_free(&s->groups[i]);
	for (size_t i = 0; i < s->nr_devices; i++)
		device_free(&s->devices[i]);
	free(s->groups);
	free(s->devices);
	free(s->root);
	free(s->root_real);
	free(s->devices_real);
	free(s->groups_path);
	memset(s, 0, sizeof(*s));
}

const struct sysfs_group *sysfs_group_by_real(const struct sysfs_snapshot *s,
					      const char *real)
{
	if (!real)
		return NULL;
	for (size_t i = 0; i < s->nr_groups; i++)
		if (s->groups[i].real && !strcmp(s->groups[i].real, real))
			return &s->groups[i];
	return NULL;
}

/* ---- content validators ----------------------------------------------- */

static const char *const resv_names[SYSFS_RESV_NR_TYPES] = {
	[SYSFS_RESV_DIRECT] = "direct",
	[SYSFS_RESV_DIRECT_RELAXABLE] = "direct-relaxable",
	[SYSFS_RESV_RESERVED] = "reserved",
	[SYSFS_RESV_MSI] = "msi",
};

const char *sysfs_resv_type_name(enum sysfs_resv_type t)
{
	return (unsigned int)t < SYSFS_RESV_NR_TYPES ? resv_names[t] : "?";
}

static void __attribute__((format(printf, 6, 7)))
line_err(char *err, size_t errsz, unsigned int line, const char *l, size_t len,
	 const char *fmt, ...)
{
	char what[160];
	va_list ap;

	if (!err || !errsz)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(err, errsz, "line %u: %s (line '%.*s%s')", line, what,
		 (int)(len > 60 ? 60 : len), l, len > 60 ? "..." : "");
}

/* Exactly "0x" and 16 lower-case hex digits (§2.1: %016llx). */
static bool parse_addr(const char *p, size_t n, uint64_t *v)
{
	if (n != 18 || p[0] != '0' || p[1] != 'x')
		return false;
	*v = 0;
	for (size_t i = 2; i < n; i++) {
		unsigned int d;

		if (p[i] >= '0' && p[i] <= '9')
			d = p[i] - '0';
		else if (p[i] >= 'a' && p[i] <= 'f')
			d = p[i] - 'a' + 10;
		else
			return false;
		*v = *v << 4 | d;
	}
	return true;
}

/* Parse one line (without its newline) into r; message in err. */
static int resv_line(const char *l, size_t len, unsigned int line,
		     struct sysfs_resv_region *r, char *err, size_t errsz)
{
	const char *sp1, *sp2, *t;
	size_t tlen, best = 0;
	int bt = -1;

	sp1 = memchr(l, ' ', len);
	sp2 = sp1 ? memchr(sp1 + 1, ' ', len - (sp1 + 1 - l)) : NULL;
	if (!sp1 || !sp2) {
		line_err(err, errsz, line, l, len,
			 "wanted 'START END TYPE' separated by single spaces");
		return -1;
	}
	if (!parse_addr(l, sp1 - l, &r->start)) {
		line_err(err, errsz, line, l, len,
			 "start '%.*s' is not 0x and 16 lower-case hex digits",
			 (int)(sp1 - l > 40 ? 40 : sp1 - l), l);
		return -1;
	}
	if (!parse_addr(sp1 + 1, sp2 - sp1 - 1, &r->end)) {
		line_err(err, errsz, line, l, len,
			 "end '%.*s' is not 0x and 16 lower-case hex digits",
			 (int)(sp2 - sp1 - 1 > 40 ? 40 : sp2 - sp1 - 1),
			 sp1 + 1);
		return -1;
	}
	t = sp2 + 1;
	tlen = len - (t - l);
	/* Longest known word the type starts with ("direct-relaxable"). */
	for (int i = 0; i < SYSFS_RESV_NR_TYPES; i++) {
		size_t n = strlen(resv_names[i]);

		if (n <= tlen && !memcmp(t, resv_names[i], n) && n > best) {
			best = n;
			bt = i;
		}
	}
	if (bt < 0) {
		line_err(err, errsz, line, l, len,
			 "type '%.*s' is not "
			 "direct|direct-relaxable|reserved|msi",
			 (int)(tlen > 40 ? 40 : tlen), t);
		return -1;
	}
	if (best != tlen) {
		line_err(err, errsz, line, l, len,
			 "trailing characters '%.*s' after type '%s'",
			 (int)(tlen - best > 40 ? 40 : tlen - best), t + best,
			 resv_names[bt]);
		return -1;
	}
	r->type = bt;
	r->line = line;
	if (r->start > r->end) {
		line_err(err, errsz, line, l, len,
			 "start 0x%016llx is above end 0x%016llx",
			 (unsigned long long)r->start,
			 (unsigned long long)r->end);
		return -1;
	}
	return 0;
}

int sysfs_resv_parse(const char *data, size_t len, struct sysfs_resv_list *out,
		     char *err, size_t errsz)
{
	/* Latest region of each type: after the merge they never touch. */
	struct sysfs_resv_region last[SYSFS_RESV_NR_TYPES];
	bool have[SYSFS_RESV_NR_TYPES] = {false};
	struct sysfs_resv_region *v = NULL, prev = {0};
	size_t nr = 0, cap = 0, pos = 0;
	unsigned int line = 0;

	if (err && errsz)
		err[0] = '\0';
	while (pos < len) {
		const char *l = data + pos, *nl;
		struct sysfs_resv_region r;
		size_t ll;

		line++;
		nl = memchr(l, '\n', len - pos);
		ll = nl ? (size_t)(nl - l) : len - pos;
		if (memchr(l, '\0', ll)) {
			line_err(err, errsz, line, l, strnlen(l, ll),
				 "contains a NUL byte");
			goto bad;
		}
		if (!nl) {
			line_err(err, errsz, line, l, ll,
				 "no newline at the end of the file");
			goto bad;
		}
		if (!ll) {
			line_err(err, errsz, line, l, ll, "empty line");
			goto bad;
		}
		if (resv_line(l, ll, line, &r, err, errsz))
			goto bad;
		if (nr && r.start < prev.start) {
			line_err(err, errsz, line, l, ll,
				 "not sorted: start 0x%016llx is below line "
				 "%u's 0x%016llx",
				 (unsigned long long)r.start, prev.line,
				 (unsigned long long)prev.start);
			goto bad;
		}
		if (nr && r.start == prev.start && r.type < prev.type) {
			line_err(err, errsz, line, l, ll,
				 "same start as line %u but type '%s' sorts "
				 "before '%s' (direct < direct-relaxable < "
				 "reserved < msi)",
				 prev.line, resv_names[r.type],
				 resv_names[prev.type]);
			goto bad;
		}
		if (have[r.type]) {
			const struct sysfs_resv_region *q = &last[r.type];

			if (r.start <= q->end) {
				line_err(err, errsz, line, l, ll,
					 "%s region overlaps line %u "
					 "(0x%016llx-0x%016llx); same-type "
					 "regions are merged",
					 resv_names[r.type], q->line,
					 (unsigned long long)q->start,
					 (unsigned long long)q->end);
				goto bad;
			}
			if (r.start == q->end + 1) {
				line_err(err, errsz, line, l, ll,
					 "%s region touches line %u "
					 "(0x%016llx-0x%016llx); adjacent "
					 "same-type regions are merged",
					 resv_names[r.type], q->line,
					 (unsigned long long)q->start,
					 (unsigned long long)q->end);
				goto bad;
			}
		}
		have[r.type] = true;
		last[r.type] = r;
		prev = r;
		if (out) {
			if (grow(&v, &cap, nr, sizeof(*v))) {
				if (err && errsz)
					snprintf(err, errsz, "out of memory");
				goto bad;
			}
			v[nr] = r;
		}
		nr++;
		pos += ll + 1;
	}
	if (out) {
		out->regions = v;
		out->nr = nr;
	}
	return 0;
bad:
	free(v);
	if (out)
		memset(out, 0, sizeof(*out));
	return -1;
}

void sysfs_resv_list_free(struct sysfs_resv_list *l)
{
	free(l->regions);
	memset(l, 0, sizeof(*l));
}

static void __attribute__((format(printf, 3, 4)))
set_err(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errsz)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

/* Common shape of type and name: one line, one newline, no NUL. */
static int one_line(const char *data, size_t len, char *err, size_t errsz)
{
	const char *nl;

	if (!len) {
		set_err(err, errsz, "empty; wanted one line");
		return -1;
	}
	if (memchr(data, '\0', len)) {
		set_err(err, errsz, "contains a NUL byte");
		return -1;
	}
	nl = memchr(data, '\n', len);
	if (!nl) {
		set_err(err, errsz, "'%.*s' has no trailing newline",
			(int)(len > 40 ? 40 : len), data);
		return -1;
	}
	if ((size_t)(nl - data) != len - 1) {
		set_err(err, errsz, "more than one line ('%.*s...')",
			(int)(len > 40 ? 40 : len), data);
		return -1;
	}
	return 0;
}

int sysfs_type_check(const char *data, size_t len, char *err, size_t errsz)
{
	static const char *const words[] = {"blocked", "identity", "unmanaged",
					    "DMA",     "DMA-FQ",   "unknown"};

	if (one_line(data, len, err, errsz))
		return -1;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i]) == len - 1 &&
		    !memcmp(data, words[i], len - 1))
			return 0;
	set_err(err, errsz,
		"'%.*s' is not one of "
		"blocked|identity|unmanaged|DMA|DMA-FQ|unknown",
		(int)(len - 1 > 40 ? 40 : len - 1), data);
	return -1;
}

int sysfs_name_check(const char *data, size_t len, char *err, size_t errsz)
{
	return one_line(data, len, err, errsz);
}

/* ---- kernel versions -------------------------------------------------- */

/* Up to 4 decimal digits: kernel version parts are small. */
static int small_num(const char **p, int *v)
{
	int n = 0;

	*v = 0;
	while (**p >= '0' && **p <= '9') {
		if (++n > 4)
			return -1;
		*v = *v * 10 + (**p - '0');
		(*p)++;
	}
	return n ? 0 : -1;
}

int sysfs_kver_parse(const char *release, struct sysfs_kver *v)
{
	const char *p = release;
	struct sysfs_kver k;

	if (!p || small_num(&p, &k.major) || *p++ != '.' ||
	    small_num(&p, &k.minor))
		return -1;
	/* "6.12" ends here or continues with ".117", "-rc1", "+deb12"... */
	if (*p && !strchr(".-+_~", *p))
		return -1;
	*v = k;
	return 0;
}

bool sysfs_kver_at_least(const struct sysfs_kver *v, int major, int minor)
{
	return v->major > major || (v->major == major && v->minor >= minor);
}

struct sysfs_kver sysfs_feature_since(enum sysfs_feature f)
{
	/* §2: reserved_regions since v4.11, type since v5.11. */
	if (f == SYSFS_FEAT_RESERVED_REGIONS)
		return (struct sysfs_kver){4, 11};
	return (struct sysfs_kver){5, 11};
}

const char *sysfs_feature_name(enum sysfs_feature f)
{
	return f == SYSFS_FEAT_RESERVED_REGIONS ? "reserved_regions" : "type";
}

bool sysfs_kver_has(const struct sysfs_kver *v, enum sysfs_feature f)
{
	struct sysfs_kver since = sysfs_feature_since(f);

	return sysfs_kver_at_least(v, since.major, since.minor);
}

int sysfs_kver_running(struct sysfs_kver *v, char *release, size_t size)
{
	const char *over = getenv("IOG_KERNEL_RELEASE");
	struct utsname u;
	const char *r;

	if (over && *over) {
		r = over;
	} else if (!uname(&u)) {
		r = u.release;
	} else {
		set_err(release, size, "(uname failed)");
		return -1;
	}
	set_err(release, size, "%s", r);
	return sysfs_kver_parse(r, v);
}

/* ---- §9 checks ---------------------------------------------------------- */

static const struct sysfs_file *feature_file(const struct sysfs_group *g,
					     enum sysfs_feature f)
{
	return f == SYSFS_FEAT_RESERVED_REGIONS ? &g->reserved_regions
						: &g->type;
}

size_t sysfs_check_group_ids(const struct sysfs_snapshot *s,
			     struct sysfs_problems *p)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nr_groups; i++) {
		const struct sysfs_group *g = &s->groups[i];

		n++;
		if (!g->is_dir)
			problem(p,
				"%s/%s is %s; wanted a group directory (§9.1)",
				s->groups_path, g->name, kind(g->mode));
		if (g->id < 0) {
			bool digits = strspn(g->name, "0123456789") ==
				      strlen(g->name);

			problem(p,
				"group '%s': name is %s; wanted a decimal ID "
				"matching ^(0|[1-9][0-9]*)$ (§9.1)",
				g->name,
				digits ? "out of range (above INT_MAX)"
				       : "not a decimal number");
		} else if (!g->id_canonical) {
			problem(p,
				"group '%s': ID has a leading zero; wanted "
				"'%ld' (§9.1)",
				g->name, g->id);
		}
		for (size_t j = i + 1; j < s->nr_groups; j++)
			if (g->id >= 0 && s->groups[j].id == g->id)
				problem(p,
					"groups '%s' and '%s' both have ID "
					"%ld; wanted distinct IDs (§9.1)",
					g->name, s->groups[j].name, g->id);
	}
	return n;
}

size_t sysfs_check_devices_dirs(const struct sysfs_snapshot *s,
				struct sysfs_problems *p)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nr_groups; i++) {
		const struct sysfs_group *g = &s->groups[i];

		if (!g->is_dir)
			continue;
		n++;
		if (!g->devices_present)
			problem(p,
				"group %s: devices/ is missing; wanted a "
				"directory (§9.2)",
				g->name);
		else if (!g->devices_is_dir)
			problem(p,
				"group %s: devices is not a directory; wanted "
				"a directory (§9.2)",
				g->name);
		else if (g->devices_err)
			problem(p, "group %s: cannot list devices/: %s (§9.2)",
				g->name, strerror(g->devices_err));
	}
	return n;
}

/* Presence and readability of one attribute, nothing about content. */
static bool attr_readable(const struct sysfs_group *g, const char *attr,
			  const struct sysfs_file *f, struct sysfs_problems *p)
{
	if (!f->present)
		return false;
	if (f->err == EINVAL && !S_ISREG(f->mode) && !S_ISLNK(f->mode)) {
		problem(p, "group %s: %s is %s; wanted a regular file", g->name,
			attr, kind(f->mode));
		return false;
	}
	if (f->err) {
		problem(p, "group %s: cannot read %s: %s", g->name, attr,
			f->err == EINVAL ? "not a regular file"
					 : strerror(f->err));
		return false;
	}
	if (f->truncated) {
		problem(p,
			"group %s: %s is larger than %d bytes; wanted a small "
			"attribute",
			g->name, attr, SYSFS_READ_MAX);
		return false;
	}
	return true;
}

size_t sysfs_check_present(const struct sysfs_snapshot *s, enum sysfs_feature f,
			   struct sysfs_problems *p)
{
	struct sysfs_kver since = sysfs_feature_since(f);
	const char *attr = sysfs_feature_name(f);
	size_t n = 0;

	for (size_t i = 0; i < s->nr_groups; i++) {
		const struct sysfs_group *g = &s->groups[i];
		const struct sysfs_file *file = feature_file(g, f);

		if (!g->is_dir)
			continue;
		n++;
		if (!file->present)
			problem(p,
				"group %s: %s is missing; wanted it on kernels "
				">= %d.%d (§9.2)",
				g->name, attr, since.major, since.minor);
		else
			attr_readable(g, attr, file, p);
	}
	return n;
}

typedef int (*content_check)(const char *, size_t, char *, size_t);

static size_t check_content(const struct sysfs_snapshot *s,
			    struct sysfs_problems *p, const char *attr,
			    size_t off, content_check fn, const char *rule)
{
	char err[SYSFS_ERR_LEN];
	size_t n = 0;

	for (size_t i = 0; i < s->nr_groups; i++) {
		const struct sysfs_group *g = &s->groups[i];
		const struct sysfs_file *f =
			(const void *)((const char *)g + off);

		if (!g->is_dir || !f->present)
			continue;
		n++;
		if (!attr_readable(g, attr, f, p))
			continue;
		if (fn(f->data, f->len, err, sizeof(err)))
			problem(p, "group %s: %s %s (%s)", g->name, attr, err,
				rule);
	}
	return n;
}

static int resv_check(const char *d, size_t len, char *err, size_t errsz)
{
	return sysfs_resv_parse(d, len, NULL, err, errsz);
}

size_t sysfs_check_reserved_regions(const struct sysfs_snapshot *s,
				    struct sysfs_problems *p)
{
	return check_content(s, p, "reserved_regions",
			     offsetof(struct sysfs_group, reserved_regions),
			     resv_check, "§9.6");
}

size_t sysfs_check_type(const struct sysfs_snapshot *s,
			struct sysfs_problems *p)
{
	return check_content(s, p, "type", offsetof(struct sysfs_group, type),
			     sysfs_type_check, "§9.7");
}

size_t sysfs_check_name(const struct sysfs_snapshot *s,
			struct sysfs_problems *p)
{
	return check_content(s, p, "name",
			     offsetof(struct sysfs_group, name_attr),
			     sysfs_name_check, "§9.2");
}

size_t sysfs_check_forward_links(const struct sysfs_snapshot *s,
				 struct sysfs_problems *p)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nr_groups; i++) {
		const struct sysfs_group *g = &s->groups[i];

		for (size_t j = 0; j < g->nr_members; j++) {
			const struct sysfs_member *m = &g->members[j];

			n++;
			if (!m->is_link)
				problem(p,
					"group %s: devices/%s is not a "
					"symlink; wanted a link to the device "
					"(§9.3)",
					g->name, m->name);
			else if (!m->real)
				problem(p,
					"group %s: devices/%s -> %s does not "
					"resolve (%s); wanted an existing "
					"device directory (§9.3)",
					g->name, m->name,
					m->target ? m->target : "?",
					strerror(m->err));
			else if (!m->is_dir)
				problem(p,
					"group %s: devices/%s -> %s is not a "
					"directory; wanted a device directory "
					"(§9.3)",
					g->name, m->name, m->real);
			else if (s->devices_real &&
				 !under(m->real, s->devices_real))
				problem(p,
					"group %s: devices/%s -> %s is outside "
					"%s; wanted a device directory there "
					"(§9.3)",
					g->name, m->name, m->real,
					s->devices_real);
		}
	}
	return n;
}

size_t sysfs_check_back_links(const struct sysfs_snapshot *s,
			      struct sysfs_problems *p)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nr_groups; i++) {
		const struct sysfs_group *g = &s->groups[i];

		for (size_t j = 0; j < g->nr_members; j++) {
			const struct sysfs_member *m = &g->members[j];

			if (!m->real || !m->is_dir || !g->real)
				continue;
			n++;
			if (!m->back_present)
				problem(p,
					"group %s: device %s (devices/%s) has "
					"no iommu_group link; wanted one "
					"resolving to group %s (§9.3)",
					g->name, m->real, m->name, g->name);
			else if (!m->back_real)
				problem(p,
					"group %s: device %s (devices/%s): "
					"iommu_group does not resolve (%s); "
					"wanted group %s (§9.3)",
					g->name, m->real, m->name,
					strerror(m->back_err), g->name);
			else if (strcmp(m->back_real, g->real))
				problem(p,
					"group %s: device %s (devices/%s): "
					"iommu_group resolves to %s (group "
					"%s); wanted %s (§9.3)",
					g->name, m->real, m->name, m->back_real,
					base_of(m->back_real), g->real);
		}
	}
	return n;
}

/* name is base, or base "." and decimal digits (collision suffix, §2). */
static bool entry_name_ok(const char *name, const char *base)
{
	size_t n = strlen(base);

	if (!strcmp(name, base))
		return true;
	if (strncmp(name, base, n) || name[n] != '.' || !name[n + 1])
		return false;
	return strspn(name + n + 1, "0123456789") == strlen(name + n + 1);
}

size_t sysfs_check_entry_names(const struct sysfs_snapshot *s,
			       struct sysfs_problems *p)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nr_groups; i++) {
		const struct sysfs_group *g = &s->groups[i];

		for (size_t j = 0; j < g->nr_members; j++) {
			const struct sysfs_member *m = &g->members[j];
			const char *path = m->real ? m->real : m->target;
			const char *base;

			if (!path)
				continue;
			base = base_of(path);
			n++;
			if (!entry_name_ok(m->name, base))
				problem(p,
					"group %s: devices/%s points at device "
					"'%s'; wanted the entry named '%s' or "
					"'%s.<n>' (§9.3)",
					g->name, m->name, base, base, base);
		}
	}
	return n;
}

struct member_ref {
	const char *real;
	const struct sysfs_group *g;
	const struct sysfs_member *m;
};

static int cmp_ref(const void *a, const void *b)
{
	const struct member_ref *x = a, *y = b;

	return strcmp(x->real, y->real);
}

size_t sysfs_check_membership(const struct sysfs_snapshot *s,
			      struct sysfs_problems *p)
{
	struct member_ref *refs = NULL;
	size_t nr = 0, cap = 0, n = 0;

	for (size_t i = 0; i < s->nr_groups; i++) {
		const struct sysfs_group *g = &s->groups[i];

		for (size_t j = 0; j < g->nr_members; j++) {
			if (!g->members[j].real || !g->members[j].is_dir)
				continue;
			if (grow(&refs, &cap, nr, sizeof(*refs))) {
				problem(p, "out of memory");
				free(refs);
				return n;
			}
			refs[nr++] = (struct member_ref){g->members[j].real, g,
							 &g->members[j]};
		}
	}
	if (nr)
		qsort(refs, nr, sizeof(*refs), cmp_ref);

	/* No device in two groups, nor twice in one (§9.4). */
	for (size_t i = 0; i < nr;) {
		size_t k = i + 1;

		while (k < nr && !strcmp(refs[k].real, refs[i].real))
			k++;
		n++;
		if (k - i > 1) {
			struct sb b = {0};
			char *list;

			for (size_t x = i; x < k; x++)
				sb_printf(&b, "%sgroup %s (devices/%s)",
					  x > i ? ", " : "", refs[x].g->name,
					  refs[x].m->name);
			list = sb_take(&b);
			problem(p,
				"device %s is listed %zu times: %s; wanted "
				"exactly one group (§9.4)",
				refs[i].real, k - i, list ? list : "?");
			free(list);
		}
		i = k;
	}

	/* Each linked device is listed by the group its link names. */
	for (size_t i = 0; i < s->nr_devices; i++) {
		const struct sysfs_device *d = &s->devices[i];
		const struct sysfs_group *want;
		struct member_ref key, *hit;
		bool found;

		if (!d->real)
			continue;
		n++;
		if (!d->group_real) {
			problem(p,
				"device %s/%s (%s): iommu_group -> %s does not "
				"resolve (%s); wanted a group directory (§9.4)",
				d->bus, d->name, d->real,
				d->group_target ? d->group_target : "?",
				strerror(d->group_err));
			continue;
		}
		want = sysfs_group_by_real(s, d->group_real);
		if (!want) {
			problem(p,
				"device %s/%s (%s): iommu_group resolves to "
				"%s, which is not a group directory in %s "
				"(§9.4)",
				d->bus, d->name, d->real, d->group_real,
				s->groups_path);
			continue;
		}
		key.real = d->real;
		hit = nr ? bsearch(&key, refs, nr, sizeof(*refs), cmp_ref)
			 : NULL;
		if (!hit) {
			problem(p,
				"group %s: device %s/%s (%s) links to group %s "
				"but no group's devices/ lists it; wanted it "
				"in group %s's devices/ (§9.4)",
				want->name, d->bus, d->name, d->real,
				want->name, want->name);
			continue;
		}
		while (hit > refs && !strcmp(hit[-1].real, d->real))
			hit--;
		found = false;
		for (struct member_ref *r = hit;
		     r < refs + nr && !strcmp(r->real, d->real); r++)
			found |= r->g == want;
		if (!found)
			problem(p,
				"group %s: device %s/%s (%s) links to group %s "
				"but is listed by group %s (devices/%s); "
				"wanted it in group %s's devices/ (§9.4)",
				want->name, d->bus, d->name, d->real,
				want->name, hit->g->name, hit->m->name,
				want->name);
	}
	free(refs);
	return n;
}

size_t sysfs_check_nonempty(const struct sysfs_snapshot *s,
			    struct sysfs_problems *p)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nr_groups; i++) {
		const struct sysfs_group *g = &s->groups[i];

		if (!g->is_dir || !g->devices_is_dir || g->devices_err)
			continue;
		n++;
		if (!g->nr_members)
			problem(p,
				"group %s: devices/ is empty; wanted at least "
				"one device, since only an external holder "
				"pins an empty group and nothing holds one at "
				"boot (§9.5)",
				g->name);
	}
	return n;
}

size_t sysfs_check_iommu_links(const struct sysfs_snapshot *s,
			       struct sysfs_problems *p)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nr_devices; i++) {
		const struct sysfs_device *d = &s->devices[i];
		const struct sysfs_group *g =
			sysfs_group_by_real(s, d->group_real);

		n++;
		if (d->has_iommu_link)
			continue;
		/* §9.10: VFIO no-IOMMU groups carry a name and no IOMMU. */
		if (g && g->name_attr.present)
			continue;
		problem(p,
			"group %s: device %s/%s (%s) has an iommu_group link "
			"but no iommu link; wanted both (§9.10)",
			g ? g->name
			  : (d->group_real ? base_of(d->group_real) : "?"),
			d->bus, d->name, d->real ? d->real : "?");
	}
	return n;
}

/* ---- PCI partition ---------------------------------------------------- */

static bool hex_run(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]) && (s[i] < 'a' || s[i] > 'f'))
			return false;
	return true;
}

bool sysfs_is_bdf(const char *s)
{
	const char *c = s ? strchr(s, ':') : NULL;
	size_t dom;

	/* %04x:%02x:%02x.%d; domains above 0xffff print wider (VMD). */
	if (!c)
		return false;
	dom = c - s;
	if (dom < 4 || dom > 8 || !hex_run(s, dom))
		return false;
	s = c + 1;
	if (strlen(s) != 7 || s[2] != ':' || s[5] != '.' || !hex_run(s, 2) ||
	    !hex_run(s + 3, 2) || s[6] < '0' || s[6] > '7')
		return false;
	/* Device number is 5 bits. */
	return s[3] <= '1';
}

bool sysfs_bdf_normalize(const char *in, char *out, size_t size)
{
	char buf[32];
	size_t n, colons = 0;

	if (!in)
		return false;
	n = strlen(in);
	if (n >= sizeof(buf) - 5)
		return false;
	for (size_t i = 0; i < n; i++)
		colons += in[i] == ':';
	snprintf(buf, sizeof(buf), "%s%s", colons == 1 ? "0000:" : "", in);
	for (char *c = buf; *c; c++)
		*c = tolower((unsigned char)*c);
	if (!sysfs_is_bdf(buf) || strlen(buf) >= size)
		return false;
	strcpy(out, buf);
	return true;
}

static void pgroup_free(struct sysfs_pgroup *g)
{
	free_strv(g->bdfs, g->nr);
}

void sysfs_partition_free(struct sysfs_partition *part)
{
	for (size_t i = 0; i < part->nr; i++)
		pgroup_free(&part->groups[i]);
	free(part->groups);
	memset(part, 0, sizeof(*part));
}

static int cmp_pgroup(const void *a, const void *b)
{
	const struct sysfs_pgroup *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

int sysfs_partition_build(const struct sysfs_snapshot *s,
			  struct sysfs_partition *part)
{
	size_t cap = 0;

	memset(part, 0, sizeof(*part));
	for (size_t i = 0; i < s->nr_groups; i++) {
		const struct sysfs_group *g = &s->groups[i];
		struct sysfs_pgroup pg = {.id = g->id};
		size_t bcap = 0;

		if (!g->is_dir || g->id < 0)
			continue;
		for (size_t j = 0; j < g->nr_members; j++) {
			if (!sysfs_is_bdf(g->members[j].name))
				continue;
			if (grow(&pg.bdfs, &bcap, pg.nr, sizeof(*pg.bdfs)))
				goto oom;
			pg.bdfs[pg.nr] = strdup(g->members[j].name);
			if (!pg.bdfs[pg.nr])
				goto oom;
			pg.nr++;
		}
		if (!pg.nr)
			continue;
		qsort(pg.bdfs, pg.nr, sizeof(*pg.bdfs), cmp_str);
		if (grow(&part->groups, &cap, part->nr, sizeof(*part->groups)))
			goto oom;
		part->groups[part->nr++] = pg;
		continue;
	oom:
		pgroup_free(&pg);
		sysfs_partition_free(part);
		errno = ENOMEM;
		return -1;
	}
	if (part->nr)
		qsort(part->groups, part->nr, sizeof(*part->groups),
		      cmp_pgroup);
	return 0;
}

const struct sysfs_pgroup *
sysfs_partition_find(const struct sysfs_partition *part, const char *bdf)
{
	for (size_t i = 0; i < part->nr; i++)
		for (size_t j = 0; j < part->groups[i].nr; j++)
			if (!strcmp(part->groups[i].bdfs[j], bdf))
				return &part->groups[i];
	return NULL;
}

bool sysfs_pgroup_equal(const struct sysfs_pgroup *a,
			const struct sysfs_pgroup *b)
{
	if (a->nr != b->nr)
		return false;
	for (size_t i = 0; i < a->nr; i++)
		if (strcmp(a->bdfs[i], b->bdfs[i]))
			return false;
	return true;
}

char *sysfs_pgroup_str(const struct sysfs_pgroup *g)
{
	struct sb b = {0};

	sb_printf(&b, "{");
	for (size_t i = 0; i < g->nr; i++)
		sb_printf(&b, "%s%s", i ? " " : "", g->bdfs[i]);
	sb_printf(&b, "}");
	return sb_take(&b);
}

void sysfs_expect_free(struct sysfs_expect *e)
{
	sysfs_partition_free(&e->groups);
	free_strv(e->nogroup, e->nr_nogroup);
	memset(e, 0, sizeof(*e));
}

/* Where bdf was declared already: its line, or 0. */
static unsigned int declared_at(const struct sysfs_expect *e,
				const unsigned int *nogroup_line,
				const char *bdf)
{
	for (size_t i = 0; i < e->groups.nr; i++)
		for (size_t j = 0; j < e->groups.groups[i].nr; j++)
			if (!strcmp(e->groups.groups[i].bdfs[j], bdf))
				return e->groups.groups[i].id;
	for (size_t i = 0; i < e->nr_nogroup; i++)
		if (!strcmp(e->nogroup[i], bdf))
			return nogroup_line[i];
	return 0;
}

/* Add one normalised PCI address from line `line` to e (group: into pg). */
static int expect_add(struct sysfs_expect *e, unsigned int **nlines,
		      size_t *ncap, size_t *lcap, struct sysfs_pgroup *pg,
		      size_t *bcap, bool is_group, const char *bdf,
		      unsigned int line)
{
	char *dup = strdup(bdf);

	if (!dup)
		return -1;
	if (is_group) {
		if (grow(&pg->bdfs, bcap, pg->nr, sizeof(*pg->bdfs)))
			goto oom;
		pg->bdfs[pg->nr++] = dup;
		return 0;
	}
	if (grow(&e->nogroup, ncap, e->nr_nogroup, sizeof(*e->nogroup)) ||
	    grow(nlines, lcap, e->nr_nogroup, sizeof(**nlines)))
		goto oom;
	e->nogroup[e->nr_nogroup] = dup;
	(*nlines)[e->nr_nogroup++] = line;
	return 0;
oom:
	free(dup);
	return -1;
}

int sysfs_expect_parse(const char *data, size_t len, struct sysfs_expect *e,
		       char *err, size_t errsz)
{
	size_t gcap = 0, ncap = 0, lcap = 0, pos = 0;
	unsigned int line = 0, *nlines = NULL;
	struct sysfs_pgroup pg = {0};
	char *copy = NULL;

	memset(e, 0, sizeof(*e));
	set_err(err, errsz, "%s", "");
	if (memchr(data, '\0', len)) {
		set_err(err, errsz, "contains a NUL byte");
		return -1;
	}
	while (pos < len) {
		const char *l = data + pos, *nl = memchr(l, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - l) : len - pos;
		size_t bcap = 0, count = 0;
		char *tok, *save, *kw;
		bool is_group;

		line++;
		pos += ll + 1;
		copy = strndup(l, ll);
		if (!copy)
			goto oom;
		/* '#' starts a comment at line start or after whitespace. */
		for (char *c = copy; *c; c++) {
			if (*c == '#' &&
			    (c == copy || isspace((unsigned char)c[-1]))) {
				*c = '\0';
				break;
			}
		}
		kw = strtok_r(copy, " \t\r\v\f", &save);
		if (!kw) {
			free(copy);
			copy = NULL;
			continue;
		}
		if (strcmp(kw, "group") && strcmp(kw, "nogroup")) {
			set_err(err, errsz,
				"line %u: unknown statement '%.40s'; wanted "
				"group or nogroup",
				line, kw);
			goto bad;
		}
		is_group = !strcmp(kw, "group");
		memset(&pg, 0, sizeof(pg));
		pg.id = line;
		while ((tok = strtok_r(NULL, " \t\r\v\f", &save))) {
			char bdf[32];
			unsigned int at;

			if (!sysfs_bdf_normalize(tok, bdf, sizeof(bdf))) {
				set_err(err, errsz,
					"line %u: '%.40s' is not a PCI address "
					"(DDDD:BB:DD.F or BB:DD.F)",
					line, tok);
				goto bad;
			}
			at = declared_at(e, nlines, bdf);
			for (size_t i = 0; !at && i < pg.nr; i++)
				if (!strcmp(pg.bdfs[i], bdf))
					at = line;
			if (at) {
				set_err(err, errsz,
					"line %u: %s already declared on line "
					"%u",
					line, bdf, at);
				goto bad;
			}
			if (expect_add(e, &nlines, &ncap, &lcap, &pg, &bcap,
				       is_group, bdf, line))
				goto oom;
			count++;
		}
		if (!count) {
			set_err(err, errsz, "line %u: %s without a PCI address",
				line, kw);
			goto bad;
		}
		if (is_group) {
			qsort(pg.bdfs, pg.nr, sizeof(*pg.bdfs), cmp_str);
			if (grow(&e->groups.groups, &gcap, e->groups.nr,
				 sizeof(*e->groups.groups)))
				goto oom;
			e->groups.groups[e->groups.nr++] = pg;
			memset(&pg, 0, sizeof(pg));
		}
		free(copy);
		copy = NULL;
	}
	free(nlines);
	return 0;
oom:
	set_err(err, errsz, "out of memory");
bad:
	pgroup_free(&pg);
	free(copy);
	free(nlines);
	sysfs_expect_free(e);
	return -1;
}

int sysfs_expect_load(const char *path, struct sysfs_expect *e, char *err,
		      size_t errsz)
{
	struct sysfs_file f;
	int ret;

	memset(e, 0, sizeof(*e));
	if (read_capped(path, EXPECT_READ_MAX, &f)) {
		set_err(err, errsz, "out of memory");
		errno = ENOMEM;
		return -1;
	}
	if (f.err) {
		int saved = f.err;

		set_err(err, errsz, "cannot read it: %s",
			saved == EINVAL ? "not a regular file"
					: strerror(saved));
		file_free(&f);
		errno = saved;
		return -1;
	}
	if (f.truncated) {
		set_err(err, errsz, "larger than %d bytes", EXPECT_READ_MAX);
		file_free(&f);
		errno = EFBIG;
		return -1;
	}
	ret = sysfs_expect_parse(f.data, f.len, e, err, errsz);
	file_free(&f);
	if (ret)
		errno = EINVAL;
	return ret;
}

size_t sysfs_check_declared_groups(const struct sysfs_partition *expected,
				   const struct sysfs_partition *kernel,
				   struct sysfs_problems *p)
{
	size_t n = 0;

	for (size_t i = 0; i < expected->nr; i++) {
		const struct sysfs_pgroup *e = &expected->groups[i];
		const struct sysfs_pgroup *k0 =
			sysfs_partition_find(kernel, e->bdfs[0]);
		char *es, *ks = NULL;
		struct sb b = {0};
		bool first = true;

		n++;
		if (k0 && sysfs_pgroup_equal(e, k0))
			continue;
		/* Every kernel group touching e, once, in e's order. */
		for (size_t j = 0; j < e->nr; j++) {
			const struct sysfs_pgroup *k =
				sysfs_partition_find(kernel, e->bdfs[j]);
			bool seen = false;
			char *s;

			for (size_t x = 0; k && x < j; x++)
				seen |= sysfs_partition_find(kernel,
							     e->bdfs[x]) == k;
			if (seen)
				continue;
			if (!k) {
				sb_printf(&b, "%s%s in no group",
					  first ? "" : ", ", e->bdfs[j]);
				first = false;
				continue;
			}
			s = sysfs_pgroup_str(k);
			sb_printf(&b, "%sgroup %ld %s", first ? "" : ", ",
				  k->id, s ? s : "?");
			free(s);
			first = false;
		}
		ks = sb_take(&b);
		es = sysfs_pgroup_str(e);
		problem(p, "expected group %s: kernel has %s", es ? es : "?",
			ks ? ks : "?");
		free(es);
		free(ks);
	}
	return n;
}

size_t sysfs_check_groups_declared(const struct sysfs_partition *expected,
				   const struct sysfs_partition *kernel,
				   struct sysfs_problems *p)
{
	size_t n = 0;

	for (size_t i = 0; i < kernel->nr; i++) {
		const struct sysfs_pgroup *k = &kernel->groups[i];
		struct sb b = {0};
		size_t missing = 0;
		char *ks, *list;

		for (size_t j = 0; j < k->nr; j++) {
			n++;
			if (sysfs_partition_find(expected, k->bdfs[j]))
				continue;
			sb_printf(&b, "%s%s", missing ? " " : "", k->bdfs[j]);
			missing++;
		}
		list = sb_take(&b);
		if (missing) {
			ks = sysfs_pgroup_str(k);
			problem(p,
				"kernel group %ld %s: %s not in any expected "
				"group; wanted every grouped PCI device "
				"declared (docs/formats.md)",
				k->id, ks ? ks : "?", list ? list : "?");
			free(ks);
		}
		free(list);
	}
	return n;
}

int sysfs_pci_dev_get(const char *root, const char *bdf,
		      struct sysfs_pci_dev *d)
{
	char *path = NULL;
	struct stat st;

	memset(d, 0, sizeof(*d));
	d->group_id = -1;
	if (asprintf(&path, "%s/bus/pci/devices/%s", root ? root : sysfs_root(),
		     bdf) < 0)
		return -1;
	d->present = !stat(path, &st) && S_ISDIR(st.st_mode);
	free(path);
	if (asprintf(&path, "%s/bus/pci/devices/%s/iommu_group",
		     root ? root : sysfs_root(), bdf) < 0)
		return -1;
	d->has_group_link = !lstat(path, &st);
	if (d->has_group_link) {
		d->group_real = realpath(path, NULL);
		if (d->group_real)
			d->group_id = sysfs_group_id_parse(
				base_of(d->group_real), NULL);
	}
	free(path);
	return 0;
}

void sysfs_pci_dev_free(struct sysfs_pci_dev *d)
{
	free(d->group_real);
	memset(d, 0, sizeof(*d));
}
