// SPDX-License-Identifier: GPL-2.0-only
/*
 * kselftest_harness.h for a file of helpers rather than tests: suites/lib/
 * and the other files of a program built from several (domain_attach/).
 * Include it first.  Such a file's functions take
 * struct __test_metadata *_metadata and use ASSERT_, EXPECT_, TH_LOG and
 * SKIP, which need nothing else: an ASSERT longjmps through _metadata->env
 * back into the test, whichever file it is in.
 *
 * Why a header of its own: the harness is written for one translation
 * unit.  It keeps its fixture and test lists in static variables, so a
 * TEST registered in another file would never run (TEST_HARNESS_MAIN's
 * file sees only its own); registration is poisoned here.  And it defines
 * _fixture_global, __active_test, __run_test and __wait_for_test with
 * external linkage, which a second copy would define twice at link time:
 * here they are weak, so the copy in the file with TEST_HARNESS_MAIN is
 * the one linked.  Its static functions, unused here, warn not: it is an
 * -isystem header.
 */
#ifndef IOG_KSFT_HELPERS_H
#define IOG_KSFT_HELPERS_H

#include "kselftest_harness.h"

#pragma weak _fixture_global
#pragma weak __active_test
#pragma weak __run_test
#pragma weak __wait_for_test

#undef TEST
#undef TEST_SIGNAL
#undef TEST_F
#undef TEST_F_SIGNAL
#undef TEST_F_TIMEOUT
#undef FIXTURE
#undef FIXTURE_SETUP
#undef FIXTURE_TEARDOWN
#undef FIXTURE_TEARDOWN_PARENT
#undef FIXTURE_VARIANT_ADD
#undef XFAIL_ADD
#undef TEST_HARNESS_MAIN
#pragma GCC poison TEST TEST_SIGNAL TEST_F TEST_F_SIGNAL TEST_F_TIMEOUT
#pragma GCC poison FIXTURE FIXTURE_SETUP FIXTURE_TEARDOWN
#pragma GCC poison FIXTURE_TEARDOWN_PARENT FIXTURE_VARIANT_ADD
#pragma GCC poison XFAIL_ADD TEST_HARNESS_MAIN

#endif /* IOG_KSFT_HELPERS_H */
