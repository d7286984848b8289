#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The topology of `make check IOMMU=... QEMU_DEVICES='...' GUEST_MODULES=...`
# (README.md, "Other ways to run") on stdout; notes on stderr.  A pasted
# QEMU command line is taken as pairs, translated so that QEMU opens none of
# the user's files and joins no host network:
#   -device intel-iommu|amd-iommu|virtio-iommu-pci[,OPTS]   iommu KIND [OPTS]
#   -drive ...,if=none,id=ID[,file=F]   drive ID SIZE (a scratch disk, F's size)
#   -netdev TYPE,id=ID,...              netdev ID (connected to nothing)
#   -object TYPE,id=ID,...              -object TYPE,id=ID,... (topo.c's types)
#   -device ARGS                        -device ARGS
# The result is checked with iog-topo, whose errors are told by the option
# they came from (the topology is a temporary file the user never wrote).
set -euo pipefail
. "$(dirname "$0")/common.sh"

topo_tool=$IOG_BUILD/host/iog-topo
[ -x "$topo_tool" ] || die "$topo_tool is missing (make host-tools)"

takes="QEMU_DEVICES takes pairs: -device ARGS, -drive ARGS (with if=none,id=ID),"
takes+=" -netdev TYPE,id=ID,... and -object TYPE,id=ID,...; anything else"
takes+=" (-m, -smp, -cpu, -machine, ...) goes in a topology file"
takes+=" (docs/formats.md), run with make check TOPOLOGY=FILE"

# opt_value ARGS KEY: the value of the last KEY= in a QEMU option list, as
# QEMU takes it; status 1 when there is none.  ",," is a comma in a value.
opt_value()
{
	local IFS=, p v='' found=1
	local -a parts
	read -ra parts <<<"${1//,,/$'\x01'}"
	for p in "${parts[@]}"; do
		if [[ $p == "$2="* ]]; then
			v=${p#"$2="}
			found=0
		fi
	done
	printf '%s\n' "${v//$'\x01'/,}"
	return $found
}

# The topology's statements after the header, and for each the option it
# came from (for error messages); notes are told once the whole is good.
body=()
body_from=()
notes=()
add()
{
	body_from+=("QEMU_DEVICES: '$1'")
	body+=("$2")
}

dev_kind='' dev_opts='' dev_from=''
set -f
# shellcheck disable=SC2206 # split at whitespace, as a shell would
words=(${QEMU_DEVICES:-})
set +f
toks=()
for w in ${words[@]+"${words[@]}"}; do
	# A pasted line continuation.
	[ "$w" = "\\" ] || toks+=("$w")
done
i=0
while [ $i -lt ${#toks[@]} ]; do
	opt=${toks[$i]}
	case $opt in
	-device | -drive | -netdev | -object) ;;
	-*) die "QEMU_DEVICES: '$opt' is not taken here. $takes" ;;
	*) die "QEMU_DEVICES: '$opt' is not an option (a value without its -device?). $takes" ;;
	esac
	val=
	[ $((i + 1)) -ge ${#toks[@]} ] || val=${toks[$((i + 1))]}
	if [ -z "$val" ] || [[ $val == -* ]]; then
		# shellcheck disable=SC2016 # quotes inside the message
		die "QEMU_DEVICES: '$opt' has no value${val:+ (next is '$val')}. $takes"
	fi
	i=$((i + 2))
	case $opt in
	-device)
		drv=${val%%,*}
		drv=${drv#driver=}
		case $drv in
		intel-iommu) kind=intel ;;
		amd-iommu) kind=amd ;;
		virtio-iommu-pci) kind=virtio ;;
		*) kind= ;;
		esac
		if [ -z "$kind" ]; then
			add "-device $val" "-device $val"
			continue
		fi
		[ -z "$dev_kind" ] ||
			die "QEMU_DEVICES has two IOMMU devices, '$dev_from' and '-device $val'; a topology has one IOMMU"
		dev_kind=$kind dev_from="-device $val" dev_opts=
		[[ $val != *,* ]] || dev_opts=${val#*,}
		;;
	-drive)
		ifv=$(opt_value "$val" if) || ifv=
		id=$(opt_value "$val" id) || id=
		lacks=
		[ "$ifv" = none ] || lacks="if=none"
		[ -n "$id" ] || lacks+="${lacks:+ and }id=ID"
		[ -z "$lacks" ] ||
			die "QEMU_DEVICES: '-drive $val' has no $lacks: a drive is attached by its device, as in -drive file=...,if=none,id=d0 -device nvme,drive=d0,serial=... (in a topology file: drive d0 64M and -device ...,drive=d0)"
		file=$(opt_value "$val" file) || file=
		# QEMU never opens the user's file: the suites write to their
		# disks (throughput), and two runs cannot share one.
		size=64M
		what=64M
		why="no file= given"
		if [ -n "$file" ]; then
			why="'$file' is not a regular file of 1 byte to 64G"
			if [ -f "$file" ]; then
				bytes=$(stat -L -c %s -- "$file")
				if [ "$bytes" -ge 1 ] && [ "$bytes" -le $((64 << 30)) ]; then
					size=$bytes
					what="$bytes bytes"
					why="the size of '$file'"
				fi
			fi
		fi
		# shellcheck disable=SC2016 # quotes inside the message
		notes+=("QEMU_DEVICES: drive $id is a scratch disk of $what ($why) made per run;${file:+ QEMU never opens '$file':} the suites write to their disks and two runs cannot share one")
		add "-drive $val" "drive $id $size"
		;;
	-netdev)
		id=$(opt_value "$val" id) ||
			die "QEMU_DEVICES: '-netdev $val' has no id= (want -netdev TYPE,id=ID,... and -device ...,netdev=ID)"
		notes+=("QEMU_DEVICES: netdev $id (${val%%,*}) is a backend connected to nothing: the suites need the NIC, not its traffic")
		add "-netdev $val" "netdev $id"
		;;
	-object)
		add "-object $val" "-object $val"
		;;
	esac
done

# The IOMMU: IOMMU=, or the IOMMU device, or none; never two kinds.
kind=${IOMMU:-}
case $kind in
"" | intel | amd | virtio | none) ;;
*) die "IOMMU=$kind: want intel, amd, virtio or none" ;;
esac
from=${kind:+IOMMU=$kind}
if [ -n "$dev_kind" ]; then
	[ -z "$kind" ] || [ "$kind" = "$dev_kind" ] ||
		die "IOMMU=$kind and QEMU_DEVICES' '$dev_from' ($dev_kind) name different IOMMUs; drop one of them"
	kind=$dev_kind from="QEMU_DEVICES: '$dev_from'"
fi
kind=${kind:-none}

out=("# ad-hoc topology from the make command line"
	"name adhoc-$kind"
	"machine q35,kernel-irqchip=split"
	"iommu $kind${dev_opts:+ $dev_opts}")
out_from=("" "" "" "$from")
if [ -n "${GUEST_MODULES:-}" ]; then
	out+=("modules $GUEST_MODULES")
	out_from+=("GUEST_MODULES='$GUEST_MODULES'")
fi
out+=(${body[@]+"${body[@]}"})
out_from+=(${body_from[@]+"${body_from[@]}"})

# The parser's "FILE:LINE: message" told as the option on that line.
text=$(printf '%s\n' "${out[@]}")
if ! err=$("$topo_tool" check /dev/stdin 2>&1 <<<"$text"); then
	err=${err%%$'\n'*}
	if [[ $err =~ ^/dev/stdin:([0-9]+):\ (.*)$ ]]; then
		where=${out_from[$((BASH_REMATCH[1] - 1))]:-}
		msg=${BASH_REMATCH[2]}
		if [[ $msg =~ ^(.*)\ at\ line\ ([0-9]+)(.*)$ ]]; then
			first=${out_from[$((BASH_REMATCH[2] - 1))]:-}
			msg="${BASH_REMATCH[1]} by ${first#QEMU_DEVICES: }${BASH_REMATCH[3]}"
		fi
		die "${where:+$where: }$msg"
	fi
	die "the ad-hoc topology is refused: ${err#/dev/stdin: }"
fi
for n in ${notes[@]+"${notes[@]}"}; do
	note "$n"
done
printf '%s\n' "$text"
