"""Evaluate the shipped entity models on CoNLL testa/testb and time end-to-end extraction.

    .venv/bin/python bench/ner_eval.py --data ../shared/data

Scores are exact-span P/R/F1 (CoNLL style) with the gold tokenisation, tagging whole documents and applying the
corrections the archive applies (`entities/corrections.py`), so they score what ships. Speed is measured on the raw
text of testb (tokens joined by spaces) through `extract_entities`: tokenising, features, tagging,
name normalisation, on one core, in CPU time, best and median of five passes after a warm-up; the machine
is shared, so the CRF alone tagging ready-made attributes is timed in the same run as a yardstick.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive.entities import MODEL_LANGUAGES, extract_entities, tagged_spans, tagger  # noqa: E402
from archive.entities.conll import Score, data_file, read_conll  # noqa: E402
from archive.entities.tokenize import sentences  # noqa: E402

TYPES = ("PER", "ORG", "LOC", "MISC")


def score_split(lang: str, path: Path) -> Score:
    """Tag every sentence of a CoNLL file as the archive does (model, then its corrections) and score it."""
    score = Score()
    for doc in read_conll(path):
        for (words, gold), spans in zip(doc, tagged_spans([words for words, _ in doc], lang)):
            score.add(gold, bio(len(words), spans))
    return score


def bio(n: int, spans: list[tuple[str, int, int]]) -> list[str]:
    """Turn (type, first token, end token) spans back into BIO tags."""
    tags = ["O"] * n
    for kind, i, j in spans:
        tags[i:j] = ["B-" + kind] + ["I-" + kind] * (j - i - 1)
    return tags


def speed(lang: str, path: Path, repeats: int = 5) -> tuple[int, float, float, float]:
    """Time extract_entities on the raw text of a CoNLL file: tokens, best and median tokens per CPU
    second over `repeats` passes, and the yardstick (the CRF alone tagging ready-made attributes)."""
    docs = read_conll(path)
    texts = ["\n".join(" ".join(words) for words, _ in doc) for doc in docs]
    n = sum(len(words) for doc in docs for words, _ in doc)
    for text in texts:  # warm-up: load the model, fill the word cache
        extract_entities(text, lang)
    runs = []
    for _ in range(repeats):
        cpu = time.process_time()
        for text in texts:
            extract_entities(text, lang)
        runs.append(n / (time.process_time() - cpu))
    model = tagger(lang)
    ready = [model.featurizer.document([words for words, _ in doc]) for doc in docs]
    crf_only = []
    for _ in range(repeats):
        cpu = time.process_time()
        for doc in ready:
            for attrs in doc:
                model._tagger.tag(attrs)
        crf_only.append(n / (time.process_time() - cpu))
    return n, max(runs), statistics.median(runs), max(crf_only)


def profile(lang: str, path: Path, repeats: int = 5) -> dict[str, float]:
    """Split the end-to-end time on the raw text of a CoNLL file into stages, as shares of the whole (best of
    `repeats` passes each): tokenising, attributes (features.py), the CRF, and the rest (corrections, names)."""
    texts = ["\n".join(" ".join(words) for words, _ in doc) for doc in read_conll(path)]
    model = tagger(lang)
    clitics = lang == "en"
    docs = [[[t.text for t in sent] for sent in sentences(text, clitics)] for text in texts]
    ready = [model.featurizer.document(doc) for doc in docs]
    stages = {
        "all": lambda: [extract_entities(text, lang) for text in texts],
        "tokenise": lambda: [sentences(text, clitics) for text in texts],
        "features": lambda: [model.featurizer.document(doc) for doc in docs],
        "crf": lambda: [model._tagger.tag(attrs) for doc in ready for attrs in doc if attrs],
    }
    best = {}
    for name, run in stages.items():
        run()
        times = []
        for _ in range(repeats):
            cpu = time.process_time()
            run()
            times.append(time.process_time() - cpu)
        best[name] = min(times)
    best["rest"] = best["all"] - best["tokenise"] - best["features"] - best["crf"]
    return {name: t / best["all"] for name, t in best.items() if name != "all"}


def main(argv: list[str] | None = None) -> int:
    """Print the evaluation table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--langs", nargs="+", default=list(MODEL_LANGUAGES))
    ap.add_argument("--no-speed", action="store_true", help="skip the timing run")
    ap.add_argument("--profile", action="store_true", help="also split the time of the speed run into stages")
    args = ap.parse_args(argv)
    print(f"{'lang':4} {'split':5} {'type':5} {'P':>6} {'R':>6} {'F1':>6} {'gold':>6}")
    speeds = []
    for lang in args.langs:
        for part in ("testa", "testb"):
            path = data_file(args.data, lang, part)
            if not path.exists():
                print(f"{lang:4} {part:5} missing {path}")
                continue
            score = score_split(lang, path)
            for kind in TYPES + (None,):
                p, r, f = score.prf(kind)
                gold = score.gold[kind] if kind else sum(score.gold.values())
                print(f"{lang:4} {part:5} {kind or 'ALL':5} {p:6.3f} {r:6.3f} {f:6.3f} {gold:6d}")
            print()
        path = data_file(args.data, lang, "testb")
        if not args.no_speed and path.exists():
            speeds.append((lang, *speed(lang, path)))
            if args.profile:
                shares = profile(lang, path)
                print(f"profile {lang}: " + ", ".join(f"{name} {share:.0%}" for name, share in shares.items()))
    for lang, n, best, median, yardstick in speeds:
        print(f"speed {lang}: {n} tokens end to end (tokenise + features + tag + names), one core: "
              f"best {best:,.0f} tokens/s, median {median:,.0f} of 5 passes; yardstick (the CRF alone on "
              f"ready attributes) {yardstick:,.0f} tokens/s; ratio {best / yardstick:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
