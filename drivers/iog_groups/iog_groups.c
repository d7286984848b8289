// SPDX-License-Identifier: GPL-2.0-only
/*
 * iog_groups - test module of the IOMMU-groups conformance suite.
 *
 * Exercises the in-kernel IOMMU group API on PCI devices and records the
 * PCI bus events together with the device's group at that moment.  The
 * interface is described in docs/formats.md ("Test module debugfs"):
 *
 *   /sys/kernel/debug/iog/groups  "BDF ID COUNT" per PCI device with a group
 *   /sys/kernel/debug/iog/events  "SEQ ACTION BDF GROUP" per event; "clear"
 *   /sys/kernel/debug/iog/owner   claim-group, release-group, claim-device,
 *                                 release-device BDF; reads "OK" or
 *                                 "ERR -errno" for the last command
 *
 * Event timing and what a test should expect
 * -------------------------------------------
 * Bus notifiers run in descending priority; at equal priority a notifier
 * registered later runs later.  The IOMMU core's PCI bus notifier (priority
 * 0, registered at boot: iommu_subsys_init() on 6.12, bus_set_iommu() from
 * the IOMMU driver on 6.1) probes the device on BUS_NOTIFY_ADD_DEVICE
 * (iommu_probe_device()) and takes it out of its group on
 * BUS_NOTIFY_REMOVED_DEVICE (iommu_release_device()).  This module
 * registers at INT_MIN so that it runs after the core whatever the load
 * order (an IOMMU driver loaded as a module after us would otherwise come
 * later), and it reads the group with iommu_group_get() when its own
 * callback runs.  Therefore:
 *
 *   add      the group the device has just joined; -1 only when no IOMMU
 *            driver gave it one (no IOMMU, device not behind it, virtio-iommu
 *            not loaded yet, the IOMMU's own function)
 *   del      still the device's group: BUS_NOTIFY_DEL_DEVICE comes before
 *            the core releases the device
 *   removed  -1: the core has already taken the device out of its group; a
 *            group ID here means the device was not released
 *   bind, bound, unbind, unbound
 *            the device's group; binding a driver does not change it
 *
 * Seen on Debian 6.1.0-56 and 6.12.117 (q35, VT-d): remove of a bound
 * device gives unbind, unbound, del (group), removed (-1); rescan gives add
 * (group), bind, bound.  A binding refused by the DMA-ownership check (the
 * group is claimed) fails in the bus's dma_configure() before the driver
 * core announces the bind, and leaves no event at all.
 *
 * A claim holds a reference on its group, so a claimed group whose last
 * device is removed keeps its directory until the claim is released (6.12
 * also WARNs in __iommu_group_free_device() then; 6.1 does not).
 *
 * Kernels before 5.19 had a per-group notifier instead (removed together
 * with the introduction of DMA ownership).  There the module watches every
 * group with iommu_group_register_notifier(): add, del, bind, bound, unbind
 * and unbound come from the group notifier (its del is sent when the core
 * releases the device, at BUS_NOTIFY_REMOVED_DEVICE time, not at
 * BUS_NOTIFY_DEL_DEVICE), removed and the add of a device that creates a new
 * group from the bus notifier.  That variant has only been compiled, against
 * 6.1 headers with stand-in declarations of the old notifier API.
 *
 * SEQ starts at 1 at load and is never reset ("clear" keeps counting);
 * suppressed events (drop_event=) take no number.  The log keeps the newest
 * IOG_LOG_SIZE events: a gap before the first line means older ones were
 * overwritten.  "groups" lists devices in PCI bus list order (device_add
 * order), not sorted.
 *
 * Fault modes for negative controls: leak_ref=BDF takes a reference on the
 * group of that device at load and never drops it, not even at unload;
 * drop_event=ACTION records no events of that action.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/iommu.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/version.h>

/* The per-group notifier went away in 5.19, when DMA ownership came. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 19, 0)
#define IOG_GROUP_NOTIFIER 1
#else
#define IOG_GROUP_OWNER 1
#endif

/* iommu_device_claim_dma_owner() arrived in 6.2; Debian's 6.1 lacks it. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define IOG_DEVICE_OWNER 1
#endif

#define IOG_LOG_SIZE 4096
#define IOG_NAME_LEN 32
#define IOG_CMD_LEN 64

enum iog_action {
	IOG_ADD,
	IOG_DEL,
	IOG_BIND,
	IOG_BOUND,
	IOG_UNBIND,
	IOG_UNBOUND,
	IOG_REMOVED,
	IOG_NR_ACTIONS,
};

static const char *const iog_action_names[IOG_NR_ACTIONS] = {
	[IOG_ADD] = "add",
	[IOG_DEL] = "del",
	[IOG_BIND] = "bind",
	[IOG_BOUND] = "bound",
	[IOG_UNBIND] = "unbind",
	[IOG_UNBOUND] = "unbound",
	[IOG_REMOVED] = "removed",
};

static char *leak_ref;
module_param(leak_ref, charp, 0444);
MODULE_PARM_DESC(leak_ref,
		 "BDF whose group gets a reference at load that is never dropped (negative control)");

static char *drop_event;
module_param(drop_event, charp, 0444);
MODULE_PARM_DESC(drop_event,
		 "event action not to record: add, del, bind, bound, unbind, unbound or removed (negative control)");

static int iog_dropped = -1;		/* enum iog_action, or -1 */
static struct iommu_group *iog_leaked;	/* never put, on purpose */
static struct dentry *iog_dir;

/* ------------------------------------------------------------------ */
/* Event log */

struct iog_event {
	u64 seq;
	enum iog_action action;
	int group;
	char name[IOG_NAME_LEN];
};

static DEFINE_MUTEX(iog_log_lock);
static struct iog_event iog_log[IOG_LOG_SIZE];
static unsigned int iog_log_head;	/* index of the oldest entry */
static unsigned int iog_log_len;
static u64 iog_log_seq;

/* The group ID of @dev now, or -1 when it has none. */
static int iog_group_id_of(struct device *dev)
{
	struct iommu_group *group = iommu_group_get(dev);
	int id = -1;

	if (group) {
		id = iommu_group_id(group);
		iommu_group_put(group);
	}
	return id;
}

static void iog_record(enum iog_action action, struct device *dev)
{
	struct iog_event *e;
	int group;

	if ((int)action == iog_dropped)
		return;
	group = iog_group_id_of(dev);

	mutex_lock(&iog_log_lock);
	if (iog_log_len < IOG_LOG_SIZE) {
		e = &iog_log[(iog_log_head + iog_log_len) % IOG_LOG_SIZE];
		iog_log_len++;
	} else {
		e = &iog_log[iog_log_head];
		iog_log_head = (iog_log_head + 1) % IOG_LOG_SIZE;
	}
	e->seq = ++iog_log_seq;
	e->action = action;
	e->group = group;
	strscpy(e->name, dev_name(dev), sizeof(e->name));
	mutex_unlock(&iog_log_lock);
}

static int iog_events_show(struct seq_file *m, void *unused)
{
	const struct iog_event *e;
	unsigned int i;

	mutex_lock(&iog_log_lock);
	for (i = 0; i < iog_log_len; i++) {
		e = &iog_log[(iog_log_head + i) % IOG_LOG_SIZE];
		seq_printf(m, "%llu %s %s %d\n", e->seq,
			   iog_action_names[e->action], e->name, e->group);
	}
	mutex_unlock(&iog_log_lock);
	return 0;
}

static int iog_events_open(struct inode *inode, struct file *file)
{
	return single_open(file, iog_events_show, inode->i_private);
}

static ssize_t iog_events_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	char buf[16];
	size_t n = min(count, sizeof(buf) - 1);

	if (copy_from_user(buf, ubuf, n))
		return -EFAULT;
	buf[n] = '\0';
	if (count >= sizeof(buf) || strcmp(strim(buf), "clear"))
		return -EINVAL;

	mutex_lock(&iog_log_lock);
	iog_log_head = 0;
	iog_log_len = 0;
	mutex_unlock(&iog_log_lock);
	return count;
}

static const struct file_operations iog_events_fops = {
	.owner = THIS_MODULE,
	.open = iog_events_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.write = iog_events_write,
	.release = single_release,
};

/* ------------------------------------------------------------------ */
/* groups */

static int iog_count_dev(struct device *dev, void *data)
{
	(*(int *)data)++;
	return 0;
}

static int iog_groups_show(struct seq_file *m, void *unused)
{
	struct pci_dev *pdev = NULL;
	struct iommu_group *group;
	int count;

	for_each_pci_dev(pdev) {
		group = iommu_group_get(&pdev->dev);
		if (!group)
			continue;
		count = 0;
		iommu_group_for_each_dev(group, &count, iog_count_dev);
		seq_printf(m, "%s %d %d\n", pci_name(pdev),
			   iommu_group_id(group), count);
		iommu_group_put(group);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(iog_groups);

/* ------------------------------------------------------------------ */
/* BDF parsing */

/*
 * Parse "DDDD:BB:DD.F" or "BB:DD.F" (hex) into its canonical name and find
 * the device.  Returns a referenced pci_dev, or NULL with @err set.
 */
static struct pci_dev *iog_parse_bdf(const char *s, char *name, size_t len,
				     int *err)
{
	unsigned int dom, bus, slot, fn;
	struct pci_dev *pdev;
	char extra;

	if (sscanf(s, "%x:%x:%x.%x%c", &dom, &bus, &slot, &fn, &extra) != 4) {
		dom = 0;
		if (sscanf(s, "%x:%x.%x%c", &bus, &slot, &fn, &extra) != 3) {
			*err = -EINVAL;
			return NULL;
		}
	}
	if (dom > 0xffff || bus > 0xff || slot > 0x1f || fn > 7) {
		*err = -EINVAL;
		return NULL;
	}
	snprintf(name, len, "%04x:%02x:%02x.%u", dom, bus, slot, fn);
	pdev = pci_get_domain_bus_and_slot(dom, bus, PCI_DEVFN(slot, fn));
	if (!pdev)
		*err = -ENODEV;
	return pdev;
}

/* ------------------------------------------------------------------ */
/* DMA ownership */

#ifdef IOG_GROUP_OWNER

/*
 * Distinct owner cookies: a group claim and a device claim by this module
 * are two owners, so the kernel refuses one while the other holds, and our
 * releases never undo each other's counts.
 */
static int iog_group_owner_cookie;
#ifdef IOG_DEVICE_OWNER
static int iog_device_owner_cookie;
#endif

struct iog_claim {
	struct list_head node;
	bool device;			/* iommu_device_claim_dma_owner() */
	bool stale;			/* the kernel's count is ahead of ours */
	struct iommu_group *group;	/* referenced while claimed */
	struct pci_dev *pdev;		/* referenced: the BDF the claim named */
};

static LIST_HEAD(iog_claims);

static int iog_claim_group(struct pci_dev *pdev)
{
	struct iommu_group *group;
	struct iog_claim *c;
	int ret;

	group = iommu_group_get(&pdev->dev);
	if (!group)
		return -ENODEV;
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c) {
		iommu_group_put(group);
		return -ENOMEM;
	}
	ret = iommu_group_claim_dma_owner(group, &iog_group_owner_cookie);
	if (ret) {
		kfree(c);
		iommu_group_put(group);
		return ret;
	}
	c->group = group;
	c->pdev = pci_dev_get(pdev);
	list_add_tail(&c->node, &iog_claims);
	return 0;
}

#ifdef IOG_DEVICE_OWNER
static int iog_claim_device(struct pci_dev *pdev)
{
	struct iommu_group *group;
	struct iog_claim *c;
	int ret;

	/* The kernel's own check; here we also need the group to pin it. */
	group = iommu_group_get(&pdev->dev);
	if (!group)
		return -ENODEV;
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c) {
		iommu_group_put(group);
		return -ENOMEM;
	}
	ret = iommu_device_claim_dma_owner(&pdev->dev,
					   &iog_device_owner_cookie);
	if (ret) {
		kfree(c);
		iommu_group_put(group);
		return ret;
	}
	c->device = true;
	c->group = group;
	c->pdev = pci_dev_get(pdev);
	list_add_tail(&c->node, &iog_claims);
	return 0;
}

/* Other device claims of ours on @c's group. */
static bool iog_group_has_other_device_claims(struct iog_claim *c)
{
	struct iog_claim *o;

	list_for_each_entry(o, &iog_claims, node)
		if (o != c && o->device && o->group == c->group)
			return true;
	return false;
}

/*
 * iommu_device_release_dma_owner() works through dev->iommu_group, which is
 * gone once the device has been removed.  Then the count cannot be taken
 * back through the device: the remaining claims on the group are marked
 * stale and the last of them resets the ownership for the whole group.
 */
static void iog_release_device_claim(struct iog_claim *c)
{
	struct iommu_group *now = iommu_group_get(&c->pdev->dev);
	bool present = now == c->group;
	struct iog_claim *o;

	iommu_group_put(now);
	if (iog_group_has_other_device_claims(c)) {
		if (present) {
			iommu_device_release_dma_owner(&c->pdev->dev);
			return;
		}
		list_for_each_entry(o, &iog_claims, node)
			if (o->device && o->group == c->group)
				o->stale = true;
		return;
	}
	if (present && !c->stale)
		iommu_device_release_dma_owner(&c->pdev->dev);
	else
		iommu_group_release_dma_owner(c->group);
}
#endif /* IOG_DEVICE_OWNER */

/* Undo one claim and forget it.  Called with iog_owner_lock held. */
static void iog_release_claim(struct iog_claim *c)
{
#ifdef IOG_DEVICE_OWNER
	if (c->device)
		iog_release_device_claim(c);
	else
#endif
		iommu_group_release_dma_owner(c->group);
	list_del(&c->node);
	iommu_group_put(c->group);
	pci_dev_put(c->pdev);
	kfree(c);
}

/*
 * The claim a release command means: for release-group a group claim on
 * the group the device is in now, else one made naming this BDF (the device
 * may have been removed since); for release-device a device claim naming
 * this BDF, the live device's first.
 */
static struct iog_claim *iog_find_claim(bool device, struct pci_dev *pdev,
					const char *name)
{
	struct iommu_group *group = NULL;
	struct iog_claim *c, *found = NULL;

	if (pdev && !device)
		group = iommu_group_get(&pdev->dev);
	list_for_each_entry(c, &iog_claims, node) {
		if (c->device != device)
			continue;
		if (group && c->group == group) {
			found = c;
			break;
		}
		if (device && pdev && c->pdev == pdev) {
			found = c;
			break;
		}
		if (!found && !strcmp(pci_name(c->pdev), name))
			found = c;
	}
	iommu_group_put(group);
	return found;
}

static void iog_release_all_claims(void)
{
	struct iog_claim *c;

	/* Newest first, the reverse of how they were taken. */
	while (!list_empty(&iog_claims)) {
		c = list_last_entry(&iog_claims, struct iog_claim, node);
		iog_release_claim(c);
	}
}

#else /* !IOG_GROUP_OWNER */

static void iog_release_all_claims(void)
{
}

#endif /* IOG_GROUP_OWNER */

static DEFINE_MUTEX(iog_owner_lock);
static int iog_owner_result;

enum iog_owner_op {
	IOG_CLAIM_GROUP,
	IOG_RELEASE_GROUP,
	IOG_CLAIM_DEVICE,
	IOG_RELEASE_DEVICE,
	IOG_NR_OPS,
};

static const char *const iog_owner_ops[IOG_NR_OPS] = {
	[IOG_CLAIM_GROUP] = "claim-group",
	[IOG_RELEASE_GROUP] = "release-group",
	[IOG_CLAIM_DEVICE] = "claim-device",
	[IOG_RELEASE_DEVICE] = "release-device",
};

#ifdef IOG_GROUP_OWNER
static int iog_owner_do(int op, const char *arg)
{
	char name[IOG_NAME_LEN];
	struct pci_dev *pdev;
	struct iog_claim *c;
	int ret = 0;

#ifndef IOG_DEVICE_OWNER
	if (op == IOG_CLAIM_DEVICE || op == IOG_RELEASE_DEVICE)
		return -EOPNOTSUPP;
#endif
	pdev = iog_parse_bdf(arg, name, sizeof(name), &ret);
	if (!pdev && ret != -ENODEV)
		return ret;
	/* A release may name a device that has been removed since. */
	if (!pdev && (op == IOG_CLAIM_GROUP || op == IOG_CLAIM_DEVICE))
		return ret;

	switch (op) {
	case IOG_CLAIM_GROUP:
		ret = iog_claim_group(pdev);
		break;
#ifdef IOG_DEVICE_OWNER
	case IOG_CLAIM_DEVICE:
		ret = iog_claim_device(pdev);
		break;
#endif
	default:
		c = iog_find_claim(op == IOG_RELEASE_DEVICE, pdev, name);
		if (c)
			iog_release_claim(c);
		ret = c ? 0 : -ENOENT;
		break;
	}
	pci_dev_put(pdev);
	return ret;
}
#else
static int iog_owner_do(int op, const char *arg)
{
	return -EOPNOTSUPP;
}
#endif

/*
 * Errors besides the kernel's own: -EINVAL for an unknown command or a
 * malformed BDF, -EOPNOTSUPP for a command this kernel has no API for
 * (checked before the BDF), -ENODEV for a BDF with no device, or whose
 * device has no group, -ENOENT for a release that matches no claim of ours.
 */
static int iog_owner_command(char *cmd)
{
	char *arg;
	int op;

	arg = strim(cmd);
	cmd = strsep(&arg, " \t");
	if (!arg)
		return -EINVAL;
	for (op = 0; op < IOG_NR_OPS; op++)
		if (!strcmp(cmd, iog_owner_ops[op]))
			return iog_owner_do(op, skip_spaces(arg));
	return -EINVAL;
}

static int iog_owner_show(struct seq_file *m, void *unused)
{
	int ret;

	mutex_lock(&iog_owner_lock);
	ret = iog_owner_result;
	mutex_unlock(&iog_owner_lock);
	if (ret)
		seq_printf(m, "ERR %d\n", ret);
	else
		seq_puts(m, "OK\n");
	return 0;
}

static int iog_owner_open(struct inode *inode, struct file *file)
{
	return single_open(file, iog_owner_show, inode->i_private);
}

static ssize_t iog_owner_write(struct file *file, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	char buf[IOG_CMD_LEN];
	int ret;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';

	mutex_lock(&iog_owner_lock);
	ret = iog_owner_command(buf);
	iog_owner_result = ret;
	mutex_unlock(&iog_owner_lock);
	return ret ? ret : count;
}

static const struct file_operations iog_owner_fops = {
	.owner = THIS_MODULE,
	.open = iog_owner_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.write = iog_owner_write,
	.release = single_release,
};

/* ------------------------------------------------------------------ */
/* Notifiers */

#ifdef IOG_GROUP_NOTIFIER

/*
 * Before 5.19: one notifier per group, registered on every group there is
 * at load and on each group that appears later.  A watched group is
 * referenced; the reference is dropped as soon as the group has no device
 * left, so the module does not keep empty groups alive.
 */
struct iog_watch {
	struct list_head node;
	struct notifier_block nb;
	struct iommu_group *group;
};

static DEFINE_MUTEX(iog_watch_lock);
static LIST_HEAD(iog_watches);

static int iog_group_notify(struct notifier_block *nb, unsigned long action,
			    void *data)
{
	struct device *dev = data;

	switch (action) {
	case IOMMU_GROUP_NOTIFY_ADD_DEVICE:
		iog_record(IOG_ADD, dev);
		break;
	case IOMMU_GROUP_NOTIFY_DEL_DEVICE:
		iog_record(IOG_DEL, dev);
		break;
	case IOMMU_GROUP_NOTIFY_BIND_DRIVER:
		iog_record(IOG_BIND, dev);
		break;
	case IOMMU_GROUP_NOTIFY_BOUND_DRIVER:
		iog_record(IOG_BOUND, dev);
		break;
	case IOMMU_GROUP_NOTIFY_UNBIND_DRIVER:
		iog_record(IOG_UNBIND, dev);
		break;
	case IOMMU_GROUP_NOTIFY_UNBOUND_DRIVER:
		iog_record(IOG_UNBOUND, dev);
		break;
	}
	return NOTIFY_DONE;
}

/*
 * Watch the group of @dev.  Returns false if it was watched already (its
 * notifier has announced the device), true otherwise, also when @dev has no
 * group.
 */
static bool iog_watch_dev(struct device *dev)
{
	struct iommu_group *group = iommu_group_get(dev);
	struct iog_watch *w;

	if (!group)
		return true;
	mutex_lock(&iog_watch_lock);
	list_for_each_entry(w, &iog_watches, node) {
		if (w->group == group) {
			mutex_unlock(&iog_watch_lock);
			iommu_group_put(group);
			return false;
		}
	}
	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (w) {
		w->nb.notifier_call = iog_group_notify;
		w->group = group;
		if (!iommu_group_register_notifier(group, &w->nb)) {
			list_add_tail(&w->node, &iog_watches);
			group = NULL;
		} else {
			kfree(w);
		}
	}
	mutex_unlock(&iog_watch_lock);
	if (group) {
		pr_warn("cannot watch group %d\n", iommu_group_id(group));
		iommu_group_put(group);
	}
	return true;
}

static void iog_unwatch(struct iog_watch *w)
{
	iommu_group_unregister_notifier(w->group, &w->nb);
	list_del(&w->node);
	iommu_group_put(w->group);
	kfree(w);
}

/* Stop watching groups that have no device left. */
static void iog_unwatch_empty(void)
{
	struct iog_watch *w, *tmp;
	int count;

	mutex_lock(&iog_watch_lock);
	list_for_each_entry_safe(w, tmp, &iog_watches, node) {
		count = 0;
		iommu_group_for_each_dev(w->group, &count, iog_count_dev);
		if (!count)
			iog_unwatch(w);
	}
	mutex_unlock(&iog_watch_lock);
}

static void iog_watch_all(void)
{
	struct pci_dev *pdev = NULL;

	for_each_pci_dev(pdev)
		iog_watch_dev(&pdev->dev);
}

static void iog_unwatch_all(void)
{
	struct iog_watch *w, *tmp;

	mutex_lock(&iog_watch_lock);
	list_for_each_entry_safe(w, tmp, &iog_watches, node)
		iog_unwatch(w);
	mutex_unlock(&iog_watch_lock);
}

static int iog_bus_notify(struct notifier_block *nb, unsigned long action,
			  void *data)
{
	struct device *dev = data;

	switch (action) {
	case BUS_NOTIFY_ADD_DEVICE:
		/*
		 * The group notifier has announced a device that joined a
		 * watched group; one that made a new group, or got none, is
		 * recorded here.
		 */
		if (iog_watch_dev(dev))
			iog_record(IOG_ADD, dev);
		break;
	case BUS_NOTIFY_REMOVED_DEVICE:
		iog_record(IOG_REMOVED, dev);
		iog_unwatch_empty();
		break;
	}
	return NOTIFY_DONE;
}

#else /* !IOG_GROUP_NOTIFIER */

static void iog_watch_all(void)
{
}

static void iog_unwatch_all(void)
{
}

static int iog_bus_notify(struct notifier_block *nb, unsigned long action,
			  void *data)
{
	struct device *dev = data;

	switch (action) {
	case BUS_NOTIFY_ADD_DEVICE:
		iog_record(IOG_ADD, dev);
		break;
	case BUS_NOTIFY_DEL_DEVICE:
		iog_record(IOG_DEL, dev);
		break;
	case BUS_NOTIFY_BIND_DRIVER:
		iog_record(IOG_BIND, dev);
		break;
	case BUS_NOTIFY_BOUND_DRIVER:
		iog_record(IOG_BOUND, dev);
		break;
	case BUS_NOTIFY_UNBIND_DRIVER:
		iog_record(IOG_UNBIND, dev);
		break;
	case BUS_NOTIFY_UNBOUND_DRIVER:
		iog_record(IOG_UNBOUND, dev);
		break;
	case BUS_NOTIFY_REMOVED_DEVICE:
		iog_record(IOG_REMOVED, dev);
		break;
	}
	return NOTIFY_DONE;
}

#endif /* IOG_GROUP_NOTIFIER */

/* Last on the chain: after the IOMMU core's notifier (see the top). */
static struct notifier_block iog_bus_nb = {
	.notifier_call = iog_bus_notify,
	.priority = INT_MIN,
};

/* ------------------------------------------------------------------ */
/* Load and unload */

static int __init iog_parse_params(void)
{
	char name[IOG_NAME_LEN];
	struct pci_dev *pdev;
	int i, ret = 0;

	if (drop_event && *drop_event) {
		for (i = 0; i < IOG_NR_ACTIONS; i++)
			if (sysfs_streq(drop_event, iog_action_names[i]))
				iog_dropped = i;
		if (iog_dropped < 0) {
			pr_err("drop_event=%s: not an event action\n",
			       drop_event);
			return -EINVAL;
		}
	}

	if (leak_ref && *leak_ref) {
		pdev = iog_parse_bdf(leak_ref, name, sizeof(name), &ret);
		if (!pdev) {
			pr_err("leak_ref=%s: no such PCI device\n", leak_ref);
			return ret;
		}
		iog_leaked = iommu_group_get(&pdev->dev);
		pci_dev_put(pdev);
		if (!iog_leaked) {
			pr_err("leak_ref=%s: device has no IOMMU group\n",
			       leak_ref);
			return -ENODEV;
		}
		pr_info("leaking a reference on group %d of %s\n",
			iommu_group_id(iog_leaked), name);
	}
	return 0;
}

static int __init iog_init(void)
{
	int ret;

	ret = iog_parse_params();
	if (ret)
		return ret;

	iog_dir = debugfs_create_dir("iog", NULL);
	if (IS_ERR(iog_dir))
		return PTR_ERR(iog_dir);
	debugfs_create_file("groups", 0444, iog_dir, NULL, &iog_groups_fops);
	debugfs_create_file("events", 0644, iog_dir, NULL, &iog_events_fops);
	debugfs_create_file("owner", 0644, iog_dir, NULL, &iog_owner_fops);

	iog_watch_all();
	ret = bus_register_notifier(&pci_bus_type, &iog_bus_nb);
	if (ret) {
		iog_unwatch_all();
		debugfs_remove_recursive(iog_dir);
		return ret;
	}
	return 0;
}

static void __exit iog_exit(void)
{
	bus_unregister_notifier(&pci_bus_type, &iog_bus_nb);
	iog_unwatch_all();
	/* Waits for readers and writers still inside the files. */
	debugfs_remove_recursive(iog_dir);
	mutex_lock(&iog_owner_lock);
	iog_release_all_claims();
	mutex_unlock(&iog_owner_lock);
	/* iog_leaked stays referenced: that is the point of leak_ref. */
}

module_init(iog_init);
module_exit(iog_exit);

MODULE_DESCRIPTION("IOMMU group API exerciser and PCI bus event recorder for the iommu-groups conformance suite");
MODULE_LICENSE("GPL");
