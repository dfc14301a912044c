"""Score the archive's publication dates on htmldate's development pages, as htmldate's authors score.

    python bench/htmldate_eval.py [--data ../shared/data/htmldate-dev] [--show wrong|missing|all]

Each page goes through the archive's readers (`read_bytes`), as `archive ingest` would read it. A date is right
when its day equals the label in `truth.json`; a wrong day is a false positive, no date (or a refused page) a
false negative. precision = right / dated, recall = right / (right + undated), accuracy = right / pages. The
published table (htmldate's README, 1000 pages; this is half of them) is printed beside.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.readers import ReadError, read_bytes  # noqa: E402

PUBLISHED = [  # tool, precision, recall, accuracy (htmldate README)
    ("htmldate 1.10 extensive", 0.908, 0.993, 0.903),
    ("htmldate 1.10 fast", 0.924, 0.927, 0.861),
    ("newspaper4k", 0.912, 0.728, 0.680),
    ("news-please", 0.845, 0.777, 0.680),
    ("goose3", 0.930, 0.568, 0.545),
]


def page_date(path: Path) -> tuple[str | None, str]:
    """Return the archive's day for a page (ISO) and how it was found, or None and the refusal."""
    try:
        articles = list(read_bytes(path.name, path.read_bytes()))
    except ReadError as exc:
        return None, f"refused: {exc}"
    article = articles[0]
    if article.date is None:
        return None, "no date"
    return article.date.date().isoformat(), article.date_source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "htmldate-dev"))
    parser.add_argument("--show", choices=("wrong", "missing", "all"), help="list pages by outcome")
    args = parser.parse_args()
    folder = Path(args.data)
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    right = wrong = missing = 0
    how: Counter[str] = Counter()
    start = time.perf_counter()
    for name, label in sorted(truth.items()):
        found, source = page_date(folder / "pages" / name)
        if found is None:
            missing += 1
            outcome = "missing"
        elif found == label:
            right += 1
            outcome = "right"
            how[source] += 1
        else:
            wrong += 1
            outcome = "wrong"
        if args.show and (args.show == "all" or args.show == outcome):
            print(f"{outcome:8} {name}: label {label}, archive {found} ({source})")
    seconds = time.perf_counter() - start
    pages = len(truth)
    precision = right / (right + wrong) if right + wrong else 0.0
    recall = right / (right + missing) if right + missing else 0.0
    print(f"{pages} pages: {right} right, {wrong} wrong, {missing} without a date ({seconds:.1f} s)")
    print("right dates by evidence: " + ", ".join(f"{k} {v}" for k, v in how.most_common()))
    print(f"{'tool':28} precision  recall  accuracy")
    print(f"{'archive (this set)':28} {precision:9.3f} {recall:7.3f} {right / pages:9.3f}")
    for tool, p, r, a in PUBLISHED:
        print(f"{tool + ' (published)':28} {p:9.3f} {r:7.3f} {a:9.3f}")


if __name__ == "__main__":
    main()
