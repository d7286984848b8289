# SPDX-License-Identifier: GPL-2.0-only
# Sourced by tests/run.sh: LAVA jobs (harness/lava-job.sh) validated by
# Debian's lava-dispatcher, the device dictionaries, the KTAP to
# lava-test-case converter (harness/lava-cases.sh) under busybox, and
# negative controls that lava-dispatcher must reject.  No guest is booted
# here (make test-lava does that).

lava_schema=/usr/share/lava-common/lava-schema.py
lava_dir=$work/lava
mkdir -p "$lava_dir"

# --- the converter: busybox sh + awk, as in the guest image -------------
bb=$lava_dir/busybox
mkdir -p "$bb"
/bin/busybox --install -s "$bb" 2>/dev/null
cat >"$lava_dir/deviations" <<'EOF'
# release | topology | test | reason | evidence
6.12.* | q35-* | sysfs_layout/global.decimal_* | a listed deviation | fixture
6.1.0-* | q35-* | groups/global.nogroup | another kernel | fixture
EOF
nested=tests/fixtures/ktap/kselftest-nested.ktap
lava_bb()
{
	env -i PATH="$bb" sh harness/lava-cases.sh -n "$@"
}
out=$(lava_bb "$nested" "$lava_dir/deviations" q35-acs)
want="lava-test-case sysfs_layout.global.decimal_ids --result pass
lava-test-case sysfs_layout.global.type_file --result skip
lava-test-case sysfs_layout.global.links --result pass
lava-test-case sysfs_layout.global.reserved --result pass
lava-test-case sysfs_layout.groups --result pass --measurement 14 --units count
lava-test-case sysfs_layout.scan_time --result pass --measurement 1.25 --units ms
lava-test-case sysfs_layout --result pass
lava-test-case groups.global.expected_groups --result pass
lava-test-case groups.global.nogroup --result pass
lava-test-case groups --result pass
lava-test-case teardown --result skip
lava-test-case ktap --result fail"
[ "$(grep -v '^#' <<<"$out")" = "$want" ] &&
	grep -q '^# iog: XFAIL sysfs_layout/global.decimal_ids: a listed deviation' <<<"$out"
verdict $? "lava: KTAP results, skips, metrics and a listed deviation become lava-test-case entries (busybox sh+awk)" ||
	diff <(echo "$want") <(echo "$out") | sed 's/^/# /'
# Not listed (other topology; STRICT): the failure stays one.
out=$(lava_bb "$nested" "$lava_dir/deviations" other)
out2=$(lava_bb "$nested")
grep -qx 'lava-test-case sysfs_layout.global.decimal_ids --result fail' <<<"$out" &&
	grep -qx 'lava-test-case sysfs_layout --result fail' <<<"$out" &&
	[ "$out" = "$out2" ]
verdict $? "lava: a failure not listed for the topology stays a fail"
# The host's sh and awk (a lab board) say the same as busybox.
[ "$(sh harness/lava-cases.sh -n "$nested" "$lava_dir/deviations" q35-acs)" = \
	"$(lava_bb "$nested" "$lava_dir/deviations" q35-acs)" ]
verdict $? "lava: converter output identical under the host's sh and awk"
# A guest that dies inside a suite: that suite, the suites after it and
# the document fail; no KTAP at all is one failed case, never none.
{
	echo "KTAP version 1"
	echo "# iog: kernel_release 6.12.117+deb12-amd64"
	echo "# iog: plan grouping teardown"
	echo "1..2"
	echo "    KTAP version 1"
	echo "    1..3"
	echo "    ok 1 global.model_partition_matches"
} >"$lava_dir/died.ktap"
out=$(lava_bb "$lava_dir/died.ktap")
grep -qx 'lava-test-case grouping --result fail' <<<"$out" &&
	grep -qx 'lava-test-case teardown --result fail' <<<"$out" &&
	grep -qx 'lava-test-case ktap --result fail' <<<"$out" &&
	[ "$(lava_bb "$lava_dir/nothing.ktap" | grep -v '^#')" = "lava-test-case ktap --result fail" ]
verdict $? "lava: a guest that dies mid-suite fails that suite, the unrun ones and the document" ||
	echo "$out" | sed 's/^/# /'

# --- make test-lava's reading of lava-run's log ---------------------------
# lava-run exits 0 whatever the test cases say: the summary must fail on
# a failed case, on no case at all, and on a job LAVA did not finish.
lava_log()
{
	local d=$lava_dir/log-$1
	mkdir -p "$d"
	shift
	printf '%s\n' "$@" >"$d/lava.log"
	echo "$d"
}
r_case='{"dt": "t", "lvl": "results", "msg": {"case": "grouping.global.model_ids_match", "definition": "0_iommu-groups", "endtc": ! "7", "result": "pass", "starttc": ! "7"}}'
r_metric='{"dt": "t", "lvl": "results", "msg": {"case": "throughput.ratio.dma_identity", "definition": "0_iommu-groups", "measurement": ! "0.637", "result": "pass", "units": "ratio"}}'
r_fail='{"dt": "t", "lvl": "results", "msg": {"case": "teardown.group.unbind_bind_stable", "definition": "0_iommu-groups", "result": "fail"}}'
r_job='{"dt": "t", "lvl": "results", "msg": {"case": "job", "definition": "lava", "result": "pass"}}'
r_job_fail='{"dt": "t", "lvl": "results", "msg": {"case": "job", "definition": "lava", "error_msg": "boot timed out", "error_type": "Infrastructure", "result": "fail"}}'
ok_dir=$(lava_log ok "$r_case" "$r_metric" "$r_job")
harness/test-lava.sh --summary "$ok_dir" 0 >"$lava_dir/sum-ok.out" 2>&1 &&
	grep -q '2 test cases: 2 pass, 0 fail, 0 skip' "$lava_dir/sum-ok.out" &&
	grep -q 'metric throughput.ratio.dma_identity = 0.637 ratio' "$lava_dir/sum-ok.out"
verdict $? "lava: test-lava reads cases and measurements from lava-run's log" ||
	sed 's/^/# /' "$lava_dir/sum-ok.out"
n=0
for c in "failed case" "no case" "unfinished job"; do
	case $c in
	"failed case") d=$(lava_log fail "$r_case" "$r_fail" "$r_job") ;;
	"no case") d=$(lava_log none "$r_job") ;;
	*) d=$(lava_log unfinished "$r_case" "$r_job_fail") ;;
	esac
	if ! harness/test-lava.sh --summary "$d" 0 >"$lava_dir/sum.out" 2>&1; then
		[ "$c" != "failed case" ] ||
			grep -q 'FAIL teardown.group.unbind_bind_stable' "$lava_dir/sum.out" || continue
		n=$((n + 1))
	fi
done
[ $n = 3 ]
verdict $? "negative control: test-lava fails on a failed case, on no case, on an unfinished job (lava-run said 0)" "$n of 3"

# --- device dictionaries --------------------------------------------------
if [ ! -f "$lava_schema" ]; then
	result skip "lava: device dictionaries pass lava-schema" "lava-dispatcher is not installed"
else
	/usr/bin/python3 "$lava_schema" device --no-render lava/devices/qemu-iog.yaml \
		lava/devices/board-iog.yaml >"$lava_dir/devices.out" 2>&1 &&
		! grep -q invalid "$lava_dir/devices.out"
	verdict $? "lava: the shipped device dictionaries pass lava-schema" ||
		sed 's/^/# /' "$lava_dir/devices.out"
	# The jinja2 form a lab loads into lava-server, rendered with the
	# server's qemu.jinja2 (the lava-server package, unpacked, never
	# installed).
	tmpl=$IOG_CACHE/lava/root/usr/share/lava-server/device-types
	if [ ! -f "$tmpl/qemu.jinja2" ]; then
		(mkdir -p "$IOG_CACHE/lava" && cd "$IOG_CACHE/lava" &&
			apt-get download lava-server >/dev/null 2>&1 &&
			dpkg-deb -x lava-server_*.deb root && rm -f lava-server_*.deb) || true
	fi
	if [ ! -f "$tmpl/qemu.jinja2" ]; then
		result skip "lava: qemu-iog.jinja2 renders with lava-server's qemu.jinja2" \
			"lava-server's templates not in $IOG_CACHE/lava (apt-get download lava-server failed)"
	else
		/usr/bin/python3 "$lava_schema" device --path "$tmpl" --path lava/devices \
			lava/devices/qemu-iog.jinja2 >"$lava_dir/jinja.out" 2>&1 &&
			! grep -q invalid "$lava_dir/jinja.out"
		verdict $? "lava: qemu-iog.jinja2 renders with lava-server's qemu.jinja2 and passes lava-schema" ||
			sed 's/^/# /' "$lava_dir/jinja.out"
	fi
fi

# --- every generated job ----------------------------------------------------
# lava_validate NAME JOB DEVICE: schema check, then lava-run --validate
# (root only); output in $lava_dir/NAME.*.  Returns 0 valid, 1 invalid,
# 2 when lava-run could not be asked.
lava_validate_id=$((900000 + $$ % 1000 * 200))
lava_validate()
{
	local name=$1 job=$2 device=$3
	/usr/bin/python3 "$lava_schema" job "$job" >"$lava_dir/$name.schema" 2>&1 || return 1
	grep -q invalid "$lava_dir/$name.schema" && return 1
	[ "$(id -u)" -eq 0 ] || return 2
	lava_validate_id=$((lava_validate_id + 1))	# a scratch folder per id
	printf 'dispatcher_ip: 127.0.0.1\n' >"$lava_dir/dispatcher.yaml"
	lava-run --validate --job-id "$lava_validate_id" --output-dir "$lava_dir/out-$name" \
		--device "$device" --dispatcher "$lava_dir/dispatcher.yaml" "$job" \
		>"$lava_dir/$name.validate" 2>&1 || return 1
	grep -q '"case": "validate", "definition": "lava", "result": "pass"' "$lava_dir/$name.validate"
}

if [ ! -f "$lava_schema" ] || ! command -v lava-run >/dev/null; then
	result skip "lava: generated jobs validate" "lava-dispatcher is not installed (harness/deps.sh test)"
else
	# Generate every job, two at a time.  Only q35-acs builds its guest
	# image (checked below); the others validate with a stand-in, which
	# keeps a cold image cache out of the budget.
	t0=$SECONDS
	topos=()
	for f in topologies/*.topo; do
		t=${f##*/}
		topos+=("${t%.topo}")
	done
	for t in "${topos[@]}"; do
		while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n; done
		stub=1
		[ "$t" != q35-acs ] || stub=
		(TOPOLOGY=$t LAVA_JOB_DIR=$lava_dir/job-$t LAVA_JOB_STUB=$stub harness/lava-job.sh \
			>"$lava_dir/gen-$t.out" 2>&1; echo $? >"$lava_dir/gen-$t.rc") &
	done
	(BOARD=generic-board LAVA_JOB_DIR=$lava_dir/job-board harness/lava-job.sh \
		>"$lava_dir/gen-board.out" 2>&1; echo $? >"$lava_dir/gen-board.rc") &
	wait
	note "generated ${#topos[@]} qemu jobs and a board job in $((SECONDS - t0))s"

	why_root="not root: lava-run --validate refuses other users (schema checked only)"
	# Validate them, two at a time; q35-acs also against the dictionary
	# as shipped (what lava-server holds before it renders a job's
	# context).
	t0=$SECONDS
	i=0
	for t in "${topos[@]}" board; do
		[ "$(cat "$lava_dir/gen-$t.rc" 2>/dev/null)" = 0 ] || continue
		i=$((i + 1))
		while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n; done
		d=$lava_dir/job-$t
		(
			lava_validate_id=$((lava_validate_id + i * 10))
			lava_validate "$t" "$d/job.yaml" "$d/device.yaml"
			rc=$?
			if [ $rc = 0 ] && [ "$t" = q35-acs ]; then
				lava_validate "$t-shipped" "$d/job.yaml" lava/devices/qemu-iog.yaml
				rc=$?
			fi
			echo $rc >"$lava_dir/val-$t.rc"
		) &
	done
	wait
	note "validated them in $((SECONDS - t0))s"
	for t in "${topos[@]}" board; do
		name="lava: generated job validates: ${t/board/BOARD=generic-board (host mode)}"
		if [ "$(cat "$lava_dir/gen-$t.rc" 2>/dev/null)" != 0 ]; then
			tail -n 5 "$lava_dir/gen-$t.out" | sed 's/^/# /'
			result fail "$name" "lava-job.sh failed"
			continue
		fi
		case $(cat "$lava_dir/val-$t.rc" 2>/dev/null) in
		0) result pass "$name" ;;
		2) result skip "$name" "$why_root" ;;
		*)
			cat "$lava_dir/$t".schema "$lava_dir/$t"-shipped.schema 2>/dev/null | sed 's/^/# /'
			grep -h '"lvl": "error"\|error_msg' "$lava_dir/$t".validate "$lava_dir/$t"-shipped.validate 2>/dev/null |
				head -n 5 | sed 's/^/# /'
			result fail "$name"
			;;
		esac
	done

	# The job waits for the prompt the LAVA image's /init gives its shell,
	# and the image is the LAVA variant (mode file, converter).
	d=$lava_dir/job-q35-acs
	p=$(sed -n "/^    prompts:/{n;s/^    - '\(.*\)'$/\1/p}" "$d/job.yaml")
	[ -n "$p" ] && grep -qF "PS1='$p'" harness/guest-init.sh &&
		gzip -dc "$d/initrd.cpio.gz" | cpio -it --quiet 2>/dev/null |
		grep -qx 'bin/lava-cases' &&
		[ "$(cd "$lava_dir" && gzip -dc "$d/initrd.cpio.gz" |
			cpio -i --quiet --to-stdout etc/iog/mode 2>/dev/null)" = lava ]
	verdict $? "lava: the job's prompt is the LAVA image's shell prompt; the image carries the converter" "prompt '$p'"

	# Negative controls: lava-dispatcher must reject a broken job.
	# lava_reject NAME SED-SCRIPT [DEVICE]: the q35-acs job mutated (or as
	# it is, on another device dictionary).
	lava_reject()
	{
		local name=$1 script=$2 device=${3:-$d/device.yaml} rc slug
		slug=bad-${name//[^A-Za-z0-9]/-}
		sed "$script" "$d/job.yaml" >"$lava_dir/$slug.yaml"
		if [ -n "$script" ] && cmp -s "$d/job.yaml" "$lava_dir/$slug.yaml"; then
			result fail "negative control: lava rejects $name" "the mutation changed nothing"
			return
		fi
		lava_validate "$slug" "$lava_dir/$slug.yaml" "$device"
		rc=$?
		case $rc in
		1) result pass "negative control: lava rejects $name" ;;
		2) result skip "negative control: lava rejects $name" "$why_root" ;;
		*) result fail "negative control: lava rejects $name" "it validated" ;;
		esac
	}
	if [ "$(cat "$lava_dir/gen-q35-acs.rc" 2>/dev/null)" = 0 ]; then
		# (A job without a deploy action is valid to LAVA: it is no
		# control.)
		lava_reject "a job with a misspelt key (imagess)" 's/^    images:$/    imagess:/'
		lava_reject "a job without boot prompts" '/^    prompts:$/,/^- test:/{/^- test:/!d}'
		lava_reject "a job deploying to a method the device lacks (tftp)" 's/^    to: tmpfs$/    to: tftp/'
		lava_reject "the qemu job on the board's device dictionary" '' lava/devices/board-iog.yaml
	else
		result fail "negative control: lava rejects broken jobs" "no q35-acs job to mutate"
	fi
fi
