# SPDX-License-Identifier: GPL-2.0-only
# Sourced by tests/run.sh: the ABI documentation check (suites/abi_doc.c,
# harness/abi-docs.sh).  One boot reads the kernel's own documentation,
# one reads a mutated copy that must fail; host mode has no documentation
# for this machine's kernel and must say so.

# The abi_doc suite alone on the q35-acs devices.
abi_topo=$(acs_only abi-only abi_doc)

# abi_doc_test NAME: the newest run's result line of abi_doc test NAME.
abi_doc_test()
{
	grep -E "^    (not )?ok [0-9]+ $1( |\$)" "$(last_report)/report.ktap"
}

# Debian's 6.1 against linux-source-6.1: the two findings listed in
# suites/known-deviations are XFAIL and say what they are; the rest passes.
name="abi_doc on 6.1 against linux-source-6.1: findings are visible XFAILs"
check_run abi-61 0 TOPOLOGY="$abi_topo" KERNEL=debian-6.1 &&
	abi_doc_test device_link.iommu_group.documented | grep -q 'XFAIL' &&
	abi_doc_test group_attr.reserved_regions.documented | grep -q 'XFAIL' &&
	abi_doc_test group_attr.type.exposed | grep -qv 'SKIP' &&
	grep -q 'undocumented: the device-side iommu_group link' "$work/abi-61.out" &&
	grep -q 'from linux-source-6.1 ' "$work/abi-61.out"
verdict $? "$name" "see $(last_report)"

# Negative control: the 6.12 documentation without the type entry and
# with an attribute the kernel does not have.  The run must fail and
# name both.
abi_orig=$work/abi-orig
abi_mut=$work/abi-mut/testing
harness/abi-docs.sh debian-6.12 "$abi_orig" >/dev/null 2>&1
mkdir -p "$abi_mut"
if [ -f "$abi_orig/testing/sysfs-kernel-iommu_groups" ]; then
	awk '
		/^What:/ { skip = ($2 == "/sys/kernel/iommu_groups/<grp_id>/type") }
		!skip' "$abi_orig/testing/sysfs-kernel-iommu_groups" \
		>"$abi_mut/sysfs-kernel-iommu_groups"
	cat >>"$abi_mut/sysfs-kernel-iommu_groups" <<'EOF'

What:		/sys/kernel/iommu_groups/<grp_id>/iog_fictitious
Date:		November 2026
KernelVersion:	v5.0
Contact:	make test <nobody@example.org>
Description:	An attribute no kernel has: the negative control of
		tests/cases/30-abi.sh adds it to a copy of the documentation.
EOF
fi
name="negative control: a dropped and an invented ABI entry fail abi_doc, named"
if ! grep -q '/<grp_id>/type' "$abi_orig/testing/sysfs-kernel-iommu_groups" 2>/dev/null ||
	grep -q '/<grp_id>/type' "$abi_mut/sysfs-kernel-iommu_groups"; then
	result fail "$name" "could not mutate sysfs-kernel-iommu_groups ($abi_orig)"
else
	check_run abi-mut 1 TOPOLOGY="$abi_topo" KERNEL=debian-6.12 IOG_ABI_DOCS="$work/abi-mut" &&
		abi_doc_test group_attr.type.documented | grep -q '^    not ok' &&
		abi_doc_test group_attr.other.exposed | grep -q '^    not ok' &&
		grep -q 'undocumented: group entry type' "$work/abi-mut.out" &&
		grep -q 'missing: /sys/kernel/iommu_groups/[0-9]*/iog_fictitious' "$work/abi-mut.out"
	verdict $? "$name" "see $(last_report)"
fi

# Host mode: no linux-source for this machine's kernel is a SKIP with the
# reason, not a failure.
name="host mode: abi_doc skips with the reason when there is no documentation"
series=$(uname -r | sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p')
if [ -n "${KERNEL_SRC:-}${IOG_ABI_DOCS:-}" ] || ls /usr/src/linux-source-"$series".tar.* >/dev/null 2>&1; then
	result skip "$name" "this machine has documentation for $(uname -r)"
else
	check_run abi-host 0 TOPOLOGY=host &&
		grep -qE '^ok [0-9]+ abi_doc( |$)' "$(last_report)/report.ktap" &&
		grep -q 'ok [0-9]* abi.docs # SKIP no ABI documentation for the running kernel' "$(last_report)/report.ktap"
	verdict $? "$name" "see $(last_report)"
fi
