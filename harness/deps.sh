#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Install what `make check` / `make test` need from Debian's archive.  As
# root: apt-get install.  Otherwise: print the exact command and stop.
#
# Usage: deps.sh [GROUP...]   with GROUP one of
#   test        the package's own tests: fuzzers (clang), LAVA validation
#   kernel-src  building a guest kernel from a source tree (KERNEL_SRC=)
#   plots       gnuplot for the matrix and bench plots
#
# First of all it makes the cache directory (IOG_CACHE), so that a path
# that cannot be made stops every target at once, naming it, before any
# package, build or QEMU.
set -euo pipefail
. "$(dirname "$0")/common.sh"
cache_dir "$IOG_CACHE"

pkgs=(qemu-system-x86 busybox-static pciutils libpci-dev cpio kmod fio
	linux-source-6.12 xz-utils zstd lz4 gcc make libc6-dev file
	# The test module: the packaged headers call gcc-12 by name, and the
	# unpacked (not installed) kbuild tools need these libraries.
	gcc-12 binutils libelf1 zlib1g)

for group in "$@"; do
	case $group in
	test)
		# libFuzzer and its sanitizer runtimes; lava-run and the schema
		# check for the generated LAVA jobs.
		pkgs+=(clang libclang-rt-14-dev lava-dispatcher gnuplot-nox locales) ;;
	kernel-src)
		pkgs+=(bc bison flex libssl-dev libelf-dev dwarves rsync) ;;
	plots)
		pkgs+=(gnuplot-nox) ;;
	*) die "deps.sh: unknown group '$group'" ;;
	esac
done

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ $st == "install ok installed" ]] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "Missing Debian packages: ${missing[*]}" >&2
	echo "Install them as root with:" >&2
	echo "  apt-get update && $cmd" >&2
	exit 1
fi
note "installing ${missing[*]}"
# A fresh machine may have no package lists yet.
apt-get update -qq >/dev/null || die "apt-get update failed"
DEBIAN_FRONTEND=noninteractive $cmd >/dev/null ||
	die "failed: $cmd"
