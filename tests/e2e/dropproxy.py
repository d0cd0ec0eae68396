#!/usr/bin/env python3
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
"""dropproxy.py LISTEN SERVER MARKER: a unix-socket relay between a client
and a MariaDB server that drops the connection (closes both sides) as soon
as the client sends MARKER, as a server does that will not take a packet.
Every connection is relayed on its own; it counts the drops in
LISTEN.drops. Runs until killed.
"""
import os
import selectors
import socket
import sys


def main():
    listen, server, marker = sys.argv[1], sys.argv[2], sys.argv[3].encode()
    drops = 0
    open(listen + ".drops", "w").write("0\n")
    ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ls.bind(listen)
    os.chmod(listen, 0o777)
    ls.listen(16)
    sel = selectors.DefaultSelector()
    sel.register(ls, selectors.EVENT_READ)
    peer, tail = {}, {}
    while True:
        for key, _ in sel.select():
            s = key.fileobj
            if s is ls:
                c, _ = ls.accept()
                u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                u.connect(server)
                peer[c], peer[u] = u, c
                tail[c] = b""
                sel.register(c, selectors.EVENT_READ)
                sel.register(u, selectors.EVENT_READ)
                continue
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            drop = not data
            if s in tail:
                # the marker may straddle two reads
                seen = tail[s] + data
                if marker in seen:
                    drop = True
                    drops += 1
                    open(listen + ".drops", "w").write("%d\n" % drops)
                tail[s] = seen[-len(marker):]
            if not drop:
                try:
                    peer[s].sendall(data)
                    continue
                except OSError:
                    pass
            o = peer.pop(s)
            peer.pop(o, None)
            for x in (s, o):
                tail.pop(x, None)
                sel.unregister(x)
                x.close()


if __name__ == "__main__":
    main()
