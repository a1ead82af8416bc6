#!/usr/bin/python3
"""Reads claimgraph exports with tools from outside the project.

Run by the export package's tests with Debian's /usr/bin/python3:

    check.py prov-json FILE      python3-prov: load, agents, Turtle round trip
    check.py prov-o FILE         python3-rdflib: parse Turtle, attributions, derivations
    check.py graphml FILE        python3-networkx: read as a MultiDiGraph
    check.py jsonl FILE          python3-pandas: ids unique, references and links resolve
    check.py tables DIR          python3-pandas: CSV tables, ids unique, edges resolve
    check.py datapackage DIR     python3-jsonschema: Frictionless profiles, and the
                                 descriptor describes exactly the directory's files
    check.py claimreview FILE    python3-rdflib: JSON-LD with the schema.org context
    check.py readme DIR          runs the README's pandas and networkx loaders

Several commands may be given in one run (check.py jsonl A tables B ...),
which saves starting Python for each. Each command checks what it can on
its own (a failed check exits 1 with a message naming the command) and the
run prints one JSON object on stdout, the summary of each command under its
name, that the Go test compares with what it exported. A missing module
exits 1 with a message naming the Debian package.
"""

import hashlib
import importlib
import io
import json
import os
import re
import sys

PACKAGES = {
    "prov": "python3-prov",
    "rdflib": "python3-rdflib",
    "networkx": "python3-networkx",
    "pandas": "python3-pandas",
    "jsonschema": "python3-jsonschema",
}


def need(module):
    try:
        return importlib.import_module(module)
    except ImportError as err:
        top = module.split(".")[0]
        sys.exit(
            "check.py: module %s is missing (%s): apt-get install -y %s"
            % (module, err, PACKAGES.get(top, "python3-" + top))
        )


def fail(msg, *args):
    sys.exit("check.py: " + (msg % args if args else msg))


def out(summary):
    return summary


# Field references of each kind in the bundle format, as written in jsonl.
REF_FIELDS = {
    "person": [("affiliations", "organisation")],
    "organisation": ["parent"],
    "source": ["publisher", "authors", ("derived_from", "source")],
    "quote": ["speaker", "source", "channel", "reported_by", "claims"],
    "claim": ["about"],
    "figure": ["stated_by", "source", "derived_from"],
}


def refs_of(kind, rec):
    """Yields the keys a jsonl node record refers to."""
    for f in REF_FIELDS[kind]:
        if isinstance(f, tuple):
            field, sub = f
            for item in rec.get(field) or []:
                yield item[sub]
            continue
        v = rec.get(f)
        if isinstance(v, list):
            yield from v
        elif isinstance(v, str) and v:
            yield v


def cmd_prov_json(path):
    prov_model = need("prov.model")
    prov = need("prov")
    need("rdflib")
    doc = prov.read(path, format="json")
    if not isinstance(doc, prov_model.ProvDocument):
        fail("prov.read did not return a ProvDocument")
    agents, persons, orgs, entities, counts = [], 0, 0, [], {}
    for rec in doc.get_records():
        name = type(rec).__name__
        counts[name] = counts.get(name, 0) + 1
        if isinstance(rec, prov_model.ProvAgent):
            agents.append(rec.identifier.localpart)
            types = {str(t) for t in rec.get_asserted_types()}
            persons += "prov:Person" in types
            orgs += "prov:Organization" in types
        elif isinstance(rec, prov_model.ProvEntity):
            entities.append(rec.identifier.localpart)
    attributed = {}
    for rec in doc.get_records(prov_model.ProvAttribution):
        attrs = dict(rec.formal_attributes)
        e, a = attrs[prov_model.PROV_ATTR_ENTITY], attrs[prov_model.PROV_ATTR_AGENT]
        attributed.setdefault(e.localpart, []).append(a.localpart)
    # Turtle round trip through prov's own RDF serializer.
    ttl = doc.serialize(format="rdf", rdf_format="turtle")
    back = prov_model.ProvDocument.deserialize(content=ttl, format="rdf", rdf_format="turtle")
    before, after = list(doc.get_records()), list(back.get_records())
    if len(before) != len(after):
        fail("Turtle round trip: %d records before, %d after", len(before), len(after))
    if doc != back:
        index = {(type(r).__name__, str(r.identifier)): r for r in after}
        diff = [str(r) for r in before if index.get((type(r).__name__, str(r.identifier))) != r]
        fail("Turtle round trip changed %d records, e.g. %s", len(diff), diff[:3])
    return out({
        "agents": sorted(agents),
        "persons": persons,
        "organizations": orgs,
        "entities": sorted(entities),
        "records": counts,
        "attributed": {k: sorted(v) for k, v in attributed.items()},
        "roundTripRecords": len(after),
    })


def cmd_prov_o(path):
    rdflib = need("rdflib")
    from rdflib.namespace import RDF

    g = rdflib.Graph()
    g.parse(path, format="turtle")
    PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")

    def pairs(p):
        return sorted((str(s), str(o)) for s, o in g.subject_objects(PROV[p]))

    # Every unqualified relation must have its qualified form.
    qualified = {
        "wasAttributedTo": ("qualifiedAttribution", "Attribution", "agent"),
        "wasQuotedFrom": ("qualifiedQuotation", "Quotation", "entity"),
        "hadPrimarySource": ("qualifiedPrimarySource", "PrimarySource", "entity"),
        "wasRevisionOf": ("qualifiedRevision", "Revision", "entity"),
        "actedOnBehalfOf": ("qualifiedDelegation", "Delegation", "agent"),
        "wasInvalidatedBy": ("qualifiedInvalidation", "Invalidation", "activity"),
        "wasGeneratedBy": ("qualifiedGeneration", "Generation", "activity"),
        "wasInfluencedBy": ("qualifiedInfluence", "Influence", "influencer"),
    }
    for unq, (qp, cls, objp) in qualified.items():
        for s, o in g.subject_objects(PROV[unq]):
            ok = any(
                (q, RDF.type, PROV[cls]) in g and (q, PROV[objp], o) in g
                for q in g.objects(s, PROV[qp])
            )
            if not ok:
                fail("%s %s %s has no %s with a %s", s, unq, o, qp, cls)
    for s, o in g.subject_objects(PROV.wasQuotedFrom):
        if (s, PROV.wasDerivedFrom, o) not in g:
            fail("%s wasQuotedFrom %s without wasDerivedFrom", s, o)
    return out({
        "triples": len(g),
        "agents": sorted(str(s) for s in g.subjects(RDF.type, PROV.Agent)),
        "persons": len(set(g.subjects(RDF.type, PROV.Person))),
        "entities": len(set(g.subjects(RDF.type, PROV.Entity))),
        "wasAttributedTo": pairs("wasAttributedTo"),
        "wasDerivedFrom": len(pairs("wasDerivedFrom")),
        "wasQuotedFrom": len(pairs("wasQuotedFrom")),
        "hadPrimarySource": pairs("hadPrimarySource"),
        "wasInvalidatedBy": pairs("wasInvalidatedBy"),
        "wasRevisionOf": pairs("wasRevisionOf"),
        "qualifiedAttribution": len(list(g.subject_objects(PROV.qualifiedAttribution))),
    })


def cmd_graphml(path):
    nx = need("networkx")
    G = nx.read_graphml(path, force_multigraph=True)
    if not isinstance(G, nx.MultiDiGraph):
        fail("read_graphml gave %s, not a MultiDiGraph", type(G).__name__)
    types = {}
    for _, data in G.nodes(data=True):
        for k, v in data.items():
            types.setdefault(k, set()).add(type(v).__name__)
    for _, _, data in G.edges(data=True):
        for k, v in data.items():
            types.setdefault("edge." + k, set()).add(type(v).__name__)
    kinds = {}
    for n, data in G.nodes(data=True):
        if "kind" not in data or "label" not in data:
            fail("node %s has no kind or label", n)
        kinds[data["kind"]] = kinds.get(data["kind"], 0) + 1
    relations = {}
    for _, _, data in G.edges(data=True):
        relations[data["relation"]] = relations.get(data["relation"], 0) + 1
    return out({
        "nodes": sorted(G.nodes),
        "edges": G.number_of_edges(),
        "kinds": kinds,
        "relations": relations,
        "types": {k: sorted(v) for k, v in types.items()},
        "graph": dict(G.graph),
    })


def cmd_jsonl(path):
    pd = need("pandas")
    df = pd.read_json(path, lines=True, dtype=False)
    if "type" not in df.columns:
        fail("no type column")
    nodes = df[df["type"] != "link"]
    links = df[df["type"] == "link"]
    ids = nodes["id"]
    if ids.isna().any():
        fail("a node record has no id")
    if not ids.is_unique:
        fail("duplicate ids: %s", sorted(ids[ids.duplicated()])[:5])
    known = set(ids)
    for col in ("from", "to"):
        if len(links) and not links[col].isin(known).all():
            fail("link %s not among the nodes: %s", col, sorted(set(links[col]) - known)[:5])
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            rec = json.loads(line)
            if rec["type"] == "link":
                continue
            for ref in refs_of(rec["type"], rec):
                if ref not in known:
                    fail("line %d: %s refers to %s, not exported", n, rec["id"], ref)
    return out({
        "ids": sorted(known),
        "links": int(len(links)),
        "kinds": {k: int(v) for k, v in nodes["type"].value_counts().items()},
    })


TABLES = ["people", "organisations", "sources", "quotes", "claims", "figures"]


def read_table(pd, d, name):
    return pd.read_csv(os.path.join(d, name + ".csv"), dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")


def cmd_tables(d):
    pd = need("pandas")
    frames = {t: read_table(pd, d, t) for t in TABLES + ["nodes", "edges"]}
    all_ids = []
    for t in TABLES:
        df = frames[t]
        if list(df.columns[:1]) != ["id"]:
            fail("%s.csv: first column is %s, not id", t, list(df.columns[:1]))
        if not df["id"].is_unique:
            fail("%s.csv: duplicate ids", t)
        all_ids += list(df["id"])
    if len(all_ids) != len(set(all_ids)):
        fail("ids repeat across tables")
    nodes = frames["nodes"]
    if sorted(nodes["id"]) != sorted(all_ids):
        fail("nodes.csv does not list exactly the ids of the kind tables")
    known = set(all_ids)
    edges = frames["edges"]
    for col in ("from", "to"):
        bad = set(edges[col]) - known
        if bad:
            fail("edges.csv: %s not among the nodes: %s", col, sorted(bad)[:5])
    # JSON list columns parse.
    for t, col in [("people", "aliases"), ("quotes", "claims"), ("sources", "derived_from"), ("claims", "topics")]:
        for v in frames[t][col].dropna():
            if not isinstance(json.loads(v), list):
                fail("%s.%s: %r is not a JSON list", t, col, v)
    figures = read_table(pd, d, "figures")
    values = pd.to_numeric(figures["value"], errors="raise")
    return out({
        "ids": sorted(known),
        "rows": {t: int(len(f)) for t, f in frames.items()},
        "columns": {t: list(f.columns) for t, f in frames.items()},
        "links": int((edges["link"] == "true").sum()),
        "figureValues": {k: float(v) for k, v in zip(figures["id"], values)},
        "quoteText": dict(zip(frames["quotes"]["id"], frames["quotes"]["text"])),
    })


def profiles_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    p = os.path.join(here, "node_modules", "datapackage", "lib", "profiles")
    if not os.path.isdir(p):
        sys.exit("check.py: the Frictionless profiles are missing: run \"npm ci\" in tools/export-check (package datapackage)")
    return p


def cmd_datapackage(d):
    jsonschema = need("jsonschema")
    pd = need("pandas")
    prof = profiles_dir()
    with open(os.path.join(d, "datapackage.json"), encoding="utf-8") as f:
        pkg = json.load(f)
    with open(os.path.join(prof, "data-package.json"), encoding="utf-8") as f:
        package_profile = json.load(f)
    with open(os.path.join(prof, "tabular-data-resource.json"), encoding="utf-8") as f:
        tabular_profile = json.load(f)
    with open(os.path.join(prof, "data-resource.json"), encoding="utf-8") as f:
        resource_profile = json.load(f)
    jsonschema.validate(pkg, package_profile)
    for res in pkg["resources"]:
        profile = tabular_profile if res.get("profile") == "tabular-data-resource" else resource_profile
        try:
            jsonschema.validate(res, profile)
        except jsonschema.ValidationError as err:
            fail("resource %s: %s", res.get("name"), err.message)
    # The descriptor describes exactly the files.
    files = sorted(f for f in os.listdir(d) if f != "datapackage.json")
    paths = sorted(r["path"] for r in pkg["resources"])
    if files != paths:
        fail("files %s but resources %s", files, paths)
    names = [r["name"] for r in pkg["resources"]]
    if len(names) != len(set(names)):
        fail("resource names repeat")
    frames = {}
    for res in pkg["resources"]:
        p = os.path.join(d, res["path"])
        data = open(p, "rb").read()
        if res.get("bytes") != len(data):
            fail("%s: bytes %s, file has %d", res["path"], res.get("bytes"), len(data))
        if res.get("hash") != "sha256:" + hashlib.sha256(data).hexdigest():
            fail("%s: hash does not match", res["path"])
        if res.get("profile") != "tabular-data-resource":
            continue
        fields = [f["name"] for f in res["schema"]["fields"]]
        df = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
        if list(df.columns) != fields:
            fail("%s: header %s, schema %s", res["path"], list(df.columns), fields)
        if res.get("rows") != len(df):
            fail("%s: rows %s, file has %d", res["path"], res.get("rows"), len(df))
        for f in res["schema"]["fields"]:
            c = f.get("constraints", {})
            col = df[f["name"]]
            if c.get("required") and col.isna().any():
                fail("%s: required field %s has nulls", res["path"], f["name"])
            if "enum" in c and not col.dropna().isin(c["enum"]).all():
                fail("%s: %s outside its enum: %s", res["path"], f["name"], sorted(set(col.dropna()) - set(c["enum"])))
            if f["type"] == "integer":
                pd.to_numeric(col.dropna(), downcast="integer", errors="raise")
            if f["type"] == "number":
                pd.to_numeric(col.dropna(), errors="raise")
            if f["type"] == "boolean" and not col.dropna().isin(["true", "false"]).all():
                fail("%s: %s is not true or false", res["path"], f["name"])
        pk = res["schema"].get("primaryKey")
        if pk and df.duplicated(subset=pk).any():
            fail("%s: primary key %s repeats", res["path"], pk)
        frames[res["name"]] = (res, df)
    fks = 0
    for name, (res, df) in frames.items():
        for fk in res["schema"].get("foreignKeys", []):
            target = fk["reference"]["resource"] or name
            if target not in frames:
                fail("%s: foreign key to unknown resource %s", name, target)
            tdf = frames[target][1]
            vals = df[fk["fields"][0]].dropna()
            bad = set(vals) - set(tdf[fk["reference"]["fields"][0]])
            if bad:
                fail("%s.%s: %s not in %s", name, fk["fields"][0], sorted(bad)[:5], target)
            fks += 1
    return out({
        "resources": names,
        "files": files,
        "foreignKeys": fks,
        "created": pkg.get("created"),
        "rows": {n: int(len(df)) for n, (_, df) in frames.items()},
    })


def cmd_claimreview(path):
    rdflib = need("rdflib")
    import rdflib.plugins.shared.jsonld.context as jsonld_context

    # The schema.org context, as a JSON-LD document loader would cache it:
    # no network here. Any other remote context is an error.
    def load(url):
        if url.rstrip("/") in ("https://schema.org", "http://schema.org"):
            return {"@context": {"@vocab": "https://schema.org/"}}
        fail("unexpected remote context %s", url)

    jsonld_context.source_to_json = load
    g = rdflib.Graph()
    g.parse(path, format="json-ld")
    SDO = rdflib.Namespace("https://schema.org/")
    from rdflib.namespace import RDF

    reviews = {}
    for r in g.subjects(RDF.type, SDO.ClaimReview):
        item = g.value(r, SDO.itemReviewed)
        rating = g.value(r, SDO.reviewRating)
        if item is None or rating is None:
            fail("review %s lacks itemReviewed or reviewRating", r)
        if (item, RDF.type, SDO.Claim) not in g:
            fail("itemReviewed of %s is not a Claim", r)
        value = g.value(rating, SDO.ratingValue)
        best, worst = g.value(rating, SDO.bestRating), g.value(rating, SDO.worstRating)
        if value is None or best is None or worst is None or not (worst.toPython() <= value.toPython() <= best.toPython()):
            fail("review %s: rating %s outside [%s, %s]", r, value, worst, best)
        if g.value(r, SDO.claimReviewed) is None or g.value(r, SDO.datePublished) is None:
            fail("review %s lacks claimReviewed or datePublished", r)
        reviews[str(item)] = {
            "rating": int(value.toPython()),
            "name": str(g.value(rating, SDO.alternateName)),
            "authors": sorted(str(a) for a in g.objects(item, SDO.author)),
        }
    return out({"reviews": reviews, "triples": len(g)})


def readme_blocks(text, heading):
    """Returns the first ```python block under the heading."""
    m = re.search(r"^## " + re.escape(heading) + r"\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    if not m:
        fail("README has no section %s", heading)
    b = re.search(r"```python\n(.*?)```", m.group(1), re.S)
    if not b:
        fail("README section %s has no python block", heading)
    return b.group(1)


def cmd_readme(d):
    need("pandas")
    need("networkx")
    with open(os.path.join(d, "README.md"), encoding="utf-8") as f:
        text = f.read()
    os.chdir(d)
    summary = {}
    for heading in ("pandas", "networkx"):
        code = readme_blocks(text, heading)
        env = {"__name__": "__readme__"}
        stdout = sys.stdout
        sys.stdout = io.StringIO()
        try:
            exec(compile(code, "README.md#" + heading, "exec"), env)
        finally:
            sys.stdout = stdout
        if heading == "pandas":
            summary["quotes"] = int(len(env["quotes"]))
            summary["claimsIsList"] = all(isinstance(v, list) for v in env["quotes"]["claims"].dropna())
            summary["approxIsBool"] = str(env["figures"]["approx"].dtype)
        else:
            G = env["G"]
            summary["nodes"] = G.number_of_nodes()
            summary["edges"] = G.number_of_edges()
    return out(summary)


COMMANDS = {
    "prov-json": cmd_prov_json,
    "prov-o": cmd_prov_o,
    "graphml": cmd_graphml,
    "jsonl": cmd_jsonl,
    "tables": cmd_tables,
    "datapackage": cmd_datapackage,
    "claimreview": cmd_claimreview,
    "readme": cmd_readme,
}

def main(args):
    if not args or len(args) % 2 or any(c not in COMMANDS for c in args[::2]):
        sys.exit("usage: check.py {%s} PATH [COMMAND PATH ...]" % ",".join(COMMANDS))
    cwd = os.getcwd()
    result = {}
    for cmd, path in zip(args[::2], args[1::2]):
        try:
            result[cmd] = COMMANDS[cmd](os.path.abspath(path))
        except SystemExit as err:
            sys.exit("%s %s: %s" % (cmd, path, err.code))
        finally:
            os.chdir(cwd)
    json.dump(result, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
