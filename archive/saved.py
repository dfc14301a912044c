"""Saved searches: named searches kept in a small JSON file beside the index (never in it), and what `archive watch`
has already seen of each.

The file (see `saved_path`) holds, by name, the search page's parameters of a `SearchRequest` (`params()`) and, for
`archive watch`, the newest match date it has seen and the ids of the matches at that date. The CLI alone writes it:
every change reads the file again under an exclusive lock (`NAME.lock` beside it), then writes a temporary file in the
same folder and renames it over the old one, so a reader sees the old file or the new one, never half of one, and
two CLI runs at once do not lose each other's changes. The web app only reads it.

    {"version": 1,
     "searches": {"kerry": {"params": {"q": ["Kerry"], "source": ["Belga"]}, "created": "2026-11-30T21:00:00+00:00"}},
     "state": {"kerry": {"newest": "2016-09-09T00:34", "ids": ["..."], "index_version": 12,
                         "last_run": "2026-11-30T21:05:00+00:00", "reported": 3}}}
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from .backends import Backend, is_url
from .model import Article
from .request import DEFAULT_PAGE_SIZE, SearchRequest, parse_bound

VERSION = 1
DEFAULT_URL_FILE = "archive-saved.json"  # for a PostgreSQL archive, in the working folder
NAME_RE = re.compile(r"^\w[\w .@+-]{0,79}$")


class SavedError(ValueError):
    """A saved-search file or name that cannot be used; the message says what to do."""


def saved_path(index_location: str, given: str | os.PathLike | None = None) -> Path:
    """Return the saved-search file of an archive: `given` (--saved, ARCHIVE_SAVED) if any; beside a Whoosh folder
    `<parent>/<folder name>.saved.json`; for a PostgreSQL URL `./archive-saved.json`."""
    if given:
        return Path(str(given))
    if is_url(str(index_location)):
        return Path(DEFAULT_URL_FILE)
    folder = Path(index_location).absolute()
    return folder.parent / f"{folder.name}.saved.json"


@dataclass
class SavedSearch:
    name: str
    params: dict[str, list[str]]
    created: str | None = None

    def request(self) -> SearchRequest:
        """The search it names (raises RequestError if the file holds parameters this version cannot read)."""
        return SearchRequest.from_dict(self.params)


@dataclass
class SavedFile:
    searches: dict[str, SavedSearch] = field(default_factory=dict)
    state: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"version": VERSION,
                "searches": {name: {"params": s.params, "created": s.created} for name, s in self.searches.items()},
                "state": self.state}


def request_params(req: SearchRequest) -> dict[str, list[str]]:
    """Return the parameters a saved search keeps: words, filters, dates and sort (no page, size or facets)."""
    out: dict[str, list[str]] = {}
    for name, value in replace(req, page=1, page_size=DEFAULT_PAGE_SIZE, facets=False).params():
        out.setdefault(name, []).append(value)
    return out


def check_name(name: str) -> str:
    name = name.strip()
    if not NAME_RE.match(name):
        raise SavedError(f"{name!r} cannot name a saved search: use 1-80 letters, digits, spaces and . _ - + @, "
                         "starting with a letter or digit")
    return name


def load(path: Path) -> SavedFile:
    """Read the file (none yet: no saved searches); raise SavedError where it cannot be read."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return SavedFile()
    except OSError as exc:
        raise SavedError(f"cannot read the saved searches in {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text) if text.strip() else {}
        if not isinstance(data, dict):
            raise ValueError("not an object")
        searches = {}
        for name, entry in (data.get("searches") or {}).items():
            params = {str(k): [str(x) for x in (v if isinstance(v, list) else [v])]
                      for k, v in (entry.get("params") or {}).items()}
            searches[name] = SavedSearch(name, params, entry.get("created"))
        state = {name: dict(s) for name, s in (data.get("state") or {}).items() if isinstance(s, dict)}
    except (ValueError, AttributeError, TypeError) as exc:
        raise SavedError(f"{path} is not a saved-search file ({exc}): fix or remove it") from None
    return SavedFile(searches, state)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `<path>.lock` (POSIX flock; elsewhere no lock)."""
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "a+") as fh:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            yield
            return
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _write(path: Path, saved: SavedFile) -> None:
    text = json.dumps(saved.to_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        try:  # readable as the old file was (mkstemp makes it 0600): the web app may run as another user
            os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        except OSError:
            pass
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def update(path: Path, change: Callable[[SavedFile], Any]) -> Any:
    """Apply `change` to the file as it is now, under the lock, and write it back atomically; return what it returns."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _locked(path):
            saved = load(path)
            result = change(saved)
            _write(path, saved)
    except OSError as exc:
        raise SavedError(f"cannot write the saved searches in {path}: {exc.strerror or exc}") from None
    return result


def add(path: Path, name: str, req: SearchRequest, replace_existing: bool = False) -> SavedSearch:
    """Save a search under a name (a replaced search forgets what `watch` had seen of the old one)."""
    name = check_name(name)
    entry = SavedSearch(name, request_params(req), datetime.now(timezone.utc).isoformat(timespec="seconds"))

    def change(saved: SavedFile) -> SavedSearch:
        if name in saved.searches and not replace_existing:
            raise SavedError(f"a search named {name!r} is saved already: remove it first, or add --replace")
        saved.searches[name] = entry
        saved.state.pop(name, None)
        return entry

    return update(path, change)


def remove(path: Path, name: str) -> None:
    def change(saved: SavedFile) -> None:
        if name not in saved.searches:
            raise SavedError(f"no saved search named {name!r}: `archive saved` lists them")
        del saved.searches[name]
        saved.state.pop(name, None)

    update(path, change)


@dataclass
class WatchResult:
    name: str
    first_run: bool
    new: list[Article]  # oldest first
    seen: int  # dated matches recorded as seen on a first run
    since: str | None  # when the previous run was
    params: dict[str, list[str]] = field(default_factory=dict)  # of the search that was run
    state: dict[str, Any] = field(default_factory=dict)  # to record once the new matches are out


def watch(backend: Backend, path: Path, name: str) -> WatchResult:
    """Find the matches of a saved search that are new since the last run and record them as seen."""
    result = find_new(backend, path, name)
    record(path, result)
    return result


def record(path: Path, result: WatchResult) -> None:
    """Record what a watch run has seen (unless the search was replaced or removed meanwhile)."""

    def change(current: SavedFile) -> None:
        if result.name in current.searches and current.searches[result.name].params == result.params:
            current.state[result.name] = result.state

    update(path, change)


def find_new(backend: Backend, path: Path, name: str) -> WatchResult:
    """Return the matches of a saved search that are new since the last run, and the state to record (`record`).

    New means dated after the newest match seen before, or at that very date with another id (every version of a
    reprint counts). Undated articles are never new (like the Atom feed). An article ingested later with a date older
    than the newest seen is not reported. The first run reports nothing and records the newest match.
    """
    saved = load(path)
    if name not in saved.searches:
        raise SavedError(f"no saved search named {name!r}: save one with `archive saved add {name} QUERY`")
    params = saved.searches[name].params
    req = replace(saved.searches[name].request(), sort="newest", collapse=False, facets=False, page=1)
    before = saved.state.get(name) or {}
    first_run = not before
    newest_seen = datetime.fromisoformat(before["newest"]) if before.get("newest") else None
    seen_ids = set(before.get("ids") or [])
    if newest_seen is not None:  # read only the days from the newest seen on
        day = parse_bound("from", newest_seen.date().isoformat(), end=False)
        if day is not None and (req.date_from is None or day.first > req.date_from.first):
            req = replace(req, date_from=day)
    dated = [a for a in backend.matches(req)[1] if a.date is not None]
    if newest_seen is None:
        new = [] if first_run else dated
    else:
        new = [a for a in dated if a.date is not None and (a.date > newest_seen or (a.date == newest_seen and
                                                                                    a.id not in seen_ids))]
    new.sort(key=lambda a: (a.date or datetime.min, a.id))
    newest, ids = newest_seen, seen_ids
    counted = dated if newest_seen is None else new
    if counted:
        top = max(a.date for a in counted if a.date is not None)
        top_ids = {a.id for a in counted if a.date == top}
        newest, ids = top, (top_ids | seen_ids if top == newest_seen else top_ids)
    state = {"newest": newest.isoformat(timespec="seconds") if newest else None, "ids": sorted(ids),
             "index_version": backend.version(), "last_run": datetime.now(timezone.utc).isoformat(timespec="seconds"),
             "reported": int(before.get("reported", 0)) + len(new)}
    return WatchResult(name, first_run, new, len(dated) if first_run else 0, before.get("last_run"), params, state)
