#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Resolve KERNEL= to a bootable image and its modules.  Debian kernels are
# fetched with `apt-get download` and unpacked with `dpkg-deb -x` into
# $IOG_CACHE/kernels; nothing is installed on the host.
#
# Usage: kernel.sh KERNEL [MODULES]
# Prints shell assignments: kernel_label kernel_image kernel_modules
# kernel_release kernel_config.
set -euo pipefail
. "$(dirname "$0")/common.sh"

spec=${1:?usage: kernel.sh KERNEL [MODULES]}
modules=${2:-}

# KERNEL_SRC=tree outranks KERNEL: build that tree (cached) and use it.
if [ -n "${KERNEL_SRC:-}" ]; then
	exec "$(dirname "$0")/kernel-src.sh" "$KERNEL_SRC"
fi

# The names of the linux-image packages APT knows.  Where APT keeps no
# binary cache (Dir::Cache::pkgcache "", as Debian's container images set)
# apt-cache parses every package list each time, 0.9 s of each run here:
# the answer is kept in the cache, keyed by the lists' and dpkg's status
# file's names, sizes and times, so that apt-get update or an install asks
# again.
image_pkgnames()
{
	local f=$IOG_CACHE/apt-linux-image-names key names tmp
	key=$(stat -c '%n %s %Y' /var/lib/apt/lists/*_Packages* \
		/var/lib/dpkg/status 2>/dev/null | sha256sum | cut -c1-32)
	if [ -f "$f" ] && [ "$(head -n1 "$f")" = "$key" ]; then
		tail -n +2 "$f"
		return
	fi
	names=$(apt-cache pkgnames linux-image- 2>/dev/null || true)
	if [ -n "$names" ]; then
		cache_dir "$IOG_CACHE"
		tmp=$(mktemp "$IOG_CACHE/.apt-linux-image-names.XXXXXX") &&
			printf '%s\n%s\n' "$key" "$names" >"$tmp" && mv -f "$tmp" "$f"
	fi
	[ -z "$names" ] || echo "$names"
}

# Newest package whose name matches an extended regex.  Falls back to what
# the cache already holds when the archive cannot be asked.
newest_package()
{
	local re=$1 p
	p=$(image_pkgnames | grep -E "^$re\$" |
		sort -V | tail -n1 || true)
	if [ -z "$p" ]; then
		p=$(ls "$IOG_CACHE/kernels" 2>/dev/null | grep -E "^$re\$" |
			sort -V | tail -n1 || true)
	fi
	[ -n "$p" ] || die "no package matches $re: run 'apt-get update' (as root) and retry"
	echo "$p"
}

unpack_debian()
{
	local pkg=$1 dir=$IOG_CACHE/kernels/$1 tmp deb rel
	if [ ! -f "$dir/.complete" ]; then
		cache_dir "$IOG_CACHE/kernels"
		tmp=$(mktemp -d "$IOG_CACHE/kernels/.$pkg.XXXXXX")
		note "fetching $pkg"
		(cd "$tmp" && apt-get download "$pkg" >/dev/null 2>"$tmp/apt.err") ||
			die "apt-get download $pkg failed: $(cat "$tmp/apt.err")"
		deb=$(ls "$tmp"/*.deb)
		dpkg-deb -x "$deb" "$tmp/root"
		rel=$(ls "$tmp/root/lib/modules")
		# The packages ship no modules.dep; make it for the image builder.
		depmod -b "$tmp/root" "$rel"
		rm -f "$deb"
		touch "$tmp/.complete"
		# Runs started together may all fetch: the first rename wins and
		# the others drop their copy (never one in use); a leftover
		# without .complete is replaced.
		if ! mv -T "$tmp" "$dir" 2>/dev/null; then
			if [ -f "$dir/.complete" ]; then
				rm -rf "$tmp"
			else
				rm -rf "$dir"
				mv -T "$tmp" "$dir"
			fi
		fi
	fi
	rel=$(ls "$dir/root/lib/modules")
	echo "kernel_image=$dir/root/boot/vmlinuz-$rel"
	echo "kernel_modules=$dir/root/lib/modules/$rel"
	echo "kernel_release=$rel"
	echo "kernel_config=$dir/root/boot/config-$rel"
}

case $spec in
debian-6.12)
	echo "kernel_label=debian-6.12"
	unpack_debian "$(newest_package 'linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned')"
	;;
debian-6.1)
	echo "kernel_label=debian-6.1"
	unpack_debian "$(newest_package 'linux-image-6\.1\.0-[0-9]+-amd64-unsigned')"
	;;
*/* | *bzImage* | *vmlinuz*)
	[ -f "$spec" ] || die "KERNEL=$spec: no such file"
	img=$(realpath "$spec")
	rel=
	if [ -n "$modules" ]; then
		[ -f "$modules/modules.dep" ] || [ -f "$modules/modules.order" ] ||
			die "MODULES=$modules has no modules.dep or modules.order"
		modules=$(realpath "$modules")
		rel=$(basename "$modules")
	fi
	# The bzImage header carries the release as its version string.
	[ -n "$rel" ] || rel=$(file -bL "$img" 2>/dev/null |
		sed -n 's/.*version \([^ ,]*\).*/\1/p')
	[ -n "$rel" ] || rel=unknown
	cfg=
	for c in "$(dirname "$img")/../../../.config" "$(dirname "$img")/config-$rel"; do
		[ -f "$c" ] && cfg=$(realpath "$c") && break
	done
	echo "kernel_label=custom-$rel"
	echo "kernel_image=$img"
	echo "kernel_modules=$modules"
	echo "kernel_release=$rel"
	echo "kernel_config=$cfg"
	;;
*)
	die "KERNEL=$spec: want debian-6.12, debian-6.1 or a path to a bzImage"
	;;
esac
