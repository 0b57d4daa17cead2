/* SPDX-License-Identifier: MIT */
/*
 * LZ4 block compressor and decompressor (format: lib/lz4.h). The compressor
 * follows liblz4's fast path: hash the 4 bytes at each position, take the
 * last position with the same hash if its 4 bytes match, extend backwards and
 * forwards, and skip ahead faster the longer nothing matches, so random pages
 * cost little. The decompressor checks every length and offset against both
 * buffers before copying, and copies in 8-byte chunks only where the chunk
 * stays inside both buffers.
 */
#include "lib/lz4.h"
#include "lib/string.h"

/* Format constants (LZ4 block format specification). */
#define MIN_MATCH     4		     /* shortest match; the token stores length - 4 */
#define LAST_LITERALS 5		     /* the last 5 bytes of a block are always literals */
#define MF_LIMIT      12	     /* the last match starts at least 12 bytes before the end */
#define MIN_INPUT     (MF_LIMIT + 1) /* shorter inputs are a single literal run */
#define MAX_OFFSET    65535
#define TOKEN_BITS    4
#define TOKEN_MASK    ((1u << TOKEN_BITS) - 1) /* 15: length continues in 255-runs */
#define RUN_BYTE      255
#define OFFSET_BYTES  2

/* After 2^SKIP_TRIGGER failed probes the search step grows by one (liblz4's). */
#define SKIP_TRIGGER 6
#define HASH_PRIME   2654435761u     /* Knuth's multiplicative hash */
#define HASH_PRIME64 889523592379ull /* liblz4's 5-byte hash multiplier */
#define LONG_INPUT   65536	     /* above this, hash 5 bytes */

#define CHUNK 8 /* bytes per unaligned copy step */

/* The table keeps 16-bit positions: any distance rebuilt from one is a valid offset. */
_Static_assert((u16)~0u == MAX_OFFSET, "u16 positions must cover the LZ4 window");

/* Fixed-size moves through __builtin_memcpy, so even the freestanding kernel
 * build (-fno-builtin) turns them into single loads and stores. */
static inline u32 ld32(const u8 *p)
{
	u32 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static inline u64 ld64(const u8 *p)
{
	u64 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static inline void copy8(u8 *d, const u8 *s)
{
	__builtin_memcpy(d, s, CHUNK);
}

static inline u32 hash4(u32 seq)
{
	return (seq * HASH_PRIME) >> (32 - LZ4_BLOCK_HASH_LOG);
}

/*
 * Inputs over 64 KiB hash 5 bytes, as liblz4 does for them: with a table
 * sized for pages, 4-byte hashes of a long input collide into poor matches
 * (half the ratio on arrays of small integers). Reads 8 bytes: callers stay
 * at least MF_LIMIT bytes before the end.
 */
static inline u32 hash_at(const u8 *p, bool long_input)
{
	if (long_input)
		return (u32)(((ld64(p) << 24) * HASH_PRIME64) >> (64 - LZ4_BLOCK_HASH_LOG));
	return hash4(ld32(p));
}

/* Bytes a length field needs beyond the token: len is what does not fit in
 * the 4-bit field, i.e. the full length minus 0 (literals) or MIN_MATCH. */
static inline size_t ext_bytes(size_t len)
{
	return len < TOKEN_MASK ? 0 : (len - TOKEN_MASK) / RUN_BYTE + 1;
}

/* Write the 255-run continuation of a length whose nibble was TOKEN_MASK. */
static u8 *put_ext(u8 *op, size_t len)
{
	len -= TOKEN_MASK;
	while (len >= RUN_BYTE) {
		*op++ = RUN_BYTE;
		len -= RUN_BYTE;
	}
	*op++ = (u8)len;
	return op;
}

/* How many bytes from p equal those from m (m < p), stopping at limit. */
static inline size_t count_match(const u8 *p, const u8 *m, const u8 *limit)
{
	const u8 *start = p;

	while ((size_t)(limit - p) >= sizeof(u64)) {
		u64 diff = ld64(p) ^ ld64(m);

		if (diff)
			return (size_t)(p - start) + (unsigned int)__builtin_ctzll(diff) / 8;
		p += sizeof(u64);
		m += sizeof(u64);
	}
	while (p < limit && *p == *m) {
		p++;
		m++;
	}
	return (size_t)(p - start);
}

/* Emit the final literal run; NULL when it does not fit. */
static u8 *put_last_literals(u8 *op, u8 *oend, const u8 *anchor, size_t lit)
{
	if ((size_t)(oend - op) < 1 + ext_bytes(lit) + lit)
		return NULL;
	if (lit >= TOKEN_MASK) {
		*op++ = TOKEN_MASK << TOKEN_BITS;
		op = put_ext(op, lit);
	} else {
		*op++ = (u8)(lit << TOKEN_BITS);
	}
	if (lit)
		memcpy(op, anchor, lit); /* anchor is NULL for an empty src */
	return op + lit;
}

/*
 * Whether the position dist before ip (pos bytes into src) is a usable
 * match for ip: inside src and the LZ4 window, with the same 4 bytes.
 */
static inline __attribute__((always_inline)) bool is_match(const u8 *ip, size_t pos, u16 dist)
{
	return dist != 0 && dist <= pos && ld32(ip - dist) == ld32(ip);
}

/*
 * Find a 4-byte match from *ipp on, probing ever more sparsely. Returns the
 * match with *ipp moved to the position it matches, or NULL once the search
 * passes mflimit.
 */
static inline __attribute__((always_inline)) const u8 *
find_match(const u8 **ipp, const u8 *src, const u8 *mflimit, u16 *table, bool long_input)
{
	const u8 *ip, *fwd = *ipp;
	unsigned int step = 1, probes = 1u << SKIP_TRIGGER;
	u32 h = hash_at(fwd, long_input);
	size_t pos;
	u16 dist;

	do {
		ip = fwd;
		fwd += step;
		step = probes++ >> SKIP_TRIGGER;
		if (fwd > mflimit + 1)
			return NULL;
		pos = (size_t)(ip - src);
		dist = (u16)(pos - table[h]);
		table[h] = (u16)pos;
		h = hash_at(fwd, long_input);
	} while (!is_match(ip, pos, dist));
	*ipp = ip;
	return ip - dist;
}

/* Extend a match backwards over literals that match too. */
static inline __attribute__((always_inline)) void extend_back(const u8 **ipp, const u8 **matchp,
							      const u8 *anchor, const u8 *src)
{
	const u8 *ip = *ipp, *match = *matchp;

	while (ip > anchor && match > src && ip[-1] == match[-1]) {
		ip--;
		match--;
	}
	*ipp = ip;
	*matchp = match;
}

/*
 * After a sequence ending at ip: index a position inside the match, then
 * try ip itself. The match at ip, or NULL.
 */
static inline __attribute__((always_inline)) const u8 *match_after(const u8 *ip, const u8 *src,
								   u16 *table, bool long_input)
{
	size_t pos = (size_t)(ip - 2 - src);
	u32 h;
	u16 dist;

	table[hash_at(ip - 2, long_input)] = (u16)pos;
	pos += 2;
	h = hash_at(ip, long_input);
	dist = (u16)(pos - table[h]);
	table[h] = (u16)pos;
	return is_match(ip, pos, dist) ? ip - dist : NULL;
}

/*
 * Copy lit literals from anchor to op. Chunks may overread up to 7 bytes
 * past them (callers leave that much input: the literals end before a match
 * that ends before the last literals) and overwrite past them only where
 * dst has room.
 */
static inline __attribute__((always_inline)) void put_literals(u8 *op, const u8 *oend,
							       const u8 *anchor, size_t lit)
{
	if ((size_t)(oend - op) >= lit + CHUNK) {
		const u8 *const end = anchor + lit;
		u8 *d = op;
		const u8 *s = anchor;

		do {
			copy8(d, s);
			d += CHUNK;
			s += CHUNK;
		} while (s < end);
	} else {
		memcpy(op, anchor, lit);
	}
}

/*
 * Emit one sequence: token, literal length, the literals at anchor, offset,
 * match length (ml = match length - MIN_MATCH). NULL when it does not fit.
 */
static inline __attribute__((always_inline)) u8 *put_sequence(u8 *op, u8 *oend, const u8 *anchor,
							      size_t lit, u16 off, size_t ml)
{
	u8 *token;

	if ((size_t)(oend - op) < 1 + ext_bytes(lit) + lit + OFFSET_BYTES + ext_bytes(ml))
		return NULL;
	token = op++;
	if (lit >= TOKEN_MASK) {
		*token = TOKEN_MASK << TOKEN_BITS;
		op = put_ext(op, lit);
	} else {
		*token = (u8)(lit << TOKEN_BITS);
	}
	put_literals(op, oend, anchor, lit);
	op += lit;
	*op++ = (u8)off;
	*op++ = (u8)(off >> 8);
	if (ml >= TOKEN_MASK) {
		*token |= TOKEN_MASK;
		op = put_ext(op, ml);
	} else {
		*token |= (u8)ml;
	}
	return op;
}

/* The compressor proper, specialised by the caller on long_input. */
static inline __attribute__((always_inline)) int
compress(const u8 *src, size_t src_len, u8 *dst, size_t dst_cap, u16 *table, bool long_input)
{
	const u8 *ip = src, *anchor = src, *match;
	const u8 *const iend = src + src_len;
	const u8 *mflimit, *matchlimit;
	u8 *op = dst, *const oend = dst + dst_cap;

	if (src_len < MIN_INPUT)
		goto last_literals;

	/* Match starts stay <= mflimit, match ends <= matchlimit. */
	mflimit = iend - MF_LIMIT;
	matchlimit = iend - LAST_LITERALS;
	memset(table, 0, LZ4_SCRATCH_BYTES);
	table[hash_at(ip, long_input)] = 0;
	ip++;

	while ((match = find_match(&ip, src, mflimit, table, long_input))) {
		extend_back(&ip, &match, anchor, src);

		/* Emit sequences for as long as the next position matches at once. */
		do {
			size_t mlen = MIN_MATCH +
				      count_match(ip + MIN_MATCH, match + MIN_MATCH, matchlimit);

			op = put_sequence(op, oend, anchor, (size_t)(ip - anchor),
					  (u16)(ip - match), mlen - MIN_MATCH);
			if (!op)
				return 0;
			ip += mlen;
			anchor = ip;
			if (ip > mflimit)
				goto last_literals;
		} while ((match = match_after(ip, src, table, long_input)));
		ip++;
	}

last_literals:
	op = put_last_literals(op, oend, anchor, (size_t)(iend - anchor));
	return op ? (int)(op - dst) : 0;
}

int lz4_compress_block(const u8 *src, size_t src_len, u8 *dst, size_t dst_cap, void *scratch)
{
	if (!scratch || !IS_ALIGNED((uintptr_t)scratch, LZ4_BLOCK_SCRATCH_ALIGN))
		return -E_INVAL;
	if (src_len > LZ4_BLOCK_MAX_INPUT)
		return -E_RANGE;
	if (dst_cap > (size_t)__INT_MAX__)
		dst_cap = (size_t)__INT_MAX__;
	if (src_len > LONG_INPUT)
		return compress(src, src_len, dst, dst_cap, scratch, true);
	return compress(src, src_len, dst, dst_cap, scratch, false);
}

/*
 * Read a 255-run length continuation into *len. False when the input ends
 * before the run does.
 */
static inline bool get_ext(const u8 **ipp, const u8 *iend, size_t *len)
{
	const u8 *ip = *ipp;
	u8 b;

	do {
		if (ip >= iend)
			return false;
		b = *ip++;
		*len += b;
	} while (b == RUN_BYTE);
	*ipp = ip;
	return true;
}

/*
 * Copy a match of len bytes from op - off to op; an overlapping match
 * (off < len) repeats its pattern. Whole chunks go while a chunk fits before
 * oend (they may write up to CHUNK - 1 bytes past the match), the rest byte
 * by byte.
 */
static inline void copy_match(u8 *op, size_t off, size_t len, u8 *oend)
{
	/* Smallest multiple of off that is >= CHUNK, for off < CHUNK. */
	static const u8 period[CHUNK] = {0, 8, 8, 9, 8, 10, 12, 14};
	u8 *const end = op + len;

	if (off >= CHUNK && (size_t)(oend - op) >= len + CHUNK) {
		/* The common case: no overlap within a chunk, room after. */
		const u8 *m = op - off;

		do {
			copy8(op, m);
			op += CHUNK;
			m += CHUNK;
		} while (op < end);
		return;
	}
	if (off < CHUNK && (size_t)(oend - op) >= CHUNK) {
		/* The first chunk byte by byte; after it the output repeats
		 * with period[off] >= CHUNK too, so whole chunks never overlap. */
		for (unsigned int i = 0; i < CHUNK; i++)
			op[i] = op[i - off];
		op += CHUNK;
		off = period[off];
	}
	if (off >= CHUNK) {
		while (op < end && (size_t)(oend - op) >= CHUNK) {
			copy8(op, op - off);
			op += CHUNK;
		}
	}
	while (op < end) {
		*op = *(op - off);
		op++;
	}
}

/*
 * The short-sequence shortcut (liblz4's): literal and match nibbles below 15,
 * offset >= CHUNK, and this much input and output left, so a fixed 16-byte
 * literal copy and 24-byte match copy stay inside both buffers and the
 * sequence cannot be the last one.
 */
#define FAST_IN	 (2 * CHUNK + 1) /* 16 literal bytes read, then a next token */
#define FAST_OUT (5 * CHUNK)	 /* 14 literals + 24 match bytes written */

/* The 2-byte little-endian match offset at *ipp (callers checked it is there). */
static inline size_t get_offset(const u8 **ipp)
{
	const u8 *ip = *ipp;

	*ipp = ip + OFFSET_BYTES;
	return ip[0] | (size_t)ip[1] << 8;
}

/*
 * The literal run of a sequence outside the shortcut: its 255-run
 * continuation (nibble lit == TOKEN_MASK), bounds checks, then the copy
 * from *ipp to *opp, both advanced. 0, -E_INVAL or -E_RANGE.
 */
static inline __attribute__((always_inline)) int get_literals(const u8 **ipp, const u8 *iend,
							      u8 **opp, const u8 *oend, size_t lit)
{
	const u8 *ip = *ipp;
	u8 *op = *opp;

	if (lit == TOKEN_MASK && !get_ext(&ip, iend, &lit))
		return -E_INVAL;
	if (lit > (size_t)(iend - ip))
		return -E_INVAL;
	if (lit > (size_t)(oend - op))
		return -E_RANGE;
	if ((size_t)(iend - ip) >= lit + 2 * CHUNK && (size_t)(oend - op) >= lit + 2 * CHUNK) {
		/* Whole 16-byte steps: may read and write up to 15
		 * bytes past the run, inside both buffers. */
		u8 *d = op;
		const u8 *sp = ip;

		do {
			copy8(d, sp);
			copy8(d + CHUNK, sp + CHUNK);
			d += 2 * CHUNK;
			sp += 2 * CHUNK;
		} while (d < op + lit);
	} else if (lit) {
		memcpy(op, ip, lit); /* dst is NULL when dst_len is 0 */
	}
	*ipp = ip + lit;
	*opp = op + lit;
	return 0;
}

/*
 * The match of a sequence outside the shortcut: offset check, the 255-run
 * continuation of its length (nibble len == TOKEN_MASK), then the copy to
 * op. Its length in *len, or -E_INVAL / -E_RANGE.
 */
static inline __attribute__((always_inline)) int
get_match(const u8 **ipp, const u8 *iend, u8 *op, const u8 *dst, u8 *oend, size_t off, size_t *len)
{
	if (off == 0 || off > (size_t)(op - dst))
		return -E_INVAL;
	if (*len == TOKEN_MASK && !get_ext(ipp, iend, len))
		return -E_INVAL;
	*len += MIN_MATCH;
	if (*len > (size_t)(oend - op))
		return -E_RANGE;
	copy_match(op, off, *len, oend);
	return 0;
}

int lz4_decompress_block(const u8 *src, size_t src_len, u8 *dst, size_t dst_len)
{
	const u8 *ip = src;
	const u8 *const iend = src + src_len;
	u8 *op = dst, *oend;
	size_t last_match_start = 0, last_match_end = 0, out;
	bool matched = false;
	int err;

	if (!src || src_len == 0 || (!dst && dst_len))
		return -E_INVAL;
	if (dst_len > (size_t)__INT_MAX__)
		dst_len = (size_t)__INT_MAX__;
	oend = dst + dst_len;

	for (;;) {
		u8 token = *ip++; /* ip < iend: checked on entry and after each match */
		size_t lit = token >> TOKEN_BITS, len = token & TOKEN_MASK, off;

		if (lit < TOKEN_MASK && (size_t)(iend - ip) >= FAST_IN &&
		    (size_t)(oend - op) >= FAST_OUT) {
			/* The shortcut: fixed-size literal and match copies. */
			copy8(op, ip);
			copy8(op + CHUNK, ip + CHUNK);
			op += lit;
			ip += lit;
			off = get_offset(&ip);
			if (len < TOKEN_MASK && off >= CHUNK && off <= (size_t)(op - dst)) {
				copy8(op, op - off);
				copy8(op + CHUNK, op + CHUNK - off);
				copy8(op + 2 * CHUNK, op + 2 * CHUNK - off);
				last_match_start = (size_t)(op - dst);
				op += len + MIN_MATCH;
				last_match_end = (size_t)(op - dst);
				matched = true;
				continue;
			}
		} else {
			err = get_literals(&ip, iend, &op, oend, lit);
			if (err)
				return err;
			if (ip == iend)
				break; /* the last sequence: literals only */
			if ((size_t)(iend - ip) < OFFSET_BYTES)
				return -E_INVAL;
			off = get_offset(&ip);
		}

		err = get_match(&ip, iend, op, dst, oend, off, &len);
		if (err)
			return err;
		last_match_start = (size_t)(op - dst);
		op += len;
		last_match_end = (size_t)(op - dst);
		matched = true;
		if (ip == iend)
			return -E_INVAL; /* ends with a match, not literals */
	}

	out = (size_t)(op - dst);
	if (matched && (out - last_match_end < LAST_LITERALS || out - last_match_start < MF_LIMIT))
		return -E_INVAL;
	return (int)out;
}
