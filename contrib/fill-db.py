#!/usr/bin/env python3
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
"""fill-db.py: fill a spampot database with synthetic captures, for the
benchmark of spampot-report (bench/README.md). Not for production
databases: it writes rows of its own into every table.

    contrib/spampot-dbsetup --socket SOCK --database bench ...
    contrib/fill-db.py --socket SOCK --database bench --messages 1000000

The rows look like a sensor's: a few client addresses send most sessions
(Zipf-like), sessions carry 0 to 8 messages, some try AUTH, messages have
1 to 3 recipients, URLs, some attachments, and every counted value is in
patterns with totals, first and last seen that agree with message_patterns,
as the analyzer keeps them. Times spread over --days days up to now. The
report's running totals are then computed from the rows by
sql/rollups-rebuild.sql, as an upgrade to schema version 3 does.

With --campaigns N (schema version 6), messages also carry the digests
the analyzer computes (template, TLSH, ssdeep) and belong to N campaigns
(campaigns, campaign_clients, campaign_sensors, campaign_domains), sized
Zipf-like: a few campaigns hold most messages, most hold a handful. Each
campaign's first message is its representative; its copies carry the
representative's template or, one in two, a template of their own with
a TLSH a few digits away. The digests are random but well formed (a
SHA-256 for the template, 70 upper-case hex digits for TLSH, ssdeep's
"blocksize:sig1:sig2" in its base64 alphabet): they are what the
analyzer's campaign index loads and looks up (bench/bench.sh, section
campaigns), not the digests of any text. Campaign ids are the first 52
bits of the representative's template, as the analyzer makes them.

It writes tab-separated files in a temporary directory and loads them with
LOAD DATA LOCAL INFILE through the mariadb client (as root over the unix
socket by default), then deletes them. Deterministic for a given --seed.
"""

import argparse
import datetime
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

TLDS = ["com", "net", "org", "ru", "cn", "br", "info", "xyz", "top", "co.uk",
        "de", "in", "vn", "online", "shop"]
WORDS = ["account", "invoice", "payment", "urgent", "winner", "prize", "loan",
         "offer", "verify", "update", "security", "alert", "bank", "crypto",
         "bitcoin", "meeting", "order", "delivery", "parcel", "refund", "tax",
         "password", "login", "free", "bonus", "casino", "pharmacy", "deal"]
USERS = ["admin", "test", "info", "root", "user", "postmaster", "webmaster",
         "support", "sales", "office", "mail", "guest", "contact", "backup"]
PASSWORDS = ["123456", "password", "admin", "12345678", "qwerty", "111111",
             "P@ssw0rd", "letmein", "welcome", "abc123", "test", "1q2w3e4r"]
END_REASONS = ["quit"] * 8 + ["timeout", "reset", "limit"]


def zipf_pick(rng, items, s=1.1):
    """An item, the first ones much more often (a cheap Zipf-like law)."""
    n = len(items)
    # inverse of a power-law CDF over ranks 1..n
    u = rng.random()
    r = int(n ** (u ** s)) - 1
    return items[min(max(r, 0), n - 1)]


def esc(v):
    """One LOAD DATA field: \\N for NULL, backslash escapes."""
    if v is None:
        return "\\N"
    v = str(v)
    return (v.replace("\\", "\\\\").replace("\t", "\\t")
            .replace("\n", "\\n").replace("\r", "\\r"))


class Writer:
    def __init__(self, path):
        self.path = path
        self.f = open(path, "w", encoding="utf-8", buffering=1 << 20)
        self.rows = 0

    def row(self, *fields):
        self.f.write("\t".join(esc(v) for v in fields) + "\n")
        self.rows += 1

    def close(self):
        self.f.close()


def ts(t):
    return t.strftime("%Y-%m-%d %H:%M:%S.%f")


B64 = ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
       "0123456789+/")


def rand_tlsh(rng):
    """A well-formed TLSH digest as libtlsh 3.4 writes it: 70 hex digits."""
    return "%070X" % rng.getrandbits(280)


def near_tlsh(rng, t):
    """T with a few body digits changed: a copy of the same campaign."""
    t = list(t)
    for _ in range(rng.randrange(0, 6)):
        i = rng.randrange(6, 70)
        t[i] = "0123456789ABCDEF"[rng.randrange(16)]
    return "".join(t)


def rand_ssdeep(rng):
    """A well-formed ssdeep digest: blocksize:sig1:sig2."""
    bs = 3 << rng.randrange(2, 9)
    n1 = rng.randrange(20, 65)
    n2 = rng.randrange(max(1, n1 // 2 - 4), n1 // 2 + 2)
    return "%d:%s:%s" % (bs, "".join(rng.choice(B64) for _ in range(n1)),
                         "".join(rng.choice(B64) for _ in range(n2)))


def registrable(host):
    return ".".join(host.split(".")[-2:])


class Campaigns:
    """The campaigns and their per-client, sensor and domain rows, as the
    analyzer keeps them. Of the messages with text, one starts a new
    campaign often enough that N are made by the end; the others join an
    existing one, the first ones (the big campaigns) much more often."""

    def __init__(self, rng, n, messages, v):
        self.rng, self.n, self.left = rng, n, messages
        self.v = v
        self.rows = []  # [id, template, tlsh, ssdeep, domains, subject,
        # rep, messages, first, last]
        self.ids = set()
        self.clients, self.sensors, self.domains = {}, {}, {}

    def _new(self, mid, subject, when):
        rng = self.rng
        while True:
            tpl = "%064x" % rng.getrandbits(256)
            cid = int(tpl[:13], 16) or 1
            if cid not in self.ids:
                break
        self.ids.add(cid)
        doms = sorted({zipf_pick(rng, self.v["domains"])
                       for _ in range(rng.choice([0, 1, 1, 2, 3]))})
        self.rows.append([cid, tpl, rand_tlsh(rng), rand_ssdeep(rng),
                          doms, subject, mid, 0, when, when])
        return len(self.rows) - 1

    @staticmethod
    def _count(d, key, when):
        r = d.get(key)
        if r is None:
            d[key] = [1, when, when]
        else:
            r[0] += 1
            r[2] = when

    def message(self, mid, subject, ip, when):
        """(template, tlsh, ssdeep, campaign_id, link domains) of a
        message; all None for one without text (5 %)."""
        rng = self.rng
        self.left -= 1
        if rng.random() < 0.05:
            return None, None, None, None, []
        need = self.n - len(self.rows)
        if not self.rows or (need > 0 and
                             rng.random() < need / (0.95 * self.left + 1)):
            k = self._new(mid, subject, when)
            r = self.rows[k]
            tpl, tlsh = r[1], r[2]
        else:
            k = min(int(len(self.rows) ** (rng.random() ** 1.1)) - 1,
                    len(self.rows) - 1)
            k = max(k, 0)
            r = self.rows[k]
            if rng.random() < 0.5:
                tpl, tlsh = r[1], r[2]
            else:
                tpl, tlsh = "%064x" % rng.getrandbits(256), near_tlsh(rng,
                                                                       r[2])
        r[7] += 1
        r[9] = when
        cid = r[0]
        self._count(self.clients, (cid, ip), when)
        self._count(self.sensors, (cid, "bench"), when)
        for d in r[4]:
            self._count(self.domains, (cid, d), when)
        return tpl, tlsh, r[3], cid, r[4]

    def write(self, w):
        clients = {}
        sensors = {}
        for (cid, _), _r in self.clients.items():
            clients[cid] = clients.get(cid, 0) + 1
        for (cid, _), _r in self.sensors.items():
            sensors[cid] = sensors.get(cid, 0) + 1
        for cid, tpl, tlsh, ssd, doms, subj, rep, n, first, last in self.rows:
            w["campaigns"].row(cid, tpl, tlsh, ssd, " ".join(doms), subj,
                               rep, n, clients.get(cid, 0),
                               sensors.get(cid, 0), first, last)
        for name, d in (("campaign_clients", self.clients),
                        ("campaign_sensors", self.sensors),
                        ("campaign_domains", self.domains)):
            for (cid, key), (n, first, last) in d.items():
                w[name].row(cid, key, n, first, last)


def build_vocab(rng, a):
    def domain(i):
        return "%s%d.%s" % (rng.choice(WORDS), i, rng.choice(TLDS))

    v = {}
    v["ips"] = []
    for i in range(a.client_ips):
        if rng.random() < 0.05:
            v["ips"].append("2001:db8:%x:%x::%x" % (rng.randrange(65536),
                            rng.randrange(65536), rng.randrange(1, 65536)))
        else:
            v["ips"].append("%d.%d.%d.%d" % (rng.randrange(1, 224),
                            rng.randrange(256), rng.randrange(256),
                            rng.randrange(1, 255)))
    v["helos"] = ["WIN-%08X" % rng.randrange(1 << 32) if i % 3 else
                  "mail.%s" % domain(i) for i in range(a.helos)]
    v["domains"] = [domain(i) for i in range(a.domains)]
    v["senders"] = ["%s%d@%s" % (rng.choice(USERS), i,
                                 zipf_pick(rng, v["domains"]))
                    for i in range(a.senders)]
    v["subjects"] = [" ".join(rng.choice(WORDS).capitalize() if j == 0 else
                              rng.choice(WORDS) for j in range(rng.randrange(2, 7)))
                     + " #%d" % i for i in range(a.subjects)]
    v["hosts"] = ["%s.%s" % (rng.choice(["www", "click", "track", "cdn",
                                         "login", "secure"]),
                             zipf_pick(rng, v["domains"]))
                  for i in range(a.hosts)]
    v["urls"] = ["https://%s/%s/%d" % (zipf_pick(rng, v["hosts"]),
                                       rng.choice(WORDS), i)
                 for i in range(a.urls)]
    v["usernames"] = [rng.choice(USERS) + (str(i) if i >= len(USERS) else "")
                      for i in range(a.usernames)]
    v["passwords"] = [(PASSWORDS[i] if i < len(PASSWORDS) else
                       "%s%d" % (rng.choice(WORDS), i))
                      for i in range(a.passwords)]
    v["attachments"] = []
    for i in range(a.attachments):
        data = ("attachment %d" % i).encode()
        v["attachments"].append((
            "%s_%d.%s" % (rng.choice(WORDS), i, rng.choice(["zip", "exe",
                          "pdf.exe", "doc", "html", "iso"])),
            rng.choice(["application/zip", "application/octet-stream",
                        "application/msword", "text/html"]),
            rng.randrange(1000, 2000000),
            hashlib.md5(data).hexdigest(), hashlib.sha1(data).hexdigest(),
            hashlib.sha256(data).hexdigest()))
    v["ips_seen"] = ["%d.%d.%d.%d" % (rng.randrange(1, 224),
                     rng.randrange(256), rng.randrange(256),
                     rng.randrange(1, 255)) for _ in range(a.client_ips)]
    v["btc"] = ["1%s" % hashlib.sha256(str(i).encode()).hexdigest()[:30]
                for i in range(2000)]
    return v


class Patterns:
    """The patterns table as the analyzer keeps it."""

    def __init__(self):
        self.ids = {}
        self.rows = []  # [kind, value, total, first, last]

    def count(self, kind, value, n, when):
        key = (kind, value)
        pid = self.ids.get(key)
        if pid is None:
            pid = len(self.rows) + 1
            self.ids[key] = pid
            self.rows.append([kind, value, 0, when, when])
        r = self.rows[pid - 1]
        r[2] += n
        if when < r[3]:
            r[3] = when
        if when > r[4]:
            r[4] = when
        return pid


def generate(a, d):
    rng = random.Random(a.seed)
    v = build_vocab(rng, a)
    w = {t: Writer(os.path.join(d, t + ".tsv")) for t in
         ["sessions", "transcripts", "auth_attempts", "messages",
          "recipients", "urls", "attachments", "message_patterns",
          "session_patterns", "patterns", "campaigns", "campaign_clients",
          "campaign_sensors", "campaign_domains"]}
    pat = Patterns()
    # a generator of its own, so that the other rows stay those of the
    # same --seed without --campaigns
    camp = (Campaigns(random.Random(a.seed + 1), a.campaigns, a.messages, v)
            if a.campaigns > 0 else None)
    now = datetime.datetime.utcnow().replace(microsecond=0)
    span = a.days * 86400
    # messages per session first, then start times in order, so that ids
    # grow with time as an analyzer's would
    per_session, total = [], 0
    while total < a.messages:
        n = min(rng.choice([0, 0, 1, 1, 2, 3, 3, 4, 5, 6]), a.messages - total)
        per_session.append(n)
        total += n
    starts = sorted(rng.random() * span for _ in per_session)
    sid = mid = aid = rid = uid = attid = 0
    total_msgs = 0
    for k, off in enumerate(starts):
        start = now - datetime.timedelta(seconds=span - off,
                                         microseconds=rng.randrange(10 ** 6))
        ip = zipf_pick(rng, v["ips"])
        nmsg = per_session[k]
        end = start + datetime.timedelta(seconds=rng.random() * 5 * (nmsg + 1))
        sid += 1
        key = "%016x" % rng.getrandbits(64)
        helo = zipf_pick(rng, v["helos"]) if rng.random() < 0.97 else None
        spool = "%s_%s_%s" % (start.strftime("%Y%m%dT%H%M%S.%fZ"), ip, key)
        w["sessions"].row(sid, "bench", spool, key, ip,
                          rng.randrange(1024, 65536), "192.0.2.25", 25,
                          ts(start), ts(end), helo,
                          "EHLO" if helo else None,
                          rng.choice(END_REASONS) if nmsg else "quit", nmsg,
                          ts(end), None, None, None)
        w["transcripts"].row(sid, "S 0.000 220 mx.example ESMTP\n"
                             "C 0.010 crlf EHLO %s\nS 0.010 250 ok\n"
                             "C 0.020 crlf QUIT\nS 0.020 221 Bye\n" % (helo or ""))
        when = ts(start)
        if rng.random() < 0.3:
            users = {}
            for _ in range(rng.randrange(1, 6)):
                aid += 1
                user = zipf_pick(rng, v["usernames"])
                pw = zipf_pick(rng, v["passwords"])
                w["auth_attempts"].row(aid, sid, "LOGIN", "ok", user, pw, "",
                                       when)
                users[user] = users.get(user, 0) + 1
            for user, n in users.items():
                pid = pat.count("username", user, n, when)
                w["session_patterns"].row(sid, pid, n)
        for seq in range(1, nmsg + 1):
            mid += 1
            total_msgs += 1
            sender = zipf_pick(rng, v["senders"])
            sdom = sender.split("@")[1]
            subject = zipf_pick(rng, v["subjects"])
            size = rng.randrange(300, 50000)
            sha = hashlib.sha256(b"%d" % (mid if rng.random() < 0.8 else
                                          rng.randrange(1000))).hexdigest()
            digests = (camp.message(mid, subject, ip, when) if camp else
                       (None, None, None, None, []))
            w["messages"].row(mid, sid, seq, sender, sdom, size, size, 0, 0,
                              subject, sha, "%010X" % mid, when,
                              *digests[:4])
            counts = {}

            def c(kind, value, n=1):
                counts[(kind, value)] = counts.get((kind, value), 0) + n

            c("email", sender)
            c("subject", subject)
            c("domain", ".".join(sdom.split(".")[-2:]))
            for _ in range(rng.choice([1, 1, 1, 2, 3])):
                rid += 1
                dom = zipf_pick(rng, v["domains"])
                rcpt = "%s@%s" % (rng.choice(USERS), dom)
                w["recipients"].row(rid, mid, rcpt, dom, when)
                c("email", rcpt)
            for _ in range(rng.choice([0, 1, 1, 2, 3])):
                uid += 1
                url = zipf_pick(rng, v["urls"])
                host = url.split("/")[2]
                n = rng.choice([1, 1, 2])
                w["urls"].row(uid, mid, url, host, n, when)
                c("url", url, n)
                c("domain", ".".join(host.split(".")[-2:]))
            if rng.random() < 0.2:
                c("ip", zipf_pick(rng, v["ips_seen"]))
            if rng.random() < 0.05:
                c("btc", zipf_pick(rng, v["btc"]))
            if rng.random() < 0.1:
                attid += 1
                fn, ct, asize, md5, sha1, sha256 = zipf_pick(
                    rng, v["attachments"])
                w["attachments"].row(attid, mid, fn, ct, asize, md5, sha1,
                                     sha256, when)
            for (kind, value), n in counts.items():
                pid = pat.count(kind, value, n, when)
                w["message_patterns"].row(mid, pid, n)
        if k % 50000 == 0:
            print("fill-db: %d sessions, %d messages" % (sid, total_msgs),
                  file=sys.stderr)
    if camp:
        camp.write(w)
    for i, (kind, value, total, first, last) in enumerate(pat.rows):
        w["patterns"].row(i + 1, kind, value,
                          hashlib.sha256(value.encode()).hexdigest(), total,
                          first, last)
    for x in w.values():
        x.close()
    return {t: x.rows for t, x in w.items()}


COLUMNS = {
    "sessions": "(id, sensor, spool_name, session_key, client_ip, client_port,"
                " server_ip, server_port, started_at, ended_at, helo,"
                " helo_verb, end_reason, messages, imported_at, country, asn,"
                " as_org)",
    "transcripts": "(session_id, transcript)",
    "auth_attempts": "(id, session_id, mechanism, status, username, password,"
                     " authzid, tried_at)",
    "messages": "(id, session_id, seq, mail_from, mail_from_domain, size,"
                " stored_size, truncated, incomplete, subject, sha256,"
                " queue_id, received_at, template, tlsh, ssdeep, campaign_id)",
    "recipients": "(id, message_id, address, domain, received_at)",
    "urls": "(id, message_id, url, host, count, received_at)",
    "attachments": "(id, message_id, filename, content_type, size, md5, sha1,"
                   " sha256, received_at)",
    "patterns": "(id, kind, value, @sha, total, first_seen, last_seen)"
                " SET value_sha256 = UNHEX(@sha)",
    "message_patterns": "(message_id, pattern_id, count)",
    "session_patterns": "(session_id, pattern_id, count)",
    "campaigns": "(id, template, tlsh, ssdeep, domains, subject,"
                 " rep_message_id, messages, clients, sensors, first_seen,"
                 " last_seen)",
    "campaign_clients": "(campaign_id, client_ip, n, first_seen, last_seen)",
    "campaign_sensors": "(campaign_id, sensor, n, first_seen, last_seen)",
    "campaign_domains": "(campaign_id, domain, n, first_seen, last_seen)",
}
ORDER = ["sessions", "transcripts", "auth_attempts", "messages", "recipients",
         "urls", "attachments", "patterns", "message_patterns",
         "session_patterns", "campaigns", "campaign_clients",
         "campaign_sensors", "campaign_domains"]


def load(a, d):
    sql = ["SET foreign_key_checks = 0, unique_checks = 0, "
           "time_zone = '+00:00';"]
    for t in ORDER:
        sql.append("LOAD DATA LOCAL INFILE '%s' INTO TABLE %s "
                   "CHARACTER SET utf8mb4 %s;"
                   % (os.path.join(d, t + ".tsv"), t, COLUMNS[t]))
    cmd = [a.client, "--no-defaults", "--local-infile=1",
           "--protocol=socket", "--socket=" + a.socket, "-u", a.user,
           "--database=" + a.database]
    subprocess.run(cmd, input="\n".join(sql).encode(), check=True)
    if a.no_rollups:
        return
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           "..", "sql", "rollups-rebuild.sql"), "rb") as f:
        subprocess.run(cmd, input=f.read(), check=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--socket", default="/run/mysqld/mysqld.sock")
    p.add_argument("--database", default="spampot_bench")
    p.add_argument("--user", default="root")
    p.add_argument("--client", default=shutil.which("mariadb") or "mysql")
    p.add_argument("--messages", type=int, default=1000000)
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--client-ips", type=int, default=20000)
    p.add_argument("--helos", type=int, default=5000)
    p.add_argument("--domains", type=int, default=5000)
    p.add_argument("--senders", type=int, default=50000)
    p.add_argument("--subjects", type=int, default=20000)
    p.add_argument("--hosts", type=int, default=10000)
    p.add_argument("--urls", type=int, default=100000)
    p.add_argument("--usernames", type=int, default=2000)
    p.add_argument("--passwords", type=int, default=10000)
    p.add_argument("--attachments", type=int, default=2000)
    p.add_argument("--campaigns", type=int, default=0, metavar="N",
                   help="digests on the messages, grouped in N campaigns")
    p.add_argument("--no-rollups", action="store_true",
                   help="leave the report's running totals empty")
    p.add_argument("--keep", metavar="DIR",
                   help="write the files into DIR and keep them")
    a = p.parse_args()
    d = a.keep or tempfile.mkdtemp(prefix="spampot-fill.")
    os.makedirs(d, exist_ok=True)
    os.chmod(d, 0o755)
    try:
        t0 = time.time()
        rows = generate(a, d)
        t1 = time.time()
        print("fill-db: generated in %.0f s: %s" % (t1 - t0, ", ".join(
            "%s %d" % (t, rows[t]) for t in ORDER)), file=sys.stderr)
        load(a, d)
        print("fill-db: loaded into %s in %.0f s" % (a.database,
              time.time() - t1), file=sys.stderr)
    finally:
        if not a.keep:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
