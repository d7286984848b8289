# SPDX-License-Identifier: GPL-2.0-only
#
# libFuzzer targets, one per parser (fuzz/README.md).  Included by the
# Makefile after LIB_SRCS and MODEL_SRCS.  Everything is built with clang
# into build/fuzz/, apart from the other flavours.
#
#   make fuzz-build        build/fuzz/fuzz_<target> for every fuzz/fuzz_*.c
#   make fuzz FUZZ_S=60    run each target FUZZ_S seconds (FUZZ_TARGETS=...)

FUZZ_CC ?= clang
FUZZ_S ?= 60
FUZZ_TARGETS ?=
FUZZ_DIR := $(B)/fuzz
FUZZ_SRCS := $(wildcard fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst fuzz/%.c,$(FUZZ_DIR)/%,$(FUZZ_SRCS))
# The negative control: fuzz_topo aborting on a marker input (fuzz.h).
FUZZ_SELFTEST := $(FUZZ_DIR)/selftest/fuzz_topo
FUZZ_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -g -O1 \
	-fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all -Iharness/lib -Iharness/model -Ifuzz
FUZZ_OBJS := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(LIB_SRCS) $(MODEL_SRCS))

.PHONY: fuzz fuzz-build

fuzz-build: $(FUZZ_BINS) $(FUZZ_SELFTEST)

# Library and model with coverage for libFuzzer, without its main().
$(FUZZ_DIR)/obj/%.o: %.c $(LIB_HDRS) $(MODEL_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/libiog-fuzz.a: $(FUZZ_OBJS)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h $(LIB_HDRS) $(MODEL_HDRS) $(FUZZ_DIR)/libiog-fuzz.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_DIR)/libiog-fuzz.a $(PCI_LIBS) -lm

$(FUZZ_SELFTEST): fuzz/fuzz_topo.c fuzz/fuzz.h $(LIB_HDRS) $(MODEL_HDRS) $(FUZZ_DIR)/libiog-fuzz.a
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -DFUZZ_SELFTEST_CRASH -fsanitize=fuzzer -o $@ $< $(FUZZ_DIR)/libiog-fuzz.a $(PCI_LIBS) -lm

# Seeds for the report JSON targets are made by iog-report from the KTAP
# fixtures, hence the host tools.
fuzz: host-tools
	@$(MAKE) --no-print-directory -j$(NPROC) fuzz-build
	@fuzz/run.sh fuzz $(FUZZ_S) $(FUZZ_TARGETS)
