# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
"""A raw SMTP client for the end-to-end tests: exact bytes out, reply lines
in, every wait bounded. For hostile clients that smtplib cannot play (NUL
bytes, endless lines, half a message, a flood of pipelined commands).

    import rawsmtp
    c = rawsmtp.Conn(port)              # connect; c.port is our port
    c.reply()                           # "220 mx.e2e.test ESMTP ..."
    c.send(b"EHLO x\\r\\n")
    c.reply(all_lines=True)             # ["250-mx.e2e.test", ..., "250 8BITMIME"]

A reply that does not come in time reads "<timeout>"; a connection the
server closed reads "<closed>" (or "<reset>").
"""
import socket
import time

TIMEOUT = 5.0


class Conn:
    def __init__(self, port, host="127.0.0.1", src=None, timeout=TIMEOUT):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        if src is not None:
            self.sock.bind((src, 0))
        self.sock.settimeout(timeout)
        self.sock.connect((host, port))
        self.port = self.sock.getsockname()[1]
        self.started = time.monotonic()
        self.buf = b""
        self.eof = False

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout()
        self.sock.settimeout(left)
        data = self.sock.recv(65536)
        if not data:
            self.eof = True
        self.buf += data

    def line(self, timeout=TIMEOUT):
        """One line without its CR LF; "<closed>", "<reset>", "<timeout>"."""
        deadline = time.monotonic() + timeout
        try:
            while b"\n" not in self.buf:
                if self.eof:
                    return "<closed>"
                self._fill(deadline)
        except socket.timeout:
            return "<timeout>"
        except ConnectionResetError:
            return "<reset>"
        ln, _, self.buf = self.buf.partition(b"\n")
        return ln.rstrip(b"\r").decode("latin-1")

    def reply(self, timeout=TIMEOUT, all_lines=False):
        """One whole reply: its last line, or all its lines."""
        lines = []
        while True:
            ln = self.line(timeout)
            lines.append(ln)
            if ln.startswith("<") or len(ln) < 4 or ln[3] != "-":
                return lines if all_lines else ln

    def replies(self, n, timeout=TIMEOUT):
        return [self.reply(timeout) for _ in range(n)]

    def closed(self, timeout=TIMEOUT):
        """True when the server closes the connection within timeout
        without sending anything more."""
        ln = self.line(timeout)
        return ln in ("<closed>", "<reset>") and self.buf == b""

    def close(self):
        self.sock.close()


def session(port, commands, **kw):
    """Connect, read the greeting, send each command and read its reply.
    Returns (conn, [greeting, reply, ...])."""
    c = Conn(port, **kw)
    out = [c.reply()]
    for cmd in commands:
        c.send(cmd)
        out.append(c.reply())
    return c, out
