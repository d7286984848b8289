#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The suites as the kselftest collection "iommu_groups", laid out as the
# kernel's `make -C tools/testing/selftests install INSTALL_PATH=DIR` lays
# out its own, so that CI systems that run kselftest (run_kselftest.sh -c
# iommu_groups) pick them up:
#   DIR/run_kselftest.sh, DIR/kselftest/    the kernel's runner, from
#                                           Debian's linux-source-6.12 (kept
#                                           when DIR already has them)
#   DIR/kselftest-list.txt                  iommu_groups:SUITE lines added,
#                                           other collections' lines kept
#   DIR/iommu_groups/SUITE                  the suite programs (build/ksft)
#   DIR/iommu_groups/lib/                   their libraries beyond libc
#   DIR/iommu_groups/settings               timeout=
#   DIR/iommu_groups/config                 the kernel options they need,
#                                           from kernel/iog.config
#   DIR/iommu_groups/destructive            the suites that change the
#                                           machine (not listed by default)
# KSELFTEST_DESTRUCTIVE=1 lists the destructive suites too; throughput is
# never listed (it takes minutes and unbinds an NVMe drive; run it as
# ./throughput in the directory).  On a board nothing tells the suites a
# topology, so they take the model alone, as host mode does.
#
# Usage: kselftest-install.sh DIR
#        kselftest-install.sh --tarball DIR   and pack DIR as the kernel's
#            gen_tar does: DIR/kselftest-packages/kselftest.tar.gz
set -euo pipefail
. "$(dirname "$0")/common.sh"
. "$IOG_TOP/harness/guest-conf.sh"

tarball=
if [ "${1:-}" = --tarball ]; then
	tarball=1
	shift
fi
dir=${1:-}
[ -n "$dir" ] || die "INSTALL_PATH= is empty: say where the collection goes, e.g. make kselftest-install INSTALL_PATH=/tmp/kselftest"
[[ $dir == /* ]] || dir=$PWD/$dir
bins=$IOG_BUILD/ksft
collection=iommu_groups

# The kernel's runner, extracted by harness/kselftest.sh with the harness
# header (a cache made before it took the runner too is refreshed).
runner=$IOG_CACHE/kselftest-6.12
[ -f "$runner/run_kselftest.sh" ] || "$IOG_TOP/harness/kselftest.sh" "$runner"

# Which suites the list names.
listed=()
destructive=()
for f in "$bins"/*; do
	[ -x "$f" ] || die "$bins has no suite programs (make ksft-suites)"
	s=${f##*/}
	if [[ " $host_safe_suites " == *" $s "* ]]; then
		listed+=("$s")
	else
		destructive+=("$s")
		if [ "${KSELFTEST_DESTRUCTIVE:-0}" != 0 ] && [[ " $opt_in_suites " != *" $s "* ]]; then
			listed+=("$s")
		fi
	fi
done

mkdir -p "$dir" || die "cannot create INSTALL_PATH $dir"
if [ ! -f "$dir/run_kselftest.sh" ]; then
	install -m 744 "$runner/run_kselftest.sh" "$dir/"
	mkdir -p "$dir/kselftest"
	for f in "$runner"/kselftest/*; do
		install -m 744 "$f" "$dir/kselftest/"
	done
fi

col=$dir/$collection
rm -rf "$col"
mkdir -p "$col/lib"
for f in "$bins"/*; do
	install -m 755 "$f" "$col/"
done
# Libraries beyond the C library, for machines without libpci.
ldd "$bins"/* | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u |
	while read -r l; do
		case ${l##*/} in
		libc.so.* | libm.so.* | ld-linux*) continue ;;
		esac
		cp -L "$l" "$col/lib/"
	done

# The suites under TCG take seconds each; a board with many groups, or a
# destructive suite rebinding drivers, longer; throughput's long form
# minutes.
echo "timeout=600" >"$col/settings"
printf '%s\n' "${destructive[@]}" >"$col/destructive"

# The options the suites need: kernel/iog.config without its sections
# marked "(guest only)", which the QEMU guest needs and a board does not.
awk '
	/^$/ { guest = 0; head = 1; next }
	/^#/ && head && /\(guest only/ { guest = 1 }
	/^#/ { next }
	{ head = 0 }
	!guest && /^CONFIG_[A-Z0-9_]+=[ym]$/' "$IOG_TOP/kernel/iog.config" >"$col/config"
[ -s "$col/config" ] || die "no options taken from kernel/iog.config"

list=$dir/kselftest-list.txt
{
	[ ! -f "$list" ] || grep -v "^$collection:" "$list" || true
	for s in "${listed[@]}"; do
		echo "$collection:$s"
	done
} >"$list.tmp"
mv "$list.tmp" "$list"

note "collection $collection in $dir: ${listed[*]}${destructive[*]:+ (destructive, not listed: $(comm -23 <(printf '%s\n' "${destructive[@]}" | sort) <(printf '%s\n' "${listed[@]}" | sort) | tr '\n' ' '))}"
note "run it: cd $dir && ./run_kselftest.sh -c $collection"

if [ -n "$tarball" ]; then
	out=$dir/kselftest-packages/kselftest.tar.gz
	mkdir -p "${out%/*}"
	tar -czf "$out" --exclude=kselftest-packages -C "$dir" .
	echo "$out"
fi
