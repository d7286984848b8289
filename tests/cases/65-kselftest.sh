# SPDX-License-Identifier: GPL-2.0-only
# Sourced by tests/run.sh: the suites as the kselftest collection
# iommu_groups (make kselftest-install, make kselftest-tarball,
# harness/kselftest-install.sh), laid out as the kernel's install lays out
# its own, and run in a q35-acs guest by the kernel's own run_kselftest.sh
# (make check KSELFTEST_DIR=dir) with the same verdicts as make check.

ksft=$work/ksft
# A list that already names another collection, as in a kernel's install.
mkdir -p "$ksft"
echo "timers:nanosleep" >"$ksft/kselftest-list.txt"
name="kselftest-install: the collection laid out as the kernel lays out its own"
why=
if ! make -s --no-print-directory kselftest-install INSTALL_PATH="$ksft" >"$work/ksft-install.out" 2>&1; then
	why="make kselftest-install failed: $(tail -n 3 "$work/ksft-install.out" | tr '\n' ' ')"
else
	runner=$IOG_CACHE/kselftest-6.12
	cmp -s "$ksft/run_kselftest.sh" "$runner/run_kselftest.sh" || why="run_kselftest.sh is not linux-source-6.12's"
	[ -x "$ksft/kselftest/runner.sh" ] || why="${why:+$why; }no kselftest/runner.sh"
	want=$(printf '%s\n' timers:nanosleep iommu_groups:abi_doc iommu_groups:grouping iommu_groups:sysfs_layout)
	[ "$(cat "$ksft/kselftest-list.txt")" = "$want" ] ||
		why="${why:+$why; }kselftest-list.txt: $(tr '\n' ' ' <"$ksft/kselftest-list.txt")"
	[ "$(cd "$ksft" && ./run_kselftest.sh -l | grep -c '^iommu_groups:')" = 3 ] ||
		why="${why:+$why; }run_kselftest.sh -l does not list the 3 suites"
	grep -qx 'timeout=[0-9]*' "$ksft/iommu_groups/settings" || why="${why:+$why; }no timeout in settings"
	grep -qx 'CONFIG_IOMMUFD=y' "$ksft/iommu_groups/config" &&
		grep -qx 'CONFIG_INTEL_IOMMU=y' "$ksft/iommu_groups/config" &&
		! grep -q 'CONFIG_SERIAL_8250\|CONFIG_E1000\|CONFIG_RD_' "$ksft/iommu_groups/config" ||
		why="${why:+$why; }config is not kernel/iog.config's suite options"
	grep -qx teardown "$ksft/iommu_groups/destructive" || why="${why:+$why; }teardown not marked destructive"
	for s in abi_doc grouping sysfs_layout teardown; do
		[ -x "$ksft/iommu_groups/$s" ] || why="${why:+$why; }no $s program"
	done
	ldd "$ksft/iommu_groups/grouping" | grep -q "libpci.so.3 => $ksft/iommu_groups/lib/" ||
		why="${why:+$why; }grouping does not find libpci in lib/"
fi
result "$([ -z "$why" ] && echo pass || echo fail)" "$name" "$why"

name="kselftest-install: KSELFTEST_DESTRUCTIVE=1 lists the destructive suites, never throughput"
out=$(KSELFTEST_DESTRUCTIVE=1 harness/kselftest-install.sh "$work/ksft-all" >/dev/null 2>&1 &&
	cat "$work/ksft-all/kselftest-list.txt")
if grep -qx iommu_groups:teardown <<<"$out" && grep -qx iommu_groups:domain_attach <<<"$out" &&
	grep -qx iommu_groups:notifier <<<"$out" && ! grep -q throughput <<<"$out"; then
	result pass "$name"
else
	result fail "$name" "list: $(tr '\n' ' ' <<<"$out")"
fi

name="kselftest-tarball: kselftest-packages/kselftest.tar.gz in the layout CI systems download"
tarball=$work/ksft-tar/kselftest-packages/kselftest.tar.gz
if make -s --no-print-directory kselftest-tarball INSTALL_PATH="$work/ksft-tar" >"$work/ksft-tar.out" 2>&1 &&
	grep -qx "$tarball" "$work/ksft-tar.out" && tar -tzf "$tarball" >"$work/ksft-tar.list" &&
	grep -qx './run_kselftest.sh' "$work/ksft-tar.list" && grep -qx './kselftest-list.txt' "$work/ksft-tar.list" &&
	grep -qx './iommu_groups/grouping' "$work/ksft-tar.list" &&
	grep -qx './iommu_groups/lib/libpci.so.3' "$work/ksft-tar.list" &&
	! grep -q 'kselftest-packages' "$work/ksft-tar.list"; then
	result pass "$name"
else
	result fail "$name" "see $work/ksft-tar.out"
fi

# ksft_verdicts KTAP: "suite test verdict" for every test of every suite.
ksft_verdicts()
{
	awk '
		/^    # Subtest: / { suite = $3 }
		/^    (not )?ok [0-9]+ / {
			v = /^    not ok/ ? "fail" : "pass"
			if (/# SKIP/) v = "skip"
			line = $0
			sub(/^    (not )?ok [0-9]+ /, "", line)
			sub(/ # .*/, "", line)
			print suite, line, v
		}' "$1"
}

# The collection in a q35-acs guest, run by the kernel's run_kselftest.sh,
# against make check on the same topology: every listed suite, every test
# with the verdict make check gives it.
ksft_topo=$(acs_only acs-ksft abi_doc grouping sysfs_layout)
name="kselftest: run_kselftest.sh -c iommu_groups in a q35-acs guest gives make check's verdicts"
why=
if ! check_run ksft-plain 0 TOPOLOGY="$ksft_topo" KERNEL=debian-6.12; then
	why="make check failed"
else
	plain=$(last_report)
	if ! check_run ksft-guest 0 TOPOLOGY="$ksft_topo" KERNEL=debian-6.12 KSELFTEST_DIR="$ksft"; then
		why="make check KSELFTEST_DIR= failed"
	else
		kd=$(last_report)
		for s in abi_doc grouping sysfs_layout; do
			grep -qE "^ok [0-9]+ selftests: iommu_groups: $s$|^not ok [0-9]+ selftests: iommu_groups: $s " \
				"$kd/kselftest.log" || why="${why:+$why; }run_kselftest.sh did not run $s"
		done
		ksft_verdicts "$plain/ktap.raw" >"$work/ksft-plain.verdicts"
		ksft_verdicts "$kd/ktap.raw" >"$work/ksft-guest.verdicts"
		[ "$(wc -l <"$work/ksft-plain.verdicts")" -ge 20 ] || why="${why:+$why; }make check gave few verdicts"
		d=$(diff "$work/ksft-plain.verdicts" "$work/ksft-guest.verdicts" | grep '^[<>]' | head -n 5 | tr '\n' ' ')
		[ -z "$d" ] || why="${why:+$why; }verdicts differ: $d"
		grep -q '"verdict": *"pass"' "$kd/report.json" || why="${why:+$why; }the kselftest run's report is not a pass"
	fi
fi
result "$([ -z "$why" ] && echo pass || echo fail)" "$name" "${why:+$why (see $work/ksft-guest.out)}"

# Negative control: the kselftest log with one passing test of grouping
# turned into a failure, read back through ksft-ktap.sh, differs from make
# check in that test and nowhere else.
name="negative control: a verdict the collection changes is found and named"
if [ -f "${kd:-}/kselftest.log" ]; then
	awk '!done && /^# ok [0-9]+ global\./ && seen { sub(/^# ok/, "# not ok"); done = 1 }
		/^# selftests: iommu_groups: grouping/ { seen = 1 } { print }' "$kd/kselftest.log" |
		harness/ksft-ktap.sh >"$work/ksft-mut.ktap"
	ksft_verdicts "$work/ksft-mut.ktap" >"$work/ksft-mut.verdicts"
	d=$(diff "$work/ksft-plain.verdicts" "$work/ksft-mut.verdicts" | grep '^[<>]')
	if [ "$(grep -c '^>' <<<"$d")" = 1 ] && grep -q '^> grouping global\.[a-z_]* fail$' <<<"$d"; then
		result pass "$name"
	else
		result fail "$name" "diff: $(tr '\n' ' ' <<<"$d")"
	fi
else
	result fail "$name" "no kselftest run to mutate"
fi
