#!/usr/bin/env python3
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
"""yara-rules.py DIR [COUNT]: COUNT (100) YARA rules for the analyzer
section of make bench, written into DIR as ten files (namespaces) of
rules, the way public rule sets come: text strings with nocase, wide and
ascii, fullword; hex strings with wildcards, nibbles, jumps and
alternatives; regular expressions; conditions with counts, offsets,
"of them", filesize, uint16/uint32 at 0; some with import "pe", "math"
or "hash". Deterministic. A few match the benchmark's messages (the
test messages' texts, the archives' members, tiny.exe's PE header), so
that matches are stored as well as searched for; most match nothing, as
most of a real set do on most mail. Check them with yarac DIR/*.yar.
"""
import os
import random
import sys

WORDS = ["invoice", "payment", "wire transfer", "bitcoin wallet", "urgent",
         "verify your account", "password expires", "suspended", "refund",
         "tax return", "parcel", "delivery failed", "lottery", "beneficiary",
         "inheritance", "western union", "gift card", "crypto", "webmail",
         "mailbox quota", "docusign", "sharepoint", "office365", "wetransfer",
         "remittance", "purchase order", "quotation", "proforma", "swift copy",
         "bank details", "kindly", "dear customer", "confirm", "unlock",
         "security alert", "sign in", "one drive", "payroll", "salary",
         "shipment", "customs", "DHL", "FedEx", "Amazon", "PayPal", "Netflix"]
APIS = ["VirtualAlloc", "WriteProcessMemory", "CreateRemoteThread",
        "URLDownloadToFileA", "WinExec", "ShellExecuteA", "InternetOpenUrlA",
        "GetProcAddress", "LoadLibraryA", "IsDebuggerPresent",
        "RegSetValueExA", "CryptEncrypt", "NtUnmapViewOfSection"]
SCRIPT = ["powershell -enc", "WScript.Shell", "cmd.exe /c", "mshta",
          "regsvr32 /s", "certutil -decode", "Invoke-Expression",
          "FromBase64String", "AutoOpen", "Document_Open", "Shell(",
          "CreateObject(", "bitsadmin /transfer", "rundll32"]
TAGS = ["phish", "spam", "malware", "dropper", "maldoc", "scam", "fraud",
        "loader", "exploit", "archive"]


def meta(rng, i, desc):
    return ('\tmeta:\n\t\tauthor = "spampot bench"\n'
            '\t\tdescription = "%s"\n\t\tscore = %d\n'
            '\t\treference = "https://example.org/rules/%d"\n'
            '\t\tactive = %s\n' % (desc, rng.randrange(10, 100), i,
                                   "true" if rng.random() < 0.9 else "false"))


def rnd_hex(rng, n):
    """Hex string text of N tokens: bytes, some ?? and nibbles, a jump or
    an alternative."""
    out = []
    for k in range(n):
        r = rng.random()
        if k in (0, n - 1) or r < 0.7:
            out.append("%02X" % rng.randrange(256))
        elif r < 0.8:
            out.append("??")
        elif r < 0.85:
            out.append("%X?" % rng.randrange(16))
        elif r < 0.92:
            a = rng.randrange(1, 4)
            out.append("[%d-%d]" % (a, a + rng.randrange(1, 8)))
        else:
            out.append("( %02X %02X | %02X )" % (rng.randrange(256),
                       rng.randrange(256), rng.randrange(256)))
    return "{ " + " ".join(out) + " }"


def rule_text(rng, i):
    w = rng.sample(WORDS, 4)
    s = ['\t\t$a = "%s" nocase' % w[0],
         '\t\t$b = "%s" ascii wide nocase' % w[1],
         '\t\t$c = "%s" fullword' % w[2],
         '\t\t$d = "%s"' % w[3].upper()]
    cond = rng.choice(["2 of them", "any of ($a, $b) and ($c or $d)",
                       "#a > 2 or (#b > 1 and any of ($c, $d))",
                       "all of them", "3 of ($*)",
                       "($a or $b) and 1 of ($c, $d) and filesize < 2MB"])
    return "text", s, cond


def rule_hex(rng, i):
    s = ["\t\t$h%d = %s" % (k, rnd_hex(rng, rng.randrange(8, 20)))
         for k in range(rng.randrange(2, 5))]
    cond = rng.choice(["any of them", "uint16(0) == 0x5A4D and any of them",
                       "2 of them and filesize < 500KB",
                       "uint32(0) == 0x04034B50 and any of them",
                       "for any of ($h*) : ( @ < 1024 )"])
    return "hex", s, cond


def rule_regex(rng, i):
    pats = [r"/https?:\/\/[a-z0-9\-]{4,30}\.(top|xyz|ru|cn)\/[a-z0-9]{8,}/",
            r"/\b[13][a-km-zA-HJ-NP-Z1-9]{25,34}\b/",
            r"/(verify|confirm|update)[ _-]?(your)?[ _-]?account/ nocase",
            r"/[A-Za-z0-9+\/]{200,}={0,2}/",
            r"/\$[0-9]{1,3}(,[0-9]{3})+(\.[0-9]{2})?/",
            r"/password\s*[:=]\s*\S{4,20}/ nocase",
            r"/<iframe[^>]{0,200}(width|height)\s*=\s*\"?0/ nocase",
            r"/\.(exe|scr|js|vbs|hta|bat)\"?\s*$/ nocase",
            r"/[a-z0-9._%+-]+@(gmail|yahoo|outlook)\.com/ nocase",
            r"/\bIBAN[: ]*[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}/"]
    p = rng.sample(pats, 2)
    s = ["\t\t$r1 = %s" % p[0], "\t\t$r2 = %s" % p[1],
         '\t\t$s = "%s" nocase' % rng.choice(WORDS)]
    cond = rng.choice(["$r1 and ($r2 or $s)", "#r1 > 3 or ($r2 and $s)", "any of them and "
                       "filesize < 1MB", "($s or $r1) and #r2 >= 2"])
    return "regex", s, cond


def rule_script(rng, i):
    p = rng.sample(SCRIPT, 4)
    s = ['\t\t$%s = "%s" ascii wide nocase' % (v, t)
         for v, t in zip("wxyz", p)]
    s.append("\t\t$ole = { D0 CF 11 E0 A1 B1 1A E1 }")
    cond = rng.choice(["$ole at 0 and 2 of ($w, $x, $y, $z)",
                       "2 of them", "any of ($w, $x) and any of ($y, $z, $ole) and "
                       "filesize < 300KB"])
    return "script", s, cond


def rule_pe(rng, i):
    a = rng.sample(APIS, 3)
    s = ['\t\t$i%d = "%s" ascii' % (k, t) for k, t in enumerate(a)]
    cond = rng.choice([
        "pe.is_pe and pe.number_of_sections > 6 and 2 of them",
        'pe.is_pe and pe.imports("kernel32.dll", "%s") and any of them'
        % a[0],
        "uint16(0) == 0x5A4D and pe.timestamp < 946684800 and any of them",
        "pe.is_pe and for any i in (0 .. pe.number_of_sections - 1) : "
        '( pe.sections[i].name == ".%s" )' % rng.choice(["upx0", "aspack",
                                                         "themida", "vmp0"]) + " and any of them",
    ])
    return "pe", s, cond


def rule_math(rng, i):
    s = ['\t\t$z = "%s" nocase' % rng.choice(WORDS)]
    cond = rng.choice([
        "filesize > 1KB and math.entropy(0, filesize) > 7.6 and $z",
        "math.entropy(0, 4096) > 7.9 and filesize < 5MB and not $z",
        "$z and math.mean(0, filesize) > 120.0",
    ])
    return "math", s, cond


def rule_hash(rng, i):
    h = "%032x" % rng.getrandbits(128)
    cond = rng.choice([
        'filesize < 100KB and hash.md5(0, filesize) == "%s"' % h,
        'filesize == %d and hash.sha256(0, filesize) == "%064x"'
        % (rng.randrange(1000, 90000), rng.getrandbits(256)),
    ])
    return "hash", [], cond


# Rules that match the benchmark's messages: what tests/data/mail and the
# archive messages bench.sh builds really contain.
HITS = [
    ("Bench_Invoice_Lure", "text", ['\t\t$a = "invoice" nocase'],
     "$a"),
    ("Bench_Password_Lure", "text",
     ['\t\t$a = "password" nocase', '\t\t$b = "expire" nocase'],
     "$a and $b"),
    ("Bench_Unsubscribe_Footer", "text",
     ['\t\t$a = "unsubscribe" nocase'], "$a and filesize < 1MB"),
    ("Bench_PE_Tiny", "pe", [], "uint16(0) == 0x5A4D and pe.is_pe"),
    ("Bench_Zip_Local_Header", "hex", ["\t\t$pk = { 50 4B 03 04 ?? 00 }"],
     "$pk at 0"),
]


def render(name, kind, strings, cond, rng, i, tags):
    out = ["rule %s : %s\n{" % (name, " ".join(tags))]
    out.append(meta(rng, i, "%s rule %d" % (kind, i)).rstrip("\n"))
    if strings:
        out.append("\tstrings:")
        out.extend(strings)
    out.append("\tcondition:\n\t\t" + cond + "\n}\n")
    return "\n".join(out)


def main():
    d = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    rng = random.Random(7)
    os.makedirs(d, exist_ok=True)
    makers = [rule_text] * 6 + [rule_hex] * 5 + [rule_regex] * 3 + \
        [rule_script] * 3 + [rule_pe] * 2 + [rule_math, rule_hash]
    rules = []
    for i, (name, kind, strings, cond) in enumerate(HITS[:count]):
        rules.append((kind, render(name, kind, strings, cond, rng, i,
                                   rng.sample(TAGS, 2))))
    for i in range(len(rules), count):
        kind, strings, cond = rng.choice(makers)(rng, i)
        name = "Bench_%s_%03d" % (kind.capitalize(), i)
        rules.append((kind, render(name, kind, strings, cond, rng, i,
                                   rng.sample(TAGS, rng.randrange(1, 3)))))
    nfiles = 10
    for f in range(nfiles):
        chunk = rules[f::nfiles]
        if not chunk:
            continue
        imports = sorted({k for k, _ in chunk if k in ("pe", "math",
                                                          "hash")})
        with open(os.path.join(d, "set%02d.yar" % f), "w") as fh:
            fh.write("// bench/yara-rules.py: generated, do not edit\n")
            for m in imports:
                fh.write('import "%s"\n' % m)
            fh.write("\n")
            fh.write("\n".join(text for _, text in chunk))


if __name__ == "__main__":
    main()
