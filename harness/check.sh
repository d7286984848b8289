#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make check`: boot TOPOLOGY on KERNEL, run the suites in the guest and
# write results/<topology>-<kernel>-<timestamp>/.  Exit 0 only when every
# test passed or skipped.
set -euo pipefail
. "$(dirname "$0")/common.sh"

topo_tool=$IOG_BUILD/host/iog-topo
report_tool=$IOG_BUILD/host/iog-report
topology=${TOPOLOGY:-q35-acs}
kernel=${KERNEL:-debian-6.12}
results=${RESULTS:-$IOG_TOP/results}

# 1. The topology first: a malformed file fails here, before any download
#    or QEMU.
topo=$(topology_file "$topology")
"$topo_tool" check "$topo" || exit 1
show=$("$topo_tool" show "$topo")
name=$(sed -n 's/^name //p' <<<"$show")
iommu=$(sed -n 's/^iommu //p' <<<"$show")
append=$(sed -n 's/^append //p' <<<"$show")
topo_timeout=$(sed -n 's/^timeout //p' <<<"$show")
mapfile -t modules < <(sed -n 's/^module //p' <<<"$show")
mapfile -t qemu_topo < <(sed -n 's/^qemu //p' <<<"$show")
mapfile -t drives < <(sed -n 's/^drive //p' <<<"$show")
mapfile -t suites < <(sed -n 's/^suite //p' <<<"$show")
if [ ${#suites[@]} -eq 0 ]; then
	mapfile -t suites < <(ls "$IOG_BUILD/guest")
fi
timeout_s=${TIMEOUT:-}
[ -n "$timeout_s" ] || timeout_s=$topo_timeout
[ -n "$timeout_s" ] && [ "$timeout_s" != 0 ] || timeout_s=180
[[ $timeout_s =~ ^[0-9]+$ ]] || die "TIMEOUT=$timeout_s is not a number of seconds"

# 2. The kernel under test.
eval "$("$IOG_TOP/harness/kernel.sh" "$kernel" "${MODULES:-}")"

# 3. A run directory of its own; never reuse another run's.
mkdir -p "$results"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
run=$results/$name-$kernel_label-$stamp
n=1
while ! mkdir "$run" 2>/dev/null; do
	n=$((n + 1))
	run=$results/$name-$kernel_label-$stamp-$n
done
run=$(realpath "$run")

# 4. The guest image, with this run's configuration.
conf=$run/guest-conf
mkdir -p "$conf"
"$topo_tool" expect "$topo" >"$conf/expect-groups"
{
	echo "export IOG_EXPECT=/etc/iog/expect-groups"
	[ "$iommu" = none ] || echo "export IOG_EXPECT_GROUPS=1"
	echo "export IOG_IOMMU=$iommu"
} >"$conf/env"
initrd=$("$IOG_TOP/harness/image.sh" "$conf" "$kernel_modules" \
	"${modules[*]}" "${suites[*]}")

# 5. Scratch disks, one set per run (two QEMUs cannot share one image).
drive_args=()
for d in "${drives[@]}"; do
	read -r id bytes <<<"$d"
	truncate -s "$bytes" "$run/$id.img"
	drive_args+=(-drive "if=none,id=$id,file=$run/$id.img,format=raw")
done

accel=$("$IOG_TOP/harness/accel.sh" "$kernel_image")
qemu_version=$(qemu-system-x86_64 --version | head -n1 | sed 's/^QEMU emulator version //')
cmdline="console=ttyS0 panic=-1 loglevel=7 $append"
reproduce="make check TOPOLOGY=$topology KERNEL=$kernel${MODULES:+ MODULES=$MODULES}"

{
	echo "# $reproduce"
	printf '%q ' qemu-system-x86_64 -accel "$accel" -kernel "$kernel_image" \
		-initrd "$initrd" -append "$cmdline" "${qemu_topo[@]}" "${drive_args[@]}"
	echo
} >"$run/qemu.cmd"

note "$name on $kernel_label ($kernel_release), $accel, timeout ${timeout_s}s -> $run"
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
t0=$(date +%s.%N)
set +e
"$IOG_TOP/harness/launch.sh" "$run" "$timeout_s" "$accel" \
	-kernel "$kernel_image" -initrd "$initrd" -append "$cmdline" \
	"${qemu_topo[@]}" "${drive_args[@]}"
set -e
t1=$(date +%s.%N)
rm -f "$run"/*.img

release=$(sed -n 's/^# iog: kernel_release \([^[:space:]]*\).*/\1/p' "$run/ktap.raw" | head -n1)
cfg_hash=
[ -n "$kernel_config" ] && [ -f "$kernel_config" ] && cfg_hash=$(sha "$kernel_config")
{
	echo "topology=$name"
	echo "topology_file=$topo"
	echo "kernel=$kernel_label"
	echo "kernel_release=${release:-$kernel_release}"
	echo "kernel_config_hash=$cfg_hash"
	echo "qemu_version=$qemu_version"
	echo "accel=$accel"
	echo "command=$reproduce"
	echo "reproduce=$reproduce"
	echo "status=$(cat "$run/status")"
	echo "status_detail=$(cat "$run/status_detail")"
	echo "elapsed_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
	echo "console=$run/console.log"
	echo "started=$started"
	echo "suites=${suites[*]}"
} >"$run/meta.txt"

"$report_tool" --raw "$run/ktap.raw" --meta "$run/meta.txt" --out "$run"
