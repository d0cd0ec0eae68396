/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
#ifndef SPAMPOT_CHARSET_H
#define SPAMPOT_CHARSET_H

#include <iconv.h>

/*
 * An iconv descriptor from CHARSET to UTF-8, kept open for the next
 * caller: never closed by the caller, reset by it before use. (iconv_t)-1
 * when iconv does not know the charset. One thread only.
 */
iconv_t	charset_to_utf8(const char *charset);
/* Every descriptor kept closed (tests, a clean exit). */
void	charset_forget(void);

#endif
