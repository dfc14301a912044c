"""The on-disk Whoosh index: its schema, opening it, and writing articles into it.

One document per article, keyed by `id` so that re-ingesting updates in place. The full record is stored as
JSON (so the archive can be exported and rebuilt without the original files); text goes into the field of the
article's language and into `exact`; entities and source are indexed by folded key for filtering; a `facets`
column holds the display names used to count facets without loading stored documents; two sortable date keys
put undated articles last whichever way the results are sorted.
"""
from __future__ import annotations

import io
import json
import logging
import os
import pickle
import re
import shutil
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from whoosh import fields, index, writing
from whoosh.codec import whoosh3
from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.index import LockError
from whoosh.searching import Searcher
from whoosh.system import pack_uint

from ...analysis import TEXT_FIELDS, analyse_words, exact_analyzer, fold, key_analyzer, language_analyzer, text_field
from ...query import WORD_FIELDS
from ..base import IndexBusy, IndexMissing
from .integrity import release_leaked, write_sums
from ...model import ENTITY_FIELDS, LABELS, UNDATED_OLD, Article, date_key

log = logging.getLogger(__name__)

UNDATED_NEW = 0  # sorts last when sorting newest first (descending)
FACET_SEP, VALUE_SEP = "\x1e", "\x1f"
FACET_KEYS = ("source", "language", *LABELS, "cluster")
SCHEMA_VERSION = "1"


def _cached_length_reader(self, fieldname, column):  # type: ignore[no-untyped-def]
    """Whoosh's `W3PerDocReader._cached_reader`, remembering fields that have no lengths column too.

    Whoosh asks the file system whether such a column exists for every posting it writes (one `stat` per
    posting of every keyword, id and numeric field); caching the answer makes writing much cheaper.
    """
    if fieldname not in self._readers:
        self._readers[fieldname] = (
            self.column_reader(fieldname, column) if self.has_column(fieldname) else None
        )
    return self._readers[fieldname]


whoosh3.W3PerDocReader._cached_reader = _cached_length_reader


class _LengthTable:
    """Field lengths of a segment being flushed, read once per field instead of once per posting."""

    def __init__(self, reader) -> None:  # type: ignore[no-untyped-def]
        self._reader = reader
        self._fields: dict[str, list[int]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        lengths = self._fields.get(fieldname)
        if lengths is None:
            read = self._reader.doc_field_length
            lengths = [read(d, fieldname, 0) for d in range(self._reader.doc_count_all())]
            self._fields[fieldname] = lengths
        return lengths[docnum] if docnum < len(lengths) else default


def _flush_segment(self) -> None:  # type: ignore[no-untyped-def]
    """Whoosh's `SegmentWriter._flush_segment`, giving the posting writer a table of field lengths.

    Whoosh looks up the field length of every posting it writes in the column file just written (a seek and a
    decode each: a tenth of the writer's time); the table reads each field's column once.
    """
    self.perdocwriter.close()
    pdr = self.per_document_reader() if self.codec.length_stats else None
    self.fieldwriter.add_postings(self.schema, _LengthTable(pdr) if pdr else None, self.pool.iter_postings())
    self.fieldwriter.close()
    if pdr:
        pdr.close()


writing.SegmentWriter._flush_segment = _flush_segment
_commit_toc = writing.SegmentWriter._commit_toc


def _commit_toc_with_sums(self, segments) -> None:  # type: ignore[no-untyped-def]
    """Whoosh's `SegmentWriter._commit_toc`, first recording the checksums of every segment this commit wrote
    (`integrity.py`), so that no table of contents names a segment without them."""
    folder = getattr(self.storage, "folder", None)
    if folder:
        before = getattr(self, "segments_before", None)  # set by `writer`; else: every segment without sums
        for segment in segments:
            segid = segment.segment_id()
            if segment.is_compound() or (segid in before if before is not None
                                         else os.path.exists(os.path.join(folder, f"{segid}.sums"))):
                continue
            write_sums(Path(folder), self.indexname, segment)
    _commit_toc(self, segments)


writing.SegmentWriter._commit_toc = _commit_toc_with_sums


class Analysed:
    """The terms of one text field analysed ahead of writing (in an ingest worker), as Whoosh's field would.

    Kept pickled until the writer needs them: as bytes they take a fifth of the memory of the tuples, which
    matters for the results waiting between the workers and the writer.
    """

    __slots__ = ("blob",)

    def __init__(self, items: list) -> None:
        self.blob = pickle.dumps(items, protocol=pickle.HIGHEST_PROTOCOL)

    @property
    def items(self) -> list:
        """The terms: (term bytes, frequency, weight, encoded positions or frequency)."""
        return pickle.loads(self.blob)


class AnalysedText(fields.TEXT):
    """A TEXT field that also takes an `Analysed` value, so that the single writer does no text analysis."""

    def index(self, value, boost=1.0, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(value, Analysed):
            return value.items
        return super().index(value, boost=boost, **kwargs)


def build_schema() -> fields.Schema:
    """Declare the index schema once."""
    schema = fields.Schema(
        id=fields.ID(unique=True, stored=True, sortable=True),
        record=fields.STORED(),
        exact=AnalysedText(analyzer=exact_analyzer(), phrase=True),
        source=fields.ID(analyzer=key_analyzer(False)),
        language=fields.ID(analyzer=key_analyzer(False)),
        cluster=fields.ID(sortable=True),
        entity=fields.KEYWORD(analyzer=key_analyzer(True)),
        date=fields.DATETIME(),
        sort_new=fields.COLUMN(NumericColumn("q", default=UNDATED_NEW)),
        sort_old=fields.COLUMN(NumericColumn("q", default=UNDATED_OLD)),
        facets=fields.COLUMN(VarBytesColumn()),
        minhash=fields.COLUMN(VarBytesColumn()),
    )
    for code, name in TEXT_FIELDS.items():
        schema.add(name, AnalysedText(analyzer=language_analyzer(code), phrase=False))  # phrases: `exact`
    for name in ENTITY_FIELDS.values():
        schema.add(name, fields.KEYWORD(analyzer=key_analyzer(True)))
    for name in WORD_FIELDS:  # title:, caption:, author: (indexes made before them need `archive reindex`)
        schema.add(name, fields.TEXT(analyzer=exact_analyzer(), phrase=True))
    return schema


def pack_facets(article: Article) -> bytes:
    """Pack the display values counted by facets into one column value."""
    parts = [article.source or "", article.language or ""]
    parts += [VALUE_SEP.join(article.names(label)) for label in LABELS]
    parts.append(article.cluster or "")
    return FACET_SEP.join(parts).encode("utf-8")


def unpack_facets(raw: bytes) -> dict[str, list[str]]:
    """Undo `pack_facets`: facet key -> display values."""
    parts = raw.decode("utf-8").split(FACET_SEP) if raw else []
    parts += [""] * (len(FACET_KEYS) - len(parts))
    return {key: [v for v in part.split(VALUE_SEP) if v] for key, part in zip(FACET_KEYS, parts)}


def indexed_text(article: Article) -> str:
    """Return the text that goes into the full-text fields: title, caption and body."""
    return "\n\n".join(p for p in (article.title or "", article.caption or "", article.body) if p)


@lru_cache(maxsize=1)
def _schema() -> fields.Schema:
    return build_schema()


def analyse(article: Article) -> dict[str, Analysed]:
    """Analyse an article's text for its two full-text fields, as the writer would (call it in a worker)."""
    exact, words = analyse_words(indexed_text(article), article.language)
    positions: dict[str, list[int]] = {}
    for i, form in enumerate(exact):
        positions.setdefault(form, []).append(i)
    encode = _schema()["exact"].format.encode
    return {
        "exact": Analysed([(f.encode(), len(p), float(len(p)), encode(p)) for f, p in positions.items()]),
        text_field(article.language): Analysed(
            [(f.encode(), n, float(n), pack_uint(n)) for f, n in Counter(words).items()]
        ),
    }


def to_document(article: Article, analysed: dict[str, Analysed] | None = None) -> dict:
    """Turn an article into the fields of one index document (text fields from `analysed` where given)."""
    text = indexed_text(article)
    doc: dict = {
        "id": article.id,
        "record": json.dumps(article.to_dict(), ensure_ascii=False),
        "exact": text,
        text_field(article.language): text,
        "language": article.language or "",
        "facets": pack_facets(article),
    }
    if analysed:
        doc.update(analysed)
    if article.title:
        doc["title"] = article.title
    if article.caption:
        doc["caption"] = article.caption
    if article.authors:
        doc["author"] = "\n".join(article.authors)
    if article.source:
        doc["source"] = fold(article.source)
    if article.cluster:
        doc["cluster"] = article.cluster
    if article.fingerprint:
        doc["minhash"] = article.fingerprint
    keys: list[str] = []
    for label, field in ENTITY_FIELDS.items():
        names = [fold(n) for n in article.names(label)]
        if names:
            doc[field] = ",".join(n.replace(",", " ") for n in names)
            keys += names
    if keys:
        doc["entity"] = ",".join(k.replace(",", " ") for k in keys)
    if article.date is not None:
        doc["date"] = article.date
        doc["sort_new"] = doc["sort_old"] = date_key(article.date)
    else:
        doc["sort_new"], doc["sort_old"] = UNDATED_NEW, UNDATED_OLD
    return doc


@dataclass
class ArchiveIndex:
    """An opened index directory."""

    path: Path
    ix: index.Index

    def searcher(self) -> Searcher:
        return self.ix.searcher()

    @property
    def version(self) -> int:
        """Return the index generation: it changes with every commit."""
        return int(self.ix.latest_generation())

    def doc_count(self) -> int:
        return sum(s.doc_count() for s in self.ix._segments())  # from the table of contents: no segment opened


def open_index(path: str | os.PathLike) -> ArchiveIndex:
    """Open an existing index for reading; raise IndexMissing with the next step where there is none."""
    p = Path(path)
    if not p.is_dir() or not index.exists_in(str(p)):
        backup = p.with_name(p.name + ".old")
        if backup.is_dir() and index.exists_in(str(backup)):
            raise IndexMissing(f"no index at {p}, but an interrupted reindex left {backup}: rename it to {p}")
        raise IndexMissing(f"no index at {p}: run `archive ingest PATH` first")
    return ArchiveIndex(p, index.open_dir(str(p)))


def create_or_open(path: str | os.PathLike) -> ArchiveIndex:
    """Open the index at `path` for writing, creating it (and the folder) where needed."""
    p = Path(path)
    p.mkdir(parents=True, exist_ok=True)
    if index.exists_in(str(p)):
        return ArchiveIndex(p, index.open_dir(str(p)))
    return ArchiveIndex(p, index.create_in(str(p), build_schema()))


INGEST_LOCK = "INGESTLOCK"  # held by an ingest (or reindex) from start to end; the OS frees it if the process dies
TOC_TEMP = r"^_{}_\d+\.toc\.[0-9.]+$"  # a table of contents half written when a commit was killed


def busy_message(path: Path) -> str:
    return (f"another ingest is writing to the index at {path}: wait for it to finish (or give --wait SECONDS) "
            "and run this again")


def acquire_ingest_lock(archive: ArchiveIndex, wait_seconds: float = 0.0):  # type: ignore[no-untyped-def]
    """Take the lock one ingest holds for its whole run, waiting up to `wait_seconds` for it and for any writer at
    work (a reindex) to finish; IndexBusy where they do not."""
    lock = archive.ix.lock(INGEST_LOCK)
    writelock = archive.ix.lock("WRITELOCK")
    deadline = time.monotonic() + wait_seconds
    while not lock.acquire(blocking=False):
        if time.monotonic() >= deadline:
            raise IndexBusy(busy_message(archive.path))
        time.sleep(0.1)
    while not writelock.acquire(blocking=False):
        if time.monotonic() >= deadline:
            lock.release()
            raise IndexBusy(busy_message(archive.path))
        time.sleep(0.1)
    writelock.release()
    return lock


def clean_leftovers(archive: ArchiveIndex) -> list[str]:
    """Delete what a killed writer left behind: segment files no commit names, the posting pool's run files and
    half-written tables of contents. Only while no writer holds the write lock; return the names removed."""
    writelock = archive.ix.lock("WRITELOCK")
    if not writelock.acquire(blocking=False):
        return []  # a writer is at work: its files are not leftovers
    try:
        storage = archive.ix.storage
        name = archive.ix.indexname
        before = set(storage.list())
        index.clean_files(storage, name, archive.ix.latest_generation(), archive.ix._segments())
        toc_temp = re.compile(TOC_TEMP.format(re.escape(name)))
        for filename in before:
            if toc_temp.match(filename):
                storage.delete_file(filename)
        pool = archive.path / f"{name}.tmp"  # Whoosh's posting pool, emptied by every writer that finishes
        if pool.is_dir() and any(pool.iterdir()):
            shutil.rmtree(pool, ignore_errors=True)
            before.add(f"{name}.tmp")
        removed = sorted(before - set(storage.list()))
    finally:
        writelock.release()
    if removed:
        log.info("%s: removed %d file(s) left by an interrupted ingest", archive.path, len(removed))
    return removed


@contextmanager
def writer(archive: ArchiveIndex, timeout: float = 0.0) -> Iterator:
    """Yield a writer that commits on success and cancels on error; IndexBusy where another writer holds the lock."""
    try:
        w = archive.ix.writer(timeout=timeout, limitmb=256, compound=False)  # a batch's postings stay in memory
    except LockError:
        raise IndexBusy(
            f"another ingest is writing to the index at {archive.path}: wait for it to finish and run this again"
        ) from None
    w.segments_before = {s.segment_id() for s in w.segments}  # the segments this commit did not write
    try:
        yield w
        w.commit()
    except BaseException:
        abandon(archive, w)
        raise


def abandon(archive: ArchiveIndex, w) -> None:  # type: ignore[no-untyped-def]
    """Give up a writer whose batch or commit failed (a full disk...): release its lock and remove every file it
    had begun, so that nothing half-written keeps the disk full."""
    try:
        if not w.is_closed:
            w.cancel()
    except Exception as exc:  # a commit that failed half way leaves the writer in no state to cancel
        log.debug("cancelling a failed writer", exc_info=True)
        release_leaked(exc)  # the files its frames had open (a full disk: kept open, they keep their space)
        for step in (lambda: w._tempstorage.destroy(), lambda: w.writelock and w.writelock.release()):
            try:
                step()
            except Exception:
                log.debug("releasing a failed writer", exc_info=True)
        w.is_closed = True
    _close_files(w)  # a file deleted while still open would keep its space
    try:
        clean_leftovers(archive)
    except Exception:
        log.debug("removing a failed commit's files", exc_info=True)


def _close_files(root: object, depth: int = 5) -> None:
    """Close every open file reachable from a failed writer's attributes (its segment files, column writers...)."""
    seen: set[int] = set()
    todo = [(root, 0)]
    while todo:
        obj, level = todo.pop()
        if id(obj) in seen or level > depth:
            continue
        seen.add(id(obj))
        if isinstance(obj, io.IOBase):
            try:
                obj.close()
            except Exception:  # its buffer could not be written (the disk is full): the file is closed anyway
                try:
                    getattr(obj, "raw", obj).close()
                except Exception:
                    pass
            continue
        if isinstance(obj, dict):
            children = list(obj.values())
        elif isinstance(obj, (list, tuple, set)):
            children = list(obj)
        elif hasattr(obj, "__dict__") and type(obj).__module__.startswith("whoosh"):
            children = list(vars(obj).values())
        else:
            continue
        todo += [(child, level + 1) for child in children]


def write_articles(w, articles: Iterable[Article], analysed: Mapping[str, dict] | None = None) -> int:
    """Add or update each article in an open writer; return how many were written.

    `analysed` maps article ids to their pre-analysed text fields (from `analyse`); they are used where the
    index's fields accept them (indexes made before `AnalysedText` analyse the text here).
    """
    usable = analysed if analysed and isinstance(w.schema["exact"], AnalysedText) else {}
    missing = [name for name in WORD_FIELDS if name not in w.schema]  # an index made before these fields
    count = 0
    for article in articles:
        doc = to_document(article, usable.get(article.id))
        for name in missing:
            doc.pop(name, None)
        w.update_document(**doc)
        count += 1
    return count


def stored_article(fields_: dict) -> Article:
    """Rebuild an article from a stored document."""
    return Article.from_dict(json.loads(fields_["record"]))


def iter_articles(archive: ArchiveIndex) -> Iterator[Article]:
    """Yield every article stored in the index (for export and reindex)."""
    ix = archive.ix
    for segment in ix._segments():  # the stored records only: no other file of a segment is read (reindex)
        perdoc = segment.codec().per_document_reader(ix.storage, segment)
        try:
            for docnum in range(segment.doc_count_all()):
                if not segment.is_deleted(docnum):
                    yield stored_article(perdoc.stored_fields(docnum))
        finally:
            perdoc.close()
