/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * tlsh_shim: the C side of TLSH, whose library is C++ (tlsh_shim.cc).
 */
#ifndef SPAMPOT_TLSH_SHIM_H
#define SPAMPOT_TLSH_SHIM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The hex digest of DATA into HEX (at least 73 bytes); 0, or -1 when the
 * data is too short or too uniform for one (HEX is then ""). */
int	tlsh_shim_hash(const void *data, size_t len, char *hex, size_t hexlen);
/* Distance of two hex digests, -1 when either is malformed. */
int	tlsh_shim_diff(const char *a, const char *b);

#ifdef __cplusplus
}
#endif

#endif
