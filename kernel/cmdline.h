/* SPDX-License-Identifier: MIT */
/*
 * Table-driven kernel command-line parser. Options are `key=value` or a bare
 * `key`, separated by blanks; a value may be double-quoted to hold blanks.
 * Each bad option is reported once through a callback and skipped, keeping
 * its default, so one typo never stops the boot. A standalone `--` ends the
 * hypervisor's options: what follows belongs to the guest.
 */
#ifndef TERN_KERNEL_CMDLINE_H
#define TERN_KERNEL_CMDLINE_H

#include "lib/types.h"

enum cmdline_type {
	CMDLINE_BOOL,	/* bool *: bare key, or 1/0 on/off yes/no true/false */
	CMDLINE_U64,	/* u64 *: decimal or 0x hex */
	CMDLINE_SIZE,	/* u64 *: like U64, plus a K/M/G/T suffix */
	CMDLINE_STRING, /* char[str_size] */
	CMDLINE_ENUM,	/* u32 *: index into the NULL-terminated names list */
};

enum cmdline_flags {
	CMDLINE_NODUP = BIT(0), /* a second occurrence is an error (first kept) */
};

struct cmdline_opt {
	const char *name;
	enum cmdline_type type;
	void *store;
	u64 min, max;		  /* numbers; min == max == 0: no range check */
	size_t str_size;	  /* CMDLINE_STRING buffer size, NUL included */
	const char *const *names; /* CMDLINE_ENUM values, NULL-terminated */
	u32 flags;		  /* enum cmdline_flags */
	const char *help;
};

#define CMDLINE_MSG_MAX	  160
#define CMDLINE_DUP_TRACK 128 /* duplicate detection covers this many options */

/*
 * Apply every option of cmdline up to a standalone `--`. report (may be NULL)
 * gets one message per error, e.g. "cmdline: unknown option 'foo'". Returns
 * the number of errors; options in error keep their defaults.
 */
int cmdline_parse(const char *cmdline, const struct cmdline_opt *opts, size_t n,
		  void (*report)(const char *msg, void *ctx), void *ctx);

/*
 * Split at the first standalone, unquoted `--`. *head_len gets the length of
 * the part before it (trailing blanks removed); returns the part after it
 * (leading blanks skipped), or NULL without a `--` (then *head_len covers
 * the whole string).
 */
const char *cmdline_split(const char *cmdline, size_t *head_len);

/*
 * Parse len bytes of s as an unsigned number: decimal or 0x hex, with an
 * optional K/M/G/T (binary) suffix. Returns 0, -E_INVAL for bad syntax or
 * -E_RANGE on overflow.
 */
int parse_u64(const char *s, size_t len, u64 *out);

#endif
