# SPDX-License-Identifier: GPL-2.0-only
# Sourced by tests/run.sh: the libFuzzer targets (fuzz/README.md).  Each
# runs a few seconds on a fresh corpus seeded from the fixtures, then
# every input saved in fuzz/crashes/TARGET is replayed; a negative control
# shows that a crashing target fails both.  IOG_FUZZ_S sets the seconds
# per target (default: 80 s over all targets).

fuzz_case()
{
	local t0=$SECONDS targets t n secs out st=$work/fuzz-selftest

	targets=$(fuzz/run.sh list)
	if ! command -v clang >/dev/null; then
		for t in $targets; do
			result skip "fuzz $t" "no clang (apt-get install clang libclang-rt-14-dev)"
		done
		return
	fi
	if ! make -s --no-print-directory -j"$(nproc)" fuzz-build >"$work/fuzz-build.out" 2>&1; then
		tail -n 20 "$work/fuzz-build.out" | sed 's/^/# /'
		result fail "fuzz targets build" "make fuzz-build failed"
		return
	fi
	n=$(echo "$targets" | wc -w)
	secs=${IOG_FUZZ_S:-$((80 / n))}
	[ "$secs" -ge 1 ] || secs=1
	for t in $targets; do
		out=$(nice fuzz/run.sh short "$secs" "$work/fuzz" "$t")
		if [ $? -eq 0 ]; then
			result pass "fuzz $t: $secs s without a finding (${out#*: })"
		else
			echo "$out" | sed 's/^/# /'
			result fail "fuzz $t: $secs s without a finding" "$(echo "$out" | head -n 1)"
		fi
	done
	for t in $targets; do
		out=$(fuzz/run.sh replay "$t")
		if [ $? -ne 0 ]; then
			echo "$out" | sed 's/^/# /'
			result fail "fuzz $t: saved inputs replay" "$(echo "$out" | head -n 1)"
		elif [[ $out == *"no saved inputs"* ]]; then
			result skip "fuzz $t: saved inputs replay" "none saved in fuzz/crashes/$t"
		else
			result pass "fuzz $t: saved inputs replay (${out#*: })"
		fi
	done

	# Negative control: fuzz_topo built to abort on a marker input.  As
	# a seed it must fail the short run (and be saved); as a saved input
	# it must fail the replay.
	mkdir -p "$st/seeds" "$st/crashes/topo"
	printf 'IOG-FUZZ-SELFTEST-CRASH\n' >"$st/seeds/marker"
	cp "$st/seeds/marker" "$st/crashes/topo/marker"
	local short_rc replay_rc
	FUZZ_BIN_DIR=build/fuzz/selftest FUZZ_EXTRA_SEEDS=$st/seeds \
		FUZZ_ARTIFACT_DIR=$st/artifacts \
		fuzz/run.sh short 5 "$st" topo >"$st/short.out" 2>&1
	short_rc=$?
	FUZZ_BIN_DIR=build/fuzz/selftest FUZZ_CRASH_DIR=$st/crashes \
		fuzz/run.sh replay topo >"$st/replay.out" 2>&1
	replay_rc=$?
	if [ $short_rc -ne 0 ] && grep -q 'FAILED' "$st/short.out" &&
		[ -n "$(ls "$st/artifacts/topo" 2>/dev/null)" ] &&
		[ $replay_rc -ne 0 ] && grep -q 'FAILED replaying .*marker' "$st/replay.out"; then
		result pass "negative control: a crashing fuzz target fails the short run and the replay"
	else
		sed 's/^/# /' "$st/short.out" "$st/replay.out"
		result fail "negative control: a crashing fuzz target fails the short run and the replay"
	fi
	echo "# fuzz: $((SECONDS - t0)) s"
}

fuzz_case
