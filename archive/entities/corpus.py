"""Yield unlabeled news text per language from the shared data folder, for word clusters (training only)."""
from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

from .conll import data_file, read_conll

log = logging.getLogger(__name__)

_SGML_BODY = re.compile(r"<(?:TITLE|BODY)>(.*?)</(?:TITLE|BODY)>", re.S)


def conll_text(data: Path, lang: str, parts: tuple[str, ...] = ("train",)) -> Iterator[list[str]]:
    """Yield the sentences of CoNLL splits as token lists (labels unused; never pass `testb`)."""
    for part in parts:
        for doc in read_conll(data_file(data, lang, part)):
            for words, _ in doc:
                yield words


def raw_texts(data: Path, lang: str) -> Iterator[str]:
    """Yield raw article texts in `lang` from the unlabeled sources that exist under `data`."""
    data = Path(data)
    if lang == "nl":
        path = data / "dpgmedia2019" / "dpgMedia2019-articles-byarticle-all.jsonl"
        if path.exists():
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    rec = json.loads(line)
                    yield (rec.get("title") or "") + "\n" + (rec.get("text") or "")
    if lang == "en":
        for path in sorted((data / "reuters21578").glob("*.sgm")):
            raw = path.read_bytes().decode("latin-1")
            for m in _SGML_BODY.finditer(raw):
                yield html.unescape(m.group(1)).replace("\x03", "")
        for path in sorted((data / "bbc").glob("*/*.txt")):
            yield path.read_bytes().decode("utf-8", errors="replace")
        for path in sorted((data / "basil" / "articles").glob("*/*.json")):
            rec = json.loads(path.read_text(encoding="utf-8"))
            paras = rec.get("body-paragraphs") or []
            yield (rec.get("title") or "") + "\n" + "\n".join(" ".join(p) for p in paras)


def sentences_for(data: Path, lang: str, parts: tuple[str, ...] = ("train",)) -> Iterator[list[str]]:
    """Yield token lists: CoNLL training text, tokenised raw news text, then the text of the other CoNLL `parts`."""
    from .tokenize import sentences

    if "testb" in parts:
        raise ValueError("testb is held out: its text must not shape the clusters")
    yield from conll_text(data, lang)
    n = 0
    for text in raw_texts(data, lang):
        n += 1
        for sent in sentences(text, split_clitics=lang == "en"):
            yield [t.text for t in sent]
    log.info("%s: %d raw articles", lang, n)
    yield from conll_text(data, lang, tuple(p for p in parts if p != "train"))
