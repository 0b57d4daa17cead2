/* SPDX-License-Identifier: MIT */
/*
 * Basic fixed-width types shared by the kernel and the hosted unit-test build.
 * Only compiler-provided freestanding headers are used, so the same pure code
 * compiles into Tern and into the cmocka tests.
 */
#ifndef TERN_LIB_TYPES_H
#define TERN_LIB_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

typedef u64 paddr_t; /* host physical address */

#define BIT(n) (1ull << (n))
#define GENMASK(hi, lo) (((~0ull) >> (63 - (hi))) & ~((1ull << (lo)) - 1))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((u64)(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((u64)(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((u64)(a) - 1)) == 0)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define KiB(x) ((u64)(x) << 10)
#define MiB(x) ((u64)(x) << 20)
#define GiB(x) ((u64)(x) << 30)

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ull << PAGE_SHIFT)

#define __packed __attribute__((packed))
#define __aligned(x) __attribute__((aligned(x)))
#define __noreturn __attribute__((noreturn))
#define __unused __attribute__((unused))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define TERN_STR_(x) #x
#define TERN_STR(x) TERN_STR_(x)

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/* Negative error codes, returned by functions that can fail. */
enum {
	E_OK = 0,
	E_INVAL = 1,  /* malformed input */
	E_NOMEM = 2,  /* out of memory */
	E_RANGE = 3,  /* value out of range */
	E_EXIST = 4,  /* already present */
	E_NOENT = 5,  /* not found */
	E_OVERLAP = 6, /* region overlaps another */
	E_NOSUPP = 7, /* not supported by this machine */
	E_TIMEOUT = 8,
	E_BUSY = 9,
};

const char *err_name(int err); /* "EINVAL" etc. for a negative code */

#endif
