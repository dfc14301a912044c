"""Build the benchmark corpus from ../shared/data: Reuters-21578 SGML converted to JSON Lines, plus BBC,
DpgMedia2019 and BASIL as they are. Writes nothing into the repository except under bench/out/ (git-ignored).

    python bench/corpus.py [--data ../shared/data] [--out bench/out] [--replicas 1]

Prints the list of inputs (one per line) that `archive ingest` takes.
"""
from __future__ import annotations

import argparse
import html
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_DOC_RE = re.compile(r"<REUTERS(?P<attrs>[^>]*)>(?P<doc>.*?)</REUTERS>", re.S)


def _tag(doc: str, name: str) -> str:
    match = re.search(rf"<{name}>(.*?)</{name}>", doc, re.S)
    return html.unescape(match.group(1)).strip() if match else ""


def reuters_records(folder: Path):
    """Yield one JSON-ready record per Reuters-21578 story that has a body."""
    for sgm in sorted(folder.glob("reut2-*.sgm")):
        text = sgm.read_bytes().decode("latin-1")
        for match in _DOC_RE.finditer(text):
            doc = match.group("doc")
            body = _tag(doc, "BODY")
            if not body:
                continue
            newid = re.search(r'NEWID="(\d+)"', match.group("attrs"))
            body = re.sub(r"\s*\n\s{3,}", "\n\n", body.replace("\x03", "")).strip()
            body = re.sub(r"\s*\bReuter\s*$", "", body)  # the wire's sign-off, not part of the story
            yield {
                "id": f"reuters-{newid.group(1) if newid else len(body)}",
                "title": _tag(doc, "TITLE").title() or None,
                "text": " ".join(_tag(doc, "DATELINE").split()) + " " + body,
                "date": _tag(doc, "DATE"),
                "source": "Reuters",
                "language": "en",
            }


def build(data: Path, out: Path, replicas: int = 1) -> list[str]:
    """Write the converted Reuters file and return every input path of the corpus.

    Replica 0 is the real corpus as it is (Reuters converted, the others in their own formats). Each further
    replica is one JSON Lines file holding every article again under new ids, with a marker word added to its
    text so that it is a near-duplicate (a reprint), not an identical copy.
    """
    out.mkdir(parents=True, exist_ok=True)
    reuters = out / "reuters-0.jsonl"
    with reuters.open("w", encoding="utf-8") as fh:
        for rec in reuters_records(data / "reuters21578"):
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    inputs = [str(reuters)]
    for name in ("bbc", "dpgmedia2019/dpgMedia2019-articles-byarticle-all.jsonl", "basil/articles"):
        if (data / name).exists():
            inputs.append(str(data / name))
    if replicas > 1:
        inputs += _replicas(inputs, out, replicas)
    return inputs


def _replicas(inputs: list[str], out: Path, replicas: int) -> list[str]:
    """Write replicas 1..n-1 of every article read from `inputs`, one JSON Lines file each."""
    sys.path.insert(0, str(ROOT))
    from archive.readers import iter_inputs, read_input

    paths = []
    for r in range(1, replicas):
        path = out / f"replica-{r}.jsonl"
        paths.append(str(path))
        if path.exists():
            continue
        with path.open("w", encoding="utf-8") as fh:
            for inp in iter_inputs(inputs):
                try:
                    articles = read_input(inp)
                except Exception:  # noqa: BLE001 - a bench skips what the archive would report
                    continue
                for a in articles:
                    rec = {"id": f"{a.id}-r{r}", "title": a.title, "text": f"{a.body} (replica {r})",
                           "date": a.date_iso, "source": a.source, "language": a.language}
                    fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--out", default=str(ROOT / "bench" / "out"))
    parser.add_argument("--replicas", type=int, default=1)
    args = parser.parse_args()
    for path in build(Path(args.data), Path(args.out), args.replicas):
        print(path)


if __name__ == "__main__":
    main()
