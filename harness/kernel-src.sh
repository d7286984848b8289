#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A guest kernel from a source tree: configure it with the package's
# fragments, build it out of tree in the cache, install its modules there.
#
# Usage: kernel-src.sh TREE
#          build (or reuse) and print the shell assignments kernel.sh
#          prints: kernel_label kernel_image kernel_modules kernel_release
#          kernel_config
#        kernel-src.sh config TREE OUTDIR
#          only write OUTDIR/.config (base + fragments, resolved) and check
#          that every fragment line survived; no build
#
# KERNEL_SRC_KASAN=1 adds kernel/kasan.config, IOG_SRC_FRAGMENTS="file..."
# adds fragments of one's own (merged last).  The base is the tree's
# x86_64_defconfig (IOG_SRC_BASE= names another *_defconfig target).
#
# The build lives in $IOG_CACHE/src-build/VERSION-KEY/, KEY hashing the
# tree's path, its version and the base and fragments, so a second run
# reuses it; the tree itself is never written to.  A source file in the
# tree newer than the last completed build sends make through an
# incremental build again.  One build at a time per directory (flock).
set -euo pipefail
. "$(dirname "$0")/common.sh"

# Bump when the recipe below changes what a build directory holds.
recipe=1
base=${IOG_SRC_BASE:-x86_64_defconfig}
nproc=$(nproc 2>/dev/null || echo 2)

fragments()
{
	echo "$IOG_TOP/kernel/iog.config"
	if [ "${KERNEL_SRC_KASAN:-0}" = 1 ]; then
		echo "$IOG_TOP/kernel/kasan.config"
	fi
	local f
	for f in ${IOG_SRC_FRAGMENTS:-}; do
		[ -f "$f" ] || die "IOG_SRC_FRAGMENTS: no file $f"
		realpath "$f"
	done
}

# Bad IOG_SRC_FRAGMENTS fail here, not inside a pipeline.
for f in ${IOG_SRC_FRAGMENTS:-}; do
	[ -f "$f" ] || die "IOG_SRC_FRAGMENTS: no file $f"
done

check_tree()
{
	local t=$1 f
	[ -d "$t" ] || die "KERNEL_SRC=$t: no such directory"
	for f in Makefile scripts/kconfig/merge_config.sh "arch/x86/configs/$base"; do
		[ -f "$t/$f" ] || die "KERNEL_SRC=$t: no $f (not an x86 kernel source tree?)"
	done
	[ ! -f "$t/.config" ] ||
		die "KERNEL_SRC=$t has a .config of its own: out-of-tree builds need a clean tree ('make mrproper' there)"
	for f in make gcc flex bison bc; do
		command -v $f >/dev/null ||
			die "$f is not installed: run 'harness/deps.sh kernel-src' (as root)"
	done
}

# Every fragment line must hold in the resolved .config: CONFIG_X=v as
# it is, "# CONFIG_X is not set" as no CONFIG_X= line.  Prints the lines
# that do not hold, with what Kconfig made of them.
unmet()
{
	local cfg=$1 frag line sym got
	while read -r frag; do
		while IFS= read -r line; do
			if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)= ]]; then
				sym=${BASH_REMATCH[1]}
				grep -qxF "$line" "$cfg" && continue
			elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
				sym=${BASH_REMATCH[1]}
				grep -q "^$sym=" "$cfg" || continue
			else
				continue
			fi
			got=$(grep -E "^$sym=|^# $sym is not set" "$cfg" || true)
			echo "  ${frag##*/}: want '$line', got '${got:-(absent: unmet dependency?)}'"
		done <"$frag"
	done < <(fragments)
}

# configure TREE OBJDIR: base defconfig, fragments merged in order,
# olddefconfig, then the check.
configure()
{
	local t=$1 o=$2 bad
	mkdir -p "$o"
	rm -f "$o/.config-ok"
	make -s -C "$t" O="$o" "$base" >"$o/config.log" 2>&1 ||
		die "make $base failed: $(tail -n5 "$o/config.log")"
	mapfile -t frags < <(fragments)
	# -m: merge only; olddefconfig below resolves the result.
	(cd "$o" && "$t/scripts/kconfig/merge_config.sh" -m -O "$o" "$o/.config" "${frags[@]}") \
		>>"$o/config.log" 2>&1 || die "merge_config.sh failed: $(tail -n5 "$o/config.log")"
	make -s -C "$t" O="$o" olddefconfig >>"$o/config.log" 2>&1 ||
		die "make olddefconfig failed: $(tail -n5 "$o/config.log")"
	bad=$(unmet "$o/.config")
	[ -z "$bad" ] || die "the fragments do not hold in $o/.config:
$bad"
	touch "$o/.config-ok"
}

if [ "${1:-}" = config ]; then
	tree=${2:?usage: kernel-src.sh config TREE OUTDIR}
	out=${3:?usage: kernel-src.sh config TREE OUTDIR}
	tree=$(realpath "$tree")
	check_tree "$tree"
	mkdir -p "$out"
	configure "$tree" "$(realpath "$out")"
	echo "$(realpath "$out")/.config"
	exit 0
fi

tree=${1:?usage: kernel-src.sh TREE | kernel-src.sh config TREE OUTDIR}
tree=$(realpath "$tree")
check_tree "$tree"
version=$(make -s -C "$tree" kernelversion 2>/dev/null) ||
	die "KERNEL_SRC=$tree: 'make kernelversion' failed"
[[ $version =~ ^[0-9A-Za-z.+_-]+$ ]] || die "KERNEL_SRC=$tree: odd kernel version '$version'"

key=$( {
	echo "recipe $recipe"
	echo "tree $tree"
	echo "version $version"
	echo "base $base"
	fragments | while read -r f; do
		echo "== ${f##*/}"
		cat "$f"
	done
} | sha | cut -c1-16)
dir=$IOG_CACHE/src-build/$version-$key
obj=$dir/obj
cache_dir "$dir"

exec 9>"$dir/.lock"
flock 9

# Reuse a completed build unless a source file changed since.
stale=1
if [ -f "$dir/.complete" ]; then
	stale=$(find "$tree" -newer "$dir/.complete" -type f \
		\( -name '*.[chS]' -o -name 'Kconfig*' -o -name 'Makefile*' -o -name 'Kbuild*' \) \
		-print -quit)
fi
if [ -n "$stale" ]; then
	[ -f "$obj/.config-ok" ] || configure "$tree" "$obj"
	note "building $version from $tree in $dir (log: $dir/build.log)"
	t0=$(date +%s)
	# Stamped at the start: a source changed during the build is stale.
	touch "$dir/.building"
	nice -n 10 make -C "$tree" O="$obj" -j"$nproc" bzImage modules >"$dir/build.log" 2>&1 || {
		tail -n 30 "$dir/build.log" >&2
		die "kernel build failed (log: $dir/build.log)"
	}
	rm -rf "$dir/mod"
	make -C "$tree" O="$obj" INSTALL_MOD_PATH="$dir/mod" INSTALL_MOD_STRIP=1 \
		modules_install >>"$dir/build.log" 2>&1 || {
		tail -n 30 "$dir/build.log" >&2
		die "modules_install failed (log: $dir/build.log)"
	}
	t1=$(date +%s)
	echo "$((t1 - t0))" >"$dir/build-seconds"
	note "built $version in $((t1 - t0)) s"
	mv "$dir/.building" "$dir/.complete"
fi

rel=$(make -s -C "$tree" O="$obj" kernelrelease)
[ -f "$obj/arch/x86/boot/bzImage" ] || die "no bzImage in $obj"
[ -f "$dir/mod/lib/modules/$rel/modules.dep" ] || die "no modules.dep in $dir/mod/lib/modules/$rel"
label=src-$rel
[ "${KERNEL_SRC_KASAN:-0}" = 1 ] && label=$label-kasan
echo "kernel_label=$label"
echo "kernel_image=$obj/arch/x86/boot/bzImage"
echo "kernel_modules=$dir/mod/lib/modules/$rel"
echo "kernel_release=$rel"
echo "kernel_config=$obj/.config"
