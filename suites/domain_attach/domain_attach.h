// SPDX-License-Identifier: GPL-2.0-only
/*
 * The parts of domain_attach (suites/domain_attach.c registers its tests
 * and says why it is built this way): common.c (sysfs, what a test
 * changes and putting it back, the edu fixture, IOVA spaces), type1.c
 * (VFIO containers and groups), viability.c (the pair fixture), rates.c
 * (attach time, map and unmap rates), dma.c (the edu engine's DMA and
 * its isolation), iommufd.c.
 */
#ifndef IOG_DOMAIN_ATTACH_H
#define IOG_DOMAIN_ATTACH_H

#include <linux/vfio.h>
#include <stdint.h>
#include <sys/ioctl.h>

#if __has_include(<linux/iommufd.h>)
#include <linux/iommufd.h>
#endif

#include "suite.h"

#include "../../drivers/edu/edu.h"

#if defined(IOMMU_IOAS_ALLOC) && defined(VFIO_DEVICE_BIND_IOMMUFD)
#define HAVE_IOMMUFD_UAPI 1
#else
#define HAVE_IOMMUFD_UAPI 0
#endif

#define PCI_DEVICES "/sys/bus/pci/devices"
#define PCI_DRIVERS "/sys/bus/pci/drivers"
#define GROUPS_DIR "/sys/kernel/iommu_groups"
#define TYPE1_PARAM(p) "/sys/module/vfio_iommu_type1/parameters/" p
#define IOMMUFD_PARAM(p) "/sys/module/iommufd/parameters/" p
#define VFIO_PCI "vfio-pci"
#define BDF_LEN 16
#define MAX_DEVS 8
#define MAX_PARAMS 4
#define SZ_4K 0x1000ULL
#define SZ_64K 0x10000ULL
#define SZ_1M 0x100000ULL
#define SZ_2M 0x200000ULL
#define SZ_16M 0x1000000ULL

/* ---- common.c: sysfs, saving and restoring ----------------------------- */

void metric(const char *name, double value, const char *unit);
void copy_str(char *dst, size_t size, const char *src);
const char *err_str(int r);
/* r, or -errno when r < 0. */
int sys_ret(int r);
void *alloc_buf(size_t len);

int read_attr(const char *path, char *buf, size_t size);
int write_attr(const char *path, const char *val);
int dev_attr_path(char *buf, size_t size, const char *bdf, const char *attr);
void dev_driver(const char *bdf, char *out, size_t size);
long dev_hex(const char *bdf, const char *attr);
int dev_header_type(const char *bdf);
int group_members(long id, char bdfs[][BDF_LEN], int max);

struct saved_dev {
	char bdf[BDF_LEN];
	char driver[64]; /* "" if none */
	char override[64]; /* "" if none */
};

struct saved_param {
	char path[128];
	char value[32];
};

/* Lives in memory shared with the parent, which restores it. */
struct saved {
	struct saved_dev dev[MAX_DEVS];
	size_t nr_dev;
	struct saved_param param[MAX_PARAMS];
	size_t nr_param;
};

int set_param(struct saved *s, const char *path, const char *value);
int unbind_dev(struct saved *s, const char *bdf, char *err, size_t len);
int bind_vfio(struct saved *s, const char *bdf, char *err, size_t len);
void restore_saved(struct __test_metadata *_metadata, struct saved *s);
/* Bind every device of bdf's group to vfio-pci; the group ID. */
long bind_group(struct __test_metadata *_metadata, struct saved *s,
		const char *bdf);
/* virtio-iommu on x86 isolates no MSIs: param (type1's, iommufd's) = Y. */
void allow_unsafe_if_needed(struct __test_metadata *_metadata, struct saved *s,
			    bool kind_known, enum model_iommu_kind kind,
			    const char *param);

const char *no_type1(void);
bool iommu_kind(enum model_iommu_kind *kind);
/* The negative control: leave the probe IOVA mapped. */
bool map_probe(void);

/* ---- IOVA ranges and spaces -------------------------------------------- */

/* What VFIO_IOMMU_GET_INFO reports, capabilities decoded (an IOAS: ranges). */
struct type1_info {
	uint32_t flags;
	uint64_t pgsizes;
	bool have_ranges;
	size_t nr_ranges;
	struct {
		uint64_t start, end; /* inclusive */
	} range[32];
	bool have_avail;
	uint32_t avail;
};

int pick_iova(const struct type1_info *ti, uint64_t size, uint64_t align,
	      uint64_t lo, uint64_t hi, uint64_t *iova);
/*
 * Log each range as "LABEL 0x...-0x..." and each overlap with a blocking
 * reserved region of the group; their number.
 */
size_t ranges_overlap_resv(struct __test_metadata *_metadata,
			   const struct type1_info *t, long group,
			   const char *label);
/* The group's first MSI region, or 0. */
uint64_t group_msi(struct __test_metadata *_metadata, long group);

/*
 * Where a test maps: a type1 container or an iommufd IOAS, so that the
 * map and unmap assertions below serve both APIs.
 */
struct iova_space {
	int fd; /* the container, or /dev/iommu */
	uint32_t ioas; /* 0 for a container */
	char name[24]; /* "the container", "IOAS 3" */
};

void space_type1(struct iova_space *sp, int container);
void space_ioas(struct iova_space *sp, int iommufd, uint32_t ioas);
/* Map (at iova) or unmap (*done: the bytes unmapped); 0 or -errno. */
int space_map(const struct iova_space *sp, uint64_t iova, void *va,
	      uint64_t size);
int space_unmap(const struct iova_space *sp, uint64_t iova, uint64_t size,
		uint32_t flags, uint64_t *done);
/* The request as each API's messages name it, into buf. */
const char *space_what(const struct iova_space *sp, bool unmap, uint64_t iova,
		       uint64_t size, uint32_t flags, char *buf, size_t len);

/*
 * One helper per operation, in the two forms of the kernel's iommufd
 * selftests: test_X() asserts success (what follows needs it) and gives
 * what the call returns; test_err_X(err, ...) expects that errno and lets
 * the test go on, giving the call's result (an fd it got is closed).
 * Map and unmap assert in both forms: a layout gone wrong fails all that
 * follows.  The line logged is the caller's.
 */
#define test_map_errno(err, sp, iova, va, size)                     \
	do {                                                        \
		char __what[96];                                    \
		int __r = space_map(sp, iova, va, size);            \
		ASSERT_EQ(-(err), __r)                              \
		TH_LOG("%s: %s%s%s",                                \
		       space_what(sp, false, iova, size, 0, __what, \
				  sizeof(__what)),                  \
		       err_str(__r), (err) ? ", want " : "",        \
		       (err) ? strerror(err) : "");                 \
	} while (0)
#define test_map(sp, iova, va, size) test_map_errno(0, sp, iova, va, size)
#define test_err_map(err, sp, iova, va, size) \
	test_map_errno(err, sp, iova, va, size)

/* Unmap [iova, iova + size), which must unmap exactly want bytes. */
#define test_unmap_errno(err, sp, iova, size, flags, want)                     \
	do {                                                                   \
		char __what[96];                                               \
		uint64_t __done;                                               \
		int __r = space_unmap(sp, iova, size, flags, &__done);         \
		ASSERT_EQ(-(err), __r)                                         \
		TH_LOG("%s: %s%s%s",                                           \
		       space_what(sp, true, iova, size, flags, __what,         \
				  sizeof(__what)),                             \
		       err_str(__r), (err) ? ", want " : "",                   \
		       (err) ? strerror(err) : "");                            \
		if (!(err)) {                                                  \
			ASSERT_EQ((uint64_t)(want), __done)                    \
			TH_LOG("%s: kernel unmapped 0x%llx bytes, want "       \
			       "0x%llx",                                       \
			       space_what(sp, true, iova, size, flags, __what, \
					  sizeof(__what)),                     \
			       (unsigned long long)__done,                     \
			       (unsigned long long)(want));                    \
		}                                                              \
	} while (0)
#define test_unmap(sp, iova, size, flags, want) \
	test_unmap_errno(0, sp, iova, size, flags, want)
#define test_err_unmap(err, sp, iova, size, flags) \
	test_unmap_errno(err, sp, iova, size, flags, 0)

/*
 * The two forms of a call that returns 0 or -errno: __test_call asserts
 * success, __test_err_call expects -err and gives the result.  what and
 * its arguments name the call in the line logged.
 */
#define __test_call(call, what, ...)                              \
	do {                                                      \
		int __r = (call);                                 \
		ASSERT_EQ(0, __r)                                 \
		TH_LOG(what ": %s", ##__VA_ARGS__, err_str(__r)); \
	} while (0)
#define __test_err_call(err, call, what, ...)                             \
	({                                                                \
		int __r = (call);                                         \
		EXPECT_EQ(-(err), __r)                                    \
		TH_LOG(what ": %s, want %s", ##__VA_ARGS__, err_str(__r), \
		       strerror(err));                                    \
		__r;                                                      \
	})

/* ---- type1.c: VFIO groups and containers ------------------------------- */

int open_container(void);
int open_group(long id);
int group_flags(int group);
int set_container(int group, int container);
int unset_container(int group);
int set_iommu(int container);
int get_device(int group, const char *bdf);
int dma_map(int container, uint64_t iova, void *va, uint64_t size);
int dma_unmap(int container, uint64_t iova, uint64_t size, uint32_t flags,
	      uint64_t *done);
int type1_info(int container, struct type1_info *out);

#define test_open_container()                               \
	({                                                  \
		int __c = open_container();                 \
		ASSERT_LE(0, __c)                           \
		TH_LOG("/dev/vfio/vfio: %s", err_str(__c)); \
		__c;                                        \
	})

#define test_open_group(id)                                            \
	({                                                             \
		int __g = open_group(id);                              \
		ASSERT_LE(0, __g)                                      \
		TH_LOG("/dev/vfio/%ld: %s", (long)(id), err_str(__g)); \
		__g;                                                   \
	})
#define test_err_open_group(err, id)                                           \
	({                                                                     \
		int __g = open_group(id);                                      \
		EXPECT_EQ(-(err), __g)                                         \
		TH_LOG("/dev/vfio/%ld: %s, want %s", (long)(id), err_str(__g), \
		       strerror(err));                                         \
		if (__g >= 0)                                                  \
			close(__g);                                            \
		__g;                                                           \
	})

#define test_set_container(group, c) \
	__test_call(set_container(group, c), "VFIO_GROUP_SET_CONTAINER")
#define test_err_set_container(err, group, c)         \
	__test_err_call(err, set_container(group, c), \
			"VFIO_GROUP_SET_CONTAINER")

#define test_unset_container(group) \
	__test_call(unset_container(group), "VFIO_GROUP_UNSET_CONTAINER")
#define test_err_unset_container(err, group)         \
	__test_err_call(err, unset_container(group), \
			"VFIO_GROUP_UNSET_CONTAINER")

#define test_set_iommu(c) __test_call(set_iommu(c), "VFIO_SET_IOMMU type1v2")
#define test_err_set_iommu(err, c) \
	__test_err_call(err, set_iommu(c), "VFIO_SET_IOMMU type1v2")

/* No error form: which errno a refused device gets differs by kernel. */
#define test_get_device(group, bdf)                              \
	({                                                       \
		int __d = get_device(group, bdf);                \
		ASSERT_LE(0, __d)                                \
		TH_LOG("VFIO_GROUP_GET_DEVICE_FD %s: %s", (bdf), \
		       err_str(__d));                            \
		__d;                                             \
	})

/* ---- the edu fixture ---------------------------------------------------- */

enum edu_stage {
	EDU_BOUND, /* the group's devices on vfio-pci */
	EDU_GROUP, /* and the group open, viable */
	EDU_ATTACHED, /* and in a type1v2 container */
	EDU_DEVICE, /* and the device fd open */
	EDU_DMA, /* and the driver up */
};

/* FIXTURE(edu)'s data. */
struct edu_fix {
	struct saved saved; /* shared: the parent restores it */
	char bdf[BDF_LEN];
	enum model_iommu_kind kind;
	bool kind_known;
	long group_id;
	int container, group, device; /* device: the group's or the cdev */
	int iommufd; /* /dev/iommu, iommufd tests only */
	struct iova_space space; /* where the device's DMA maps */
	struct type1_info info; /* space's IOVA ranges, type1's info */
	struct iog_dma_dev dma;
	bool dma_up;
};

void edu_fix_setup(struct __test_metadata *_metadata, struct edu_fix *f);
/* Up to stage, through a type1 container (type1.c). */
void edu_open(struct __test_metadata *_metadata, struct edu_fix *f,
	      enum edu_stage upto);
/* The engine's driver on f->device. */
void edu_dma_up(struct __test_metadata *_metadata, struct edu_fix *f);
void edu_close(struct edu_fix *f);

/* FIXTURE(pair)'s data: a group of a vfio-pci device and a sibling. */
struct pair_fix {
	struct saved saved; /* shared: the parent restores it */
	long group_id;
	char members[MAX_DEVS][BDF_LEN];
	int nr;
	char a[BDF_LEN]; /* goes to vfio-pci first */
	char b[BDF_LEN]; /* a sibling with a kernel driver */
	char b_driver[64];
	enum model_iommu_kind kind;
	bool kind_known;
};

void pair_fix_setup(struct __test_metadata *_metadata, struct pair_fix *f);

/* ---- dma.c: the edu engine's DMA through f->space ---------------------- */

/* The DMA window: 1 MiB of usable IOVA the engine can address. */
struct dma_layout {
	uint64_t src, dst, probe; /* IOVAs of three pages */
};

void dma_layout(struct __test_metadata *_metadata, const struct edu_fix *f,
		struct dma_layout *l);
int dma_copy(struct iog_dma_dev *d, enum iog_dma_dir dir, uint64_t iova,
	     size_t off, size_t len);

#define test_copy(f, dir, iova, off, len)                                  \
	do {                                                               \
		int __r = dma_copy(&(f)->dma, dir, iova, off, len);        \
		ASSERT_EQ(0, __r)                                          \
		TH_LOG("%s copy of %zu bytes, IOVA 0x%llx, device offset " \
		       "%zu: %s",                                          \
		       (dir) == IOG_DMA_TO_DEVICE ? "to-device"            \
						  : "from-device",         \
		       (size_t)(len), (unsigned long long)(iova),          \
		       (size_t)(off), (f)->dma.err);                       \
	} while (0)

/* A page (src) to the device and back (dst): EXPECT it arrives. */
void dma_roundtrip(struct __test_metadata *_metadata, struct edu_fix *f,
		   const struct dma_layout *l, uint8_t *src, uint8_t *dst);
/* The device's memory to the mapped probe page: ASSERT it arrives. */
void dma_probe_receives(struct __test_metadata *_metadata, struct edu_fix *f,
			const struct dma_layout *l, const uint8_t *src,
			uint8_t *probe);
/* New data to the device, the probe unmapped: EXPECT nothing arrives. */
void dma_probe_blocked(struct __test_metadata *_metadata, struct edu_fix *f,
		       const struct dma_layout *l, uint8_t *src,
		       uint8_t *probe);

/* ---- iommufd.c ---------------------------------------------------------- */

int ioas_map(int fd, uint32_t ioas, bool fixed, void *va, uint64_t len,
	     uint64_t *iova);
int ioas_unmap(int fd, uint32_t ioas, uint64_t iova, uint64_t len,
	       uint64_t *done);

/* ---- the tests, one function each (domain_attach.c registers them) ----- */

void container_api(struct __test_metadata *_metadata, struct edu_fix *f);
void attach_detach_cycles(struct __test_metadata *_metadata, struct edu_fix *f);
void iommu_info(struct __test_metadata *_metadata, struct edu_fix *f);
void map_unmap_semantics(struct __test_metadata *_metadata, struct edu_fix *f);
void unmap_all(struct __test_metadata *_metadata, struct edu_fix *f);
void dma_entry_limit(struct __test_metadata *_metadata, struct edu_fix *f);
void map_unmap_rate(struct __test_metadata *_metadata, struct edu_fix *f);
void type1_unsafe_interrupts(struct __test_metadata *_metadata,
			     struct edu_fix *f);
void dma_mapped_copy(struct __test_metadata *_metadata, struct edu_fix *f);
void dma_unmapped_fault_reported(struct __test_metadata *_metadata,
				 struct edu_fix *f);
void dma_unmapped_write_blocked(struct __test_metadata *_metadata,
				struct edu_fix *f);
void dma_unmapped_read_blocked(struct __test_metadata *_metadata,
			       struct edu_fix *f);
void iommufd_ioas_map_unmap(struct __test_metadata *_metadata,
			    struct edu_fix *f);
void iommufd_device_attach(struct __test_metadata *_metadata,
			   struct edu_fix *f);
void iommufd_dma(struct __test_metadata *_metadata, struct edu_fix *f);
void viability_follows_sibling_driver(struct __test_metadata *_metadata,
				      struct pair_fix *f);
void kernel_driver_refused_while_owned(struct __test_metadata *_metadata,
				       struct pair_fix *f);

#endif /* IOG_DOMAIN_ATTACH_H */
