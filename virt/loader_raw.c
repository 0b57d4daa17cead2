/* SPDX-License-Identifier: MIT */
/*
 * Raw binary loader: the file is copied as-is at img->load. Real mode enters
 * the way a BIOS starts a boot sector (CS:IP = 0:entry below 64 KiB, else
 * entry>>4:entry&0xf below 1 MiB; DL = boot drive; SS:SP = 0:0x7c00) and uses
 * no boot area. Long64 enters 64-bit mode with a loader-built GDT and page
 * tables identity-mapping the first 4 GiB with 2 MiB pages.
 */
#include "lib/string.h"
#include "virt/loader_priv.h"

#define PTE_P	       BIT(0)
#define PTE_RW	       BIT(1)
#define PTE_PS	       BIT(7) /* 2 MiB page in a page directory */
#define PT_ENTRIES     512
#define PT_CHUNK       64 /* entries written per call, to keep the stack small */
#define PD_COUNT       4  /* 4 GiB / 1 GiB per page directory */
#define LARGE_PAGE     (2ull << 20)
#define PD_SPAN	       (1ull << 30)
#define REAL_MODE_TOP  0x100000ull /* real-mode code must run below 1 MiB */
#define REAL_SEG_SHIFT 4
#define REAL_IP_MAX    0x10000ull

static int write_page_tables(struct loader_ctx *c)
{
	u64 chunk[PT_CHUNK];
	u64 pml4e = LOADER_PDPT_GPA | PTE_P | PTE_RW;
	u64 pdpte[PD_COUNT];
	int err;

	err = c->mem->zero(c->mem->ctx, LOADER_PML4_GPA, 2 * PAGE_SIZE);
	if (err)
		return loader_fail(c, err, "cannot clear the page tables (%s)", err_name(err));
	for (u32 i = 0; i < PD_COUNT; i++)
		pdpte[i] = (LOADER_PD_GPA + i * PAGE_SIZE) | PTE_P | PTE_RW;
	err = loader_write(c, LOADER_PML4_GPA, &pml4e, sizeof(pml4e));
	err = err ?: loader_write(c, LOADER_PDPT_GPA, pdpte, sizeof(pdpte));
	for (u32 i = 0; !err && i < PD_COUNT * PT_ENTRIES; i += PT_CHUNK) {
		for (u32 j = 0; j < PT_CHUNK; j++)
			chunk[j] = (u64)(i + j) * LARGE_PAGE | PTE_P | PTE_RW | PTE_PS;
		err = loader_write(c, LOADER_PD_GPA + (u64)i * sizeof(u64), chunk, sizeof(chunk));
	}
	return err;
}

static int enter_long64(struct loader_ctx *c)
{
	struct guest_entry *e = c->entry;
	int err = write_page_tables(c);

	err = err ?: loader_write_gdt(c, true);
	if (err)
		return err;
	e->mode = GUEST_ENTRY_LONG64;
	e->rip = c->img->entry_addr;
	e->rsp = LOADER_LONG64_STACK;
	e->rflags = LOADER_RFLAGS_INIT;
	e->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	e->cr3 = LOADER_PML4_GPA;
	e->cr4 = CR4_PAE;
	e->efer = EFER_LME | EFER_LMA;
	return 0;
}

static int enter_real(struct loader_ctx *c)
{
	struct guest_entry *e = c->entry;
	u64 entry = c->img->entry_addr;

	if (entry >= REAL_MODE_TOP)
		return loader_fail(c, -E_RANGE, "real-mode entry 0x%llx is not below 1 MiB",
				   (unsigned long long)entry);
	e->mode = GUEST_ENTRY_REAL;
	if (entry < REAL_IP_MAX) {
		e->cs = 0;
		e->rip = entry;
	} else {
		e->cs = (u16)(entry >> REAL_SEG_SHIFT);
		e->rip = entry & ((1u << REAL_SEG_SHIFT) - 1);
	}
	e->ds = 0;
	e->rsp = LOADER_REAL_STACK;
	e->rdx = LOADER_REAL_BOOT_DRIVE;
	e->rflags = LOADER_RFLAGS_INIT;
	e->cr0 = CR0_ET;
	return 0;
}

int loader_raw(struct loader_ctx *c)
{
	const struct guest_image *img = c->img;
	bool long64 = img->raw_entry == GUEST_RAW_LONG64;
	int err;

	if (img->raw_entry != GUEST_RAW_REAL && !long64)
		return loader_fail(c, -E_INVAL, "unknown raw entry mode %d", (int)img->raw_entry);
	c->boot_area = long64;
	c->limit = long64 ? LOADER_4G : ~0ull;
	c->entry->format = GUEST_FORMAT_RAW;
	err = loader_check_dest(c, img->load, img->size, "raw image");
	if (err)
		return err;
	loader_note_extent(c, img->load, img->size);
	err = loader_check_entry(c, img->entry_addr);
	err = err ?: loader_copy(c, img->load, img->data, img->size, img->size);
	if (err)
		return err;
	return long64 ? enter_long64(c) : enter_real(c);
}
