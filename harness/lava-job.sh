#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make lava-job`: write a LAVA job for TOPOLOGY on KERNEL into a new
# directory results/lava-<topology>-<kernel>-<UTC>/ and print its path.
#
#   job.yaml      for LAVA's qemu device type: kernel, guest image and
#                 scratch disks deployed to tmpfs from file:// URLs, the
#                 topology in context.extra_options, no_kvm, boot method
#                 qemu with the guest shell's prompt, the test definition
#                 inline
#   testdef.yaml  the test definition (lava/testdefs/iog-qemu.yaml): runs
#                 the suites in the guest, KTAP results -> lava-test-case
#   device.yaml   lava/devices/qemu-iog.yaml rendered with this job's
#                 memory and extra_options, for `lava-run --device`
#   vmlinuz, initrd.cpio.gz, <drive>.img.gz   what the job deploys
#
# BOARD=name writes the host-mode variant instead: results/lava-host-
# <name>-<UTC>/ with a job for device type NAME that boots the board's own
# system (deploy to overlay, boot method minimal) and runs the
# non-destructive suites there (DESTRUCTIVE=1: all) from this repository
# (lava/testdefs/iog-host.yaml; REPO=url, default: the origin remote, else
# this checkout as file://), and device.yaml from lava/devices/board-iog.yaml
# for validation.
#
# Variables as for make check: TOPOLOGY, KERNEL, MODULES, TIMEOUT, STRICT,
# IOG_TESTMOD_PARAMS, RESULTS; LAVA_JOB_DIR=dir writes into DIR instead of
# a new directory under results/; LAVA_JOB_STUB=1 writes an empty guest
# image (the job is for validation only).
set -euo pipefail
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/guest-conf.sh"

topo_tool=$IOG_BUILD/host/iog-topo
topology=${TOPOLOGY:-q35-acs}
kernel=${KERNEL:-debian-6.12}
results=${RESULTS:-$IOG_TOP/results}
board=${BOARD:-}
lava=$IOG_TOP/lava
# The shell prompt of the LAVA guest image (harness/guest-init.sh).
prompt='iog-lava-3f9c# '

job_dir()
{
	local base=$1 n=1 d first
	if [ -n "${LAVA_JOB_DIR:-}" ]; then
		mkdir -p "$LAVA_JOB_DIR"
		realpath "$LAVA_JOB_DIR"
		return
	fi
	mkdir -p "$results"
	first=$results/lava-$base-$(date -u +%Y%m%dT%H%M%SZ)
	d=$first
	while ! mkdir "$d" 2>/dev/null; do
		n=$((n + 1))
		d=$first-$n
	done
	realpath "$d"
}

# A YAML single-quoted scalar.
q()
{
	local s=${1//\'/\'\'}
	printf "'%s'" "$s"
}

# The test definition, indented as the mapping of an inline definition.
indent()
{
	sed 's/^/        /' "$1"
}

if [ -n "$board" ]; then
	[[ $board =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || die "BOARD=$board: want a LAVA device type name"
	repo=${REPO:-}
	if [ -z "$repo" ]; then
		repo=$(git -C "$IOG_TOP" remote get-url origin 2>/dev/null || echo "file://$IOG_TOP")
	fi
	rev=$(git -C "$IOG_TOP" rev-parse HEAD 2>/dev/null || echo master)
	dir=$(job_dir "host-$board")
	cp "$lava/testdefs/iog-host.yaml" "$dir/testdef.yaml"
	cp "$lava/devices/board-iog.yaml" "$dir/device.yaml"
	# The suites host mode runs (harness/guest-conf.sh); DESTRUCTIVE=1: all.
	suites=$host_safe_suites
	[ -z "${DESTRUCTIVE:-}" ] || suites=all
	cat >"$dir/job.yaml" <<-EOF
	# SPDX-License-Identifier: GPL-2.0-only
	# Written by harness/lava-job.sh: host mode on a $board board (the
	# board's own system and kernel; make check TOPOLOGY=host in LAVA).
	device_type: $board
	job_name: $(q "iommu-groups host mode on $board")
	priority: medium
	visibility: public
	timeouts:
	  job:
	    minutes: 90
	  action:
	    minutes: 20
	  connection:
	    minutes: 5
	metadata:
	  topology: host
	  suites: $(q "$suites")
	  source: $(q "$repo")
	  revision: $(q "$rev")
	actions:
	- deploy:
	    to: overlay
	    timeout:
	      minutes: 5
	- boot:
	    method: minimal
	    timeout:
	      minutes: 15
	    auto_login:
	      login_prompt: 'login:'
	      username: root
	    prompts:
	    - 'root@[^:]*:[^#]*# '
	    transfer_overlay:
	      download_command: wget -S --progress=dot:giga
	      unpack_command: tar -C / -xzf
	- test:
	    timeout:
	      minutes: 60
	    definitions:
	    - from: git
	      repository: $(q "$repo")
	      revision: $(q "$rev")
	      path: lava/testdefs/iog-host.yaml
	      name: iommu-groups-host
	      parameters:
	        SUITES: $(q "$suites")
	        STRICT: $(q "${STRICT:-}")
	EOF
	echo "$dir"
	exit 0
fi

[ "$topology" != host ] || die "TOPOLOGY=host runs on a lab board: use BOARD=<device type>"
topo=$(topology_file "$topology")
topo_load "$topo" "$IOG_BUILD/guest"
[ ${#suites[@]} -gt 0 ] || die "no suites built in $IOG_BUILD/guest (make build)"
timeout_s=${TIMEOUT:-$topo_timeout}
[ -n "$timeout_s" ] && [ "$timeout_s" != 0 ] || timeout_s=180
[[ $timeout_s =~ ^[0-9]+$ ]] || die "TIMEOUT=$timeout_s is not a number of seconds"

eval "$("$IOG_TOP/harness/kernel.sh" "$kernel" "${MODULES:-}")"
dir=$(job_dir "$name-$kernel_label")

# The QEMU arguments of the topology as extra_options, one "-opt value"
# each; memory goes to the context's memory, which the device type
# renders as -m.  LAVA splits its command line at spaces.
memory=1024
extra=("-accel tcg" "-no-reboot" "-vga none")
i=0
while [ $i -lt ${#qemu_topo[@]} ]; do
	a=${qemu_topo[$i]}
	v=
	if [ $((i + 1)) -lt ${#qemu_topo[@]} ] && [[ ${qemu_topo[$((i + 1))]} != -* ]]; then
		v=${qemu_topo[$((i + 1))]}
		i=$((i + 1))
	fi
	i=$((i + 1))
	[[ "$a$v" != *[[:space:]\'\"]* ]] || die "$topo: QEMU argument '$a $v' has a space or quote, which a LAVA command line cannot carry"
	if [ "$a" = -m ]; then
		memory=$v
		continue
	fi
	extra+=("$a${v:+ $v}")
done

# The guest's configuration, as check.sh builds it, for a guest without
# the host's QMP relay (iog.hotplug goes: the hot-plug test skips) and
# with the device type's NIC at 00:10.0.
conf=$dir/guest-conf
mkdir -p "$conf"
"$topo_tool" expect "$topo" >"$conf/expect-groups"
if grep -q '^group ' "$conf/expect-groups"; then
	{
		echo "# the qemu device type's virtio NIC (lava/devices/qemu-iog.yaml),"
		echo "# single-function on the root bus: a group of its own"
		echo "group 0000:00:10.0"
	} >>"$conf/expect-groups"
fi
guest_env "$conf" "$name" "$kernel_label" "$iommu" "${modules[*]}"
deviations=
if [ -z "${STRICT:-}" ] || [ "${STRICT:-}" = 0 ]; then
	cp "$IOG_TOP/suites/known-deviations" "$conf/known-deviations"
	deviations=/etc/iog/known-deviations
fi
if [ -n "${LAVA_JOB_STUB:-}" ]; then
	# The job and its device alone, for validation (make test): the
	# guest image is an empty stand-in.
	initrd=$dir/.stub-initrd
	: | gzip >"$initrd"
else
	guest_abi_docs "$conf" "$kernel_label" "$kernel_image"
	guest_testmod "$conf" "$kernel_label" "$kernel_release" "$kernel_modules" \
		"$dir/module-build.log"
	initrd=$(IOG_IMAGE_MODE=lava "$IOG_TOP/harness/image.sh" "$conf" "$kernel_modules" \
		"${modules[*]}" "${suites[*]}" "$kernel_image")
fi
# The job owns its files (the image cache is bounded and evicts): hard
# links where the cache shares the file system, else copies.
own()
{
	ln -f "$1" "$2" 2>/dev/null || cp "$1" "$2"
}
own "$initrd" "$dir/initrd.cpio.gz"
rm -f "$dir/.stub-initrd"
own "$kernel_image" "$dir/vmlinuz"
# Scratch disks: zeros, compressed once per size (LAVA gives each job its
# own copy).
for d in "${drives[@]}"; do
	read -r id bytes <<<"$d"
	zero=$IOG_CACHE/lava/zero-$bytes.img.gz
	if [ ! -f "$zero" ]; then
		cache_dir "$IOG_CACHE/lava"
		head -c "$bytes" /dev/zero | gzip -9 >"$zero.tmp.$$"
		mv "$zero.tmp.$$" "$zero"
	fi
	own "$zero" "$dir/$id.img.gz"
done

# no_timer_check: as in check.sh (a loaded TCG host can fail the check).
cmdline="console=ttyS0,115200 panic=-1 loglevel=7 no_timer_check"
for w in $append; do
	[[ $w == iog.hotplug=* ]] || cmdline+=" $w"
done

# The device dictionary this job runs on, rendered as lava-server would
# render qemu-iog.jinja2 with the job's context.
awk -v mem="$memory" -v extra="$(printf '%s\n' "${extra[@]}")" '
	/^          - -m [0-9]+$/ { print "          - -m " mem; next }
	{ print }
	/^          - -monitor none$/ {
		print "          extra:"
		n = split(extra, e, "\n")
		for (i = 1; i <= n; i++) if (e[i] != "") print "          - \x27" e[i] "\x27"
	}' "$lava/devices/qemu-iog.yaml" >"$dir/device.yaml"

cp "$lava/testdefs/iog-qemu.yaml" "$dir/testdef.yaml"
# Minutes LAVA waits: the boot is a TCG boot on a busy machine, the test
# the suites under TCG; both far beyond what a quiet machine needs.
test_min=$(((timeout_s * 4 + 59) / 60 + 10))
{
	echo "# SPDX-License-Identifier: GPL-2.0-only"
	echo "# Written by harness/lava-job.sh: $name on $kernel_label ($kernel_release)."
	echo "# make check TOPOLOGY=$topology KERNEL=$kernel runs the same suites."
	echo "device_type: qemu"
	echo "job_name: $(q "iommu-groups $name on $kernel_label")"
	echo "priority: medium"
	echo "visibility: public"
	echo "timeouts:"
	echo "  job:"
	echo "    minutes: $((test_min + 30))"
	echo "  action:"
	echo "    minutes: 10"
	echo "  connection:"
	echo "    minutes: 2"
	echo "metadata:"
	echo "  topology: $(q "$name")"
	echo "  kernel: $(q "$kernel_label")"
	echo "  kernel_release: $(q "$kernel_release")"
	echo "  suites: $(q "${suites[*]}")"
	echo "context:"
	echo "  arch: amd64"
	echo "  no_kvm: true"
	echo "  memory: $memory"
	echo "  extra_options:"
	for e in "${extra[@]}"; do echo "  - $(q "$e")"; done
	echo "actions:"
	echo "- deploy:"
	echo "    to: tmpfs"
	echo "    timeout:"
	echo "      minutes: 5"
	echo "    images:"
	echo "      kernel:"
	echo "        image_arg: $(q "-kernel {kernel} -append \"$cmdline\"")"
	echo "        url: $(q "file://$dir/vmlinuz")"
	echo "      ramdisk:"
	echo "        image_arg: '-initrd {ramdisk}'"
	echo "        url: $(q "file://$dir/initrd.cpio.gz")"
	echo "        compression: gz"
	echo "        format: cpio.newc"
	echo "        overlays:"
	echo "          lava: true"
	for d in "${drives[@]}"; do
		read -r id _ <<<"$d"
		echo "      $id:"
		echo "        image_arg: $(q "-drive if=none,id=$id,file={$id},format=raw")"
		echo "        url: $(q "file://$dir/$id.img.gz")"
		echo "        compression: gz"
	done
	echo "- boot:"
	echo "    method: qemu"
	echo "    media: tmpfs"
	echo "    timeout:"
	echo "      minutes: 10"
	echo "    prompts:"
	echo "    - $(q "$prompt")"
	echo "- test:"
	echo "    timeout:"
	echo "      minutes: $test_min"
	echo "    definitions:"
	echo "    - from: inline"
	echo "      name: iommu-groups"
	echo "      path: inline/iommu-groups.yaml"
	echo "      parameters:"
	echo "        TOPOLOGY: $(q "$name")"
	echo "        DEVIATIONS: $(q "$deviations")"
	echo "      repository:"
	indent "$dir/testdef.yaml"
} >"$dir/job.yaml"
note "$name on $kernel_label ($kernel_release) -> $dir"
echo "$dir"
