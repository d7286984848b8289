// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which PCI devices a driver probes, and in which order: virtio-iommu's
 * input to the model (model_opts.probed).
 *
 * virtio-iommu (ACPI VIOT) gives a device a group from the device's own
 * driver probe: really_probe() runs dma_configure first, and
 * acpi_iommu_configure_id() -> viot_iommu_configure() ->
 * iommu_fwspec_init() returns -EPROBE_DEFER while the IOMMU is not
 * registered, else iommu_probe_device() groups the device -- before the
 * driver's own probe runs, so the group stays when that probe fails
 * (pcieport on a PCIe-to-PCI bridge, agpgart-intel on a host bridge
 * without graphics).  iommu_device_register() groups nobody else: devices
 * without a fwspec are skipped.  So a device is grouped iff some
 * registered PCI driver's ID table matches it; one that no driver matches
 * is never probed and gets no group.
 *
 * Order (drivers/base/dd.c): a device matched by a driver that registered
 * before virtio-iommu was deferred then, and is retried from the
 * deferred-probe work after virtio-iommu binds, in the order the devices
 * were deferred -- by the registration of their first matching driver,
 * then in bus (device_add, R2) order.  A device first matched by a module
 * loaded after virtio-iommu is probed as that module registers its driver,
 * again in bus order.  The retry runs on system_unbound_wq while /init
 * goes on loading modules: when both kinds of device are grouped, which
 * come first is a race.
 *
 * The match tables come from an alias file, one entry a line:
 *
 *	alias PATTERN MODULE	a module's alias (modules.alias, pci: only)
 *	builtin PATTERN NAME	a built-in driver's ID entry; NAME is the
 *				driver, or its built-in module
 *	builtin-driver NAME	a built-in PCI driver whose table is known
 *				(its entries are the builtin lines naming it)
 *	# ...			comment
 *
 * PATTERN is matched against the device's modalias with fnmatch(3), as
 * modprobe does.  harness/image.sh writes /etc/iog/pci-aliases for the
 * guest (harness/iog-builtin-pci.c reads the built-in tables from the
 * kernel image: kimage.h).  Which drivers are present comes from sysfs:
 * ROOT/bus/pci/drivers/D (registered), D/module -> ROOT/module/M, and
 * ROOT/module/M/initstate (M is a loaded module; without it, built in).
 */
#ifndef MODEL_PROBE_H
#define MODEL_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "pci_topo.h"

struct model_pci_alias {
	char *pattern;
	char *name;
	bool builtin;
};

struct model_pci_aliases {
	struct model_pci_alias *v;
	size_t nr;
	char **builtin_drivers; /* builtin-driver lines */
	size_t nr_builtin_drivers;
	char *path;
};

/* Load an alias file; 0, or -1 with a message naming file and line. */
int model_pci_aliases_load(struct model_pci_aliases *a, const char *path,
			   char *err, size_t errlen);
void model_pci_aliases_free(struct model_pci_aliases *a);

/* PATTERN against a modalias, as modprobe matches them. */
bool model_pci_alias_match(const char *pattern, const char *modalias);

/* When a device is probed, relative to virtio-iommu's registration. */
enum model_probe_when {
	MODEL_PROBE_DEFERRED, /* its driver came first: retried after it */
	MODEL_PROBE_AT_LOAD, /* a module loaded after it probes it */
	MODEL_PROBE_UNKNOWN, /* its module's place in the load order unknown */
};

struct model_probe {
	char bdf[MODEL_BDF_LEN];
	char driver[64]; /* the first registered driver that matches */
	char module[64]; /* that driver's module, "" if none */
	bool builtin; /* that driver is built in */
	bool bound; /* a driver is bound now */
	enum model_probe_when when;
};

#define MODEL_PROBE_WHY_LEN 512

struct model_probes {
	struct model_probe *v; /* predicted probe order */
	size_t nr;
	/*
	 * Every registered PCI driver's table is known (a module's from
	 * modules.alias, a built-in one's from builtin-driver/builtin
	 * lines), and every device has a modalias.  Else which is not.
	 */
	bool complete;
	char incomplete[MODEL_PROBE_WHY_LEN];
	/*
	 * virtio_iommu is a module with a place in module_order, so each
	 * device's `when` is derived (a module missing from the order gives
	 * MODEL_PROBE_UNKNOWN).  Whether an unknown `when`, or deferred and
	 * at-load devices side by side (a race), make the IDs unknown is the
	 * caller's to judge: it depends on which devices get a group.  Else
	 * why not.
	 */
	bool order_known;
	char order_why[MODEL_PROBE_WHY_LEN];
};

/*
 * The devices of t (live, under sysfs_root; NULL is "/sys") that a driver
 * probes, in predicted probe order.  module_order: the modules /init
 * loaded, in order (space-separated; '-' and '_' alike), or NULL.  A
 * bound device counts as probed whatever the tables say.  0, or -1 with
 * err (ENOMEM, an unreadable directory).
 */
int model_probes_live(const struct model_pci_topo *t, const char *sysfs_root,
		      const struct model_pci_aliases *a,
		      const char *module_order, struct model_probes *out,
		      char *err, size_t errlen);
void model_probes_free(struct model_probes *p);

/* The basename of the target of the link at path into out, or "". */
void model_link_base(const char *path, char *out, size_t size);

#endif /* MODEL_PROBE_H */
