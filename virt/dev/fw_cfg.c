/* SPDX-License-Identifier: MIT */
/*
 * fw_cfg traditional interface. Items are (selector, bytes) pairs built at VM
 * creation; the guest selects one and streams it through the data port, each
 * read advancing the offset, with zeros past the end and for unknown
 * selectors. The file directory is kept ready-encoded, so a data read is one
 * table lookup. The lock covers the selector and offset shared by all vCPUs.
 */
#include "virt/dev/fw_cfg.h"

#include "lib/string.h"
#include "virt/dev/devices.h"

#define BITS_PER_BYTE	     8
#define FW_CFG_SELECTOR_MASK 0xffff
/* Directory entry layout. */
#define FW_CFG_DIRENT_SIZE_OFF	 0
#define FW_CFG_DIRENT_SELECT_OFF 4
#define FW_CFG_DIRENT_NAME_OFF	 8

static void put_le(u8 *p, u64 v, size_t bytes)
{
	for (size_t i = 0; i < bytes; i++)
		p[i] = (u8)(v >> (i * BITS_PER_BYTE));
}

static void put_be(u8 *p, u64 v, size_t bytes)
{
	for (size_t i = 0; i < bytes; i++)
		p[bytes - 1 - i] = (u8)(v >> (i * BITS_PER_BYTE));
}

static struct fw_cfg_item *item_find(struct fw_cfg *fc, u16 key)
{
	for (u32 i = 0; i < fc->nr_items; i++)
		if (fc->items[i].key == key)
			return &fc->items[i];
	return NULL;
}

static void item_add(struct fw_cfg *fc, u16 key, const void *data, u32 size)
{
	fc->items[fc->nr_items++] = (struct fw_cfg_item){.key = key, .size = size, .data = data};
}

void fw_cfg_init(struct fw_cfg *fc, u16 nr_cpus, u64 ram_bytes)
{
	memset(fc, 0, sizeof(*fc));
	spin_lock_init(&fc->lock);
	memcpy(fc->signature, FW_CFG_SIGNATURE_STR, sizeof(fc->signature));
	put_le(fc->id, FW_CFG_ID_TRADITIONAL, sizeof(fc->id));
	put_le(fc->ram_size, ram_bytes, sizeof(fc->ram_size));
	put_le(fc->nb_cpus, nr_cpus, sizeof(fc->nb_cpus));
	put_le(fc->max_cpus, nr_cpus, sizeof(fc->max_cpus));
	item_add(fc, FW_CFG_SIGNATURE, fc->signature, sizeof(fc->signature));
	item_add(fc, FW_CFG_ID, fc->id, sizeof(fc->id));
	item_add(fc, FW_CFG_RAM_SIZE, fc->ram_size, sizeof(fc->ram_size));
	item_add(fc, FW_CFG_NB_CPUS, fc->nb_cpus, sizeof(fc->nb_cpus));
	item_add(fc, FW_CFG_MAX_CPUS, fc->max_cpus, sizeof(fc->max_cpus));
	item_add(fc, FW_CFG_FILE_DIR, fc->dir, FW_CFG_DIR_SIZE(0));
}

static bool file_exists(const struct fw_cfg *fc, const char *name)
{
	for (u32 i = 0; i < fc->nr_files; i++) {
		const u8 *ent = fc->dir + FW_CFG_DIR_SIZE(i);

		if (!strcmp((const char *)ent + FW_CFG_DIRENT_NAME_OFF, name))
			return true;
	}
	return false;
}

int fw_cfg_add_file(struct fw_cfg *fc, const char *name, const void *data, u32 size)
{
	size_t len = strnlen(name, FW_CFG_FILE_NAME_MAX);
	u16 key = (u16)(FW_CFG_FILE_FIRST + fc->nr_files);
	u8 *ent;

	if (!len)
		return -E_INVAL;
	if (len == FW_CFG_FILE_NAME_MAX)
		return -E_RANGE;
	if (file_exists(fc, name))
		return -E_EXIST;
	if (fc->nr_files == FW_CFG_MAX_FILES)
		return -E_NOMEM;

	ent = fc->dir + FW_CFG_DIR_SIZE(fc->nr_files);
	put_be(ent + FW_CFG_DIRENT_SIZE_OFF, size, sizeof(u32));
	put_be(ent + FW_CFG_DIRENT_SELECT_OFF, key, sizeof(u16));
	memcpy(ent + FW_CFG_DIRENT_NAME_OFF, name, len); /* rest stays zero */
	item_add(fc, key, data, size);

	fc->nr_files++;
	put_be(fc->dir, fc->nr_files, FW_CFG_DIR_COUNT_SIZE);
	item_find(fc, FW_CFG_FILE_DIR)->size = FW_CFG_DIR_SIZE(fc->nr_files);
	return 0;
}

static u8 data_read_byte(struct fw_cfg *fc)
{
	const struct fw_cfg_item *item = item_find(fc, fc->selector);

	if (!item || fc->offset >= item->size)
		return 0;
	return item->data[fc->offset++];
}

/* Only byte reads of the data port carry data; the selector reads all-ones. */
static int fw_cfg_io_read(struct vcpu *v, void *dev, u16 port, u8 size, u32 *val)
{
	struct fw_cfg *fc = dev;

	(void)v;
	if (port != FW_CFG_PORT_DATA || size != 1)
		return 0; /* *val keeps the bus's all-ones */
	spin_lock(&fc->lock);
	*val = data_read_byte(fc);
	spin_unlock(&fc->lock);
	return 0;
}

/* Writes through the data port are ignored, as in QEMU since 2.4. */
static int fw_cfg_io_write(struct vcpu *v, void *dev, u16 port, u8 size, u32 val)
{
	struct fw_cfg *fc = dev;

	(void)v;
	(void)size;
	if (port != FW_CFG_PORT_SEL)
		return 0;
	spin_lock(&fc->lock);
	fc->selector = (u16)(val & FW_CFG_SELECTOR_MASK);
	fc->offset = 0;
	spin_unlock(&fc->lock);
	return 0;
}

int fw_cfg_attach(struct fw_cfg *fc, struct vm_devices *d)
{
	const struct io_device io = {
		.name = "fw_cfg",
		.base = FW_CFG_PORT_SEL,
		.count = FW_CFG_NR_PORTS,
		.read = fw_cfg_io_read,
		.write = fw_cfg_io_write,
		.dev = fc,
	};

	return io_bus_register(d, &io);
}
