#!/usr/bin/env python3
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
"""battery.py: the differential persona battery.

Runs each named SMTP conversation against two servers (--a, --b as
HOST:PORT), masks what differs between any two sessions (host names,
dates; queue ids and CRAM-MD5 challenges only where they have the real
MTA's format, so that a wrong format shows), and prints every pair of
replies that differ. Exit 0 only when none differs, apart from the lines
a --expect file exempts ("NAME<TAB>STEP<TAB>why", STEP a number or *;
# comments); those are printed too, with their reason, and not counted.
A conversation that differs is run again on both sides, twice at most:
a difference that goes away is printed and not counted (a network race,
such as a reset that discards a reply not yet read), one that stays is.
--dump prints side A's transcripts instead (the reference texts).
Every conversation is bounded in time (--timeout per reply, 4 times that
in all). Python 3 standard library only; ssl for STARTTLS.
"""
import argparse
import base64
import hashlib
import hmac
import re
import socket
import ssl
import sys
import time

CRLF = b"\r\n"


def c(s):
    """A command line: str or bytes, CRLF appended."""
    if isinstance(s, str):
        s = s.encode("utf-8")
    return s + CRLF


# A conversation is a list of steps:
#   ("s", bytes)        send, then read one reply
#   ("p", bytes, n)     send (pipelined), then read n replies
#   ("w", bytes)        send, read nothing
#   ("r",)              read one reply
#   ("tls",)            start TLS on the socket (after a 220 to STARTTLS)
#   ("sleep", secs)
#   ("drain",)          read replies until the server is silent or closes
#   ("cram", user, pw)  answer the last reply's CRAM-MD5 challenge
# The greeting is read first. The session ends with what the server does
# after the last step: a read of anything left (a close is recorded).
def S(x):
    return ("s", c(x))


def P(n, *lines):
    return ("p", b"".join(c(x) for x in lines), n)


def W(x):
    return ("w", x)


EHLO = S("EHLO client.example.org")
HELO = S("HELO client.example.org")
MAIL = S("MAIL FROM:<sender@example.org>")
RCPT = S("RCPT TO:<rcpt@example.net>")
DATA = S("DATA")
QUIT = S("QUIT")
BODY = b"Subject: battery\r\n\r\nhello\r\n.\r\n"
B64 = {"test": "dGVzdA==", "plain": "AHRlc3QAdGVzdA==",
       "bad": "AHRlc3QAd3Jvbmc="}
TX = [EHLO, MAIL, RCPT, DATA, ("s", BODY)]

CONV = {}


def conv(name, *steps):
    assert name not in CONV, name
    CONV[name] = list(steps)


# greeting and EHLO/HELO
conv("greeting-quit", QUIT)
conv("ehlo", EHLO, QUIT)
conv("helo", HELO, QUIT)
conv("ehlo-no-arg", S("EHLO"), QUIT)
conv("helo-no-arg", S("HELO"), QUIT)
conv("ehlo-twice", EHLO, EHLO, QUIT)
conv("helo-then-ehlo", HELO, EHLO, QUIT)
conv("ehlo-ip-literal", S("EHLO [127.0.0.1]"), QUIT)
conv("ehlo-bad-literal", S("EHLO [999.1.2.3]"), QUIT)
conv("ehlo-lowercase", S("ehlo client.example.org"), QUIT)
conv("ehlo-spaces", S("EHLO   client.example.org   "), QUIT)
conv("ehlo-two-args", S("EHLO a b"), QUIT)
conv("rset-noop", EHLO, S("RSET"), S("NOOP"), S("NOOP arg"), QUIT)
# MAIL/RCPT syntax
conv("mail-no-colon", EHLO, S("MAIL sender@example.org"), QUIT)
conv("mail-from-empty", EHLO, S("MAIL FROM:"), QUIT)
conv("rcpt-no-colon", EHLO, MAIL, S("RCPT rcpt@example.net"), QUIT)
conv("mail-no-brackets", EHLO, S("MAIL FROM:sender@example.org"), QUIT)
conv("mail-null", EHLO, S("MAIL FROM:<>"), QUIT)
conv("mail-space-addr", EHLO, S("MAIL FROM:<a b@c>"), QUIT)
conv("mail-unbalanced", EHLO, S("MAIL FROM:<sender@example.org"), QUIT)
conv("mail-bad-param", EHLO, S("MAIL FROM:<s@example.org> FOO=BAR"), QUIT)
conv("mail-size", EHLO, S("MAIL FROM:<s@example.org> SIZE=1000"), QUIT)
conv("mail-size-huge", EHLO,
     S("MAIL FROM:<s@example.org> SIZE=99999999999"), QUIT)
conv("mail-twice", EHLO, MAIL, MAIL, QUIT)
conv("mail-source-route", EHLO, S("MAIL FROM:<@a.example,@b.example:s@c.example>"), QUIT)
conv("rcpt-no-brackets", EHLO, MAIL, S("RCPT TO:rcpt@example.net"), QUIT)
conv("rcpt-empty", EHLO, MAIL, S("RCPT TO:<>"), QUIT)
conv("rcpt-no-domain", EHLO, MAIL, S("RCPT TO:<postmaster>"), QUIT)
conv("rcpt-local-unknown", EHLO, MAIL, S("RCPT TO:<nosuchuser@localhost>"), QUIT)
conv("rcpt-bad-param", EHLO, MAIL, S("RCPT TO:<r@example.net> FOO=1"), QUIT)
conv("rcpt-non-utf8", EHLO, MAIL, S(b"RCPT TO:<r\xff@example.net>"), QUIT)
conv("mail-space-after-colon", EHLO, S("MAIL FROM: <s@example.org>"), QUIT)
conv("mail-lowercase", EHLO, S("mail from:<s@example.org>"), QUIT)
conv("mail-empty", EHLO, S("MAIL FROM:"), QUIT)
conv("mail-to", EHLO, S("MAIL TO:<s@example.org>"), QUIT)
conv("mail-size-bad", EHLO, S("MAIL FROM:<s@example.org> SIZE=abc"), QUIT)
conv("mail-size-over", EHLO, S("MAIL FROM:<s@example.org> SIZE=60000000"), QUIT)
conv("mail-ip-literal", EHLO, S("MAIL FROM:<s@[127.0.0.1]>"), QUIT)
conv("mail-quoted-local", EHLO, S('MAIL FROM:<"a b"@example.org>'), QUIT)
conv("rcpt-empty-arg", EHLO, MAIL, S("RCPT TO:"), QUIT)
conv("rcpt-trailing-junk", EHLO, MAIL, S("RCPT TO:<r@example.net> junk"), QUIT)
conv("rcpt-source-route", EHLO, MAIL, S("RCPT TO:<@a.example:r@example.net>"), QUIT)
# out of sequence
conv("seq-mail-before-ehlo", MAIL, QUIT)
conv("seq-rcpt-before-mail", EHLO, RCPT, QUIT)
conv("seq-data-before-mail", EHLO, DATA, QUIT)
conv("seq-data-before-rcpt", EHLO, MAIL, DATA, QUIT)
conv("seq-rcpt-before-ehlo", RCPT, QUIT)
conv("seq-data-before-ehlo", DATA, QUIT)
conv("seq-auth-before-ehlo", S("AUTH PLAIN " + B64["plain"]), QUIT)
conv("seq-bdat-before-mail", EHLO, S("BDAT 5 LAST"), QUIT)
conv("seq-rset-before-ehlo", S("RSET"), QUIT)
conv("seq-mail-after-rset", EHLO, MAIL, S("RSET"), RCPT, QUIT)
conv("seq-auth-in-transaction", EHLO, MAIL, S("AUTH PLAIN " + B64["plain"]), QUIT)
conv("seq-starttls-in-transaction", EHLO, MAIL, S("STARTTLS"), QUIT)
conv("seq-etrn-before-ehlo", S("ETRN example.net"), QUIT)
conv("seq-etrn-in-transaction", EHLO, MAIL, S("ETRN example.net"), QUIT)
conv("seq-vrfy-before-ehlo", S("VRFY postmaster"), QUIT)
conv("seq-noop-before-ehlo", S("NOOP"), QUIT)
conv("seq-unknown-before-ehlo", S("FOO bar"), QUIT)
conv("seq-helo-in-transaction", EHLO, MAIL, RCPT, HELO, RCPT, QUIT)
conv("seq-ehlo-in-transaction", EHLO, MAIL, RCPT, EHLO, RCPT, QUIT)
conv("seq-rcpt-after-message", *TX, RCPT, DATA, QUIT)
conv("seq-bdat-before-ehlo", ("s", b"BDAT 5 LAST\r\nhello"), QUIT)
conv("seq-bdat-before-rcpt", EHLO, MAIL, ("s", b"BDAT 5 LAST\r\nhello"), QUIT)
conv("seq-bdat-after-helo", HELO, MAIL, RCPT, ("s", b"BDAT 5 LAST\r\nhello"), QUIT)
conv("seq-bdat-after-last", EHLO, MAIL, RCPT, ("s", b"BDAT 5 LAST\r\nhello"),
     ("s", b"BDAT 2 LAST\r\nhi"), QUIT)
BDAT5 = ("s", b"BDAT 5\r\nhello")
conv("seq-mail-during-bdat", EHLO, MAIL, RCPT, BDAT5, MAIL, QUIT)
conv("seq-rcpt-during-bdat", EHLO, MAIL, RCPT, BDAT5, S("RCPT TO:<r2@example.net>"),
     ("s", b"BDAT 2 LAST\r\nhi"), QUIT)
conv("seq-helo-during-bdat", EHLO, MAIL, RCPT, BDAT5, HELO, RCPT, QUIT)
conv("seq-rset-during-bdat", EHLO, MAIL, RCPT, BDAT5, S("RSET"),
     ("s", b"BDAT 2 LAST\r\nhi"), QUIT)
conv("seq-auth-during-bdat", EHLO, MAIL, RCPT, BDAT5, S("AUTH PLAIN " + B64["plain"]), QUIT)
conv("seq-noop-during-bdat", EHLO, MAIL, RCPT, BDAT5, S("NOOP"),
     ("s", b"BDAT 2 LAST\r\nhi"), QUIT)
conv("seq-quit-during-bdat", EHLO, MAIL, RCPT, BDAT5, QUIT)
conv("seq-esmtp-param-after-helo", HELO, S("MAIL FROM:<s@example.org> SIZE=100"), QUIT)
conv("seq-auth-after-helo", HELO, S("AUTH PLAIN " + B64["plain"]), QUIT)
conv("seq-starttls-after-helo", HELO, S("STARTTLS"), QUIT)
conv("seq-ehlo-after-auth", EHLO, S("AUTH PLAIN " + B64["plain"]), EHLO,
     S("AUTH PLAIN " + B64["plain"]), QUIT)
conv("seq-starttls-after-auth", EHLO, S("AUTH PLAIN " + B64["plain"]), S("STARTTLS"),
     ("tls",), EHLO, QUIT)
conv("seq-unknown-during-bdat", EHLO, MAIL, RCPT, BDAT5, S("FOO"), S("BAR"), QUIT)
conv("seq-bdat-zero-during-bdat", EHLO, MAIL, RCPT, BDAT5, S("BDAT 0"), S("NOOP"), QUIT)
conv("seq-bdat-no-size-during-bdat", EHLO, MAIL, RCPT, BDAT5, S("BDAT x"), QUIT)
# unknown commands, HELP, VRFY, EXPN, ETRN
conv("unknown-verb", EHLO, S("FOO bar"), QUIT)
conv("unknown-empty-line", EHLO, S(""), QUIT)
conv("http-get", S("GET / HTTP/1.0"))
conv("http-post", EHLO, S("POST /x HTTP/1.1"))
conv("help", S("HELP"), QUIT)
conv("help-arg", S("HELP MAIL"), QUIT)
conv("vrfy", EHLO, S("VRFY postmaster"), QUIT)
conv("vrfy-no-arg", EHLO, S("VRFY"), QUIT)
conv("vrfy-backslash", EHLO, S("VRFY a\\b"), QUIT)
conv("expn", EHLO, S("EXPN postmaster"), QUIT)
conv("expn-no-arg", EHLO, S("EXPN"), QUIT)
conv("rset-data-arg", EHLO, S("RSET now"), MAIL, RCPT, S("DATA now"), QUIT)
conv("vrfy-address", EHLO, S("VRFY <rcpt@example.net>"), QUIT)
conv("etrn", EHLO, S("ETRN example.net"), QUIT)
conv("etrn-no-arg", EHLO, S("ETRN"), QUIT)
conv("etrn-at", EHLO, S("ETRN @example.net"), QUIT)
conv("etrn-hash", EHLO, S("ETRN #queue"), QUIT)
conv("turn", EHLO, S("TURN"), QUIT)
conv("ten-errors", EHLO, *[S("XYZZY%d" % i) for i in range(9)], QUIT)
# STARTTLS
conv("starttls", EHLO, S("STARTTLS"), ("tls",), EHLO, QUIT)
conv("starttls-twice", EHLO, S("STARTTLS"), ("tls",), EHLO, S("STARTTLS"), QUIT)
conv("starttls-arg", EHLO, S("STARTTLS now"), QUIT)
conv("starttls-before-ehlo", S("STARTTLS"), ("tls",), EHLO, QUIT)
conv("starttls-then-mail", EHLO, S("STARTTLS"), ("tls",), MAIL, QUIT)
conv("starttls-garbage", EHLO, S("STARTTLS"), W(b"\x16\x03\x01garbage\r\n" * 4), ("r",))
conv("starttls-pipelined", EHLO, ("s", c("STARTTLS") + c("EHLO early.example.org")),
     ("tls",), EHLO, QUIT)
# AUTH
conv("auth-bad-mech", EHLO, S("AUTH FOO"), QUIT)
conv("auth-no-mech", EHLO, S("AUTH"), QUIT)
conv("auth-plain-bad-b64", EHLO, S("AUTH PLAIN !!!notbase64"), QUIT)
conv("auth-plain-cancel", EHLO, S("AUTH PLAIN"), S("*"), QUIT)
conv("auth-login-cancel", EHLO, S("AUTH LOGIN"), S(B64["test"]), S("*"), QUIT)
conv("auth-plain-ok-again", EHLO, S("AUTH PLAIN " + B64["plain"]),
     S("AUTH PLAIN " + B64["plain"]), QUIT)
conv("auth-plain-wrong", EHLO, S("AUTH PLAIN " + B64["bad"]), QUIT)
conv("auth-login-ok", EHLO, S("AUTH LOGIN"), S(B64["test"]), S(B64["test"]), QUIT)
conv("auth-login-bad-b64", EHLO, S("AUTH LOGIN"), S("%%%"), QUIT)
conv("auth-plain-empty", EHLO, S("AUTH PLAIN"), S("="), QUIT)
conv("auth-cram-md5", EHLO, S("AUTH CRAM-MD5"), QUIT)
conv("auth-cram-md5-ok", EHLO, S("AUTH CRAM-MD5"), ("cram", "test", "test"), QUIT)
conv("auth-cram-md5-wrong", EHLO, S("AUTH CRAM-MD5"), ("cram", "test", "wrong"), QUIT)
conv("auth-cram-md5-cancel", EHLO, S("AUTH CRAM-MD5"), S("*"), QUIT)
conv("auth-plain-malformed", EHLO, S("AUTH PLAIN " + B64["test"]), QUIT)
conv("auth-plain-bad-b64-cont", EHLO, S("AUTH PLAIN"), S("!!!"), QUIT)
conv("auth-login-initial", EHLO, S("AUTH LOGIN " + B64["test"]), S(B64["test"]), QUIT)
conv("auth-login-cancel-user", EHLO, S("AUTH LOGIN"), S("*"), QUIT)
conv("auth-lowercase", EHLO, S("auth plain " + B64["plain"]), QUIT)
# long lines, bare LF/CR, NUL
conv("long-command", EHLO, S("NOOP " + "x" * 3000), QUIT)
conv("long-mail", EHLO, S("MAIL FROM:<" + "a" * 1100 + "@example.org>"), QUIT)
conv("bare-lf-command", EHLO, ("s", b"NOOP\n"), QUIT)
conv("bare-cr-command", EHLO, ("s", b"NOOP\rNOOP\r\n"), QUIT)
conv("nul-command", EHLO, ("s", b"NO\x00OP\r\n"), QUIT)
conv("nul-mail", EHLO, ("s", b"MAIL FROM:<a\x00b@example.org>\r\n"), QUIT)
conv("long-rcpt", EHLO, MAIL, S("RCPT TO:<" + "r" * 1100 + "@example.net>"), QUIT)
conv("bare-lf-mail", EHLO, ("s", b"MAIL FROM:<s@example.org>\n"), RCPT, QUIT)
conv("cr-cr-lf-command", EHLO, ("s", b"NOOP\r\r\n"), QUIT)
conv("nul-rcpt", EHLO, MAIL, ("s", b"RCPT TO:<r\x00@example.net>\r\n"), QUIT)
conv("nul-ehlo", ("s", b"EHLO a\x00b.example.org\r\n"), QUIT)
conv("bdat-nul-bare-lf-cr", EHLO, MAIL, RCPT, ("s", b"BDAT 9 LAST\r\na\x00b\nc\rd\r\n"), QUIT)
conv("data-leading-dot", *TX[:4], ("s", b"Subject: x\r\n\r\n..dot\r\n.\r\n"), QUIT)
conv("data-bare-lf", *TX[:4], ("s", b"Subject: x\n\nbody\n.\r\n"), QUIT)
conv("data-bare-cr", *TX[:4], ("s", b"Subject: x\r\n\r\nbo\rdy\r\n.\r\n"), QUIT)
conv("data-nul", *TX[:4], ("s", b"Subject: x\r\n\r\nbo\x00dy\r\n.\r\n"), QUIT)
conv("data-long-line", *TX[:4], ("s", b"Subject: x\r\n\r\n" + b"y" * 5000 + b"\r\n.\r\n"), QUIT)
conv("data-lf-dot-lf", *TX[:4], ("s", b"Subject: x\r\n\r\nbody\n.\nMAIL FROM:<x@y>\r\n.\r\n"), QUIT)
# 8-bit, BDAT, SMTPUTF8, DSN
conv("data-8bit", EHLO, S("MAIL FROM:<s@example.org> BODY=8BITMIME"), RCPT, DATA,
     ("s", "Subject: caf\u00e9\r\n\r\n\u00e9t\u00e9\r\n.\r\n".encode()), QUIT)
conv("data-8bit-undeclared", *TX[:4], ("s", b"Subject: x\r\n\r\n\xe9\xff\r\n.\r\n"), QUIT)
conv("body-bad", EHLO, S("MAIL FROM:<s@example.org> BODY=9BIT"), QUIT)
conv("bdat", EHLO, MAIL, RCPT, ("s", b"BDAT 7 LAST\r\nhello\r\n"), QUIT)
conv("bdat-two-chunks", EHLO, MAIL, RCPT, ("s", b"BDAT 5\r\nhello"),
     ("s", b"BDAT 2 LAST\r\n\r\n"), QUIT)
conv("bdat-bad-size", EHLO, MAIL, RCPT, S("BDAT x"), QUIT)
conv("bdat-then-data", EHLO, MAIL, RCPT, ("s", b"BDAT 5\r\nhello"), DATA, QUIT)
conv("bdat-zero", EHLO, MAIL, RCPT, S("BDAT 0"), QUIT)
conv("bdat-zero-last", EHLO, MAIL, RCPT, S("BDAT 0 LAST"), QUIT)
conv("bdat-last-lowercase", EHLO, MAIL, RCPT, ("s", b"BDAT 5 last\r\nhello"), QUIT)
conv("bdat-binarymime", EHLO, S("MAIL FROM:<s@example.org> BODY=BINARYMIME"), QUIT)
conv("body-7bit-8bit-data", EHLO, S("MAIL FROM:<s@example.org> BODY=7BIT"), RCPT, DATA,
     ("s", b"Subject: x\r\n\r\n\xe9t\xe9\r\n.\r\n"), QUIT)
conv("bdat-then-mail-rcpt", EHLO, MAIL, RCPT, ("s", b"BDAT 5\r\nhello"), MAIL, RCPT, QUIT)
conv("bdat-junk", EHLO, MAIL, RCPT, ("s", b"BDAT 3 junk\r\nabc"), QUIT)
conv("bdat-zero-later", EHLO, MAIL, RCPT, ("s", b"BDAT 3\r\nabc"), S("BDAT 0"), S("NOOP"),
     S("RSET"), QUIT)
conv("bdat-rset", EHLO, MAIL, RCPT, ("s", b"BDAT 3\r\nabc"), S("RSET"), S("NOOP"))
conv("bdat-zero-first", EHLO, MAIL, RCPT, S("BDAT 0"), ("s", b"BDAT 7 LAST\r\nhello\r\n"),
     QUIT)
conv("bdat-error-chunks", EHLO, MAIL, RCPT, S("BDAT 0"), ("s", b"BDAT 5\r\nhello"),
     RCPT, DATA, MAIL, QUIT)
conv("bdat-error-last", EHLO, MAIL, RCPT, S("BDAT 0"), ("s", b"BDAT 4 LAST\r\nhi\r\n"),
     RCPT, QUIT)
conv("bdat-no-rcpt", EHLO, MAIL, ("s", b"BDAT 3 LAST\r\nabc"), RCPT, DATA, QUIT)
conv("smtputf8-mail", EHLO, S("MAIL FROM:<j\u00f6rg@example.org> SMTPUTF8"),
     S("RCPT TO:<\u00fcser@example.net>"), QUIT)
conv("smtputf8-undeclared", EHLO, S("MAIL FROM:<j\u00f6rg@example.org>"), QUIT)
conv("smtputf8-rcpt-undeclared", EHLO, MAIL, S("RCPT TO:<\u00fcser@example.net>"), QUIT)
conv("dsn-params", EHLO, S("MAIL FROM:<s@example.org> RET=HDRS ENVID=abc123"),
     S("RCPT TO:<r@example.net> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;r@example.net"), QUIT)
conv("dsn-bad-notify", EHLO, MAIL, S("RCPT TO:<r@example.net> NOTIFY=BOGUS"), QUIT)
conv("dsn-ret-twice", EHLO, S("MAIL FROM:<s@example.org> RET=FULL RET=HDRS"), QUIT)
conv("dsn-ret-bad", EHLO, S("MAIL FROM:<s@example.org> RET=BOGUS"), QUIT)
conv("dsn-envid-twice", EHLO, S("MAIL FROM:<s@example.org> ENVID=a ENVID=b"), QUIT)
conv("dsn-notify-never-mixed", EHLO, MAIL,
     S("RCPT TO:<r@example.net> NOTIFY=NEVER,SUCCESS"), QUIT)
conv("dsn-orcpt-bad", EHLO, MAIL, S("RCPT TO:<r@example.net> ORCPT=bogus"), QUIT)
# pipelining errors and QUIT in DATA
conv("pipeline-ok", EHLO, P(4, "MAIL FROM:<s@example.org>", "RCPT TO:<r@example.net>",
                            "DATA", "x"), QUIT)
conv("pipeline-before-greeting", W(b"EHLO early.example.org\r\n"), ("r",), QUIT)
conv("pipeline-helo-mail", P(3, "EHLO client.example.org", "MAIL FROM:<s@example.org>",
                             "RCPT TO:<r@example.net>"), QUIT)
conv("pipeline-after-data", EHLO, MAIL, RCPT, P(1, "DATA", "Subject: x"), ("s", b"\r\n.\r\n"), QUIT)
conv("pipeline-rcpt-fail-data", EHLO, P(5, "MAIL FROM:<s@example.org>",
                                  "RCPT TO:<r@example.net> FOO=1", "DATA",
                                  "Subject: x", "."), QUIT)
conv("pipeline-data-body", EHLO, ("p", c("MAIL FROM:<s@example.org>") +
                                  c("RCPT TO:<r@example.net>") + c("DATA") + BODY, 4), QUIT)
conv("pipeline-bdat", EHLO, ("p", c("MAIL FROM:<s@example.org>") +
                             c("RCPT TO:<r@example.net>") + b"BDAT 5 LAST\r\nhello", 3), QUIT)
conv("pipeline-auth-mail", EHLO, P(2, "AUTH PLAIN " + B64["plain"],
                                   "MAIL FROM:<s@example.org>"), QUIT)
conv("pipeline-helo-mail-rcpt", HELO, P(2, "MAIL FROM:<s@example.org>",
                                        "RCPT TO:<r@example.net>"), QUIT)
conv("pipeline-after-message", *TX, P(2, "NOOP", "NOOP"), QUIT)
conv("pipeline-second-data-body", *TX, ("p", c("MAIL FROM:<s@example.org>") +
                                        c("RCPT TO:<r@example.net>") + c("DATA") + BODY, 4), QUIT)
conv("quit-in-data", *TX[:4], ("s", b"Subject: x\r\n\r\nQUIT\r\n"), ("w", b"QUIT\r\n"), ("r",))
conv("data-then-close", *TX[:4], W(b"Subject: x\r\n\r\npartial"))
conv("full-message", *TX, QUIT)
conv("two-messages", *TX, MAIL, RCPT, DATA, ("s", BODY), QUIT)
conv("rset-in-transaction", EHLO, MAIL, RCPT, S("RSET"), RCPT, QUIT)
conv("many-rcpt", EHLO, MAIL, *[S("RCPT TO:<r%d@example.net>" % i) for i in range(5)], QUIT)
conv("quit-arg", S("QUIT now"))
# SMTP smuggling (hannob/smtpsmug): a message whose text holds a line
# ending other than CRLF.CRLF, then a second transaction, then CRLF.CRLF.
# How many replies come back, and when, shows where the server ended DATA.
SMUGGLE = {
    "lf-dot-lf": b"\n.\n", "lf-dot-crlf": b"\n.\r\n", "cr-dot-lf": b"\r.\n",
    "cr-dot-crlf": b"\r.\r\n", "crlf-dot-lf": b"\r\n.\n", "crlf-dot-cr": b"\r\n.\r",
    "lf-dot-cr": b"\n.\r", "cr-dot-cr": b"\r.\r", "crlf-nul-dot-crlf": b"\r\n\x00.\r\n",
}
for k, end in SMUGGLE.items():
    conv("smug-" + k, *TX[:4],
         W(b"Subject: first\r\n\r\nfirst" + end +
           b"MAIL FROM:<smuggled@example.org>\r\nRCPT TO:<r@example.net>\r\n"
           b"DATA\r\nSubject: smuggled\r\n\r\nsmuggled\r\n.\r\n"),
         ("drain",), QUIT)


class Session:
    def __init__(self, host, port, timeout):
        self.timeout = timeout
        self.deadline = time.monotonic() + 4 * timeout + 5
        self.sock = socket.create_connection((host, port), timeout)
        self.buf = b""
        self.closed = False

    def left(self):
        return max(0.1, min(self.timeout, self.deadline - time.monotonic()))

    def reply(self):
        """One SMTP reply (all its lines), b"<closed>" or b"<timeout>"."""
        while True:
            m = re.search(rb"(?:^|\n)\d\d\d(?: [^\n]*)?\r?\n", self.buf)
            if m:
                out, self.buf = self.buf[:m.end()], self.buf[m.end():]
                return out
            if self.closed:
                out, self.buf = self.buf, b""
                return out + b"<closed>"
            try:
                self.sock.settimeout(self.left())
                d = self.sock.recv(65536)
            except (socket.timeout, TimeoutError):
                out, self.buf = self.buf, b""
                return out + b"<timeout>"
            except (OSError, ssl.SSLError):
                d = b""
            if not d:
                self.closed = True
            self.buf += d

    def send(self, data):
        # A server that closed may still have a reply in flight: whether
        # the write fails first (EPIPE) or the read sees the close is a
        # race of the network, so a failed write is not an answer; the
        # read that follows records the close.
        try:
            self.sock.sendall(data)
        except (OSError, ssl.SSLError):
            pass

    def tls(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        try:
            self.sock.settimeout(self.left())
            self.sock = ctx.wrap_socket(self.sock)
        except (OSError, ssl.SSLError) as e:
            self.closed = True
            return b"<tls: %s>" % type(e).__name__.encode()
        return b"<tls ok>"


def cram_answer(reply, user, password):
    """The CRAM-MD5 answer (RFC 2195) to a "334 challenge" reply."""
    m = re.match(rb"334 (\S+)", reply)
    try:
        chal = base64.b64decode(m.group(1), validate=True)
    except (AttributeError, ValueError):
        return c("*")
    mac = hmac.new(password.encode(), chal, hashlib.md5).hexdigest()
    return c(base64.b64encode(("%s %s" % (user, mac)).encode()))


def run(addr, steps, timeout):
    """The transcript: a list of (sent, reply) pairs, sent None for reads."""
    host, port = addr.rsplit(":", 1)
    try:
        s = Session(host, int(port), timeout)
    except OSError as e:
        return [(None, b"<connect: %s>" % str(e).encode())]
    out = [(None, s.reply())]
    for st in steps:
        if st[0] == "sleep":
            time.sleep(st[1])
            continue
        if st[0] == "tls":
            out.append((b"<starttls>", s.tls()))
            continue
        if st[0] == "r":
            out.append((None, s.reply()))
            continue
        if st[0] == "drain":
            while True:
                r = s.reply()
                out.append((None, r))
                if r.endswith((b"<timeout>", b"<closed>")):
                    break
            continue
        if st[0] == "cram":
            st = ("s", cram_answer(out[-1][1], st[1], st[2]))
        s.send(st[1])
        if st[0] == "w":
            continue
        n = st[2] if st[0] == "p" else 1
        out.append((st[1], b"".join(s.reply() for _ in range(n))))
    # What the server does at the end: more output, a close or silence.
    s.timeout = min(timeout, 1.0)
    tail = s.reply()
    if tail != b"<timeout>":
        out.append((None, tail))
    try:
        s.sock.close()
    except OSError:
        pass
    return out


DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
MON = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
DATE = re.compile(DAY + r", +\d{1,2} " + MON +
                  r" \d{4} \d\d:\d\d:\d\d(?: [+-]\d{4})?(?: \([A-Z]+\))?")
# What varies from one session to the next is masked only where it has
# the format the real MTA gives it, checked here: an id or a challenge
# in another format stays as sent and shows as a difference. The time in
# an id or a challenge must be this machine's (both servers run on it),
# within WINDOW seconds.
WINDOW = 3600
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# Postfix's long queue ids: no vowels; the inode (base 51) has no "z"
SAFE52 = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz"


def decode(s, alphabet):
    v = 0
    for ch in s:
        i = alphabet.find(ch)
        if i < 0:
            return None
        v = v * len(alphabet) + i
    return v


def near_now(t):
    return t is not None and abs(t - time.time()) <= WINDOW


def qid_kind(tok):
    """Whose queue id TOK is by its format, or None.

    Postfix's short id (enable_long_queue_ids = no, the default): five
    upper-case hex digits of microseconds (so at most F423F), then the
    queue file's inode number in hex. Its long id: the time in seconds
    (base 52, six or more digits), microseconds (base 52, exactly four),
    "z", the inode (base 51, no "z"). Exim 4.96's message id: the time in
    seconds, the pid, and the fraction of a second in units of 500 us
    (below 2000), base 62, as 6-6-2 (Exim's spec, "message_id").
    """
    if re.fullmatch(r"[0-9A-F]{6,}", tok) and int(tok[:5], 16) < 1000000:
        return "postfix-short"
    z = tok.rfind("z")
    if z >= 10 and tok[z + 1:] and decode(tok[z + 1:], SAFE52[:51]) is not None:
        usec = decode(tok[z - 4:z], SAFE52)
        if usec is not None and usec < 1000000 and near_now(decode(tok[:z - 4], SAFE52)):
            return "postfix-long"
    m = re.fullmatch(r"([0-9A-Za-z]{6})-([0-9A-Za-z]{6})-([0-9A-Za-z]{2})", tok)
    if m and near_now(decode(m[1], B62)) and decode(m[2], B62) < 4194304 and \
            decode(m[3], B62) < 2000:
        return "exim"
    return None


def cram_kind(chal, hosts):
    """Whose CRAM-MD5 challenge CHAL (decoded) is by its format, or None.

    Cyrus SASL's (Postfix): "<R.T@host>", R a random 32-bit number, T the
    time in seconds modulo 0xFFFFFF. Exim's: "<P.T@host>", P the pid, T
    the time in seconds.
    """
    m = re.fullmatch(r"<(\d{1,10})\.(\d{1,10})@([^>]+)>", chal)
    if not m or m[3] not in hosts:
        return None
    a, t = int(m[1]), int(m[2])
    d = abs(t - int(time.time()) % 0xFFFFFF)
    if a <= 0xFFFFFFFF and t < 0xFFFFFF and min(d, 0xFFFFFF - d) <= WINDOW:
        return "cyrus"
    if a < 4194304 and near_now(t):
        return "exim"
    return None


def mask_qid(m, prefix=""):
    k = qid_kind(m[1])
    return m[0] if k is None else "%s<QID:%s>" % (prefix, k)


def mask_cram(m, hosts):
    try:
        chal = base64.b64decode(m[1], validate=True).decode("ascii")
    except (ValueError, UnicodeDecodeError):
        return m[0]
    k = cram_kind(chal, hosts)
    return m[0] if k is None else "334 <CRAM-MD5 challenge:%s>" % k


def mask(text, hosts):
    s = text.decode("utf-8", "backslashreplace")
    s = re.sub(r"^334 ([A-Za-z0-9+/]+=*)(?=\r?$)",
               lambda m: mask_cram(m, hosts), s, flags=re.M)
    for h in hosts:
        if h:
            s = s.replace(h, "<HOST>")
    s = DATE.sub("<DATE>", s)
    s = re.sub(r"queued as (\S+)", lambda m: mask_qid(m, "queued as "), s)
    s = re.sub(r"\b([0-9A-Za-z]{6}-[0-9A-Za-z]{6}-[0-9A-Za-z]{2})\b", mask_qid, s)
    return s


def hostname(transcript):
    """The server's name: the greeting's first word after 220."""
    m = re.match(rb"220[ -](\S+)", transcript[0][1])
    return m.group(1).decode("utf-8", "replace") if m else ""


def show(b):
    return b.decode("utf-8", "backslashreplace").replace("\r\n", "\\r\\n\n").rstrip("\n")


def load_expect(path):
    """{conversation: {step: why}} from an --expect file."""
    ex = {}
    if not path:
        return ex
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) < 3 or not parts[2].strip():
                sys.exit("battery.py: %s: need NAME<TAB>STEP<TAB>why: %r" % (path, line))
            if parts[0] not in CONV:
                sys.exit("battery.py: %s: no conversation %s" % (path, parts[0]))
            ex.setdefault(parts[0], {})[parts[1]] = parts[2].strip()
    return ex


RETRIES = 2
USED = set()        # the (conversation, step) exemptions that were needed


def compare(n, ta, tb, hosts, expect):
    """The differing replies of conversation N, as printable lines: those
    that count, and those the expect file exempts (with its reason)."""
    out, exempt = [], []
    ha = [hostname(ta)] + hosts
    hb = [hostname(tb)] + hosts
    ex = expect.get(n, {})
    for i in range(max(len(ta), len(tb))):
        ra = ta[i] if i < len(ta) else (None, b"<none>")
        rb = tb[i] if i < len(tb) else (None, b"<none>")
        ma, mb = mask(ra[1], ha), mask(rb[1], hb)
        if ma == mb:
            continue
        why = ex.get(str(i), ex.get("*"))
        if why is not None:
            USED.add((n, str(i) if str(i) in ex else "*"))
        sent = ra[0] if ra[0] is not None else rb[0]
        d = "--- %s step %d%s%s\n  a: %s\n  b: %s" % (
            n, i, "" if sent is None else " after C: " + show(sent)[:200],
            "" if why is None else "\n  exempted: " + why,
            ma.replace("\r\n", "\\r\\n"), mb.replace("\r\n", "\\r\\n"))
        (out if why is None else exempt).append(d)
    return out, exempt


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--a", required=True, metavar="HOST:PORT")
    ap.add_argument("--b", metavar="HOST:PORT")
    ap.add_argument("--only", action="append", metavar="NAME")
    ap.add_argument("--dump", action="store_true")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--expect", metavar="FILE")
    ap.add_argument("--host", action="append", default=[],
                    help="another host name to mask")
    ap.add_argument("--timeout", type=float, default=5.0)
    a = ap.parse_args()
    if a.list:
        print("\n".join(CONV))
        return 0
    names = a.only or list(CONV)
    for n in names:
        if n not in CONV:
            sys.exit("battery.py: no conversation %s" % n)
    if not a.dump and not a.b:
        sys.exit("battery.py: --b is needed unless --dump")
    expect = load_expect(a.expect)
    ndiff = nexempt = 0
    for n in names:
        ta = run(a.a, CONV[n], a.timeout)
        if a.dump:
            print("=== %s" % n)
            for sent, rep in ta:
                if sent is not None:
                    print("C: " + show(sent))
                print("S: " + show(rep))
            continue
        tb = run(a.b, CONV[n], a.timeout)
        diffs, exempt = compare(n, ta, tb, a.host, expect)
        # A race of the network, not of the server, can change one run:
        # a reset that discards a reply not yet read, a reply late on a
        # loaded machine. A real difference is there every time.
        for _ in range(RETRIES):
            if not diffs:
                break
            again, exempt = compare(n, run(a.a, CONV[n], a.timeout),
                                    run(a.b, CONV[n], a.timeout), a.host, expect)
            if not again:
                print("--- %s: differed once, the same in a second run "
                      "(not counted):" % n)
                for d in diffs:
                    print("  " + d.replace("\n", "\n  "))
            diffs = again
        for d in exempt:
            print(d)
        for d in diffs:
            print(d)
        ndiff += len(diffs)
        nexempt += len(exempt)
    if not a.dump:
        # An exemption nothing needed is stale, or covers a race that did
        # not happen this time: shown, not counted.
        for n in names:
            for step, why in sorted(expect.get(n, {}).items(),
                                    key=lambda e: (len(e[0]), e[0])):
                if (n, step) not in USED:
                    print("--- %s step %s: exempted, but the same this time "
                          "(%s)" % (n, step, why))
        print("battery: %d conversations, %d differing replies, %d more "
              "exempted" % (len(names), ndiff, nexempt))
    return 1 if ndiff else 0


if __name__ == "__main__":
    sys.exit(main())
