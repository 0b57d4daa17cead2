/* SPDX-License-Identifier: MIT */
/*
 * A byte ring of the log text. Messages are stored with a one-character level
 * marker "<n>" in front so readers can filter; old text is overwritten.
 */
#include "kernel/log.h"

static char ring[LOG_RING_BYTES];
static u64 head; /* total bytes written; ring index is head % size */

static void ring_put(char c)
{
	ring[head % LOG_RING_BYTES] = c;
	head++;
}

void log_ring_append(int level, const char *msg, size_t len)
{
	ring_put('<');
	ring_put((char)('0' + (level & 7)));
	ring_put('>');
	for (size_t i = 0; i < len; i++)
		ring_put(msg[i]);
}

size_t log_ring_read(char *out, size_t size)
{
	u64 avail = head < LOG_RING_BYTES ? head : LOG_RING_BYTES;
	u64 n = avail < size ? avail : size;
	u64 start = head - n;

	for (u64 i = 0; i < n; i++)
		out[i] = ring[(start + i) % LOG_RING_BYTES];
	return (size_t)n;
}

u64 log_ring_total(void)
{
	return head;
}
