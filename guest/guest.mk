# Tern guest payloads (included by the top Makefile).
#
#   make guests        build every payload into build/guest/
#   guest/run-bare     run them on bare QEMU TCG (no Tern) and report
#
# Each payload NAME is tests/NAME.c (64-bit, long mode) plus an optional
# tests/NAME.pm32.c run in 32-bit protected mode before long mode. The -m32
# objects are converted to ELF64 so one linker pass sees everything; the
# linked image is written as ELF32 (what multiboot v1 loaders and QEMU's
# -kernel accept), entered at _start in 32-bit protected mode.

GUEST_DIR := guest
GUEST_B := $(BUILD)/guest
GUEST_PAYLOADS := cpuid io msr modes exceptions hypercall memory virt_insns \
	hostile_ports hostile_msrs triple_fault fault_loop exitcost modules \
	demand memslot mmio_fast huge overcommit hotcold pressure
GUEST_MB2_PAYLOADS := cpuid
GUEST_RAW := realmode long64
# Module files for modules.elf (tools/guest-tests hands them to it).
GUEST_MODFILES := $(GUEST_B)/mod1.txt $(GUEST_B)/mod2.bin

GUEST_COMMON_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -nostdinc \
	-isystem $(shell $(CC) -print-file-name=include) -fno-pic -fno-pie -nostdlib \
	-mno-red-zone -mgeneral-regs-only -fno-stack-protector -fno-asynchronous-unwind-tables \
	-fcf-protection=none -fno-strict-aliasing -fno-builtin -Wall -Wextra -Werror \
	-I$(GUEST_DIR)/lib -MMD -MP
GUEST_CFLAGS64 := $(GUEST_COMMON_CFLAGS) -m64 -mcmodel=small
GUEST_CFLAGS32 := $(GUEST_COMMON_CFLAGS) -m32 -march=i686 -g0 # no CFI: gas --64 rejects 32-bit CFI offsets
GUEST_NASMFLAGS := -f elf64 -w+all -I$(GUEST_DIR)/lib/
GUEST_LDFLAGS := -m elf_x86_64 -nostdlib -T $(GUEST_DIR)/lib/link.ld -z max-page-size=0x1000 \
	-z noexecstack --no-warn-rwx-segments

GUEST_LIB_OBJS := $(addprefix $(GUEST_B)/obj/lib/,entry.o pm32asm.o lib.o idt.o paging.o phase32.pm32.o)

guest_objs = $(GUEST_LIB_OBJS) $(GUEST_B)/obj/tests/$(1).o \
	$(if $(wildcard $(GUEST_DIR)/tests/$(1).pm32.c),$(GUEST_B)/obj/tests/$(1).pm32.o)

GUEST_ELFS := $(patsubst %,$(GUEST_B)/%.elf,$(GUEST_PAYLOADS)) \
	$(patsubst %,$(GUEST_B)/%-mb2.elf,$(GUEST_MB2_PAYLOADS))
GUEST_BINS := $(patsubst %,$(GUEST_B)/%.bin,$(GUEST_RAW)) $(GUEST_B)/realmode-boot.img

guests: $(GUEST_ELFS) $(GUEST_BINS) $(GUEST_MODFILES)
all: guests

$(GUEST_B)/obj/%.pm32.o: $(GUEST_DIR)/%.pm32.c $(GUEST_DIR)/guest.mk
	@mkdir -p $(@D)
	@echo "  CC32    $<"
	@$(CC) $(GUEST_CFLAGS32) -MF $(@:.o=.d) -S $< -o $(@:.o=.s)
	@{ echo ".code32"; cat $(@:.o=.s); } > $(@:.o=.s32)
	@$(AS) --64 $(@:.o=.s32) -o $@

$(GUEST_B)/obj/%.o: $(GUEST_DIR)/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(GUEST_CFLAGS64) -c $< -o $@

$(GUEST_B)/obj/lib/pm32asm.o: $(GUEST_DIR)/lib/pm32.asm
	@mkdir -p $(@D)
	@echo "  NASM    $<"
	@$(NASM) $(GUEST_NASMFLAGS) $< -o $@

$(GUEST_B)/obj/%.o: $(GUEST_DIR)/%.asm
	@mkdir -p $(@D)
	@echo "  NASM    $<"
	@$(NASM) $(GUEST_NASMFLAGS) $< -o $@

# payload.elf: multiboot v1 header first; payload-mb2.elf: multiboot2 header.
$(GUEST_B)/%-mb2.elf: $(GUEST_B)/obj/lib/mb2hdr.o $$(call guest_objs,$$*) $(GUEST_DIR)/lib/link.ld
	@echo "  LD      $@"
	@$(LD) $(GUEST_LDFLAGS) -o $(GUEST_B)/obj/$(notdir $@).64 $(GUEST_B)/obj/lib/mb2hdr.o $(call guest_objs,$*)
	@objcopy -O elf32-i386 $(GUEST_B)/obj/$(notdir $@).64 $@

$(GUEST_B)/%.elf: $(GUEST_B)/obj/lib/mb1hdr.o $$(call guest_objs,$$*) $(GUEST_DIR)/lib/link.ld
	@echo "  LD      $@"
	@$(LD) $(GUEST_LDFLAGS) -o $(GUEST_B)/obj/$(notdir $@).64 $(GUEST_B)/obj/lib/mb1hdr.o $(call guest_objs,$*)
	@objcopy -O elf32-i386 $(GUEST_B)/obj/$(notdir $@).64 $@

# Raw binaries: realmode.bin (Tern loads it at an address and enters it in
# real mode) and long64.bin (org 0x100000, entered in 64-bit mode), and a
# boot-sector image of the real-mode code to try it on bare QEMU.
$(GUEST_B)/%.bin: $(GUEST_DIR)/raw/%.asm
	@mkdir -p $(@D)
	@echo "  NASM    $<"
	@$(NASM) -f bin -w+all $< -o $@

$(GUEST_B)/realmode-boot.img: $(GUEST_DIR)/raw/bootsect.asm $(GUEST_B)/realmode.bin
	@$(NASM) -f bin -w+all -DRAW_BIN='"$(GUEST_B)/realmode.bin"' $< -o $@

# modules.elf's two modules: a text file starting with TERN-MODULE-ONE, and
# 8192 bytes where byte i = i & 0xff.
$(GUEST_B)/mod1.txt: $(GUEST_DIR)/guest.mk
	@mkdir -p $(@D)
	@echo "  GEN     $@"
	@printf 'TERN-MODULE-ONE\nfirst module of the modules payload\n' > $@

$(GUEST_B)/mod2.bin: $(GUEST_DIR)/guest.mk
	@mkdir -p $(@D)
	@echo "  GEN     $@"
	@p=$$(printf '\\%03o' $$(seq 0 255)); for r in $$(seq 32); do printf "$$p"; done > $@

-include $(shell find $(GUEST_B)/obj -name '*.d' 2>/dev/null)
.PHONY: guests
.PRECIOUS: $(GUEST_B)/obj/%.o $(GUEST_B)/obj/lib/%.o $(GUEST_B)/obj/tests/%.o
