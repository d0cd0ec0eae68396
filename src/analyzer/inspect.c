/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/* inspect: see inspect.h. */
#include "autoconf.h"

#include "inspect.h"
