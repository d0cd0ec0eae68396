/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * quarantine: attachments kept on disk by content (attachments_dir).
 */
#ifndef SPAMPOT_QUARANTINE_H
#define SPAMPOT_QUARANTINE_H

#include <stddef.h>

int	quarantine_save(const char *dir, const char *sha256,
	    const unsigned char *, size_t);

#endif
