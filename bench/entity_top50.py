"""The 50 most frequent entries of each entity facet on a slice of the real corpus, printed for a person to judge.

    python bench/entity_top50.py [--data ../shared/data] [--reuters 2000] [--bbc 1000] [--dpg 1000] [--ui en]

Reads the first articles of Reuters-21578 (as bench/corpus.py converts it), BBC and DpgMedia2019 (Dutch) through
the archive's own readers, enriches them as ingest does, and counts articles per (type, entity key) as the facets
do. Where the archive has them, the archive-level type vote (`archive.facetview.type_votes`) and the names in the
interface's language (`archive.entities.languages`) are applied as the web facets apply them, so the list is what a
reader of the whole-archive facets sees. Each row: rank, articles, shown name, key (when it differs), other types.
Nothing is written.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from archive.analysis import fold  # noqa: E402
from archive.enrich import find_entities  # noqa: E402
from archive.language import detect_language  # noqa: E402
from archive.model import LABELS  # noqa: E402
from archive.readers import iter_inputs, read_input  # noqa: E402
from corpus import reuters_records  # noqa: E402


def articles(data: Path, n_reuters: int, n_bbc: int, n_dpg: int):
    """Yield the slice's articles: the first n of each source, in file order."""
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "reuters.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for i, rec in enumerate(reuters_records(data / "reuters21578")):
                if i >= n_reuters:
                    break
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        for inp_path, n in ((str(path), n_reuters), (str(data / "bbc"), n_bbc),
                            (str(data / "dpgmedia2019/dpgMedia2019-articles-byarticle-all.jsonl"), n_dpg)):
            seen = 0
            for inp in iter_inputs([inp_path]):
                if seen >= n:
                    break
                try:
                    got = list(read_input(inp))
                except Exception:  # noqa: BLE001 - a bench skips what ingest would report
                    continue
                for a in got:
                    if seen >= n:
                        break
                    seen += 1
                    yield a


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--reuters", type=int, default=2000)
    ap.add_argument("--bbc", type=int, default=1000)
    ap.add_argument("--dpg", type=int, default=1000)
    ap.add_argument("--ui", default="en", help="interface language of the shown names")
    ap.add_argument("--top", type=int, default=50)
    args = ap.parse_args()

    counts: dict[str, Counter[str]] = {label: Counter() for label in LABELS}
    forms: dict[tuple[str, str], Counter[str]] = {}
    started, n = time.perf_counter(), 0
    for a in articles(args.data, args.reuters, args.bbc, args.dpg):
        if not a.language:
            a.language = detect_language(" ".join(filter(None, [a.title, a.body[:2000]])))
        a.entities = find_entities(a)
        n += 1
        for label in LABELS:
            for name in a.names(label):
                counts[label][fold(name)] += 1
                forms.setdefault((label, fold(name)), Counter())[name] += 1
    print(f"{n} articles enriched in {time.perf_counter() - started:.0f} s", file=sys.stderr)

    try:
        from archive.facetview import type_votes
    except ImportError:
        type_votes = None
    try:
        from archive.entities.languages import display_name
    except ImportError:
        display_name = None
    votes = type_votes({label: dict(c) for label, c in counts.items()}) if type_votes else {}
    for label in LABELS:
        print(f"\n== {label} (top {args.top}{', type vote applied' if votes else ''}) ==")
        shown = [(k, c) for k, c in counts[label].most_common()
                 if votes.get(k, label) == label][: args.top]
        for rank, (key, c) in enumerate(shown, 1):
            name = forms[(label, key)].most_common(1)[0][0]
            show = display_name(name, args.ui) if display_name else name
            others = ", ".join(f"{o} {counts[o][key]}" for o in LABELS if o != label and counts[o][key])
            print(f"{rank:3} {c:5}  {show}" + (f"   [key {name}]" if show != name else "")
                  + (f"   (also {others})" if others else ""))


if __name__ == "__main__":
    main()
