/*
 * iptable: sessions per client IP across all workers, in memory the parent
 * shares with them before it forks.
 */
#ifndef SPAMPOT_IPTABLE_H
#define SPAMPOT_IPTABLE_H

#include <stddef.h>
#include <stdint.h>

#define IPTABLE_ROWS	(2 * 64)	/* two generations of workers */

struct iptable;

struct iptable	*iptable_create(void);
void		 iptable_row_open(struct iptable *, unsigned row);
void		 iptable_row_close(struct iptable *, unsigned row);
unsigned	 iptable_acquire(struct iptable *, unsigned row,
		    const void *addr, size_t len, uint32_t *slot);
void		 iptable_release(struct iptable *, unsigned row, uint32_t slot);

#endif
