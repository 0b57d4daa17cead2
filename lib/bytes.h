/* SPDX-License-Identifier: MIT */
/*
 * Little-endian loads from byte buffers at any alignment (firmware tables,
 * boot information, guest images). memcpy keeps them free of undefined
 * behaviour; the compiler turns each into one load.
 */
#ifndef TERN_LIB_BYTES_H
#define TERN_LIB_BYTES_H

#include "lib/string.h"
#include "lib/types.h"

static inline u8 rd8(const u8 *b, size_t off)
{
	return b[off];
}

static inline u16 rd16(const u8 *b, size_t off)
{
	u16 v;

	memcpy(&v, b + off, sizeof(v));
	return v;
}

static inline u32 rd32(const u8 *b, size_t off)
{
	u32 v;

	memcpy(&v, b + off, sizeof(v));
	return v;
}

static inline u64 rd64(const u8 *b, size_t off)
{
	u64 v;

	memcpy(&v, b + off, sizeof(v));
	return v;
}

/* The value of a hexadecimal digit, or -1. */
static inline int hex_digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
