// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reads the IOMMU group sysfs into a snapshot (and one PCI device's group
 * link).  Everything read from the tree is data to judge: links may be
 * broken or loop, files may be missing, huge, FIFOs or full of NUL bytes,
 * names may be odd.  Nothing here follows a link further than realpath()
 * does, and no read blocks.
 */
#include "sysfs_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- small helpers ---------------------------------------------------- */

static char *join(const char *a, const char *b)
{
	char *r;

	if (asprintf(&r, "%s/%s", a, b) < 0)
		return NULL;
	return r;
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
int sysfs_read_capped(const char *path, size_t cap, struct sysfs_file *f)
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

void sysfs_file_free(struct sysfs_file *f)
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
		if (sysfs_grow(names, &cap, *nr, sizeof(**names)))
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
		qsort(*names, *nr, sizeof(**names), sysfs_cmp_str);
	return 0;
fail:
	e = errno ? errno : ENOMEM;
	closedir(d);
	sysfs_strv_free(*names, *nr);
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
	sysfs_strv_free(names, nr);
	names = NULL;
	nr = 0;
	free(sub);

	sub = join(path, "reserved_regions");
	if (!sub ||
	    sysfs_read_capped(sub, SYSFS_READ_MAX, &g->reserved_regions))
		goto oom;
	free(sub);
	sub = join(path, "type");
	if (!sub || sysfs_read_capped(sub, SYSFS_READ_MAX, &g->type))
		goto oom;
	free(sub);
	sub = join(path, "name");
	if (!sub || sysfs_read_capped(sub, SYSFS_READ_MAX, &g->name_attr))
		goto oom;
	free(sub);
	free(path);
	return 0;
oom:
	sysfs_strv_free(names, nr);
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
	sysfs_file_free(&g->reserved_regions);
	sysfs_file_free(&g->type);
	sysfs_file_free(&g->name_attr);
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
	if (sysfs_grow(&s->devices, cap, s->nr_devices, sizeof(*s->devices)))
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
				sysfs_strv_free(names, nr);
				free(dir);
				goto oom;
			}
		}
		sysfs_strv_free(names, nr);
		free(dir);
	}
	sysfs_strv_free(buses, nr_buses);
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
	sysfs_strv_free(buses, nr_buses);
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
	sysfs_strv_free(names, nr);
	names = NULL;
	nr = 0;
	if (scan_buses(s))
		goto oom;
	return 0;
oom:
	sysfs_strv_free(names, nr);
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
				sysfs_base_of(d->group_real), NULL);
	}
	free(path);
	return 0;
}

void sysfs_pci_dev_free(struct sysfs_pci_dev *d)
{
	free(d->group_real);
	memset(d, 0, sizeof(*d));
}
