/* SPDX-License-Identifier: MIT */
/*
 * ELF32/ELF64 x86 program loading for the multiboot loaders. The image is
 * untrusted: the header, every program header and every PT_LOAD segment are
 * checked against the file and against guest RAM (no wrap-around, filesz <=
 * memsz, no overlap with the boot area or with another segment) in a first
 * pass; only then does a second pass copy. Segments load at p_paddr.
 */
#include "lib/format.h"
#include "lib/string.h"
#include "virt/loader_priv.h"

#define EI_CLASS      4
#define EI_DATA	      5
#define EI_VERSION    6
#define ELFCLASS32    1
#define ELFCLASS64    2
#define ELFDATA2LSB   1
#define EV_CURRENT    1
#define ET_EXEC	      2
#define EM_386	      3
#define EM_X86_64     62
#define PT_LOAD	      1
#define ELF_PHNUM_MAX 128 /* more program headers than any kernel needs */

/* ELF header field offsets: [0] ELF32, [1] ELF64. */
#define ELF32_EHDR_SIZE	 52
#define ELF64_EHDR_SIZE	 64
#define ELF32_PHDR_SIZE	 32
#define ELF64_PHDR_SIZE	 56
#define EHDR_TYPE	 16
#define EHDR_MACHINE	 18
#define EHDR_VERSION	 20
#define EHDR_ENTRY	 24
#define ELF32_EHDR_PHOFF 28
#define ELF32_EHDR_PHENT 42
#define ELF32_EHDR_PHNUM 44
#define ELF64_EHDR_PHOFF 32
#define ELF64_EHDR_PHENT 54
#define ELF64_EHDR_PHNUM 56

static const u8 elf_magic[4] = {0x7f, 'E', 'L', 'F'};

struct elf_info {
	bool is64;
	u64 entry;
	u64 phoff;
	u32 phentsize;
	u32 phnum;
};

struct elf_phdr {
	u32 type;
	u64 offset, vaddr, paddr, filesz, memsz;
};

static int elf_header(struct loader_ctx *c, struct elf_info *e)
{
	const u8 *b = c->img->data;
	size_t size = c->img->size;

	if (size < ELF32_EHDR_SIZE || memcmp(b, elf_magic, sizeof(elf_magic)))
		return loader_fail(c, -E_INVAL, "not an ELF file (bad magic)");
	if (b[EI_CLASS] != ELFCLASS32 && b[EI_CLASS] != ELFCLASS64)
		return loader_fail(c, -E_INVAL, "ELF: bad class %u", b[EI_CLASS]);
	e->is64 = b[EI_CLASS] == ELFCLASS64;
	if (e->is64 && size < ELF64_EHDR_SIZE)
		return loader_fail(c, -E_INVAL, "ELF: file truncated inside the ELF64 header");
	if (b[EI_DATA] != ELFDATA2LSB || b[EI_VERSION] != EV_CURRENT ||
	    loader_rd32(b + EHDR_VERSION) != EV_CURRENT)
		return loader_fail(c, -E_INVAL, "ELF: not a little-endian version-1 ELF file");
	if (loader_rd16(b + EHDR_TYPE) != ET_EXEC)
		return loader_fail(c, -E_INVAL, "ELF: type %u is not an executable",
				   loader_rd16(b + EHDR_TYPE));
	if (loader_rd16(b + EHDR_MACHINE) != (e->is64 ? EM_X86_64 : EM_386))
		return loader_fail(c, -E_INVAL, "ELF%d: machine %u is not %s", e->is64 ? 64 : 32,
				   loader_rd16(b + EHDR_MACHINE), e->is64 ? "x86-64" : "i386");
	e->entry = e->is64 ? loader_rd64(b + EHDR_ENTRY) : loader_rd32(b + EHDR_ENTRY);
	e->phoff = e->is64 ? loader_rd64(b + ELF64_EHDR_PHOFF) : loader_rd32(b + ELF32_EHDR_PHOFF);
	e->phentsize = loader_rd16(b + (e->is64 ? ELF64_EHDR_PHENT : ELF32_EHDR_PHENT));
	e->phnum = loader_rd16(b + (e->is64 ? ELF64_EHDR_PHNUM : ELF32_EHDR_PHNUM));
	if (e->phentsize != (e->is64 ? ELF64_PHDR_SIZE : ELF32_PHDR_SIZE))
		return loader_fail(c, -E_INVAL, "ELF: program header size %u, expected %u",
				   e->phentsize, e->is64 ? ELF64_PHDR_SIZE : ELF32_PHDR_SIZE);
	if (!e->phnum || e->phnum > ELF_PHNUM_MAX)
		return loader_fail(c, -E_INVAL, "ELF: %u program headers (1..%u allowed)", e->phnum,
				   ELF_PHNUM_MAX);
	if (e->phoff > size || (u64)e->phnum * e->phentsize > size - e->phoff)
		return loader_fail(
			c, -E_INVAL,
			"ELF: program headers [0x%llx +%u*%u] extend past the end of the "
			"file (%zu bytes)",
			(unsigned long long)e->phoff, e->phnum, e->phentsize, size);
	return 0;
}

static void elf_phdr(const struct loader_ctx *c, const struct elf_info *e, u32 i,
		     struct elf_phdr *p)
{
	const u8 *b = (const u8 *)c->img->data + e->phoff + (u64)i * e->phentsize;

	p->type = loader_rd32(b);
	if (e->is64) {
		p->offset = loader_rd64(b + 8);
		p->vaddr = loader_rd64(b + 16);
		p->paddr = loader_rd64(b + 24);
		p->filesz = loader_rd64(b + 32);
		p->memsz = loader_rd64(b + 40);
	} else {
		p->offset = loader_rd32(b + 4);
		p->vaddr = loader_rd32(b + 8);
		p->paddr = loader_rd32(b + 12);
		p->filesz = loader_rd32(b + 16);
		p->memsz = loader_rd32(b + 20);
	}
}

static bool segment_loads(const struct elf_phdr *p)
{
	return p->type == PT_LOAD && p->memsz;
}

static int check_segment(struct loader_ctx *c, const struct elf_info *e, u32 i)
{
	struct elf_phdr p, q;
	char what[32];

	elf_phdr(c, e, i, &p);
	if (p.type != PT_LOAD)
		return 0;
	if (p.filesz > p.memsz)
		return loader_fail(c, -E_INVAL, "ELF: segment %u has filesz 0x%llx > memsz 0x%llx",
				   i, (unsigned long long)p.filesz, (unsigned long long)p.memsz);
	if (p.offset > c->img->size || p.filesz > c->img->size - p.offset)
		return loader_fail(
			c, -E_INVAL,
			"ELF: segment %u file data [0x%llx +0x%llx) extends past the end "
			"of the file",
			i, (unsigned long long)p.offset, (unsigned long long)p.filesz);
	if (!p.memsz)
		return 0;
	for (u32 j = 0; j < i; j++) {
		elf_phdr(c, e, j, &q);
		if (segment_loads(&q) && p.paddr < q.paddr + q.memsz && q.paddr < p.paddr + p.memsz)
			return loader_fail(c, -E_OVERLAP, "ELF: segments %u and %u overlap", j, i);
	}
	(void)snformat(what, sizeof(what), "ELF segment %u", i);
	return loader_check_dest(c, p.paddr, p.memsz, what);
}

/* e_entry as a physical address: translated when inside a segment's vaddr range. */
static u64 elf_entry_pa(const struct loader_ctx *c, const struct elf_info *e)
{
	struct elf_phdr p;

	for (u32 i = 0; i < e->phnum; i++) {
		elf_phdr(c, e, i, &p);
		if (segment_loads(&p) && e->entry >= p.vaddr && e->entry - p.vaddr < p.memsz)
			return p.paddr + (e->entry - p.vaddr);
	}
	return e->entry;
}

int loader_elf(struct loader_ctx *c, u64 *entry, bool entry_given)
{
	struct elf_info e = {0};
	struct elf_phdr p;
	bool any = false;
	int err = elf_header(c, &e);

	for (u32 i = 0; !err && i < e.phnum; i++) {
		err = check_segment(c, &e, i);
		elf_phdr(c, &e, i, &p);
		if (!err && segment_loads(&p)) {
			any = true;
			loader_note_extent(c, p.paddr, p.memsz);
		}
	}
	if (err)
		return err;
	if (!any)
		return loader_fail(c, -E_INVAL, "ELF: no loadable segment");
	if (!entry_given)
		*entry = elf_entry_pa(c, &e);
	err = loader_check_entry(c, *entry);
	for (u32 i = 0; !err && i < e.phnum; i++) {
		elf_phdr(c, &e, i, &p);
		if (segment_loads(&p))
			err = loader_copy(c, p.paddr, (const u8 *)c->img->data + p.offset, p.filesz,
					  p.memsz);
	}
	return err;
}
