// SPDX-License-Identifier: GPL-2.0-only
/*
 * Group core of the reference model: spec/iommu-groups.md §1, R1, R10.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "group_core.h"

#define BITS_PER_LONG_ (CHAR_BIT * sizeof(unsigned long))

int model_ida_alloc(struct model_ida *ida)
{
	for (size_t i = 0; i < ida->nr_longs; i++) {
		if (ida->bits[i] == ~0UL)
			continue;
		for (size_t b = 0; b < BITS_PER_LONG_; b++) {
			if (!(ida->bits[i] & (1UL << b))) {
				ida->bits[i] |= 1UL << b;
				return (int)(i * BITS_PER_LONG_ + b);
			}
		}
	}
	/* All taken: grow by doubling, the new bit is the lowest free. */
	size_t n = ida->nr_longs ? ida->nr_longs * 2 : 1;
	if (n * BITS_PER_LONG_ > (size_t)INT_MAX)
		return -1;
	unsigned long *bits = realloc(ida->bits, n * sizeof(*bits));
	if (!bits)
		return -1;
	memset(bits + ida->nr_longs, 0,
	       (n - ida->nr_longs) * sizeof(unsigned long));
	int id = (int)(ida->nr_longs * BITS_PER_LONG_);
	ida->bits = bits;
	ida->nr_longs = n;
	ida->bits[id / BITS_PER_LONG_] |= 1UL << (id % BITS_PER_LONG_);
	return id;
}

bool model_ida_is_used(const struct model_ida *ida, int id)
{
	if (id < 0 || (size_t)id / BITS_PER_LONG_ >= ida->nr_longs)
		return false;
	return ida->bits[id / BITS_PER_LONG_] & (1UL << (id % BITS_PER_LONG_));
}

void model_ida_free(struct model_ida *ida, int id)
{
	if (!model_ida_is_used(ida, id))
		return;
	ida->bits[id / BITS_PER_LONG_] &= ~(1UL << (id % BITS_PER_LONG_));
}

void model_ida_destroy(struct model_ida *ida)
{
	free(ida->bits);
	ida->bits = NULL;
	ida->nr_longs = 0;
}

const char *model_event_name(enum model_group_event type)
{
	switch (type) {
	case MODEL_EV_ADD_DEVICE:
		return "ADD_DEVICE";
	case MODEL_EV_DEL_DEVICE:
		return "DEL_DEVICE";
	case MODEL_EV_BIND_DRIVER:
		return "BIND_DRIVER";
	case MODEL_EV_BOUND_DRIVER:
		return "BOUND_DRIVER";
	case MODEL_EV_UNBIND_DRIVER:
		return "UNBIND_DRIVER";
	case MODEL_EV_UNBOUND_DRIVER:
		return "UNBOUND_DRIVER";
	}
	return "?";
}

static void record_event(struct model_group_core *core,
			 enum model_group_event type, int id,
			 const struct model_device *dev)
{
	if (core->nr_events == core->cap_events) {
		size_t n = core->cap_events ? core->cap_events * 2 : 32;
		struct model_event *ev = realloc(core->events, n * sizeof(*ev));
		if (!ev) {
			core->oom = true;
			return;
		}
		core->events = ev;
		core->cap_events = n;
	}
	struct model_event *e = &core->events[core->nr_events++];
	e->type = type;
	e->group_id = id;
	snprintf(e->dev, sizeof(e->dev), "%s", dev->name ? dev->name : "?");
}

void model_group_core_init(struct model_group_core *core)
{
	memset(core, 0, sizeof(*core));
}

static void group_release(struct model_iommu_group *group)
{
	struct model_group_core *core = group->core;

	/* §1.3 iommu_group_release: driver data, then the ID, then the group.
	 */
	if (group->iommu_data_release)
		group->iommu_data_release(group->iommu_data);
	if (core->release_cb)
		core->release_cb(group, core->release_priv);
	model_ida_free(&core->ida, group->id);
	/* From the end: teardown releases the newest group first. */
	for (size_t i = core->nr_groups; i-- > 0;) {
		if (core->groups[i] == group) {
			memmove(&core->groups[i], &core->groups[i + 1],
				(core->nr_groups - i - 1) *
					sizeof(core->groups[0]));
			core->nr_groups--;
			break;
		}
	}
	core->nr_released++;
	free(group->devices);
	free(group);
}

void model_group_core_destroy(struct model_group_core *core)
{
	while (core->nr_groups) {
		struct model_iommu_group *g = core->groups[core->nr_groups - 1];

		for (size_t i = 0; i < g->nr_devices; i++)
			g->devices[i]->iommu_group = NULL;
		group_release(g);
	}
	free(core->groups);
	free(core->events);
	model_ida_destroy(&core->ida);
	memset(core, 0, sizeof(*core));
}

struct model_iommu_group *model_iommu_group_alloc(struct model_group_core *core)
{
	struct model_iommu_group *g = calloc(1, sizeof(*g));

	if (!g)
		goto oom;
	if (core->nr_groups == core->cap_groups) {
		size_t n = core->cap_groups ? core->cap_groups * 2 : 16;
		struct model_iommu_group **v =
			realloc(core->groups, n * sizeof(*v));
		if (!v)
			goto oom;
		core->groups = v;
		core->cap_groups = n;
	}
	g->id = model_ida_alloc(&core->ida);
	if (g->id < 0)
		goto oom;
	g->core = core;
	g->refcount = 1; /* the caller's, §1.2 step 7 */
	core->groups[core->nr_groups++] = g;
	return g;
oom:
	free(g);
	core->oom = true;
	return NULL;
}

struct model_iommu_group *model_iommu_group_get(struct model_device *dev)
{
	if (!dev->iommu_group)
		return NULL;
	dev->iommu_group->refcount++;
	return dev->iommu_group;
}

struct model_iommu_group *
model_iommu_group_ref_get(struct model_iommu_group *group)
{
	group->refcount++;
	return group;
}

void model_iommu_group_put(struct model_iommu_group *group)
{
	if (!group)
		return;
	if (--group->refcount == 0)
		group_release(group);
}

int model_iommu_group_add_device(struct model_iommu_group *group,
				 struct model_device *dev)
{
	if (group->nr_devices == group->cap_devices) {
		size_t n = group->cap_devices ? group->cap_devices * 2 : 4;
		struct model_device **v =
			realloc(group->devices, n * sizeof(*v));
		if (!v) {
			group->core->oom = true;
			return -ENOMEM;
		}
		group->devices = v;
		group->cap_devices = n;
	}
	group->refcount++;
	dev->iommu_group = group;
	group->devices[group->nr_devices++] = dev;
	record_event(group->core, MODEL_EV_ADD_DEVICE, group->id, dev);
	return 0;
}

void model_iommu_group_remove_device(struct model_device *dev)
{
	struct model_iommu_group *g = dev->iommu_group;

	if (!g)
		return;
	/* §1.7: DEL_DEVICE goes out before the device leaves. */
	record_event(g->core, MODEL_EV_DEL_DEVICE, g->id, dev);
	for (size_t i = 0; i < g->nr_devices; i++) {
		if (g->devices[i] == dev) {
			memmove(&g->devices[i], &g->devices[i + 1],
				(g->nr_devices - i - 1) *
					sizeof(g->devices[0]));
			g->nr_devices--;
			break;
		}
	}
	dev->iommu_group = NULL;
	model_iommu_group_put(g);
}

int model_iommu_group_for_each_dev(struct model_iommu_group *group, void *data,
				   int (*fn)(struct model_device *dev,
					     void *data))
{
	for (size_t i = 0; i < group->nr_devices; i++) {
		int ret = fn(group->devices[i], data);

		if (ret)
			return ret;
	}
	return 0;
}

int model_iommu_group_id(const struct model_iommu_group *group)
{
	return group->id;
}

void model_iommu_group_notify_driver(struct model_device *dev,
				     enum model_group_event type)
{
	if (!dev->iommu_group)
		return;
	record_event(dev->iommu_group->core, type, dev->iommu_group->id, dev);
}

struct model_iommu_group *model_group_core_find(struct model_group_core *core,
						int id)
{
	for (size_t i = 0; i < core->nr_groups; i++)
		if (core->groups[i]->id == id)
			return core->groups[i];
	return NULL;
}
