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
            body = re.sub(r"\s*\n\s{3,}", "\n\n", body.replace("\x03", "")).replace(" Reuter", "").strip()
            yield {
                "id": f"reuters-{newid.group(1) if newid else len(body)}",
                "title": _tag(doc, "TITLE").title() or None,
                "text": " ".join(_tag(doc, "DATELINE").split()) + " " + body,
                "date": _tag(doc, "DATE"),
                "source": "Reuters",
                "language": "en",
            }


def build(data: Path, out: Path, replicas: int = 1) -> list[str]:
    """Write the converted Reuters file(s) and return every input path of the corpus."""
    out.mkdir(parents=True, exist_ok=True)
    records = list(reuters_records(data / "reuters21578"))
    inputs = []
    for r in range(replicas):
        path = out / f"reuters-{r}.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for rec in records:
                if r:
                    rec = dict(rec, id=f"{rec['id']}-r{r}", text=f"{rec['text']} (copy {r})")
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        inputs.append(str(path))
    for name in ("bbc", "dpgmedia2019/dpgMedia2019-articles-byarticle-all.jsonl", "basil/articles"):
        if (data / name).exists():
            inputs.append(str(data / name))
    return inputs


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
