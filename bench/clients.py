#!/usr/bin/env python3
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
"""SMTP clients of the benchmark (bench/bench.sh), for what smtp-source does
not do. Every wait is bounded; only loopback addresses are used. Each mode
prints one line of JSON.

    clients.py idle PORT COUNT SAMPLES PIDS
        A normal client's full session (EHLO, MAIL, RCPT, 1 KiB DATA, QUIT),
        SAMPLES times, unloaded; then COUNT connections from 127.0.x.y
        (x from 1, y 1..250) that read the greeting, send EHLO, read its
        reply and sit idle; the total RSS of PIDS (comma-separated; a
        process's children are counted too) while they are held; the
        normal session SAMPLES times again during the hold; then how many
        of the COUNT are still open.

    clients.py send PORT MAILDIR COUNT
        COUNT sessions of the messages MAILDIR/*.eml, round robin, with
        AUTH LOGIN or PLAIN every other session and 1 to 3 recipients: the
        raw material of realistic spool files.

    clients.py latency PORT SESSIONS GAP_MS EML SOCKET DATABASE
        SESSIONS sessions, one at a time, GAP_MS apart, each with a unique
        EHLO name; for each, the time from sending QUIT until its row is in
        the database's sessions table (polled through one mariadb client
        over the unix socket as root). Also the floor: the time of one
        INSERT and COMMIT through the same client.
"""
import base64
import errno
import json
import os
import resource
import selectors
import socket
import statistics
import subprocess
import sys
import time

TIMEOUT = 10.0
BODY_1K = (b"From: <bench@client.test>\r\nTo: <rcpt@sink.test>\r\n"
           b"Subject: benchmark\r\n\r\n" + b"x" * 76 + b"\r\n") * 1
while len(BODY_1K) < 1024:
    BODY_1K += b"y" * 76 + b"\r\n"


class Conn:
    """A blocking client connection with bounded reads."""

    def __init__(self, port, src=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if src is not None:
            self.sock.bind((src, 0))
        self.sock.settimeout(TIMEOUT)
        self.sock.connect(("127.0.0.1", port))
        self.buf = b""

    def reply(self):
        """A whole (multi-line) reply; its code, or raises."""
        while True:
            while b"\n" not in self.buf:
                data = self.sock.recv(65536)
                if not data:
                    raise OSError("connection closed")
                self.buf += data
            line, _, self.buf = self.buf.partition(b"\n")
            if len(line) < 4 or line[3:4] != b"-":
                return line[:3].decode("latin-1")

    def cmd(self, text, want):
        self.sock.sendall(text + b"\r\n")
        code = self.reply()
        if code != want:
            raise OSError("%s: got %s" % (text[:20], code))

    def close(self):
        self.sock.close()


def session(port, helo=b"client.bench.test", body=BODY_1K, rcpts=1,
            auth=None, on_quit=None):
    """One full session; returns the time it took in seconds."""
    t0 = time.monotonic()
    c = Conn(port)
    try:
        if c.reply() != "220":
            raise OSError("no greeting")
        c.cmd(b"EHLO " + helo, "250")
        if auth == "PLAIN":
            c.cmd(b"AUTH PLAIN " + base64.b64encode(
                b"\0admin\0" + helo[-6:]), "235")
        elif auth == "LOGIN":
            c.cmd(b"AUTH LOGIN", "334")
            c.cmd(base64.b64encode(b"user" + helo[-4:]), "334")
            c.cmd(base64.b64encode(b"123456"), "235")
        c.cmd(b"MAIL FROM:<sender@client.bench.test>", "250")
        for i in range(rcpts):
            c.cmd(b"RCPT TO:<rcpt%d@sink%d.bench.test>" % (i, i), "250")
        c.cmd(b"DATA", "354")
        data = b"\r\n".join(b"." + ln if ln.startswith(b".") else ln
                            for ln in body.replace(b"\r\n", b"\n")
                            .split(b"\n"))
        if not data.endswith(b"\r\n"):
            data += b"\r\n"
        c.sock.sendall(data + b".\r\n")
        if c.reply() != "250":
            raise OSError("message refused")
        if on_quit is not None:
            on_quit()
        c.cmd(b"QUIT", "221")
    finally:
        c.close()
    return time.monotonic() - t0


def rss_kib(pids):
    """Total VmRSS of the processes and their children."""
    parent = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    parent[int(d)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                pass
    tree, grew = set(pids), True
    while grew:
        more = {p for p, pp in parent.items() if pp in tree} - tree
        grew = bool(more)
        tree |= more
    total = 0
    for pid in tree:
        try:
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def idle_open(port, count, deadline):
    """count connections that got the greeting and an EHLO reply."""
    sel = selectors.DefaultSelector()
    conns = {}
    state = {}
    opened = 0
    held = []
    while (opened < count or state) and time.monotonic() < deadline:
        # keep at most 500 connections being set up at once
        while opened < count and len(state) < 500:
            src = "127.0.%d.%d" % (1 + opened // 250, 1 + opened % 250)
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.bind((src, 0))
            err = s.connect_ex(("127.0.0.1", port))
            if err not in (0, errno.EINPROGRESS):
                s.close()
                opened += 1
                continue
            conns[s.fileno()] = s
            state[s.fileno()] = [0, b""]    # 0: greeting, 1: EHLO reply
            sel.register(s, selectors.EVENT_READ)
            opened += 1
        for key, _ in sel.select(timeout=0.5):
            s = key.fileobj
            st = state[s.fileno()]
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if not data:
                sel.unregister(s)
                del state[s.fileno()]
                s.close()
                continue
            st[1] += data
            if not (st[1].startswith(b"2") and
                    (st[1].endswith(b"\n") and
                     st[1].rsplit(b"\n", 2)[-2][3:4] == b" ")):
                continue
            if st[0] == 0:
                st[0], st[1] = 1, b""
                s.send(b"EHLO idle%d.bench.test\r\n" % s.fileno())
            else:
                sel.unregister(s)
                del state[s.fileno()]
                held.append(s)
    for fd in list(state):
        conns[fd].close()
    sel.close()
    return held


def idle_still_open(held):
    """Connections the server has not closed (no EOF waiting)."""
    sel = selectors.DefaultSelector()
    for s in held:
        sel.register(s, selectors.EVENT_READ)
    closed = 0
    for key, _ in sel.select(timeout=0.2):
        try:
            if key.fileobj.recv(4096, socket.MSG_PEEK) == b"":
                closed += 1
        except OSError:
            closed += 1
    sel.close()
    return len(held) - closed


def samples(port, n):
    out = []
    for _ in range(n):
        out.append(session(port))
    return out


def mode_idle(port, count, nsamples, pids):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = count + 1024
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, max(want, hard)))
    pids = [int(p) for p in pids.split(",") if p]
    rss_rest = rss_kib(pids)
    unloaded = samples(port, nsamples)
    t0 = time.monotonic()
    held = idle_open(port, count, time.monotonic() + 120)
    t_open = time.monotonic() - t0
    time.sleep(1.0)
    rss_held = rss_kib(pids)
    loaded = samples(port, nsamples)
    still = idle_still_open(held)
    for s in held:
        s.close()
    print(json.dumps({
        "greeted": len(held), "held": still, "open_s": round(t_open, 3),
        "rss_rest_kib": rss_rest, "rss_held_kib": rss_held,
        "unloaded_ms": round(1000 * statistics.median(unloaded), 3),
        "loaded_ms": round(1000 * statistics.median(loaded), 3),
    }))


def mode_send(port, maildir, count):
    names = sorted(n for n in os.listdir(maildir) if n.endswith(".eml"))
    bodies = [open(os.path.join(maildir, n), "rb").read() for n in names]
    ok = 0
    for i in range(count):
        helo = b"host%d.client%d.example" % (i, i % 7)
        auth = (None, "LOGIN", None, "PLAIN")[i % 4]
        try:
            session(port, helo, bodies[i % len(bodies)], 1 + i % 3, auth)
            ok += 1
        except OSError as e:
            print("session %d: %s" % (i, e), file=sys.stderr)
    print(json.dumps({"sessions": ok}))


class Sql:
    """One mariadb client process, fed queries one at a time."""

    def __init__(self, sock, db):
        self.p = subprocess.Popen(
            ["mariadb", "--no-defaults", "--protocol=socket",
             "--socket=" + sock, "-u", "root", "-N", "-B", "--unbuffered",
             db], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            bufsize=0)

    def scalar(self, sql):
        self.p.stdin.write(sql.encode() + b";\n")
        line = b""
        while not line.endswith(b"\n"):
            c = self.p.stdout.read(1)
            if not c:
                raise OSError("mariadb client gone")
            line += c
        return line.decode().strip()

    def close(self):
        self.p.stdin.close()
        self.p.wait(10)


def mode_latency(port, n, gap_ms, eml, sock, db):
    body = open(eml, "rb").read()
    sql = Sql(sock, db)
    # a real table: a temporary one's commit flushes nothing
    sql.scalar("CREATE TABLE IF NOT EXISTS bench_floor (v INT) "
               "ENGINE=InnoDB; SELECT 1")
    floor = []
    for i in range(20):
        t0 = time.monotonic()
        sql.scalar("BEGIN; INSERT INTO bench_floor VALUES (%d); COMMIT; "
                   "SELECT 1" % i)
        floor.append(time.monotonic() - t0)
    lat, missed = [], 0
    tag = "%x" % (int(time.time()) & 0xfffff)
    for i in range(n):
        helo = "lat%s-%d.bench.test" % (tag, i)
        mark = []
        session(port, helo.encode(), body,
                on_quit=lambda: mark.append(time.monotonic()))
        deadline = mark[0] + 10
        while True:
            if sql.scalar("SELECT COUNT(*) FROM sessions WHERE helo = '%s'"
                          % helo) != "0":
                lat.append(time.monotonic() - mark[0])
                break
            if time.monotonic() > deadline:
                missed += 1
                break
            time.sleep(0.001)
        time.sleep(gap_ms / 1000.0)
    sql.scalar("DROP TABLE bench_floor; SELECT 1")
    sql.close()
    lat.sort()
    print(json.dumps({
        "sessions": n, "missed": missed,
        "median_ms": round(1000 * statistics.median(lat), 2) if lat else None,
        "p99_ms": round(1000 * lat[min(len(lat) - 1,
                                       int(0.99 * len(lat)))], 2)
        if lat else None,
        "floor_ms": round(1000 * statistics.median(floor), 2),
    }))


def main():
    a = sys.argv[1:]
    if a[:1] == ["idle"] and len(a) == 5:
        mode_idle(int(a[1]), int(a[2]), int(a[3]), a[4])
    elif a[:1] == ["send"] and len(a) == 4:
        mode_send(int(a[1]), a[2], int(a[3]))
    elif a[:1] == ["latency"] and len(a) == 7:
        mode_latency(int(a[1]), int(a[2]), int(a[3]), a[4], a[5], a[6])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
