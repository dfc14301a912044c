"""An article as one row of the `articles` table: its columns and its `terms` tsvector (made in ingest workers).

The lexemes are the Whoosh engine's terms (`analysis.analyse_words`), so both engines match the same articles:
exact words with their positions (title words weighted A), and the stemmed words of the article's language as
`#<lang>:<stem>` with theirs. PostgreSQL keeps at most 256 positions per lexeme and positions up to 16,383; later
ones are dropped here (they only matter to phrases past that point).
"""
from __future__ import annotations

import json
from typing import Any

from ...analysis import analyse_words, fold, text_field
from ...model import ENTITY_FIELDS, LABELS, Article, article_date_key
from .sql import lexeme, quote

MAX_POSITION = 16_383
MAX_POSITIONS = 256
MAX_LEXEME_BYTES = 2_000
FACET_OF_LABEL = {label: label for label in LABELS}


def terms_vector(article: Article) -> str:
    """Return the article's terms as tsvector input text."""
    title_words = len(analyse_words(article.title, None)[0]) if article.title else 0
    text = "\n\n".join(p for p in (article.title or "", article.caption or "", article.body) if p)
    exact, stems = analyse_words(text, article.language)
    prefix = lexeme(text_field(article.language), "")  # `#en:` before each stem
    labels = [f"{i}A" if i <= title_words else str(i)  # each position as written, made once for both lists
              for i in range(1, min(max(len(exact), len(stems)), MAX_POSITION) + 1)]
    positions: dict[str, list[str]] = {}
    get = positions.get
    for lexemes in (exact, map(prefix.__add__, stems)):
        for lex, label in zip(lexemes, labels):
            found = get(lex)
            if found is None:
                positions[lex] = [label]
            elif len(found) < MAX_POSITIONS:
                found.append(label)
    return " ".join(f"{_quoted(lex)}:{','.join(pos)}" for lex, pos in positions.items()
                    if len(lex) * 4 <= MAX_LEXEME_BYTES or len(lex.encode("utf-8")) <= MAX_LEXEME_BYTES)


def _quoted(lex: str) -> str:
    return quote(lex) if "'" in lex or "\\" in lex else "'" + lex + "'"


def prepare(article: Article) -> bytes:
    """The per-article work of an ingest worker for PostgreSQL: the article's COPY line, but for its cluster.

    The stored record leaves the cluster out (the writer assigns it; reads take it from the `cluster` column),
    so the single writer only appends two fields to each line.
    """
    return copy_line(row(article, terms_vector(article)))


def copy_line(values: tuple[Any, ...]) -> bytes:
    """Format values as the start of a line of COPY's text format (tab-separated, escaped)."""
    return "\t".join(_copy_text(v) for v in values).encode("utf-8")


def finish_line(prepared: bytes, cluster: str | None, grp: str) -> bytes:
    """Append the writer's two fields (cluster and result group) and end the line."""
    return prepared + b"\t" + _copy_text(cluster).encode("utf-8") + b"\t" + _copy_text(grp).encode("utf-8") + b"\n"


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, list):
        return _copy_text("{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in value) + "}")
    return str(value).translate(_ESCAPES)


def entity_keys(article: Article, label: str) -> list[str]:
    """Return the folded keys of an article's names of one type, each once (as the Whoosh index splits them)."""
    keys: dict[str, None] = {}
    for name in article.names(label):
        key = fold(name.replace(",", " ")).strip()
        if key:
            keys.setdefault(key, None)
    return list(keys)


def row(article: Article, terms: str) -> tuple[Any, ...]:
    """Return the column values of an article but its cluster and group, in `schema.COLUMN_NAMES` order."""
    per, org, loc, misc = (entity_keys(article, label) for label in LABELS)
    every = list(dict.fromkeys(per + org + loc + misc))
    record = article.to_dict()
    record["cluster"] = None  # the column holds it
    return (article.id, json.dumps(record, ensure_ascii=False), article.language or "",
            fold(article.source) if article.source else None, article_date_key(article),
            per, org, loc, misc, every, terms)


def facet_forms(article: Article) -> list[tuple[str, str, str]]:
    """Return (facet, key, written form) for every facet value of an article: what display names are voted from."""
    out = []
    if article.source:
        out.append(("source", fold(article.source), article.source))
    if article.language:
        out.append(("language", fold(article.language), article.language))
    for label in ENTITY_FIELDS:
        seen = set()
        for name in article.names(label):
            key = fold(name)
            if key and (key, name) not in seen:
                seen.add((key, name))
                out.append((label, key, name))
    return out
