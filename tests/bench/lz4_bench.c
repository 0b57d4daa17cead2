/* SPDX-License-Identifier: MIT */
/*
 * Host benchmark of lib/lz4.c beside the reference liblz4, on a corpus of
 * 4 KiB pages generated to look like guest memory: zero pages, x86-like
 * code, text, page tables, kernel-heap-like structures, random
 * (compressed or encrypted) data, and half-used pages. Per class and for the
 * whole corpus: compression and decompression speed in MB/s of page data
 * and the ratio of page bytes to stored bytes, where a page that does not
 * compress below 4096 bytes is stored raw (dst_cap = 4095, as the eviction
 * path will call it). liblz4 compresses with LZ4_compress_default and
 * decompresses with LZ4_decompress_safe; both decoders decode the same
 * (Tern) blocks. Each figure is the best of several interleaved runs, since
 * the machines are shared and noisy. Prints JSON lines, then a table.
 *
 *   build/bench/lz4_bench [pages_per_class]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <lz4.h>

#include "lib/lz4.h"
#include "tests/unit/xorshift.h"

#define PAGE	  4096
#define RUNS	  7	     /* interleaved timing runs per figure; the best counts */
#define MIN_TIME  0.02	     /* seconds per timing run, at least */
#define RAW_LIMIT (PAGE - 1) /* compressed pages must be smaller than this + 1 */

enum cls { C_ZERO, C_CODE, C_TEXT, C_PTABLE, C_HEAP, C_RANDOM, C_HALF, C_N };
static const char *const cls_name[C_N] = {"zero", "code",   "text",	"pagetable",
					  "heap", "random", "half-used"};

static u64 rng_state = 0x2545F4914F6CDD1Dull;

static u64 rng(void)
{
	return xorshift64(&rng_state);
}

static void put_bytes(u8 *p, size_t *i, const u8 *b, size_t n)
{
	for (size_t k = 0; k < n && *i < PAGE; k++)
		p[(*i)++] = b[k];
}

static void put_le(u8 *p, size_t *i, u64 v, size_t n)
{
	for (size_t k = 0; k < n && *i < PAGE; k++)
		p[(*i)++] = (u8)(v >> (8 * k));
}

/* x86-64-looking code: prologues, moves, calls with random targets, jumps,
 * immediates, and padding between functions. */
static void gen_code(u8 *p)
{
	static const u8 prologue[] = {0x55, 0x48, 0x89, 0xe5, 0x41, 0x54, 0x53};
	static const u8 epilogue[] = {0x5b, 0x41, 0x5c, 0x5d, 0xc3};
	static const u8 ops[][4] = {
		{0x48, 0x8b, 0x45, 0}, {0x48, 0x89, 0x45, 0}, {0x8b, 0x47, 0, 0},
		{0x48, 0x83, 0xec, 0}, {0x85, 0xc0, 0, 0},    {0x48, 0x85, 0xff, 0},
		{0x31, 0xc0, 0, 0},    {0x4c, 0x89, 0xe7, 0}, {0x48, 0x8d, 0x7d, 0},
	};
	static const u8 oplen[] = {4, 4, 3, 4, 2, 3, 2, 3, 4};
	size_t i = 0;

	while (i < PAGE) {
		unsigned int r = (unsigned int)(rng() % 16);

		if (r == 0) {
			put_bytes(p, &i, prologue, sizeof(prologue));
		} else if (r == 1) {
			put_bytes(p, &i, epilogue, sizeof(epilogue));
			while (i % 16 && i < PAGE)
				p[i++] = 0xcc;
		} else if (r < 4) {
			put_le(p, &i, 0xe8, 1); /* call rel32 */
			put_le(p, &i, rng() & 0x3ffff, 4);
		} else if (r < 6) {
			put_le(p, &i, 0x74 + (rng() & 1), 1); /* jz/jnz rel8 */
			put_le(p, &i, rng(), 1);
		} else {
			unsigned int o = (unsigned int)(rng() % sizeof(oplen));
			u8 b[4];

			memcpy(b, ops[o], 4);
			if (oplen[o] == 4)
				b[3] = (u8)(0xf8 - 8 * (rng() % 4));
			put_bytes(p, &i, b, oplen[o]);
		}
	}
}

static void gen_text(u8 *p)
{
	static const char *const words[] = {
		"the ",	   "of ",      "and ",	   "to ",      "in ",	 "is ",	     "that ",
		"for ",	   "it ",      "with ",	   "as ",      "was ",	 "on ",	     "memory ",
		"page ",   "system ",  "process ", "file ",    "error ", "user ",    "kernel ",
		"data ",   "network ", "buffer ",  "request ", "time ",	 "value ",   "return ",
		"config ", "service ", "started ", "failed ",  "\n",	 "{\"id\":", "\"name\":",
		"\", ",	   "2024-",    "INFO ",	   "WARN ",    "/usr/",	 "lib/",     "0x",
	};
	size_t i = 0;

	while (i < PAGE) {
		const char *w = words[rng() % (sizeof(words) / sizeof(words[0]))];

		put_bytes(p, &i, (const u8 *)w, strlen(w));
		if (rng() % 8 == 0)
			put_le(p, &i, '0' + rng() % 10, 1);
	}
}

/* A leaf table mapping mostly contiguous frames, a sparse upper-level
 * table, or a partly filled leaf, as a guest kernel's page tables look. */
static void gen_ptable(u8 *p)
{
	u64 frame = (rng() & 0x3ffff) << 12;
	unsigned int kind = (unsigned int)(rng() % 3);

	memset(p, 0, PAGE);
	for (size_t e = 0; e < PAGE / 8; e++) {
		u64 v = 0;

		if (kind == 0)
			v = (frame + (e << 12)) | 0x63 | (rng() % 4 == 0 ? 0 : (1ull << 63));
		else if (kind == 1 && rng() % 32 == 0)
			v = ((rng() & 0xfffff) << 12) | 0x67;
		else if (kind == 2 && e < PAGE / 8 / 3)
			v = ((frame + (rng() & 0xfff)) << 12) | 0x67;
		memcpy(p + e * 8, &v, 8);
	}
}

/* Kernel-heap-like: an array of 64-byte objects with pointers into one
 * region, small counters, flags, list links and some zero padding. */
static void gen_heap(u8 *p)
{
	u64 base = 0xffff888000000000ull + ((rng() & 0xffff) << 12);

	memset(p, 0, PAGE);
	for (size_t o = 0; o + 64 <= PAGE; o += 64) {
		u64 f[8] = {
			base + (rng() & 0xfff) * 64,
			base + (rng() & 0xfff) * 64,
			rng() % 100,
			(rng() % 4) << 8 | 1,
			o / 64,
			rng() % 3 == 0 ? base + o : 0,
			0,
			rng() % 5 == 0 ? rng() : 0,
		};

		memcpy(p + o, f, sizeof(f));
	}
}

static void gen_page(u8 *p, enum cls c)
{
	switch (c) {
	case C_ZERO:
		memset(p, 0, PAGE);
		break;
	case C_CODE:
		gen_code(p);
		break;
	case C_TEXT:
		gen_text(p);
		break;
	case C_PTABLE:
		gen_ptable(p);
		break;
	case C_HEAP:
		gen_heap(p);
		break;
	case C_RANDOM:
		for (size_t i = 0; i < PAGE; i += 8) {
			u64 v = rng();

			memcpy(p + i, &v, 8);
		}
		break;
	case C_HALF: {
		u8 tmp[PAGE];

		gen_page(tmp, (enum cls)(C_CODE + rng() % 4));
		memset(p, 0, PAGE);
		memcpy(p, tmp, PAGE / 2);
		break;
	}
	default:
		abort();
	}
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

struct set {
	u8 *pages; /* n pages */
	u8 *comp;  /* n slots of PAGE bytes: Tern blocks */
	int *clen; /* compressed size, 0 = stored raw */
	size_t n;
	long stored[2]; /* bytes stored, per implementation */
};

enum impl { TERN, REF };
static const char *const impl_name[2] = {"tern", "liblz4"};

static u16 scratch[LZ4_SCRATCH_BYTES / sizeof(u16)];
static u8 sink[PAGE];
static volatile long sink_sum;

/* One pass over the set; returns the bytes stored. */
static long compress_pass(struct set *s, enum impl im)
{
	long stored = 0;

	for (size_t i = 0; i < s->n; i++) {
		const u8 *pg = s->pages + i * PAGE;
		int c;

		if (im == TERN)
			c = lz4_compress_block(pg, PAGE, sink, RAW_LIMIT, scratch);
		else
			c = LZ4_compress_default((const char *)pg, (char *)sink, PAGE, RAW_LIMIT);
		stored += c > 0 ? c : PAGE;
	}
	sink_sum += sink[0];
	return stored;
}

static void decompress_pass(struct set *s, enum impl im)
{
	for (size_t i = 0; i < s->n; i++) {
		const u8 *blk = s->comp + i * PAGE;
		int r;

		if (!s->clen[i])
			continue;
		if (im == TERN)
			r = lz4_decompress_block(blk, (size_t)s->clen[i], sink, PAGE);
		else
			r = LZ4_decompress_safe((const char *)blk, (char *)sink, s->clen[i], PAGE);
		if (r != PAGE) {
			fprintf(stderr, "lz4_bench: %s failed to decompress page %zu: %d\n",
				impl_name[im], i, r);
			exit(1);
		}
	}
	sink_sum += sink[PAGE - 1];
}

/* Seconds per pass: the best of RUNS runs of enough passes. */
static double time_pass(struct set *s, enum impl im, bool comp)
{
	double best = 1e9;

	for (int run = 0; run < RUNS; run++) {
		long passes = 0;
		double t0 = now(), t;

		do {
			if (comp)
				compress_pass(s, im);
			else
				decompress_pass(s, im);
			passes++;
			t = now() - t0;
		} while (t < MIN_TIME);
		if (t / (double)passes < best)
			best = t / (double)passes;
	}
	return best;
}

struct result {
	double comp_mbps[2], decomp_mbps[2], ratio[2];
	size_t compressed_pages;
};

static struct result measure(struct set *s)
{
	struct result r = {0};
	double bytes = (double)s->n * PAGE, dbytes;

	for (size_t i = 0; i < s->n; i++) {
		int c = lz4_compress_block(s->pages + i * PAGE, PAGE, s->comp + i * PAGE, RAW_LIMIT,
					   scratch);

		if (c < 0)
			abort();
		s->clen[i] = c;
		r.compressed_pages += c > 0;
	}
	dbytes = (double)r.compressed_pages * PAGE;
	for (int im = 0; im < 2; im++) {
		r.ratio[im] = bytes / (double)compress_pass(s, (enum impl)im);
		r.comp_mbps[im] = 0;
		r.decomp_mbps[im] = 0;
	}
	/* Interleave the implementations so drifts in machine load hit both. */
	for (int im = 0; im < 2; im++)
		r.comp_mbps[im] = bytes / time_pass(s, (enum impl)im, true) / 1e6;
	for (int im = 1; im >= 0; im--) {
		double t = time_pass(s, (enum impl)im, true);

		if (bytes / t / 1e6 > r.comp_mbps[im])
			r.comp_mbps[im] = bytes / t / 1e6;
	}
	if (r.compressed_pages) {
		for (int im = 0; im < 2; im++)
			r.decomp_mbps[im] = dbytes / time_pass(s, (enum impl)im, false) / 1e6;
		for (int im = 1; im >= 0; im--) {
			double t = time_pass(s, (enum impl)im, false);

			if (dbytes / t / 1e6 > r.decomp_mbps[im])
				r.decomp_mbps[im] = dbytes / t / 1e6;
		}
	}
	return r;
}

static void set_alloc(struct set *s, size_t n)
{
	s->n = n;
	s->pages = malloc(n * PAGE);
	s->comp = malloc(n * PAGE);
	s->clen = calloc(n, sizeof(int));
	if (!s->pages || !s->comp || !s->clen) {
		fprintf(stderr, "lz4_bench: out of memory\n");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	size_t per = argc > 1 ? (size_t)strtoul(argv[1], NULL, 0) : 256;
	struct set sets[C_N + 1];
	struct result res[C_N + 1];
	const char *names[C_N + 1];

	if (!per)
		per = 1;
	set_alloc(&sets[C_N], per * C_N);
	for (int c = 0; c < C_N; c++) {
		set_alloc(&sets[c], per);
		for (size_t i = 0; i < per; i++) {
			gen_page(sets[c].pages + i * PAGE, (enum cls)c);
			/* The "all" set interleaves classes, as memory would. */
			memcpy(sets[C_N].pages + (i * C_N + (size_t)c) * PAGE,
			       sets[c].pages + i * PAGE, PAGE);
		}
		names[c] = cls_name[c];
	}
	names[C_N] = "all";

	for (int c = 0; c <= C_N; c++) {
		res[c] = measure(&sets[c]);
		for (int im = 0; im < 2; im++)
			printf("{\"bench\":\"lz4\",\"class\":\"%s\",\"impl\":\"%s\",\"pages\":%zu,"
			       "\"compressed_pages\":%zu,\"comp_mbps\":%.1f,\"decomp_mbps\":%.1f,"
			       "\"ratio\":%.3f,\"baseline\":\"liblz4\"}\n",
			       names[c], impl_name[im], sets[c].n, res[c].compressed_pages,
			       res[c].comp_mbps[im], res[c].decomp_mbps[im], res[c].ratio[im]);
	}

	printf("\n%-10s %6s | %10s %10s %6s | %10s %10s %6s | %7s %7s\n", "class", "pages",
	       "comp MB/s", "liblz4", "x", "dec MB/s", "liblz4", "x", "ratio", "liblz4");
	for (int c = 0; c <= C_N; c++) {
		struct result *r = &res[c];

		printf("%-10s %6zu | %10.0f %10.0f %6.2f | %10.0f %10.0f %6.2f | %7.2f %7.2f\n",
		       names[c], sets[c].n, r->comp_mbps[TERN], r->comp_mbps[REF],
		       r->comp_mbps[TERN] / r->comp_mbps[REF], r->decomp_mbps[TERN],
		       r->decomp_mbps[REF],
		       r->decomp_mbps[REF] > 0 ? r->decomp_mbps[TERN] / r->decomp_mbps[REF] : 0,
		       r->ratio[TERN], r->ratio[REF]);
	}
	printf("(x = tern / liblz4; ratio = page bytes / stored bytes, pages over %d bytes "
	       "compressed stored raw; decompression over compressed pages only)\n",
	       RAW_LIMIT);
	return 0;
}
