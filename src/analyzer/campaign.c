/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/* campaign: see campaign.h. */
#include "autoconf.h"

#include "campaign.h"
