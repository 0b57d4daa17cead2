# Tern: build, run and check. See README.md.
#
#   make          build build/tern.elf and build/tern.iso
#   make run      boot Tern under QEMU with its default guests, console on stdout
#   make check    install what is missing, build, run every test
#   make unit     host unit tests only (cmocka, ASan+UBSan)
#   make format   clang-format every C file

.DEFAULT_GOAL := all
.SECONDEXPANSION:
SHELL := /bin/bash
BUILD := build
CC := gcc
LD := ld
NASM := nasm
HOSTCC := gcc

# Every kernel C and NASM source below these folders is part of the kernel.
KERNEL_DIRS := boot kernel arch mm lib virt
KSRC_C := $(sort $(shell find $(KERNEL_DIRS) -name '*.c' 2>/dev/null))
KSRC_ASM := $(sort $(shell find $(KERNEL_DIRS) -name '*.asm' 2>/dev/null))
KOBJS := $(patsubst %.c,$(BUILD)/k/%.o,$(KSRC_C)) $(patsubst %.asm,$(BUILD)/k/%.o,$(KSRC_ASM))

KCFLAGS := -std=gnu11 -O2 -g -ffreestanding -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-mcmodel=kernel -mno-red-zone -fno-pic -fno-pie -mgeneral-regs-only \
	-fno-stack-protector -fno-omit-frame-pointer -fno-optimize-sibling-calls \
	-fno-asynchronous-unwind-tables -fcf-protection=none -fno-strict-aliasing \
	-Wall -Wextra -Werror -Wno-address-of-packed-member -I. -DTERN_KERNEL -MMD -MP
NASMFLAGS := -f elf64 -g -F dwarf -w+all -I.
LDFLAGS := -nostdlib -T linker.ld -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments

# Default kernel command line of build/tern.iso (tern-run passes its own).
TERN_CMDLINE ?= selftest=all

all: $(BUILD)/tern.elf $(BUILD)/tern.iso

$(BUILD)/k/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/k/%.o: %.asm
	@mkdir -p $(@D)
	@echo "  NASM    $<"
	@$(NASM) $(NASMFLAGS) -MD $(@:.o=.d) -MP $< -o $@

# Two-pass link: the symbol table used by panic backtraces is generated from
# the first link and placed after .data, so no text address moves.
$(BUILD)/ksyms0.o: tools/ksyms-empty.asm
	@mkdir -p $(@D)
	@$(NASM) $(NASMFLAGS) $< -o $@

$(BUILD)/tern.pass1.elf: $(KOBJS) $(BUILD)/ksyms0.o linker.ld
	@echo "  LD      $@"
	@$(LD) $(LDFLAGS) -o $@ $(KOBJS) $(BUILD)/ksyms0.o

$(BUILD)/ksyms.asm: $(BUILD)/tern.pass1.elf tools/gen-ksyms
	@tools/gen-ksyms $< > $@

$(BUILD)/ksyms.o: $(BUILD)/ksyms.asm
	@$(NASM) $(NASMFLAGS) $< -o $@

$(BUILD)/tern.elf: $(KOBJS) $(BUILD)/ksyms.o linker.ld tools/check-image
	@echo "  LD      $@"
	@$(LD) $(LDFLAGS) -o $@.tmp $(KOBJS) $(BUILD)/ksyms.o
	@tools/check-image $(BUILD)/tern.pass1.elf $@.tmp
	@mv $@.tmp $@

$(BUILD)/tern.iso: $(BUILD)/tern.elf tools/mkiso
	@echo "  ISO     $@"
	@tools/mkiso --out $@ --kernel $(BUILD)/tern.elf --cmdline "$(TERN_CMDLINE)" >/dev/null

deps:
	@tools/install-deps

run: deps all
	@tools/tern-run --svm --cpus 2 --mem 512M

check: deps
	@$(MAKE) --no-print-directory all
	@tools/check

bench: deps all
	@tools/bench

format:
	@clang-format -i $$(find $(KERNEL_DIRS) tests guest -name '*.[ch]' 2>/dev/null)

clean:
	rm -rf $(BUILD)

# ---- host unit tests (cmocka, ASan + UBSan) ----
# Each tests/unit/*.mk adds a name to UNIT_TESTS and sets test_<name>_SRCS.
UNIT_TESTS :=
include $(wildcard tests/unit/*.mk)

# ---- guest payloads (guest/guest.mk) ----
-include guest/guest.mk

HOSTCFLAGS := -std=gnu11 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -Wall -Wextra -Werror -Wno-address-of-packed-member \
	-I. -Itests/unit -DTERN_HOSTED -MMD -MP
UNIT_BINS := $(addprefix $(BUILD)/unit/test_,$(UNIT_TESTS))

$(BUILD)/unit/test_%: $$(test_%_SRCS)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@$(HOSTCC) $(HOSTCFLAGS) -MF $(BUILD)/unit/dep-$*.d $(test_$*_SRCS) -o $@ -lcmocka $(test_$*_LIBS)

unit-build: $(UNIT_BINS)
unit: deps unit-build
	@tools/run-unit $(UNIT_BINS)

-include $(KOBJS:.o=.d) $(wildcard $(BUILD)/unit/dep-*.d)
.PHONY: all deps run check bench format clean unit unit-build
