#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Fetch the Debian kernel headers for a packaged kernel release, so that
# out-of-tree modules can be built against it.  The packages are fetched
# with `apt-get download` and unpacked with `dpkg-deb -x` into
# $IOG_CACHE/headers/RELEASE; nothing is installed on the host.
#
# Usage: headers.sh KERNEL_RELEASE      (e.g. 6.12.117+deb12-amd64)
# Prints the kbuild directory, for `make -C DIR M=... modules`.
#
# Three packages make a working tree: linux-headers-RELEASE (the flavour's
# .config, Module.symvers, generated headers; its Makefile includes the
# common one), linux-headers-*-common (the source headers and the real
# Makefile) and linux-kbuild-* (scripts/ and tools/ binaries: modpost,
# objtool, ...).  Their names come from the headers package's Depends.  The
# packages are made for /usr/src: the flavour Makefile's include line and
# the lib/modules/RELEASE/{build,source} links are absolute and are pointed
# at the unpacked tree here (relative, so the cache can move).
set -euo pipefail
. "$(dirname "$0")/common.sh"

rel=${1:?usage: headers.sh KERNEL_RELEASE}
[[ $rel =~ ^[A-Za-z0-9.+_-]+$ ]] || die "bad kernel release '$rel'"
dir=$IOG_CACHE/headers/$rel
kbuild=$dir/usr/src/linux-headers-$rel

# The Debian version of the kernel image already in the cache, if any, so
# that the headers come from the very same build.
image_version()
{
	local img=$IOG_CACHE/kernels/linux-image-$rel-unsigned/root/boot/vmlinuz-$rel
	[ -f "$img" ] || img=$IOG_CACHE/kernels/linux-image-$rel/root/boot/vmlinuz-$rel
	[ -f "$img" ] || return 0
	file -bL "$img" 2>/dev/null | sed -n 's/.* Debian \([^ ]*\) .*/\1/p'
}

# Field $2 of package $1 (NAME=VERSION).
field()
{
	apt-cache show --no-all-versions "$1" 2>/dev/null |
		sed -n "s/^$2: //p" | head -n1
}

fetch()
{
	local hdr=linux-headers-$rel ver want deps common kb tmp deb
	want=$(image_version)
	ver=
	if [ -n "$want" ] &&
		apt-cache madison "$hdr" 2>/dev/null | cut -d'|' -f2 | tr -d ' ' |
		grep -qxF "$want"; then
		ver=$want
	fi
	if [ -z "$ver" ]; then
		ver=$(field "$hdr" Version)
		[ -n "$ver" ] ||
			die "package $hdr unknown: run 'apt-get update' (as root) and retry"
		[ -z "$want" ] ||
			note "warning: cached kernel image is $want, headers are $ver"
	fi
	deps=$(field "$hdr=$ver" Depends)
	common=$(grep -oE 'linux-headers-[^ ,()|]*-common[^ ,()|]*' <<<"$deps" |
		head -n1 || true)
	kb=$(grep -oE 'linux-kbuild-[^ ,()|]*' <<<"$deps" | head -n1 || true)
	[ -n "$common" ] && [ -n "$kb" ] ||
		die "$hdr=$ver: cannot find the -common and linux-kbuild packages in Depends: $deps"

	cache_dir "$IOG_CACHE/headers"
	tmp=$(mktemp -d "$IOG_CACHE/headers/.$rel.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	note "fetching $hdr $common $kb ($ver)"
	# The three come from one source package, hence one version.
	(cd "$tmp" && apt-get download "$hdr=$ver" "$common=$ver" "$kb=$ver" \
		>/dev/null 2>"$tmp/apt.err") ||
		die "apt-get download $hdr $common $kb ($ver) failed: $(cat "$tmp/apt.err")"
	for deb in "$tmp"/*.deb; do
		dpkg-deb -x "$deb" "$tmp/root"
		rm -f "$deb"
	done
	fixup "$tmp/root" "${common#linux-headers-}"
	echo "$hdr=$ver $common=$ver $kb=$ver" >"$tmp/root/.packages"
	touch "$tmp/root/.complete"
	# A concurrent run may have won: keep its tree, which may be in use.
	if [ -e "$dir" ] && [ ! -f "$dir/.complete" ]; then
		rm -rf "$dir"
	fi
	mv -T "$tmp/root" "$dir" 2>/dev/null ||
		[ -f "$dir/.complete" ] || die "cannot move the headers to $dir"
	rm -rf "$tmp"
	trap - EXIT
}

# $1: unpacked root; $2: the common tree's suffix (6.1.0-56-common).
fixup()
{
	local root=$1 common=$2 mk
	mk=$root/usr/src/linux-headers-$rel/Makefile
	[ -f "$mk" ] || die "linux-headers-$rel has no Makefile"
	[ -f "$root/usr/src/linux-headers-$common/Makefile" ] ||
		die "linux-headers-$common has no Makefile"
	# "include /usr/src/linux-headers-X-common/Makefile" -> relative to the
	# flavour Makefile itself, wherever make is started from.
	grep -q "^include /usr/src/linux-headers-$common/Makefile\$" "$mk" ||
		die "$mk: unexpected include line: $(grep '^include' "$mk" || true)"
	sed -i "s|^include /usr/src/linux-headers-$common/Makefile\$|include \$(dir \$(lastword \$(MAKEFILE_LIST)))../linux-headers-$common/Makefile|" "$mk"
	mkdir -p "$root/lib/modules/$rel"
	ln -sfn "../../../usr/src/linux-headers-$rel" "$root/lib/modules/$rel/build"
	ln -sfn "../../../usr/src/linux-headers-$common" "$root/lib/modules/$rel/source"
	# Everything else in the trees must resolve inside them.
	local l
	while read -r l; do
		[ -e "$l" ] || die "dangling link after unpacking: $l -> $(readlink "$l")"
	done < <(find "$root/usr/src" "$root/lib/modules" -type l)
}

[ -f "$dir/.complete" ] || fetch
[ -f "$kbuild/Makefile" ] || die "$kbuild: no Makefile (remove $dir and retry)"
echo "$kbuild"
