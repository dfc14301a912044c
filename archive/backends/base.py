"""The one protocol between the archive and a search engine, and the errors every engine raises.

Everything above the index (ingest, search, export, the CLI, the web app, entity and source pages) talks to a
`Backend` and nothing else: it upserts batches of `Article`s, answers a `SearchRequest` with a `SearchPage`,
streams matches and stored records, and counts. Each engine lives in its own subpackage (`whoosh`, `postgres`)
and uses its own strengths behind these calls; parity tests hold them to the same answers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator, Protocol

from ..model import Article
from ..request import SearchRequest

if TYPE_CHECKING:
    from ..search import Facets, SearchPage

FACET_LIMIT = 10


class BackendError(Exception):
    """An archive that cannot be used as asked; the message names it and says what to do."""


class IndexMissing(BackendError):
    """There is no archive at the given location."""


class IndexBusy(BackendError):
    """Another process holds the archive's write lock."""


class Unavailable(BackendError):
    """A server of the archive is down, refuses us, or took too long."""


class QueryTimeout(Unavailable):
    """One search ran past its time budget (or waited too long for a turn); the message says how to narrow it."""


@dataclass
class Stats:
    """A summary of an archive."""

    location: str
    version: int
    articles: int
    first_date: str | None = None  # YYYY-MM-DD
    last_date: str | None = None
    undated: int = 0
    sources: int = 0
    languages: list[tuple[str, int]] = field(default_factory=list)
    engine: str = ""


@dataclass
class Checked:
    """What `Backend.check` found: a line per problem (naming the file or server and what to do), and a summary
    of what was verified (e.g. "1,234 articles in 5 segments")."""

    problems: list[str]
    summary: str


Prepare = Callable[[Article], Any]  # a picklable function run in ingest workers: the engine's per-article work
Prepared = list[tuple[Article, Any]]


class Backend(Protocol):
    """What every engine provides."""

    location: str  # a folder or a URL, for messages

    @property
    def prepare(self) -> Prepare:
        """Return the per-article work (text analysis) that ingest workers do before `write`."""

    def write(self, batch: Prepared, wait_seconds: float = 0.0) -> int:
        """Give each article its reprint cluster and upsert the batch by id in one commit (all of it or none).

        Return how many of the batch's articles replaced one with the same id, stored or earlier in the batch
        (updated in place); the others are new."""

    def finish(self) -> None:
        """Called once after an ingest's last batch (refresh statistics, optimise); may do nothing."""

    def version(self) -> int:
        """Return a number that changes with every commit (cited by exports)."""

    def count(self) -> int:
        """Return how many articles the archive holds."""

    def get(self, article_id: str) -> Article | None:
        """Return one stored article, or None."""

    def versions(self, article: Article) -> list[Article]:
        """Return every version of an article's reprint cluster, earliest first (the article alone if none)."""

    def search(self, req: SearchRequest, facet_limit: int = FACET_LIMIT) -> "SearchPage":
        """Answer a request with one page of results, exact totals and (where asked) facets and timeline."""

    def matches(self, req: SearchRequest) -> tuple[int, Iterator[Article]]:
        """Return the exact number of matches and every one of them in the request's order (every version)."""

    def articles(self) -> Iterator[Article]:
        """Yield every stored article (export, reindex)."""

    def facet_counts(self, limit: int | None) -> "Facets":
        """Count every facet over the whole archive (entities, sources, stats)."""

    def stats(self) -> Stats:
        """Summarise the archive."""

    def more_like(self, article: Article, limit: int = 5) -> tuple[list[str], list[Article]]:
        """Return an article's distinctive words and the articles that share them most (its versions left out)."""

    def reindex(self, enrich: bool = False) -> int:
        """Rebuild the engine's index from the stored records; return how many were written."""

    def check(self) -> Checked:
        """Verify the archive's files or indexes (as Lucene's CheckIndex or PostgreSQL's amcheck would)."""

    def close(self) -> None:
        """Release connections and open files."""
