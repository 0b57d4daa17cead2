/* SPDX-License-Identifier: MIT */
/*
 * Command-line option parser (see cmdline.h). The string is never modified:
 * tokens are (pointer, length) pairs, so the same code serves the boot
 * command line in boot_info and guest command lines built at run time.
 */
#include "kernel/cmdline.h"
#include "lib/bytes.h"
#include "lib/format.h"
#include "lib/string.h"

#define QUOTE	 '"'
#define SHOW_MAX 48 /* bytes of an offending token shown in a message */

enum suffix_shift {
	SHIFT_K = 10,
	SHIFT_M = 20,
	SHIFT_G = 30,
	SHIFT_T = 40,
};

struct token {
	const char *s;
	size_t len;
	bool unterminated; /* an opening quote without its closing one */
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Next blank-separated token starting at *pos; quotes protect blanks. */
static bool next_token(const char **pos, struct token *t)
{
	const char *p = *pos;
	bool quoted = false;

	while (is_blank(*p))
		p++;
	if (!*p)
		return false;
	t->s = p;
	for (; *p && (quoted || !is_blank(*p)); p++)
		if (*p == QUOTE)
			quoted = !quoted;
	t->len = (size_t)(p - t->s);
	t->unterminated = quoted;
	*pos = p;
	return true;
}

/* memchr is not among the kernel's string functions. */
static const char *find_char(const char *s, int c, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == c)
			return s + i;
	return NULL;
}

static bool is_separator(const struct token *t)
{
	return t->len == 2 && t->s[0] == '-' && t->s[1] == '-';
}

const char *cmdline_split(const char *cmdline, size_t *head_len)
{
	const char *pos = cmdline;
	struct token t;

	while (next_token(&pos, &t)) {
		if (!is_separator(&t))
			continue;
		/* Trim the blanks between the last option and "--". */
		while (t.s > cmdline && is_blank(t.s[-1]))
			t.s--;
		*head_len = (size_t)(t.s - cmdline);
		while (is_blank(*pos))
			pos++;
		return pos;
	}
	*head_len = strlen(cmdline);
	while (*head_len && is_blank(cmdline[*head_len - 1]))
		(*head_len)--;
	return NULL;
}

static int suffix_shift(char c)
{
	switch (c) {
	case 'k':
	case 'K':
		return SHIFT_K;
	case 'm':
	case 'M':
		return SHIFT_M;
	case 'g':
	case 'G':
		return SHIFT_G;
	case 't':
	case 'T':
		return SHIFT_T;
	default:
		return 0;
	}
}

int parse_u64(const char *s, size_t len, u64 *out)
{
	unsigned int base = 10;
	int shift;
	u64 v = 0;

	if (len && (shift = suffix_shift(s[len - 1])))
		len--;
	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		len -= 2;
	}
	if (!len)
		return -E_INVAL;
	for (size_t i = 0; i < len; i++) {
		int d = hex_digit_value(s[i]);

		if (d < 0 || (unsigned int)d >= base)
			return -E_INVAL;
		if (v > (~0ull - (u64)d) / base)
			return -E_RANGE;
		v = v * base + (u64)d;
	}
	if (shift && v > (~0ull >> shift))
		return -E_RANGE;
	*out = v << shift;
	return 0;
}

struct ctx {
	void (*report)(const char *msg, void *ctx);
	void *report_ctx;
	int errors;
};

static void report(struct ctx *c, const char *fmt, ...) __printf(2, 3);

static void report(struct ctx *c, const char *fmt, ...)
{
	char msg[CMDLINE_MSG_MAX];
	va_list ap;

	c->errors++;
	if (!c->report)
		return;
	va_start(ap, fmt);
	vsnformat(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->report(msg, c->report_ctx);
}

static bool token_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && !memcmp(s, word, len);
}

static int parse_bool(const char *v, size_t len, bool *out)
{
	static const char *const yes[] = {"1", "on", "yes", "true"};
	static const char *const no[] = {"0", "off", "no", "false"};

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (token_is(v, len, yes[i])) {
			*out = true;
			return 0;
		}
		if (token_is(v, len, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -E_INVAL;
}

static bool has_suffix(const char *v, size_t len)
{
	return len && suffix_shift(v[len - 1]);
}

/* "a|b|c" for an enum error message. */
static void enum_list(const struct cmdline_opt *o, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; o->names && o->names[i] && used < size; i++)
		used += (size_t)snformat(buf + used, size - used, "%s%s", i ? "|" : "",
					 o->names[i]);
}

static void range_text(const struct cmdline_opt *o, char *buf, size_t size)
{
	if (o->min == 0 && o->max == 0)
		snformat(buf, size, "0..%llu", ~0ull);
	else
		snformat(buf, size, "%llu..%llu", (unsigned long long)o->min,
			 (unsigned long long)o->max);
}

static int apply_number(struct ctx *c, const struct cmdline_opt *o, const char *v, size_t len)
{
	char range[48];
	u64 n;
	int err;

	range_text(o, range, sizeof(range));
	if (o->type == CMDLINE_U64 && has_suffix(v, len))
		err = -E_INVAL;
	else
		err = parse_u64(v, len, &n);
	if (err == -E_RANGE) {
		report(c, "cmdline: %s=%.*s: number too large (%s)", o->name,
		       (int)MIN(len, SHOW_MAX), v, range);
		return err;
	}
	if (err) {
		report(c, "cmdline: %s=%.*s: not a number (%s)", o->name, (int)MIN(len, SHOW_MAX),
		       v, range);
		return err;
	}
	if ((o->min || o->max) && (n < o->min || n > o->max)) {
		report(c, "cmdline: %s=%.*s: out of range (%s)", o->name, (int)MIN(len, SHOW_MAX),
		       v, range);
		return -E_RANGE;
	}
	*(u64 *)o->store = n;
	return 0;
}

static int apply_value(struct ctx *c, const struct cmdline_opt *o, const char *v, size_t len,
		       bool bare)
{
	char list[96];
	bool b;

	if (bare && o->type == CMDLINE_BOOL) {
		*(bool *)o->store = true;
		return 0;
	}
	if (bare || (!len && o->type != CMDLINE_STRING)) {
		report(c, "cmdline: %s: missing value", o->name);
		return -E_INVAL;
	}
	switch (o->type) {
	case CMDLINE_BOOL:
		if (parse_bool(v, len, &b)) {
			report(c,
			       "cmdline: %s=%.*s: not a boolean (on|off, yes|no, 1|0, true|false)",
			       o->name, (int)MIN(len, SHOW_MAX), v);
			return -E_INVAL;
		}
		*(bool *)o->store = b;
		return 0;
	case CMDLINE_U64:
	case CMDLINE_SIZE:
		return apply_number(c, o, v, len);
	case CMDLINE_STRING:
		if (len + 1 > o->str_size) {
			report(c, "cmdline: %s: value too long (%zu bytes, max %zu)", o->name, len,
			       o->str_size ? o->str_size - 1 : 0);
			return -E_RANGE;
		}
		memcpy(o->store, v, len);
		((char *)o->store)[len] = '\0';
		return 0;
	case CMDLINE_ENUM:
		for (u32 i = 0; o->names && o->names[i]; i++) {
			if (token_is(v, len, o->names[i])) {
				*(u32 *)o->store = i;
				return 0;
			}
		}
		enum_list(o, list, sizeof(list));
		report(c, "cmdline: %s=%.*s: unknown value (expected %s)", o->name,
		       (int)MIN(len, SHOW_MAX), v, list);
		return -E_INVAL;
	}
	report(c, "cmdline: %s: bad option type %d in the table", o->name, (int)o->type);
	return -E_INVAL;
}

static const struct cmdline_opt *find_opt(const struct cmdline_opt *opts, size_t n, const char *key,
					  size_t len, size_t *index)
{
	for (size_t i = 0; i < n; i++) {
		if (token_is(key, len, opts[i].name)) {
			*index = i;
			return &opts[i];
		}
	}
	return NULL;
}

static void parse_token(struct ctx *c, const struct token *t, const struct cmdline_opt *opts,
			size_t n, u64 *seen)
{
	const char *eq = find_char(t->s, '=', t->len);
	size_t klen = eq ? (size_t)(eq - t->s) : t->len;
	const char *v = eq ? eq + 1 : NULL;
	size_t vlen = eq ? t->len - klen - 1 : 0;
	const struct cmdline_opt *o;
	size_t idx;

	if (t->unterminated) {
		report(c, "cmdline: unterminated quote in '%.*s'", (int)MIN(t->len, SHOW_MAX),
		       t->s);
		return;
	}
	if (find_char(t->s, QUOTE, klen)) {
		report(c, "cmdline: quote in option name '%.*s'", (int)MIN(t->len, SHOW_MAX), t->s);
		return;
	}
	o = find_opt(opts, n, t->s, klen, &idx);
	if (!o) {
		report(c, "cmdline: unknown option '%.*s'", (int)MIN(klen, SHOW_MAX), t->s);
		return;
	}
	if (v && vlen >= 2 && v[0] == QUOTE && v[vlen - 1] == QUOTE) {
		v++;
		vlen -= 2;
	}
	if (v && find_char(v, QUOTE, vlen)) {
		report(c, "cmdline: %s: misplaced quote in the value (quote the whole value)",
		       o->name);
		return;
	}
	if ((o->flags & CMDLINE_NODUP) && idx < CMDLINE_DUP_TRACK &&
	    (seen[idx / 64] & BIT(idx % 64))) {
		report(c, "cmdline: %s given more than once (the first one is kept)", o->name);
		return;
	}
	if (apply_value(c, o, v, vlen, !eq))
		return;
	if (idx < CMDLINE_DUP_TRACK)
		seen[idx / 64] |= BIT(idx % 64);
}

int cmdline_parse(const char *cmdline, const struct cmdline_opt *opts, size_t n,
		  void (*report_fn)(const char *msg, void *ctx), void *ctx)
{
	struct ctx c = {.report = report_fn, .report_ctx = ctx, .errors = 0};
	u64 seen[CMDLINE_DUP_TRACK / 64] = {0};
	const char *pos = cmdline;
	struct token t;

	if (!cmdline)
		return 0;
	while (next_token(&pos, &t)) {
		if (is_separator(&t))
			break;
		parse_token(&c, &t, opts, n, seen);
	}
	return c.errors;
}
