#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The ABI documentation of the kernel under test, for the abi_doc suite:
# Documentation/ABI/*/sysfs-kernel-iommu_groups, every ABI file that
# mentions iommu_group, and the device-side files the IOMMU links live in
# (sysfs-bus-pci, sysfs-class-iommu), with their level directory kept.
#
# Usage: abi-docs.sh KERNEL_LABEL DEST [KERNEL_IMAGE]
#   Fills DEST (created) with the files and DEST/.source (where they came
#   from), or with DEST/.unavailable (why there are none: the suite SKIPs
#   with that reason).  The first source that applies:
#   IOG_ABI_DOCS=dir   a Documentation/ABI-like directory, taken as it is
#                      (negative controls use mutated copies)
#   KERNEL_SRC=path    that tree's Documentation/ABI
#   debian-6.12, debian-6.1
#                      Debian's linux-source-6.12 / linux-source-6.1 of the
#                      kernel package's version (from its changelog next to
#                      KERNEL_IMAGE): the installed /usr/src tarball when the
#                      versions agree, else `apt-get download` into the
#                      cache; only the ABI files are kept, under
#                      $IOG_CACHE/abi/linux-source-X_VERSION, never installed
#   host               the installed /usr/src/linux-source-MAJOR.MINOR tarball
#                      of the running kernel, if there is one
set -euo pipefail
. "$(dirname "$0")/common.sh"

label=${1:?usage: abi-docs.sh KERNEL_LABEL DEST [KERNEL_IMAGE]}
dest=${2:?usage: abi-docs.sh KERNEL_LABEL DEST [KERNEL_IMAGE]}
kimage=${3:-}
# Files kept whatever they say: the group core's own, and the ones that
# document the device side (where an iommu_group entry would belong).
always="sysfs-kernel-iommu_groups sysfs-bus-pci sysfs-class-iommu"

rm -rf "$dest"
mkdir -p "$dest"

unavailable()
{
	echo "$*" >"$dest/.unavailable"
	note "no ABI documentation: $*"
	exit 0
}

# select_docs ABI_DIR OUT: copy the files the suite reads.
select_docs()
{
	local abi=$1 out=$2 f rel base
	while IFS= read -r -d '' f; do
		rel=${f#"$abi"/}
		base=${f##*/}
		if [[ " $always " == *" $base "* ]] || grep -q 'iommu_group' "$f"; then
			mkdir -p "$out/$(dirname "$rel")"
			cp "$f" "$out/$rel"
		fi
	done < <(find "$abi" -type f ! -name '.*' -print0 | LC_ALL=C sort -z)
}

# from_tarball TARBALL TOPDIR OUT: the ABI files of a linux-source tarball.
from_tarball()
{
	local tarball=$1 top=$2 out=$3 tmp
	tmp=$(mktemp -d "$out.tmp.XXXXXX")
	tar -xf "$tarball" -C "$tmp" --wildcards "$top/Documentation/ABI/*" ||
		{ rm -rf "$tmp"; return 1; }
	mkdir -p "$out"
	select_docs "$tmp/$top/Documentation/ABI" "$out"
	rm -rf "$tmp"
}

# The Debian version of an unpacked kernel package, from its changelog.
package_version()
{
	local root cl
	[ -n "$kimage" ] || return 0
	root=$(dirname "$kimage")/..
	for cl in "$root"/usr/share/doc/linux-image-*/changelog.Debian.gz; do
		[ -f "$cl" ] || continue
		gzip -dc "$cl" | head -n1 | sed -n 's/^[^ ]* (\([^)]*\)).*/\1/p' || true
		return 0
	done
}

# debian SERIES: linux-source-SERIES of the kernel package's version.
debian()
{
	local series=$1 src=linux-source-$1 ver have tarball cache tmp deb
	ver=$(package_version)
	if [ -z "$ver" ]; then
		ver=$(apt-cache show "$src" 2>/dev/null | sed -n 's/^Version: //p' |
			sort -V | tail -n1 || true)
	fi
	if [ -z "$ver" ]; then
		# Offline: whatever the cache holds for the series.
		cache=$(ls -d "$IOG_CACHE/abi/${src}_"*/ 2>/dev/null | sort -V | tail -n1 || true)
		[ -n "$cache" ] && [ -f "$cache/.complete" ] ||
			unavailable "the version of $src is unknown (no changelog in the kernel package, apt-cache knows no $src) and nothing is cached"
		ver=${cache%/}
		ver=${ver##*_}
	fi
	cache=$IOG_CACHE/abi/${src}_$ver
	if [ ! -f "$cache/.complete" ]; then
		cache_dir "$IOG_CACHE/abi"
		rm -rf "$cache"
		tmp=$(mktemp -d "$IOG_CACHE/abi/.$src.XXXXXX")
		have=$(dpkg-query -W -f='${Version}' "$src" 2>/dev/null || true)
		tarball=$(ls /usr/src/"$src".tar.* 2>/dev/null | head -n1 || true)
		if [ "$have" = "$ver" ] && [ -n "$tarball" ]; then
			note "ABI documentation from $tarball ($src $ver)"
			from_tarball "$tarball" "$src" "$tmp/docs" ||
				{ rm -rf "$tmp"; unavailable "cannot extract Documentation/ABI from $tarball"; }
			echo "$src $ver ($tarball)" >"$tmp/docs/.source"
		else
			note "fetching $src=$ver for its ABI documentation"
			if ! (cd "$tmp" && apt-get download "$src=$ver" >/dev/null 2>"$tmp/apt.err"); then
				local why
				why=$(tail -n1 "$tmp/apt.err")
				rm -rf "$tmp"
				unavailable "apt-get download $src=$ver failed: $why"
			fi
			deb=$(ls "$tmp"/*.deb)
			# Only the tarball, streamed; the package is never installed.
			dpkg-deb --fsys-tarfile "$deb" |
				tar -xO "./usr/src/$src.tar.xz" >"$tmp/$src.tar.xz" ||
				{ rm -rf "$tmp"; unavailable "$deb holds no usr/src/$src.tar.xz"; }
			rm -f "$deb"
			from_tarball "$tmp/$src.tar.xz" "$src" "$tmp/docs" ||
				{ rm -rf "$tmp"; unavailable "cannot extract Documentation/ABI from $src $ver"; }
			rm -f "$tmp/$src.tar.xz"
			echo "$src $ver (apt-get download)" >"$tmp/docs/.source"
		fi
		touch "$tmp/docs/.complete"
		# A parallel run may have got there first: keep its copy.
		mv -T "$tmp/docs" "$cache" 2>/dev/null || [ -f "$cache/.complete" ] ||
			{ rm -rf "$tmp"; unavailable "cannot store $cache"; }
		rm -rf "$tmp"
	fi
	cp -r "$cache"/. "$dest"/
	rm -f "$dest/.complete"
}

if [ -n "${IOG_ABI_DOCS:-}" ]; then
	[ -d "$IOG_ABI_DOCS" ] || die "IOG_ABI_DOCS=$IOG_ABI_DOCS is not a directory"
	select_docs "$(realpath "$IOG_ABI_DOCS")" "$dest"
	echo "IOG_ABI_DOCS=$IOG_ABI_DOCS" >"$dest/.source"
elif [ -n "${KERNEL_SRC:-}" ]; then
	[ -d "$KERNEL_SRC/Documentation/ABI" ] ||
		unavailable "KERNEL_SRC=$KERNEL_SRC has no Documentation/ABI"
	select_docs "$(realpath "$KERNEL_SRC/Documentation/ABI")" "$dest"
	desc=$(git -C "$KERNEL_SRC" describe --always --dirty 2>/dev/null || true)
	echo "KERNEL_SRC=$KERNEL_SRC${desc:+ ($desc)}" >"$dest/.source"
else
	case $label in
	debian-6.12) debian 6.12 ;;
	debian-6.1) debian 6.1 ;;
	host)
		rel=$(uname -r)
		series=$(sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p' <<<"$rel")
		tarball=$(ls /usr/src/linux-source-"$series".tar.* 2>/dev/null | head -n1 || true)
		[ -n "$tarball" ] ||
			unavailable "no ABI documentation for the running kernel $rel: set KERNEL_SRC=tree or IOG_ABI_DOCS=dir, or install linux-source-$series"
		from_tarball "$tarball" "linux-source-$series" "$dest" ||
			unavailable "cannot extract Documentation/ABI from $tarball"
		echo "linux-source-$series $(dpkg-query -W -f='${Version}' "linux-source-$series" 2>/dev/null || true) ($tarball; the running kernel is $rel)" >"$dest/.source"
		;;
	*)
		unavailable "KERNEL=$label: no documentation tree (KERNEL_SRC=path gives the kernel's own Documentation/ABI)"
		;;
	esac
fi
[ -f "$dest/.unavailable" ] || [ -n "$(find "$dest" -type f ! -name .source ! -name .unavailable)" ] ||
	unavailable "the documentation source ($(cat "$dest/.source")) has none of: $always, nor a file mentioning iommu_group"
