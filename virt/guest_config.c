/* SPDX-License-Identifier: MIT */
/*
 * Guest module-string parser (see guest_config.h). Options go through the
 * shared table-driven kernel/cmdline.c parser into a scratch struct of u64s;
 * the repeatable module= option, input= escapes and the cross-option rules
 * (raw-only options, slot sizes) are handled here. Every error is reported
 * with the guest's index and path, and any error rejects the guest.
 */
#include "kernel/cmdline.h"
#include "lib/bytes.h"
#include "lib/format.h"
#include "lib/string.h"
#include "virt/guest_config.h"

#define QUOTE	    '"'
#define MODULE_KEY  "module"
#define MODULE_SEP  ','
#define PATH_SEP    '/'
#define UNSET	    (~0ull)
#define UNSET_ENUM  (~0u)
#define SCRATCH_MAX 512 /* raw input= / module= values before decoding */
#define MSG_MAX	    (CMDLINE_MSG_MAX + GUEST_PATH_MAX)

struct reporter {
	guest_report_fn fn;
	void *ctx;
	u32 index;
	const char *path;
	int errors;
};

/* Options as cmdline_parse stores them. */
struct raw_opts {
	char name[GUEST_NAME_MAX];
	u64 mem, cpus, timeout, load, entry_addr, slots, tdp_pages, maxmem;
	u32 format, entry, maxleaf;
	char input[SCRATCH_MAX];
	char module[SCRATCH_MAX];
};

static const char *const format_names[] = {"auto", "mb1", "mb2", "raw", NULL};
static const char *const entry_names[] = {"real", "long64", NULL};
static const char *const maxleaf_names[] = {"4k", "2m", "1g", NULL}; /* index + 1 = level */

static void report(struct reporter *r, const char *fmt, ...) __printf(2, 3);

static void report(struct reporter *r, const char *fmt, ...)
{
	char msg[MSG_MAX];
	va_list ap;
	int n;

	r->errors++;
	if (!r->fn)
		return;
	n = snformat(msg, sizeof(msg), "guest %u (%s): ", r->index, r->path);
	va_start(ap, fmt);
	vsnformat(msg + MIN((size_t)n, sizeof(msg) - 1),
		  sizeof(msg) - MIN((size_t)n, sizeof(msg) - 1), fmt, ap);
	va_end(ap);
	r->fn(msg, r->ctx);
}

static void cmdline_report(const char *msg, void *ctx)
{
	report(ctx, "%s", msg);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Next blank-separated token (quotes protect blanks), as kernel/cmdline.c splits. */
static bool next_token(const char **pos, const char **tok, size_t *len)
{
	const char *p = *pos;
	bool quoted = false;

	while (is_blank(*p))
		p++;
	if (!*p)
		return false;
	*tok = p;
	for (; *p && (quoted || !is_blank(*p)); p++)
		if (*p == QUOTE)
			quoted = !quoted;
	*len = (size_t)(p - *tok);
	*pos = p;
	return true;
}

static bool token_has(const char *t, size_t len, char c)
{
	for (size_t i = 0; i < len; i++)
		if (t[i] == c)
			return true;
	return false;
}

static bool is_separator(const char *t, size_t len)
{
	return len == 2 && t[0] == '-' && t[1] == '-';
}

/* Skip the module path GRUB puts first; returns where the options start. */
static const char *skip_path(const char *modstr, char *path, size_t path_size)
{
	const char *pos = modstr, *tok;
	size_t len;

	path[0] = '\0';
	if (!next_token(&pos, &tok, &len) || token_has(tok, len, '=') || is_separator(tok, len))
		return modstr;
	len = MIN(len, path_size - 1);
	memcpy(path, tok, len);
	path[len] = '\0';
	return pos;
}

static bool name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-'))
			return false;
	return true;
}

/* Decode one escape at s[*i] (after the backslash); -1 if malformed. */
static int decode_escape(const char *s, size_t *i)
{
	int hi, lo;

	switch (s[*i]) {
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 't':
		return '\t';
	case '\\':
		return '\\';
	case 'x':
		hi = hex_digit_value(s[*i + 1]);
		lo = hi < 0 ? -1 : hex_digit_value(s[*i + 2]);
		if (lo < 0)
			return -1;
		*i += 2;
		return hi << 4 | lo;
	default:
		return -1;
	}
}

static void decode_input(struct reporter *r, const char *s, struct guest_config *cfg)
{
	size_t n = 0;

	for (size_t i = 0; s[i]; i++) {
		int c = (unsigned char)s[i];

		if (c == '\\') {
			i++;
			c = decode_escape(s, &i);
			if (c < 0) {
				report(r,
				       "input: bad escape at byte %zu (use \\n \\r \\t \\\\ \\xHH)",
				       i - 1);
				return;
			}
		}
		if (n >= sizeof(cfg->input)) {
			report(r, "input: more than %zu bytes", sizeof(cfg->input));
			return;
		}
		cfg->input[n++] = (char)c;
	}
	cfg->input_len = n;
}

static void add_module_name(struct reporter *r, struct guest_config *cfg, const char *s, size_t len)
{
	if (!len) {
		report(r, "module: empty module name");
		return;
	}
	if (len >= GUEST_MODNAME_MAX) {
		report(r, "module: name '%.*s...' too long (max %d)", 16, s, GUEST_MODNAME_MAX - 1);
		return;
	}
	for (u32 i = 0; i < cfg->nr_modules; i++) {
		if (strlen(cfg->modules[i]) == len && !memcmp(cfg->modules[i], s, len)) {
			report(r, "module: '%.*s' named twice", (int)len, s);
			return;
		}
	}
	if (cfg->nr_modules >= GUEST_MODULES_MAX) {
		report(r, "module: more than %d modules", GUEST_MODULES_MAX);
		return;
	}
	memcpy(cfg->modules[cfg->nr_modules], s, len);
	cfg->modules[cfg->nr_modules++][len] = '\0';
}

/* Every module=A,B value up to `--`, in order (cmdline_parse keeps only the last). */
static void collect_modules(struct reporter *r, const char *opts, struct guest_config *cfg)
{
	const size_t klen = strlen(MODULE_KEY);
	const char *pos = opts, *t, *v;
	size_t len, vlen;

	while (next_token(&pos, &t, &len) && !is_separator(t, len)) {
		if (len <= klen || memcmp(t, MODULE_KEY, klen) || t[klen] != '=')
			continue;
		v = t + klen + 1;
		vlen = len - klen - 1;
		if (vlen >= 2 && v[0] == QUOTE && v[vlen - 1] == QUOTE) {
			v++;
			vlen -= 2;
		}
		if (token_has(v, vlen, QUOTE))
			continue; /* already reported by cmdline_parse */
		for (size_t start = 0, i = 0; i <= vlen; i++) {
			if (i < vlen && v[i] != MODULE_SEP)
				continue;
			add_module_name(r, cfg, v + start, i - start);
			start = i + 1;
		}
	}
}

/* Table entries for parse_options: every option but module= is given once. */
static struct cmdline_opt num_opt(const char *name, enum cmdline_type type, u64 *store, u64 min,
				  u64 max)
{
	return (struct cmdline_opt){.name = name,
				    .type = type,
				    .store = store,
				    .min = min,
				    .max = max,
				    .flags = CMDLINE_NODUP};
}

static struct cmdline_opt enum_opt(const char *name, u32 *store, const char *const *names)
{
	return (struct cmdline_opt){.name = name,
				    .type = CMDLINE_ENUM,
				    .store = store,
				    .names = names,
				    .flags = CMDLINE_NODUP};
}

static struct cmdline_opt str_opt(const char *name, char *store, size_t size, u32 flags)
{
	return (struct cmdline_opt){.name = name,
				    .type = CMDLINE_STRING,
				    .store = store,
				    .str_size = size,
				    .flags = flags};
}

static void parse_options(struct reporter *r, const char *opts, struct raw_opts *o)
{
	const u64 addr_max = GUEST_MEM_MAX + GiB(1); /* RAM above the 3-4 GiB hole */
	const struct cmdline_opt table[] = {
		str_opt("name", o->name, sizeof(o->name), CMDLINE_NODUP),
		num_opt("mem", CMDLINE_SIZE, &o->mem, GUEST_MEM_MIN, GUEST_MEM_MAX),
		num_opt("cpus", CMDLINE_U64, &o->cpus, 1, GUEST_CPUS_MAX),
		num_opt("timeout", CMDLINE_U64, &o->timeout, 0, GUEST_TIMEOUT_MAX),
		enum_opt("format", &o->format, format_names),
		num_opt("load", CMDLINE_SIZE, &o->load, 0, addr_max),
		enum_opt("entry", &o->entry, entry_names),
		num_opt("entry_addr", CMDLINE_SIZE, &o->entry_addr, 0, addr_max),
		num_opt("slots", CMDLINE_U64, &o->slots, 1, GUEST_SLOTS_MAX),
		num_opt("tdp_pages", CMDLINE_U64, &o->tdp_pages, 8, 1048576),
		num_opt("maxmem", CMDLINE_SIZE, &o->maxmem, GUEST_MEM_MIN, GUEST_MEM_MAX),
		enum_opt("maxleaf", &o->maxleaf, maxleaf_names),
		str_opt("input", o->input, sizeof(o->input), CMDLINE_NODUP),
		str_opt(MODULE_KEY, o->module, sizeof(o->module), 0),
	};

	cmdline_parse(opts, table, ARRAY_SIZE(table), cmdline_report, r);
}

/* Raw-only options, defaults that depend on other options, sizes. */
static void check_config(struct reporter *r, const struct raw_opts *o, struct guest_config *cfg)
{
	bool raw = o->format == GUEST_FORMAT_RAW;

	if (!name_ok(o->name))
		report(r, "name '%s': use letters, digits, '.', '_' and '-'", o->name);
	if (!IS_ALIGNED(o->mem, PAGE_SIZE))
		report(r, "mem=%llu: not a multiple of 4 KiB", (unsigned long long)o->mem);
	if (o->mem / o->slots < GUEST_SLOT_MIN)
		report(r, "slots=%llu: each slot needs at least 1 MiB of mem=%lluK",
		       (unsigned long long)o->slots, (unsigned long long)(o->mem >> 10));
	if (!raw && o->load != UNSET)
		report(r, "load= is only for format=raw");
	if (!raw && o->entry != UNSET_ENUM)
		report(r, "entry= is only for format=raw");
	if (!raw && o->entry_addr != UNSET)
		report(r, "entry_addr= is only for format=raw");
	memcpy(cfg->name, o->name, sizeof(cfg->name));
	cfg->mem = o->mem;
	cfg->cpus = (u32)o->cpus;
	cfg->timeout_s = o->timeout;
	cfg->format = (enum guest_format)o->format;
	cfg->slots = (u32)o->slots;
	cfg->tdp_pages = o->tdp_pages;
	cfg->maxmem = o->maxmem == UNSET ? 0 : o->maxmem;
	if (!IS_ALIGNED(cfg->maxmem, PAGE_SIZE))
		report(r, "maxmem=%llu: not a multiple of 4 KiB", (unsigned long long)cfg->maxmem);
	if (cfg->maxmem > o->mem)
		report(r, "maxmem=%lluK is above mem=%lluK",
		       (unsigned long long)(cfg->maxmem >> 10), (unsigned long long)(o->mem >> 10));
	if (cfg->maxmem) {
		/* Reclaim evicts and refaults single pages: 4 KiB leaves only. */
		if (o->maxleaf != UNSET_ENUM && o->maxleaf != 0)
			report(r, "maxmem= needs maxleaf=4k");
		cfg->max_leaf = 1;
	} else {
		cfg->max_leaf = (o->maxleaf == UNSET_ENUM ? 2 : o->maxleaf) + 1;
	}
	if (!raw)
		return;
	cfg->entry = o->entry == UNSET_ENUM ? GUEST_RAW_REAL : (enum guest_raw_entry)o->entry;
	if (o->load != UNSET)
		cfg->load = o->load;
	else
		cfg->load = cfg->entry == GUEST_RAW_LONG64 ? LOADER_RAW_LONG64_LOAD
							   : LOADER_RAW_REAL_LOAD;
	cfg->entry_addr = o->entry_addr != UNSET ? o->entry_addr : cfg->load;
}

static void copy_guest_cmdline(struct reporter *r, const char *opts, struct guest_config *cfg)
{
	size_t head;
	const char *tail = cmdline_split(opts, &head);
	size_t len = tail ? strlen(tail) : 0;

	while (len && is_blank(tail[len - 1]))
		len--;
	if (len >= sizeof(cfg->cmdline)) {
		report(r, "guest command line too long (%zu bytes, max %zu)", len,
		       sizeof(cfg->cmdline) - 1);
		return;
	}
	if (len)
		memcpy(cfg->cmdline, tail, len);
	cfg->cmdline[len] = '\0';
}

int guest_config_parse(const char *modstr, u32 index, struct guest_config *cfg,
		       guest_report_fn report_fn, void *ctx)
{
	struct raw_opts o = {.mem = GUEST_MEM_DEFAULT,
			     .cpus = 1,
			     .timeout = GUEST_TIMEOUT_DEFAULT,
			     .load = UNSET,
			     .entry_addr = UNSET,
			     .slots = 1,
			     .format = GUEST_FORMAT_AUTO,
			     .entry = UNSET_ENUM,
			     .maxleaf = UNSET_ENUM,
			     .maxmem = UNSET};
	struct reporter r = {.fn = report_fn, .ctx = ctx, .index = index};
	const char *opts;

	memset(cfg, 0, sizeof(*cfg));
	cfg->index = index;
	if (!modstr)
		modstr = "";
	opts = skip_path(modstr, cfg->path, sizeof(cfg->path));
	r.path = cfg->path[0] ? cfg->path : "-";
	snformat(o.name, sizeof(o.name), "vm%u", index);
	if (guest_module_entry(modstr))
		report(&r, "this is a %s= module, not a guest", GUEST_MODULE_KEY);
	parse_options(&r, opts, &o);
	collect_modules(&r, opts, cfg);
	check_config(&r, &o, cfg);
	decode_input(&r, o.input, cfg);
	copy_guest_cmdline(&r, opts, cfg);
	return r.errors ? -E_INVAL : 0;
}

/* The first option token of a module string (after the path), or false. */
static bool first_option(const char *modstr, const char **tok, size_t *len)
{
	char path[1];
	const char *pos = skip_path(modstr, path, sizeof(path));

	return next_token(&pos, tok, len);
}

bool guest_module_entry(const char *modstr)
{
	const size_t klen = strlen(GUEST_MODULE_KEY);
	const char *t;
	size_t len;

	return modstr && first_option(modstr, &t, &len) && len > klen &&
	       !memcmp(t, GUEST_MODULE_KEY, klen) && t[klen] == '=';
}

int guest_module_parse(const char *modstr, char *vm, size_t vm_size, const char **str,
		       size_t *str_len)
{
	const size_t klen = strlen(GUEST_MODULE_KEY) + 1;
	const char *t, *pos, *tail;
	size_t len, head;

	if (!guest_module_entry(modstr) || !first_option(modstr, &t, &len))
		return -E_INVAL;
	if (len - klen >= vm_size)
		return -E_INVAL;
	memcpy(vm, t + klen, len - klen);
	vm[len - klen] = '\0';
	if (!name_ok(vm))
		return -E_INVAL;
	pos = t + len; /* guestmod= must be the only option */
	if (next_token(&pos, &t, &len) && !is_separator(t, len))
		return -E_INVAL;
	tail = cmdline_split(modstr, &head);
	if (tail) {
		*str = tail;
		*str_len = strlen(tail);
		while (*str_len && is_blank(tail[*str_len - 1]))
			(*str_len)--;
		return 0;
	}
	pos = modstr;
	if (!next_token(&pos, str, str_len) || token_has(*str, *str_len, '='))
		*str_len = 0; /* no path: an empty string */
	return 0;
}

/* Does NAME match the module's path or the path's last component? */
static bool module_matches(const char *modstr, const char *name)
{
	const char *pos = modstr, *t, *base;
	size_t len, nlen = strlen(name);

	if (!next_token(&pos, &t, &len) || token_has(t, len, '='))
		return false;
	base = t;
	for (size_t i = 0; i < len; i++)
		if (t[i] == PATH_SEP)
			base = t + i + 1;
	if (len == nlen && !memcmp(t, name, nlen))
		return true;
	return (size_t)(t + len - base) == nlen && !memcmp(base, name, nlen);
}

int guest_config_find_modules(const struct guest_config *cfg, const char *const *modstrs, u32 n,
			      u32 *idx, guest_report_fn report_fn, void *ctx)
{
	struct reporter r = {.fn = report_fn,
			     .ctx = ctx,
			     .index = cfg->index,
			     .path = cfg->path[0] ? cfg->path : "-"};
	char vm[GUEST_NAME_MAX];
	const char *str;
	size_t slen;

	for (u32 i = 0; i < cfg->nr_modules; i++) {
		u32 found = 0;

		for (u32 j = 0; j < n; j++) {
			if (guest_module_parse(modstrs[j], vm, sizeof(vm), &str, &slen) ||
			    strcmp(vm, cfg->name) || !module_matches(modstrs[j], cfg->modules[i]))
				continue;
			if (!found++)
				idx[i] = j;
		}
		if (!found)
			report(&r, "module '%s' not found (needs a module2 entry with %s=%s)",
			       cfg->modules[i], GUEST_MODULE_KEY, cfg->name);
		else if (found > 1)
			report(&r, "module '%s' is ambiguous (%u entries match)", cfg->modules[i],
			       found);
	}
	return r.errors ? -E_NOENT : 0;
}

void guest_config_image(const struct guest_config *cfg, const void *data, size_t size,
			const struct guest_module *mods, u32 nr_mods, struct guest_image *img)
{
	*img = (struct guest_image){
		.data = data,
		.size = size,
		.format = cfg->format,
		.cmdline = cfg->cmdline,
		.mods = mods,
		.nr_mods = nr_mods,
		.load = cfg->load,
		.raw_entry = cfg->entry,
		.entry_addr = cfg->entry_addr,
	};
}
