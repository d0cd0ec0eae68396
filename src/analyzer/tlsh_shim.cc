// Copyright (c) 2026 The spampot authors
// SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#include "tlsh_shim.h"
