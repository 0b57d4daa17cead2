/* SPDX-License-Identifier: MIT */
/*
 * Guest configuration from a GRUB module2 string. A guest is one module:
 *
 *   module2 /guests/foo.elf name=foo mem=128M cpus=1 timeout=60 -- mode=fast
 *
 * GRUB passes the module path as the first word: it is skipped (kept in
 * cfg->path) unless it contains '='. The options, up to a standalone `--`:
 *
 *   name=NAME      [A-Za-z0-9._-], up to 31 chars; default "vmN" (N = index)
 *   mem=SIZE       guest RAM, K/M/G suffixes, 2M..64G, multiple of 4K; 64M
 *   cpus=N         1..8; default 1
 *   timeout=SECS   stop the VM after SECS seconds, 0 = never; default 60
 *   format=F       auto|mb1|mb2|raw; auto (multiboot2, else multiboot1 header)
 *   load=ADDR      raw only: load address; 0x7c00 (real) or 0x100000 (long64)
 *   entry=E        raw only: real|long64; default real
 *   entry_addr=A   raw only: first instruction; default = load
 *   slots=N        1..8 memory slots splitting RAM (each at least 1 MiB); 1
 *   tdp_pages=N    cap on the VM's second-level table pages, 8..1048576;
 *                  default 0 = proportional to mem (virt/tdp.h)
 *   maxleaf=L      4k|2m|1g: the largest second-level leaf the VM may use
 *                  (still bounded by what the CPU supports); default 1g
 *   maxmem=SIZE    makes the VM reclaimable (mm/reclaim/evict.h): its cold
 *                  pages are evicted (compressed, or dropped when all zeros)
 *                  under host memory pressure, and at most SIZE of its RAM
 *                  stays backed by host pages (below mem: overcommit).
 *                  2M..mem, multiple of 4K; default: not reclaimable. It
 *                  needs 4 KiB leaves: maxleaf= defaults to 4k then, and
 *                  2m/1g are rejected.
 *   input="TEXT"   bytes the guest's COM1 receives; escapes \n \r \t \\ \xHH
 *   module=NAME    extra modules for this guest (repeatable, or NAME,NAME)
 *
 * and everything after `--` is the guest's own command line.
 *
 * Extra modules: each is its own module2 entry whose FIRST option is
 * guestmod=VMNAME, naming the VM it belongs to; what follows ` -- ` is the
 * string the guest sees for it (without ` -- `, the module path):
 *
 *   module2 /guests/foo.elf name=foo module=initrd.img -- console=ttyS0
 *   module2 /guests/initrd.img guestmod=foo -- initrd
 *
 * module=NAME matches the module's full path or its last path component, and
 * only modules with guestmod= this VM's name; they are handed to the guest in
 * module= order. guestmod entries are never guests themselves
 * (guest_module_entry()).
 *
 * Errors: every unknown, malformed, out-of-range or contradictory option
 * (e.g. load= without format=raw) is reported once through the callback and
 * makes guest_config_parse() return -E_INVAL: the guest is rejected and not
 * started, the other guests are unaffected. Nothing is ever silently fixed.
 */
#ifndef TERN_VIRT_GUEST_CONFIG_H
#define TERN_VIRT_GUEST_CONFIG_H

#include "lib/types.h"
#include "virt/loader.h"

#define GUEST_NAME_MAX	      32 /* == VM_NAME_MAX, NUL included */
#define GUEST_PATH_MAX	      128
#define GUEST_CMDLINE_MAX     1024
#define GUEST_INPUT_MAX	      256
#define GUEST_MODNAME_MAX     64
#define GUEST_MODULES_MAX     LOADER_MODULES_MAX
#define GUEST_CPUS_MAX	      8
#define GUEST_SLOTS_MAX	      8
#define GUEST_MEM_MIN	      MiB(2)
#define GUEST_MEM_MAX	      GiB(64)
#define GUEST_MEM_DEFAULT     MiB(64)
#define GUEST_SLOT_MIN	      MiB(1)
#define GUEST_TIMEOUT_DEFAULT 60
#define GUEST_TIMEOUT_MAX     (365ull * 24 * 3600)
#define GUEST_MODULE_KEY      "guestmod"

typedef void (*guest_report_fn)(const char *msg, void *ctx);

struct guest_config {
	u32 index; /* position among the guests, for messages */
	char name[GUEST_NAME_MAX];
	char path[GUEST_PATH_MAX]; /* module path (truncated if longer) */
	u64 mem;
	u32 cpus;
	u64 timeout_s; /* 0: none */
	enum guest_format format;
	u64 load;		    /* raw only */
	enum guest_raw_entry entry; /* raw only */
	u64 entry_addr;		    /* raw only */
	u32 slots;
	u64 tdp_pages; /* 0: the default cap */
	/* largest TDP leaf level (1 = 4 KiB, 2 = 2 MiB, 3 = 1 GiB) */
	u32 max_leaf;
	u64 maxmem;    /* resident limit in bytes; 0: not reclaimable */
	char input[GUEST_INPUT_MAX]; /* escapes resolved; may hold NULs */
	size_t input_len;
	u32 nr_modules;
	char modules[GUEST_MODULES_MAX][GUEST_MODNAME_MAX];
	char cmdline[GUEST_CMDLINE_MAX];
};

/*
 * Parse a guest's module string. index gives the default name "vm<index>".
 * Returns 0, or -E_INVAL after reporting every error (the guest must not be
 * started; *cfg is then unspecified).
 */
int guest_config_parse(const char *modstr, u32 index, struct guest_config *cfg,
		       guest_report_fn report, void *ctx);

/* Does this module string belong to another guest (first option guestmod=)? */
bool guest_module_entry(const char *modstr);

/*
 * For a guestmod entry: the VM it belongs to (copied to vm[vm_size]) and the
 * string to hand to the guest (*str, *str_len: after ` -- `, else the path).
 * Returns 0 or -E_INVAL (not a guestmod entry, bad or too long VM name).
 */
int guest_module_parse(const char *modstr, char *vm, size_t vm_size, const char **str,
		       size_t *str_len);

/*
 * Resolve cfg->modules against all GRUB module strings: idx[i] gets the index
 * in modstrs of the module named by cfg->modules[i]. A name with no match, or
 * with more than one match, is reported; returns 0 or -E_NOENT.
 */
int guest_config_find_modules(const struct guest_config *cfg, const char *const *modstrs, u32 n,
			      u32 *idx, guest_report_fn report, void *ctx);

/*
 * Fill a loader request from a parsed configuration and the image bytes.
 * mods/nr_mods describe the already resolved extra modules.
 */
void guest_config_image(const struct guest_config *cfg, const void *data, size_t size,
			const struct guest_module *mods, u32 nr_mods, struct guest_image *img);

#endif
