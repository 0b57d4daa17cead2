/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the Multiboot parser files: multiboot.c (entry point and
 * common helpers), multiboot1.c and multiboot2.c (one per protocol). Holds the
 * parser state, bounded mapping of loader memory, failure and warning
 * reporting, and the helpers that append memory map entries and modules to
 * struct boot_info. Not for other users.
 */
#ifndef TERN_BOOT_MULTIBOOT_PARSER_H
#define TERN_BOOT_MULTIBOOT_PARSER_H

#include "boot/multiboot.h"
#include "lib/types.h"

/* Parser state shared by both protocols. */
struct parser {
	boot_map_fn map;
	void *ctx;
	struct boot_info *bi;
	char *why;
	size_t why_len;
};

/* Write a reason into p->why (if any) and return err. */
int mb_fail(struct parser *p, int err, const char *fmt, ...) __printf(3, 4);

/* Append a non-fatal oddity to bi->warn ("; "-separated, silently bounded). */
void mb_warn(struct parser *p, const char *fmt, ...) __printf(2, 3);

static inline const u8 *mb_map_range(struct parser *p, u64 pa, u64 len)
{
	if (len && pa + len - 1 < pa)
		return NULL; /* wraps around the address space */
	return p->map(pa, len, p->ctx);
}

void mb_add_mmap(struct parser *p, u64 base, u64 len, u32 type);

/* *out is NULL when the module was dropped because the table is full. */
int mb_add_module(struct parser *p, u64 start, u64 end, u32 index, struct boot_module **out);

/* Protocol parsers, called by multiboot_parse with bi zeroed and proto set. */
int mb1_parse(struct parser *p, u64 info_pa);
int mb2_parse(struct parser *p, u64 info_pa);

#endif
