/* SPDX-License-Identifier: MIT */
/*
 * Host tests for virt/decode.c. The length table was produced by assembling
 * instructions for 64-, 32- and 16-bit code with GNU as and reading the
 * encodings back with objdump -d (a few hand-written rows cover prefix
 * combinations objdump splits or rejects). Every row is also decoded from
 * each of its proper prefixes, which must report truncation, and with junk
 * after it, which must not change the length. Field tests check ModRM/SIB,
 * displacement, immediate and prefix decoding; malformed tests check the
 * 15-byte limit, truncation and encodings undefined in a mode.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "virt/decode.h"

struct len_case {
	enum insn_mode mode;
	unsigned int len;
	const char *bytes;
	const char *text;
};

/* clang-format off */
static const struct len_case len_cases[] = {
	{ INSN_MODE_64, 2, "\x0f\xa2", "cpuid" },
	{ INSN_MODE_64, 2, "\x0f\x32", "rdmsr" },
	{ INSN_MODE_64, 2, "\x0f\x30", "wrmsr" },
	{ INSN_MODE_64, 1, "\xf4", "hlt" },
	{ INSN_MODE_64, 1, "\xec", "inb (%dx),%al" },
	{ INSN_MODE_64, 1, "\xed", "inl (%dx),%eax" },
	{ INSN_MODE_64, 2, "\xe4\x60", "inb $0x60,%al" },
	{ INSN_MODE_64, 2, "\xe6\x80", "outb %al,$0x80" },
	{ INSN_MODE_64, 1, "\xef", "outl %eax,(%dx)" },
	{ INSN_MODE_64, 1, "\x6e", "outsb %ds:(%rsi),(%dx)" },
	{ INSN_MODE_64, 3, "\x66\xf3\x6f", "rep outsw %ds:(%rsi),(%dx)" },
	{ INSN_MODE_64, 2, "\xf3\x6d", "rep insl (%dx),%es:(%rdi)" },
	{ INSN_MODE_64, 3, "\x0f\x01\xc1", "vmcall" },
	{ INSN_MODE_64, 3, "\x0f\x01\xd9", "vmmcall" },
	{ INSN_MODE_64, 3, "\x0f\x01\xd1", "xsetbv" },
	{ INSN_MODE_64, 2, "\x0f\x31", "rdtsc" },
	{ INSN_MODE_64, 3, "\x0f\x01\xf9", "rdtscp" },
	{ INSN_MODE_64, 2, "\x0f\x08", "invd" },
	{ INSN_MODE_64, 2, "\x0f\x09", "wbinvd" },
	{ INSN_MODE_64, 3, "\x0f\x20\xc0", "movq %cr0,%rax" },
	{ INSN_MODE_64, 3, "\x0f\x22\xd8", "movq %rax,%cr3" },
	{ INSN_MODE_64, 4, "\x45\x0f\x20\xc1", "movq %cr8,%r9" },
	{ INSN_MODE_64, 4, "\x41\x0f\x22\xe7", "movq %r15,%cr4" },
	{ INSN_MODE_64, 3, "\x0f\x22\x18", "movq %rax,%cr3" },
	{ INSN_MODE_64, 10, "\x26\x36\x3e\x64\x65\x66\x67\xf0\x0f\x30", "es ss ds fs gs data16 addr32 lock wrmsr" },
	{ INSN_MODE_64, 3, "\x48\x0f\x32", "rex.W rdmsr" },
	{ INSN_MODE_64, 3, "\x66\x41\xf4", "data16 rex.B hlt" },
	{ INSN_MODE_64, 2, "\x89\x03", "movl %eax,(%rbx)" },
	{ INSN_MODE_64, 3, "\x48\x89\x03", "movq %rax,(%rbx)" },
	{ INSN_MODE_64, 2, "\x88\x03", "movb %al,(%rbx)" },
	{ INSN_MODE_64, 3, "\x40\x88\x37", "movb %sil,(%rdi)" },
	{ INSN_MODE_64, 5, "\x45\x89\x44\x24\x10", "movl %r8d,0x10(%r12)" },
	{ INSN_MODE_64, 8, "\x4f\x89\x8c\xf5\x78\x56\x34\x12", "movq %r9,0x12345678(%r13,%r14,8)" },
	{ INSN_MODE_64, 3, "\x8b\x04\x24", "movl (%rsp),%eax" },
	{ INSN_MODE_64, 3, "\x8b\x4d\x08", "movl 0x8(%rbp),%ecx" },
	{ INSN_MODE_64, 3, "\x8b\x4d\x00", "movl 0x0(%rbp),%ecx" },
	{ INSN_MODE_64, 4, "\x41\x8b\x4d\x00", "movl 0x0(%r13),%ecx" },
	{ INSN_MODE_64, 6, "\x8b\x05\x00\x10\x00\x00", "movl 0x1000(%rip),%eax" },
	{ INSN_MODE_64, 7, "\x66\x89\x05\x80\xff\xff\xff", "movw %ax,-0x80(%rip)" },
	{ INSN_MODE_64, 7, "\xc6\x05\x00\x01\x00\x00\x12", "movb $0x12,0x100(%rip)" },
	{ INSN_MODE_64, 9, "\x66\xc7\x05\x00\x01\x00\x00\x34\x12", "movw $0x1234,0x100(%rip)" },
	{ INSN_MODE_64, 10, "\xc7\x05\x00\x01\x00\x00\x78\x56\x34\x12", "movl $0x12345678,0x100(%rip)" },
	{ INSN_MODE_64, 11, "\x48\xc7\x05\x00\x01\x00\x00\xff\xff\xff\xff", "movq $0xffffffffffffffff,0x100(%rip)" },
	{ INSN_MODE_64, 11, "\xc7\x04\x85\x00\x00\x00\x00\x01\x00\x00\x00", "movl $0x1,0x0(,%rax,4)" },
	{ INSN_MODE_64, 11, "\xc7\x04\x25\x78\x56\x34\x12\x01\x00\x00\x00", "movl $0x1,0x12345678" },
	{ INSN_MODE_64, 12, "\x65\xc7\x04\x25\x10\x00\x00\x00\x01\x00\x00\x00", "movl $0x1,%gs:0x10" },
	{ INSN_MODE_64, 9, "\xa1\x20\x00\xe0\xfe\x00\x00\x00\x00", "movabsl 0xfee00020,%eax" },
	{ INSN_MODE_64, 9, "\xa1\x20\x00\xe0\xfe\x00\x00\x00\x00", "movabsl 0xfee00020,%eax" },
	{ INSN_MODE_64, 9, "\xa0\x88\x77\x66\x55\x44\x33\x22\x11", "movabsb 0x1122334455667788,%al" },
	{ INSN_MODE_64, 10, "\x48\xa3\x88\x77\x66\x55\x44\x33\x22\x11", "movabsq %rax,0x1122334455667788" },
	{ INSN_MODE_64, 6, "\x67\xa1\x78\x56\x34\x12", "addr32 movl 0x12345678,%eax" },
	{ INSN_MODE_64, 6, "\x67\xa1\x78\x56\x34\x12", "addr32 movl 0x12345678,%eax" },
	{ INSN_MODE_64, 10, "\x66\xa1\x88\x77\x66\x55\x44\x33\x22\x11", "movabsw 0x1122334455667788,%ax" },
	{ INSN_MODE_64, 10, "\x48\xb8\x88\x77\x66\x55\x44\x33\x22\x11", "movabsq $0x1122334455667788,%rax" },
	{ INSN_MODE_64, 5, "\xb8\x78\x56\x34\x12", "movl $0x12345678,%eax" },
	{ INSN_MODE_64, 4, "\x66\xb8\x34\x12", "movw $0x1234,%ax" },
	{ INSN_MODE_64, 3, "\x41\xb2\x12", "movb $0x12,%r10b" },
	{ INSN_MODE_64, 3, "\x0f\xb6\x07", "movzbl (%rdi),%eax" },
	{ INSN_MODE_64, 5, "\x48\x0f\xb7\x47\x04", "movzwq 0x4(%rdi),%rax" },
	{ INSN_MODE_64, 4, "\x66\x0f\xbe\x07", "movsbw (%rdi),%ax" },
	{ INSN_MODE_64, 3, "\x0f\xbf\x0f", "movswl (%rdi),%ecx" },
	{ INSN_MODE_64, 3, "\x48\x63\x07", "movslq (%rdi),%rax" },
	{ INSN_MODE_64, 2, "\x87\x07", "xchgl %eax,(%rdi)" },
	{ INSN_MODE_64, 3, "\x48\x87\x07", "xchgq %rax,(%rdi)" },
	{ INSN_MODE_64, 4, "\xf0\x83\x0f\x01", "lock orl $0x1,(%rdi)" },
	{ INSN_MODE_64, 4, "\xf0\x0f\xb1\x0a", "lock cmpxchgl %ecx,(%rdx)" },
	{ INSN_MODE_64, 4, "\x83\x67\x10\xfe", "andl $0xfffffffe,0x10(%rdi)" },
	{ INSN_MODE_64, 5, "\x66\x83\x67\x10\xfe", "andw $0xfffe,0x10(%rdi)" },
	{ INSN_MODE_64, 5, "\x66\x83\x67\x10\x07", "andw $0x7,0x10(%rdi)" },
	{ INSN_MODE_64, 7, "\x48\x81\x08\x00\x01\x00\x00", "orq $0x100,(%rax)" },
	{ INSN_MODE_64, 3, "\x80\x30\x01", "xorb $0x1,(%rax)" },
	{ INSN_MODE_64, 2, "\xa8\x01", "testb $0x1,%al" },
	{ INSN_MODE_64, 3, "\xf6\x07\x01", "testb $0x1,(%rdi)" },
	{ INSN_MODE_64, 5, "\x66\xf7\x07\x00\x01", "testw $0x100,(%rdi)" },
	{ INSN_MODE_64, 6, "\xf7\x07\x00\x01\x00\x00", "testl $0x100,(%rdi)" },
	{ INSN_MODE_64, 7, "\x48\xf7\x07\x00\x01\x00\x00", "testq $0x100,(%rdi)" },
	{ INSN_MODE_64, 2, "\xf7\x17", "notl (%rdi)" },
	{ INSN_MODE_64, 3, "\x48\xf7\x1f", "negq (%rdi)" },
	{ INSN_MODE_64, 2, "\x39\x07", "cmpl %eax,(%rdi)" },
	{ INSN_MODE_64, 3, "\x48\x2b\x07", "subq (%rdi),%rax" },
	{ INSN_MODE_64, 2, "\xf3\xaa", "rep stosb %al,%es:(%rdi)" },
	{ INSN_MODE_64, 3, "\xf3\x48\xab", "rep stosq %rax,%es:(%rdi)" },
	{ INSN_MODE_64, 1, "\xa4", "movsb %ds:(%rsi),%es:(%rdi)" },
	{ INSN_MODE_64, 1, "\xa5", "movsl %ds:(%rsi),%es:(%rdi)" },
	{ INSN_MODE_64, 3, "\xf3\x48\xa5", "rep movsq %ds:(%rsi),%es:(%rdi)" },
	{ INSN_MODE_64, 1, "\xab", "stosl %eax,%es:(%rdi)" },
	{ INSN_MODE_64, 2, "\x66\xad", "lodsw %ds:(%rsi),%ax" },
	{ INSN_MODE_64, 5, "\x68\x78\x56\x34\x12", "pushq $0x12345678" },
	{ INSN_MODE_64, 2, "\x6a\x12", "pushq $0x12" },
	{ INSN_MODE_64, 4, "\x66\x68\x34\x12", "pushw $0x1234" },
	{ INSN_MODE_64, 6, "\x69\xc8\x78\x56\x34\x12", "imull $0x12345678,%eax,%ecx" },
	{ INSN_MODE_64, 3, "\x6b\xc8\x12", "imull $0x12,%eax,%ecx" },
	{ INSN_MODE_64, 4, "\xc8\x10\x00\x01", "enterq $0x10,$0x1" },
	{ INSN_MODE_64, 3, "\xc2\x08\x00", "retq $0x8" },
	{ INSN_MODE_64, 3, "\xca\x08\x00", "lretl $0x8" },
	{ INSN_MODE_64, 2, "\xcd\x80", "int $0x80" },
	{ INSN_MODE_64, 1, "\xcc", "int3" },
	{ INSN_MODE_64, 2, "\x0f\x05", "syscall" },
	{ INSN_MODE_64, 2, "\x0f\x07", "sysretl" },
	{ INSN_MODE_64, 5, "\xe9\xfb\x0f\x00\x00", "jmpq 0x11a6" },
	{ INSN_MODE_64, 5, "\xe8\xfb\x0f\x00\x00", "callq 0x11ab" },
	{ INSN_MODE_64, 6, "\x0f\x84\xfa\x0f\x00\x00", "je 0x11b0" },
	{ INSN_MODE_64, 2, "\x75\x0e", "jne 0x1c6" },
	{ INSN_MODE_64, 1, "\x90", "nop" },
	{ INSN_MODE_64, 5, "\x66\x0f\x1f\x04\x00", "nopw (%rax,%rax,1)" },
	{ INSN_MODE_64, 3, "\x0f\x1f\x00", "nopl (%rax)" },
	{ INSN_MODE_64, 2, "\x66\x90", "xchgw %ax,%ax" },
	{ INSN_MODE_64, 2, "\xf3\x90", "pause" },
	{ INSN_MODE_64, 3, "\xc1\xe0\x03", "shll $0x3,%eax" },
	{ INSN_MODE_64, 3, "\xc1\x27\x03", "shll $0x3,(%rdi)" },
	{ INSN_MODE_64, 4, "\x0f\xba\xe0\x03", "btl $0x3,%eax" },
	{ INSN_MODE_64, 4, "\x0f\xa4\x07\x04", "shldl $0x4,%eax,(%rdi)" },
	{ INSN_MODE_64, 5, "\x66\x0f\x70\xd1\x1b", "pshufd $0x1b,%xmm1,%xmm2" },
	{ INSN_MODE_64, 5, "\x66\x0f\x38\x00\xd1", "pshufb %xmm1,%xmm2" },
	{ INSN_MODE_64, 6, "\x66\x0f\x3a\x0f\xd1\x04", "palignr $0x4,%xmm1,%xmm2" },
	{ INSN_MODE_64, 6, "\x66\x0f\x3a\x22\xc0\x01", "pinsrd $0x1,%eax,%xmm0" },
	{ INSN_MODE_64, 4, "\xf3\x0f\x6f\x00", "movdqu (%rax),%xmm0" },
	{ INSN_MODE_64, 5, "\x0f\x29\x44\x24\x10", "movaps %xmm0,0x10(%rsp)" },
	{ INSN_MODE_64, 4, "\x0f\xc2\xd1\x01", "cmpltps %xmm1,%xmm2" },
	{ INSN_MODE_64, 5, "\xf2\x0f\x38\xf0\xc8", "crc32b %al,%ecx" },
	{ INSN_MODE_64, 5, "\xf3\x48\x0f\xb8\xd8", "popcntq %rax,%rbx" },
	{ INSN_MODE_64, 4, "\xc5\xfe\x6f\x00", "vmovdqu (%rax),%ymm0" },
	{ INSN_MODE_64, 6, "\xc4\x01\x7e\x7f\x04\x51", "vmovdqu %ymm8,(%r9,%r10,2)" },
	{ INSN_MODE_64, 4, "\xc5\xe9\xfe\xd9", "vpaddd %xmm1,%xmm2,%xmm3" },
	{ INSN_MODE_64, 5, "\xc4\xe2\x6d\x00\xd9", "vpshufb %ymm1,%ymm2,%ymm3" },
	{ INSN_MODE_64, 6, "\xc4\xe3\xfd\x00\xd1\x1b", "vpermq $0x1b,%ymm1,%ymm2" },
	{ INSN_MODE_64, 6, "\xc4\xe3\x69\x4a\xd9\x40", "vblendvps %xmm4,%xmm1,%xmm2,%xmm3" },
	{ INSN_MODE_64, 3, "\xc5\xf8\x77", "vzeroupper" },
	{ INSN_MODE_64, 3, "\xc5\xfc\x77", "vzeroall" },
	{ INSN_MODE_64, 5, "\xc4\xe2\xe0\xf2\xc8", "andnq %rax,%rbx,%rcx" },
	{ INSN_MODE_64, 5, "\xc4\xe2\xf9\xf7\xcb", "shlxq %rax,%rbx,%rcx" },
	{ INSN_MODE_64, 6, "\xc4\xe3\x7b\xf0\xd8\x03", "rorxl $0x3,%eax,%ebx" },
	{ INSN_MODE_64, 5, "\xc5\xf9\x70\xd1\x1b", "vpshufd $0x1b,%xmm1,%xmm2" },
	{ INSN_MODE_64, 6, "\x62\xf1\x6c\x48\x58\xd9", "vaddps %zmm1,%zmm2,%zmm3" },
	{ INSN_MODE_64, 7, "\x62\xf1\xfe\x48\x6f\x40\x01", "vmovdqu64 0x40(%rax),%zmm0" },
	{ INSN_MODE_64, 7, "\x62\xf3\x6d\x48\x25\xd9\x12", "vpternlogd $0x12,%zmm1,%zmm2,%zmm3" },
	{ INSN_MODE_64, 4, "\xdb\x6c\x24\x10", "fldt 0x10(%rsp)" },
	{ INSN_MODE_64, 2, "\xd8\xc1", "fadd %st(1),%st" },
	{ INSN_MODE_64, 3, "\x0f\xae\xe8", "lfence" },
	{ INSN_MODE_64, 3, "\x0f\xae\xf0", "mfence" },
	{ INSN_MODE_64, 3, "\x0f\xae\x3f", "clflush (%rdi)" },
	{ INSN_MODE_64, 3, "\x0f\xae\x27", "xsave (%rdi)" },
	{ INSN_MODE_64, 4, "\x48\x0f\xae\x2f", "xrstor64 (%rdi)" },
	{ INSN_MODE_64, 3, "\x0f\x01\x10", "lgdt (%rax)" },
	{ INSN_MODE_64, 3, "\x0f\x01\x3f", "invlpg (%rdi)" },
	{ INSN_MODE_64, 3, "\x0f\x01\xf8", "swapgs" },
	{ INSN_MODE_64, 2, "\x48\xcf", "iretq" },
	{ INSN_MODE_64, 2, "\x0f\x0b", "ud2" },
	{ INSN_MODE_64, 4, "\x48\x0f\xc7\x0f", "cmpxchg16b (%rdi)" },
	{ INSN_MODE_64, 3, "\x0f\xc7\xf0", "rdrand %eax" },
	{ INSN_MODE_64, 5, "\x66\x0f\x38\x82\x18", "invpcid (%rax),%rbx" },
	{ INSN_MODE_64, 3, "\x0f\x78\xc3", "vmread %rax,%rbx" },
	{ INSN_MODE_64, 3, "\x0f\x01\xc2", "vmlaunch" },
	{ INSN_MODE_64, 3, "\x0f\x01\xd8", "vmrun" },
	{ INSN_MODE_64, 3, "\x0f\x01\xdc", "stgi" },
	{ INSN_MODE_64, 3, "\x0f\x01\xdd", "clgi" },
	{ INSN_MODE_64, 3, "\x0f\x6f\xc8", "movq %mm0,%mm1" },
	{ INSN_MODE_64, 4, "\x0f\x18\x48\x10", "prefetcht0 0x10(%rax)" },
	{ INSN_MODE_64, 2, "\x0f\x0e", "femms" },
	{ INSN_MODE_64, 4, "\x0f\x0f\xc1\x9e", "pfadd %mm1,%mm0" },
	{ INSN_MODE_64, 2, "\x8c\xd8", "movl %ds,%eax" },
	{ INSN_MODE_64, 2, "\x8e\xd0", "movl %eax,%ss" },
	{ INSN_MODE_64, 3, "\x0f\x21\xf8", "movq %db7,%rax" },
	{ INSN_MODE_64, 3, "\x0f\x23\xc0", "movq %rax,%db0" },
	{ INSN_MODE_64, 4, "\xf0\x0f\xc1\x07", "lock xaddl %eax,(%rdi)" },
	{ INSN_MODE_64, 9, "\x64\x48\x8b\x04\x25\x28\x00\x00\x00", "movq %fs:0x28,%rax" },
	{ INSN_MODE_64, 5, "\x4c\x8b\x5c\x44\x12", "movq 0x12(%rsp,%rax,2),%r11" },
	{ INSN_MODE_64, 5, "\x4b\x8d\x44\x2c\x08", "leaq 0x8(%r12,%r13,1),%rax" },
	{ INSN_MODE_32, 2, "\x0f\xa2", "cpuid" },
	{ INSN_MODE_32, 2, "\x0f\x32", "rdmsr" },
	{ INSN_MODE_32, 2, "\x0f\x30", "wrmsr" },
	{ INSN_MODE_32, 1, "\xf4", "hlt" },
	{ INSN_MODE_32, 1, "\xec", "inb (%dx),%al" },
	{ INSN_MODE_32, 2, "\xe6\x80", "outb %al,$0x80" },
	{ INSN_MODE_32, 3, "\x0f\x01\xc1", "vmcall" },
	{ INSN_MODE_32, 3, "\x0f\x01\xd9", "vmmcall" },
	{ INSN_MODE_32, 3, "\x0f\x01\xd1", "xsetbv" },
	{ INSN_MODE_32, 3, "\x0f\x01\xf9", "rdtscp" },
	{ INSN_MODE_32, 3, "\x0f\x20\xc0", "movl %cr0,%eax" },
	{ INSN_MODE_32, 3, "\x0f\x22\xe0", "movl %eax,%cr4" },
	{ INSN_MODE_32, 2, "\x89\x03", "movl %eax,(%ebx)" },
	{ INSN_MODE_32, 3, "\x66\x89\x03", "movw %ax,(%ebx)" },
	{ INSN_MODE_32, 3, "\x88\x43\x10", "movb %al,0x10(%ebx)" },
	{ INSN_MODE_32, 7, "\x8b\x14\x8d\x78\x56\x34\x12", "movl 0x12345678(,%ecx,4),%edx" },
	{ INSN_MODE_32, 5, "\xa1\x78\x56\x34\x12", "movl 0x12345678,%eax" },
	{ INSN_MODE_32, 5, "\xa3\xb0\x00\xe0\xfe", "movl %eax,0xfee000b0" },
	{ INSN_MODE_32, 5, "\xa0\x10\x00\xc0\xfe", "movb 0xfec00010,%al" },
	{ INSN_MODE_32, 4, "\x67\xa1\x34\x12", "addr16 movl 0x1234,%eax" },
	{ INSN_MODE_32, 4, "\x67\xa1\x34\x12", "addr16 movl 0x1234,%eax" },
	{ INSN_MODE_32, 6, "\x66\xa1\x78\x56\x34\x12", "movw 0x12345678,%ax" },
	{ INSN_MODE_32, 3, "\x8b\x04\x24", "movl (%esp),%eax" },
	{ INSN_MODE_32, 3, "\x8b\x45\x00", "movl 0x0(%ebp),%eax" },
	{ INSN_MODE_32, 2, "\x8b\x00", "movl (%eax),%eax" },
	{ INSN_MODE_32, 3, "\x67\x8b\x00", "movl (%bx,%si),%eax" },
	{ INSN_MODE_32, 4, "\x67\x8b\x46\x10", "movl 0x10(%bp),%eax" },
	{ INSN_MODE_32, 6, "\xc7\x07\x78\x56\x34\x12", "movl $0x12345678,(%edi)" },
	{ INSN_MODE_32, 5, "\x66\xc7\x07\x34\x12", "movw $0x1234,(%edi)" },
	{ INSN_MODE_32, 3, "\xc6\x07\x12", "movb $0x12,(%edi)" },
	{ INSN_MODE_32, 5, "\xb8\x78\x56\x34\x12", "movl $0x12345678,%eax" },
	{ INSN_MODE_32, 4, "\x66\xb8\x34\x12", "movw $0x1234,%ax" },
	{ INSN_MODE_32, 5, "\x68\x78\x56\x34\x12", "pushl $0x12345678" },
	{ INSN_MODE_32, 4, "\x66\x68\x34\x12", "pushw $0x1234" },
	{ INSN_MODE_32, 1, "\x06", "pushl %es" },
	{ INSN_MODE_32, 1, "\x1f", "popl %ds" },
	{ INSN_MODE_32, 1, "\x60", "pushal" },
	{ INSN_MODE_32, 1, "\x61", "popal" },
	{ INSN_MODE_32, 1, "\x27", "daa" },
	{ INSN_MODE_32, 2, "\xd4\x0a", "aam $0xa" },
	{ INSN_MODE_32, 1, "\xce", "into" },
	{ INSN_MODE_32, 2, "\x62\x03", "boundl %eax,(%ebx)" },
	{ INSN_MODE_32, 2, "\xc4\x00", "lesl (%eax),%eax" },
	{ INSN_MODE_32, 3, "\xc5\x4b\x10", "ldsl 0x10(%ebx),%ecx" },
	{ INSN_MODE_32, 7, "\x9a\x78\x56\x34\x12\x10\x00", "lcalll $0x10,$0x12345678" },
	{ INSN_MODE_32, 7, "\xea\x78\x56\x34\x12\x10\x00", "ljmpl $0x10,$0x12345678" },
	{ INSN_MODE_32, 6, "\x66\xea\x34\x12\x10\x00", "ljmpw $0x10,$0x1234" },
	{ INSN_MODE_32, 5, "\xe9\xfb\x0f\x00\x00", "jmpl 0x109a" },
	{ INSN_MODE_32, 2, "\xeb\x0e", "jmp 0xaf" },
	{ INSN_MODE_32, 3, "\x66\xff\xe0", "jmpw *%ax" },
	{ INSN_MODE_32, 4, "\x66\xe9\x00\x10", "jmpw 0x10a8" },
	{ INSN_MODE_32, 5, "\xe8\xfb\x0f\x00\x00", "calll 0x10a8" },
	{ INSN_MODE_32, 6, "\x0f\x84\xfa\x0f\x00\x00", "je 0x10ad" },
	{ INSN_MODE_32, 1, "\x40", "incl %eax" },
	{ INSN_MODE_32, 1, "\x49", "decl %ecx" },
	{ INSN_MODE_32, 2, "\x66\x40", "incw %ax" },
	{ INSN_MODE_32, 3, "\x83\x27\xfe", "andl $0xfffffffe,(%edi)" },
	{ INSN_MODE_32, 5, "\x66\x81\x0f\x00\x10", "orw $0x1000,(%edi)" },
	{ INSN_MODE_32, 4, "\xf0\x80\x27\x01", "lock andb $0x1,(%edi)" },
	{ INSN_MODE_32, 4, "\xc5\xe9\xfe\xd9", "vpaddd %xmm1,%xmm2,%xmm3" },
	{ INSN_MODE_32, 4, "\xc5\xfe\x6f\x00", "vmovdqu (%eax),%ymm0" },
	{ INSN_MODE_32, 6, "\xc4\xe3\xfd\x00\xd1\x1b", "vpermq $0x1b,%ymm1,%ymm2" },
	{ INSN_MODE_32, 5, "\xc4\xe2\x60\xf2\xc8", "andnl %eax,%ebx,%ecx" },
	{ INSN_MODE_32, 2, "\xf3\xab", "rep stosl %eax,%es:(%edi)" },
	{ INSN_MODE_32, 2, "\xf3\xa4", "rep movsb %ds:(%esi),%es:(%edi)" },
	{ INSN_MODE_32, 4, "\xc8\x10\x00\x00", "enterl $0x10,$0x0" },
	{ INSN_MODE_32, 2, "\x63\x03", "arpl %ax,(%ebx)" },
	{ INSN_MODE_16, 2, "\x0f\xa2", "cpuid" },
	{ INSN_MODE_16, 1, "\xf4", "hlt" },
	{ INSN_MODE_16, 2, "\x0f\x32", "rdmsr" },
	{ INSN_MODE_16, 2, "\x0f\x30", "wrmsr" },
	{ INSN_MODE_16, 1, "\xec", "inb (%dx),%al" },
	{ INSN_MODE_16, 2, "\xe6\x80", "outb %al,$0x80" },
	{ INSN_MODE_16, 1, "\x6f", "outsw %ds:(%si),(%dx)" },
	{ INSN_MODE_16, 3, "\x0f\x01\xc1", "vmcall" },
	{ INSN_MODE_16, 3, "\x0f\x01\xd9", "vmmcall" },
	{ INSN_MODE_16, 3, "\x0f\x20\xc0", "movl %cr0,%eax" },
	{ INSN_MODE_16, 3, "\x0f\x22\xc0", "movl %eax,%cr0" },
	{ INSN_MODE_16, 2, "\x89\x07", "movw %ax,(%bx)" },
	{ INSN_MODE_16, 2, "\x88\x00", "movb %al,(%bx,%si)" },
	{ INSN_MODE_16, 3, "\x8b\x43\x10", "movw 0x10(%bp,%di),%ax" },
	{ INSN_MODE_16, 4, "\x8b\x86\x34\x12", "movw 0x1234(%bp),%ax" },
	{ INSN_MODE_16, 3, "\x8b\x46\x00", "movw 0x0(%bp),%ax" },
	{ INSN_MODE_16, 3, "\xa1\x34\x12", "movw 0x1234,%ax" },
	{ INSN_MODE_16, 3, "\x66\x89\x07", "movl %eax,(%bx)" },
	{ INSN_MODE_16, 4, "\x66\xa1\x34\x12", "movl 0x1234,%eax" },
	{ INSN_MODE_16, 7, "\x67\x66\xa1\x78\x56\x34\x12", "addr32 movl 0x12345678,%eax" },
	{ INSN_MODE_16, 6, "\x67\xa1\x78\x56\x34\x12", "addr32 movw 0x12345678,%ax" },
	{ INSN_MODE_16, 4, "\x66\xa1\x34\x12", "movl 0x1234,%eax" },
	{ INSN_MODE_16, 4, "\x67\x8b\x04\x88", "movw (%eax,%ecx,4),%ax" },
	{ INSN_MODE_16, 5, "\x67\x8b\x44\x24\x10", "movw 0x10(%esp),%ax" },
	{ INSN_MODE_16, 4, "\xc7\x05\x34\x12", "movw $0x1234,(%di)" },
	{ INSN_MODE_16, 7, "\x66\xc7\x05\x78\x56\x34\x12", "movl $0x12345678,(%di)" },
	{ INSN_MODE_16, 4, "\x26\xc6\x05\x12", "movb $0x12,%es:(%di)" },
	{ INSN_MODE_16, 3, "\xb8\x34\x12", "movw $0x1234,%ax" },
	{ INSN_MODE_16, 6, "\x66\xb8\x78\x56\x34\x12", "movl $0x12345678,%eax" },
	{ INSN_MODE_16, 3, "\x68\x34\x12", "pushw $0x1234" },
	{ INSN_MODE_16, 6, "\x66\x68\x78\x56\x34\x12", "pushl $0x12345678" },
	{ INSN_MODE_16, 5, "\xea\x5b\xe0\x00\xf0", "ljmpw $0xf000,$0xe05b" },
	{ INSN_MODE_16, 8, "\x66\xea\x78\x56\x34\x12\x10\x00", "ljmpl $0x10,$0x12345678" },
	{ INSN_MODE_16, 5, "\x9a\x34\x12\x10\x00", "lcallw $0x10,$0x1234" },
	{ INSN_MODE_16, 3, "\xe9\xfd\x00", "jmpw 0x17c" },
	{ INSN_MODE_16, 2, "\xeb\x0e", "jmp 0x8f" },
	{ INSN_MODE_16, 4, "\x0f\x84\xfc\x00", "je 0x181" },
	{ INSN_MODE_16, 3, "\xe8\xfd\x00", "callw 0x185" },
	{ INSN_MODE_16, 3, "\x83\x25\xfe", "andw $0xfffe,(%di)" },
	{ INSN_MODE_16, 4, "\x66\x83\x25\xfe", "andl $0xfffffffe,(%di)" },
	{ INSN_MODE_16, 2, "\xc4\x04", "lesw (%si),%ax" },
	{ INSN_MODE_16, 4, "\xc5\xe9\xfe\xd9", "vpaddd %xmm1,%xmm2,%xmm3" },
	{ INSN_MODE_16, 2, "\xf3\xaa", "rep stosb %al,%es:(%di)" },
	{ INSN_MODE_16, 2, "\xf3\xa5", "rep movsw %ds:(%si),%es:(%di)" },
	{ INSN_MODE_16, 1, "\xcf", "iretw" },
	{ INSN_MODE_16, 2, "\xcd\x10", "int $0x10" },
	{ INSN_MODE_16, 4, "\x66\x0f\x01\x14", "lgdtl (%si)" },
	{ INSN_MODE_16, 4, "\x0f\x01\x5f\x10", "lidtw 0x10(%bx)" },

	/* hand-written: objdump splits or rejects these */
	{ INSN_MODE_64, 5, "\x66\x2e\x0f\x01\xd9", "data16 cs vmmcall" },
	{ INSN_MODE_64, 3, "\xf3\x0f\xa2", "repz cpuid" },
	{ INSN_MODE_64, 4, "\x40\x66\x0f\x31", "rex (ignored) data16 rdtsc" },
	{ INSN_MODE_64, 5, "\x66\x48\x0f\x01\xc1", "data16 rex.W vmcall" },
	{ INSN_MODE_64, 4, "\x41\x0f\x22\xc0", "mov %r8,%cr0" },
	{ INSN_MODE_32, 4, "\x66\xe9\x00\x10", "jmpw rel16" },
	{ INSN_MODE_64, 6, "\x66\xe9\x00\x10\x00\x00", "data16 jmp rel32 (Intel)" },
	{ INSN_MODE_64, 3, "\x0f\x20\x40", "mov %cr0,%rax (mod ignored)" },
	{ INSN_MODE_16, 4, "\xf3\x66\x0f\xa2", "rep data32 cpuid" },
	{ INSN_MODE_16, 3, "\x2e\xf3\xa4", "cs rep movsb" },
};
/* clang-format on */

static int decode_bytes(struct insn *in, const char *bytes, size_t n, enum insn_mode mode)
{
	return decode_insn(in, (const u8 *)bytes, n, mode);
}

static void test_lengths(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(len_cases); i++) {
		const struct len_case *c = &len_cases[i];
		u8 buf[32];
		struct insn in;
		int err;

		memset(buf, 0xCC, sizeof(buf));
		memcpy(buf, c->bytes, c->len);
		err = decode_insn(&in, buf, sizeof(buf), c->mode);
		if (err || in.len != c->len)
			fail_msg("row %zu '%s' (mode %d): err %d len %u, want %u", i, c->text,
				 c->mode * 8, err, in.len, c->len);
		err = decode_insn(&in, buf, c->len, c->mode);
		if (err || in.len != c->len)
			fail_msg("row %zu '%s': exact buffer: err %d len %u", i, c->text, err,
				 in.len);
		for (size_t n = 0; n < c->len; n++) {
			err = decode_insn(&in, buf, n, c->mode);
			if (err != -DECODE_ETRUNC)
				fail_msg("row %zu '%s': %zu of %u bytes gave %d, want truncation",
					 i, c->text, n, c->len, err);
		}
	}
}

static void test_modrm_sib_disp(void **state)
{
	struct insn in;

	(void)state;
	/* mov %r9,0x12345678(%r13,%r14,8) */
	assert_int_equal(decode_bytes(&in, "\x4f\x89\x8c\xf5\x78\x56\x34\x12", 8, INSN_MODE_64), 0);
	assert_int_equal(in.opcode, 0x89);
	assert_int_equal(in.opsize, 8);
	assert_int_equal(in.reg, GPR_R9);
	assert_int_equal(in.base, GPR_R13);
	assert_int_equal(in.index, GPR_R14);
	assert_int_equal(in.scale, 8);
	assert_int_equal(in.disp, 0x12345678);
	assert_true(insn_has_mem(&in));
	assert_int_equal(insn_mem_seg(&in), SEG_DS);

	/* mov 0x1000(%rip),%eax */
	assert_int_equal(decode_bytes(&in, "\x8b\x05\x00\x10\x00\x00", 6, INSN_MODE_64), 0);
	assert_true(in.rip_relative);
	assert_int_equal(in.base, INSN_REG_NONE);
	assert_int_equal(in.disp, 0x1000);
	assert_int_equal(in.reg, GPR_RAX);

	/* mov 0x8(%rbp),%ecx uses SS; -0x80 disp8 sign-extends */
	assert_int_equal(decode_bytes(&in, "\x8b\x4d\x80", 3, INSN_MODE_64), 0);
	assert_int_equal(in.base, GPR_RBP);
	assert_int_equal(in.disp, -0x80);
	assert_int_equal(insn_mem_seg(&in), SEG_SS);

	/* movl $1,%gs:0x10 (SIB, no base, no index) */
	assert_int_equal(decode_bytes(&in, "\x65\xc7\x04\x25\x10\x00\x00\x00\x01\x00\x00\x00", 12,
				      INSN_MODE_64),
			 0);
	assert_int_equal(in.seg_override, SEG_GS);
	assert_int_equal(in.base, INSN_REG_NONE);
	assert_int_equal(in.index, INSN_REG_NONE);
	assert_int_equal(in.disp, 0x10);
	assert_int_equal(in.imm, 1);
	assert_int_equal(insn_mem_seg(&in), SEG_GS);

	/* 32-bit: mod 0 rm 5 is absolute disp32, not RIP-relative */
	assert_int_equal(decode_bytes(&in, "\x8b\x05\x00\x10\x00\x00", 6, INSN_MODE_32), 0);
	assert_false(in.rip_relative);
	assert_int_equal(in.base, INSN_REG_NONE);

	/* 16-bit: mov 0x10(%bp,%di),%ax */
	assert_int_equal(decode_bytes(&in, "\x8b\x43\x10", 3, INSN_MODE_16), 0);
	assert_int_equal(in.addrsize, 2);
	assert_int_equal(in.opsize, 2);
	assert_int_equal(in.base, GPR_RBP);
	assert_int_equal(in.index, GPR_RDI);
	assert_int_equal(insn_mem_seg(&in), SEG_SS);
	/* 16-bit: mov 0x1234,%ax (mod 0 rm 6 = disp16) */
	assert_int_equal(decode_bytes(&in, "\x8b\x06\x34\x12", 4, INSN_MODE_16), 0);
	assert_int_equal(in.base, INSN_REG_NONE);
	assert_int_equal(in.disp, 0x1234);
	assert_int_equal(insn_mem_seg(&in), SEG_DS);

	/* MOV CR ignores mod: 0f 22 18 is mov %rax,%cr3 */
	assert_int_equal(decode_bytes(&in, "\x0f\x22\x18", 3, INSN_MODE_64), 0);
	assert_int_equal(in.opcode, 0x0F22);
	assert_int_equal(in.mod, 3);
	assert_int_equal(in.reg, 3);
	assert_int_equal(in.rm, GPR_RAX);
	assert_false(insn_has_mem(&in));
}

static void test_prefixes_and_imm(void **state)
{
	struct insn in;

	(void)state;
	/* 64-bit ignores DS override; 66 gives 16-bit; REX.W beats 66 */
	assert_int_equal(decode_bytes(&in, "\x3e\x66\x89\x03", 4, INSN_MODE_64), 0);
	assert_int_equal(in.seg_override, INSN_SEG_NONE);
	assert_int_equal(in.opsize, 2);
	assert_int_equal(decode_bytes(&in, "\x66\x48\x89\x03", 4, INSN_MODE_64), 0);
	assert_int_equal(in.opsize, 8);
	/* a REX before a legacy prefix is dropped */
	assert_int_equal(decode_bytes(&in, "\x48\x66\x89\x03", 4, INSN_MODE_64), 0);
	assert_int_equal(in.rex, 0);
	assert_int_equal(in.opsize, 2);
	/* 32-bit keeps ES override */
	assert_int_equal(decode_bytes(&in, "\x26\x89\x03", 3, INSN_MODE_32), 0);
	assert_int_equal(in.seg_override, SEG_ES);
	/* last of F2/F3 wins; lock */
	assert_int_equal(decode_bytes(&in, "\xf2\xf3\xf0\xa4", 4, INSN_MODE_32), 0);
	assert_true(in.rep);
	assert_false(in.repne);
	assert_true(in.lock);
	assert_int_equal(in.nr_prefixes, 3);
	/* imm32 sign-extended to 64 */
	assert_int_equal(
		decode_bytes(&in, "\x48\xc7\x05\x00\x01\x00\x00\xff\xff\xff\xff", 11, INSN_MODE_64),
		0);
	assert_int_equal(in.imm, ~0ull);
	assert_int_equal(in.imm_size, 4);
	/* moffs is zero-extended */
	assert_int_equal(decode_bytes(&in, "\xa3\xb0\x00\xe0\xfe", 5, INSN_MODE_32), 0);
	assert_int_equal(in.imm, 0xfee000b0);
	/* MOV r64, imm64 */
	assert_int_equal(
		decode_bytes(&in, "\x49\xba\x88\x77\x66\x55\x44\x33\x22\x11", 10, INSN_MODE_64), 0);
	assert_int_equal(in.imm, 0x1122334455667788ull);
	assert_int_equal(in.reg, GPR_R10);
	/* ENTER: iw then ib */
	assert_int_equal(decode_bytes(&in, "\xc8\x10\x00\x01", 4, INSN_MODE_64), 0);
	assert_int_equal(in.imm, 0x10);
	assert_int_equal(in.imm2, 1);
	/* far jump: offset then selector */
	assert_int_equal(decode_bytes(&in, "\xea\x5b\xe0\x00\xf0", 5, INSN_MODE_16), 0);
	assert_int_equal(in.imm & 0xffff, 0xe05b);
	assert_int_equal(in.imm2, 0xf000);
	/* VEX fields */
	assert_int_equal(decode_bytes(&in, "\xc4\x42\xf0\xf2\xca", 5, INSN_MODE_64), 0);
	assert_true(in.vex);
	assert_int_equal(in.opcode, 0x38F2);
	assert_int_equal(in.reg, GPR_R9);
	assert_int_equal(in.rm, GPR_R10);
	assert_int_equal(in.vex_vvvv, 1);
	assert_int_equal(in.opsize, 8);
}

static void test_malformed(void **state)
{
	u8 buf[32];
	struct insn in;

	(void)state;
	/* 14 prefixes + 1-byte opcode = 15: fine; 15 + 1 = 16: #GP */
	memset(buf, 0x66, sizeof(buf));
	buf[14] = 0x90;
	assert_int_equal(decode_insn(&in, buf, sizeof(buf), INSN_MODE_64), 0);
	assert_int_equal(in.len, 15);
	memset(buf, 0x66, sizeof(buf));
	buf[15] = 0x90;
	assert_int_equal(decode_insn(&in, buf, sizeof(buf), INSN_MODE_64), -DECODE_ETOOLONG);
	memset(buf, 0x2e, sizeof(buf));
	assert_int_equal(decode_insn(&in, buf, sizeof(buf), INSN_MODE_32), -DECODE_ETOOLONG);
	/* only the first 15 bytes may be read: limit wins over truncation */
	assert_int_equal(decode_insn(&in, buf, 15, INSN_MODE_32), -DECODE_ETOOLONG);
	assert_int_equal(decode_insn(&in, buf, 14, INSN_MODE_32), -DECODE_ETRUNC);
	/* 11 prefixes + mov $imm32,(%rax) (2+4) = 17 */
	memset(buf, 0x3e, 11);
	memcpy(buf + 11, "\xc7\x00\x01\x00\x00\x00", 6);
	assert_int_equal(decode_insn(&in, buf, 17, INSN_MODE_32), -DECODE_ETOOLONG);
	/* truncation */
	assert_int_equal(decode_insn(&in, buf, 0, INSN_MODE_64), -DECODE_ETRUNC);
	assert_int_equal(decode_bytes(&in, "\x0f", 1, INSN_MODE_64), -DECODE_ETRUNC);
	assert_int_equal(decode_bytes(&in, "\xc5", 1, INSN_MODE_32), -DECODE_ETRUNC);
	/* undefined in 64-bit mode */
	assert_int_equal(decode_bytes(&in, "\x06", 1, INSN_MODE_64), -DECODE_EINVALID);
	assert_int_equal(decode_bytes(&in, "\x60", 1, INSN_MODE_64), -DECODE_EINVALID);
	assert_int_equal(decode_bytes(&in, "\xd4\x0a", 2, INSN_MODE_64), -DECODE_EINVALID);
	assert_int_equal(decode_bytes(&in, "\xea\x00\x00\x00\x00\x10\x00", 7, INSN_MODE_64),
			 -DECODE_EINVALID);
	/* VEX after 66/REX, or with a bad map */
	assert_int_equal(decode_bytes(&in, "\x66\xc5\xf8\x77", 4, INSN_MODE_64), -DECODE_EINVALID);
	assert_int_equal(decode_bytes(&in, "\x48\xc5\xf8\x77", 4, INSN_MODE_64), -DECODE_EINVALID);
	assert_int_equal(decode_bytes(&in, "\xc4\xe7\x79\x00\xc0", 5, INSN_MODE_64),
			 -DECODE_EINVALID);
	/* 32-bit: C4 with mod != 3 is LES, not VEX */
	assert_int_equal(decode_bytes(&in, "\xc4\x00", 2, INSN_MODE_32), 0);
	assert_false(in.vex);
	assert_int_equal(in.len, 2);
}

static void test_mode_of(void **state)
{
	const u64 pe = 1, lma = BIT(10), vm = BIT(17);

	(void)state;
	assert_int_equal(insn_mode_of(0, 0, 0, SEG_AR_DB), INSN_MODE_16);
	assert_int_equal(insn_mode_of(pe, 0, 0, SEG_AR_DB), INSN_MODE_32);
	assert_int_equal(insn_mode_of(pe, 0, 0, 0), INSN_MODE_16);
	assert_int_equal(insn_mode_of(pe, 0, vm, SEG_AR_DB), INSN_MODE_16);
	assert_int_equal(insn_mode_of(pe, lma, 0, SEG_AR_L), INSN_MODE_64);
	assert_int_equal(insn_mode_of(pe, lma, 0, SEG_AR_DB), INSN_MODE_32);
	assert_int_equal(insn_mode_of(pe, 0, 0, SEG_AR_L | SEG_AR_DB), INSN_MODE_32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lengths),		 cmocka_unit_test(test_modrm_sib_disp),
		cmocka_unit_test(test_prefixes_and_imm), cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_mode_of),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
