# SPDX-License-Identifier: GPL-2.0-only
# Sourced by tests/run.sh: the first run on a machine that has never seen
# the package.  The real `make check` (default topology and kernel) in a
# copy of this tree, as a user's clone would be, with
#   - HOME a new empty directory and IOG_CACHE unset (the default cache
#     under it does not exist);
#   - IOG_CACHE a nested path none of whose directories exist yet;
# each must pass and fetch its kernel itself: nothing of this machine's
# cache can help it.  Negative control: a cache path with a regular file
# in its way stops at once, naming the path, before any build or QEMU.
# Budget: one build of the tree and two cold runs, about 3 minutes.

cold=$work/cold
mkdir -p "$cold/home-a" "$cold/home-b"
# The tree as a clone would have it: tracked files and new ones not
# ignored (so uncommitted work is what is tested), no build/, no results/.
mkdir -p "$cold/tree"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z -c -o --exclude-standard | tar --null -T - -cf -
else
	tar --exclude=./build --exclude=./results -cf - .
fi | tar -xf - -C "$cold/tree"

# cold_run NAME ENV...: `make check` in the copy with a clean environment
# of the package's variables; output in $work/NAME.out, exit status in crc.
cold_run()
{
	local name=$1
	shift
	env -u IOG_CACHE -u RESULTS -u IOG_BUILD -u IOG_TOP -u TOPOLOGY -u KERNEL \
		"$@" make -C "$cold/tree" -s --no-print-directory check \
		>"$work/$name.out" 2>&1 </dev/null
	crc=$?
}

# cold_ok NAME CACHE: the run passed, its report says so, and CACHE holds
# the kernel it fetched itself.
cold_ok()
{
	local name=$1 cache=$2 d
	[ "$crc" = 0 ] || { tail -n 20 "$work/$name.out" | sed 's/^/# /'; return 1; }
	d=$(sed -n 's/.* -> \(.*\)\/report\.md$/\1/p' "$work/$name.out" | tail -n 1)
	[ -n "$d" ] && grep -q '"verdict": *"pass"' "$d/report.json" ||
		{ echo "# no passing report (${d:-none})"; return 1; }
	grep -q 'kernel.sh: fetching linux-image-6\.12\.' "$work/$name.out" ||
		{ echo "# the run did not fetch its kernel"; return 1; }
	ls "$cache"/kernels/linux-image-6.12.*/.complete >/dev/null 2>&1 ||
		{ echo "# no kernel in $cache/kernels"; return 1; }
	[ -f "$cache/kselftest-6.12/kselftest_harness.h" ] ||
		{ echo "# no kselftest_harness.h in $cache"; return 1; }
}

name="cold start: make check with an empty HOME and IOG_CACHE unset passes, fetching its kernel"
cold_run cold-home HOME="$cold/home-a"
if cold_ok cold-home "$cold/home-a/.cache/iommu-groups-ct"; then
	result pass "$name"
else
	result fail "$name" "exit $crc; see $work/cold-home.out"
fi

name="cold start: make check with IOG_CACHE a nested path that does not exist yet passes"
cold_run cold-nested HOME="$cold/home-b" IOG_CACHE="$cold/not/yet/there/cache"
if cold_ok cold-nested "$cold/not/yet/there/cache" &&
	[ ! -e "$cold/home-b/.cache" ]; then
	result pass "$name"
else
	result fail "$name" "exit $crc; see $work/cold-nested.out"
fi

# Negative control: a regular file where the cache's parent should be.
name="negative control: a cache path blocked by a file fails at once, naming it, no QEMU"
: >"$cold/afile"
ls -d "$cold/tree/results"/*/ 2>/dev/null | sort >"$work/cold-blocked.before"
t0=$SECONDS
cold_run cold-blocked HOME="$cold/home-a" IOG_CACHE="$cold/afile/cache"
secs=$((SECONDS - t0))
new=$(ls -d "$cold/tree/results"/*/ 2>/dev/null | sort | comm -13 "$work/cold-blocked.before" -)
why=
[ "$crc" != 0 ] || why="make check exited 0"
[ "$secs" -le 10 ] || why="${why:+$why; }took $secs s"
grep -qF "cannot create the cache directory '$cold/afile/cache'" "$work/cold-blocked.out" &&
	grep -qF "'$cold/afile' is not a directory" "$work/cold-blocked.out" ||
	why="${why:+$why; }no error naming the path: $(head -n 3 "$work/cold-blocked.out" | tr '\n' ' ')"
[ -z "$new" ] || why="${why:+$why; }a run directory appeared: $new"
! grep -qE 'qemu|check\.sh:' "$work/cold-blocked.out" || why="${why:+$why; }it went on to a run"
if [ -z "$why" ]; then
	result pass "$name"
else
	result fail "$name" "$why"
fi
