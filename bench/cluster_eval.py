"""Measure reprint clustering on real articles with realistic edits.

    python bench/cluster_eval.py [--data ../shared/data] [--originals 600] [--seed 1]

Originals are real articles (BBC English, DpgMedia2019 Dutch). For half of them, 1 to 3 reprints are made the way
outlets reprint wire copy: a new lead sentence in place of the first one, a few words changed (numbers, weekdays,
synonyms), the last paragraph cut, an editor's note added, a different source and time. The other half, which
includes articles on the same topics (BBC's categories), are negatives. Everything is ingested through the real
pipeline into a temporary index; pairwise precision and recall compare the clusters found with the true groups.
"""
from __future__ import annotations

import argparse
import itertools
import json
import random
import shutil
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.backends.whoosh.index import iter_articles, open_index  # noqa: E402
from archive.ingest import ingest  # noqa: E402

LEADS = ["Update: ", "(Bijgewerkt) ", "Breaking: ", "Eerder vandaag: "]
NOTES = ["Editor's note: this story has been updated.", "Dit artikel werd aangevuld.", "(With agency reporting.)"]
SWAPS = {"Monday": "Tuesday", "said": "stated", "maandag": "dinsdag", "zei": "zegt", "government": "cabinet",
         "regering": "kabinet", "people": "residents", "mensen": "inwoners"}


def originals(data: Path, n: int, rng: random.Random) -> list[dict]:
    """Pick n real articles with enough text: BBC and DpgMedia2019, half each where possible."""
    pool = []
    for path in sorted((data / "bbc").glob("*/*.txt")):
        lines = path.read_text(encoding="latin-1").split("\n")
        pool.append({"title": lines[0], "text": "\n".join(lines[1:]).strip(), "language": "en"})
    dpg = data / "dpgmedia2019" / "dpgMedia2019-articles-byarticle-all.jsonl"
    for line in dpg.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec.get("text"):
            pool.append({"title": rec["title"], "text": rec["text"], "language": "nl"})
    pool = [p for p in pool if len(p["text"].split()) >= 80]
    seen, unique = set(), []
    for p in pool:  # the real data repeats some articles: keep one of each
        if p["text"][:300] not in seen:
            seen.add(p["text"][:300])
            unique.append(p)
    return rng.sample(unique, min(n, len(unique)))


def reprint(text: str, rng: random.Random, heavy: bool = False) -> str:
    """Edit a story as an outlet reprinting it would (`heavy`: a tenth of the words changed, 40% cut)."""
    sentences = [s for s in text.replace("\n", " ").split(". ") if s]
    if len(sentences) > 3 and rng.random() < 0.7:
        sentences[0] = rng.choice(LEADS) + " ".join(sentences[0].split()[: max(4, len(sentences[0].split()) // 2)])
    if len(sentences) > 4 and (heavy or rng.random() < 0.6):
        sentences = sentences[: -max(1, len(sentences) * (2 if heavy else 1) // 5)]
    words = ". ".join(sentences).split(" ")
    for i in rng.sample(range(len(words)), k=max(1, len(words) // (10 if heavy else 30))):
        w = words[i]
        words[i] = SWAPS.get(w, str(rng.randint(2, 99)) if w.isdigit() else (rng.choice(words) if heavy else w))
    out = " ".join(words)
    if rng.random() < 0.4:
        out += "\n\n" + rng.choice(NOTES)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--originals", type=int, default=600)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--heavy", action="store_true", help="Heavier edits: 10% of words changed, 40% cut.")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    records, truth = [], {}
    for i, art in enumerate(originals(Path(args.data), args.originals, rng)):
        base = {"title": art["title"], "language": art["language"], "date": f"2019-03-{1 + i % 28:02d}"}
        records.append(dict(base, id=f"o{i}", url=f"https://eval.invalid/o{i}", text=art["text"],
                            source="Origin Wire"))
        truth[f"o{i}"] = f"g{i}"
        if i % 2 == 0:
            for k in range(rng.randint(1, 3)):
                rid = f"o{i}r{k}"
                records.append(dict(base, id=rid, url=f"https://eval.invalid/{rid}", text=reprint(art["text"], rng, args.heavy),
                                    source=f"Outlet {k}",
                                    date=f"2019-03-{1 + i % 28:02d}T{10 + k}:00"))
                truth[rid] = f"g{i}"
    rng.shuffle(records)
    tmp = Path(tempfile.mkdtemp(prefix="cluster-eval-"))
    try:
        corpus = tmp / "corpus.jsonl"
        corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
        report = ingest([str(corpus)], str(tmp / "ix"), workers=2, batch_size=200)
        predicted = {a.url.rsplit("/", 1)[-1]: a.cluster for a in iter_articles(open_index(tmp / "ix")) if a.url}
        ids = sorted(predicted)
        tp = fp = fn = 0
        for a, b in itertools.combinations(ids, 2):
            same_true = truth[a] == truth[b]
            same_pred = predicted[a] is not None and predicted[a] == predicted[b]
            tp += same_true and same_pred
            fp += same_pred and not same_true
            fn += same_true and not same_pred
        groups = defaultdict(list)
        for rid in ids:
            groups[truth[rid]].append(rid)
        print(f"records: {len(records)} ({sum(1 for g in groups.values() if len(g) > 1)} stories with reprints, "
              f"{sum(len(g) for g in groups.values() if len(g) > 1) - sum(1 for g in groups.values() if len(g) > 1)}"
              f" reprints); matched back: {len(ids)}; ingested {report.articles}")
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        print(f"pairwise precision {precision:.3f}  recall {recall:.3f}  (true pairs {tp + fn}, found pairs {tp + fp})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
