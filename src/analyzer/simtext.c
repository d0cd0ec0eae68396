/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/* simtext: see simtext.h. */
#include "autoconf.h"

#include "simtext.h"
