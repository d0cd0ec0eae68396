/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * addrcount: counts of live sessions per client IP, shared by the workers.
 * Each worker counts in its own row (so a crashed worker's counts can be
 * wiped by the parent); a lookup sums the rows of live workers. Addresses
 * are hashed into 65536 buckets: a collision can only make the per-IP
 * limit stricter, never looser. Created by the parent before the fork, as
 * anonymous shared memory; no system call after that.
 */
#include "autoconf.h"

#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

#include "addrcount.h"

#define ADDRCOUNT_BUCKETS	65536

struct addrcount {
	_Atomic uint64_t	active[ADDRCOUNT_ROWS / 64];
	_Atomic uint16_t	count[ADDRCOUNT_ROWS][ADDRCOUNT_BUCKETS];
};

struct addrcount *
addrcount_create(void)
{
	void *p;

	p = mmap(NULL, sizeof(struct addrcount), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* Parent: a worker now counts in this row. */
void
addrcount_row_open(struct addrcount *t, unsigned row)
{
	memset((void *)t->count[row], 0, sizeof(t->count[row]));
	atomic_fetch_or(&t->active[row / 64], 1ULL << (row % 64));
}

/* Parent: the worker of this row is gone; forget its sessions. */
void
addrcount_row_close(struct addrcount *t, unsigned row)
{
	atomic_fetch_and(&t->active[row / 64], ~(1ULL << (row % 64)));
	memset((void *)t->count[row], 0, sizeof(t->count[row]));
}

static uint32_t
addrcount_hash(const void *addr, size_t len)
{
	const unsigned char *p = addr;
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return (h ^ (h >> 16)) % ADDRCOUNT_BUCKETS;
}

/* Count one more session of addr; returns the total over all workers. */
unsigned
addrcount_acquire(struct addrcount *t, unsigned row, const void *addr,
    size_t len, uint32_t *slot)
{
	uint64_t bits;
	unsigned r, w, total = 0;

	*slot = addrcount_hash(addr, len);
	atomic_fetch_add(&t->count[row][*slot], 1);
	for (w = 0; w < ADDRCOUNT_ROWS / 64; w++) {
		bits = atomic_load(&t->active[w]);
		while (bits != 0) {
			r = w * 64 + (unsigned)__builtin_ctzll(bits);
			bits &= bits - 1;
			total += atomic_load(&t->count[r][*slot]);
		}
	}
	return total;
}

void
addrcount_release(struct addrcount *t, unsigned row, uint32_t slot)
{
	if (atomic_load(&t->count[row][slot]) > 0)
		atomic_fetch_sub(&t->count[row][slot], 1);
}
