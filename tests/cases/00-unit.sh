# SPDX-License-Identifier: GPL-2.0-only
# Sourced by tests/run.sh: the unit tests of the C library and tools, built
# with ASan and UBSan (build/san/test_*).
#
# The JSON reader must not follow LC_NUMERIC: a locale with a decimal comma
# (de_DE, from Debian's locales, which make test installs) is compiled into
# the work directory for them, the host's locale settings left alone.
mkdir -p "$work/locale"
localedef -i de_DE -f UTF-8 "$work/locale/de_DE.UTF-8" >"$work/localedef.out" 2>&1 ||
	echo "# localedef de_DE.UTF-8 failed: $(tail -n 1 "$work/localedef.out")"
for t in build/san/test_*; do
	[ -x "$t" ] || continue
	out=$work/${t##*/}.out
	LOCPATH=$work/locale:/usr/lib/locale "$t" >"$out" 2>&1
	rc=$?
	n_ok=$(grep -cE '^ok [0-9]+ ' "$out")
	n_skip=$(grep -cE '^ok [0-9]+ .*# SKIP' "$out")
	n_fail=$(grep -cE '^not ok [0-9]+ ' "$out")
	pass=$((pass + n_ok - n_skip))
	skip=$((skip + n_skip))
	fail=$((fail + n_fail))
	grep -E '^(not )?ok [0-9]+ ' "$out" | sed "s|^|${t##*/}: |"
	if [ $rc -ne 0 ] && [ "$n_fail" -eq 0 ]; then
		# A crash or sanitizer abort outside any single test.
		result fail "${t##*/} exited with status $rc" "$(tail -n 5 "$out" | tr '\n' ' ')"
	elif [ $rc -ne 0 ]; then
		grep -E '^#' "$out" | tail -n 20
	fi
done


# How a suite's kernel log counts (harness/run-suites.sh --kernel-log): a
# report whose saved EFLAGS has reserved bits set (QEMU's TCG made them: a
# #DB, and a double fault that panicked the guest), or an int3 oops whose
# code shows no int3 before the trap (a stale TCG translation) is the
# emulator's, not the kernel's; the same reports with possible EFLAGS,
# or with the int3 in the code, fail the suite.
klog=tests/fixtures/kernel-log/tcg-db-eflags.log
dlog=tests/fixtures/kernel-log/tcg-double-fault.log
ilog=tests/fixtures/kernel-log/tcg-stale-int3.log
name="kernel log: a #DB or a double fault with reserved EFLAGS bits, or an int3 oops with no int3 in the code, is an emulator fault, not a kernel failure"
out=$(harness/run-suites.sh --kernel-log <"$klog")
out2=$(harness/run-suites.sh --kernel-log <"$dlog")
out3=$(harness/run-suites.sh --kernel-log <"$ilog")
if grep -q '^emu .*exc_debug_kernel.*EFLAGS fff83002' <<<"$out" && ! grep -q '^bad ' <<<"$out" &&
	grep -q '^emu .*Oops: double fault.*EFLAGS 7b8b0702' <<<"$out2" && ! grep -q '^bad ' <<<"$out2" &&
	grep -q '^emu .*Oops: int3.*no int3 at the trap: eb <09>' <<<"$out3" && ! grep -q '^bad ' <<<"$out3"; then
	result pass "$name"
else
	result fail "$name" "got: $out / $out2 / $out3"
fi
name="negative control: the same reports with possible EFLAGS, and the int3 oops with cc before the trap, fail the suite"
out=$(sed 's/EFLAGS: fff/EFLAGS: 000/' "$klog" | harness/run-suites.sh --kernel-log)
out2=$(sed 's/EFLAGS: 7b8b0702/EFLAGS: 00010246/' "$dlog" | harness/run-suites.sh --kernel-log)
out3=$(sed 's/ eb <09> / cc <09> /' "$ilog" | harness/run-suites.sh --kernel-log)
if grep -q '^bad .*WARNING: .*exc_debug_kernel' <<<"$out" && grep -q '^bad .*Call Trace:' <<<"$out" &&
	! grep -q '^emu ' <<<"$out" && grep -q '^bad .*Oops: double fault' <<<"$out2" && ! grep -q '^emu ' <<<"$out2" &&
	grep -q '^bad .*Oops: int3' <<<"$out3" && ! grep -q '^emu ' <<<"$out3"; then
	result pass "$name"
else
	result fail "$name" "got: $out / $out2 / $out3"
fi

# Scale (make bench's scale part): generated lspci -xxxx dumps of 100, 1 000
# and 10 000 devices load, and VT-d and AMD-Vi give every device a group and
# form as many groups as the generator counted from the structure it built
# (harness/iog-gendump.c, without the model).  Compact dumps but one: the
# full form of 10 000 devices is 130 MB and takes seconds to parse.
scale_check()
{
	local n=$1 form=$2 f=$work/scale-$2-$1.dump want wantg k out g m ng
	local name="scale: $n-device $form dump: intel and amd group every device"

	if [ ! -x build/host/iog-gendump ] || [ ! -x build/host/iogroups ]; then
		result fail "$name" "build/host/iog-gendump or iogroups not built (make host-tools)"
		return
	fi
	build/host/iog-gendump --seed 1 $([ "$form" = compact ] && echo --compact) "$n" >"$f"
	want=$(build/host/iog-gendump --seed 1 --expect "$n")
	wantg=$(awk '{ print $4 }' <<<"$want")
	name+=" into the generator's $wantg groups"
	for k in intel amd; do
		out=$(build/host/iogroups predict --dump "$f" --iommu "$k" 2>&1)
		g=$(grep -c '^IOMMU group ' <<<"$out")
		m=$(grep -cE '^    [0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]  ' <<<"$out")
		ng=$(grep -c '^no group: ' <<<"$out")
		if [ "$g" != "$wantg" ] || [ "$m" != "$n" ] || [ "$ng" != 0 ]; then
			result fail "$name" "$k: $g groups, $m devices grouped, $ng without (generator: $want); $(head -n 1 <<<"$out")"
			return
		fi
	done
	result pass "$name"
}
scale_check 100 full
for n in 100 1000 10000; do
	scale_check "$n" compact
done
name="scale: the generator's dump depends on its seed alone"
if build/host/iog-gendump --seed 7 300 | cmp -s - <(build/host/iog-gendump --seed 7 300) &&
	! build/host/iog-gendump --seed 8 300 | cmp -s - <(build/host/iog-gendump --seed 7 300); then
	result pass "$name"
else
	result fail "$name" "the same seed gave different dumps, or two seeds the same"
fi
# The count can fail: root ports with ACS switched off merge everything
# below each multifunction root-port slot.
name="negative control: with the root ports' ACS disabled the 1000-device dump no longer has the generator's groups"
f=$work/scale-noacs.dump
sed 's/0d 00 01 00 5f 00 1d 00$/0d 00 01 00 5f 00 00 00/' "$work/scale-compact-1000.dump" >"$f"
g=$(build/host/iogroups predict --dump "$f" --iommu intel 2>&1 | grep -c '^IOMMU group ')
wantg=$(build/host/iog-gendump --seed 1 --expect 1000 | awk '{ print $4 }')
if [ "$g" -gt 0 ] && [ "$g" -lt "$wantg" ]; then
	result pass "$name"
else
	result fail "$name" "$g groups (generator: $wantg)"
fi
