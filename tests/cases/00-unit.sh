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


# How a suite's kernel log counts (harness/run-suites.sh --kernel-log): the
# #DB that QEMU's TCG made (reserved EFLAGS bits set) is the emulator's, not
# the kernel's; the same report with a possible EFLAGS, or any other WARN,
# fails the suite.
klog=tests/fixtures/kernel-log/tcg-db-eflags.log
name="kernel log: a #DB with reserved EFLAGS bits is an emulator fault, not a kernel failure"
out=$(harness/run-suites.sh --kernel-log <"$klog")
if grep -q '^emu .*exc_debug_kernel.*EFLAGS fff83002' <<<"$out" && ! grep -q '^bad ' <<<"$out"; then
	result pass "$name"
else
	result fail "$name" "got: $out"
fi
name="negative control: the same #DB report with possible EFLAGS, and another WARN, fail the suite"
out=$(sed 's/EFLAGS: fff/EFLAGS: 000/' "$klog" | harness/run-suites.sh --kernel-log)
out2=$(sed 's/exc_debug_kernel/exc_page_fault/' "$klog" | harness/run-suites.sh --kernel-log)
if grep -q '^bad .*WARNING: .*exc_debug_kernel' <<<"$out" && grep -q '^bad .*Call Trace:' <<<"$out" &&
	! grep -q '^emu ' <<<"$out" && grep -q '^bad .*exc_page_fault' <<<"$out2" && ! grep -q '^emu ' <<<"$out2"; then
	result pass "$name"
else
	result fail "$name" "got: $out / $out2"
fi
