/* SPDX-License-Identifier: MIT */
/*
 * A small, bounded printf engine used by printk and the self-tests. It
 * supports the flags, width, precision (both may be '*'), length modifiers
 * and conversions Tern uses, matches C's snprintf output for them, and always
 * returns the length the full output would have had.
 */
#include "lib/format.h"

struct out {
	char *buf;
	size_t size;
	size_t len; /* characters produced so far, even past size */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

enum {
	F_LEFT = 1,
	F_ZERO = 2,
	F_PLUS = 4,
	F_SPACE = 8,
	F_ALT = 16,
	F_UPPER = 32,
	F_SIGNED = 64,
};

static void put_number(struct out *o, u64 v, bool neg, unsigned int base, int flags, int width,
		       int prec)
{
	const char *digits = (flags & F_UPPER) ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, sign = 0, prefix = 0, zeros, total;
	bool zero_value = v == 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (prec == 0 && n == 1 && tmp[0] == '0')
		n = 0;
	/* Only signed conversions (base 10 with F_SIGNED) take '+' or ' '. */
	if (neg || ((flags & F_SIGNED) && (flags & (F_PLUS | F_SPACE))))
		sign = 1;
	if ((flags & F_ALT) && base == 16 && !zero_value) /* C: no 0x for zero */
		prefix = 2;
	if ((flags & F_ALT) && base == 8 && prec <= n && !(n && tmp[n - 1] == '0'))
		prefix = 1; /* octal '#': the first digit must be 0, once */
	zeros = prec > n ? prec - n : 0;
	total = sign + prefix + zeros + n;
	if (prec < 0 && (flags & F_ZERO) && !(flags & F_LEFT) && width > total) {
		zeros += width - total;
		total = width;
	}
	if (!(flags & F_LEFT))
		pad(o, ' ', width - total);
	if (sign)
		put(o, neg ? '-' : (flags & F_PLUS) ? '+' : ' ');
	if (prefix) {
		put(o, '0');
		if (base == 16)
			put(o, (flags & F_UPPER) ? 'X' : 'x');
	}
	pad(o, '0', zeros);
	while (n)
		put(o, tmp[--n]);
	if (flags & F_LEFT)
		pad(o, ' ', width - total);
}

static int parse_int(const char **p)
{
	int v = 0;

	while (**p >= '0' && **p <= '9') {
		if (v < 100000)
			v = v * 10 + (**p - '0');
		(*p)++;
	}
	return v;
}

enum len_mod { L_INT, L_CHAR, L_SHORT, L_LONG, L_LLONG, L_SIZE };

static u64 fetch_unsigned(va_list *ap, enum len_mod lm)
{
	switch (lm) {
	case L_CHAR:
		return (unsigned char)va_arg(*ap, unsigned int);
	case L_SHORT:
		return (unsigned short)va_arg(*ap, unsigned int);
	case L_LONG:
		return va_arg(*ap, unsigned long);
	case L_LLONG:
		return va_arg(*ap, unsigned long long);
	case L_SIZE:
		return va_arg(*ap, size_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

static s64 fetch_signed(va_list *ap, enum len_mod lm)
{
	switch (lm) {
	case L_CHAR:
		return (signed char)va_arg(*ap, int);
	case L_SHORT:
		return (short)va_arg(*ap, int);
	case L_LONG:
		return va_arg(*ap, long);
	case L_LLONG:
		return va_arg(*ap, long long);
	case L_SIZE:
		return va_arg(*ap, ptrdiff_t);
	default:
		return va_arg(*ap, int);
	}
}

static void put_string(struct out *o, const char *s, int flags, int width, int prec)
{
	int n = 0;

	if (!s)
		s = "(null)";
	while (s[n] && (prec < 0 || n < prec))
		n++;
	if (!(flags & F_LEFT))
		pad(o, ' ', width - n);
	for (int i = 0; i < n; i++)
		put(o, s[i]);
	if (flags & F_LEFT)
		pad(o, ' ', width - n);
}

/* One conversion specification: %[flags][width][.precision][length]conv. */
struct spec {
	int flags;
	int width;
	int prec; /* -1: none given */
	enum len_mod lm;
};

static const char *parse_flags(const char *p, int *flags)
{
	for (;; p++) {
		if (*p == '-')
			*flags |= F_LEFT;
		else if (*p == '0')
			*flags |= F_ZERO;
		else if (*p == '+')
			*flags |= F_PLUS;
		else if (*p == ' ')
			*flags |= F_SPACE;
		else if (*p == '#')
			*flags |= F_ALT;
		else
			return p;
	}
}

/* Width and precision, either of which may be '*' (taken from ap). */
static const char *parse_width_prec(const char *p, va_list *ap, struct spec *s)
{
	if (*p == '*') {
		s->width = va_arg(*ap, int);
		if (s->width < 0) {
			s->flags |= F_LEFT;
			s->width = -s->width;
		}
		p++;
	} else {
		s->width = parse_int(&p);
	}
	if (*p == '.') {
		p++;
		if (*p == '*') {
			s->prec = va_arg(*ap, int);
			p++;
		} else {
			s->prec = parse_int(&p);
		}
	}
	return p;
}

static const char *parse_length(const char *p, enum len_mod *lm)
{
	if (*p == 'h') {
		*lm = L_SHORT;
		if (*++p == 'h') {
			*lm = L_CHAR;
			p++;
		}
	} else if (*p == 'l') {
		*lm = L_LONG;
		if (*++p == 'l') {
			*lm = L_LLONG;
			p++;
		}
	} else if (*p == 'z' || *p == 't' || *p == 'j') {
		*lm = (*p == 'j') ? L_LLONG : L_SIZE;
		p++;
	}
	return p;
}

/* p points just past the '%'; returns the conversion character's position. */
static const char *parse_spec(const char *p, va_list *ap, struct spec *s)
{
	*s = (struct spec){.flags = 0, .width = 0, .prec = -1, .lm = L_INT};
	p = parse_flags(p, &s->flags);
	p = parse_width_prec(p, ap, s);
	return parse_length(p, &s->lm);
}

/* d, i, u, x, X and o. */
static void put_integer(struct out *o, char conv, va_list *ap, struct spec *s)
{
	s64 v;

	switch (conv) {
	case 'd':
	case 'i':
		v = fetch_signed(ap, s->lm);
		put_number(o, v < 0 ? (u64)0 - (u64)v : (u64)v, v < 0, 10, s->flags | F_SIGNED,
			   s->width, s->prec);
		break;
	case 'u':
		put_number(o, fetch_unsigned(ap, s->lm), false, 10, s->flags, s->width, s->prec);
		break;
	case 'X':
		s->flags |= F_UPPER;
		/* fall through */
	case 'x':
		put_number(o, fetch_unsigned(ap, s->lm), false, 16, s->flags, s->width, s->prec);
		break;
	default: /* 'o' */
		put_number(o, fetch_unsigned(ap, s->lm), false, 8, s->flags, s->width, s->prec);
		break;
	}
}

static void put_pointer(struct out *o, void *ptr, const struct spec *s)
{
	if (!ptr)
		put_string(o, "(nil)", s->flags, s->width, -1);
	else
		put_number(o, (uintptr_t)ptr, false, 16, s->flags | F_ALT, s->width, s->prec);
}

static void put_char(struct out *o, char c, const struct spec *s)
{
	if (!(s->flags & F_LEFT))
		pad(o, ' ', s->width - 1);
	put(o, c);
	if (s->flags & F_LEFT)
		pad(o, ' ', s->width - 1);
}

/* Emit the conversion at *p; returns where the format walk resumes from. */
static const char *convert(struct out *o, const char *p, va_list *ap, struct spec *s)
{
	switch (*p) {
	case 'd':
	case 'i':
	case 'u':
	case 'X':
	case 'x':
	case 'o':
		put_integer(o, *p, ap, s);
		break;
	case 'p':
		put_pointer(o, va_arg(*ap, void *), s);
		break;
	case 'c':
		put_char(o, (char)va_arg(*ap, int), s);
		break;
	case 's':
		put_string(o, va_arg(*ap, const char *), s->flags, s->width, s->prec);
		break;
	case '%':
		put(o, '%');
		break;
	case '\0': /* a lone '%' at the end: print nothing more */
		return p - 1;
	default: /* unknown conversion: print it as-is */
		put(o, '%');
		put(o, *p);
		break;
	}
	return p;
}

int vsnformat(char *buf, size_t size, const char *fmt, va_list ap_in)
{
	struct out o = {.buf = buf, .size = size, .len = 0};
	struct spec s;
	va_list ap;

	va_copy(ap, ap_in);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			put(&o, *p);
			continue;
		}
		p = parse_spec(p + 1, &ap, &s);
		p = convert(&o, p, &ap, &s);
	}
	va_end(ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snformat(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnformat(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
