// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IOMMU group core of the reference model (spec §1, R1, R10): groups
 * with IDA-allocated IDs, membership in join order, reference counting
 * with teardown at the last put, and the event stream of the original
 * (v3.5 - v5.18) group notifier API.
 */
#ifndef MODEL_GROUP_CORE_H
#define MODEL_GROUP_CORE_H

#include <stdbool.h>
#include <stddef.h>

/* §1.1 iommu_group_ida: lowest free non-negative integer (R1). */
struct model_ida {
	unsigned long *bits;
	size_t nr_longs;
};

/* The lowest free ID, marked used; -1 on allocation failure. */
int model_ida_alloc(struct model_ida *ida);
void model_ida_free(struct model_ida *ida, int id);
bool model_ida_is_used(const struct model_ida *ida, int id);
void model_ida_destroy(struct model_ida *ida);

/* §1.7 IOMMU_GROUP_NOTIFY_* */
enum model_group_event {
	MODEL_EV_ADD_DEVICE,
	MODEL_EV_DEL_DEVICE,
	MODEL_EV_BIND_DRIVER,
	MODEL_EV_BOUND_DRIVER,
	MODEL_EV_UNBIND_DRIVER,
	MODEL_EV_UNBOUND_DRIVER,
};

#define MODEL_EV_NAME_LEN 64

struct model_event {
	enum model_group_event type;
	int group_id;
	char dev[MODEL_EV_NAME_LEN];
};

/* "ADD_DEVICE", "DEL_DEVICE", "BIND_DRIVER", ... */
const char *model_event_name(enum model_group_event type);

struct model_iommu_group;

/* The part of struct device the core uses. */
struct model_device {
	const char *name; /* sysfs name, e.g. "0000:00:1f.2" */
	struct model_iommu_group *iommu_group; /* dev->iommu_group */
};

struct model_group_core {
	struct model_ida ida;
	/* Live groups in allocation order. */
	struct model_iommu_group **groups;
	size_t nr_groups;
	size_t cap_groups;
	/* Every notifier event since init, in order. */
	struct model_event *events;
	size_t nr_events;
	size_t cap_events;
	size_t nr_released; /* groups torn down so far */
	/* Called just before a group is freed (the model drops its anchors). */
	void (*release_cb)(struct model_iommu_group *group, void *priv);
	void *release_priv;
	bool oom; /* an allocation failed somewhere: results are incomplete */
};

struct model_iommu_group {
	struct model_group_core *core;
	int id;
	/* devices_kobj's count: members plus external holders (§1.3). */
	int refcount;
	/* Members in join order (§1.4: list tail). */
	struct model_device **devices;
	size_t nr_devices;
	size_t cap_devices;
	/* Driver private data, like iommu_group_set_iommudata(). */
	void *iommu_data;
	void (*iommu_data_release)(void *iommu_data);
};

void model_group_core_init(struct model_group_core *core);
/* Frees every live group regardless of references, then the IDA. */
void model_group_core_destroy(struct model_group_core *core);

/* §1.2: new group with the lowest free ID, one reference for the caller. */
struct model_iommu_group *
model_iommu_group_alloc(struct model_group_core *core);

/* §1.3 */
struct model_iommu_group *model_iommu_group_get(struct model_device *dev);
struct model_iommu_group *
model_iommu_group_ref_get(struct model_iommu_group *group);
/* Drops one reference; at zero the ID is freed and the group released. */
void model_iommu_group_put(struct model_iommu_group *group);

/* §1.4: join (tail), take the membership reference, emit ADD_DEVICE. */
int model_iommu_group_add_device(struct model_iommu_group *group,
				 struct model_device *dev);
/* §1.5: emit DEL_DEVICE, leave, drop the membership reference. */
void model_iommu_group_remove_device(struct model_device *dev);

/* §1.6: join order; stops at the first non-zero return and returns it. */
int model_iommu_group_for_each_dev(struct model_iommu_group *group, void *data,
				   int (*fn)(struct model_device *dev,
					     void *data));
int model_iommu_group_id(const struct model_iommu_group *group);

/*
 * §1.8 (v3.5): the bus notifier republishes driver binding to the group of
 * a grouped device; an ungrouped device produces no event.
 */
void model_iommu_group_notify_driver(struct model_device *dev,
				     enum model_group_event type);

/* A live group by ID, or NULL. */
struct model_iommu_group *model_group_core_find(struct model_group_core *core,
						int id);

#endif /* MODEL_GROUP_CORE_H */
