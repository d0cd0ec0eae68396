/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/* yara_rules: see yara_rules.h. */
#include "autoconf.h"

#include "yara_rules.h"
