// SPDX-License-Identifier: GPL-2.0-only
/*
 * domain_attach's common part: sysfs, what a test changes and putting it
 * back, the reserved regions, IOVA spaces, and the edu fixture's setup.
 */
#include "ksft_helpers.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>

#include "domain_attach.h"

/* A measurement, on stdout where the KTAP reader looks for it. */
void metric(const char *name, double value, const char *unit)
{
	printf("# metric: %s %.1f %s\n", name, value, unit);
	fflush(stdout);
}

/* Copy src into dst (size bytes), truncating. */
void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int errf(char *err, size_t len, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int errf(char *err, size_t len, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return ret;
}

/* ---- sysfs ---------------------------------------------------------- */

/* A sysfs file's content without its trailing newline.  0 or -errno. */
int read_attr(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	buf[n] = '\0';
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return 0;
}

/* One write of val; 0 or -errno (the store's own error). */
int write_attr(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != strlen(val))
		ret = -EIO;
	close(fd);
	return ret;
}

int dev_attr_path(char *buf, size_t size, const char *bdf, const char *attr)
{
	return suite_pathf(buf, size, PCI_DEVICES "/%s/%s", bdf, attr);
}

/* The name of the driver bound to bdf, "" if none. */
void dev_driver(const char *bdf, char *out, size_t size)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *b;
	ssize_t n;

	out[0] = '\0';
	if (dev_attr_path(path, sizeof(path), bdf, "driver"))
		return;
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return;
	link[n] = '\0';
	b = strrchr(link, '/');
	copy_str(out, size, b ? b + 1 : link);
}

/* bdf's IOMMU group ID, -1 if it has none. */
static long dev_group(const char *bdf)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *b;
	ssize_t n;

	if (dev_attr_path(path, sizeof(path), bdf, "iommu_group"))
		return -1;
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return -1;
	link[n] = '\0';
	b = strrchr(link, '/');
	return strtol(b ? b + 1 : link, NULL, 10);
}

/* A hex attribute of bdf (vendor, device, class); -1 if unreadable. */
long dev_hex(const char *bdf, const char *attr)
{
	char path[PATH_MAX], buf[32];

	if (dev_attr_path(path, sizeof(path), bdf, attr) ||
	    read_attr(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 16);
}

/* Config space header type (bit 7, multifunction, masked); -1. */
int dev_header_type(const char *bdf)
{
	char path[PATH_MAX];
	unsigned char h;
	int fd, ret = -1;

	if (dev_attr_path(path, sizeof(path), bdf, "config"))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (pread(fd, &h, 1, 0x0e) == 1)
		ret = h & 0x7f;
	close(fd);
	return ret;
}

/* The first PCI device with these IDs, into bdf.  0 or -1. */
static int pci_find(unsigned int vendor, unsigned int device, char *bdf)
{
	struct dirent **list = NULL;
	int n = scandir(PCI_DEVICES, &list, NULL, alphasort), ret = -1;

	for (int i = 0; i < n; i++) {
		const char *d = list[i]->d_name;

		if (ret && sysfs_is_bdf(d) && strlen(d) < BDF_LEN &&
		    dev_hex(d, "vendor") == (long)vendor &&
		    dev_hex(d, "device") == (long)device) {
			snprintf(bdf, BDF_LEN, "%s", d);
			ret = 0;
		}
		free(list[i]);
	}
	free(list);
	return ret;
}

/* The members of group id, sorted.  Their number, or -1. */
int group_members(long id, char bdfs[][BDF_LEN], int max)
{
	char dir[PATH_MAX];
	struct dirent **list = NULL;
	int n, nr = 0;

	if (suite_pathf(dir, sizeof(dir), GROUPS_DIR "/%ld/devices", id))
		return -1;
	n = scandir(dir, &list, NULL, alphasort);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (list[i]->d_name[0] != '.') {
			if (nr < max && strlen(list[i]->d_name) < BDF_LEN)
				snprintf(bdfs[nr], BDF_LEN, "%s",
					 list[i]->d_name);
			nr++;
		}
		free(list[i]);
	}
	free(list);
	return nr;
}

/* Group id's reserved_regions, parsed.  0, or -1 with err. */
static int group_resv(long id, struct sysfs_resv_list *out, char *err,
		      size_t len)
{
	char path[PATH_MAX], buf[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), GROUPS_DIR "/%ld/reserved_regions", id);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errf(err, len, -1, "%s: %s", path, strerror(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return errf(err, len, -1, "%s: %s", path, strerror(errno));
	if (sysfs_resv_parse(buf, n, out, err, len))
		return -1;
	return 0;
}

/* ---- what a test changes, and putting it back ---------------------- */

static int save_dev(struct saved *s, const char *bdf, char *err, size_t len)
{
	struct saved_dev *d;
	char path[PATH_MAX];

	for (size_t i = 0; i < s->nr_dev; i++)
		if (!strcmp(s->dev[i].bdf, bdf))
			return 0;
	if (s->nr_dev == MAX_DEVS)
		return errf(err, len, -ENOSPC, "%s: more than %d devices", bdf,
			    MAX_DEVS);
	d = &s->dev[s->nr_dev];
	snprintf(d->bdf, sizeof(d->bdf), "%s", bdf);
	dev_driver(bdf, d->driver, sizeof(d->driver));
	d->override[0] = '\0';
	if (!dev_attr_path(path, sizeof(path), bdf, "driver_override") &&
	    !read_attr(path, d->override, sizeof(d->override)) &&
	    !strcmp(d->override, "(null)"))
		d->override[0] = '\0';
	s->nr_dev++;
	return 0;
}

/* Set a module parameter, saving its value first.  0 or -errno. */
int set_param(struct saved *s, const char *path, const char *value)
{
	bool known = false;
	int ret;

	for (size_t i = 0; i < s->nr_param; i++)
		known |= !strcmp(s->param[i].path, path);
	if (!known) {
		struct saved_param *p = &s->param[s->nr_param];

		if (s->nr_param == MAX_PARAMS)
			return -ENOSPC;
		ret = read_attr(path, p->value, sizeof(p->value));
		if (ret)
			return ret;
		snprintf(p->path, sizeof(p->path), "%s", path);
		s->nr_param++;
	}
	return write_attr(path, value);
}

/* Take bdf from its driver and leave it without one. */
int unbind_dev(struct saved *s, const char *bdf, char *err, size_t len)
{
	char path[PATH_MAX], drv[64];
	int ret = save_dev(s, bdf, err, len);

	if (ret)
		return ret;
	dev_driver(bdf, drv, sizeof(drv));
	if (*drv) {
		dev_attr_path(path, sizeof(path), bdf, "driver/unbind");
		ret = write_attr(path, bdf);
		if (ret)
			return errf(err, len, ret, "%s: unbind from %s: %s",
				    bdf, drv, strerror(-ret));
	}
	dev_attr_path(path, sizeof(path), bdf, "driver_override");
	ret = write_attr(path, "\n");
	if (ret)
		return errf(err, len, ret, "%s: clearing driver_override: %s",
			    bdf, strerror(-ret));
	return 0;
}

/* driver_override = vfio-pci, then drivers_probe (VFIO's usual way). */
int bind_vfio(struct saved *s, const char *bdf, char *err, size_t len)
{
	char path[PATH_MAX], drv[64];
	int ret;

	dev_driver(bdf, drv, sizeof(drv));
	if (!strcmp(drv, VFIO_PCI))
		return save_dev(s, bdf, err, len);
	ret = unbind_dev(s, bdf, err, len);
	if (ret)
		return ret;
	dev_attr_path(path, sizeof(path), bdf, "driver_override");
	ret = write_attr(path, VFIO_PCI);
	if (ret)
		return errf(err, len, ret, "%s: driver_override: %s", bdf,
			    strerror(-ret));
	ret = write_attr("/sys/bus/pci/drivers_probe", bdf);
	dev_driver(bdf, drv, sizeof(drv));
	if (strcmp(drv, VFIO_PCI))
		return errf(err, len, -ENODEV,
			    "%s: bound to '%s' after drivers_probe (%s), "
			    "want " VFIO_PCI,
			    bdf, drv, ret ? strerror(-ret) : "no error");
	return 0;
}

/* Put one device back on the driver (and override) it had. */
static int restore_dev(const struct saved_dev *d, char *err, size_t len)
{
	char path[PATH_MAX], drv[64];
	int ret;

	dev_driver(d->bdf, drv, sizeof(drv));
	if (*drv && strcmp(drv, d->driver)) {
		dev_attr_path(path, sizeof(path), d->bdf, "driver/unbind");
		ret = write_attr(path, d->bdf);
		if (ret)
			return errf(err, len, ret, "%s: unbind from %s: %s",
				    d->bdf, drv, strerror(-ret));
	}
	dev_attr_path(path, sizeof(path), d->bdf, "driver_override");
	ret = write_attr(path, *d->override ? d->override : "\n");
	if (ret)
		return errf(err, len, ret, "%s: driver_override: %s", d->bdf,
			    strerror(-ret));
	dev_driver(d->bdf, drv, sizeof(drv));
	if (*d->driver && strcmp(drv, d->driver)) {
		if (suite_pathf(path, sizeof(path), PCI_DRIVERS "/%s/bind",
				d->driver))
			return errf(err, len, -ENAMETOOLONG, "%s: path",
				    d->bdf);
		ret = write_attr(path, d->bdf);
		dev_driver(d->bdf, drv, sizeof(drv));
		if (strcmp(drv, d->driver))
			return errf(err, len, ret ? ret : -ENODEV,
				    "%s: rebinding %s: %s", d->bdf, d->driver,
				    ret ? strerror(-ret) : "no driver bound");
	}
	return 0;
}

/* Restore everything in s, last change first; FAIL on what did not. */
void restore_saved(struct __test_metadata *_metadata, struct saved *s)
{
	char err[512];
	int bad = 0;

	for (size_t i = s->nr_dev; i-- > 0;) {
		if (restore_dev(&s->dev[i], err, sizeof(err))) {
			TH_LOG("restoring the driver binding: %s", err);
			bad++;
		}
	}
	for (size_t i = s->nr_param; i-- > 0;) {
		int ret = write_attr(s->param[i].path, s->param[i].value);

		if (ret) {
			TH_LOG("restoring %s=%s: %s", s->param[i].path,
			       s->param[i].value, strerror(-ret));
			bad++;
		}
	}
	s->nr_dev = s->nr_param = 0;
	EXPECT_EQ(0, bad);
}

int sys_ret(int r)
{
	return r < 0 ? -errno : r;
}

const char *err_str(int r)
{
	return r < 0 ? strerror(-r) : "success";
}

/*
 * An IOVA for size bytes, aligned, at or above lo, with its last byte at
 * or below hi, inside one usable range.  0 or -1.
 */
int pick_iova(const struct type1_info *ti, uint64_t size, uint64_t align,
	      uint64_t lo, uint64_t hi, uint64_t *iova)
{
	struct type1_info all = {.nr_ranges = 1};
	const struct type1_info *t = ti->have_ranges ? ti : &all;

	all.range[0].start = 0;
	all.range[0].end = UINT64_MAX;
	for (size_t i = 0; i < t->nr_ranges; i++) {
		uint64_t s = t->range[i].start > lo ? t->range[i].start : lo;
		uint64_t e = t->range[i].end < hi ? t->range[i].end : hi;

		s = (s + align - 1) & ~(align - 1);
		if (s < lo || s > e || e - s < size - 1)
			continue;
		*iova = s;
		return 0;
	}
	return -1;
}

/* Anonymous, page-aligned, populated memory; freed at exit. */
void *alloc_buf(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * Why a type1v2 container cannot work here, or NULL.  The container needs
 * its backend module loaded (busybox has no request_module helper).
 */
const char *no_type1(void)
{
	int c, ext;

	if (access(PCI_DRIVERS "/" VFIO_PCI, F_OK))
		return PCI_DRIVERS "/" VFIO_PCI " absent: vfio-pci is not "
				   "loaded (CONFIG_VFIO_PCI, module vfio_pci)";
	c = open_container();
	if (c < 0)
		return "/dev/vfio/vfio cannot be opened: no VFIO container "
		       "(CONFIG_VFIO_CONTAINER, module vfio)";
	ext = ioctl(c, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU);
	close(c);
	if (ext != 1)
		return "the VFIO container offers no type1v2 IOMMU: module "
		       "vfio_iommu_type1 not loaded (CONFIG_VFIO_IOMMU_TYPE1)";
	return NULL;
}

/* The IOMMU kind: IOG_IOMMU, else /sys/class/iommu.  false if unknown. */
bool iommu_kind(enum model_iommu_kind *kind)
{
	const char *env = getenv("IOG_IOMMU");
	char from[PATH_MAX];

	if (env && *env)
		return !model_iommu_kind_parse(env, kind);
	return !suite_detect_iommu("/sys", kind, from, sizeof(from));
}

bool map_probe(void)
{
	const char *e = getenv("IOG_EDU_MAP_PROBE");
	char cmdline[4096], *save = NULL;

	if (e && !strcmp(e, "1"))
		return true;
	if (read_attr("/proc/cmdline", cmdline, sizeof(cmdline)))
		return false;
	for (char *t = strtok_r(cmdline, " ", &save); t;
	     t = strtok_r(NULL, " ", &save))
		if (!strcmp(t, "iog.edu_map_probe=1"))
			return true;
	return false;
}

/*
 * virtio-iommu on x86 isolates no MSIs (observed-q35.md): type1 and
 * iommufd refuse it unless their allow_unsafe_interrupts is set.  The
 * test type1_unsafe_interrupts checks that.
 */
void allow_unsafe_if_needed(struct __test_metadata *_metadata, struct saved *s,
			    bool kind_known, enum model_iommu_kind kind,
			    const char *param)
{
	int ret;

	if (!kind_known || kind != MODEL_IOMMU_VIRTIO)
		return;
	ret = set_param(s, param, "Y");
	ASSERT_EQ(0, ret)
	TH_LOG("virtio-iommu: setting %s=Y: %s", param, strerror(-ret));
}

long bind_group(struct __test_metadata *_metadata, struct saved *s,
		const char *bdf)
{
	char members[MAX_DEVS][BDF_LEN], err[512];
	long id;
	int n, ret;

	ret = bind_vfio(s, bdf, err, sizeof(err));
	ASSERT_EQ(0, ret) TH_LOG("%s", err);
	/* virtio-iommu groups a device when a driver probes it. */
	id = dev_group(bdf);
	ASSERT_LE(0, id)
	TH_LOG("%s has no IOMMU group although bound to vfio-pci", bdf);
	n = group_members(id, members, MAX_DEVS);
	ASSERT_LT(0, n) TH_LOG("group %ld: cannot list its devices", id);
	ASSERT_GE(MAX_DEVS, n) TH_LOG("group %ld: %d devices", id, n);
	for (int i = 0; i < n; i++) {
		ASSERT_EQ(0, dev_header_type(members[i]))
		TH_LOG("group %ld holds %s, not an endpoint: vfio-pci "
		       "cannot take the whole group",
		       id, members[i]);
		ret = bind_vfio(s, members[i], err, sizeof(err));
		ASSERT_EQ(0, ret) TH_LOG("%s", err);
	}
	return id;
}

/* ---- the edu fixture ------------------------------------------------ */

void edu_fix_setup(struct __test_metadata *_metadata, struct edu_fix *f)
{
	const char *why;

	f->container = f->group = f->device = f->iommufd = -1;
	if (pci_find(edu_ops.vendor, edu_ops.device, f->bdf))
		SKIP(return,
			   "no edu device (%04x:%04x): the topology has no "
			   "DMA engine (-device edu)",
			   edu_ops.vendor, edu_ops.device);
	why = no_type1();
	if (why)
		SKIP(return, "%s", why);
	f->kind_known = iommu_kind(&f->kind);
}

void edu_dma_up(struct __test_metadata *_metadata, struct edu_fix *f)
{
	int ret = edu_ops.init(&f->dma, f->device);

	ASSERT_EQ(0, ret) TH_LOG("edu init: %s", f->dma.err);
	f->dma_up = true;
}

void edu_close(struct edu_fix *f)
{
	if (f->dma_up)
		f->dma.ops->remove(&f->dma);
	f->dma_up = false;
	if (f->device >= 0)
		close(f->device);
	if (f->group >= 0)
		close(f->group);
	if (f->container >= 0)
		close(f->container);
	if (f->iommufd >= 0)
		close(f->iommufd);
	f->device = f->group = f->container = f->iommufd = -1;
}

/* ---- IOVA ranges and spaces ------------------------------------------ */

static bool resv_blocks(enum sysfs_resv_type t)
{
	/* Relaxable direct mappings may be given up for VFIO. */
	return t != SYSFS_RESV_DIRECT_RELAXABLE;
}

/*
 * The ranges a container or an attached IOAS offers leave out the
 * group's blocking reserved regions (for an IOAS, those of its one
 * device: iommufd reserves the regions of the devices attached, the
 * group's file merges all).
 */
size_t ranges_overlap_resv(struct __test_metadata *_metadata,
			   const struct type1_info *t, long group,
			   const char *label)
{
	struct sysfs_resv_list resv = {0};
	size_t overlaps = 0;
	char err[256];

	ASSERT_EQ(0, group_resv(group, &resv, err, sizeof(err)))
	TH_LOG("%s", err);
	for (size_t i = 0; i < t->nr_ranges; i++) {
		TH_LOG("%s 0x%016llx-0x%016llx", label,
		       (unsigned long long)t->range[i].start,
		       (unsigned long long)t->range[i].end);
		for (size_t j = 0; j < resv.nr; j++) {
			const struct sysfs_resv_region *r = &resv.regions[j];

			if (!resv_blocks(r->type) ||
			    r->end < t->range[i].start ||
			    r->start > t->range[i].end)
				continue;
			TH_LOG("%s 0x%llx-0x%llx overlaps reserved region "
			       "0x%llx-0x%llx %s of group %ld",
			       label, (unsigned long long)t->range[i].start,
			       (unsigned long long)t->range[i].end,
			       (unsigned long long)r->start,
			       (unsigned long long)r->end,
			       sysfs_resv_type_name(r->type), group);
			overlaps++;
		}
	}
	sysfs_resv_list_free(&resv);
	return overlaps;
}

uint64_t group_msi(struct __test_metadata *_metadata, long group)
{
	struct sysfs_resv_list resv = {0};
	uint64_t msi = 0;
	char err[256];

	ASSERT_EQ(0, group_resv(group, &resv, err, sizeof(err)))
	TH_LOG("%s", err);
	for (size_t i = 0; i < resv.nr && !msi; i++)
		if (resv.regions[i].type == SYSFS_RESV_MSI)
			msi = resv.regions[i].start;
	sysfs_resv_list_free(&resv);
	return msi;
}

void space_type1(struct iova_space *sp, int container)
{
	*sp = (struct iova_space){.fd = container};
	snprintf(sp->name, sizeof(sp->name), "the container");
}

void space_ioas(struct iova_space *sp, int iommufd, uint32_t ioas)
{
	*sp = (struct iova_space){.fd = iommufd, .ioas = ioas};
	snprintf(sp->name, sizeof(sp->name), "IOAS %u", ioas);
}

const char *space_what(const struct iova_space *sp, bool unmap, uint64_t iova,
		       uint64_t size, uint32_t flags, char *buf, size_t len)
{
	if (sp->ioas)
		snprintf(buf, len, "IOMMU_IOAS_%s IOVA 0x%llx length 0x%llx",
			 unmap ? "UNMAP" : "MAP", (unsigned long long)iova,
			 (unsigned long long)size);
	else if (unmap)
		snprintf(buf, len, "unmap IOVA 0x%llx size 0x%llx flags 0x%x",
			 (unsigned long long)iova, (unsigned long long)size,
			 flags);
	else
		snprintf(buf, len, "map IOVA 0x%llx size 0x%llx",
			 (unsigned long long)iova, (unsigned long long)size);
	return buf;
}

int space_map(const struct iova_space *sp, uint64_t iova, void *va,
	      uint64_t size)
{
	if (!sp->ioas)
		return dma_map(sp->fd, iova, va, size);
	/* At a fixed IOVA, as a container maps. */
	return ioas_map(sp->fd, sp->ioas, true, va, size, &iova);
}

int space_unmap(const struct iova_space *sp, uint64_t iova, uint64_t size,
		uint32_t flags, uint64_t *done)
{
	if (!sp->ioas)
		return dma_unmap(sp->fd, iova, size, flags, done);
	return ioas_unmap(sp->fd, sp->ioas, iova, size, done);
}
