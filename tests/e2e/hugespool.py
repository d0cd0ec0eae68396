#!/usr/bin/env python3
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
"""hugespool.py DIR KIND N [SID]: one spool file in DIR, written as
spampot-spool(5) says and named as the sensor names it, of a session that
was made to be hard to import:

    noop  one message (two recipients, a login), then N pipelined NOOPs
          in the transcript
    rcpt  one message to N recipients
    big   one message of N MiB (text lines with a URL in each)

Prints the file's name. The session id is SID (16 hex digits) or random.
"""
import os
import random
import sys
import time


def main():
    dst, kind, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    sid = sys.argv[4] if len(sys.argv) > 4 else "%016x" % random.getrandbits(64)
    t = time.time()
    now = time.gmtime(t)
    # in the order made, as the sensor's names sort
    stamp = time.strftime("%Y%m%dT%H%M%S", now) + ".%06dZ" % int(t % 1 * 10**6)
    iso = time.strftime("%Y-%m-%dT%H:%M:%S", now) + ".000000Z"
    ip = "192.0.2.%d" % random.randrange(1, 255)
    rcpts = ["victim%d@example.net" % i for i in range(n)] if kind == "rcpt" \
        else ["victim@example.net", "second@example.org"]
    body = b"Subject: huge %s\r\n\r\nhttp://huge.example.com/%s\r\n" % (
        kind.encode(), sid.encode())
    if kind == "big":
        line = b"see http://big.example.com/page?id=%s for more ......\r\n" % (
            sid.encode())
        body += line * (n * 1024 * 1024 // len(line))
    out = [b"spampot-spool 1", b"session " + sid.encode(),
           b"sensor e2e", b"client %s 40000" % ip.encode(),
           b"server 127.0.0.1 25", b"start " + iso.encode(),
           b"S 0.000 220 mx.example ESMTP",
           b"C 0.001 crlf EHLO bot.example", b"helo verb=EHLO name=bot.example",
           b"S 0.001 250 mx.example",
           b"C 0.002 crlf AUTH PLAIN AGFkbWluAHNlY3JldA==",
           b"auth mech=PLAIN status=ok user=admin pass=s3cret",
           b"S 0.002 235 2.7.0 Authentication successful",
           b"C 0.003 crlf MAIL FROM:<spammer@example.com>",
           b"mail from=spammer@example.com", b"S 0.003 250 2.1.0 OK"]
    for r in rcpts:
        out.append(b"rcpt to=" + r.encode())
    out += [b"C 0.004 crlf DATA", b"data n=1",
            b"S 0.004 354 End data with <CR><LF>.<CR><LF>",
            b"body %010d" % len(body)]
    data = b"\n".join(out) + b"\n" + body + b"\n"
    data += (b"message n=1 size=%d stored=%d truncated=0 bare_lf=0 "
             b"queue_id=0123456789AB\n" % (len(body), len(body)))
    data += b"S 0.005 250 2.0.0 Ok: queued as 0123456789AB\n"
    if kind == "noop":
        data += b"C 0.006 crlf NOOP\nS 0.006 250 2.0.0 OK\n" * n
    data += b"C 9.000 crlf QUIT\nS 9.000 221 2.0.0 Bye\n"
    data += b"end " + iso.encode() + b" reason=quit\n"
    name = "%s_%s_%s" % (stamp, ip, sid)
    fd = os.open(os.path.join(dst, ".tmp-" + name),
                 os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    os.write(fd, data)
    os.close(fd)
    # into place as the sensor puts it: a rename
    os.rename(os.path.join(dst, ".tmp-" + name), os.path.join(dst, name))
    print(name)


if __name__ == "__main__":
    main()
