# SPDX-License-Identifier: GPL-2.0-only
# Sourced by tests/run.sh: the ad-hoc topology of make check IOMMU=
# QEMU_DEVICES= GUEST_MODULES= (harness/adhoc-topo.sh), without booting:
# a pasted QEMU command line is translated, and what cannot be is refused
# with one message that names it.  The boot is in 10-integration.sh.

adhoc_topo_tool=$IOG_BUILD/host/iog-topo

# adhoc NAME [VAR=VALUE...]: adhoc-topo.sh with only these variables;
# stdout in $work/adhoc-NAME.topo, stderr in $work/adhoc-NAME.err.
adhoc()
{
	local name=$1
	shift
	env -u IOMMU -u QEMU_DEVICES -u GUEST_MODULES "$@" harness/adhoc-topo.sh \
		>"$work/adhoc-$name.topo" 2>"$work/adhoc-$name.err"
}

# adhoc_refused NAME TEXT [VAR=VALUE...]: adhoc-topo.sh fails, writes no
# topology, and says TEXT in a one-line message.
adhoc_refused()
{
	local name=$1 want=$2 t="ad-hoc: $1 is refused" err
	shift 2
	err=$work/adhoc-$name.err
	if adhoc "$name" "$@"; then
		result fail "$t" "exit status 0"
	elif [ -s "$work/adhoc-$name.topo" ]; then
		result fail "$t" "a topology was written anyway"
	elif [ "$(wc -l <"$err")" != 1 ] || ! grep -qF -- "$want" "$err"; then
		result fail "$t" "want one line with '$want', got: $(head -c 400 "$err")"
	else
		result pass "$t"
	fi
}

if [ ! -x "$adhoc_topo_tool" ]; then
	result fail "ad-hoc topologies" "$adhoc_topo_tool is not built (make host-tools)"
else
	# A pasted command line: a leading IOMMU device, a drive whose size
	# comes from its file, a netdev and an object.
	user_img=$work/adhoc-paste.img
	head -c 3146240 /dev/zero >"$user_img"
	pasted="-device intel-iommu,intremap=on,caching-mode=on \\
		-device pcie-root-port,id=rp1,chassis=1,bus=pcie.0,addr=0x3
		-drive file=$user_img,if=none,id=d0,format=raw
		-device nvme,drive=d0,serial=adhoc0,bus=rp1
		-netdev user,id=n0,hostfwd=tcp::2222-:22 -device e1000,netdev=n0
		-object rng-builtin,id=r0 -device virtio-rng-pci,rng=r0"
	{
		echo "# ad-hoc topology from the make command line"
		echo "name adhoc-intel"
		echo "machine q35,kernel-irqchip=split"
		echo "iommu intel intremap=on,caching-mode=on"
		echo "modules nvme e1000"
		echo "-device pcie-root-port,id=rp1,chassis=1,bus=pcie.0,addr=0x3"
		echo "drive d0 3146240"
		echo "-device nvme,drive=d0,serial=adhoc0,bus=rp1"
		echo "netdev n0"
		echo "-device e1000,netdev=n0"
		echo "-object rng-builtin,id=r0"
		echo "-device virtio-rng-pci,rng=r0"
	} >"$work/adhoc-want.topo"
	t="ad-hoc: a pasted command line is translated"
	if ! adhoc pasted QEMU_DEVICES="$pasted" GUEST_MODULES="nvme e1000"; then
		result fail "$t" "$(head -c 400 "$work/adhoc-pasted.err")"
	elif ! diff -u "$work/adhoc-want.topo" "$work/adhoc-pasted.topo" >"$work/adhoc-pasted.diff"; then
		sed 's/^/# /' "$work/adhoc-pasted.diff"
		result fail "$t" "not the topology expected"
	else
		result pass "$t"
	fi
	t="ad-hoc: the notes name the scratch disk, the user's file and the unconnected netdev"
	if grep -qF "drive d0 is a scratch disk of 3146240 bytes (the size of '$user_img') made per run; QEMU never opens '$user_img'" "$work/adhoc-pasted.err" &&
		grep -qF "netdev n0 (user) is a backend connected to nothing" "$work/adhoc-pasted.err"; then
		result pass "$t"
	else
		result fail "$t" "$(head -c 400 "$work/adhoc-pasted.err")"
	fi
	# What QEMU gets: the IOMMU with the pasted options, the netdev on
	# a hub of its own, the object; the disk is made per run.
	t="ad-hoc: the translated topology gives QEMU the IOMMU, the netdev and the object"
	if "$adhoc_topo_tool" show "$work/adhoc-pasted.topo" >"$work/adhoc-pasted.show" &&
		grep -qx 'qemu intel-iommu,intremap=on,caching-mode=on' "$work/adhoc-pasted.show" &&
		grep -qx 'qemu hubport,id=n0,hubid=1' "$work/adhoc-pasted.show" &&
		grep -qx 'qemu rng-builtin,id=r0' "$work/adhoc-pasted.show" &&
		grep -qx 'drive d0 3146240' "$work/adhoc-pasted.show" &&
		! grep -qF "$user_img" "$work/adhoc-pasted.show"; then
		result pass "$t"
	else
		result fail "$t" "$(tr '\n' ' ' <"$work/adhoc-pasted.show" | head -c 400)"
	fi

	# The IOMMU: the device alone, or IOMMU= naming the same kind, or
	# IOMMU= alone, or neither (none, as before).
	t="ad-hoc: the IOMMU from IOMMU=, the device or neither"
	if adhoc same IOMMU=virtio QEMU_DEVICES="-device virtio-iommu-pci" &&
		grep -qx 'iommu virtio' "$work/adhoc-same.topo" &&
		adhoc env-only IOMMU=amd QEMU_DEVICES="-device e1000" &&
		grep -qx 'iommu amd' "$work/adhoc-env-only.topo" &&
		adhoc device-only QEMU_DEVICES="-device e1000 -device amd-iommu" &&
		grep -qx 'iommu amd' "$work/adhoc-device-only.topo" &&
		grep -qx 'name adhoc-amd' "$work/adhoc-device-only.topo" &&
		adhoc neither QEMU_DEVICES="-device e1000" &&
		grep -qx 'iommu none' "$work/adhoc-neither.topo"; then
		result pass "$t"
	else
		result fail "$t" "$(cat "$work"/adhoc-{same,env-only,device-only,neither}.err | head -c 400)"
	fi

	# The scratch disk is 64M when the file gives no usable size.
	: >"$work/adhoc-empty.img"
	t="ad-hoc: a drive without a usable file is 64M"
	if adhoc no-file QEMU_DEVICES="-drive if=none,id=d0 -drive if=none,id=d1,file=$work/adhoc-empty.img -drive id=d2,file=$work/none.img,if=none -drive if=none,id=d3,file=$work" &&
		[ "$(grep -c '^drive d[0-3] 64M$' "$work/adhoc-no-file.topo")" = 4 ] &&
		grep -qF "drive d0 is a scratch disk of 64M (no file= given)" "$work/adhoc-no-file.err" &&
		grep -qF "drive d2 is a scratch disk of 64M ('$work/none.img' is not a regular file of 1 byte to 64G)" "$work/adhoc-no-file.err"; then
		result pass "$t"
	else
		result fail "$t" "$(head -c 400 "$work/adhoc-no-file.err")"
	fi

	# Negative control: two kinds of IOMMU fail, naming both.
	adhoc_refused "IOMMU=amd with -device intel-iommu (negative control)" \
		"IOMMU=amd and QEMU_DEVICES' '-device intel-iommu,caching-mode=on' (intel) name different IOMMUs" \
		IOMMU=amd QEMU_DEVICES="-device intel-iommu,caching-mode=on -device e1000"
	adhoc_refused "two IOMMU devices" \
		"QEMU_DEVICES has two IOMMU devices, '-device intel-iommu' and '-device virtio-iommu-pci'" \
		QEMU_DEVICES="-device intel-iommu -device virtio-iommu-pci"
	adhoc_refused "IOMMU=arm" "IOMMU=arm: want intel, amd, virtio or none" IOMMU=arm
	adhoc_refused "-drive without if=none" \
		"'-drive file=u.img,id=d0' has no if=none: a drive is attached by its device, as in -drive file=...,if=none,id=d0 -device nvme,drive=d0,serial=... (in a topology file: drive d0 64M and -device ...,drive=d0)" \
		QEMU_DEVICES="-drive file=u.img,id=d0 -device nvme,drive=d0,serial=x"
	adhoc_refused "-drive without id=" "'-drive file=u.img,if=none' has no id=ID: a drive is attached by its device" \
		QEMU_DEVICES="-drive file=u.img,if=none"
	adhoc_refused "-drive with a bad id" \
		"QEMU_DEVICES: '-drive if=none,id=0d': bad drive id '0d' (want a letter, then [A-Za-z0-9._-])" \
		QEMU_DEVICES="-drive if=none,id=0d"
	adhoc_refused "-netdev without id=" "QEMU_DEVICES: '-netdev user' has no id=" \
		QEMU_DEVICES="-netdev user -device e1000"
	adhoc_refused "a netdev id given twice" \
		"QEMU_DEVICES: '-netdev tap,id=n0': netdev 'n0' is already declared by '-netdev user,id=n0'" \
		QEMU_DEVICES="-netdev user,id=n0 -netdev tap,id=n0"
	adhoc_refused "-object of a host file" \
		"QEMU_DEVICES: '-object memory-backend-file,id=m0,size=1M,mem-path=/tmp/m': object type 'memory-backend-file' is not allowed (want rng-builtin, rng-random or memory-backend-ram: a topology never touches host files)" \
		QEMU_DEVICES="-object memory-backend-file,id=m0,size=1M,mem-path=/tmp/m"
	adhoc_refused "rng-random of another file" \
		"object filename '/etc/passwd' is not allowed (want /dev/urandom or /dev/random" \
		QEMU_DEVICES="-object rng-random,id=r0,filename=/etc/passwd"
	adhoc_refused "-object without id=" "object 'rng-builtin' has no id=" \
		QEMU_DEVICES="-object rng-builtin"
	takes="QEMU_DEVICES takes pairs: -device ARGS, -drive ARGS (with if=none,id=ID), -netdev TYPE,id=ID,... and -object TYPE,id=ID,...; anything else (-m, -smp, -cpu, -machine, ...) goes in a topology file (docs/formats.md)"
	adhoc_refused "-m" "QEMU_DEVICES: '-m' is not taken here. $takes" \
		QEMU_DEVICES="-device e1000 -m 2048"
	adhoc_refused "-smp" "QEMU_DEVICES: '-smp' is not taken here. $takes" \
		QEMU_DEVICES="-smp 2"
	adhoc_refused "-nic" "QEMU_DEVICES: '-nic' is not taken here. $takes" \
		QEMU_DEVICES="-nic user,model=e1000"
	adhoc_refused "a bare word" "QEMU_DEVICES: 'e1000' is not an option (a value without its -device?). $takes" \
		QEMU_DEVICES="-device pcie-root-port,id=rp1,chassis=1 e1000"
	adhoc_refused "a trailing option without a value" "QEMU_DEVICES: '-device' has no value. $takes" \
		QEMU_DEVICES="-device e1000 -device"
	adhoc_refused "an option followed by an option" \
		"QEMU_DEVICES: '-drive' has no value (next is '-device'). $takes" \
		QEMU_DEVICES="-drive -device e1000"

	# A topology file with a QEMU -drive line says what stands in for it.
	printf 'machine q35\niommu none\n-drive file=u.img,if=none,id=d0\n' >"$work/adhoc-drive.topo"
	t="ad-hoc: a -drive line in a topology file names the drive statement"
	if ! "$adhoc_topo_tool" check "$work/adhoc-drive.topo" 2>"$work/adhoc-drive.err" &&
		grep -qxF "$work/adhoc-drive.topo:3: unknown statement '-drive' (write 'drive ID SIZE' for a scratch disk made per run, and '-device ...,drive=ID')" "$work/adhoc-drive.err"; then
		result pass "$t"
	else
		result fail "$t" "$(head -c 400 "$work/adhoc-drive.err")"
	fi

	# check.sh stops at a refused QEMU_DEVICES before any download or
	# QEMU, leaving no run directory or temporary topology behind.
	t="ad-hoc: check.sh refuses a bad QEMU_DEVICES before booting"
	mkdir -p "$work/adhoc-tmp"
	runs_before=$(ls -d "$RESULTS"/*/ 2>/dev/null)
	if ! TMPDIR=$work/adhoc-tmp QEMU_DEVICES="-device e1000 -m 2048" \
		harness/check.sh >"$work/adhoc-check.out" 2>&1 &&
		grep -qF "QEMU_DEVICES: '-m' is not taken here" "$work/adhoc-check.out" &&
		[ -z "$(ls -A "$work/adhoc-tmp")" ] &&
		[ "$(ls -d "$RESULTS"/*/ 2>/dev/null)" = "$runs_before" ]; then
		result pass "$t"
	else
		result fail "$t" "$(head -c 400 "$work/adhoc-check.out")"
	fi
fi
