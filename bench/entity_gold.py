"""Score the shipped entity path on our own gold set of real articles: mention F1 and canonical-name accuracy.

    python bench/entity_gold.py [--data ../shared/data] [--gold bench/gold/entities.jsonl] [--errors]
    python bench/entity_gold.py pick                    # the articles of the set (refs), chosen reproducibly
    python bench/entity_gold.py show REF [REF ...]      # an article's fields as the archive reads them
    python bench/entity_gold.py check                   # every annotated form occurs in its article
    python bench/entity_gold.py dump FILE               # write the system's mentions (to score another version)
    python bench/entity_gold.py --system FILE           # score mentions dumped by another version of the archive

The gold file holds, per article, only its reference (where it is in ../shared/data) and our annotations:
every person (PER), organisation (ORG) and place (LOC) with its canonical name and the forms the article writes
it in. No article text is committed. The gold mentions of an article are the occurrences of its forms in title,
caption and body (case as written, whole words, longest form first, no overlaps).

Scores: a system mention counts when field, start, end and type equal a gold mention's (exact spans, as CoNLL
scores); MISC mentions of the system are not scored (the set has none). Canonical-name accuracy: of the gold
mentions the system finds with the right span, the share whose entity name is the gold name, both compared in
English (`languages.display_name(name, "en")`, folded), so `Genève` on a Dutch page and `Geneva` agree when the
shipped name data says they are one place.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections import Counter
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from archive.analysis import fold  # noqa: E402
from archive.enrich import find_entities  # noqa: E402
from archive.language import detect_language  # noqa: E402
from archive.model import Article  # noqa: E402
from archive.readers import iter_inputs, read_input  # noqa: E402

GOLD = ROOT / "bench" / "gold" / "entities.jsonl"
TYPES = ("PER", "ORG", "LOC")
FIELDS = ("title", "caption", "body")


def _read_one(path: Path) -> Article:
    """The (first) article the archive reads from `path`."""
    for inp in iter_inputs([str(path)]):
        for article in read_input(inp):  # type: ignore[arg-type]
            if not article.language:
                article.language = detect_language(" ".join(filter(None, [article.title, article.body[:2000]])))
            return article
    raise SystemExit(f"no article in {path}")


def load(ref: str, data: Path) -> Article:
    """Read the article a reference names: `reuters:NEWID`, `bbc:business/001.txt`, `dpg:ID`, `basil:2010/x.json`,
    `page:name.html` (htmldate-dev)."""
    kind, _, key = ref.partition(":")
    if kind == "bbc":
        return _read_one(data / "bbc" / key)
    if kind == "basil":
        return _read_one(data / "basil" / "articles" / key)
    if kind == "page":
        return _read_one(data / "htmldate-dev" / "pages" / key)
    if kind == "reuters":
        record = _records(data, "reuters").get(f"reuters-{key}")
    elif kind == "dpg":
        record = _records(data, "dpg").get(int(key))
    else:
        raise SystemExit(f"unknown reference {ref!r}: use reuters:, bbc:, dpg:, basil: or page:")
    if record is None:
        raise SystemExit(f"{ref}: not found under {data}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "one.jsonl"
        path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
        return _read_one(path)


@lru_cache(maxsize=4)
def _records(data: Path, kind: str) -> dict:
    """Every Reuters story (as bench/corpus.py converts it) or DPG Media record, by id: read once."""
    if kind == "reuters":
        from corpus import reuters_records

        return {r["id"]: r for r in reuters_records(data / "reuters21578")}
    path = data / "dpgmedia2019" / "dpgMedia2019-articles-byarticle-all.jsonl"
    with path.open(encoding="utf-8") as fh:
        return {r["id"]: r for r in map(json.loads, fh)}


def gold_mentions(article: Article, entities: list[dict]) -> dict[tuple[str, int, int], tuple[str, str]]:
    """(field, start, end) -> (type, canonical name) for every occurrence of the annotated forms."""
    forms = sorted(((form, e["type"], e["name"]) for e in entities for form in e["forms"]),
                   key=lambda f: -len(f[0]))
    out: dict[tuple[str, int, int], tuple[str, str]] = {}
    for field in FIELDS:
        text = getattr(article, field) or ""
        taken = [False] * len(text)
        for form, kind, name in forms:
            for m in re.finditer(r"(?<![\w-])" + re.escape(form) + r"(?![\w-])", text):
                if not any(taken[m.start():m.end()]):
                    taken[m.start():m.end()] = [True] * (m.end() - m.start())
                    out[(field, m.start(), m.end())] = (kind, name)
    return out


def english(name: str) -> str:
    """A name as the English interface shows it, folded: the key the canonical-name score compares."""
    from archive.entities.languages import display_name

    return fold(display_name(name, "en"))


def pick(data: Path) -> list[str]:
    """The set's articles, reproducibly: spread over each source's files, skipping tables and briefs."""
    from corpus import reuters_records

    refs = []
    stories = [r for r in reuters_records(data / "reuters21578") if len(r["text"].split()) >= 150]
    refs += [f"reuters:{r['id'].split('-')[1]}" for r in stories[:: len(stories) // 17][:17]]
    for topic in ("business", "entertainment", "politics", "sport", "tech"):
        refs += [f"bbc:{topic}/{n:03d}.txt" for n in (7, 61, 133)]
    basil = sorted((data / "basil" / "articles").glob("*/*.json"))
    refs += [f"basil:{p.parent.name}/{p.name}" for p in basil[:: len(basil) // 18][:18]]
    dpg = [json.loads(line) for line in (data / "dpgmedia2019" / "dpgMedia2019-articles-byarticle-all.jsonl").open()]
    dpg = [r for r in dpg if 150 <= len(r["text"].split()) <= 900]
    refs += [f"dpg:{r['id']}" for r in dpg[:: len(dpg) // 50][:50]]
    refs += [f"page:{name}" for name in (
        "20minutes.fr-Ciaran.html", "aoc.media.archaisme.html", "lesechos.fr-Macron.html", "gala.fr.surnom.html",
        "lopinion.fr.glyphosate.html", "bondyblog.fr.paris-8.html", "elmundo.es-PSOE.html")]
    return refs


def system_mentions(article: Article) -> list[list]:
    """The shipped path's PER/ORG/LOC mentions of an article: [field, start, end, label, name]."""
    return [[e.field, e.start, e.end, e.label, e.name] for e in find_entities(article) if e.label in TYPES]


def score(data: Path, gold_path: Path, show_errors: bool, system: dict[str, list[list]] | None = None) -> None:
    rows = [json.loads(line) for line in gold_path.open(encoding="utf-8") if line.strip()]
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    names_right: Counter[str] = Counter()
    names_seen: Counter[str] = Counter()
    errors: list[str] = []
    for row in rows:
        article = load(row["ref"], data)
        lang = row.get("language") or article.language or "?"
        gold = gold_mentions(article, row["entities"])
        mentions = system[row["ref"]] if system is not None else system_mentions(article)
        found = {(f, start, end): (label, name) for f, start, end, label, name in mentions}
        for span, (kind, name) in gold.items():
            got = found.get(span)
            if got and got[0] == kind:
                tp[lang] += 1
            else:
                fn[lang] += 1
                errors.append(f"{row['ref']} missed {kind} {span_text(article, span)!r}"
                              + (f" (tagged {got[0]})" if got else ""))
            if got:
                names_seen[lang] += 1
                if english(got[1]) == english(name):
                    names_right[lang] += 1
                else:
                    errors.append(f"{row['ref']} name {span_text(article, span)!r}: {got[1]!r}, gold {name!r}")
        for span, (kind, _) in found.items():
            if gold.get(span, ("",))[0] != kind:
                fp[lang] += 1
                if span not in gold:
                    errors.append(f"{row['ref']} false {kind} {span_text(article, span)!r}")
    print(f"{len(rows)} articles, {sum(tp.values()) + sum(fn.values())} gold mentions ({gold_path.name})")
    print(f"{'':6} {'articles':>8} {'P':>6} {'R':>6} {'F1':>6} {'names':>7}")
    per_lang = Counter(row.get("language") or "?" for row in rows)
    for lang in sorted(set(tp) | set(fn) | set(fp)) + ["all"]:
        pick_ = (lambda c: sum(c.values())) if lang == "all" else (lambda c: c[lang])
        t, f_p, f_n = pick_(tp), pick_(fp), pick_(fn)
        p = t / (t + f_p) if t + f_p else 0.0
        r = t / (t + f_n) if t + f_n else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        acc = pick_(names_right) / pick_(names_seen) if pick_(names_seen) else 0.0
        n = sum(per_lang.values()) if lang == "all" else per_lang[lang]
        print(f"{lang:6} {n:8} {p:6.3f} {r:6.3f} {f1:6.3f} {acc:7.3f}")
    if show_errors:
        print("\n".join(errors))


def span_text(article: Article, span: tuple[str, int, int]) -> str:
    return (getattr(article, span[0]) or "")[span[1]:span[2]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("command", nargs="?", default="score", choices=("score", "pick", "show", "check", "dump"))
    ap.add_argument("refs", nargs="*")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--gold", type=Path, default=GOLD)
    ap.add_argument("--errors", action="store_true", help="list every miss, false mention and wrong name")
    ap.add_argument("--system", type=Path, help="score the mentions in this dump instead of running the archive")
    args = ap.parse_args()
    if args.command == "pick":
        print("\n".join(pick(args.data)))
    elif args.command == "show":
        for ref in args.refs:
            a = load(ref, args.data)
            print(f"=== {ref}  language {a.language}\n--- title\n{a.title or ''}\n--- caption\n{a.caption or ''}"
                  f"\n--- body\n{a.body}\n")
    elif args.command == "check":
        bad = 0
        for line in args.gold.open(encoding="utf-8"):
            row = json.loads(line)
            a = load(row["ref"], args.data)
            text = "\n".join(filter(None, (a.title, a.caption, a.body)))
            for e in row["entities"]:
                if e["type"] not in TYPES:
                    bad += 1
                    print(f"{row['ref']}: type {e['type']!r} is not one of {TYPES}")
                for form in e["forms"]:
                    if not re.search(r"(?<![\w-])" + re.escape(form) + r"(?![\w-])", text):
                        bad += 1
                        print(f"{row['ref']}: form {form!r} ({e['name']}) is not in the article")
        print(f"{bad} problems")
        sys.exit(1 if bad else 0)
    elif args.command == "dump":
        with open(args.refs[0], "w", encoding="utf-8") as fh:
            for line in args.gold.open(encoding="utf-8"):
                ref = json.loads(line)["ref"]
                fh.write(json.dumps({"ref": ref, "mentions": system_mentions(load(ref, args.data))},
                                    ensure_ascii=False) + "\n")
    else:
        system = None
        if args.system:
            system = {r["ref"]: r["mentions"] for r in map(json.loads, args.system.open(encoding="utf-8"))}
        score(args.data, args.gold, args.errors, system)


if __name__ == "__main__":
    main()
