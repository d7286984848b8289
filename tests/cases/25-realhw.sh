# SPDX-License-Identifier: GPL-2.0-only
# Sourced by tests/run.sh: the model against real machines
# (tests/fixtures/realhw/*: an lspci record and the kernel's groups from the
# same boot, public sources named in each README).  Each directory's
# `model` file says what `iogroups predict --expect` must answer: equal to
# the kernel's groups; equal where the model decides, with N groups it
# cannot decide from the record (equal-decidable N); or a refusal with its
# reason (a record taken without root has no capabilities; one whose names
# pci.ids cannot turn back into IDs).  Negative controls: for each quirk
# row a record exercises (`exercises FN` lines) the prediction without that
# row (IOG_MODEL_DROP_QUIRK) differs from the kernel's groups; a root
# port's ACS lines changed, and a group line moved, each make an equal
# record differ.
realhw=tests/fixtures/realhw

# predict_vs DIR LSPCI GROUPS: the comparison's output (exit status kept).
predict_vs()
{
	local iommu

	iommu=$(awk '$1 == "iommu" { print $2 }' "$1/model")
	build/host/iogroups predict --dump "$2" --iommu "$iommu" --expect "$3" 2>&1
}

for d in "$realhw"/*/; do
	d=${d%/}
	n=${d##*/}
	want=$(sed -n 's/^verdict //p' "$d/model")
	out=$(predict_vs "$d" "$d/lspci.txt" "$d/groups.txt")
	rc=$?
	case $want in
	equal)
		[ $rc = 0 ] && grep -q "equal to the model's prediction (" <<<"$out"
		verdict $? "real machine $n: the model's groups equal the kernel's" "$(head -c 600 <<<"$out")" ;;
	equal-decidable*)
		[ $rc = 0 ] && grep -q "where it decides; ${want#equal-decidable } of its" <<<"$out"
		verdict $? "real machine $n: equal where the model decides, ${want#equal-decidable } groups undecidable" "$(head -c 600 <<<"$out")" ;;
	refused*)
		[ $rc = 2 ] && grep -qF "${want#refused }" <<<"$out"
		verdict $? "real machine $n: refused, saying why (${want#refused })" "$(head -c 300 <<<"$out")" ;;
	*)
		result fail "real machine $n" "$d/model: no verdict line" ;;
	esac
	for fn in $(awk '$1 == "exercises" { print $2 }' "$d/model"); do
		out=$(IOG_MODEL_DROP_QUIRK=$fn predict_vs "$d" "$d/lspci.txt" "$d/groups.txt")
		[ $? = 1 ] && grep -q 'difference(s) from the model' <<<"$out"
		verdict $? "negative control: real machine $n without the $fn row differs from the kernel" "$(head -c 400 <<<"$out")"
	done
done

# mutated_differs NAME DIR LSPCI GROUPS ORIG MUTATED PATTERN: the record
# with one of its files mutated (MUTATED, made from ORIG, is LSPCI or
# GROUPS) must differ from the kernel's groups, naming PATTERN.
mutated_differs()
{
	local out rc

	out=$(predict_vs "$2" "$3" "$4")
	rc=$?
	! cmp -s "$5" "$6" && [ $rc = 1 ] && grep -q -- "$7" <<<"$out"
	verdict $? "$1" "$(head -c 400 <<<"$out")"
}

# Negative controls on the record the model decides.
d=$realhw/imac-t2-cometlake
# The PCH root port 00:1c.0 without request redirect in ACSCtl: the
# kernel would put it with its slot's other ports; the record says not.
awk '/^00:1c.0 / { p = 1 } /^00:1c.1 / { p = 0 }
	p && /ACSCtl:/ { sub(/ReqRedir\+/, "ReqRedir-") } { print }' \
	"$d/lspci.txt" >"$work/imac-rr.txt"
mutated_differs "negative control: a real root port's ACS changed, the model differs from the kernel" \
	"$d" "$work/imac-rr.txt" "$d/groups.txt" "$d/lspci.txt" "$work/imac-rr.txt" '0000:00:1c.0'
# The record's groups with the AMD GPU's audio function moved to a group
# of its own: the comparison must name it.
sed '/03:00.1 /{n; s/IOMMU group: [0-9]*/IOMMU group: 99/}' \
	"$d/groups.txt" >"$work/imac-groups.txt"
mutated_differs "negative control: a real machine's group changed, the comparison names the device" \
	"$d" "$d/lspci.txt" "$work/imac-groups.txt" "$d/groups.txt" "$work/imac-groups.txt" '03:00.1'

# The platform decides what the model may claim.  Off QEMU, the group IDs
# follow the firmware's IOMMU units and an AMD root complex's group the
# IVRS, neither of which a record holds; with the host bridge's subsystem
# made QEMU's (1af4:1100), the model claims both, and these real records,
# whose kernels numbered groups by unit and left the root complex out,
# must then differ, naming what.
qemu_host()
{
	awk 'NR <= 4 && /^\tSubsystem: / { sub(/\[[0-9a-f]{4}:[0-9a-f]{4}\]$/, "[1af4:1100]") } { print }' "$1"
}
d=$realhw/lhw-intel-nuc11tnbv7
qemu_host "$d/lspci.txt" >"$work/nuc11-qemu.txt"
mutated_differs "negative control: a real Intel record taken as QEMU's machine, the group IDs are compared and differ" \
	"$d" "$work/nuc11-qemu.txt" "$d/groups.txt" "$d/lspci.txt" "$work/nuc11-qemu.txt" '^- group {0000:00:02.0}: model ID 1, kernel ID 2'
d=$realhw/lhw-amd-a520-aorus-elite
qemu_host "$d/lspci.txt" >"$work/a520-qemu.txt"
mutated_differs "negative control: a real AMD record taken as QEMU's machine, the root complex is grouped and differs" \
	"$d" "$work/a520-qemu.txt" "$d/groups.txt" "$d/lspci.txt" "$work/a520-qemu.txt" '0000:00:00.0 in no group'
# Intel VMD: the domain-10000 devices join the VMD endpoint's group.  With
# the endpoint's ID changed to one the vmd driver does not claim, nothing
# ties the domain to it, and the model must differ from the kernel.
d=$realhw/lhw-intel-precision-5820
sed 's/^\(0000:b2:05.5 .*\)\[8086:201d\]/\1[8086:201c]/' "$d/lspci.txt" >"$work/p5820-novmd.txt"
mutated_differs "negative control: a real VMD endpoint not recognised, its domain's devices are grouped apart from it and differ" \
	"$d" "$work/p5820-novmd.txt" "$d/groups.txt" "$d/lspci.txt" "$work/p5820-novmd.txt" '10000:01:00.0'
