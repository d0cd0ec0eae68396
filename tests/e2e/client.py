#!/usr/bin/env python3
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
"""A scripted SMTP client for the end-to-end tests: it holds a session open
at a chosen point so the test can signal or kill processes meanwhile.

    client.py hold PORT READY GO [BODY_FILE]
        EHLO, MAIL, RCPT, DATA, half of the body; writes READY; waits (at
        most 30 s) until the file GO exists; sends the rest, ".", QUIT.
        Prints every reply line it got; exits 0 when the message was
        accepted with 250, 1 otherwise.
"""
import os
import socket
import sys
import time


def replies(sock, f, out):
    """Read one complete reply (all its lines); return its code."""
    while True:
        line = f.readline()
        if not line:
            out.append("<closed>")
            return None
        text = line.decode("latin-1").rstrip("\r\n")
        out.append(text)
        if len(text) < 4 or text[3] != "-":
            return text[:3]


def hold(port, ready, go, body_file=None):
    body = open(body_file, "rb").read() if body_file else \
        b"Subject: held\r\n\r\n" + b"first half\r\n" * 50 + b"second half\r\n" * 50
    half = len(body) // 2
    out = []
    s = socket.create_connection(("127.0.0.1", port), 5)
    s.settimeout(40)
    f = s.makefile("rb")
    try:
        replies(s, f, out)
        for cmd in (b"EHLO hold.example", b"MAIL FROM:<held@example.org>",
                    b"RCPT TO:<rcpt@example.net>", b"DATA"):
            s.sendall(cmd + b"\r\n")
            replies(s, f, out)
        s.sendall(body[:half])
        open(ready, "w").write("ready\n")
        deadline = time.time() + 30
        while not os.path.exists(go) and time.time() < deadline:
            time.sleep(0.05)
        s.sendall(body[half:] + b".\r\n")
        code = replies(s, f, out)
        s.sendall(b"QUIT\r\n")
        replies(s, f, out)
    except OSError as e:
        out.append("<error %s>" % e.__class__.__name__)
        code = None
    print("\n".join(out))
    return 0 if code == "250" else 1


def main():
    if sys.argv[1] == "hold":
        sys.exit(hold(int(sys.argv[2]), sys.argv[3], sys.argv[4],
                      sys.argv[5] if len(sys.argv) > 5 else None))
    sys.exit("usage: client.py hold PORT READY GO [BODY_FILE]")


if __name__ == "__main__":
    main()
