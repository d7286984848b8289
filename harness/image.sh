#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Build the guest initramfs: static busybox, the static suite binaries, the
# kernel modules the topology needs (with their dependencies from the
# kernel's own modules.dep), the run's configuration, and /init.
# Cached by content under $IOG_CACHE/images: an unchanged input set costs
# only the hashing.
#
# Usage: image.sh CONFDIR MODULES_DIR "MODULE..." "SUITE..." [KERNEL_IMAGE]
#   CONFDIR holds the files that go to /etc/iog (expect-groups, env) and
#   testmod/*.ko, test modules built for this kernel.  KERNEL_IMAGE (a
#   bzImage or vmlinux; default: MODULES_DIR/build/vmlinux, else the
#   vmlinuz beside an unpacked package's lib/modules) is read for the
#   built-in PCI drivers' ID tables in /etc/iog/pci-aliases.
# Prints the path of the image: an LZ4 (legacy framing, what the kernel
# unpacks) cpio, which the guest unpacks in half the time gzip takes it;
# gzip for LAVA jobs (IOG_IMAGE_MODE=lava), whose ramdisk a lab may
# decompress or modify.
set -euo pipefail
. "$(dirname "$0")/common.sh"

confdir=$1 moddir=$2 modules=$3 suites=$4 kimage=${5:-}
busybox=/bin/busybox
init=$IOG_TOP/harness/guest-init.sh
runner=$IOG_TOP/harness/run-suites.sh
# IOG_IMAGE_MODE=lava (harness/lava-job.sh): /init ends in a shell on the
# console for LAVA's test shell, and the KTAP converter comes along.
mode=${IOG_IMAGE_MODE:-}
lava_cases=$IOG_TOP/harness/lava-cases.sh
# KSELFTEST_DIR=dir (make check): an installed kselftest collection
# (harness/kselftest-install.sh) goes to /kselftest, and /init runs it with
# the kernel's run_kselftest.sh instead of run-suites.
ksft=${KSELFTEST_DIR:-}
if [ -n "$ksft" ]; then
	[ "$mode" != lava ] || die "KSELFTEST_DIR= is for make check, not for LAVA images"
	[ -x "$ksft/run_kselftest.sh" ] || die "KSELFTEST_DIR=$ksft holds no run_kselftest.sh (make kselftest-install INSTALL_PATH=$ksft)"
	mode=kselftest
fi

# Module names compare with '-' and '_' as one.
modkey()
{
	local b=${1##*/}
	b=${b%%.ko*}
	echo "${b//-/_}"
}

order=()
if [ -n "$modules" ]; then
	[ -n "$moddir" ] || die "the topology needs modules ($modules) but no MODULES= directory was given"
	[ -f "$moddir/modules.dep" ] || die "$moddir/modules.dep missing (run depmod -b)"
	# Depth first, dependencies before the modules that need them; names
	# compare with '-' and '_' as one.  Built-in modules need no file.
	resolved=$(awk -v want="$modules" '
		function key(p) { sub(/.*\//, "", p); sub(/\.ko.*/, "", p); gsub(/-/, "_", p); return p }
		function add(k,    i, n, d) {
			if (k in seen) return
			seen[k] = 1
			if (!(k in path)) {
				if (k in builtin) return
				print "MISSING " k; err = 1; return
			}
			n = split(deps[k], d, " ")
			for (i = n; i >= 1; i--) add(key(d[i]))
			print path[k]
		}
		FILENAME ~ /modules\.builtin$/ { builtin[key($0)] = 1; next }
		{ p = $1; sub(/:$/, "", p); k = key(p); path[k] = p; $1 = ""; deps[k] = $0 }
		END { n = split(want, w, " "); for (i = 1; i <= n; i++) add(key(w[i])); exit err }
	' "$moddir/modules.dep" $( [ -f "$moddir/modules.builtin" ] && echo "$moddir/modules.builtin")) ||
		die "module '$(sed -n 's/^MISSING //p' <<<"$resolved" | head -n1)' is neither in $moddir/modules.dep nor built in"
	mapfile -t order <<<"$resolved"
fi

suite_bins=()
for s in $suites; do
	f=${IOG_GUEST_BUILD:-$IOG_BUILD/guest}/$s
	[ -x "$f" ] || die "suite '$s' is not built ($f); run make build"
	suite_bins+=("$f")
done
# Tools a person logged into the guest (or a suite) may use.
tool_bins=()
[ -x "$IOG_BUILD/host/iogroups" ] && tool_bins+=("$IOG_BUILD/host/iogroups")
# The throughput suite's load generator, with its ~80 MB of libraries:
# only in images that run that suite.
if [[ " $suites " == *" throughput "* ]]; then
	fio=$(command -v fio) || die "the throughput suite needs fio (apt-get install fio)"
	tool_bins+=("$fio")
fi

# Dynamically linked suites (those that link libpci for the model) carry
# their shared libraries and the loader, at the paths ldd reports.
libs=()
for f in "${suite_bins[@]}" "${tool_bins[@]}"; do
	ldd "$f" >/dev/null 2>&1 || continue
	mapfile -t -O ${#libs[@]} libs < <(ldd "$f" | grep -o "/[^ ]*")
done
mapfile -t libs < <(printf "%s\n" "${libs[@]}" | sort -u | sed "/^$/d")

# What cache keys hold of a file that is not the run's own: its name,
# size, inode and modification time (hashing the image's 100 MB of
# programs, libraries and modules cost 2 s a run).
stamp()
{
	stat -L -c '%n %s %i %.9Y' "$@"
}

# PCI driver ID tables, for the reference model: virtio-iommu groups the
# devices a driver probes (harness/model/probe.h).  Modules: the pci:
# lines of modules.alias.  Built in: 6.1 and 6.12 record no pci: alias
# for built-in code (harness/model/kimage.h), so iog-builtin-pci reads the
# tables from the kernel image; modules.builtin.modinfo's pci: aliases
# are taken too, for kernels that record them.  Cached by the inputs.
builtin_tool=$IOG_BUILD/host/iog-builtin-pci
if [ -z "$kimage" ] && [ -n "$moddir" ]; then
	rel=${moddir%/}
	rel=${rel##*/}
	for c in "$moddir/build/vmlinux" "$moddir/../../../boot/vmlinuz-$rel"; do
		if [ -f "$c" ]; then
			kimage=$(realpath "$c")
			break
		fi
	done
fi

# The vmlinux ELF of a kernel image into $2: an ELF as it is, a bzImage's
# payload (boot protocol: setup_sects 0x1f1, "HdrS" 0x202, payload
# offset 0x248 and length 0x24c) through the decompressor its magic
# names.  The payload ends in the decompressed size, which decompressors
# call trailing garbage: the ELF magic of the result decides.
vmlinux_of()
{
	local img=$1 out=$2 setup off len magic dec
	magic=$(od -An -tx1 -N4 "$img" | tr -d ' \n')
	if [ "$magic" = 7f454c46 ]; then
		cp "$img" "$out"
		return
	fi
	[ "$(dd if="$img" bs=1 skip=$((0x202)) count=4 2>/dev/null)" = HdrS ] || return 1
	setup=$(od -An -tu1 -j $((0x1f1)) -N1 "$img" | tr -d ' ')
	[ "$setup" != 0 ] || setup=4
	off=$(od -An -tu4 -j $((0x248)) -N4 "$img" | tr -d ' ')
	len=$(od -An -tu4 -j $((0x24c)) -N4 "$img" | tr -d ' ')
	off=$(((setup + 1) * 512 + off))
	magic=$(tail -c +$((off + 1)) "$img" | head -c 6 | od -An -tx1 | tr -d ' \n')
	case $magic in
	1f8b*) dec="gzip -dc" ;;
	fd377a585a00) dec="xz -dc" ;;
	5d0000*) dec="xz -dc --format=lzma" ;;
	28b52ffd*) dec="zstd -qdc" ;;
	425a68*) dec="bzip2 -dc" ;;
	02214c18*) dec="lz4 -dc" ;;
	*) return 1 ;;
	esac
	command -v "${dec%% *}" >/dev/null || return 1
	tail -c +$((off + 1)) "$img" | head -c "$len" | $dec >"$out" 2>/dev/null
	[ "$(od -An -tx1 -N4 "$out" | tr -d ' \n')" = 7f454c46 ]
}

pci_aliases()
{
	local key out tmp vml n why=
	key=$({
		echo "pci-aliases v2"
		[ -x "$builtin_tool" ] && stamp "$builtin_tool"
		for f in "$moddir/modules.alias" "$moddir/modules.builtin.modinfo" "$kimage"; do
			[ -n "$f" ] && [ -f "$f" ] && stamp "$f"
		done
	} | sha)
	out=$IOG_CACHE/pci-aliases/$key
	if [ ! -f "$out" ]; then
		cache_dir "$IOG_CACHE/pci-aliases"
		tmp=$(mktemp "$IOG_CACHE/pci-aliases/.tmp.XXXXXX")
		vml=$(mktemp "$IOG_CACHE/pci-aliases/.vmlinux.XXXXXX")
		{
			echo "# PCI driver ID tables for the reference model (harness/model/probe.h)"
			if [ -n "$moddir" ] && [ -f "$moddir/modules.alias" ]; then
				echo "# modules: $moddir/modules.alias"
				grep '^alias pci:' "$moddir/modules.alias" || true
			else
				echo "# modules: none (no modules.alias)"
			fi
			if [ -n "$moddir" ] && [ -f "$moddir/modules.builtin.modinfo" ]; then
				tr '\0' '\n' <"$moddir/modules.builtin.modinfo" |
					sed -n 's/^\([^.]*\)\.alias=\(pci:[^ ]*\)$/builtin \2 \1/p'
			fi
			if [ -z "$kimage" ]; then
				why="no kernel image found"
			elif [ ! -x "$builtin_tool" ]; then
				why="$builtin_tool is not built"
			elif ! vmlinux_of "$kimage" "$vml"; then
				why="cannot unpack $kimage"
			elif ! "$builtin_tool" "$vml" >"$vml.txt" 2>"$vml.err"; then
				why=$(head -n1 "$vml.err")
			else
				n=$(grep -c '^builtin-driver ' "$vml.txt")
				echo "# built in: $kimage ($n drivers)"
				cat "$vml.txt"
			fi
			[ -z "$why" ] || echo "# built in: unknown ($why)"
		} >"$tmp"
		rm -f "$vml" "$vml.txt" "$vml.err"
		[ -z "$why" ] || note "built-in PCI drivers' ID tables unknown: $why (virtio-iommu model tests will skip)"
		chmod 644 "$tmp"
		mv "$tmp" "$out"
	fi
	echo "$out"
}
aliases=$(pci_aliases)

# The cache key covers every byte that goes into the image: the run's
# configuration by content, the rest by stamp().
key=$({
	echo "v2"
	stamp "$busybox" "$init" "$runner" "$aliases"
	if [ "$mode" = lava ]; then echo "mode lava $(stamp "$lava_cases")"; fi
	if [ "$mode" = kselftest ]; then
		echo "mode kselftest"
		(cd "$ksft" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum)
	fi
	[ ${#suite_bins[@]} -eq 0 ] || stamp "${suite_bins[@]}"
	[ ${#tool_bins[@]} -eq 0 ] || stamp "${tool_bins[@]}"
	for p in "${order[@]}"; do stamp "$moddir/$p"; done
	[ ${#libs[@]} -eq 0 ] || stamp "${libs[@]}"
	(cd "$confdir" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum)
} | sha)
ext=lz4
[ "$mode" != lava ] || ext=gz
out=$IOG_CACHE/images/$key.cpio.$ext
if [ -f "$out" ]; then
	# Newest again: the eviction below never takes an image in use.
	touch "$out" 2>/dev/null || true
	echo "$out"
	exit 0
fi

cache_dir "$IOG_CACHE/images"
stage=$(mktemp -d "$IOG_CACHE/images/.stage.XXXXXX")
trap 'rm -rf "$stage" "${tmp:-}"' EXIT
mkdir -p "$stage"/{bin,dev,proc,sys,tmp,suites,lib/modules,etc/iog}
cp "$busybox" "$stage/bin/busybox"
cp "$init" "$stage/init"
cp "$runner" "$stage/bin/run-suites"
chmod 755 "$stage/init" "$stage/bin/run-suites"
if [ "$mode" = lava ]; then
	cp "$lava_cases" "$stage/bin/lava-cases"
	chmod 755 "$stage/bin/lava-cases"
	echo lava >"$stage/etc/iog/mode"
fi
if [ "$mode" = kselftest ]; then
	cp -a "$ksft" "$stage/kselftest"
	echo kselftest >"$stage/etc/iog/mode"
fi
for f in "${suite_bins[@]}"; do cp "$f" "$stage/suites/"; done
for f in "${tool_bins[@]}"; do cp "$f" "$stage/bin/"; done
for l in "${libs[@]}"; do
	mkdir -p "$stage$(dirname "$l")"
	cp -L "$l" "$stage$l"
done
# libpci names devices from pci.ids when it is there.
if [ ${#libs[@]} -gt 0 ] && [ -f /usr/share/misc/pci.ids ]; then
	mkdir -p "$stage/usr/share/misc"
	cp /usr/share/misc/pci.ids "$stage/usr/share/misc/"
fi
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
cp "$aliases" "$stage/etc/iog/pci-aliases"
find "$confdir" -maxdepth 1 -type f -exec cp {} "$stage/etc/iog/" \;
# The kernel's ABI documentation (harness/abi-docs.sh), for abi_doc.
[ ! -d "$confdir/abi" ] || cp -r "$confdir/abi" "$stage/etc/iog/abi"
# Test modules built for this kernel (drivers/), loaded after the others.
: >"$stage/etc/iog/testmods"
for f in "$confdir"/testmod/*.ko; do
	[ -f "$f" ] || continue
	cp "$f" "$stage/lib/modules/"
	echo "${f##*/}" >>"$stage/etc/iog/testmods"
done
tmp=$(mktemp "$IOG_CACHE/images/.img.XXXXXX")
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet |
	if [ "$ext" = gz ]; then gzip -1; else lz4 -l -1 -q; fi) >"$tmp"
mv "$tmp" "$out"
# Keep the cache bounded: the 30 newest images stay.
ls -t "$IOG_CACHE"/images/*.cpio.* | tail -n +31 | xargs -r rm -f
echo "$out"
