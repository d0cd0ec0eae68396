#!/usr/bin/env python3
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
"""spoolgen.py SRC DST COUNT [SEED [SENSOR]]: a backlog of COUNT spool files in DST, made
from the real spool files in SRC (written by spampotd from the test
messages) by copying them round robin under fresh names: a new session id
and a new client address (198.18.x.y, the benchmarking range) in both the
file and its name, everything else byte for byte. The files are made with
mode 0640; the caller gives them to the spool's owner. SEED (5) picks the
session ids: spools made with different seeds share no spool name, so that
several sensors' backlogs can go into one database; SENSOR, when given,
replaces the sensor's name in every file.
"""
import os
import random
import sys


def main():
    src, dst, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    sensor = sys.argv[5].encode() if len(sys.argv) > 5 else None
    names = sorted(n for n in os.listdir(src) if not n.startswith("."))
    if not names:
        sys.exit("spoolgen.py: no spool files in %s" % src)
    files = []
    for n in names:
        with open(os.path.join(src, n), "rb") as f:
            data = f.read()
        head, sep, rest = data.partition(b"\nstart ")
        lines = head.split(b"\n")
        files.append((n.split("_")[0], lines, sep + rest))
    rnd = random.Random(seed)
    for i in range(count):
        stamp, lines, rest = files[i % len(files)]
        sid = "%016x" % rnd.getrandbits(64)
        ip = "198.18.%d.%d" % (i // 250 % 256, 1 + i % 250)
        out = []
        for ln in lines:
            if ln.startswith(b"session "):
                ln = b"session " + sid.encode()
            elif ln.startswith(b"client "):
                ln = b"client %s %s" % (ip.encode(), ln.split()[2])
            elif sensor is not None and ln.startswith(b"sensor "):
                ln = b"sensor " + sensor
            out.append(ln)
        name = "%s_%s_%s" % (stamp, ip, sid)
        fd = os.open(os.path.join(dst, name),
                     os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        os.write(fd, b"\n".join(out) + rest)
        os.close(fd)


if __name__ == "__main__":
    main()
