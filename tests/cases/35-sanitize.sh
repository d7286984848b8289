# SPDX-License-Identifier: GPL-2.0-only
# Sourced by tests/run.sh: `make check SANITIZE=1`, the guest suites built
# with ASan and UBSan (build/guest-san), on the q35-acs devices with the
# suites that need no test module; and its negative control, a suite whose
# undefined behaviour only the sanitizer report can catch.

san_topo=$(acs_only san sysfs_layout grouping abi_doc)
name="SANITIZE=1: the suites run under ASan and UBSan in the guest and pass"
if check_run san 0 TOPOLOGY="$san_topo" KERNEL=debian-6.12 SANITIZE=1 &&
	grep -q 'SANITIZE=1' "$(last_report)/report.json" &&
	grep -qE '^ok [0-9]+ grouping$' "$(last_report)/report.ktap" &&
	! grep -q 'sanitizer' "$(last_report)/report.ktap" &&
	[ -x build/guest-san/grouping ] &&
	ldd build/guest-san/grouping | grep -q libasan; then
	result pass "$name"
else
	result fail "$name" "see $(last_report)"
fi

# Negative control: san_probe overflows an int, which UBSan (recovering)
# reports while the test passes, and leaks a block, which LeakSanitizer
# reports at exit: both reports must show in the KTAP and fail the suite.
san_bad=$work/guest-san-bad
mkdir -p "$san_bad"
name="negative control: a sanitizer report fails the suite, quoted in the KTAP"
if ! ${CC:-gcc} -std=gnu11 -Wall -Wextra -Werror -fsanitize=address,undefined \
	-fsanitize-recover=undefined -o "$san_bad/san_probe" tests/sanitize/san_probe.c; then
	result fail "$name" "tests/sanitize/san_probe.c does not build"
else
	sed 's/^suites .*/suites san_probe/' "$san_topo" >"$work/san-bad.topo"
	if check_run san-bad 1 TOPOLOGY="$work/san-bad.topo" KERNEL=debian-6.12 \
		SANITIZE=1 IOG_GUEST_BUILD="$san_bad" &&
		grep -qE '^not ok [0-9]+ san_probe$' "$(last_report)/report.ktap" &&
		grep -q 'sanitizer: .*runtime error: signed integer overflow' "$(last_report)/report.ktap" &&
		grep -q 'sanitizer: .*LeakSanitizer: detected memory leaks' "$(last_report)/report.ktap"; then
		result pass "$name"
	else
		result fail "$name" "see $(last_report)"
	fi
fi
