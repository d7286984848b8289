#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Build the guest initramfs: static busybox, the static suite binaries, the
# kernel modules the topology needs (with their dependencies from the
# kernel's own modules.dep), the run's configuration, and /init.
# Cached by content under $IOG_CACHE/images: an unchanged input set costs
# only the hashing.
#
# Usage: image.sh CONFDIR MODULES_DIR "MODULE..." "SUITE..."
#   CONFDIR holds the files that go to /etc/iog (expect-groups, env).
# Prints the path of the cpio.gz.
set -euo pipefail
. "$(dirname "$0")/common.sh"

confdir=$1 moddir=$2 modules=$3 suites=$4
busybox=/bin/busybox
init=$IOG_TOP/harness/guest-init.sh

# Module names compare with '-' and '_' as one.
modkey()
{
	local b=${1##*/}
	b=${b%%.ko*}
	echo "${b//-/_}"
}

declare -A seen=()
order=()
declare -A depmap=()
if [ -n "$modules" ]; then
	[ -n "$moddir" ] || die "the topology needs modules ($modules) but no MODULES= directory was given"
	[ -f "$moddir/modules.dep" ] || die "$moddir/modules.dep missing (run depmod -b)"
	while IFS=: read -r m deps; do
		depmap[$(modkey "$m")]="$m:$deps"
	done <"$moddir/modules.dep"
	declare -A builtin=()
	if [ -f "$moddir/modules.builtin" ]; then
		while read -r m; do builtin[$(modkey "$m")]=1; done <"$moddir/modules.builtin"
	fi
	# Depth-first: dependencies before the module that needs them.
	add_module()
	{
		local k e path deps d
		k=$(modkey "$1")
		[ -z "${seen[$k]:-}" ] || return 0
		seen[$k]=1
		e=${depmap[$k]:-}
		if [ -z "$e" ]; then
			[ -n "${builtin[$k]:-}" ] && return 0
			die "module '$1' is neither in $moddir/modules.dep nor built in"
		fi
		path=${e%%:*}
		deps=${e#*:}
		# modules.dep lists the deepest dependency last.
		for d in $(echo $deps | tr ' ' '\n' | tac); do add_module "$d"; done
		order+=("$path")
	}
	for m in $modules; do add_module "$m"; done
fi

suite_bins=()
for s in $suites; do
	f=$IOG_BUILD/guest/$s
	[ -x "$f" ] || die "suite '$s' is not built ($f); run make build"
	suite_bins+=("$f")
done

# The cache key covers every byte that goes into the image.
key=$({
	echo "v1"
	sha "$busybox"
	sha "$init"
	for f in "${suite_bins[@]}"; do echo "${f##*/} $(sha "$f")"; done
	for p in "${order[@]}"; do echo "$p $(sha "$moddir/$p")"; done
	(cd "$confdir" && for f in *; do echo "$f $(sha "$f")"; done)
} | sha)
out=$IOG_CACHE/images/$key.cpio.gz
if [ -f "$out" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$IOG_CACHE/images"
stage=$(mktemp -d "$IOG_CACHE/images/.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,dev,proc,sys,tmp,suites,lib/modules,etc/iog}
cp "$busybox" "$stage/bin/busybox"
cp "$init" "$stage/init"
chmod 755 "$stage/init"
for f in "${suite_bins[@]}"; do cp "$f" "$stage/suites/"; done
: >"$stage/etc/iog/modules"
for p in "${order[@]}"; do
	name=$(modkey "$p").ko
	# busybox insmod cannot read compressed modules.
	case $p in
	*.xz) xz -dc "$moddir/$p" >"$stage/lib/modules/$name" ;;
	*.zst) zstd -qdc "$moddir/$p" >"$stage/lib/modules/$name" ;;
	*.gz) gzip -dc "$moddir/$p" >"$stage/lib/modules/$name" ;;
	*) cp "$moddir/$p" "$stage/lib/modules/$name" ;;
	esac
	echo "$name" >>"$stage/etc/iog/modules"
done
echo $suites >"$stage/etc/iog/suites"
cp "$confdir"/* "$stage/etc/iog/" 2>/dev/null || true
tmp=$(mktemp "$IOG_CACHE/images/.img.XXXXXX")
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) >"$tmp"
mv "$tmp" "$out"
echo "$out"
