"""Readers turn input files into `Article` records.

Each format is a small module with two functions: `matches(name, head)` says from the file name and its first
bytes whether the module reads it, and `read(name, data)` yields articles. `pick_reader` asks every module
about the content alone first (an empty name), and only then lets the name decide (gzip is unwrapped before);
markup no reader knows is refused by `markup`. `iter_inputs` walks files, folders, globs and `-` for stdin.
A reader raises `ReadError` with a reason and a next step; the caller records it and goes on with the batch.
"""
from __future__ import annotations

import glob
import logging
import os
import stat
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator, Mapping

from ..model import Article
from .limits import MAX_INPUT_BYTES, LimitError, bound_article, gunzip

log = logging.getLogger(__name__)

GZIP_MAGIC = b"\x1f\x8b"


class ReadError(Exception):
    """An input that could not be read: the message names the problem and what to do."""


@dataclass(frozen=True)
class Input:
    """One input: a display name (path or `-`) and how to get its bytes."""

    name: str
    path: Path | None = None

    def read_bytes(self) -> bytes:
        if self.path is None:
            data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
            if len(data) > MAX_INPUT_BYTES:
                raise ReadError(f"more than {MAX_INPUT_BYTES // 2**20} MB on stdin, the limit for an input read "
                                "whole: give a file (JSON Lines files are streamed) or split it")
            return data
        try:
            size = self.path.stat().st_size
        except OSError as exc:
            raise ReadError(f"cannot open: {exc.strerror or exc}") from exc
        if size > MAX_INPUT_BYTES:
            raise ReadError(f"file is {size // 2**20} MB, over the {MAX_INPUT_BYTES // 2**20} MB limit for a file "
                            "read whole: split it (JSON Lines files are streamed, whatever their size)")
        try:
            return self.path.read_bytes()
        except OSError as exc:
            raise ReadError(f"cannot read: {exc.strerror or exc}") from exc


def _modules() -> list[ModuleType]:
    """Return the reader modules in the order they are tried: most specific first, plain text last."""
    from . import text

    found: list[ModuleType] = []
    for name in ("reuters", "warc", "feed", "html", "jsonfile", "markup", "csvfile"):
        try:
            found.append(__import__(f"{__name__}.{name}", fromlist=[name]))
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
    found.append(text)
    return found


IGNORED_SUFFIXES = {".md5", ".sha256", ".sig", ".lock", ".toc", ".seg", ".pyc", ".dtd"}
IGNORED_NAMES = {"SHA256SUMS", "SOURCE.md", ".DS_Store", "Thumbs.db"}


def iter_inputs(paths: list[str]) -> Iterator[Input | ReadError]:
    """Yield each input file under the given paths (files, folders recursively, globs, `-`), sorted per folder."""
    for raw in paths:
        if raw == "-":
            yield Input("-")
            continue
        candidates = [raw]
        if any(ch in raw for ch in "*?[") and not os.path.exists(raw):
            candidates = sorted(glob.glob(raw, recursive=True))
            if not candidates:
                yield ReadError(f"{raw}: no file matches this pattern")
                continue
        for cand in candidates:
            path = Path(cand)
            if path.is_dir():
                yield from _walk(path)
            elif path.is_file():
                yield Input(str(path), path)
            else:
                yield ReadError(f"{cand}: {_not_a_file(path)}")


def _walk(folder: Path) -> Iterator[Input | ReadError]:
    """Yield the files under a folder (sorted by path), and an error for each sub-folder that cannot be read and
    each entry that is no regular file (a FIFO, a socket, a broken link): nothing is skipped without a word."""
    found: list[Path] = []
    problems: list[ReadError] = []
    seen: set[tuple[int, int]] = set()

    def unreadable(exc: OSError) -> None:
        where = exc.filename or folder
        problems.append(ReadError(f"{where}: cannot read this folder ({exc.strerror or exc}): its files are not "
                                  "ingested; check its permissions"))

    for top, dirs, files in os.walk(folder, onerror=unreadable, followlinks=True):
        try:
            st = os.stat(top)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) in seen:  # a link back to a folder already walked
            dirs[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        for name in files:
            sub = Path(top, name)
            if _ignored(sub):
                continue
            if sub.is_file():
                found.append(sub)
            else:
                problems.append(ReadError(f"{sub}: {_not_a_file(sub)}"))
    for sub in sorted(found):
        yield Input(str(sub), sub)
    yield from problems


def _not_a_file(path: Path) -> str:
    """Say what a path that is no regular file or folder is, and what to do."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if path.is_symlink():
            return "a broken symbolic link (its target is gone): skipped"
        return "no such file or folder"
    except OSError as exc:
        return f"cannot open ({exc.strerror or exc}): check its permissions"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe), not a file: write it to a file, or pipe it to `archive ingest -`"
    if stat.S_ISSOCK(mode):
        return "a socket, not a file: skipped"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a file: skipped"
    return "not a regular file: skipped"


def _ignored(path: Path) -> bool:
    """Skip checksums, notes and hidden files that sit beside articles in a folder."""
    return (
        path.name in IGNORED_NAMES
        or path.name.upper().startswith("README")
        or path.suffix.lower() in IGNORED_SUFFIXES
        or any(part.startswith(".") for part in path.parts[-2:])
    )


def read_input(inp: Input, field_map: Mapping[str, str] | None = None, meta: str | None = None,
               problems: list[str] | None = None) -> list[Article]:
    """Read every article of one input; raise ReadError naming the input where it cannot be read."""
    try:
        data = inp.read_bytes()
        return list(read_bytes(inp.name, data, field_map, meta, problems))
    except ReadError as exc:
        raise ReadError(f"{inp.name}: {exc}") from None


def read_bytes(
    name: str, data: bytes, field_map: Mapping[str, str] | None = None, meta: str | None = None,
    problems: list[str] | None = None, first_line: int = 1,
) -> Iterator[Article]:
    """Read articles from the bytes of one file, unwrapping gzip and picking the reader that matches.

    `field_map` names the keys of JSON and CSV records (`{"body": "story"}`); `meta` is a sidecar file of
    records joined to them by id (an outlet kept in a separate labels file). Other readers ignore both.
    Records that cannot be read are skipped and described ("file:line: reason") in `problems` where given;
    `first_line` numbers the lines of a chunk of a larger file as in that file.
    """
    if data[:2] == GZIP_MAGIC:
        data = _gunzip(data)
        if name.lower().endswith(".gz"):
            name = name[:-3]
    elif name.lower().endswith((".gz", ".tgz")):
        raise ReadError(f"named {name.rsplit('.', 1)[-1]} but not gzip data: rename the file or fetch it again")
    if not data.strip():
        raise ReadError("empty file: nothing to read")
    module = pick_reader(name, data[:4096])
    options: dict[str, Any] = {}
    if getattr(module, "USES_FIELD_MAP", False):
        options = {k: v for k, v in (("field_map", field_map), ("meta", meta), ("problems", problems))
                   if v is not None and (v or k == "problems")}
        if first_line != 1:
            options["first_line"] = first_line
    count = 0
    for article in module.read(name, data, **options):
        if article.origin is None:
            article.origin = name
        bound_article(article)
        count += 1
        yield article
    if count == 0:
        raise ReadError(f"no article found (read as {module.__name__.rsplit('.', 1)[-1]})")


def pick_reader(name: str, head: bytes) -> ModuleType:
    """Pick the reader by content first; the file name decides only where the content says nothing."""
    modules = _modules()
    for module in modules[:-1]:
        if module.matches("", head):
            return module
    for module in modules:
        if module.matches(name, head):
            return module
    raise ReadError("unknown format: give a .txt, .json, .jsonl, .csv, .html, feed or .warc file")


def _gunzip(data: bytes) -> bytes:
    try:
        return gunzip(data)
    except LimitError as exc:
        raise ReadError(str(exc)) from None
    except (OSError, EOFError, zlib.error) as exc:
        raise ReadError(f"broken gzip data ({exc}): the file is truncated or corrupt, fetch it again") from None
