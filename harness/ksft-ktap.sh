#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# What the kernel's run_kselftest.sh prints for the iommu_groups collection
# (TAP 13, each test program's output prefixed "# ") as the KTAP that
# run-suites.sh prints (each suite's output nested four spaces deep, a
# result line per suite), for the report: `make check KSELFTEST_DIR=dir`
# runs the collection in the guest.  "# iog:" facts pass as they are.
#
# Usage: ksft-ktap.sh <RUN_KSELFTEST_OUTPUT >KTAP
awk '
	/^# iog: / { print; next }
	/^TAP version / && !started { print "KTAP version 1"; started = 1; next }
	/^1\.\.[0-9]+/ && !insuite { print; next }
	/^# (timeout set to|overriding timeout to) / { next }
	/^# selftests: iommu_groups: / {
		name = $0
		sub(/^# selftests: iommu_groups: /, "", name)
		print "    KTAP version 1"
		print "    # Subtest: " name
		insuite = 1
		next
	}
	/^(not )?ok [0-9]+ selftests: iommu_groups: / {
		line = $0
		sub(/selftests: iommu_groups: /, "", line)
		# The runner says why a program failed (exit=N, TIMEOUT): a
		# comment, not a directive the report knows.
		if (line ~ /^not ok/ && line ~ / # /) {
			why = line
			sub(/.* # /, "", why)
			sub(/ # .*/, "", line)
			print "    # run_kselftest.sh: " why
		}
		print line
		insuite = 0
		next
	}
	insuite && /^# / {
		s = substr($0, 3)
		if (s ~ /^TAP version /) next
		print "    " s
		next
	}
	insuite && /^#$/ { next }
	{ print }'
