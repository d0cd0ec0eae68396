# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
"""A syslog listener for the end-to-end tests: binds a unix datagram socket
at PATH (the daemon's /dev/log, inside the case's own mount namespace) and
records every datagram, as it came, one per line of OUT in Python's repr
(a raw newline or ESC in a datagram reads \\n or \\x1b there; a backslash
reads \\\\). Touches READY once it listens.

    python3 syslog.py /dev/log $T/syslog.out $T/syslog.ready
"""
import os
import socket
import sys

path, out, ready = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
s.bind(path)
os.chmod(path, 0o666)   # the daemon's parent writes as spampot
open(ready, "w").close()
with open(out, "w") as f:
    while True:
        d = s.recv(65536)
        while d is not None:
            f.write(repr(d)[2:-1] + "\n")
            try:
                d = s.recv(65536, socket.MSG_DONTWAIT)
            except BlockingIOError:
                d = None
        f.flush()
