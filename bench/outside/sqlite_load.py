#!/usr/bin/env python3
"""Load a bundle/1 JSON Lines corpus into SQLite as an outside measurement would.

The other side of `claimgraph import FILE`: Python's sqlite3 (the C library),
the schema and indexes of bench/peers/sqlite.sql (the indexes claimgraph keeps),
the rows in one transaction, then the indexes, all timed, JSON parsing
included. The rows are those bench/cmd/claimbench's rowMaker makes (a Go test
compares the counts). Prints a JSON summary on standard output.

    python3 bench/outside/sqlite_load.py corpus.jsonl out.db
"""

import json
import os
import re
import sqlite3
import sys
import time
import unicodedata
from datetime import datetime, timezone

KIND = {"person": 1, "organisation": 2, "source": 3, "quote": 4, "claim": 5, "figure": 6}
REL = {
    "speaker": 1, "source": 2, "channel": 3, "reported_by": 4, "expresses": 5, "publisher": 6,
    "author": 7, "derived_from": 8, "stated_by": 9, "parent": 10, "affiliation": 11, "about": 12,
    "supports": 32, "contradicts": 33, "context": 34, "same_as": 35, "repeats": 36,
    "retracts": 37, "corrects": 38, "responds_to": 39,
}
FACET = {
    "speaker": 1, "source": 2, "publisher": 3, "mode": 4, "kind": 5, "unit": 6, "measure": 7,
    "stated_by": 8, "affiliation": 9, "parent": 10, "about": 11,
}
BATCH = 10000


def sections(path):
    """The @sections and @query statements of a peer schema file."""
    out, name = {}, None
    for line in open(path, encoding="utf-8"):
        m = re.match(r"-- @(\w+)(?: (\w+))?\s*$", line)
        if m:
            name = m.group(2) if m.group(1) == "query" else m.group(1)
            out[name] = []
            continue
        if name and not line.startswith("--"):
            out[name].append(line)
    return {k: "".join(v) for k, v in out.items()}


def statements(text):
    return [s.strip() for s in text.split(";") if s.strip()]


def unix(s):
    """Unix seconds of a bundle date or time (UTC when it has no zone)."""
    if not s:
        return None
    try:
        t = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    return int(t.timestamp())


def fold(s):
    """Lower case, no accents, single spaces: close to claimgraph's fold.Name."""
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return " ".join(s.casefold().split())


def refs(t, r):
    """(relation, key, qualifier) of a record's reference fields, as graph's Refs."""
    out = []
    one = lambda rel, k, q=None: k and out.append((rel, k, q))
    if t == "person":
        for a in r.get("affiliations") or []:
            one("affiliation", a.get("organisation"), a.get("role"))
    elif t == "organisation":
        one("parent", r.get("parent"))
    elif t == "source":
        one("publisher", r.get("publisher"))
        for a in r.get("authors") or []:
            one("author", a)
        for d in r.get("derived_from") or []:
            one("derived_from", d.get("source"), d.get("relation"))
    elif t == "quote":
        for f in ("speaker", "source", "channel", "reported_by"):
            one(f, r.get(f))
        for c in r.get("claims") or []:
            one("expresses", c)
    elif t == "claim":
        for a in r.get("about") or []:
            one("about", a)
    elif t == "figure":
        one("stated_by", r.get("stated_by"))
        one("source", r.get("source"))
        for d in r.get("derived_from") or []:
            one("derived_from", d)
    return out


def facets(t, r, publishers):
    """(facet, value) of a record, as graph's FacetValues (values folded)."""
    pub = lambda src: publishers.get(src) if src else None
    if t == "quote":
        vals = [("speaker", r.get("speaker")), ("source", r.get("source")),
                ("mode", r.get("mode")), ("publisher", pub(r.get("source")))]
    elif t == "source":
        vals = [("kind", r.get("kind")), ("publisher", r.get("publisher"))]
    elif t == "figure":
        vals = [("source", r.get("source")), ("unit", r.get("unit")), ("measure", r.get("measure")),
                ("stated_by", r.get("stated_by")), ("publisher", pub(r.get("source")))]
    elif t == "organisation":
        vals = [("kind", r.get("kind")), ("parent", r.get("parent"))]
    elif t == "person":
        vals = [("affiliation", a.get("organisation")) for a in r.get("affiliations") or []]
    else:
        vals = [("about", a) for a in r.get("about") or []]
    seen, out = set(), []
    for f, v in vals:
        if not v:
            continue
        if f in ("mode", "kind", "unit", "measure"):
            v = fold(v)
        if (f, v) not in seen:
            seen.add((f, v))
            out.append((f, v))
    return out


def order_value(t, r):
    if t == "quote":
        return unix(r.get("said_at"))
    if t == "source":
        return unix(r.get("published_at"))
    if t == "figure":
        return r.get("value")
    return None


def load(corpus, db):
    schema = sections(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers", "sqlite.sql"))
    if os.path.exists(db):
        os.remove(db)
    start = time.perf_counter()
    con = sqlite3.connect(db, isolation_level=None)
    for s in statements(schema["pragmas"]) + statements(schema["tables"]):
        con.execute(s)
    ins = {q: schema[q].strip().rstrip(";") for q in (
        "insert_node", "insert_edge", "insert_name", "insert_fts", "insert_facet", "insert_revision", "insert_doc")}
    rows = {k: [] for k in ins}
    counts = {k: 0 for k in ins}

    def flush():
        for k, v in rows.items():
            if v:
                con.executemany(ins[k], v)
                counts[k] += len(v)
                v.clear()

    ids, publishers, seq, links = {}, {}, {}, []
    by, at = "import:bench", "2026-01-01T00:00:00Z"
    con.execute("BEGIN")
    with open(corpus, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            r = json.loads(line)
            t = r.get("type")
            if t is None:
                continue  # the header
            if t == "link":
                links.append(r)
                continue
            if t not in KIND:
                raise SystemExit(f"{corpus}:{n}: unknown record type {t!r}")
            i = len(ids) + 1
            ids[r["key"]] = i
            rec = json.dumps(r, separators=(",", ":"))
            if t == "source":
                publishers[r["key"]] = r.get("publisher")
            speaker = ids.get(r.get("speaker")) if t == "quote" else None
            rows["insert_node"].append((i, r["key"], KIND[t], rec,
                                        unix(r.get("said_at")) if t == "quote" else None,
                                        unix(r.get("published_at")) if t == "source" else None,
                                        r.get("url") if t == "source" else None, speaker))
            if t == "quote":
                rows["insert_fts"].append((i, r.get("text", "")))
            seq[i] = 1
            rows["insert_revision"].append((i, 1, 1, "created", by, at, rec))
            rows["insert_doc"].append((i, r.get("name"), "\n".join(r.get("aliases") or []),
                                       r.get("title"), r.get("text"), r.get("measure")))
            if t in ("person", "organisation"):
                seen = set()
                for name in [r.get("name", "")] + (r.get("aliases") or []):
                    fn = fold(name)
                    if fn and fn not in seen:
                        seen.add(fn)
                        rows["insert_name"].append((fn, i))
            ov = order_value(t, r)
            for fc, v in facets(t, r, publishers):
                rows["insert_facet"].append((KIND[t], FACET[fc], v, r["key"], ov))
            done = set()
            for rel, k, q in refs(t, r):
                dst = ids.get(k)
                if dst is None or (REL[rel], dst) in done:
                    continue
                done.add((REL[rel], dst))
                rows["insert_edge"].append((i, REL[rel], dst, q, None, None, None, None))
            if len(rows["insert_node"]) >= BATCH:
                flush()
    for l in links:
        src, dst = ids.get(l["from"]), ids.get(l["to"])
        if src is None or dst is None:
            continue
        rows["insert_edge"].append((src, REL[l["relation"]], dst, None, l.get("reason"), l.get("note"),
                                    l.get("by"), l.get("at")))
        seq[src] += 1
        rows["insert_revision"].append((src, 1, seq[src], "created", by, at, json.dumps(l, separators=(",", ":"))))
    flush()
    con.execute("COMMIT")
    loaded = time.perf_counter()
    for s in statements(schema["indexes"]):
        con.execute(s)
    con.close()
    end = time.perf_counter()
    return {
        "sqlite": sqlite3.sqlite_version,
        "rows": {k.removeprefix("insert_"): v for k, v in counts.items()},
        "load_s": round(loaded - start, 3),
        "index_s": round(end - loaded, 3),
        "total_s": round(end - start, 3),
    }


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: sqlite_load.py CORPUS.jsonl OUT.db")
    print(json.dumps(load(sys.argv[1], sys.argv[2])))
