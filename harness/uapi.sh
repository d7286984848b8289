#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The 6.12 UAPI headers the guest suites drive the kernel with, from
# Debian's linux-source-6.12, into DIR/linux/: Debian 12's linux-libc-dev
# is 6.1's, which has no linux/iommufd.h and no VFIO device cdev ioctls.
# Prepared with the tree's own scripts/headers_install.sh (as `make
# headers_install` does), never copied into the repository.  The suites
# test the running kernel's answers, so newer headers are safe on older
# kernels: an ioctl they lack fails with ENOTTY and the suite says so.
#
# Usage: uapi.sh DIR
set -euo pipefail
. "$(dirname "$0")/common.sh"
dir=${1:?usage: uapi.sh DIR}
headers="vfio.h iommufd.h"
tarball=$(ls /usr/src/linux-source-6.12.tar.* 2>/dev/null | head -n1 || true)
if [ -z "$tarball" ]; then
	echo "uapi.sh: /usr/src/linux-source-6.12.tar.* not found;" \
		"install it with: apt-get install linux-source-6.12" >&2
	exit 1
fi
cache_dir "$(dirname "$dir")"
tmp=$(mktemp -d "${dir%/}.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# headers_install.sh runs scripts/unifdef, a host tool built from its one
# C file.
members=(linux-source-6.12/scripts/headers_install.sh linux-source-6.12/scripts/unifdef.c)
for h in $headers; do
	members+=("linux-source-6.12/include/uapi/linux/$h")
done
tar -xf "$tarball" -C "$tmp" "${members[@]}"
src=$tmp/linux-source-6.12
${CC:-gcc} -O2 -w -o "$src/scripts/unifdef" "$src/scripts/unifdef.c"
mkdir -p "$tmp/out/linux"
for h in $headers; do
	(cd "$src" && sh scripts/headers_install.sh "include/uapi/linux/$h" "$tmp/out/linux/$h")
done
rm -rf "$dir"
mv -T "$tmp/out" "$dir"
