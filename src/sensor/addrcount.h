/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * addrcount: sessions per client IP across all workers, in memory the parent
 * shares with them before it forks.
 */
#ifndef SPAMPOT_ADDRCOUNT_H
#define SPAMPOT_ADDRCOUNT_H

#include <stddef.h>
#include <stdint.h>

#define ADDRCOUNT_ROWS	(2 * 64)	/* two generations of workers */

struct addrcount;

struct addrcount	*addrcount_create(void);
void		 addrcount_row_open(struct addrcount *, unsigned row);
void		 addrcount_row_close(struct addrcount *, unsigned row);
unsigned	 addrcount_acquire(struct addrcount *, unsigned row,
		    const void *addr, size_t len, uint32_t *slot);
void		 addrcount_release(struct addrcount *, unsigned row, uint32_t slot);

#endif
