#!/usr/bin/env python3
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
"""A stream of real SMTP sessions (smtplib) for the fault-injection cases,
and the tally that checks, afterwards, that none of them was lost, doubled
or damaged on its way through spampotd, the spool and the analyzer.

Session number N says HELO sN.e2e.test and sends one message whose body is
unique to N (make_body). What each session saw goes to LOG, one JSON line
per session: {"n", "helo", "port", "greeted", "acked", "stage", "reply"}.
"greeted": the client got the 220 greeting (a session the sensor must
keep); "acked": it got 250 for its message (which must then arrive intact
in MySQL); "stage": where it stopped ("text" for the message text and
its final dot, "done" when it went to the end).

    stream.py send PORT LOG FIRST COUNT [--parallel P] [--size BYTES]
              [--links K] [--pause SECONDS] [--deadline SECONDS] [--stop FILE]
        sessions FIRST..FIRST+COUNT-1, P at a time, with K distinct URLs
        in each message; no new session once DEADLINE seconds (default
        60) have passed or FILE exists.
    stream.py hold PORT LOG N STAGE READY GO [--size BYTES]
        session N, held at STAGE (greeted: after the 220; mail: after
        MAIL, before RCPT; data: half-way through the message text) until
        the file GO exists (at most 30 s); READY is written once it holds,
        with the client's port.
    stream.py tally LOG SPOOL DBROWS [OTHER-LOG...]
        compare the sessions of LOG with the spool files (new/, done/,
        bad/) and with DBROWS, the output of
          SELECT s.helo, s.client_port, s.spool_name, s.end_reason,
                 m.sha256, m.incomplete
          FROM sessions s LEFT JOIN messages m ON m.session_id = s.id
        and print key=value counts (see tally()); the sessions behind any
        non-zero fault count go to standard error. Files and rows of the
        sessions of the OTHER-LOGs (earlier faults of the same case) are
        left out of the counts.
"""
import hashlib
import json
import os
import smtplib
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spool  # noqa: E402

TIMEOUT = 15
HOLD_MAX = 30


def helo(n):
    return "s%d.e2e.test" % n


def make_body(n, size=0, links=0):
    """Message text unique to session n, about size bytes (at least a few
    lines), CRLF line ends, no line starting with a dot; with links, that
    many lines each with a URL of its own (work for the analyzer)."""
    head = ("From: <s%d@example.org>\r\nTo: <r%d@example.net>\r\n"
            "Subject: stream session %d\r\nMessage-ID: <%d@stream.e2e.test>"
            "\r\n\r\n" % (n, n, n, n)).encode()
    lines = [head]
    total = len(head)
    i = 0
    while i < 3 or i < links or total < size:
        if i < links:
            ln = "see http://l%d.s%d.example.com/x%d\r\n" % (i, n, i)
        else:
            ln = "session %d line %d %s\r\n" % (n, i, "x" * 60)
        lines.append(ln.encode())
        total += len(lines[-1])
        i += 1
    return b"".join(lines)


class Recorder:
    def __init__(self, path):
        self.f = open(path, "a")
        self.lock = threading.Lock()

    def write(self, rec):
        with self.lock:
            self.f.write(json.dumps(rec) + "\n")
            self.f.flush()


def wait_file(path, limit):
    deadline = time.monotonic() + limit
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.02)


class Client(smtplib.SMTP):
    """smtplib, knowing its own port before the greeting comes."""
    local_port = None

    def _get_socket(self, host, port, timeout):
        sock = super()._get_socket(host, port, timeout)
        self.local_port = sock.getsockname()[1]
        return sock


def session(port, n, size, hold=None, links=0):
    """One session; hold = (stage, ready, go) stops it at a stage."""
    rec = {"n": n, "helo": helo(n), "size": size, "links": links,
           "port": None, "greeted": False, "acked": False,
           "stage": "connect", "reply": ""}
    body = make_body(n, size, links)
    s = Client(timeout=TIMEOUT)

    def held(stage):
        if hold and hold[0] == stage:
            with open(hold[1] + ".tmp", "w") as f:
                f.write("%d\n" % rec["port"])
            os.rename(hold[1] + ".tmp", hold[1])
            wait_file(hold[2], HOLD_MAX)

    try:
        try:
            code, msg = s.connect("127.0.0.1", port)
        finally:
            rec["port"] = s.local_port
        rec["reply"] = "%d" % code
        if code != 220:
            return rec
        rec["greeted"] = True
        held("greeted")
        rec["stage"] = "ehlo"
        code, msg = s.ehlo(helo(n))
        rec["reply"] = "%d" % code
        if code != 250:
            return rec
        rec["stage"] = "mail"
        code, msg = s.mail("s%d@example.org" % n)
        rec["reply"] = "%d" % code
        if code != 250:
            return rec
        held("mail")
        rec["stage"] = "rcpt"
        code, msg = s.rcpt("r%d@example.net" % n)
        rec["reply"] = "%d" % code
        if code != 250:
            return rec
        rec["stage"] = "data"
        s.putcmd("data")
        code, msg = s.getreply()
        rec["reply"] = "%d" % code
        if code != 354:
            return rec
        rec["stage"] = "text"
        if hold and hold[0] == "data":
            half = len(body) // 2
            open(hold[1] + ".half", "wb").write(body[:half])
            s.send(body[:half])
            held("data")
            s.send(body[half:] + b".\r\n")
        else:
            s.send(body + b".\r\n")     # in one piece, as smtplib.data()
        code, msg = s.getreply()
        rec["reply"] = "%d" % code
        if code != 250:
            return rec
        rec["acked"] = True
        rec["stage"] = "quit"
        code, msg = s.docmd("quit")
        rec["reply"] = "%d" % code
        if code == 221:
            rec["stage"] = "done"
    except (OSError, smtplib.SMTPException) as e:
        rec["reply"] = e.__class__.__name__
    finally:
        s.close()
    return rec


def send(argv):
    port, log, first, count = int(argv[0]), argv[1], int(argv[2]), int(argv[3])
    opts = dict(zip(argv[4::2], argv[5::2]))
    parallel = int(opts.get("--parallel", 1))
    size = int(opts.get("--size", 0))
    links = int(opts.get("--links", 0))
    pause = float(opts.get("--pause", 0))
    deadline = time.monotonic() + float(opts.get("--deadline", 60))
    stop = opts.get("--stop")
    out = Recorder(log)
    todo = iter(range(first, first + count))
    lock = threading.Lock()

    def worker():
        while time.monotonic() < deadline and not (stop and os.path.exists(stop)):
            with lock:
                n = next(todo, None)
            if n is None:
                return
            out.write(session(port, n, size, links=links))
            if pause:
                time.sleep(pause)

    threads = [threading.Thread(target=worker) for _ in range(parallel)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def hold(argv):
    port, log, n, stage, ready, go = argv[:6]
    opts = dict(zip(argv[6::2], argv[7::2]))
    rec = session(int(port), int(n), int(opts.get("--size", 0)),
                  (stage, ready, go))
    Recorder(log).write(rec)


def spool_files(top):
    for sub in ("new", "done", "bad"):
        d = os.path.join(top, sub)
        for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            yield sub, name, os.path.join(d, name)


def tally(argv):
    """Counts, printed as key=value:
    sent        sessions greeted with 220 (each must have one file, one row)
    acked       sessions whose message got 250
    files       their files in new/, done/ and bad/ (and any file of no
                session of any log)
    rows        their rows in sessions (and any row of no session)
    bad_dir     files in bad/
    unparsable  files that do not parse or have no end record
    no_file     greeted sessions without a file; file_twice: with more
    ungreeted   files of connections of LOG cut before their greeting
                (allowed; not in files)
    stray_file  files of no session
    no_row      greeted sessions without a row; row_twice: with more
    stray_row   rows of no session
    lost_msg    acked messages not in MySQL exactly once, whole, with the
                SHA-256 of what was sent
    bad_part    sessions not acked whose message text in the spool is not
                a prefix of what was sent, or whose messages in MySQL are
                not those of the spool file (SHA-256)
    """
    log, top, dbrows = argv[:3]
    sent, known, mine = {}, {}, set()
    for path in argv[:1] + argv[3:]:
        for ln in open(path):
            r = json.loads(ln)
            known[r["n"]] = r
            if path == log:
                mine.add(r["n"])
                if r["greeted"]:
                    sent[r["n"]] = r
    by_helo = {r["helo"]: n for n, r in known.items()}
    by_port = {}
    for n, r in known.items():
        if r["port"] is not None:
            by_port.setdefault(r["port"], []).append(n)

    def who(helo_name, port):
        """The session of a file or row: by HELO name, or by client port
        for a connection that never said HELO."""
        if helo_name in by_helo:
            return by_helo[helo_name]
        cand = by_port.get(port, []) if helo_name in (None, "") else []
        return cand[0] if len(cand) == 1 else None

    keys = ("sent", "acked", "files", "rows", "ungreeted", "bad_dir",
            "unparsable", "no_file", "file_twice", "stray_file", "no_row",
            "row_twice", "stray_row", "lost_msg", "bad_part")
    c = dict.fromkeys(keys, 0)
    c["sent"] = len(sent)
    c["acked"] = sum(1 for r in sent.values() if r["acked"])
    why = []
    files = {}
    for sub, name, path in spool_files(top):
        try:
            rec = spool.parse(path)
            h = rec["helo"][0]["name"] if rec["helo"] else None
            n = who(h, rec["header"]["client"][1])
        except Exception as e:  # noqa: BLE001 - any parse error counts
            rec, n = None, None
            c["unparsable"] += 1
            why.append("unparsable %s/%s: %s" % (sub, name, e))
        if n is not None and n not in sent:
            # another fault's, or a connection cut before its greeting:
            # the sensor may keep such a file, which must then be whole
            c["ungreeted"] += n in mine
            continue
        c["files"] += 1
        c["bad_dir"] += sub == "bad"
        if rec is None:
            continue
        if n is None:
            c["stray_file"] += 1
            why.append("stray file %s/%s helo=%s" % (sub, name, h))
            continue
        files.setdefault(n, []).append(rec)
    rows, names = {}, set()
    for ln in open(dbrows):
        f = ln.rstrip("\n").split("\t")
        h, port, name, end, sha, incomplete = f + [None] * (6 - len(f))
        h = None if h in ("NULL", "") else h
        n = who(h, int(port))
        if n is not None and n not in sent:
            continue
        if name not in names:
            names.add(name)
            c["rows"] += 1
        if n is None:
            c["stray_row"] += 1
            why.append("stray row %s helo=%s" % (name, h))
            continue
        msgs = rows.setdefault(n, {}).setdefault(name, [])
        if sha not in (None, "NULL"):
            msgs.append((sha, incomplete))
    for n, r in sorted(sent.items()):
        body = make_body(n, r["size"], r["links"])
        fl = files.get(n, [])
        if not fl:
            c["no_file"] += 1
            why.append("no file for session %d (%s)" % (n, r["stage"]))
        elif len(fl) > 1:
            c["file_twice"] += 1
            why.append("%d files for session %d" % (len(fl), n))
        rw = rows.get(n, {})
        if not rw:
            c["no_row"] += 1
            why.append("no row for session %d (%s)" % (n, r["stage"]))
        elif len(rw) > 1:
            c["row_twice"] += 1
            why.append("%d rows for session %d" % (len(rw), n))
        msgs = sorted(m for v in rw.values() for m in v)
        if r["acked"]:
            want = hashlib.sha256(body).hexdigest()
            if msgs != [(want, "0")]:
                c["lost_msg"] += 1
                why.append("session %d: acked, in MySQL as %s" % (n, msgs))
            continue
        if len(fl) != 1:
            continue
        texts = [m["body"] for m in fl[0]["messages"]]
        spooled = sorted(hashlib.sha256(t).hexdigest() for t in texts)
        if not all(body.startswith(t) for t in texts) or (
                rw and [m[0] for m in msgs] != spooled):
            c["bad_part"] += 1
            why.append("session %d (%s): MySQL %s, spool %s" %
                       (n, r["stage"], msgs, spooled))
    for k in keys:
        print("%s=%d" % (k, c[k]))
    for w in why[:40]:
        print(w, file=sys.stderr)


def main():
    cmds = {"send": send, "hold": hold, "tally": tally}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    cmds[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
