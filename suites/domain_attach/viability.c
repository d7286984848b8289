// SPDX-License-Identifier: GPL-2.0-only
/*
 * domain_attach's viability part: a group is the unit of ownership.  A
 * sibling bound to a kernel driver makes the group non-viable (§7), and
 * while userspace owns the group no kernel driver may bind.
 */
#include "ksft_helpers.h"

#include <dirent.h>

#include "domain_attach.h"

/*
 * A group of endpoints, one of which has a kernel driver and none of
 * which is storage (it could hold the machine's root filesystem).
 */
static bool pick_pair(struct pair_fix *f)
{
	struct dirent **list = NULL;
	int n = scandir(GROUPS_DIR, &list, NULL, alphasort);
	bool found = false;

	for (int i = 0; i < n; i++) {
		long id = strtol(list[i]->d_name, NULL, 10);
		int nr, drv_at = -1;
		bool ok;

		if (found || list[i]->d_name[0] == '.')
			goto next;
		nr = group_members(id, f->members, MAX_DEVS);
		ok = nr >= 2 && nr <= MAX_DEVS;
		for (int j = 0; ok && j < nr; j++) {
			char drv[64];

			ok = dev_header_type(f->members[j]) == 0 &&
			     (dev_hex(f->members[j], "class") >> 16) != 0x01;
			dev_driver(f->members[j], drv, sizeof(drv));
			if (*drv && strcmp(drv, VFIO_PCI) && drv_at < 0)
				drv_at = j;
		}
		if (ok && drv_at >= 0) {
			f->group_id = id;
			f->nr = nr;
			snprintf(f->b, BDF_LEN, "%s", f->members[drv_at]);
			snprintf(f->a, BDF_LEN, "%s",
				 f->members[drv_at ? 0 : 1]);
			dev_driver(f->b, f->b_driver, sizeof(f->b_driver));
			found = true;
		}
	next:
		free(list[i]);
	}
	free(list);
	return found;
}

void pair_fix_setup(struct __test_metadata *_metadata, struct pair_fix *f)
{
	const char *why = no_type1();

	if (why)
		SKIP(return, "%s", why);
	if (!pick_pair(f))
		SKIP(return, "no IOMMU group of two or more endpoints with one "
			     "on a kernel driver (and no storage): nothing to "
			     "make non-viable (the q35-dma-* topologies have a "
			     "multifunction e1000e pair)");
	f->kind_known = iommu_kind(&f->kind);
	TH_LOG("group %ld: %s to vfio-pci first, sibling %s on %s", f->group_id,
	       f->a, f->b, f->b_driver);
}

void viability_follows_sibling_driver(struct __test_metadata *_metadata,
				      struct pair_fix *f)
{
	char err[512];
	int group, c, flags, ret, dev;

	ret = bind_vfio(&f->saved, f->a, err, sizeof(err));
	ASSERT_EQ(0, ret) TH_LOG("%s", err);
	group = test_open_group(f->group_id);
	flags = group_flags(group);
	EXPECT_EQ(0, flags)
	TH_LOG("group %ld with %s on %s: flags 0x%x, want 0 (not viable)",
	       f->group_id, f->b, f->b_driver, flags);
	c = test_open_container();
	/* iommu_group_claim_dma_owner: the sibling's driver holds it. */
	if (!test_err_set_container(EPERM, group, c))
		unset_container(group);

	for (int i = 0; i < f->nr; i++) {
		ret = bind_vfio(&f->saved, f->members[i], err, sizeof(err));
		ASSERT_EQ(0, ret) TH_LOG("%s", err);
	}
	flags = group_flags(group);
	EXPECT_EQ(VFIO_GROUP_FLAGS_VIABLE, flags)
	TH_LOG("group %ld all on vfio-pci: flags 0x%x, want VIABLE",
	       f->group_id, flags);
	test_set_container(group, c);
	allow_unsafe_if_needed(_metadata, &f->saved, f->kind_known, f->kind,
			       TYPE1_PARAM("allow_unsafe_interrupts"));
	test_set_iommu(c);
	dev = test_get_device(group, f->a);
	close(dev);
	close(group);
	close(c);
}

void kernel_driver_refused_while_owned(struct __test_metadata *_metadata,
				       struct pair_fix *f)
{
	char err[512], path[PATH_MAX], drv[64];
	int group, c, ret, dev;

	for (int i = 0; i < f->nr; i++) {
		ret = bind_vfio(&f->saved, f->members[i], err, sizeof(err));
		ASSERT_EQ(0, ret) TH_LOG("%s", err);
	}
	group = test_open_group(f->group_id);
	c = test_open_container();
	test_set_container(group, c);
	allow_unsafe_if_needed(_metadata, &f->saved, f->kind_known, f->kind,
			       TYPE1_PARAM("allow_unsafe_interrupts"));
	test_set_iommu(c);
	dev = test_get_device(group, f->a);

	/* Userspace owns the group's DMA: no kernel driver may probe. */
	ret = unbind_dev(&f->saved, f->b, err, sizeof(err));
	ASSERT_EQ(0, ret) TH_LOG("%s", err);
	ASSERT_EQ(0, suite_pathf(path, sizeof(path), PCI_DRIVERS "/%s/bind",
				 f->b_driver));
	ret = write_attr(path, f->b);
	dev_driver(f->b, drv, sizeof(drv));
	TH_LOG("binding %s to %s while group %ld is owned by userspace: %s, "
	       "driver now '%s'",
	       f->b, f->b_driver, f->group_id, err_str(ret), drv);
	EXPECT_STREQ("", drv)
	TH_LOG("%s bound %s inside a group userspace owns", f->b_driver, f->b);
	EXPECT_NE(0, ret);
	close(dev);
	close(group);
	close(c);
	/* The teardown binds it again: ownership must have gone with us. */
}
