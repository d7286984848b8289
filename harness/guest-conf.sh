# SPDX-License-Identifier: GPL-2.0-only
# The guest's configuration directory (/etc/iog in the image), shared by
# make check (check.sh) and LAVA jobs (lava-job.sh).  Sourced after
# common.sh, never executed.

# Suites that change nothing on the machine; the only ones host mode runs
# unless DESTRUCTIVE=1.
host_safe_suites="sysfs_layout grouping abi_doc"
# Suites that run only where a topology names them in its suites line:
# throughput takes minutes and unbinds an NVMe drive (on a board perhaps
# the root disk), so neither a topology without a suites line nor host
# mode with DESTRUCTIVE=1 runs it.
opt_in_suites="throughput"
# The throughput suite's settings that make check passes to the guest
# (and names in the reproduce command).
throughput_vars="IOG_THROUGHPUT_FORM IOG_THROUGHPUT_ROUNDS IOG_THROUGHPUT_SECONDS IOG_THROUGHPUT_STALL_S
	IOG_THROUGHPUT_CORRUPT"

# topo_load TOPOLOGY_FILE SUITE_DIR: check the topology, then set name,
# iommu, append, topo_timeout and the arrays modules, qemu_topo, drives,
# topo_env (its guest-env NAME=VALUE) and suites from `iog-topo show` (no
# suites line: every suite in SUITE_DIR but the opt-in ones).
topo_load()
{
	local show
	"$IOG_BUILD/host/iog-topo" check "$1" || exit 1
	show=$("$IOG_BUILD/host/iog-topo" show "$1")
	name=$(sed -n 's/^name //p' <<<"$show")
	iommu=$(sed -n 's/^iommu //p' <<<"$show")
	append=$(sed -n 's/^append //p' <<<"$show")
	topo_timeout=$(sed -n 's/^timeout //p' <<<"$show")
	mapfile -t modules < <(sed -n 's/^module //p' <<<"$show")
	mapfile -t qemu_topo < <(sed -n 's/^qemu //p' <<<"$show")
	mapfile -t drives < <(sed -n 's/^drive //p' <<<"$show")
	mapfile -t suites < <(sed -n 's/^suite //p' <<<"$show")
	mapfile -t topo_env < <(sed -n 's/^env //p' <<<"$show")
	if [ ${#suites[@]} -eq 0 ]; then
		mapfile -t suites < <(ls "$2" | grep -vxF -f <(tr ' ' '\n' <<<"$opt_in_suites"))
	fi
}

# guest_env CONF NAME KERNEL_LABEL IOMMU "MODULE..." [VAR=VALUE...]: the
# environment the suites read (CONF/env), with the throughput baseline of
# this topology and kernel copied beside it; then the topology's guest-env
# (topo_env), which a non-empty make variable of that name overrides, and
# VAR=VALUE.
guest_env()
{
	local conf=$1 name=$2 label=$3 iommu=$4 modules=$5 baseline e v
	shift 5
	{
		echo "export IOG_EXPECT=/etc/iog/expect-groups"
		[ "$iommu" = none ] || echo "export IOG_EXPECT_GROUPS=1"
		echo "export IOG_IOMMU=$iommu"
		# Drivers bind in module load order; virtio-iommu groups
		# devices in that order (spec/observed-q35.md).
		echo "export IOG_MODULE_ORDER='$modules'"
		echo "export IOG_TESTMOD_PARAMS='${IOG_TESTMOD_PARAMS:-}'"
		# Negative control of the DMA isolation checks: map the probe IOVA.
		echo "export IOG_EDU_MAP_PROBE='${IOG_EDU_MAP_PROBE:-}'"
		# The throughput suite: sample sizes, and the expected ratios
		# of this topology and kernel (results/baselines/, or
		# IOG_BASELINE=file for a negative control or a lab's own).
		for v in $throughput_vars; do
			echo "export $v='${!v:-}'"
		done
		for e in ${topo_env[@]+"${topo_env[@]}"}; do
			v=${e%%=*}
			[ -n "${!v:-}" ] && e=$v=${!v}
			echo "export $v='${e#*=}'"
		done
		baseline=${IOG_BASELINE:-$IOG_TOP/results/baselines/$name-$label.baseline}
		if [ -f "$baseline" ]; then
			cp "$baseline" "$conf/throughput-baseline"
			echo "export IOG_BASELINE_FILE=/etc/iog/throughput-baseline"
		fi
		echo "export IOG_BASELINE_NAME='${baseline#"$IOG_TOP"/}'"
		for e in "$@"; do echo "export $e"; done
	} >"$conf/env"
}

# guest_abi_docs CONF KERNEL_LABEL KERNEL_IMAGE: the kernel's own ABI
# documentation for abi_doc (CONF/abi), or a note that it will skip.
guest_abi_docs()
{
	"$IOG_TOP/harness/abi-docs.sh" "$2" "$1/abi" "$3" >/dev/null ||
		note "no ABI documentation for $2; abi_doc will skip"
}

# guest_testmod CONF KERNEL_LABEL KERNEL_RELEASE MODULES_DIR LOG: the test
# module (drivers/iog_groups) in CONF/testmod, built against Debian's
# headers or a custom or source kernel's build tree; without it the
# suites that need it skip and say why.
guest_testmod()
{
	local conf=$1 label=$2 release=$3 moddir=$4 log=$5 kbuild=
	if [[ $label == custom-* || $label == src-* ]] && [ -d "$moddir/build" ]; then
		kbuild=$(realpath "$moddir/build")
	fi
	if [ -n "$kbuild" ] || [[ $label == debian-* ]]; then
		mkdir -p "$conf/testmod"
		"$IOG_TOP/harness/module.sh" "$release" "$conf/testmod" $kbuild >"$log" 2>&1 ||
			note "test module did not build for $release (see $log); suites that need it will skip"
	fi
}
