# SPDX-License-Identifier: GPL-2.0-only
#
# IOMMU-groups conformance suite.  `make help` lists targets and variables.

TOPOLOGY ?= q35-acs
KERNEL ?= debian-6.12
MODULES ?=
KERNEL_SRC ?=
KERNEL_SRC_KASAN ?=
export KERNEL_SRC KERNEL_SRC_KASAN
TIMEOUT ?=
IOG_CACHE ?= $(HOME)/.cache/iommu-groups-ct
ifeq ($(strip $(IOG_CACHE)),)
override IOG_CACHE := $(HOME)/.cache/iommu-groups-ct
endif
# A quoted "~/..." is the home; a relative path is taken from here (the
# scripts run elsewhere too).  harness/deps.sh makes the directory.
override IOG_CACHE := $(abspath $(patsubst ~/%,$(HOME)/%,$(patsubst ~,$(HOME),$(IOG_CACHE))))
RESULTS ?= results
IOMMU ?=
QEMU_DEVICES ?=
GUEST_MODULES ?=
STRICT ?=
DESTRUCTIVE ?=
IOG_TESTMOD_PARAMS ?=
IOG_EDU_MAP_PROBE ?=
IOG_BASELINE ?=
IOG_THROUGHPUT_FORM ?=
IOG_THROUGHPUT_ROUNDS ?=
IOG_THROUGHPUT_SECONDS ?=
IOG_THROUGHPUT_STALL_S ?=
IOG_THROUGHPUT_CORRUPT ?=
MATRIX_TOPOLOGIES ?=
MATRIX_KERNELS ?=
MATRIX_JOBS ?=
export TOPOLOGY KERNEL MODULES TIMEOUT IOG_CACHE RESULTS IOMMU QEMU_DEVICES \
	GUEST_MODULES STRICT DESTRUCTIVE IOG_TESTMOD_PARAMS IOG_EDU_MAP_PROBE \
	IOG_BASELINE IOG_THROUGHPUT_FORM IOG_THROUGHPUT_ROUNDS IOG_THROUGHPUT_SECONDS IOG_THROUGHPUT_STALL_S \
	IOG_THROUGHPUT_CORRUPT MATRIX_TOPOLOGIES MATRIX_KERNELS MATRIX_JOBS

CC ?= gcc
NPROC := $(shell nproc 2>/dev/null || echo 2)
B := build
KSFT_DIR := $(IOG_CACHE)/kselftest-6.12
KSFT_H := $(KSFT_DIR)/kselftest_harness.h
# The 6.12 UAPI (linux/iommufd.h, vfio.h): Debian 12's linux-libc-dev is 6.1's.
UAPI_DIR := $(IOG_CACHE)/uapi-6.12
UAPI_H := $(UAPI_DIR)/linux/iommufd.h

# -D_GNU_SOURCE: the guest suites use asprintf, openat and friends.
CFLAGS_BASE := -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Iharness/lib -g
# The harness header is taken from linux-source at build time; -isystem
# keeps its own unused parameters out of -Wextra -Werror.
KSFT_CFLAGS := -isystem $(KSFT_DIR)
HOST_CFLAGS := $(CFLAGS_BASE) -O2
# Guest suites link the model, hence libpci; Debian ships no libpci.a, so
# they are dynamic and the image builder carries their libraries.
GUEST_CFLAGS := $(CFLAGS_BASE) -O2 -isystem $(UAPI_DIR)
SAN_CFLAGS := $(CFLAGS_BASE) -O1 -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all

LIB_SRCS := $(wildcard harness/lib/*.c)
LIB_HDRS := $(wildcard harness/lib/*.h)
# The reference model reads config space through libpci.  Debian ships no
# libpci.a, so whatever links the model links libpci dynamically.
MODEL_SRCS := $(wildcard harness/model/*.c)
MODEL_HDRS := $(wildcard harness/model/*.h)
PCI_LIBS := -lpci
HOST_TOOLS := $(patsubst harness/%.c,$(B)/host/%,$(wildcard harness/iog*.c))
SUITES := $(patsubst suites/%.c,$(B)/guest/%,$(wildcard suites/*.c))
UNIT_TESTS := $(patsubst tests/unit/%.c,$(B)/san/%,$(wildcard tests/unit/test_*.c))

.PHONY: all build host-tools suites unit-tests check test bench deps help \
	clean format install matrix compare lava-job test-lava kselftest-install \
	kselftest-tarball ksft-suites

all: build

build: host-tools suites

host-tools: $(HOST_TOOLS)
suites: $(SUITES)
unit-tests: $(UNIT_TESTS)

$(KSFT_H):
	harness/kselftest.sh "$(KSFT_DIR)"

$(UAPI_H):
	harness/uapi.sh "$(UAPI_DIR)"

# The library and the model are compiled once per flavour into an archive
# that every program of that flavour links.
LIB_OBJS = $(patsubst %.c,$(B)/obj/$(1)/%.o,$(LIB_SRCS) $(MODEL_SRCS))

$(B)/obj/opt/%.o: %.c $(LIB_HDRS) $(MODEL_HDRS) $(wildcard harness/*/*.h)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Iharness/model -c -o $@ $<

$(B)/obj/san/%.o: %.c $(LIB_HDRS) $(MODEL_HDRS)
	@mkdir -p $(@D)
	$(CC) $(SAN_CFLAGS) -Iharness/model -c -o $@ $<

$(B)/libiog-opt.a: $(call LIB_OBJS,opt)
	rm -f $@ && ar rcs $@ $^

$(B)/libiog-san.a: $(call LIB_OBJS,san)
	rm -f $@ && ar rcs $@ $^

# A host tool is harness/NAME.c linked with its own harness/NAME/*.c, if
# it has any (one file per command of a tool with several).
host_objs = $(patsubst %.c,$(B)/obj/opt/%.o,$(wildcard harness/$(1)/*.c))
HOST_HDRS := $(wildcard harness/*/*.h)

.SECONDEXPANSION:
$(B)/host/%: harness/%.c $$(call host_objs,$$*) $(LIB_HDRS) $(MODEL_HDRS) $(HOST_HDRS) $(B)/libiog-opt.a
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Iharness/model -o $@ $< $(call host_objs,$*) $(B)/libiog-opt.a $(PCI_LIBS) -lm

# A suite program is one suites/NAME.c, the file that registers its tests
# (the harness keeps its lists per translation unit: suites/ksft_helpers.h),
# linked with every suites/lib/*.c and with its own suites/NAME/*.c and
# $(NAME_SRCS).  The objects go under build/obj/guest (the ksft flavour
# compiles alike) and build/obj/guest-san, never beside the programs:
# harness/image.sh and kselftest-install.sh take every file there as one.
SUITE_LIB_SRCS := $(wildcard suites/lib/*.c)
SUITE_HDRS := $(wildcard suites/*.h suites/*/*.h) $(wildcard drivers/*/*.[ch]) \
	$(LIB_HDRS) $(MODEL_HDRS)
domain_attach_SRCS := drivers/edu/edu.c
# suite_objs FLAVOUR NAME: what program NAME links besides suites/NAME.c.
suite_objs = $(patsubst %.c,$(B)/obj/$(1)/%.o,$(SUITE_LIB_SRCS) $(wildcard suites/$(2)/*.c) $($(2)_SRCS))
# All of them, kept rather than deleted as intermediates after a link.
SUITE_NAMES := $(patsubst suites/%.c,%,$(wildcard suites/*.c))
SUITE_OBJ_SRCS := $(wildcard suites/*/*.c) $(foreach s,$(SUITE_NAMES),$($(s)_SRCS))
.SECONDARY: $(foreach f,guest guest-san,$(patsubst %.c,$(B)/obj/$(f)/%.o,$(SUITE_OBJ_SRCS)))

$(B)/obj/guest/%.o: %.c $(SUITE_HDRS) $(KSFT_H) $(UAPI_H)
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) $(KSFT_CFLAGS) -Isuites -Iharness/model -c -o $@ $<

$(B)/guest/%: suites/%.c $$(call suite_objs,guest,$$*) $(SUITE_HDRS) $(B)/libiog-opt.a $(KSFT_H) $(UAPI_H)
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) $(KSFT_CFLAGS) -Isuites -Iharness/model -o $@ $< $(call suite_objs,guest,$*) $(B)/libiog-opt.a $(PCI_LIBS) -lm

# A unit test program is tests/unit/test_NAME.c linked with the helpers
# every test shares (tests/unit/lib/*.c).
UNIT_LIB_OBJS := $(patsubst %.c,$(B)/obj/san/%.o,$(wildcard tests/unit/lib/*.c))
.SECONDARY: $(UNIT_LIB_OBJS)

$(B)/obj/san/tests/unit/lib/%.o: tests/unit/lib/%.c $(wildcard tests/unit/*.h) $(LIB_HDRS) $(MODEL_HDRS) $(KSFT_H)
	@mkdir -p $(@D)
	$(CC) $(SAN_CFLAGS) $(KSFT_CFLAGS) -Isuites -Itests/unit -Iharness/model -c -o $@ $<

$(B)/san/%: tests/unit/%.c $(UNIT_LIB_OBJS) $(wildcard tests/unit/*.h) $(LIB_HDRS) $(MODEL_HDRS) $(B)/libiog-san.a $(KSFT_H)
	@mkdir -p $(@D)
	$(CC) $(SAN_CFLAGS) $(KSFT_CFLAGS) -Isuites -Itests/unit -Iharness/model -o $@ $< $(UNIT_LIB_OBJS) $(UNIT_EXTRA_OBJS) $(B)/libiog-san.a $(PCI_LIBS) -lm

# test_td_busy also links the suites' own library (suites/lib), built with
# the unit tests' sanitizers.
UNIT_SUITE_LIB_OBJS := $(patsubst %.c,$(B)/obj/san/%.o,$(SUITE_LIB_SRCS))
.SECONDARY: $(UNIT_SUITE_LIB_OBJS)
$(B)/obj/san/suites/lib/%.o: suites/lib/%.c $(SUITE_HDRS) $(KSFT_H) $(UAPI_H)
	@mkdir -p $(@D)
	$(CC) $(SAN_CFLAGS) $(KSFT_CFLAGS) -Isuites -Iharness/model -c -o $@ $<
$(B)/san/test_td_busy: $(UNIT_SUITE_LIB_OBJS)
$(B)/san/test_td_busy: UNIT_EXTRA_OBJS = $(UNIT_SUITE_LIB_OBJS)

# make check SANITIZE=1: the guest suites with ASan and UBSan in
# build/guest-san, dynamically linked like the others (the image builder
# carries libasan and libubsan with the rest of their libraries).  A
# sanitizer report fails the suite (harness/run-suites.sh).
SANITIZE ?=
IOG_ABI_DOCS ?=
export SANITIZE IOG_ABI_DOCS
# The optimisation of the plain build (GUEST_CFLAGS): at -O1 the
# instrumentation sets off -Wformat-truncation and -Wstringop-overread on
# code that -O2 proves safe.
GUEST_SAN_FLAGS := -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all
SAN_SUITES := $(patsubst suites/%.c,$(B)/guest-san/%,$(wildcard suites/*.c))
.PHONY: suites-san
suites-san: $(SAN_SUITES)

$(B)/obj/guest-san/%.o: %.c $(SUITE_HDRS) $(KSFT_H) $(UAPI_H)
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) $(GUEST_SAN_FLAGS) $(KSFT_CFLAGS) -Isuites -Iharness/model -c -o $@ $<

$(B)/guest-san/%: suites/%.c $$(call suite_objs,guest-san,$$*) $(SUITE_HDRS) $(B)/libiog-san.a $(KSFT_H) $(UAPI_H)
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) $(GUEST_SAN_FLAGS) $(KSFT_CFLAGS) -Isuites -Iharness/model -o $@ $< $(call suite_objs,guest-san,$*) $(B)/libiog-san.a $(PCI_LIBS) -lm

# The suites as a kselftest collection (harness/kselftest-install.sh): the
# same programs, found their libraries in lib/ beside them ($ORIGIN;
# old-style RPATH so that libpci's own dependencies are found there too).
KSFT_SUITES := $(patsubst suites/%.c,$(B)/ksft/%,$(wildcard suites/*.c))
ksft-suites: $(KSFT_SUITES)

$(B)/ksft/%: suites/%.c $$(call suite_objs,guest,$$*) $(SUITE_HDRS) $(B)/libiog-opt.a $(KSFT_H) $(UAPI_H)
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) $(KSFT_CFLAGS) -Isuites -Iharness/model -o $@ $< $(call suite_objs,guest,$*) $(B)/libiog-opt.a $(PCI_LIBS) -lm \
		-Wl,--disable-new-dtags,-rpath,'$$ORIGIN/lib'

deps:
	@harness/deps.sh

# The main job: boot $(TOPOLOGY) on $(KERNEL), run the suites, write a report.
check:
	@harness/deps.sh $(if $(KERNEL_SRC),kernel-src)
	@$(MAKE) --no-print-directory -j$(NPROC) build $(if $(filter-out 0,$(SANITIZE)),suites-san)
	@harness/check.sh

# The package's own tests: unit tests under ASan/UBSan, integration boots,
# negative controls.  Ends with "N passed, N failed".
test:
	@harness/deps.sh test kernel-src
	@$(MAKE) --no-print-directory -j$(NPROC) build unit-tests
	@tests/run.sh

# Every topology on both packaged kernels (and KERNEL= when another), in
# parallel: results/matrix-<timestamp>/matrix.{md,html}.
matrix:
	@harness/deps.sh plots
	@$(MAKE) --no-print-directory -j$(NPROC) build
	@harness/matrix.sh

# What changed between two runs or matrices; exit 1 on a regression.
compare: host-tools
	@test -n "$(BASE)" -a -n "$(NEW)" || { echo "usage: make compare BASE=dir NEW=dir" >&2; exit 2; }
	@$(B)/host/iog-compare $(if $(TOLERANCE),--tolerance $(TOLERANCE)) "$(BASE)" "$(NEW)"

# BENCH_PARTS=scale boots nothing: the host tools are enough.
bench:
	@harness/deps.sh
	@$(MAKE) --no-print-directory -j$(NPROC) $(if $(filter-out scale,$(BENCH_PARTS)),build,$(if $(BENCH_PARTS),host-tools,build))
	@harness/bench.sh

# A LAVA job for TOPOLOGY on KERNEL (qemu device type), or BOARD=name for a
# lab board in host mode: results/lava-<...>/ (job.yaml, testdef.yaml,
# device.yaml).
lava-job:
	@harness/deps.sh
	@$(MAKE) --no-print-directory -j$(NPROC) build
	@harness/lava-job.sh

# The TOPOLOGY (default q35-acs) job run by lava-run on this machine (root).
test-lava:
	@harness/deps.sh test
	@$(MAKE) --no-print-directory -j$(NPROC) build
	@harness/test-lava.sh

# make kselftest-install INSTALL_PATH=dir: the collection iommu_groups laid
# out as the kernel's `make -C tools/testing/selftests install` lays out
# its own (KSELFTEST_DESTRUCTIVE=1 lists the suites that change the
# machine too).  make kselftest-tarball: that, packed as the kernel's
# gen_tar packs it, into INSTALL_PATH/kselftest-packages/kselftest.tar.gz
# (INSTALL_PATH default build/kselftest_install).
INSTALL_PATH ?=
KSELFTEST_DESTRUCTIVE ?=
KSELFTEST_DIR ?=
export KSELFTEST_DESTRUCTIVE KSELFTEST_DIR
kselftest-install:
	@harness/deps.sh
	@$(MAKE) --no-print-directory -j$(NPROC) ksft-suites
	@harness/kselftest-install.sh "$(INSTALL_PATH)"

kselftest-tarball:
	@harness/deps.sh
	@$(MAKE) --no-print-directory -j$(NPROC) ksft-suites
	@harness/kselftest-install.sh --tarball "$(if $(INSTALL_PATH),$(INSTALL_PATH),$(B)/kselftest_install)"

PREFIX ?= /usr/local

# iogroups for a live machine or a lab board.
install: host-tools
	install -D -m 0755 $(B)/host/iogroups $(DESTDIR)$(PREFIX)/bin/iogroups
	install -D -m 0755 $(B)/host/iog-compare $(DESTDIR)$(PREFIX)/bin/iog-compare

format:
	clang-format -i $(LIB_SRCS) $(LIB_HDRS) harness/*.c suites/*.[ch] suites/*/*.[ch] tests/unit/*.[ch]

clean:
	rm -rf $(B)

help:
	@echo 'Targets:'
	@echo '  check      boot TOPOLOGY on KERNEL in QEMU, run the suites, write results/<run>/'
	@echo '  test       the package'"'"'s own tests (unit tests under ASan+UBSan, QEMU boots)'
	@echo '  matrix     every topology x {debian-6.1, debian-6.12} (+ KERNEL=bzImage), nproc runs at a time'
	@echo '  compare    BASE=dir NEW=dir [TOLERANCE=pct]: new failures, fixes, skips, measurements (exit 1 on a regression)'
	@echo '  bench      throughput per domain type, VFIO map/unmap rates, run wall time, iogroups predict at 100-10 000 devices (scale):'
	@echo '             one Markdown table each (BENCH_RUNS=5, BENCH_PARTS, BENCH_KERNELS, BENCH_SCALE_SIZES, BENCH_SCALE_RUNS=7)'
	@echo '  lava-job   write a LAVA job for TOPOLOGY on KERNEL (qemu device type) into results/lava-*/'
	@echo '             BOARD=devicetype [REPO=url]: the host-mode job for a lab board instead'
	@echo '  test-lava  run the TOPOLOGY (default q35-acs) LAVA job with lava-run here (root); exit 1 on a failed case'
	@echo '  kselftest-install  INSTALL_PATH=dir: the suites as the kselftest collection iommu_groups (KSELFTEST_DESTRUCTIVE=1: all suites)'
	@echo '  kselftest-tarball  [INSTALL_PATH=dir]: that, as INSTALL_PATH/kselftest-packages/kselftest.tar.gz (default build/kselftest_install)'
	@echo '  build      host tools (build/host) and guest suites (build/guest)'
	@echo '  install    install iogroups into $(PREFIX)/bin (default /usr/local)'
	@echo '  deps       install missing Debian packages (as root) or print the command'
	@echo '  format     clang-format the C sources (kernel style)'
	@echo '  clean      remove build/'
	@echo '  fuzz       FUZZ_S=60: run every libFuzzer target (fuzz/) FUZZ_S seconds; fuzz-build builds them'
	@echo 'Variables:'
	@echo '  TOPOLOGY=name|path   topology (topologies/NAME.topo or a file); default q35-acs'
	@echo '  KERNEL=debian-6.12|debian-6.1|/path/to/bzImage   guest kernel; default debian-6.12'
	@echo '  MODULES=/path/to/lib/modules/VER   modules for a KERNEL=bzImage'
	@echo '  KERNEL_SRC=tree    build that kernel source tree with kernel/iog.config (cached) and check on it'
	@echo '  KERNEL_SRC_KASAN=1  with KERNEL_SRC: add kernel/kasan.config'
	@echo '  QEMU_TRACE="event ..."  QEMU trace events (patterns as -trace takes them) into the run'"'"'s qemu-trace.log'
	@echo '  TIMEOUT=seconds      guest watchdog (default: the topology'"'"'s, else 180)'
	@echo '  TOPOLOGY=host        run the non-destructive suites on this machine (DESTRUCTIVE=1: all)'
	@echo '  [IOMMU=intel|amd|virtio] QEMU_DEVICES="-device ... -drive ... -netdev ... -object ..." [GUEST_MODULES="..."]'
	@echo '                       an ad-hoc topology; the reference model is the only oracle'
	@echo '  STRICT=1             ignore suites/known-deviations (listed failures stay failures)'
	@echo '  SANITIZE=1           guest suites built with ASan+UBSan (build/guest-san); a sanitizer report fails the suite'
	@echo '  IOG_ABI_DOCS=dir     abi_doc reads this Documentation/ABI-like directory instead of the kernel'"'"'s'
	@echo '  KSELFTEST_DIR=dir    run that installed kselftest collection with run_kselftest.sh in the guest'
	@echo '  IOG_CACHE=dir        kernels and headers cache; default ~/.cache/iommu-groups-ct'
	@echo '  RESULTS=dir          where run directories go; default results/'

# libFuzzer targets: make fuzz, make fuzz-build (fuzz/README.md).
include fuzz/fuzz.mk
