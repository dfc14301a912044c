"""The `archive` command: thin click commands over the core (ingest, search, show, extract, lists, serve)."""
from __future__ import annotations

import csv
import json
import logging
import os
import sys
import time
from functools import wraps
from typing import Any, Callable

import click

from .backends import Backend, BackendError, is_url, open_backend
from .model import LABELS
from .query import QueryError
from .request import RequestError, SearchRequest

DEFAULT_INDEX = "index"


class Context:
    """What every command shares: the archive's location (a folder or a PostgreSQL URL)."""

    def __init__(self, index_path: str):
        self.index_path = index_path

    def open(self) -> Backend:
        """Open the archive for reading (a clean error where there is none)."""
        try:
            backend = open_backend(self.index_path)
            click.get_current_context().call_on_close(backend.close)
            backend.count()
            return backend
        except BackendError as exc:
            raise click.ClickException(str(exc)) from None

    @property
    def shown(self) -> str:
        """The location without a password, for messages."""
        return _hide_password(self.index_path)


def _hide_password(location: str) -> str:
    if not is_url(location):
        return location
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(location)
    if parts.password:
        netloc = parts.netloc.replace(":" + parts.password + "@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return location


def user_errors(fn: Callable) -> Callable:
    """Turn the core's user-facing errors into clean CLI errors (exit 1) with their next step."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (BackendError, QueryError) as exc:
            raise click.ClickException(str(exc)) from None
        except RequestError as exc:
            raise click.BadParameter(str(exc).split(": ", 1)[1], param_hint=f"--{exc.param}") from None

    return wrapper


@click.group()
@click.option("--index", "index_path", envvar="ARCHIVE_INDEX", default=DEFAULT_INDEX, show_default=True,
              help="Index folder, or postgresql://user@host:port/db (env ARCHIVE_INDEX).")
@click.option("-v", "--verbose", is_flag=True, help="Log what happens.")
@click.version_option(package_name="news-archive")
@click.pass_context
def cli(ctx: click.Context, index_path: str, verbose: bool) -> None:
    """Search a news archive: ingest articles, then search them from here or the web."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s")
    ctx.obj = Context(index_path)


pass_ctx = click.make_pass_decorator(Context)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Worker processes (default: all cores).")
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=2000, show_default=True,
              help="Articles per commit.")
@click.option("--wait", type=click.FloatRange(0), default=0, help="Seconds to wait for another ingest to finish.")
@click.option("--map", "field_map", metavar="FIELD=KEY,...", callback=lambda ctx, param, value: _field_map(value),
              help="Name the keys of JSON/CSV records, e.g. body=story,date=pubtime (env ARCHIVE_FIELD_MAP).")
@click.option("--meta", type=click.Path(exists=True, dir_okay=False),
              help="A sidecar file (JSON Lines, JSON or CSV) whose records are joined to JSON/CSV records by id.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, writable=True),
              help="Also write the inputs that failed, with reasons, to this file (JSON Lines).")
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
@pass_ctx
@user_errors
def ingest(obj: Context, paths: tuple[str, ...], workers: int | None, batch_size: int, wait: float,
           field_map: dict[str, str] | None, meta: str | None, report_path: str | None, quiet: bool) -> None:
    """Read PATHS (files, folders, globs, - for stdin) and add their articles to the index."""
    from .ingest import ingest as run_ingest

    last = [0.0]

    show = not quiet and sys.stderr.isatty()

    def progress(report, name: str) -> None:
        now = time.monotonic()
        if show and now - last[0] > 0.25:
            last[0] = now
            click.echo(f"\r{report.inputs} inputs, {report.read} articles read, {report.articles} committed, "
                       f"{len(report.failures)} failed, {report.read / max(report.seconds, 1e-9):.0f} articles/s",
                       err=True, nl=False)

    report = run_ingest(list(paths), obj.index_path, workers=workers or os.cpu_count() or 1,
                        batch_size=batch_size, progress=progress, wait_seconds=wait, field_map=field_map, meta=meta)
    if show and report.inputs:
        click.echo("", err=True)
    for failure in report.failures:
        click.echo(f"failed: {failure.reason}", err=True)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if report_path:
        with open(report_path, "w", encoding="utf-8") as fh:
            for failure in report.failures:
                fh.write(json.dumps({"input": failure.name, "reason": failure.reason}, ensure_ascii=False) + "\n")
    records = sum(f.record for f in report.failures)
    skipped = f", {records} records skipped" if records else ""
    click.echo(f"{report.articles} articles ({report.new} new, {report.updated} updated in place) from "
               f"{report.inputs} inputs into {obj.shown} in {report.seconds:.1f}s; "
               f"{len(report.failures) - records} inputs failed{skipped}", err=True)
    if report.failures:
        sys.exit(1)


def _field_map(value: str | None) -> dict[str, str] | None:
    """Parse the --map option."""
    from .readers.fields import parse_field_map

    if not value:
        return None
    try:
        return parse_field_map(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--map") from None


def filter_options(fn: Callable) -> Callable:
    """The search filters shared by `search`, `export`, `kwic` and `saved add`."""
    options = [
        click.option("--source", multiple=True, help="Only this source (repeatable)."),
        click.option("--person", multiple=True, help="Mentions this person (repeatable: all must match)."),
        click.option("--org", multiple=True, help="Mentions this organisation."),
        click.option("--location", multiple=True, help="Mentions this place."),
        click.option("--misc", multiple=True, help="Mentions this other entity."),
        click.option("--entity", multiple=True, help="Mentions this entity of any type."),
        click.option("--language", multiple=True, help="Language code (nl, fr, en...)."),
        click.option("--from", "date_from", help="From this date (YYYY, YYYY-MM or YYYY-MM-DD)."),
        click.option("--to", "date_to", help="Up to and including this date."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def search_options(fn: Callable) -> Callable:
    """The search filters and the order of results."""
    return filter_options(click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]),
                                       default="relevance", show_default=True)(fn))


def build_request(query: tuple[str, ...], **kw: Any) -> SearchRequest:
    """Build the shared search request from CLI options."""
    params = {
        "q": " ".join(query), "source": kw["source"], "person": kw["person"], "org": kw["org"],
        "location": kw["location"], "misc": kw["misc"], "entity": kw["entity"], "language": kw["language"],
        "from": kw["date_from"], "to": kw["date_to"], "sort": kw["sort"],
        "page": kw.get("page"), "size": kw.get("limit"), "facets": "1" if kw.get("facets") else None,
        "versions": "1" if kw.get("versions") else None,
    }
    return SearchRequest.from_dict({k: v for k, v in params.items() if v not in (None, (), "")})


@cli.command()
@click.argument("query", nargs=-1)
@search_options
@click.option("--limit", type=int, default=10, show_default=True, help="Results per page (1-100).")
@click.option("--page", type=int, default=1, show_default=True)
@click.option("--facets", is_flag=True, help="Count sources, entities, languages and periods (text: after the "
              "results; csv: the counts alone, as facet,value,count rows; json: a facets object).")
@click.option("--versions", is_flag=True, help="List every version of a reprinted story.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True)
@click.option("--explain", is_flag=True, help="Print how the query was parsed.")
@click.option("--export", "export_fmt", type=click.Choice(["csv", "jsonl"]),
              help="Print every matching article (all pages, every version), after a metadata line.")
@pass_ctx
@user_errors
def search(obj: Context, query: tuple[str, ...], fmt: str, explain: bool, export_fmt: str | None, **kw: Any) -> None:
    """Search the archive (Whoosh syntax: AND, OR, NOT, "phrases", field:value, wildcards*)."""
    from .search import search as run_search

    req = build_request(query, **kw)
    backend = obj.open()
    if export_fmt:
        from .export import iter_export

        if explain:
            click.echo(run_search(backend, req).explanation, err=True)
        for line in iter_export(backend, req, export_fmt):
            click.echo(line, nl=False)
        return
    page = run_search(backend, req)
    if explain:
        click.echo(page.explanation, err=fmt != "text")
    if fmt == "json":
        click.echo(json.dumps(page.to_dict(), ensure_ascii=False, indent=2))
    elif fmt == "csv" and page.facets is not None:
        write_facets_csv(page.facets)
    elif fmt == "csv":
        write_csv(page)
    else:
        print_text(page)
        if page.facets is not None:
            print_facets(page.facets)


def facet_rows(facets) -> list[tuple[str, str, int]]:
    """The counts of a search's facets as (facet, value, count): each facet's values, then the timeline's periods
    (facet `timeline`; the undated articles as the value `undated`)."""
    from .search import FACET_FIELDS

    rows = [(FACET_FIELDS.get(key, key), value, n) for key, values in facets.values.items() for value, n in values]
    rows += [("timeline", bar.period, bar.count) for bar in facets.timeline.bars]
    if facets.undated:
        rows.append(("timeline", "undated", facets.undated))
    return rows


def write_facets_csv(facets) -> None:
    """Write the facet counts of a search as one CSV table: facet, value, count."""
    from .export import safe_cell

    out = csv.writer(sys.stdout)
    out.writerow(["facet", "value", "count"])
    for facet, value, n in facet_rows(facets):
        out.writerow([facet, safe_cell(value), n])


def print_facets(facets) -> None:
    """Print the facet counts of a search after its results: one line per facet, most frequent first."""
    grouped: dict[str, list[str]] = {}
    for facet, value, n in facet_rows(facets):
        grouped.setdefault(facet, []).append(f"{value} ({n})")
    click.echo("Facets" if grouped else "Facets: none")
    for facet, values in grouped.items():
        click.echo(f"  {facet}: " + ", ".join(values))


def write_csv(page) -> None:
    """Write one page of results as CSV."""
    from .export import safe_cell

    out = csv.writer(sys.stdout)
    out.writerow(["id", "date", "source", "language", "title", "persons", "organisations", "locations", "url"])
    for hit in page.hits:
        a = hit.article
        out.writerow([safe_cell(v) for v in [
            a.id, a.date_iso or "", a.source or "", a.language or "", a.display_title, "; ".join(a.names("PER")),
            "; ".join(a.names("ORG")), "; ".join(a.names("LOC")), a.url or ""]])


def print_text(page) -> None:
    """Print a page of results for a terminal."""
    if not page.hits:
        click.echo("No articles match." if page.total == 0 else f"No results on page {page.page} of {page.pages}.")
        return
    last = page.first_rank + len(page.hits) - 1
    click.echo(f"{page.total} articles match; results {page.first_rank}-{last} of {page.results_total}, "
               f"page {page.page} of {page.pages}\n")
    for hit in page.hits:
        a = hit.article
        meta = " · ".join(x for x in [a.date_iso or "undated", a.source or "unknown source", a.language or ""] if x)
        click.echo(click.style(a.display_title, bold=True))
        click.echo(f"  {meta}  [{a.id}]" + (f"  (+{hit.versions} more versions)" if hit.versions else ""))
        if hit.snippet:
            click.echo("  " + hit.snippet_text)
        people = ", ".join(a.names("PER")[:5])
        if people:
            click.echo(f"  people: {people}")
        click.echo("")


@cli.command()
@click.argument("article_id")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_ctx
@user_errors
def show(obj: Context, article_id: str, fmt: str) -> None:
    """Show one article by its id."""
    article = obj.open().get(article_id)
    if article is None:
        raise click.ClickException(f"no article with id {article_id}: find ids with `archive search`")
    if fmt == "json":
        click.echo(json.dumps(article.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(click.style(article.display_title, bold=True))
    click.echo(f"{article.date_iso or 'undated'} ({article.date_source}) · {article.source or 'unknown source'}"
               f" · {article.language or '?'}")
    if article.caption:
        click.echo(f"\n[caption] {article.caption}")
    click.echo("\n" + article.body + "\n")
    for label in LABELS:
        if names := article.names(label):
            click.echo(f"{label}: {', '.join(names)}")


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
def extract(paths: tuple[str, ...], fmt: str) -> None:
    """Read and enrich PATHS without indexing; print one JSON record per article."""
    from .ingest import library_warnings, process_input
    from .readers import ReadError, iter_inputs

    failed = 0
    for item in iter_inputs(list(paths)):
        if isinstance(item, ReadError):
            click.echo(f"failed: {item}", err=True)
            failed += 1
            continue
        with library_warnings(item.name) as warned:
            name, result = process_input(item)
        for warning in warned:
            click.echo(f"warning: {warning}", err=True)
        if isinstance(result, str):
            click.echo(f"failed: {result}", err=True)
            failed += 1
            continue
        for article in result:
            click.echo(json.dumps(article.to_dict(), ensure_ascii=False))
    if failed:
        sys.exit(1)


@cli.command()
@click.option("--type", "label", type=click.Choice(LABELS), help="Only this entity type.")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@pass_ctx
@user_errors
def entities(obj: Context, label: str | None, limit: int) -> None:
    """List the entities in the index with the number of articles mentioning each."""
    facets = _all_facets(obj, limit)
    for lab in [label] if label else LABELS:
        click.echo(click.style(lab, bold=True))
        for name, n in facets.values[lab]:
            click.echo(f"  {n:6d}  {name}")


@cli.command()
@pass_ctx
@user_errors
def sources(obj: Context) -> None:
    """List the sources in the index with their article counts."""
    for name, n in _all_facets(obj, None).values["source"]:
        click.echo(f"{n:6d}  {name}")


def _all_facets(obj: Context, limit: int | None):
    """Count facet values over every article in the index."""
    return obj.open().facet_counts(limit)


@cli.command()
@pass_ctx
@user_errors
def stats(obj: Context) -> None:
    """Summarise the index: articles, sources, languages, dates."""
    st = obj.open().stats()
    click.echo(f"index: {obj.shown} ({st.engine}, version {st.version})")
    click.echo(f"articles: {st.articles}")
    click.echo(f"sources: {st.sources}")
    click.echo("languages: " + ", ".join(f"{k} {v}" for k, v in st.languages))
    span = f"{st.first_date} to {st.last_date}" if st.first_date else "none"
    click.echo(f"dates: {span}; undated: {st.undated}")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@pass_ctx
@user_errors
def export(obj: Context, fmt: str) -> None:
    """Print every stored article as JSON Lines (re-ingest the output to rebuild an index)."""
    for article in obj.open().articles():
        click.echo(json.dumps(article.to_dict(), ensure_ascii=False))


@cli.command()
@click.option("--enrich", is_flag=True, help="Also find languages and entities again (after a model update).")
@pass_ctx
@user_errors
def reindex(obj: Context, enrich: bool) -> None:
    """Rebuild the index from the articles it stores (after an analyzer or schema change), without the originals."""
    count = obj.open().reindex(enrich=enrich)
    click.echo(f"rebuilt {obj.shown} from {count} stored articles", err=True)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (default: this machine only).")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to bind (0: any free one, printed).")
@click.option("--workers", type=click.IntRange(1, 256), default=None,
              help="Worker processes sharing the port (default: the number of cores).")
@click.option("--threads", type=click.IntRange(1, 256), default=8, show_default=True,
              help="Threads answering requests in each worker process.")
@click.option("--debug", is_flag=True, help="Flask debug mode, one process (never on a shared network).")
@click.option("--query-seconds", type=click.FloatRange(0), default=None, envvar="ARCHIVE_QUERY_SECONDS",
              help="Time budget of one search on a Whoosh index, in seconds (default 5; 0: none; "
                   "env ARCHIVE_QUERY_SECONDS).")
@pass_ctx
@user_errors
def serve(obj: Context, host: str, port: int, workers: int | None, threads: int, debug: bool,
          query_seconds: float | None) -> None:
    """Serve the search web app (read-only) on HOST:PORT with waitress, in several worker processes."""
    from . import serving
    from .web import create_app

    if debug and host not in ("127.0.0.1", "localhost", "::1"):
        raise click.BadParameter("--debug serves Flask's interactive debugger: only with --host 127.0.0.1",
                                 param_hint="--debug")
    obj.open().close()  # fail here, not in every worker; each worker opens its own backend after the fork
    location = obj.index_path if is_url(obj.index_path) else os.path.abspath(obj.index_path)
    config = {"INDEX_PATH": location, "QUERY_SECONDS": query_seconds}
    if debug:
        click.echo(f"Serving {obj.shown} on http://{host}:{port}/ (Ctrl-C stops)", err=True)
        create_app(config).run(host=host, port=port, debug=True, use_reloader=False)
        return
    try:
        sockets = serving.bind(host, port)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    workers = workers or serving.default_workers()
    port = sockets[0].getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host
    processes = "1 process" if workers == 1 else f"{workers} worker processes"
    click.echo(f"Serving {obj.shown} on http://{shown_host}:{port}/ with {processes} (Ctrl-C stops)", err=True)
    try:
        status = serving.serve(lambda: create_app(config), sockets, workers, threads)
    finally:
        for sock in sockets:
            sock.close()
    if status:
        sys.exit(status)


@cli.group()
def cluster() -> None:
    """Start and stop a local sharded PostgreSQL layout (a coordinator and shard servers) for trials and tests."""


@cluster.command("up")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--shards", type=click.IntRange(1, 64), default=None, help="Shard servers (default 3 for a new one).")
@click.option("--port", type=click.IntRange(1024, 65000), default=None,
              help="The coordinator's port; shards take the next ones (default 5432 for a new one).")
def cluster_up(directory: str, shards: int | None, port: int | None) -> None:
    """Create or start the layout in DIRECTORY (127.0.0.1 only) and print the URL to give as --index."""
    from .backends.postgres.layout import LayoutError, up

    try:
        url = up(directory, shards=shards, port=port)
    except LayoutError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(url)


@cluster.command("down")
@click.argument("directory", type=click.Path(file_okay=False))
def cluster_down(directory: str) -> None:
    """Stop every server of the layout in DIRECTORY."""
    from .backends.postgres.layout import LayoutError, down

    try:
        down(directory)
    except LayoutError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"stopped the servers in {directory}", err=True)


@cluster.command("status")
@click.argument("directory", type=click.Path(file_okay=False))
def cluster_status(directory: str) -> None:
    """Say which servers of the layout in DIRECTORY are running."""
    from .backends.postgres.layout import LayoutError, status

    try:
        servers = status(directory)
    except LayoutError as exc:
        raise click.ClickException(str(exc)) from None
    for name, port, running in servers:
        click.echo(f"{name:12} 127.0.0.1:{port}  {'running' if running else 'stopped'}")


@cli.command()
@pass_ctx
@user_errors
def migrate(obj: Context) -> None:
    """Bring a PostgreSQL archive made by an older version to this version's schema."""
    if not is_url(obj.index_path):
        raise click.ClickException("migrate is for PostgreSQL archives; a Whoosh folder is rebuilt with "
                                   "`archive reindex`")
    from .backends.postgres import migrate as run_migrate

    click.echo(run_migrate(obj.index_path), err=True)


@cli.command()
@pass_ctx
@user_errors
def check(obj: Context) -> None:
    """Verify the index: every file (or server index) readable and intact, counts consistent; say what to do."""
    try:
        backend = open_backend(obj.index_path)
    except BackendError as exc:
        if is_url(obj.index_path):
            raise
        from .backends.whoosh.integrity import check_index  # a folder too damaged to open is still checked

        problems, articles, segments = check_index(obj.index_path)
        if not problems:
            raise
        from .backends.base import Checked

        report = Checked(problems, f"{articles:,} articles in {segments} segments")
    else:
        click.get_current_context().call_on_close(backend.close)
        report = backend.check()
    for problem in report.problems:
        click.echo(problem)
    if report.problems:
        click.echo(f"{len(report.problems)} problem(s) in {obj.shown}", err=True)
        sys.exit(1)
    click.echo(f"ok: {report.summary}")


@cli.command()
@click.argument("queries", nargs=-1, required=True)
@click.option("--by", type=click.Choice(["auto", "day", "week", "month", "year"]), default="auto", show_default=True,
              help="Count per this period (auto: years, months or days, from the span).")
@click.option("--normalise", is_flag=True, help="Chart shares, not counts (the table and CSV always give both).")
@click.option("--share-of", type=click.Choice(["filters", "all"]), default="filters", show_default=True,
              help="Denominator: articles with the same filters (the search without its words), or all articles.")
@click.option("--split-source", is_flag=True, help="Split the one query by its top sources.")
@click.option("--filter", "own_filters", multiple=True, metavar="N:NAME=VALUE",
              help="A filter of query N only (e.g. 2:source=Belga, 1:from=2016); repeatable.")
@click.option("--source", multiple=True, help="Only this source, for every query (repeatable).")
@click.option("--person", multiple=True, help="Mentions this person, for every query.")
@click.option("--org", multiple=True, help="Mentions this organisation, for every query.")
@click.option("--location", multiple=True, help="Mentions this place, for every query.")
@click.option("--language", multiple=True, help="Language code, for every query.")
@click.option("--from", "date_from", help="From this date (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--to", "date_to", help="Up to and including this date.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@pass_ctx
@user_errors
def attention(obj: Context, queries: tuple[str, ...], by: str, normalise: bool, share_of: str, split_source: bool,
              own_filters: tuple[str, ...], fmt: str, **shared: Any) -> None:
    """Count the articles of each QUERY (up to five; '' for all) per period, with their share of all articles."""
    from .attention import SERIES_PARAMS, AttentionRequest, attention as count_attention
    from .chart import percent

    params: dict[str, Any] = {"q": list(queries), "by": by, "normalise": "1" if normalise else "0",
                              "share_of": share_of, "split": "source" if split_source else ""}
    for name, values in shared.items():
        key = {"date_from": "from", "date_to": "to"}.get(name, name)
        if values:
            params[key] = values
    for text in own_filters:
        number, _, rest = text.partition(":")
        name, _, value = rest.partition("=")
        if not number.strip().isdigit() or name.strip() not in SERIES_PARAMS or not value.strip():
            raise click.BadParameter(f"{text!r}: write N:NAME=VALUE, NAME one of {', '.join(SERIES_PARAMS)}",
                                     param_hint="--filter")
        params.setdefault(f"{name.strip()}.{int(number)}", []).append(value.strip())
    try:
        areq = AttentionRequest.from_dict(params)
    except RequestError as exc:
        hint = f"--filter {exc.param}" if "." in exc.param else {"q": "QUERIES", "split": "--split-source",
                                                                   "share_of": "--share-of"}.get(exc.param)
        raise click.BadParameter(str(exc).split(": ", 1)[1], param_hint=hint or f"--{exc.param}") from None
    if not areq.series:
        raise click.BadParameter("give at least one query ('' counts every article)", param_hint="QUERIES")
    att = count_attention(obj.open(), areq)
    if fmt == "json":
        click.echo(json.dumps(att.to_dict(), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        click.echo(att.csv(), nl=False)
    else:
        header = [att.unit] + [f"{s.label} {what}" for s in att.series for what in ("articles", "share")]
        rows = [[p] + [cell for s in att.series for cell in (str(s.counts[i]), percent(s.shares[i]) if s.base[i]
                                                                  else "-")]
                for i, p in enumerate(att.periods)]
        widths = [max(len(r[k]) for r in [header, *rows]) for k in range(len(header))]
        for row in [header, *rows]:
            click.echo("  ".join(cell.ljust(w) if k == 0 else cell.rjust(w) for k, (cell, w) in
                                 enumerate(zip(row, widths))).rstrip())
        click.echo(f"Shares are of {att.base_name}." + "".join(
            f" {s.label}: {s.undated} undated." for s in att.series if s.undated))
@cli.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--width", default="60", show_default=True, help="Characters of context on each side (10-300).")
@click.option("--sort", type=click.Choice(["date", "newest", "source", "left", "right"]), default="date",
              show_default=True, help="Order: date (oldest first), newest, source, or the word before/after.")
@click.option("--page", default="1", show_default=True)
@click.option("--size", default="50", show_default=True, help="Lines per page (1-1000).")
@click.option("--all", "every", is_flag=True, help="Every line (up to the scan limit), not one page (csv, json).")
@click.option("--versions", is_flag=True, help="Read every version of a reprinted story.")
@filter_options
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@pass_ctx
@user_errors
def kwic(obj: Context, query: tuple[str, ...], every: bool, versions: bool, fmt: str, **kw: Any) -> None:
    """Show every occurrence of the words of QUERY with the text around it (a concordance, one line each)."""
    from .kwic import Finder, KwicRequest, all_lines, concordance, csv_lines

    params: dict[str, Any] = {"q": " ".join(query), "versions": "1" if versions else None}
    for name, value in kw.items():
        params[{"date_from": "from", "date_to": "to"}.get(name, name)] = value
    try:
        kreq = KwicRequest.from_dict({k: v for k, v in params.items() if v not in (None, (), "")})
        Finder.of(kreq.search)  # a query without words is a usage error, before the archive is opened
    except RequestError as exc:
        if exc.param != "q":
            raise
        raise click.BadParameter(str(exc).split(": ", 1)[1], param_hint="QUERY") from None
    backend = obj.open()
    if every and fmt != "table":
        lines = all_lines(backend, kreq)
        if fmt == "csv":
            for text in csv_lines(lines):
                click.echo(text, nl=False)
        else:
            for line in lines:
                click.echo(json.dumps(line.to_dict(), ensure_ascii=False))
        return
    conc = concordance(backend, kreq)
    if fmt == "json":
        click.echo(json.dumps(conc.to_dict(), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        click.echo(conc.csv(), nl=False)
    else:
        for line in conc.lines:
            left = line.left[-kreq.width:]
            click.echo(f"{left:>{kreq.width}}  {line.keyword}  {line.right[:kreq.width]:<{kreq.width}}  "
                       f"{line.source or '-'} {(line.date or 'undated')[:10]}  {line.article_id}".rstrip())
        known = f" of {conc.occurrences:,}" if conc.occurrences is not None else ""
        shown = f"lines {conc.first:,}-{conc.last:,}{known}" if conc.lines else "no line on this page"
        more = f"; next: --page {kreq.page + 1}" if conc.has_next else ""
        window = ""
        if conc.window_full:
            window = f" Sorted the first {conc.sorted_window:,} occurrences in date order only."
        click.echo(f"{conc.articles:,} matching articles; {shown}{more}.{window}", err=True)


def main() -> None:
    cli(prog_name="archive")


from .savedcmd import saved, watch  # noqa: E402  (saved searches and watch: archive/savedcmd.py)

cli.add_command(saved)
cli.add_command(watch)
