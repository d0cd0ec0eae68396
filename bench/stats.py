#!/usr/bin/env python3
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
"""stats.py RAW MACHINE OUTDIR: the benchmark's table from its raw
measurements (bench/bench.sh writes RAW: section, case, metric, run,
value). Each figure is the median over the runs with the min and max;
each ratio is taken run by run between neighbouring measurements of
spampot and its reference, then summarised the same way. Writes
OUTDIR/results.tsv, results.json and results.md, and prints the table.
"""
import json
import os
import statistics
import sys


def load(path):
    raw = {}
    with open(path) as f:
        for line in f:
            sec, case, metric, run, value = line.rstrip("\n").split("\t")
            try:
                v = float(value)
            except ValueError:
                continue    # "fail": counted out
            raw.setdefault((sec, case, metric), {})[run] = v
    return raw


def summary(vals):
    if not vals:
        return None
    return {"median": statistics.median(vals), "min": min(vals),
            "max": max(vals), "n": len(vals)}


def series(raw, sec, case, *metrics):
    """Values of one or more metrics (pooled), by run."""
    out = {}
    for m in metrics:
        for run, v in raw.get((sec, case, m), {}).items():
            out.setdefault(run, []).append(v)
    return out


def values(raw, sec, case, *metrics):
    return [v for vs in series(raw, sec, case, *metrics).values() for v in vs]


def ratio(raw, sec, case, num, den, invert=False):
    n, d = raw.get((sec, case, num), {}), raw.get((sec, case, den), {})
    r = [(d[k] / n[k] if invert else n[k] / d[k])
         for k in n if k in d and n[k] and d[k]]
    return summary(r)


def fmt(s, unit="", digits=0):
    if s is None:
        return "n/a"
    f = "%%.%df" % digits
    med = f % s["median"]
    if s["min"] == s["max"]:
        return med + unit
    return "%s%s (%s–%s)" % (med, unit, f % s["min"], f % s["max"])


def rows(raw):
    """(what, spampot, reference, ratio, target, met, data) per line."""
    out = []

    def add(what, sp, ref, r, target, met, unit="", digits=0, rdigits=2):
        out.append({
            "what": what,
            "spampot": fmt(sp, unit, digits), "reference": ref[0],
            "reference_value": fmt(ref[1], unit, digits) if ref[1] else "",
            "ratio": fmt(r, "×", rdigits) if r else "",
            "target": target, "met": met,
            "data": {"spampot": sp, "reference": ref[1], "ratio": r},
        })

    for case in ("1k-x1", "1k-x10", "1k-x100", "100k-x1", "100k-x10",
                 "100k-x100"):
        if ("ingest", case, "sink") not in raw:
            continue
        sp = summary(values(raw, "ingest", case, "spampot.a", "spampot.b"))
        label = "ingest %s KiB × %s parallel, msg/s" % tuple(
            case.replace("k", "").split("-x"))
        for ref, name, metric, tgt in (
                ("sink-d", "smtp-sink -d", "spampot.b", 1.0),
                ("sink", "smtp-sink", "spampot.a", 0.8)):
            r = ratio(raw, "ingest", case, metric, ref)
            target = "≥ %.1f×" % tgt if case == "1k-x10" else ""
            met = "" if not target or r is None else \
                ("yes" if r["median"] >= tgt else "no")
            add(label, sp, (name, summary(values(raw, "ingest", case, ref))),
                r, target, met)
        if case != "1k-x10" or ("ingest", case, "sink.cpu_us") not in raw:
            continue
        # CPU time of the server's processes: what the rate costs, which
        # moves less than the rate with the rest of the machine
        sp = summary(values(raw, "ingest", case, "spampot.a.cpu_us",
                            "spampot.b.cpu_us"))
        for ref, name, metric in (("sink-d", "smtp-sink -d", "spampot.b"),
                                  ("sink", "smtp-sink", "spampot.a")):
            add("ingest 1 KiB × 10 parallel, server CPU µs a message", sp,
                (name, summary(values(raw, "ingest", case,
                                      ref + ".cpu_us"))),
                ratio(raw, "ingest", case, metric + ".cpu_us",
                      ref + ".cpu_us"), "", "")
    if ("ab", "1k-x10", "new") in raw:
        # BENCH_ONLY=ab: this build beside the one in BENCH_OLD, turn by
        # turn
        for metric, what, digits in (
                ("", "msg/s", 0), (".cpu_us", "server CPU µs a message", 0),
                (".switches", "context switches a message (the machine)",
                 1)):
            sp = summary(values(raw, "ab", "1k-x10", "new" + metric))
            refs = [("old", "the build in BENCH_OLD")]
            if not metric:
                refs.append(("sink-d", "smtp-sink -d"))
            for ref, name in refs:
                add("ab: this build, 1 KiB × 10, " + what, sp,
                    (name, summary(values(raw, "ab", "1k-x10",
                                          ref + metric))),
                    ratio(raw, "ab", "1k-x10", "new" + metric, ref + metric),
                    "", "", digits=digits)
    if ("disk", "1k-x10", "warm-first") in raw:
        for metric, name in (("warm-first", "its first turn"),
                             ("warm-last", "its last turn")):
            out.append({
                "what": "spool on disk: the warm-up before the runs, "
                        "files created+written+renamed/s, one tmp/",
                "spampot": "", "reference": name,
                "reference_value": fmt(summary(values(
                    raw, "disk", "1k-x10", metric))),
                "ratio": "", "target": "", "met": "",
                "data": {"reference": summary(values(
                    raw, "disk", "1k-x10", metric))},
            })
    if ("disk", "1k-x10", "fs") in raw:
        refs = (("fs", "files created+written+renamed/s, one tmp/"),
                ("fs-dirs", "the same, a tmp/ directory per process"),
                ("sink-d", "smtp-sink -d on the same filesystem"))
        for suffix, what, target in (("", "fsync no", 0.8),
                                     ("-fsync", "fsync yes", None)):
            sp = summary(values(raw, "disk", "1k-x10", "spampot" + suffix))
            for ref, name in refs:
                if ("disk", "1k-x10", ref + suffix) not in raw:
                    continue
                r = ratio(raw, "disk", "1k-x10", "spampot" + suffix,
                          ref + suffix)
                tgt = "≥ %.1f×" % target if target and ref == "fs" else ""
                met = "" if not tgt or r is None else \
                    ("yes" if r["median"] >= target else "no")
                add("spool on disk, %s, 1 KiB × 10, msg/s" % what, sp,
                    (name, summary(values(raw, "disk", "1k-x10",
                                          ref + suffix))), r, tgt, met)
    for case in sorted({c for s, c, m in raw if s == "idle"}):
        n = int(case.split("-")[0])
        g = summary(values(raw, "idle", case, "spampot.held"))
        gs = summary(values(raw, "idle", case, "sink.held"))
        add("idle: %d connections greeted and held" % n,
            g, ("smtp-sink", gs), None, "all",
            "" if g is None else ("yes" if g["min"] >= n else "no"))
        mib = {k: {r: v / 1024 for r, v in d.items()}
               for k, d in raw.items() if k[0] == "idle"}
        sp = summary(list(mib.get(("idle", case, "spampot.rss_held_kib"),
                                  {}).values()))
        add("idle: RSS of all processes, MiB", sp,
            ("smtp-sink", summary(list(mib.get(
                ("idle", case, "sink.rss_held_kib"), {}).values()))),
            ratio(raw, "idle", case, "spampot.rss_held_kib",
                  "sink.rss_held_kib"), "≤ 64 MiB",
            "" if sp is None else ("yes" if sp["max"] <= 64 else "no"),
            digits=1, rdigits=3)
        sp = ratio(raw, "idle", case, "spampot.loaded_ms",
                   "spampot.unloaded_ms")
        out.append({
            "what": "idle: a normal session during the hold, × unloaded",
            "spampot": fmt(sp, "×", 2), "reference": "smtp-sink",
            "reference_value": fmt(ratio(raw, "idle", case, "sink.loaded_ms",
                                         "sink.unloaded_ms"), "×", 2),
            "ratio": "", "target": "≤ 2×",
            "met": "" if sp is None else
            ("yes" if sp["median"] <= 2 else "no"),
            "data": {"spampot": sp}})
        add("idle: a normal session, unloaded / during the hold, ms",
            summary(values(raw, "idle", case, "spampot.unloaded_ms")),
            ("during the hold", summary(values(raw, "idle", case,
                                               "spampot.loaded_ms"))),
            None, "", "", digits=1)
    for case in sorted({c for s, c, m in raw if s == "analyzer"}):
        sp = summary(values(raw, "analyzer", case, "spampot"))
        add("analyzer: %s spool files, files/s" % case.split("-")[0], sp,
            ("multi-row INSERT script", summary(values(
                raw, "analyzer", case, "insert-script"))),
            ratio(raw, "analyzer", case, "spampot", "insert-script"),
            "≥ 3000/s",
            "" if sp is None else ("yes" if sp["median"] >= 3000 else "no"),
            rdigits=3)
        e = summary(values(raw, "analyzer", case, "rss_early_kib"))
        r = ratio(raw, "analyzer", case, "rss_late_kib", "rss_early_kib")
        add("analyzer: largest RSS, second half of the backlog, KiB",
            summary(values(raw, "analyzer", case, "rss_late_kib")),
            ("first half", e), r, "flat (≤ 1.1×)",
            "" if r is None else ("yes" if r["median"] <= 1.1 else "no"))
    if ("campaigns", "import", "large.after_load") in raw:
        r = ratio(raw, "campaigns", "import", "large.after_load",
                  "empty.after_load")
        add("campaigns: the backlog into a database of 1M messages / 50k "
            "campaigns, files/s once the index is loaded",
            summary(values(raw, "campaigns", "import", "large.after_load")),
            ("into an empty database",
             summary(values(raw, "campaigns", "import", "empty.after_load"))),
            r, "≥ 0.9×",
            "" if r is None else ("yes" if r["median"] >= 0.9 else "no"))
    if ("campaigns", "import", "large") in raw:
        add("campaigns: the same, files/s from the analyzer's start",
            summary(values(raw, "campaigns", "import", "large")),
            ("into an empty database",
             summary(values(raw, "campaigns", "import", "empty"))),
            ratio(raw, "campaigns", "import", "large", "empty"), "", "")
        add("campaigns: start to the index loaded, ms",
            summary(values(raw, "campaigns", "import", "large.loaded_ms")),
            ("empty database",
             summary(values(raw, "campaigns", "import", "empty.loaded_ms"))),
            None, "", "")
        add("campaigns: largest RSS of the analyzer, KiB",
            summary(values(raw, "campaigns", "import", "large.rss_kib")),
            ("empty database",
             summary(values(raw, "campaigns", "import", "empty.rss_kib"))),
            ratio(raw, "campaigns", "import", "large.rss_kib",
                  "empty.rss_kib"), "", "")
    if ("writers", "x1", "files_s") in raw:
        # the aim: 8 writers at 0.8x of one alone times the cores the
        # database may use (db_cpus)
        cpus = values(raw, "writers", "setup", "db_cpus") or [1]
        one = summary(values(raw, "writers", "x1", "files_s"))
        for n in sorted({int(c[1:]) for s, c, m in raw
                         if s == "writers" and c.startswith("x")}):
            case = "x%d" % n
            # against the one writer of the same run
            a = raw.get(("writers", case, "files_s"), {})
            b = raw.get(("writers", "x1", "files_s"), {})
            r = summary([a[k] / b[k] for k in a if b.get(k)])
            tot = values(raw, "writers", case, "totals_ok")
            extra = "; deadlock lines %s, retry lines %s, totals as " \
                "rebuilt in %d/%d runs, lost/doubled/bad %d/%d/%d" % (
                    fmt(summary(values(raw, "writers", case, "deadlocks"))),
                    fmt(summary(values(raw, "writers", case, "retries"))),
                    sum(1 for v in tot if v == 1), len(tot),
                    sum(values(raw, "writers", case, "lost")),
                    sum(values(raw, "writers", case, "doubled")),
                    sum(values(raw, "writers", case, "bad")))
            aim = 0.8 * cpus[0]
            met = ""
            if n == 8 and r is not None:
                met = "yes" if r["median"] >= aim else "no"
            add("writers: %d analyzer%s into one MariaDB over TLS, files/s "
                "in all%s" % (n, "" if n == 1 else "s at once", extra),
                summary(values(raw, "writers", case, "files_s")),
                ("1 writer alone", one), r,
                "≥ %.1f× (%d DB core)" % (aim, cpus[0]) if n == 8 else "",
                met)
    if ("latency", "200-sessions", "median_ms") in raw:
        sp = summary(values(raw, "latency", "200-sessions", "median_ms"))
        fl = summary(values(raw, "latency", "200-sessions", "floor_ms"))
        add("latency: QUIT to rows in MySQL, median, ms", sp,
            ("one INSERT + COMMIT", fl),
            ratio(raw, "latency", "200-sessions", "median_ms", "floor_ms"),
            "< 200 ms",
            "" if sp is None else ("yes" if sp["median"] < 200 else "no"),
            digits=1, rdigits=1)
        add("latency: QUIT to rows in MySQL, p99, ms",
            summary(values(raw, "latency", "200-sessions", "p99_ms")),
            ("one INSERT + COMMIT", fl),
            ratio(raw, "latency", "200-sessions", "p99_ms", "floor_ms"),
            "", "", digits=1, rdigits=1)
    if ("memory", "sessions", "spampot.rss_kib") in raw:
        n = int(values(raw, "memory", "sessions", "sessions")[0])
        rest = summary(values(raw, "memory", "sessions",
                              "spampot.rss_rest_kib"))
        srest = summary(values(raw, "memory", "sessions",
                               "sink.rss_rest_kib"))
        add("memory: RSS per worker at rest, KiB", rest,
            ("smtp-sink", srest), None, "", "")
        after = raw[("memory", "sessions", "spampot.rss_kib")]
        safter = raw[("memory", "sessions", "sink.rss_kib")]
        last = max(after, key=int)
        first = min(after, key=int)
        grow = after[last] / after[first] if after[first] else None
        add("memory: RSS per worker after %d sessions, KiB" % n,
            summary([after[last]]), ("smtp-sink", summary([safter[last]])),
            None, "no growth",
            "" if grow is None else ("yes" if grow <= 1.05 else "no"))
        out[-1]["data"]["growth"] = grow
        out[-1]["ratio"] = "%.3f× of the first %d" % (
            grow, n // len(after)) if grow else ""
    r = ratio(raw, "tls", "starttls", "spampot", "postfix")
    if ("tls", "starttls", "spampot") in raw:
        add("tls: STARTTLS sessions/s (EHLO, STARTTLS, EHLO, QUIT)",
            summary(values(raw, "tls", "starttls", "spampot")),
            ("Postfix smtpd", summary(values(raw, "tls", "starttls",
                                             "postfix"))),
            r, "≥ 1.0×",
            "" if r is None else ("yes" if r["median"] >= 1.0 else "no"))
    for case in sorted({c for s, c, m in raw if s == "tls" and
                        c.endswith("-held")}):
        n = int(case.split("-")[0])
        g = summary(values(raw, "tls", case, "held"))
        add("tls: %d sessions held after STARTTLS" % n, g, ("", None),
            None, "all",
            "" if g is None else ("yes" if g["min"] >= n else "no"))
        pss = summary([v / 1024 for v in values(raw, "tls", case,
                                                "pss_kib")])
        rss = summary([v / 1024 for v in values(raw, "tls", case,
                                                "rss_kib")])
        add("tls: PSS of all spampotd processes, MiB", pss,
            ("RSS", rss), None, "≤ 256 MiB",
            "" if pss is None else ("yes" if pss["max"] <= 256 else "no"),
            digits=1)
    return out


def table(out):
    lines = ["| measurement | spampot | reference | reference value | "
             "ratio | target | met |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in out:
        lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            r["what"], r["spampot"], r["reference"], r["reference_value"],
            r["ratio"], r["target"], r["met"]))
    return "\n".join(lines)


def main():
    raw = load(sys.argv[1])
    machine = {}
    with open(sys.argv[2]) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("\t")
            machine[k] = v
    outdir = sys.argv[3]
    out = rows(raw)
    md = table(out)
    head = ("%s CPU (nproc %s), kernel %s, %s, %s MiB; MariaDB %s, "
            "Postfix %s; %s runs; %s" % (
                machine.get("cpu"), machine.get("nproc"),
                machine.get("kernel"), machine.get("filesystem"),
                machine.get("memory_mib"), machine.get("mariadb"),
                machine.get("postfix"), machine.get("runs"),
                machine.get("date")))
    with open(os.path.join(outdir, "results.md"), "w") as f:
        f.write(head + "\n\n" + md + "\n")
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump({"machine": machine, "results": out,
                   "raw": [{"section": k[0], "case": k[1], "metric": k[2],
                            "runs": v} for k, v in sorted(raw.items())]},
                  f, indent=1, ensure_ascii=False)
    with open(os.path.join(outdir, "results.tsv"), "w") as f:
        f.write("measurement\tspampot\treference\treference_value\tratio"
                "\ttarget\tmet\n")
        for r in out:
            f.write("\t".join(r[k] for k in (
                "what", "spampot", "reference", "reference_value", "ratio",
                "target", "met")) + "\n")
    print(head)
    print()
    print(md)


if __name__ == "__main__":
    main()
