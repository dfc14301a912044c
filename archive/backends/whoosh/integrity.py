"""Checksums of the segment files we write, and `archive check`: the index verified as Lucene's CheckIndex would.

Every commit records, before its table of contents names a new segment, the size and CRC-32 of each of that
segment's files in a side file `MAIN_<segment>.sums` (itself checksummed). Segment files never change once written
(deletions live in the table of contents), so the sums stay valid for the segment's life, and Whoosh removes the
side file with the segment's other files when a merge replaces it.

`check_index` reads the table of contents, then for every segment: its files present, of their recorded size and
checksum; every term's postings decoded end to end; every stored record decoded; the document count consistent with
the stored records and with the columns the searches count and sort with (`columns.py`, the column caches); and the
total consistent with what a search counts. Each problem is one line naming the file and what to do: `archive
reindex` where the stored records are intact (every other file is rebuilt from them), else restore from a backup.

`locate_damage` is the quick half (sums only) that a failing search or ingest runs to name the file it met.
"""
from __future__ import annotations

import errno
import json
import os
import re
import zlib
from pathlib import Path
from typing import Iterable

from whoosh.index import TOC

from ..base import BackendError

SUMS_EXT = "sums"
STORED = "_stored.col"
OUR_COLUMNS = ("id", "sort_old", "sort_new", "cluster", "facets", "minhash")  # columns the archive declares
REINDEX = "run `archive reindex` (the stored articles are intact and every other file is rebuilt from them)"
RESTORE = ("restore the index folder from a backup, or re-ingest the original files (or an `archive export`) "
           "into a fresh --index folder")
CHECK = "run `archive check`"


class IndexDamaged(BackendError):
    """A file of the index is missing, truncated or corrupted; the message names it and says what to do."""


def file_crc(path: str | os.PathLike, block: int = 1 << 20) -> tuple[int, int]:
    """Return a file's size and CRC-32, read end to end."""
    crc = size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(block):
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
    return size, crc


def _sums_name(indexname: str, segid: str) -> str:
    return f"{segid}.{SUMS_EXT}"  # a segment id starts with the index name: MAIN_<random>


def segment_files(folder: Path, indexname: str, segid: str) -> list[str]:
    """Return the names of a segment's files in the folder (its sums file left out)."""
    prefix = f"{segid}."
    return sorted(n for n in os.listdir(folder) if n.startswith(prefix) and n != _sums_name(indexname, segid)
                  and not n.endswith(".tmp"))


def _digest(entries: dict) -> int:
    return zlib.crc32(json.dumps(entries, sort_keys=True).encode("utf-8"))


def write_sums(folder: Path, indexname: str, segment) -> None:  # type: ignore[no-untyped-def]
    """Record the size and CRC-32 of each file of a segment just written (before a table of contents names it)."""
    segid = segment.segment_id()
    files = {name: list(file_crc(folder / name)) for name in segment_files(folder, indexname, segid)}
    entries = {"segment": segid, "docs": segment.doc_count_all(), "files": files}
    body = json.dumps({**entries, "crc": _digest(entries)}, sort_keys=True)
    final = folder / _sums_name(indexname, segid)
    temp = final.with_name(final.name + ".tmp")
    with open(temp, "w", encoding="utf-8") as fh:
        fh.write(body)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(temp, final)


def read_sums(folder: Path, indexname: str, segid: str) -> dict | None:
    """Return a segment's recorded sums (None where none were recorded); IndexDamaged where the file is damaged."""
    path = folder / _sums_name(indexname, segid)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        data = json.loads(raw.decode("utf-8"))
        crc = data.pop("crc")
        ok = crc == _digest(data) and data.get("segment") == segid and isinstance(data.get("files"), dict)
    except (ValueError, KeyError, AttributeError, TypeError):
        ok = False
    if not ok:
        raise IndexDamaged(f"{path}: the checksums of segment {segid} are damaged: {REINDEX} "
                           "(it writes them anew)")
    return data


def advice(name: str) -> str:
    """What to do about one damaged file."""
    return RESTORE if name.endswith(STORED) or re.match(r"^_.*\.toc$", name) else REINDEX


def verify_files(folder: Path, indexname: str, segid: str, names: Iterable[str] | None = None,
                 crc: bool = True) -> list[str]:
    """Compare a segment's files (or the named ones) with their recorded sums; return a line per difference."""
    try:
        sums = read_sums(folder, indexname, segid)
    except IndexDamaged as exc:
        return [str(exc)]
    if sums is None:
        return []
    problems = []
    wanted = set(names) if names is not None else None
    for name, (size, want) in sorted(sums["files"].items()):
        if wanted is not None and name not in wanted:
            continue
        path = folder / name
        try:
            if crc:
                got_size, got = file_crc(path)
            else:
                got_size, got = path.stat().st_size, want
        except FileNotFoundError:
            problems.append(f"{path}: missing (a file of segment {segid}): {advice(name)}")
            continue
        if got_size != size:
            problems.append(f"{path}: {'truncated' if got_size < size else 'longer than written'} "
                            f"({got_size:,} bytes, {size:,} when written): {advice(name)}")
        elif got != want:
            problems.append(f"{path}: damaged (its checksum differs from the one recorded when it was written): "
                            f"{advice(name)}")
    return problems


def toc_name(indexname: str, generation: int) -> str:
    return f"_{indexname}_{generation}.toc"


def read_toc(folder: Path, indexname: str = "MAIN"):  # type: ignore[no-untyped-def]
    """Open the index's latest table of contents; IndexDamaged naming it where it cannot be read."""
    from whoosh.filedb.filestore import FileStorage

    storage = FileStorage(str(folder))
    generation = TOC._latest_generation(storage, indexname)
    if generation < 0:
        return None
    try:
        return TOC.read(storage, indexname, generation)
    except OSError:
        raise
    except Exception as exc:
        release_leaked(exc)
        name = toc_name(indexname, generation)
        message = (f"{folder / name}: the table of contents cannot be read ({type(exc).__name__}: {_short(exc)}): "
                   f"{RESTORE}")
    release_leaked()
    raise IndexDamaged(message)


def locate_damage(folder: str | os.PathLike, indexname: str = "MAIN", crc: bool = True) -> list[str]:
    """Return a line per damaged file found from the table of contents and the recorded sums (quick; no decoding)."""
    folder = Path(folder)
    try:
        toc = read_toc(folder, indexname)
    except IndexDamaged as exc:
        return [str(exc)]
    if toc is None:
        return []
    problems = []
    for segment in toc.segments:
        problems += verify_files(folder, indexname, segment.segment_id(), crc=crc)
    return problems


def _short(exc: BaseException) -> str:
    text = str(exc).replace("\n", " ")
    return text if len(text) <= 120 else text[:117] + "..."


# Faults met while reading or writing: one clear line instead of a traceback.

DECODE_ERRORS: tuple[type[BaseException], ...]


def _decode_errors() -> tuple[type[BaseException], ...]:
    import pickle
    import struct

    found: list[type[BaseException]] = [struct.error, EOFError, zlib.error, pickle.UnpicklingError,
                                        UnicodeDecodeError, json.JSONDecodeError]
    from whoosh.filedb.filetables import FileFormatError

    return (*found, FileFormatError)


DECODE_ERRORS = _decode_errors()
FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
DENIED = {errno.EACCES, errno.EPERM}


def storage_message(exc: OSError, folder: str | os.PathLike) -> str | None:
    """Say in one line what a disk fault means for the index folder and what to do; None for other errors."""
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno in FULL:
        return (f"the disk holding the index folder {folder} is full{where}: free some space (or use --index on "
                "another disk) and run this again; the files of the unfinished commit were removed")
    if exc.errno == errno.EROFS:
        return (f"the index folder {folder} is on a read-only file system{where}: searching works, but to write "
                "remount it read-write or give --index a writable folder")
    if exc.errno in DENIED:
        return (f"permission denied on the index folder {folder}{where}: give this user read and write access to "
                "the folder and its files (or use --index with another folder)")
    return None


def release_leaked(exc: BaseException | None = None) -> None:
    """Close the files Whoosh leaves open when a damaged file stops it half way through opening a segment (the
    frames of `exc`'s traceback hold them: they are cleared first)."""
    import gc
    import traceback
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        if exc is not None and exc.__traceback__ is not None:
            traceback.clear_frames(exc.__traceback__)
            exc.__traceback__ = None
        gc.collect()


def fault(exc: Exception, folder: str | os.PathLike) -> BackendError | None:
    """Turn an error met while reading or writing the index at `folder` into one clear line; None to re-raise it.

    Disk faults are named as such; anything else is looked for among the files (their recorded sums): a damaged
    file found is named; a decoding error with no file to blame still says to run `archive check`.
    """
    converted = _converted(exc, folder)
    if converted is not None:
        release_leaked(exc)
    return converted


def _converted(exc: Exception, folder: str | os.PathLike) -> BackendError | None:
    if isinstance(exc, OSError):
        message = storage_message(exc, folder)
        if message:
            return BackendError(message)
    try:
        found = locate_damage(folder)
    except OSError:
        found = []
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        return IndexDamaged(f"the index file {found[0].split(': ', 1)[0]} is damaged{more}: {CHECK} for what to do")
    if isinstance(exc, DECODE_ERRORS) or (isinstance(exc, OSError) and exc.errno in (errno.ENOENT, errno.EINVAL)):
        what = f" ({exc.filename})" if isinstance(exc, OSError) and exc.filename else ""
        return IndexDamaged(f"the index at {folder} could not be read{what} ({type(exc).__name__}: {_short(exc)}): "
                            f"a file of it is damaged: {CHECK} for what to do")
    return None


# `archive check`


def check_index(folder: str | os.PathLike, indexname: str = "MAIN") -> tuple[list[str], int, int]:
    """Verify the index at `folder`; return a line per problem, the articles it holds and its segments."""
    from whoosh.filedb.filestore import FileStorage

    folder = Path(folder)
    if not folder.is_dir():
        return [f"{folder}: no index folder here: run `archive ingest PATH` first (or give --index)"], 0, 0
    try:
        toc = read_toc(folder, indexname)
    except IndexDamaged as exc:
        return [str(exc)], 0, 0
    if toc is None:
        if not any(name.startswith(f"{indexname}_") and not name.endswith("LOCK") for name in os.listdir(folder)):
            return [f"{folder}: no index here: run `archive ingest PATH` first (or give --index)"], 0, 0
        return [f"{folder}: segment files but no table of contents (_{indexname}_N.toc): {RESTORE}"], 0, 0
    storage = FileStorage(str(folder))
    problems: list[str] = []
    live_ids: list[str] = []
    for segment in toc.segments:
        problems += _check_segment(folder, storage, toc.schema, indexname, segment, live_ids)
    total = sum(s.doc_count() for s in toc.segments)
    if len(live_ids) == total and len(set(live_ids)) != total:
        seen: set[str] = set()
        twice = [i for i in live_ids if i in seen or seen.add(i)]  # type: ignore[func-returns-value]
        problems.append(f"{folder}: {len(twice)} article(s) are in the index twice (e.g. {twice[0]!r}): {REINDEX}")
    if not problems:
        problems += _check_counts(folder, total)
    return problems, total, len(toc.segments)


def _check_segment(folder: Path, storage, schema, indexname: str, segment,  # type: ignore[no-untyped-def]
                   live_ids: list[str]) -> list[str]:
    """Verify one segment: sums, stored records, postings and columns; add its live ids to `live_ids`."""
    from whoosh.reading import SegmentReader

    segid = segment.segment_id()
    n = segment.doc_count_all()

    def path(ext: str) -> Path:
        return folder / f"{segid}.{ext}"

    problems = verify_files(folder, indexname, segid)
    named = {p.split(": ", 1)[0] for p in problems}

    def blame(file: Path, what: str, fix: str) -> None:
        if str(file) not in named:
            named.add(str(file))
            problems.append(f"{file}: {what}: {fix}")

    try:
        sums = read_sums(folder, indexname, segid)
    except IndexDamaged:
        sums = None
    if sums is not None and sums.get("docs") != n:
        blame(folder / _sums_name(indexname, segid), f"segment {segid} was written with {sums.get('docs')} "
              f"documents but the table of contents says {n}", RESTORE)
    if sums is None:  # written before checksums were recorded: at least every file a segment needs is there
        for ext in ("trm", "pst", STORED.lstrip(".")):
            if n and not path(ext).exists():
                blame(path(ext), f"missing (a file of segment {segid})", advice(ext))

    # every stored record decoded
    records: dict[int, object] = {}
    try:
        perdoc = segment.codec().per_document_reader(storage, segment)
    except Exception as exc:
        blame(path(STORED.lstrip(".")), f"cannot be opened ({type(exc).__name__}: {_short(exc)})", RESTORE)
        perdoc = None
    if perdoc is not None:
        from .index import stored_article

        bad, first = 0, None  # type: tuple[int, Exception | None]
        try:
            for docnum in range(n):
                try:
                    records[docnum] = stored_article(perdoc.stored_fields(docnum))
                except Exception as exc:
                    bad, first = bad + 1, first or exc
        finally:
            perdoc.close()
        if bad and first is not None:
            blame(path(STORED.lstrip(".")), f"{bad:,} of {n:,} stored records cannot be decoded "
                  f"({type(first).__name__}: {_short(first)})", RESTORE)
    live_ids += [a.id for d, a in records.items() if not segment.is_deleted(d)]  # type: ignore[attr-defined]
    fix = REINDEX if len(records) == n else RESTORE

    # every term's postings read end to end, and the columns compared with the records
    if str(path("trm")) in named or str(path("pst")) in named:
        return problems  # already named: nothing more to learn from decoding them
    try:
        reader = SegmentReader(storage, schema, segment)
    except Exception as exc:
        release_leaked(exc)
        file = Path(exc.filename) if isinstance(exc, OSError) and exc.filename else path("trm")
        blame(file, f"segment {segid} cannot be opened ({type(exc).__name__}: {_short(exc)})", fix)
        reader = None
    if reader is None:
        release_leaked()
        return problems
    try:
        bad_terms, first_term = 0, None
        try:
            for fieldname, btext in reader.all_terms():
                frequency = reader.term_info(fieldname, btext).doc_frequency()
                matcher = reader._terms.matcher(fieldname, btext, reader.schema[fieldname].format)
                ids = list(matcher.all_ids())  # deleted documents included, as written
                if len(ids) != frequency or (ids and (ids[-1] >= n or ids != sorted(ids))):
                    bad_terms += 1
                    first_term = first_term or f"{fieldname}:{btext!r}"
        except Exception as exc:
            blame(path("pst"), f"the postings cannot be read end to end ({type(exc).__name__}: {_short(exc)})",
                  fix)
        if bad_terms:
            blame(path("pst"), f"{bad_terms:,} word(s) list documents that do not match their counts "
                  f"(first: {first_term})", fix)
        _decode_columns(reader, schema, n, path, blame, fix)
        if records and not any(p.endswith(".col") and not p.endswith(STORED) for p in named):
            problems += [p for p in _check_columns(reader, records, n, path, fix) if p.split(": ", 1)[0] not in named]
    finally:
        reader.close()
    return problems


def _decode_columns(reader, schema, n: int, path, blame, fix: str) -> None:  # type: ignore[no-untyped-def]
    """Read every column file of a segment (ours, and Whoosh's field lengths) end to end."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN

    perdoc = reader._perdoc
    for field in schema.names():
        targets = [(field, schema[field].column_type)] if schema[field].column_type is not None else []
        if schema[field].scorable:
            targets.append((f"_{field}_len", LENGTHS_COLUMN))
        for name, column in targets:
            if not perdoc.has_column(name):
                if n and name in ("id", "sort_old", "facets"):  # every document has these
                    blame(path(f"{name}.col"), "missing", fix)
                continue
            try:
                count = sum(1 for _ in perdoc.column_reader(name, column))
                if count != n:
                    raise ValueError(f"{count} values for {n} documents")
            except Exception as exc:
                blame(path(f"{name}.col"), f"cannot be decoded end to end ({type(exc).__name__}: {_short(exc)})",
                      fix)


def _check_columns(reader, records: dict, n: int, path, fix: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Compare the columns searches sort and count with (as `columns.py` decodes them) with the stored records."""
    from ...model import LABELS, UNDATED_OLD, date_key
    from .columns import FACET_KEYS, _decode

    try:
        cols = _decode(reader)
    except Exception as exc:
        return [f"{path('*.col')}: the columns of this segment cannot be decoded ({type(exc).__name__}: "
                f"{_short(exc)}): {fix}"]
    problems = []
    differ = {"sort_old": 0, "id": 0, "cluster": 0, "facets": 0}
    facet_values: dict[str, dict[int, list[str]]] = {}
    for key in FACET_KEYS:
        docs, ids, values = cols.facets[key]
        found: dict[int, list[str]] = {}
        for d, i in zip(docs.tolist(), ids.tolist()):
            found.setdefault(d, []).append(values[i])
        facet_values[key] = found
    for docnum, article in records.items():
        want = date_key(article.date) if article.date is not None else UNDATED_OLD
        differ["sort_old"] += int(cols.sort_old[docnum]) != want
        differ["id"] += cols.ids[docnum] != article.id
        c = int(cols.cluster[docnum])
        differ["cluster"] += (cols.cluster_keys[c] if c >= 0 else "") != (article.cluster or "")
        expected = {"source": [article.source] if article.source else [],
                    "language": [article.language] if article.language else [],
                    **{label: list(article.names(label)) for label in LABELS}}
        differ["facets"] += any(facet_values[k].get(docnum, []) != [v for v in expected[k] if v]
                                for k in FACET_KEYS)
    for column, count in differ.items():
        if count:
            problems.append(f"{path(column + '.col')}: {count:,} of {n:,} values differ from the stored records: "
                            f"{fix}")
    return problems


def _check_counts(folder: Path, total: int) -> list[str]:
    """The article count of the table of contents, of the backend and of a search for everything agree."""
    from ...request import SearchRequest
    from . import WhooshBackend

    backend = WhooshBackend(str(folder), query_seconds=0, query_terms=0)
    try:
        counted = backend.count()
        searched = backend.search(SearchRequest.from_dict({})).total
    except Exception as exc:
        return [f"{folder}: a search for every article fails ({type(exc).__name__}: {_short(exc)}): {REINDEX}"]
    finally:
        backend.close()
    if counted != total or searched != total:
        return [f"{folder}: the segments hold {total:,} articles but the index counts {counted:,} and a search "
                f"for everything finds {searched:,}: {REINDEX}"]
    return []
