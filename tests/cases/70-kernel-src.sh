# SPDX-License-Identifier: GPL-2.0-only
# Sourced by tests/run.sh: kernels from source (harness/kernel-src.sh,
# kernel/*.config).  A real build takes far longer than make test may, so
# this checks what is cheap: the fragments merged onto x86_64_defconfig
# give every option the suites need (kconfig only, no compiler run), a
# fragment that cannot hold fails naming the option, and the build cache
# reuses, rebuilds and keys as it should (on a stand-in tree whose
# Makefile only records what it was asked to do).  Budget: about 40 s.

ksrc_tool=harness/kernel-src.sh
ksrc_missing=
for t in make gcc flex bison bc; do
	command -v $t >/dev/null || ksrc_missing="$ksrc_missing $t"
done

# --- the build cache, on a stand-in tree ---------------------------------
ksrc_fake()
{
	local d=$1
	mkdir -p "$d/scripts/kconfig" "$d/arch/x86/configs"
	: >"$d/arch/x86/configs/x86_64_defconfig"
	# merge_config.sh -m -O DIR BASE FRAGMENT...: the base, then the
	# fragments in order, into DIR/.config.
	cat >"$d/scripts/kconfig/merge_config.sh" <<-'EOF'
		#!/bin/sh
		shift; out=$2; shift 2
		cat "$@" >"$out/.config.new" && mv "$out/.config.new" "$out/.config"
	EOF
	chmod +x "$d/scripts/kconfig/merge_config.sh"
	# Every build appends a line to O/../builds.
	cat >"$d/Makefile" <<-'EOF'
		.RECIPEPREFIX = >
		O ?= .
		kernelversion kernelrelease:
		> @echo 6.99.0
		x86_64_defconfig:
		> @mkdir -p $(O) && : >$(O)/.config
		olddefconfig modules:
		> @:
		bzImage:
		> @mkdir -p $(O)/arch/x86/boot && touch $(O)/arch/x86/boot/bzImage
		> @echo build >>$(O)/../builds
		modules_install:
		> @mkdir -p $(INSTALL_MOD_PATH)/lib/modules/6.99.0
		> @touch $(INSTALL_MOD_PATH)/lib/modules/6.99.0/modules.dep
	EOF
	echo 'int x;' >"$d/x.c"
}

ksrc_builds()
{
	local img=$1
	wc -l 2>/dev/null <"${img%/obj/arch/x86/boot/bzImage}/builds" || echo 0
}

if [ -n "$ksrc_missing" ]; then
	result skip "kernel-src: the build cache" \
		"not installed:$ksrc_missing (run harness/deps.sh kernel-src as root)"
else
	fake=$work/ksrc-fake
	ksrc_fake "$fake"
	kc=$work/ksrc-cache
	name="kernel-src: a second run reuses the build, a changed source rebuilds, KASAN keys its own"
	why=
	out1=$(IOG_CACHE=$kc KERNEL_SRC_KASAN='' $ksrc_tool "$fake" 2>"$work/ksrc1.err") ||
		why="first run failed: $(tail -n3 "$work/ksrc1.err")"
	img1=$(sed -n 's/^kernel_image=//p' <<<"$out1")
	if [ -z "$why" ]; then
		grep -qx 'kernel_label=src-6.99.0' <<<"$out1" ||
			why="label is not src-6.99.0: $(grep kernel_label <<<"$out1")"
		[ "$(ksrc_builds "$img1")" = 1 ] || why="first run did not build once"
	fi
	if [ -z "$why" ]; then
		out2=$(IOG_CACHE=$kc KERNEL_SRC_KASAN='' $ksrc_tool "$fake" 2>/dev/null)
		[ "$out2" = "$out1" ] || why="second run answered differently"
		[ "$(ksrc_builds "$img1")" = 1 ] || why="second run built again"
	fi
	if [ -z "$why" ]; then
		touch -d "@$(($(date +%s) + 5))" "$fake/x.c"
		IOG_CACHE=$kc KERNEL_SRC_KASAN='' $ksrc_tool "$fake" >/dev/null 2>&1
		[ "$(ksrc_builds "$img1")" = 2 ] || why="a newer x.c did not send make through the build again"
	fi
	if [ -z "$why" ]; then
		out3=$(IOG_CACHE=$kc KERNEL_SRC_KASAN=1 $ksrc_tool "$fake" 2>/dev/null)
		img3=$(sed -n 's/^kernel_image=//p' <<<"$out3")
		{ [ -n "$img3" ] && [ "$img3" != "$img1" ]; } ||
			why="KERNEL_SRC_KASAN=1 did not get a build directory of its own"
		grep -qx 'kernel_label=src-6.99.0-kasan' <<<"$out3" ||
			why="KASAN label is not src-6.99.0-kasan"
		grep -qx 'CONFIG_KASAN=y' "$(dirname "$img3")/../../../.config" 2>/dev/null ||
			why="KASAN build's .config has no CONFIG_KASAN=y"
	fi
	if [ -z "$why" ]; then
		result pass "$name"
	else
		result fail "$name" "$why"
	fi
fi

# --- the fragments on the real tree: kconfig only --------------------------
ksrc_tree=
ksrc_why=
ksrc_tar=$(ls /usr/src/linux-source-6.12.tar.* 2>/dev/null | head -n1 || true)
if [ -n "$ksrc_missing" ]; then
	ksrc_why="not installed:$ksrc_missing (run harness/deps.sh kernel-src as root)"
elif [ -f "$IOG_CACHE/src/linux-source-6.12/Makefile" ] &&
	[ ! -f "$IOG_CACHE/src/linux-source-6.12/.config" ]; then
	# The tree a `make check KERNEL_SRC=` extracted; only read here.
	ksrc_tree=$IOG_CACHE/src/linux-source-6.12
elif [ -n "$ksrc_tar" ]; then
	tar -xf "$ksrc_tar" -C "$work" && ksrc_tree=$work/linux-source-6.12
	[ -n "$ksrc_tree" ] || ksrc_why="cannot extract $ksrc_tar"
else
	ksrc_why="no /usr/src/linux-source-6.12.tar.* (apt-get install linux-source-6.12)"
fi

# Options the suites depend on, as the resolved .config must hold them.
ksrc_required="CONFIG_IOMMUFD=y CONFIG_VFIO_DEVICE_CDEV=y CONFIG_VFIO_GROUP=y
CONFIG_VFIO_CONTAINER=y CONFIG_VFIO=m CONFIG_VFIO_PCI=m CONFIG_VFIO_IOMMU_TYPE1=m
CONFIG_INTEL_IOMMU=y CONFIG_AMD_IOMMU=y CONFIG_IRQ_REMAP=y CONFIG_VIRTIO_IOMMU=y
CONFIG_DEBUG_FS=y CONFIG_DEVTMPFS=y CONFIG_BLK_DEV_INITRD=y
CONFIG_BLK_DEV_NVME=m CONFIG_E1000=m CONFIG_E1000E=m CONFIG_HOTPLUG_PCI_PCIE=y"
ksrc_absent="CONFIG_DRM CONFIG_SOUND CONFIG_USB_SUPPORT CONFIG_CFG80211 CONFIG_DEBUG_INFO
CONFIG_MODULE_SIG CONFIG_MODULE_COMPRESS"

# The first kconfig run builds the kconfig tools (most of its 7 s of
# CPU); the other two start from a copy of its directory, at once.
echo '# CONFIG_IOMMUFD is not set' >"$work/no-iommufd.config"
if [ -n "$ksrc_tree" ]; then
	$ksrc_tool config "$ksrc_tree" "$work/ksrc-cfg" >/dev/null 2>"$work/ksrc-cfg.err"
	ksrc_rc_cfg=$?
	cp -a "$work/ksrc-cfg" "$work/ksrc-kasan"
	cp -a "$work/ksrc-cfg" "$work/ksrc-bad"
	KERNEL_SRC_KASAN=1 $ksrc_tool config "$ksrc_tree" "$work/ksrc-kasan" \
		>/dev/null 2>"$work/ksrc-kasan.err" &
	ksrc_pid_kasan=$!
	IOG_SRC_FRAGMENTS=$work/no-iommufd.config $ksrc_tool config "$ksrc_tree" \
		"$work/ksrc-bad" >/dev/null 2>"$work/ksrc-bad.err" &
	ksrc_pid_bad=$!
fi

name="kernel-src: kernel/iog.config merged onto x86_64_defconfig holds every required option"
if [ -z "$ksrc_tree" ]; then
	result skip "$name" "$ksrc_why"
elif [ "$ksrc_rc_cfg" != 0 ]; then
	result fail "$name" "$(tr '\n' ' ' <"$work/ksrc-cfg.err")"
else
	why=
	for o in $ksrc_required; do
		grep -qx "$o" "$work/ksrc-cfg/.config" || why="$why $o"
	done
	for o in $ksrc_absent; do
		grep -q "^$o=" "$work/ksrc-cfg/.config" && why="$why $o(should be off)"
	done
	if [ -z "$why" ]; then
		result pass "$name"
	else
		result fail "$name" "not in the .config:$why"
	fi
fi

name="kernel-src: KERNEL_SRC_KASAN=1 adds kernel/kasan.config"
if [ -z "$ksrc_tree" ]; then
	result skip "$name" "$ksrc_why"
elif wait "$ksrc_pid_kasan" &&
	grep -qx CONFIG_KASAN=y "$work/ksrc-kasan/.config" &&
	grep -qx CONFIG_IOMMUFD=y "$work/ksrc-kasan/.config"; then
	result pass "$name"
else
	result fail "$name" "$(tr '\n' ' ' <"$work/ksrc-kasan.err")"
fi

# Negative control: a fragment that turns iommufd off leaves the device
# cdev's dependency unmet; the merge must fail and name both options.
name="negative control: a fragment that cannot hold fails the merge, naming the options"
if [ -z "$ksrc_tree" ]; then
	result skip "$name" "$ksrc_why"
else
	if wait "$ksrc_pid_bad"; then
		result fail "$name" "the merge succeeded"
	elif grep -q "want 'CONFIG_VFIO_DEVICE_CDEV=y'" "$work/ksrc-bad.err" &&
		grep -q "want 'CONFIG_IOMMUFD=y'" "$work/ksrc-bad.err"; then
		result pass "$name"
	else
		result fail "$name" "$(tr '\n' ' ' <"$work/ksrc-bad.err")"
	fi
fi
