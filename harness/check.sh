#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make check`: boot TOPOLOGY on KERNEL, run the suites in the guest and
# write results/<topology>-<kernel>-<timestamp>/.  Exit 0 only when every
# test passed, skipped or is a listed known deviation (XFAIL).
#
#   TOPOLOGY=name|file      a topology (default q35-acs)
#   TOPOLOGY=host           run the non-destructive suites on this machine
#   [IOMMU=intel|amd|virtio] QEMU_DEVICES='-device ... -drive ...' [GUEST_MODULES='...']
#                           an ad-hoc topology from the command line
#                           (harness/adhoc-topo.sh)
set -euo pipefail
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/guest-conf.sh"

topo_tool=$IOG_BUILD/host/iog-topo
report_tool=$IOG_BUILD/host/iog-report
topology=${TOPOLOGY:-q35-acs}
kernel=${KERNEL:-debian-6.12}
results=${RESULTS:-$IOG_TOP/results}
deviations=$IOG_TOP/suites/known-deviations
# The suite binaries: SANITIZE=1 takes the ASan+UBSan build (make
# suites-san); IOG_GUEST_BUILD=dir another directory of them.
guest_bin=${IOG_GUEST_BUILD:-$IOG_BUILD/guest}
if [ "${SANITIZE:-0}" != 0 ]; then
	guest_bin=${IOG_GUEST_BUILD:-$IOG_BUILD/guest-san}
	# Reports go to files (pid.PID) that run-suites.sh quotes into the
	# KTAP stream and fails the suite on; leak checks need only /proc.
	# One log_path for both: libasan reads UBSAN_OPTIONS too, and there
	# its value wins.
	san_log=/tmp/iog-san
	san_env=(
		"ASAN_OPTIONS=log_path=$san_log/pid:detect_leaks=1:exitcode=23"
		"UBSAN_OPTIONS=log_path=$san_log/pid:print_stacktrace=1"
		"IOG_SAN_LOG=$san_log"
	)
fi
export IOG_GUEST_BUILD=$guest_bin

# A run directory of its own; never reuse another run's.
make_run_dir()
{
	local base=$1 n=1 d
	mkdir -p "$results"
	d=$results/$base-$(date -u +%Y%m%dT%H%M%SZ)
	local first=$d
	while ! mkdir "$d" 2>/dev/null; do
		n=$((n + 1))
		d=$first-$n
	done
	realpath "$d"
}

# finish_run: record the run's facts in meta.txt (from the variables the
# caller set) and turn ktap.raw into report.ktap, report.json, report.md.
finish_run()
{
	local args=(--raw "$run/ktap.raw" --meta "$run/meta.txt" --out "$run")
	{
		echo "topology=$name"
		echo "topology_file=$topology_file"
		echo "kernel=$kernel_label"
		echo "kernel_release=$kernel_release"
		echo "kernel_config_hash=$cfg_hash"
		echo "qemu_version=$qemu_version"
		echo "accel=$accel"
		echo "command=$reproduce"
		echo "reproduce=$reproduce"
		echo "status=$(cat "$run/status")"
		echo "status_detail=$(cat "$run/status_detail")"
		echo "elapsed_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
		# Where the time went (harness/lib/timing.c): before QEMU, and QEMU.
		[ -z "${t_qemu:-}" ] || {
			echo "time_prepare_s=$(awk -v a="$t0" -v b="$t_qemu" 'BEGIN { printf "%.2f", b - a }')"
			[ -z "${t_qemu_end:-}" ] ||
				echo "time_qemu_s=$(awk -v a="$t_qemu" -v b="$t_qemu_end" 'BEGIN { printf "%.2f", b - a }')"
		}
		echo "qemu_kicks=$(cat "$run/kicks" 2>/dev/null | wc -l)"
		echo "console=$run/console.log"
		echo "started=$started"
		echo "suites=${suites[*]}"
		echo "retry_of=${IOG_RETRY_OF:-}"
	} >"$run/.meta.txt.tmp"
	mv -f "$run/.meta.txt.tmp" "$run/meta.txt"
	[ -f "$deviations" ] && [ "${STRICT:-0}" = 0 ] && args+=(--deviations "$deviations")
	"$report_tool" "${args[@]}"
}

# Ctrl-C or SIGTERM (to the process group, as from a terminal): the
# launcher stops QEMU; what was collected stays, the run is reported with
# status "interrupted", and the exit status is 128 + the signal.  Bash runs
# this once the command in the foreground (launch.sh, image.sh, ...) has
# returned.
on_interrupt()
{
	trap '' INT TERM
	note "interrupted by SIG$1"
	if [ -n "${run:-}" ] && [ -d "$run" ]; then
		if [ "$(cat "$run/status" 2>/dev/null)" != interrupted ]; then
			echo interrupted >"$run/status"
			echo "interrupted by signal $1" >"$run/status_detail"
		fi
		touch "$run/ktap.raw" "$run/console.log"
		rm -f "$run"/*.img
		t1=$(date +%s.%N)
		t0=${t0:-$t1} started=${started:-} name=${name:-}
		kernel_label=${kernel_label:-$kernel} kernel_release=${kernel_release:-}
		cfg_hash=${cfg_hash:-} qemu_version=${qemu_version:-} accel=${accel:-none}
		topology_file=${topology_file:-$run/topology.topo}
		reproduce=${reproduce:-}
		finish_run || true
	fi
	exit "$2"
}
trap 'on_interrupt INT 130' INT
trap 'on_interrupt TERM 143' TERM

if [ "$topology" = host ]; then
	# Host mode: the same suite binaries, on the running kernel.
	suites=()
	for s in $(ls "$guest_bin"); do
		if [[ " $opt_in_suites " == *" $s "* ]]; then
			continue
		elif [ -n "${DESTRUCTIVE:-}" ] || [[ " $host_safe_suites " == *" $s "* ]]; then
			suites+=("$s")
		else
			note "skipping destructive suite $s on a live machine (DESTRUCTIVE=1 runs it)"
		fi
	done
	run=$(make_run_dir "host-$(hostname -s)")
	note "host mode on $(uname -r) -> $run"
	# The running kernel's ABI documentation, if there is any (abi_doc).
	"$IOG_TOP/harness/abi-docs.sh" host "$run/abi" || note "no ABI documentation; abi_doc will skip"
	export IOG_ABI_DIR=$run/abi
	started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	t0=$(date +%s.%N)
	env ${san_env[@]+"${san_env[@]}"} "$IOG_TOP/harness/run-suites.sh" "$guest_bin" "${suites[@]}" |
		tee "$run/ktap.raw"
	t1=$(date +%s.%N)
	dmesg >"$run/console.log" 2>/dev/null || echo "(dmesg not readable)" >"$run/console.log"
	echo completed >"$run/status"
	: >"$run/status_detail"
	cfg=/boot/config-$(uname -r)
	cfg_hash=
	[ -f "$cfg" ] && cfg_hash=$(sha "$cfg")
	name=host topology_file= kernel_label=host kernel_release=$(uname -r)
	qemu_version= accel=none reproduce="make check TOPOLOGY=host"
	finish_run
	exit
fi

# 1. The topology first: a malformed file fails here, before any download
#    or QEMU.
adhoc=
if [ -n "${IOMMU:-}${QEMU_DEVICES:-}" ]; then
	adhoc=$(mktemp "${TMPDIR:-/tmp}/iog-adhoc.XXXXXX.topo")
	trap 'rm -f "$adhoc"' EXIT
	"$IOG_TOP/harness/adhoc-topo.sh" >"$adhoc" || exit 1
	topo=$adhoc
	# IOMMU= only as given (IOMMU=none would contradict an IOMMU device);
	# a pasted command line on one line, as meta.txt and qemu.cmd need.
	qd=${QEMU_DEVICES:-}
	reproduce="make check${IOMMU:+ IOMMU=$IOMMU} QEMU_DEVICES='${qd//[$'\n\t']/ }'${GUEST_MODULES:+ GUEST_MODULES='$GUEST_MODULES'} KERNEL=$kernel"
else
	topo=$(topology_file "$topology")
	reproduce="make check TOPOLOGY=$topology KERNEL=$kernel${MODULES:+ MODULES=$MODULES}${IOG_TESTMOD_PARAMS:+ IOG_TESTMOD_PARAMS='$IOG_TESTMOD_PARAMS'}${IOG_EDU_MAP_PROBE:+ IOG_EDU_MAP_PROBE=$IOG_EDU_MAP_PROBE}${IOG_BASELINE:+ IOG_BASELINE=$IOG_BASELINE}"
fi
# A kernel from source (harness/kernel-src.sh) stands in for KERNEL=.
[ -z "${KERNEL_SRC:-}" ] || reproduce="${reproduce/ KERNEL=$kernel/ KERNEL_SRC=$KERNEL_SRC${KERNEL_SRC_KASAN:+ KERNEL_SRC_KASAN=$KERNEL_SRC_KASAN}}"
[ "${SANITIZE:-0}" = 0 ] || reproduce+=" SANITIZE=1"
[ -z "${QEMU_TRACE:-}" ] || reproduce+=" QEMU_TRACE='$QEMU_TRACE'"
for v in $throughput_vars; do
	[ -z "${!v:-}" ] || reproduce+=" $v=${!v}"
done
topo_load "$topo" "$guest_bin"
# KSELFTEST_DIR=dir: the installed collection runs instead (its list names
# the suites; harness/image.sh, guest-init.sh).
if [ -n "${KSELFTEST_DIR:-}" ]; then
	KSELFTEST_DIR=$(realpath "$KSELFTEST_DIR") || die "KSELFTEST_DIR: no such directory"
	export KSELFTEST_DIR
	[ -f "$KSELFTEST_DIR/kselftest-list.txt" ] ||
		die "KSELFTEST_DIR=$KSELFTEST_DIR holds no kselftest-list.txt (make kselftest-install INSTALL_PATH=$KSELFTEST_DIR)"
	mapfile -t suites < <(sed -n 's/^iommu_groups://p' "$KSELFTEST_DIR/kselftest-list.txt")
	[ ${#suites[@]} -gt 0 ] || die "$KSELFTEST_DIR/kselftest-list.txt lists no iommu_groups suite"
	reproduce+=" KSELFTEST_DIR=$KSELFTEST_DIR"
fi
timeout_s=${TIMEOUT:-}
[ -n "$timeout_s" ] || timeout_s=$topo_timeout
[ -n "$timeout_s" ] && [ "$timeout_s" != 0 ] || timeout_s=180
[[ $timeout_s =~ ^[0-9]+$ ]] || die "TIMEOUT=$timeout_s is not a number of seconds"

# 2. The kernel under test.
eval "$("$IOG_TOP/harness/kernel.sh" "$kernel" "${MODULES:-}")"

run=$(make_run_dir "$name-$kernel_label")
cp "$topo" "$run/topology.topo"
qemu_version=$(qemu-system-x86_64 --version | head -n1 | sed 's/^QEMU emulator version //')
cfg_hash=
[ -n "$kernel_config" ] && [ -f "$kernel_config" ] && cfg_hash=$(sha "$kernel_config")

# A kernel built without the topology's IOMMU driver has nothing to test:
# every suite is a SKIP naming the option, and no guest is booted.
lacks=
if [ -n "$kernel_config" ] && [ -f "$kernel_config" ]; then
	case $iommu in
	intel) opt=CONFIG_INTEL_IOMMU ;;
	amd) opt=CONFIG_AMD_IOMMU ;;
	virtio) opt=CONFIG_VIRTIO_IOMMU ;;
	*) opt= ;;
	esac
	if [ -n "$opt" ] && ! grep -qE "^$opt=(y|m)" "$kernel_config"; then
		lacks="$kernel_release is built without $opt"
	fi
fi

started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
t0=$(date +%s.%N)
accel=none
if [ -n "$lacks" ]; then
	note "$name on $kernel_label: $lacks; every suite skips"
	{
		echo "KTAP version 1"
		echo "1..${#suites[@]}"
		i=0
		for s in "${suites[@]}"; do
			i=$((i + 1))
			echo "ok $i $s # SKIP $lacks"
		done
	} | tee "$run/ktap.raw"
	echo "(not booted: $lacks)" >"$run/console.log"
	echo completed >"$run/status"
	: >"$run/status_detail"
else
	# 3. The guest image, with this run's configuration.
	conf=$run/guest-conf
	mkdir -p "$conf"
	"$topo_tool" expect "$topo" >"$conf/expect-groups"
	guest_env "$conf" "$name" "$kernel_label" "$iommu" "${modules[*]}" \
		${san_env[@]+"${san_env[@]}"}
	guest_abi_docs "$conf" "$kernel_label" "$kernel_image"
	guest_testmod "$conf" "$kernel_label" "$kernel_release" "$kernel_modules" \
		"$run/module-build.log"
	initrd=$("$IOG_TOP/harness/image.sh" "$conf" "$kernel_modules" \
		"${modules[*]}" "${suites[*]}" "$kernel_image")

	# 4. Scratch disks, one set per run (two QEMUs cannot share one).
	drive_args=()
	for d in "${drives[@]}"; do
		read -r id bytes <<<"$d"
		truncate -s "$bytes" "$run/$id.img"
		drive_args+=(-drive "if=none,id=$id,file=$run/$id.img,format=raw")
	done

	accel=$("$IOG_TOP/harness/accel.sh" "$kernel_image")
	# no_timer_check: under TCG on a loaded host the kernel's boot-time
	# check of the timer through the interrupt-remapped IO-APIC can miss
	# and panic ("timer doesn't work"); it tests the emulator, not groups.
	cmdline="console=ttyS0 panic=-1 loglevel=7 no_timer_check $append"
	# QEMU_TRACE="pattern ...": QEMU's trace events (qemu-system-x86_64
	# -trace help) into the run directory, to tell an emulator fault from
	# a kernel one.
	trace_args=()
	read -ra trace_events <<<"${QEMU_TRACE:-}"
	for ev in ${trace_events[@]+"${trace_events[@]}"}; do
		trace_args+=(-trace "$ev")
	done
	[ ${#trace_args[@]} -eq 0 ] || trace_args+=(-D "$run/qemu-trace.log")
	guest_args=(-kernel "$kernel_image" -initrd "$initrd" -append "$cmdline"
		"${qemu_topo[@]}" "${drive_args[@]}" ${trace_args[@]+"${trace_args[@]}"})
	{
		echo "# $reproduce"
		printf '%q ' qemu-system-x86_64 -accel "$accel" "${guest_args[@]}"
		echo
	} >"$run/qemu.cmd"

	note "$name on $kernel_label ($kernel_release), $accel, timeout ${timeout_s}s -> $run"
	t_qemu=$(date +%s.%N)
	set +e
	"$IOG_TOP/harness/launch.sh" "$run" "$timeout_s" "$accel" "${guest_args[@]}"
	set -e
	t_qemu_end=$(date +%s.%N)
	rm -f "$run"/*.img
	# IOG_EMULATOR_FAULT_LOG=FILE: make test's positive control of the
	# retry below: FILE (a recorded emulator crash) stands for the console
	# of this guest, whose own is kept as console.guest.log.
	if [ -n "${IOG_EMULATOR_FAULT_LOG:-}" ]; then
		mv "$run/console.log" "$run/console.guest.log"
		cp "$IOG_EMULATOR_FAULT_LOG" "$run/console.log"
	fi
	# The kernel's runner printed TAP 13: kept, and read as KTAP.
	if [ -n "${KSELFTEST_DIR:-}" ]; then
		mv "$run/ktap.raw" "$run/kselftest.log"
		"$IOG_TOP/harness/ksft-ktap.sh" <"$run/kselftest.log" >"$run/ktap.raw"
	fi
fi
t1=$(date +%s.%N)

# What the guest says it runs outranks the package name.
release=$(sed -n 's/^# iog: kernel_release \([^[:space:]]*\).*/\1/p' "$run/ktap.raw" | head -n1)
kernel_release=${release:-$kernel_release}
topology_file=${adhoc:+command line, kept as }$run/topology.topo
# QEMU 7.2's TCG now and then corrupts the EFLAGS it saves on an exception
# under fio load; once in some 40 gate runs the guest died of it (a double
# fault; docs/spec-corrections.md).  A run whose guest panicked of an oops
# ("Fatal exception") and whose every kernel report shows such EFLAGS
# (run-suites.sh --kernel-log) is the emulator's: it is booted once more,
# in a run directory of its own, and the second run's verdict stands; both
# stay in results/.
# The first such report goes to emu_fault.
emulator_died()
{
	local f

	[ "$(cat "$run/status")" = crashed ] || return 1
	grep -q 'Kernel panic - not syncing: Fatal exception' "$run/console.log" || return 1
	f=$("$IOG_TOP/harness/run-suites.sh" --kernel-log <"$run/console.log")
	! grep -q '^bad ' <<<"$f" || return 1
	emu_fault=$(sed -n 's/^emu //p' <<<"$f" | head -n1)
	[ -n "$emu_fault" ]
}
rc=0
finish_run || rc=$?
if [ -z "${IOG_RETRY_OF:-}" ] && emulator_died; then
	note "$run: the guest died of an emulator fault, not the kernel's" \
		"($emu_fault); booting it once more"
	IOG_RETRY_OF=$run exec bash "$IOG_TOP/harness/check.sh"
fi
exit $rc
