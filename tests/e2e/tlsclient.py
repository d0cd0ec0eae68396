#!/usr/bin/env python3
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# tlsclient.py: TLS clients for tests/e2e/060-tls.sh and 061-tls-hostile.sh,
# each one scenario against 127.0.0.1:PORT, printing what it saw.
#
#   offer PORT               STARTTLS with a known ClientHello (TLS 1.2,
#                            two ciphers, SNI, ALPN), EHLO, STARTTLS again,
#                            AUTH, a message, QUIT
#   smtps PORT               smtplib over implicit TLS: AUTH and a message
#   inject PORT              STARTTLS with MAIL pipelined behind it in clear
#   garbage PORT             STARTTLS, then 4 KiB that are no TLS
#   onebyte PORT             STARTTLS, the ClientHello one byte a write
#   slowbyte PORT            the same, a byte every 10 ms until the server
#                            closes
#   huge PORT                STARTTLS, a ClientHello of about 20 KiB
#   stall PORT N             STARTTLS, N bytes of a ClientHello, then wait
#   twice PORT               STARTTLS twice in clear, pipelined; then
#                            inside TLS until the server closes
#   plain PORT               EHLO and STARTTLS on a listener without TLS
#   quick PORT               EHLO and QUIT in clear: is the worker serving?
#   tlsplain PORT            plain SMTP to a /tls listener
#
# With TLSC_GO=FILE in the environment, the hostile scenarios stop at
# their worst moment, session open, print "holding" and go on when FILE
# exists (10 s at most): the test serves another session meanwhile. With
# TLSC_SAVE=FILE, the bytes of TLS the scenario sent are written to FILE.
import os
import smtplib
import socket
import ssl
import struct
import sys
import time

HOST = "127.0.0.1"


def hold():
    go = os.environ.get("TLSC_GO")
    if not go:
        return
    print("holding", flush=True)
    t0 = time.time()
    while not os.path.exists(go) and time.time() - t0 < 10:
        time.sleep(0.02)


def save(data):
    if os.environ.get("TLSC_SAVE"):
        with open(os.environ["TLSC_SAVE"], "wb") as f:
            f.write(data)


def lines(f):
    out = []
    while True:
        ln = f.readline()
        if not ln:
            break
        out.append(ln.decode("latin-1").rstrip("\r\n"))
        if len(ln) < 4 or ln[3:4] != b"-":
            break
    return out


def starttls_socket(port, extra=b""):
    s = socket.create_connection((HOST, port), 5)
    f = s.makefile("rb")
    print("\n".join(lines(f)))
    # the EHLO name is the scenario's: the test finds its file by it
    s.sendall(b"EHLO %s.example\r\n" % sys.argv[1].encode())
    lines(f)
    s.sendall(b"STARTTLS\r\n" + extra)
    print("\n".join(lines(f)))
    return s, f


def client_ctx():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def cmd(f, s, line):
    s.sendall(line.encode() + b"\r\n")
    out = lines(f)
    print("\n".join(out))
    return out


def offer(port):
    ctx = client_ctx()
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers("ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA")
    ctx.set_alpn_protocols(["smtp", "h2"])
    s, f = starttls_socket(port)
    t = ctx.wrap_socket(s, server_hostname="mx.sni.example")
    print("version", t.version(), "cipher", t.cipher()[0])
    f = t.makefile("rb")
    cmd(f, t, "EHLO again.example")
    cmd(f, t, "STARTTLS")
    cmd(f, t, "AUTH PLAIN AGFsaWNlAHMzY3JldA==")
    cmd(f, t, "MAIL FROM:<tls@example.org>")
    cmd(f, t, "RCPT TO:<victim@example.net>")
    cmd(f, t, "DATA")
    t.sendall(b"Subject: over TLS\r\n\r\nsecret body\r\n")
    cmd(f, t, ".")
    cmd(f, t, "QUIT")


def smtps(port):
    m = smtplib.SMTP_SSL(HOST, port, context=client_ctx(), timeout=5)
    print(m.ehlo())
    # PLAIN, as a bot sends it (smtplib would pick CRAM-MD5 first)
    m.user, m.password = "carol", "implicit-pw"
    m.auth("PLAIN", m.auth_plain)
    m.sendmail("tls465@example.org", ["rcpt465@example.net"],
               b"Subject: on 465\r\n\r\nimplicit body\r\n")
    m.quit()
    print("smtps done")


def inject(port):
    s, f = starttls_socket(port, b"MAIL FROM:<injected@example.org>\r\n")
    t = client_ctx().wrap_socket(s)
    f = t.makefile("rb")
    cmd(f, t, "MAIL FROM:<after@example.org>")
    cmd(f, t, "QUIT")


def garbage(port):
    """Two bytes first, which could still begin a TLS record, then the
    rest of an HTTP request of 4 KiB: more than the server keeps."""
    s, f = starttls_socket(port)
    req = (b"GET / HTTP/1.0\r\nHost: garbage.example\r\nX-Pad: " +
           b"0123456789abcdef" * 252 + b"\r\n\r\n")
    save(req)
    s.sendall(req[:2])
    hold()
    s.sendall(req[2:])
    print("garbage bytes", len(req))
    try:
        print("after garbage", s.recv(100))
    except OSError as e:
        print("after garbage", e)


def hello_bytes(ctx, sni=None):
    inb, outb = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inb, outb, server_hostname=sni)
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return obj, inb, outb


def pump(s, obj, inb, outb):
    """Finish a handshake begun over memory BIOs on socket s."""
    while True:
        try:
            obj.do_handshake()
            break
        except ssl.SSLWantReadError:
            pass
        data = outb.read()
        if data:
            s.sendall(data)
        got = s.recv(65536)
        if not got:
            raise OSError("closed during the handshake")
        inb.write(got)
    data = outb.read()
    if data:
        s.sendall(data)


def read_tls(s, obj, inb):
    """Plaintext over memory BIOs: the reply may come after other TLS
    records (TLS 1.3 session tickets) or in several segments, so read
    until some plaintext is there."""
    while True:
        try:
            return obj.read(4096)
        except ssl.SSLWantReadError:
            pass
        got = s.recv(65536)
        if not got:
            raise OSError("closed before the reply")
        inb.write(got)


def onebyte(port):
    s, f = starttls_socket(port)
    obj, inb, outb = hello_bytes(client_ctx(), "onebyte.example")
    hello = outb.read()
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for i in range(len(hello)):
        s.sendall(hello[i:i + 1])
        if i == len(hello) // 2:
            hold()
        time.sleep(0.001)
    print("hello bytes", len(hello))
    got = s.recv(65536)
    inb.write(got)
    pump(s, obj, inb, outb)
    print("version", obj.version())
    obj.write(b"EHLO onebyte.example\r\n")
    s.sendall(outb.read())
    print(read_tls(s, obj, inb).decode().splitlines()[0])
    s.close()


def slowbyte(port):
    """A byte every 10 ms: the ClientHello would take about 5 s."""
    s, f = starttls_socket(port)
    obj, inb, outb = hello_bytes(client_ctx(), "slowbyte.example")
    hello = outb.read()
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    save(hello)
    t0 = time.time()
    sent = 0
    try:
        for i in range(len(hello)):
            s.sendall(hello[i:i + 1])
            sent += 1
            if i == 20:
                hold()
            time.sleep(0.01)
        print("all sent", s.recv(100))
    except OSError as e:
        print("closed after %.1fs, %d of %d bytes sent: %s" %
              (time.time() - t0, sent, len(hello), e))


def ext(t, body):
    return struct.pack("!HH", t, len(body)) + body


def huge_hello():
    """A TLS 1.2 ClientHello of about 20 KiB: 4000 cipher suites, 600
    GREASE-like extensions, a group list of 300."""
    ciphers = [0xc02f] + [0x1300 + (i % 200) for i in range(7999)]
    cs = b"".join(struct.pack("!H", c) for c in ciphers)
    groups = [29, 23] + [0x0a0a] * 298
    gl = b"".join(struct.pack("!H", g) for g in groups)
    exts = ext(0, struct.pack("!HBH", 19, 0, 16) + b"huge.sni.example")
    exts += ext(10, struct.pack("!H", len(gl)) + gl)
    exts += ext(11, b"\x01\x00")
    exts += ext(13, b"\x00\x04\x04\x01\x08\x04")
    for i in range(600):
        exts += ext(0x1a1a + i, b"")
    body = (b"\x03\x03" + b"\x11" * 32 + b"\x00" +
            struct.pack("!H", len(cs)) + cs + b"\x01\x00" +
            struct.pack("!H", len(exts)) + exts)
    msg = b"\x01" + struct.pack("!I", len(body))[1:] + body
    out = b""
    for i in range(0, len(msg), 16384):
        frag = msg[i:i + 16384]
        out += b"\x16\x03\x01" + struct.pack("!H", len(frag)) + frag
    return out


def huge(port):
    s, f = starttls_socket(port)
    h = huge_hello()
    s.sendall(h)
    print("huge hello bytes", len(h))
    try:
        print("server answered", len(s.recv(65536)) > 0)
    except OSError as e:
        print("server answered", e)
    hold()
    s.close()


def stall(port, n):
    s, f = starttls_socket(port)
    obj, inb, outb = hello_bytes(client_ctx())
    part = outb.read()[:n]
    save(part)
    s.sendall(part)
    s.settimeout(30)
    t0 = time.time()
    hold()
    try:
        got = s.recv(100)
    except OSError as e:
        got = e
    print("closed after %.1fs: %r" % (time.time() - t0, got))


def twice(port):
    """STARTTLS twice in clear in one write, then STARTTLS again inside
    TLS until the server has had enough."""
    s, f = starttls_socket(port, b"STARTTLS\r\n")
    t = client_ctx().wrap_socket(s)
    print("version", t.version())
    f = t.makefile("rb")
    cmd(f, t, "EHLO twice.example")
    cmd(f, t, "STARTTLS")
    hold()
    for i in range(10):
        try:
            if not cmd(f, t, "STARTTLS"):
                break
        except OSError as e:
            print("closed", e)
            break
    print("done")


def plain(port):
    s = socket.create_connection((HOST, port), 5)
    f = s.makefile("rb")
    lines(f)
    cmd(f, s, "EHLO plain.example")
    cmd(f, s, "STARTTLS")
    cmd(f, s, "QUIT")


def quick(port):
    s = socket.create_connection((HOST, port), 5)
    f = s.makefile("rb")
    print("\n".join(lines(f)))
    cmd(f, s, "QUIT")


def tlsplain(port):
    s = socket.create_connection((HOST, port), 5)
    s.sendall(b"EHLO tlsplain.example\r\n")
    try:
        print("answer", s.recv(100))
    except OSError as e:
        print("answer", e)


def main():
    fn = globals()[sys.argv[1]]
    fn(*[int(a) for a in sys.argv[2:]])


if __name__ == "__main__":
    main()
