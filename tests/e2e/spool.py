#!/usr/bin/env python3
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
"""Reader of spampot spool files for the end-to-end tests.

An independent implementation of spampot-spool(5), so the tests check the
format as documented rather than re-using the daemon's own code.

    spool.py FILE            print a JSON summary of FILE
    spool.py FILE body N     write message N's body bytes to stdout
"""
import json
import re
import sys

ESC = re.compile(rb"\\x([0-9a-f]{2})")


def unescape(b):
    return ESC.sub(lambda m: bytes([int(m.group(1), 16)]), b)


def fields(rest):
    out = {}
    for tok in rest.split(b" "):
        if b"=" in tok:
            k, v = tok.split(b"=", 1)
            out[k.decode()] = unescape(v)
    return out


def parse(path):
    data = open(path, "rb").read()
    pos = 0
    rec = {"header": {}, "transcript": [], "auth": [], "messages": [],
           "helo": [], "end": None, "records": []}
    env = {"from": None, "to": []}
    current = None

    def line():
        nonlocal pos
        nl = data.index(b"\n", pos)
        out = data[pos:nl]
        pos = nl + 1
        return out

    first = line()
    if first != b"spampot-spool 1":
        raise ValueError("bad magic: %r" % first)
    while pos < len(data):
        ln = line()
        kw, _, rest = ln.partition(b" ")
        kw = kw.decode()
        rec["records"].append(kw)
        if kw in ("session", "sensor", "start"):
            rec["header"][kw] = unescape(rest).decode("utf-8", "replace")
        elif kw in ("client", "server"):
            ip, port = rest.split(b" ")
            rec["header"][kw] = [ip.decode(), int(port)]
        elif kw in ("C", "S"):
            parts = rest.split(b" ", 2 if kw == "C" else 1)
            text = parts[-1] if len(parts) > (2 if kw == "C" else 1) else b""
            rec["transcript"].append(
                [kw, parts[1].decode() if kw == "C" else None,
                 unescape(text).decode("latin-1")])
        elif kw == "helo":
            env = {"from": None, "to": []}
            rec["helo"].append({k: v.decode("latin-1")
                                for k, v in fields(rest).items()})
        elif kw == "auth":
            rec["auth"].append({k: v.decode("latin-1")
                                for k, v in fields(rest).items()})
        elif kw == "mail":
            env = {"from": fields(rest)["from"].decode("latin-1"), "to": []}
        elif kw == "rcpt":
            env["to"].append(fields(rest)["to"].decode("latin-1"))
        elif kw == "rset":
            env = {"from": None, "to": []}
        elif kw == "data":
            current = {"n": int(fields(rest)["n"]), "from": env["from"],
                       "to": list(env["to"]), "body": b""}
        elif kw == "body":
            n = int(rest)
            current["body"] += data[pos:pos + n]
            if data[pos + n:pos + n + 1] != b"\n":
                raise ValueError("body record not ended by a newline")
            pos += n + 1
        elif kw == "message":
            f = fields(rest)
            current.update({k: v.decode() for k, v in f.items()
                            if k != "n"})
            rec["messages"].append(current)
            current = None
            env = {"from": None, "to": []}
        elif kw == "end":
            stamp, _, r = rest.partition(b" ")
            rec["end"] = {"time": stamp.decode(),
                          "reason": fields(r)["reason"].decode()}
        elif kw in ("tls", "tls-fail"):
            rec.setdefault("tls", []).append(
                dict({k: v.decode("latin-1") for k, v in fields(rest).items()},
                     record=kw))
        elif kw == "auth-raw":
            pass
        elif kw == "cut":
            rec["cut"] = {k: v.decode() for k, v in fields(rest).items()}
        else:
            raise ValueError("unknown record %r" % kw)
    if rec["end"] is None:
        raise ValueError("no end record")
    if current is not None:
        current["open"] = "1"
        rec["messages"].append(current)
    return rec


def main():
    rec = parse(sys.argv[1])
    if len(sys.argv) > 3 and sys.argv[2] == "body":
        sys.stdout.buffer.write(rec["messages"][int(sys.argv[3]) - 1]["body"])
        return
    for m in rec["messages"]:
        m["body_len"] = len(m["body"])
        del m["body"]
    print(json.dumps(rec, indent=1))


if __name__ == "__main__":
    main()
