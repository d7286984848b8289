#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Build the test module drivers/iog_groups for a kernel release.
#
# Usage: module.sh KERNEL_RELEASE OUTDIR [KBUILD_DIR]
#
# Without KBUILD_DIR the module is built against Debian's headers for the
# release (harness/headers.sh fetches them); with it, against that kernel
# build tree (one that has been built, or at least `make modules_prepare`d).
# The build runs in a scratch copy, so the source tree stays clean.  The
# result is cached under $IOG_CACHE/modules/RELEASE/KEY/, KEY hashing the
# module's sources, this script and, for KBUILD_DIR, the tree's .config and
# Module.symvers.  Copies iog_groups.ko into OUTDIR and prints its path.
#
# Warnings in the module's own source fail the build.  Without pahole
# (Debian: dwarves) the module is built without BTF, which it does not need.
set -euo pipefail
. "$(dirname "$0")/common.sh"

rel=${1:?usage: module.sh KERNEL_RELEASE OUTDIR [KBUILD_DIR]}
out=${2:?usage: module.sh KERNEL_RELEASE OUTDIR [KBUILD_DIR]}
kdir=${3:-}
src=$IOG_TOP/drivers/iog_groups
mod=iog_groups

[[ $rel =~ ^[A-Za-z0-9.+_-]+$ ]] || die "bad kernel release '$rel'"
[ -f "$src/Kbuild" ] || die "$src/Kbuild not found"

if [ -n "$kdir" ]; then
	[ -d "$kdir" ] || die "KBUILD_DIR=$kdir: no such directory"
	kdir=$(realpath "$kdir")
	[ -f "$kdir/.config" ] && [ -f "$kdir/include/generated/autoconf.h" ] ||
		die "$kdir is not a configured kernel tree (run 'make modules_prepare' there)"
	[ -f "$kdir/Module.symvers" ] ||
		note "warning: $kdir has no Module.symvers: symbol versions will be missing"
	tree_id=$(cat "$kdir/.config" "$kdir/Module.symvers" 2>/dev/null | sha)
else
	kdir=$("$IOG_TOP/harness/headers.sh" "$rel")
	tree_id=debian
fi

# The compiler the kernel was configured with, e.g. "gcc-12 (Debian ...)"
# or "x86_64-linux-gnu-gcc-12 (Debian ...)": Debian's headers call it by
# that name.
cc_text=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"$/\1/p' "$kdir/.config")
cc=${cc_text%% *}
[ -z "$cc" ] || command -v "$cc" >/dev/null ||
	die "the kernel was built with '$cc_text': '$cc' is not installed (Debian: ${cc##*-linux-gnu-})"
command -v make >/dev/null || die "make is not installed"

# Sources in a fixed order, names included, then the build recipe.
key=$( (cd "$src" && for f in Kbuild ./*.c ./*.h; do
	[ -f "$f" ] || continue
	echo "== $f"
	cat "$f"
done
cat "$IOG_TOP/harness/module.sh"
echo "tree $tree_id") | sha | cut -c1-16)
cache=$IOG_CACHE/modules/$rel/$key

if [ ! -f "$cache/$mod.ko" ]; then
	cache_dir "$IOG_CACHE/modules/$rel"
	tmp=$(mktemp -d "$IOG_CACHE/modules/$rel/.build.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	mkdir "$tmp/src"
	(cd "$src" && for f in Kbuild *.c *.h; do
		if [ -f "$f" ]; then cp "$f" "$tmp/src/"; fi
	done)
	args=(-C "$kdir" M="$tmp/src")
	if ! command -v pahole >/dev/null &&
		grep -q '^CONFIG_DEBUG_INFO_BTF_MODULES=y' "$kdir/.config"; then
		args+=(CONFIG_DEBUG_INFO_BTF_MODULES=)
	fi
	note "building $mod for $rel"
	make "${args[@]}" modules >"$tmp/build.log" 2>&1 || {
		cat "$tmp/build.log" >&2
		die "module build failed"
	}
	if grep -qE "$mod\.c:[0-9]+:([0-9]+:)? warning:|^WARNING: modpost" "$tmp/build.log"; then
		cat "$tmp/build.log" >&2
		die "warnings in the module build (log above)"
	fi
	[ -f "$tmp/src/$mod.ko" ] || die "no $mod.ko after the build"
	vermagic=$(modinfo -F vermagic "$tmp/src/$mod.ko" 2>/dev/null || true)
	[ "${vermagic%% *}" = "$rel" ] ||
		die "built $mod.ko has vermagic '$vermagic', not $rel"
	mkdir "$tmp/out"
	cp "$tmp/src/$mod.ko" "$tmp/build.log" "$tmp/out/"
	mv -T "$tmp/out" "$cache" 2>/dev/null || [ -f "$cache/$mod.ko" ] ||
		die "cannot store the module in $cache"
	rm -rf "$tmp"
	trap - EXIT
fi

mkdir -p "$out"
cp "$cache/$mod.ko" "$out/$mod.ko"
realpath "$out/$mod.ko"
