#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Extract kselftest_harness.h (and kselftest.h, which it includes) from
# Debian's linux-source-6.12 into DIR, and in the same pass the kernel's
# runner (run_kselftest.sh, kselftest/) that harness/kselftest-install.sh
# installs.  Never copied into the repository.
set -euo pipefail
. "$(dirname "$0")/common.sh"
dir=${1:?usage: kselftest.sh DIR}
tarball=$(ls /usr/src/linux-source-6.12.tar.* 2>/dev/null | head -n1 || true)
if [ -z "$tarball" ]; then
	echo "kselftest.sh: /usr/src/linux-source-6.12.tar.* not found;" \
		"install it with: apt-get install linux-source-6.12" >&2
	exit 1
fi
cache_dir "$(dirname "$dir")"
tmp=$(mktemp -d "${dir%/}.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
tar -xf "$tarball" -C "$tmp" --strip-components=4 \
	linux-source-6.12/tools/testing/selftests/kselftest_harness.h \
	linux-source-6.12/tools/testing/selftests/kselftest.h \
	linux-source-6.12/tools/testing/selftests/run_kselftest.sh \
	linux-source-6.12/tools/testing/selftests/kselftest
rm -rf "$dir"
mv -T "$tmp" "$dir"
trap - EXIT
