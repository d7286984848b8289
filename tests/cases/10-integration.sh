# SPDX-License-Identifier: GPL-2.0-only
# Sourced by tests/run.sh: integration boots and the negative controls of
# the grouping, teardown, notifier and domain_attach suites.

integration q35-acs debian-6.12
integration q35-acs debian-6.1

# The gate covers the mission (issue 13): in each q35-acs run domain_attach
# moved data by DMA and blocked unmapped DMA with a fault, throughput
# reported its three ratios, and no test skipped for want of a device or
# a module in the topology.
for k in debian-6.12 debian-6.1; do
	name="q35-acs on $k runs every suite: edu DMA, the three ratios, no topology skip"
	d=$(ls -td "$RESULTS"/q35-acs-$k-*/ 2>/dev/null | head -n 1)
	why=
	for t in edu.dma_mapped_copy edu.dma_unmapped_read_blocked \
		edu.dma_unmapped_write_blocked edu.dma_unmapped_fault_reported tp.types_switch \
		tp.alternating_rounds; do
		grep -qE "^ +ok [0-9]+ $t\$" "$d/report.ktap" 2>/dev/null || why+=" $t did not pass;"
	done
	for m in dma_fq_identity dma_identity dma_dma_fq; do
		grep -q "# metric: throughput.ratio.$m " "$d/ktap.raw" 2>/dev/null || why+=" no ratio $m;"
	done
	grep -q '# metric: throughput.identity.peak_kib_s ' "$d/ktap.raw" 2>/dev/null ||
		why+=" no identity throughput;"
	skips=$(grep -E '# SKIP .*(the topology has no|module vfio[a-z0-9_]* not loaded|no DMA engine|topology names no|nothing to make non-viable)' \
		"$d/report.ktap" 2>/dev/null | head -n 3)
	[ -z "$skips" ] || why+=" skipped for the topology: $skips"
	if [ -n "$d" ] && [ -z "$why" ]; then
		result pass "$name"
	else
		result fail "$name" "${why:-no run}${d:+ ($d)}"
	fi
done

integration q35-noacs debian-6.1
integration q35-bridge-nest debian-6.12

# Two runs of one topology never share a run directory.
n_dirs=$(ls -d "$RESULTS"/q35-acs-debian-6.12-*/ 2>/dev/null | wc -l)
if [ -d "$RESULTS" ] && check_run acs-again 0 TOPOLOGY=q35-acs KERNEL=debian-6.12 &&
	[ "$(ls -d "$RESULTS"/q35-acs-debian-6.12-*/ | wc -l)" -gt "$n_dirs" ]; then
	result pass "a second run gets its own results directory"
else
	result fail "a second run gets its own results directory"
fi

# Negative control: one wrong expected group must fail the run and name it.
sed 's/^expect-group 05:00.0 05:00.1$/expect-group 05:00.0\nexpect-group 05:00.1/' \
	"$(acs_only acs-grouping grouping)" >"$work/q35-acs-wrong.topo"
if ! grep -q '^expect-group 05:00.1$' "$work/q35-acs-wrong.topo"; then
	result fail "negative control: wrong expected group" "could not mutate q35-acs.topo"
elif check_run wrong 1 TOPOLOGY="$work/q35-acs-wrong.topo" KERNEL=debian-6.12 &&
	grep -q 'expected group {0000:05:00.0}' "$work/wrong.out"; then
	result pass "negative control: wrong expected group fails and is named"
else
	result fail "negative control: wrong expected group fails and is named"
fi

# --- negative controls of the teardown and notifier suites ---------------
# The test module's fault modes (drivers/iog_groups), passed to it by the
# guest init.  leak_ref keeps a reference on a group: when its last member
# leaves, the directory stays, and the teardown suite must fail naming the
# group.  0000:00:1f.0 is in the ICH9 group (8 on q35-acs), which teardown
# takes apart and notifier leaves alone.  drop_event records no events of
# one action: the notifier suite must fail naming the missing event.
# suite_failed SUITE: the newest run's report has SUITE as a failure.
suite_failed()
{
	grep -qE "^not ok [0-9]+ $1\$" "$(last_report)/report.ktap"
}

name="negative control: a leaked group reference fails teardown, naming the group"
if check_run leak 1 TOPOLOGY="$(acs_only acs-teardown teardown)" KERNEL=debian-6.12 \
	IOG_TESTMOD_PARAMS=leak_ref=0000:00:1f.0 &&
	suite_failed teardown &&
	grep -qE 'group [0-9]+ outlived its last member 0000:00:1f.0' "$work/leak.out"; then
	result pass "$name"
else
	result fail "$name"
fi

name="negative control: a dropped event fails notifier, naming the event"
if check_run drop 1 TOPOLOGY="$(acs_only acs-notifier notifier)" KERNEL=debian-6.12 \
	IOG_TESTMOD_PARAMS=drop_event=bound &&
	suite_failed notifier &&
	grep -qE 'missing event: bound 0000:[0-9a-f:.]+ [0-9]+' "$work/drop.out"; then
	result pass "$name"
else
	result fail "$name"
fi

# A malformed topology fails within seconds, names file:line, starts no QEMU.
cp topologies/q35-acs.topo "$work/bad.topo"
echo "-devcie e1000" >>"$work/bad.topo"
bad_line=$(wc -l <"$work/bad.topo")
before=$(ls "$RESULTS" 2>/dev/null | wc -l)
t0=$SECONDS
if check_run bad 1 TOPOLOGY="$work/bad.topo" KERNEL=debian-6.12 &&
	grep -q "bad.topo:$bad_line:" "$work/bad.out" &&
	[ $((SECONDS - t0)) -le 10 ] &&
	[ "$(ls "$RESULTS" 2>/dev/null | wc -l)" -eq "$before" ]; then
	result pass "malformed topology fails fast with file:line, no QEMU"
else
	result fail "malformed topology fails fast with file:line, no QEMU"
fi

# Watchdog: a guest that never finishes becomes a TIMEOUT result, console
# kept, and where its vCPU was (hang.txt).  The guest runs "sleep" as its
# init and never powers off.
hang=$work/hang.topo
{ cat topologies/q35-acs.topo; echo "append rdinit=/bin/busybox -- sleep 100000"; } >"$hang"
t0=$SECONDS
if check_run hang 1 TOPOLOGY="$hang" KERNEL=debian-6.12 TIMEOUT=20 &&
	[ $((SECONDS - t0)) -le 60 ]; then
	d=$(last_report)
	if grep -q '"status": *"timeout"' "$d/report.json" &&
		grep -q 'TIMEOUT' "$d/report.ktap" && [ -s "$d/console.log" ] &&
		grep -q '^RIP=' "$d/hang.txt" &&
		! pgrep -f "$d" >/dev/null; then
		result pass "a hung guest ends as TIMEOUT with its console and vCPU state kept"
	else
		result fail "a hung guest ends as TIMEOUT with its console and vCPU state kept" "report: $d"
	fi
else
	result fail "a hung guest ends as TIMEOUT with its console and vCPU state kept"
fi

# A panicking guest (no init to run) ends as a failed run, console kept,
# and is not booted again: only a panic from reserved EFLAGS bits is the
# emulator's (check.sh, emulator_died).
panic=$work/panic.topo
{ cat topologies/q35-acs.topo; echo "append rdinit=/no/such/init"; } >"$panic"
if check_run panic 1 TOPOLOGY="$panic" KERNEL=debian-6.12 TIMEOUT=60; then
	d=$(last_report)
	if grep -q '"status": *"crashed"' "$d/report.json" &&
		grep -q 'Kernel panic' "$d/console.log" &&
		! grep -q 'booting it once more' "$work/panic.out"; then
		result pass "a panicking guest ends as a failed run with its console kept"
	else
		result fail "a panicking guest ends as a failed run with its console kept" "report: $d"
	fi
else
	result fail "a panicking guest ends as a failed run with its console kept"
fi

# Positive control of that retry: the same guest with a recorded emulator
# crash (the TCG double fault, tests/fixtures/kernel-log) in its console is
# booted once more, and the second run names the first; no third.
name="a guest that died of an emulator fault is booted once more, the second run naming the first"
n0=$(ls -d "$RESULTS"/*/ 2>/dev/null | wc -l)
if check_run emu-retry 1 TOPOLOGY="$panic" KERNEL=debian-6.12 TIMEOUT=60 \
	IOG_EMULATOR_FAULT_LOG="$PWD/tests/fixtures/kernel-log/tcg-double-fault.log"; then
	d=$(realpath "$(last_report)")
	first=$(sed -n 's/^retry_of=//p' "$d/meta.txt")
	[ -n "$first" ] && [ -d "$first" ] && [ "$first" != "$d" ] &&
		grep -q 'booting it once more' "$work/emu-retry.out" &&
		[ "$(ls -d "$RESULTS"/*/ | wc -l)" -eq $((n0 + 2)) ]
	verdict $? "$name" "report: $d"
else
	result fail "$name"
fi


# --- reference model, deviations, ad-hoc and host runs ------------------
integration q35-amd debian-6.12

# A listed known deviation is XFAIL; with STRICT=1 it fails again.
if check_run virtio 0 TOPOLOGY=q35-virtio KERNEL=debian-6.12 &&
	grep -q 'XFAIL' "$(last_report)/report.ktap"; then
	result pass "q35-virtio on 6.12: the listed kernel deviation is XFAIL"
else
	result fail "q35-virtio on 6.12: the listed kernel deviation is XFAIL"
fi
if check_run virtio-strict 1 TOPOLOGY=q35-virtio KERNEL=debian-6.12 STRICT=1 &&
	grep -q 'model_partition_matches' "$work/virtio-strict.out"; then
	result pass "STRICT=1 turns the listed deviation back into a failure"
else
	result fail "STRICT=1 turns the listed deviation back into a failure"
fi
# Debian's 6.1 has no virtio-iommu driver: every suite skips, no boot.
if check_run virtio-61 0 TOPOLOGY=q35-virtio KERNEL=debian-6.1 &&
	grep -q 'SKIP .*CONFIG_VIRTIO_IOMMU' "$(last_report)/report.ktap"; then
	result pass "a kernel without the IOMMU driver skips with the option named"
else
	result fail "a kernel without the IOMMU driver skips with the option named"
fi

# Ad-hoc topology from the command line: the model is the only oracle.  A
# pasted QEMU command line without IOMMU= (its IOMMU is a device), with a
# -drive whose file QEMU must never open (a scratch disk stands in: the
# suites write to their disks) and a -netdev connected to nothing.
adhoc_img=$work/adhoc-user.img
head -c 8M /dev/urandom >"$adhoc_img"
adhoc_sum=$(sha "$adhoc_img")
adhoc_why=
if ! check_run adhoc 0 GUEST_MODULES="e1000e nvme" \
	QEMU_DEVICES="-device intel-iommu,intremap=on,caching-mode=on
		-device pcie-root-port,id=rp1,chassis=1,bus=pcie.0,addr=0x3 -device e1000e,bus=rp1
		-device pcie-root-port,id=rp2,chassis=2,bus=pcie.0,addr=0x4
		-drive file=$adhoc_img,if=none,id=d0,format=raw -device nvme,drive=d0,serial=adhoc0,bus=rp2
		-netdev user,id=n0 -device e1000,netdev=n0"; then
	adhoc_why="make check exited non-zero"
elif ! grep -q '^ *ok [0-9]* global.model_partition_matches$' "$(last_report)/report.ktap"; then
	adhoc_why="no 'ok N global.model_partition_matches' in report.ktap"
elif [ "$(sha "$adhoc_img")" != "$adhoc_sum" ]; then
	adhoc_why="the user's image $adhoc_img was written"
fi
if [ -z "$adhoc_why" ]; then
	result pass "ad-hoc QEMU_DEVICES= run of a pasted command line checks against the model"
else
	result fail "ad-hoc QEMU_DEVICES= run of a pasted command line checks against the model" "$adhoc_why"
fi

# Host mode runs the non-destructive suites on this machine and reports.
if check_run host 0 TOPOLOGY=host && [ -s "$(last_report)/report.json" ]; then
	result pass "host mode runs the non-destructive suites and reports"
else
	result fail "host mode runs the non-destructive suites and reports"
fi

# --- DMA through the IOMMU: domain_attach with QEMU's edu ----------------
integration q35-dma-intel debian-6.12
integration q35-dma-amd debian-6.1
# Negative control: with the probe IOVA mapped (a blocked DMA that
# arrives), the isolation checks fail; on the gate's q35-acs.
if check_run edu-map 1 TOPOLOGY="$(acs_only acs-dma domain_attach)" KERNEL=debian-6.12 \
	IOG_EDU_MAP_PROBE=1 &&
	grep -q 'not ok [0-9]* edu.dma_unmapped_write_blocked' "$(last_report)/report.ktap"; then
	result pass "negative control: a mapped probe IOVA fails the DMA isolation check"
else
	result fail "negative control: a mapped probe IOVA fails the DMA isolation check"
fi

# Negative control: a domain type that moves corrupted data (4 KiB
# overwritten between fio's write and its read-back while the group is
# DMA-FQ) fails the type switch test, naming the type; q35-acs's short form.
name="negative control: a type whose data comes back corrupted fails, naming it"
if check_run tp-corrupt 1 TOPOLOGY="$(acs_only acs-throughput throughput)" \
	KERNEL=debian-6.12 IOG_THROUGHPUT_CORRUPT=DMA-FQ &&
	grep -qE '^ +not ok [0-9]+ tp\.types_switch$' "$(last_report)/report.ktap" &&
	grep -qE 'types_switch:DMA-FQ: fio failed.*(verify|bad magic|crc32c)' "$work/tp-corrupt.out" &&
	! grep -qE 'types_switch:(identity|DMA): fio' "$work/tp-corrupt.out"; then
	result pass "$name"
else
	result fail "$name" "$(grep -E 'types_switch:' "$work/tp-corrupt.out" | tail -n 3 | tr '\n' ' ')"
fi

# --- make compare on real runs ------------------------------------------
base=$(ls -td "$RESULTS"/q35-acs-debian-6.12-*/ | tail -n1)
if [ -n "$base" ] && make -s --no-print-directory compare BASE="$base" NEW="$base" >"$work/cmp-same.out" 2>&1; then
	result pass "make compare of a run against itself exits 0"
else
	result fail "make compare of a run against itself exits 0"
fi
injected=$work/injected
rm -rf "$injected" && cp -r "$base" "$injected"
# Flip one passing test to a failure in the copy.
sed -i '0,/"name":"global.model_partition_matches","result":"pass"/s//"name":"global.model_partition_matches","result":"fail"/' "$injected/report.json"
if ! make -s --no-print-directory compare BASE="$base" NEW="$injected" >"$work/cmp-inj.out" 2>&1 &&
	grep -q 'model_partition_matches' "$work/cmp-inj.out"; then
	result pass "make compare names an injected failure and exits non-zero"
else
	result fail "make compare names an injected failure and exits non-zero"
fi

