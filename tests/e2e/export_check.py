#!/usr/bin/env python3
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
"""Check what spampot-report export wrote (081-export.sh).

export_check.py --format misp|stix --tlp LEVEL --schemas DIR
                --expect DIR --absent FILE DOCUMENT

The document must validate against DIR/misp-event.schema.json or
DIR/stix-bundle.schema.json; in STIX every indicator's pattern must parse
as the STIX 2.1 patterning grammar has it (the comparison expressions
spampot writes: a recursive-descent parser below); every reference must
resolve; the TLP marking must be the one asked for. Each file of the
expect directory (ip, sender, sender-domain, url, host, file, cred,
campaign: one value a line, as SQL gave them) must be exactly what the
document holds of that kind; each campaign must refer to every value of
its in the member file (campaign id, a tab, a value); no line of the absent file may appear in
any value. Exit 1 with the reasons on standard error.
"""
import argparse
import base64
import json
import os
import re
import sys

import jsonschema

TLP_STIX = {
    "clear": "613f2e26-407d-48c7-9eca-b8e91df99dc9",
    "white": "613f2e26-407d-48c7-9eca-b8e91df99dc9",
    "green": "34098fce-860f-48ae-8e50-ebd3cc5e41da",
    "amber": "f88d31f6-486f-44da-b317-01333bde0b82",
    "amber+strict": "f88d31f6-486f-44da-b317-01333bde0b82",
    "red": "5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
}

errors = []


def err(msg):
    errors.append(msg)


# --- STIX patterning (STIX 2.1 part 5, the grammar's comparison part) -----

class PatternError(Exception):
    pass


class Pattern:
    """pattern      := observation (("AND"|"OR"|"FOLLOWEDBY") observation)*
    observation  := "[" comparison "]"
    comparison   := and_cmp ("OR" and_cmp)*
    and_cmp      := prop_test ("AND" prop_test)*
    prop_test    := "(" comparison ")" | path ["NOT"] op literal
    path         := object_type ":" step ("." step | "[" index "]")*
    step         := identifier | quoted string
    literal      := 'string' | integer | float | true | false
                    | h'hex' | b'base64' | t'timestamp'
    A string literal: \\' and \\\\ are its only escapes."""
    TOKEN = re.compile(r"""
        (?P<ws>\s+)
      | (?P<str>[htb]?'(?:[^'\\]|\\['\\])*')
      | (?P<op>!=|<=|>=|=|<|>)
      | (?P<punct>[\[\]().:,*])
      | (?P<num>[+-]?[0-9]+(?:\.[0-9]+)?)
      | (?P<word>[A-Za-z_][A-Za-z0-9_-]*)
    """, re.X)
    OPS = ("=", "!=", "<", ">", "<=", ">=", "LIKE", "MATCHES", "IN",
           "ISSUBSET", "ISSUPERSET")

    def __init__(self, text):
        self.toks = []
        pos = 0
        while pos < len(text):
            m = self.TOKEN.match(text, pos)
            if not m:
                raise PatternError("bad character at %d" % pos)
            pos = m.end()
            if m.lastgroup != "ws":
                self.toks.append((m.lastgroup, m.group()))
        self.i = 0

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def take(self, value=None, kind=None):
        k, v = self.peek()
        if (value is not None and v != value) or (kind is not None and
                                                   k != kind):
            raise PatternError("expected %s, got %r" % (value or kind, v))
        self.i += 1
        return v

    def parse(self):
        self.observation()
        while self.peek()[1] in ("AND", "OR", "FOLLOWEDBY"):
            self.take()
            self.observation()
        if self.i != len(self.toks):
            raise PatternError("trailing %r" % (self.peek()[1],))

    def observation(self):
        self.take("[")
        self.comparison()
        self.take("]")

    def comparison(self):
        self.and_cmp()
        while self.peek()[1] == "OR":
            self.take()
            self.and_cmp()

    def and_cmp(self):
        self.prop_test()
        while self.peek()[1] == "AND":
            self.take()
            self.prop_test()

    def prop_test(self):
        if self.peek()[1] == "(":
            self.take()
            self.comparison()
            self.take(")")
            return
        self.path()
        if self.peek()[1] == "NOT":
            self.take()
        k, v = self.peek()
        if v not in self.OPS:
            raise PatternError("expected a comparison operator, got %r" % v)
        self.take()
        self.literal()

    def path(self):
        t = self.take(kind="word")
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*[a-z0-9]", t):
            raise PatternError("bad object type %r" % t)
        self.take(":")
        self.step()
        while self.peek()[1] in (".", "["):
            if self.take() == ".":
                self.step()
            else:
                k, v = self.peek()
                if v == "*" or k == "num":
                    self.take()
                else:
                    raise PatternError("bad index %r" % v)
                self.take("]")

    def step(self):
        k, v = self.peek()
        if k == "word" or (k == "str" and v.startswith("'")):
            self.take()
            return
        raise PatternError("bad property %r" % v)

    def literal(self):
        k, v = self.peek()
        if k in ("str", "num") or v in ("true", "false"):
            self.take()
            return
        raise PatternError("bad literal %r" % v)


def pattern_value(p):
    """The string of a [type:prop = '...'] pattern, unescaped."""
    m = re.fullmatch(r"\[([a-z0-9-]+):(.+?) = '((?:[^'\\]|\\['\\])*)'\]", p)
    if not m:
        return None
    return m.group(1), m.group(2), re.sub(r"\\(['\\])", r"\1", m.group(3))


# --- the database's values ------------------------------------------------

def read_expect(d):
    e = {}
    for kind in ("ip", "sender", "sender-domain", "url", "host", "file",
                 "cred", "campaign"):
        path = os.path.join(d, kind)
        lines = open(path, encoding="utf-8").read().splitlines()
        if kind == "cred":
            lines = [tuple(base64.b64decode(x).decode().split("\0", 1))
                     for x in lines]
        elif kind == "file":
            lines = [tuple(x.split(" ")) for x in lines]
        e[kind] = set(lines)
    e["member"] = {}
    for line in open(os.path.join(d, "member"), encoding="utf-8"):
        cid, value = line.rstrip("\n").split("\t", 1)
        e["member"].setdefault(cid, set()).add(value)
    return e


def members(what, cid, got, exp):
    """A campaign refers to each of its addresses, senders, URLs and
    attachments of the window."""
    want = exp["member"].get(cid, set())
    if not want <= got:
        err("%s campaign %s: no reference to %s" % (what, cid,
                                                    sorted(want - got)))


def same(what, got, want):
    if got != want:
        err("%s: missing %s, unexpected %s" % (what, sorted(want - got),
                                               sorted(got - want)))


# --- MISP ------------------------------------------------------------------

def check_misp(doc, tlp, exp):
    ev = doc["Event"]
    if {t["name"] for t in ev.get("Tag", [])} != {"tlp:" + tlp}:
        err("MISP: tag is not tlp:%s: %r" % (tlp, ev.get("Tag")))
    attrs = ev["Attribute"]
    objs = ev.get("Object", [])
    uuids = [a["uuid"] for a in attrs] + [o["uuid"] for o in objs] + \
        [a["uuid"] for o in objs for a in o["Attribute"]] + [ev["uuid"]]
    if len(uuids) != len(set(uuids)):
        err("MISP: a uuid is used twice")
    by = {}
    for a in attrs:
        by.setdefault(a["type"], set()).add(a["value"])
        if a["to_ids"] is not True:
            err("MISP: %s %s not to_ids" % (a["type"], a["value"]))
        for k in ("first_seen", "last_seen"):
            if k not in a:
                err("MISP: attribute %s has no %s" % (a["value"], k))
    same("MISP ip-src", by.get("ip-src", set()), exp["ip"])
    same("MISP email-src", by.get("email-src", set()), exp["sender"])
    same("MISP domain", by.get("domain", set()), exp["sender-domain"])
    same("MISP url", by.get("url", set()), exp["url"])
    same("MISP hostname/ip-dst", by.get("hostname", set()) |
         by.get("ip-dst", set()), exp["host"])
    files = set()
    for algo, n in (("md5", 0), ("sha1", 1), ("sha256", 2)):
        got = {v.split("|")[-1] for v in by.get("filename|" + algo, set()) |
               by.get(algo, set())}
        same("MISP " + algo, got, {f[n] for f in exp["file"]})
        files |= got
    creds = set()
    camps = set()
    attr_uuids = {a["uuid"] for a in attrs}
    attr_value = {a["uuid"]: a["value"].split("|")[-1] for a in attrs}
    for o in objs:
        rel = {a["object_relation"]: a["value"] for a in o["Attribute"]}
        if o["name"] == "credential":
            creds.add((rel.get("username"), rel.get("password")))
        elif o["name"] == "spampot-campaign":
            camps.add(rel.get("campaign-id"))
            refs = o.get("ObjectReference", [])
            if not refs:
                err("MISP: campaign %s refers to nothing" % rel)
            for r in refs:
                if r["referenced_uuid"] not in attr_uuids:
                    err("MISP: campaign %s: dangling reference %s" %
                        (rel.get("campaign-id"), r["referenced_uuid"]))
            members("MISP", rel.get("campaign-id"),
                    {attr_value.get(r["referenced_uuid"]) for r in refs}, exp)
            if "first_seen" not in o or "last_seen" not in o:
                err("MISP: campaign without first_seen/last_seen")
    same("MISP credential objects", creds, exp["cred"])
    same("MISP campaigns", camps, exp["campaign"])
    return [a["value"] for a in attrs] + [a["value"] for o in objs
                                          for a in o["Attribute"]]


# --- STIX ------------------------------------------------------------------

def check_stix(doc, tlp, exp):
    objs = doc["objects"]
    ids = {}
    for o in objs:
        if o["id"] in ids:
            err("STIX: id %s twice" % o["id"])
        ids[o["id"]] = o
        if not o["id"].startswith(o["type"] + "--"):
            err("STIX: id %s is not of type %s" % (o["id"], o["type"]))
    mark = "marking-definition--" + TLP_STIX[tlp]
    idents = [o for o in objs if o["type"] == "identity"]
    if len(idents) != 1:
        err("STIX: not one identity")
    values = []
    by = {}
    pats = {}
    for o in objs:
        for k in ("created_by_ref",):
            if k in o and o[k] not in ids:
                err("STIX: %s: dangling %s" % (o["id"], k))
        for r in o.get("object_refs", []):
            if r not in ids:
                err("STIX: %s: dangling ref %s" % (o["id"], r))
        if o["type"] in ("indicator", "observed-data", "grouping"):
            if o.get("object_marking_refs") != [mark]:
                err("STIX: %s not marked %s" % (o["id"], mark))
        if o["type"] == "indicator":
            try:
                Pattern(o["pattern"]).parse()
            except PatternError as e:
                err("STIX: pattern %r: %s" % (o["pattern"], e))
            pv = pattern_value(o["pattern"])
            if pv is None:
                err("STIX: pattern %r not as spampot writes it" % o["pattern"])
            else:
                pats.setdefault(pv[0], set()).add(pv[2])
                values.append(pv[2])
        if o["type"] == "observed-data":
            for r in o["object_refs"]:
                sco = ids.get(r, {})
                by.setdefault(sco.get("type"), []).append(sco)
    if mark not in ids:
        err("STIX: the TLP marking definition %s is not in the bundle" % mark)

    def vals(t):
        return {s["value"] for s in by.get(t, [])}
    same("STIX ipv4/ipv6-addr of clients", {
        v for v in vals("ipv4-addr") | vals("ipv6-addr")
        if v in exp["ip"] or v not in exp["host"]}, exp["ip"])
    same("STIX email-addr", vals("email-addr"), exp["sender"])
    if not exp["sender-domain"] <= vals("domain-name"):
        err("STIX: sender domains missing: %s" %
            sorted(exp["sender-domain"] - vals("domain-name")))
    same("STIX url", vals("url"), exp["url"])
    hosts = {h for h in exp["host"]}
    if not hosts <= vals("domain-name") | vals("ipv4-addr") | \
            vals("ipv6-addr"):
        err("STIX: URL hosts missing")
    same("STIX file", {(f["hashes"]["MD5"], f["hashes"]["SHA-1"],
                        f["hashes"]["SHA-256"]) for f in by.get("file", [])},
         exp["file"])
    same("STIX user-account", {(u["account_login"], u.get("credential"))
                               for u in by.get("user-account", [])},
         exp["cred"])
    same("STIX indicators of URLs", pats.get("url", set()), exp["url"])
    same("STIX indicators of senders", pats.get("email-addr", set()),
         exp["sender"])
    same("STIX indicators of files", pats.get("file", set()),
         {f[2] for f in exp["file"]})
    groups = [o for o in objs if o["type"] == "grouping"]
    same("STIX groupings", {re.sub(r"^spampot campaign ", "", g["name"])
                            for g in groups}, exp["campaign"])
    for g in groups:
        if g["context"] != "suspicious-activity":
            err("STIX: grouping context %r" % g["context"])
        if not all(ids.get(r, {}).get("type") == "indicator"
                   for r in g["object_refs"]):
            err("STIX: grouping refers to something not an indicator")
            continue
        members("STIX", re.sub(r"^spampot campaign ", "", g["name"]),
                {(pattern_value(ids[r]["pattern"]) or ("", "", ""))[2]
                 for r in g["object_refs"]}, exp)
    for t, lst in by.items():
        for s in lst:
            values.extend(str(v) for k, v in s.items()
                          if k not in ("type", "id", "spec_version"))
            values.extend(s.get("hashes", {}).values())
    return values


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--format", required=True, choices=("misp", "stix"))
    ap.add_argument("--tlp", required=True)
    ap.add_argument("--schemas", required=True)
    ap.add_argument("--expect", required=True)
    ap.add_argument("--absent")
    ap.add_argument("document")
    a = ap.parse_args()
    doc = json.load(open(a.document, encoding="utf-8"))
    name = "misp-event" if a.format == "misp" else "stix-bundle"
    schema = json.load(open(os.path.join(a.schemas, name + ".schema.json")))
    v = jsonschema.Draft202012Validator(schema)
    for e in sorted(v.iter_errors(doc), key=str)[:20]:
        err("schema: %s at %s" % (e.message, "/".join(map(str, e.path))))
    exp = read_expect(a.expect)
    if errors:
        values = []
    elif a.format == "misp":
        values = check_misp(doc, a.tlp, exp)
    else:
        values = check_stix(doc, a.tlp, exp)
    if a.absent:
        for line in open(a.absent, encoding="utf-8").read().splitlines():
            if line and any(line in v for v in values):
                err("outside the window, yet exported: %s" % line)
    for e in errors:
        print("export_check: " + e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
