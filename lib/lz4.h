/* SPDX-License-Identifier: MIT */
/*
 * LZ4 block format (https://github.com/lz4/lz4/blob/dev/doc/lz4_Block_format.md):
 * a greedy compressor with a 4-byte hash and a bounds-checked decompressor,
 * for keeping evicted guest pages compressed in memory. Blocks are plain LZ4
 * blocks (no frame, no size header), readable by the reference liblz4
 * (LZ4_decompress_safe) and decoding what LZ4_compress_default writes.
 * Pure code: no allocation, no globals; the compressor's hash table is
 * scratch memory from the caller (the stack is fine: LZ4_SCRATCH_BYTES).
 */
#ifndef TERN_LIB_LZ4_H
#define TERN_LIB_LZ4_H

#include "lib/types.h"

/*
 * The compressor's hash table: one u16 per entry holding the low 16 bits of
 * the position that last hashed there. 16 bits suffice because LZ4 offsets
 * are 16-bit; the full position is rebuilt from the current one, so inputs of
 * any size (not only pages) work, just with a table sized for pages.
 */
#define LZ4_BLOCK_HASH_LOG	12
#define LZ4_BLOCK_HASH_ENTRIES	(1u << LZ4_BLOCK_HASH_LOG)
#define LZ4_SCRATCH_BYTES	(LZ4_BLOCK_HASH_ENTRIES * sizeof(u16))
#define LZ4_BLOCK_SCRATCH_ALIGN sizeof(u16)

/* The largest input either side accepts (liblz4's LZ4_MAX_INPUT_SIZE). */
#define LZ4_BLOCK_MAX_INPUT 0x7E000000u

/* Worst-case compressed size of n input bytes (liblz4's LZ4_COMPRESSBOUND). */
#define LZ4_BLOCK_BOUND(n) ((n) + (n) / 255 + 16)

/*
 * Compress src[0, src_len) into dst as one LZ4 block. Returns the compressed
 * size (> 0), or 0 when the block would not fit in dst_cap bytes: a caller
 * storing 4096-byte pages passes dst_cap = 4095 to learn "incompressible".
 * The output does not depend on dst_cap (it is either the whole block or 0).
 * scratch: LZ4_SCRATCH_BYTES, aligned to LZ4_BLOCK_SCRATCH_ALIGN, contents ignored.
 * -E_INVAL for a missing or misaligned scratch, -E_RANGE for src_len above
 * LZ4_BLOCK_MAX_INPUT. An empty input compresses to one byte.
 */
int lz4_compress_block(const u8 *src, size_t src_len, u8 *dst, size_t dst_cap, void *scratch);

/*
 * Decompress the LZ4 block src[0, src_len) into dst[0, dst_len). Returns the
 * decompressed size (<= dst_len), -E_RANGE when the output would not fit in
 * dst_len, -E_INVAL for a malformed block: empty or truncated input (also in
 * a 255-run length continuation or an offset), offset 0 or before dst, a
 * literal run past the input, a block not ending with a literals-only
 * sequence, the last match ending within 5 bytes of the end or starting
 * fewer than 12 bytes before it. Never reads past src_len nor writes past
 * dst_len; bytes of dst past the returned size (and all of dst on an error)
 * are unspecified.
 */
int lz4_decompress_block(const u8 *src, size_t src_len, u8 *dst, size_t dst_len);

#endif
