"""`archive saved` (list, add, remove) and `archive watch NAME`: the CLI of saved searches (archive/saved.py).

Registered on the `archive` group at the end of cli.py. The CLI is the only writer of the saved-search file.
"""
from __future__ import annotations

import json
from typing import Any

import click

from .cli import Context, build_request, search_options, user_errors
from .model import public_origin
from . import saved as store

pass_ctx = click.make_pass_decorator(Context)  # as in cli.py (imported from there, mypy meets the import cycle)

SAVED_OPTION = click.option(
    "--saved", "saved_file", envvar="ARCHIVE_SAVED", type=click.Path(dir_okay=False),
    help="The saved-search file (env ARCHIVE_SAVED; default: beside the index folder, <index>.saved.json, or "
         "./archive-saved.json for PostgreSQL).")


def _path(obj: Context, saved_file: str | None):
    return store.saved_path(obj.index_path, saved_file)


def _describe(entry: store.SavedSearch) -> str:
    from .feed import describe

    try:
        req = entry.request()
    except ValueError as exc:
        return f"(cannot be read: {exc})"
    return describe(req) + (f", {req.sort} first" if req.sort != "relevance" else "")


def _saved_errors(fn):
    from functools import wraps

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except store.SavedError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


@click.group(invoke_without_command=True)
@SAVED_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
@_saved_errors
def saved(ctx: click.Context, saved_file: str | None, fmt: str) -> None:
    """List the saved searches (`archive saved add NAME QUERY...` saves one, `remove NAME` forgets it)."""
    if ctx.invoked_subcommand is not None:
        ctx.meta["saved_file"] = saved_file
        return
    obj = ctx.find_object(Context)
    assert obj is not None
    path = _path(obj, saved_file)
    data = store.load(path)
    if fmt == "json":
        click.echo(json.dumps(data.to_dict() | {"file": str(path)}, ensure_ascii=False, indent=2))
        return
    if not data.searches:
        click.echo(f"No saved searches in {path}: `archive saved add NAME QUERY...` saves one.", err=True)
        return
    for name, entry in sorted(data.searches.items()):
        state = data.state.get(name) or {}
        watched = f"  (watched {state['last_run']})" if state.get("last_run") else ""
        click.echo(f"{name}: {_describe(entry)}{watched}")


def _file(ctx: click.Context, saved_file: str | None) -> str | None:
    return saved_file or ctx.meta.get("saved_file")


@saved.command("add")
@click.argument("name")
@click.argument("query", nargs=-1)
@search_options
@click.option("--versions", is_flag=True, help="Every version of a reprinted story.")
@click.option("--replace", "replace_existing", is_flag=True, help="Replace a saved search of that name.")
@SAVED_OPTION
@click.pass_context
@pass_ctx
@user_errors
@_saved_errors
def saved_add(obj: Context, ctx: click.Context, name: str, query: tuple[str, ...], replace_existing: bool,
              saved_file: str | None, **kw: Any) -> None:
    """Save the search QUERY with its filters as NAME (the search page's parameters)."""
    req = build_request(query, **kw)
    path = _path(obj, _file(ctx, saved_file))
    entry = store.add(path, name, req, replace_existing)
    click.echo(f"saved {entry.name!r}: {_describe(entry)} in {path}", err=True)


@saved.command("remove")
@click.argument("name")
@SAVED_OPTION
@click.pass_context
@pass_ctx
@_saved_errors
def saved_remove(obj: Context, ctx: click.Context, name: str, saved_file: str | None) -> None:
    """Forget the saved search NAME (and what `archive watch` had seen of it)."""
    path = _path(obj, _file(ctx, saved_file))
    store.remove(path, name)
    click.echo(f"removed {name!r} from {path}", err=True)


@click.command()
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True)
@SAVED_OPTION
@pass_ctx
@user_errors
@_saved_errors
def watch(obj: Context, name: str, fmt: str, saved_file: str | None) -> None:
    """Print the matches of the saved search NAME that are new since the last run (oldest first), for cron.

    The first run prints nothing: it records the newest match, and says so on stderr. New: dated after the newest
    match seen before (every version of a reprint; undated articles never are).
    """
    path = _path(obj, saved_file)
    result = store.find_new(obj.open(), path, name)
    for article in result.new:
        if fmt == "jsonl":
            record = article.to_dict()
            record["origin"] = public_origin(article.origin)
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            click.echo(f"{article.date_iso}  {article.source or 'unknown source'}  {article.display_title}  "
                       f"[{article.id}]")
    store.record(path, result)  # once the new matches are out: a failed run reports them again
    if result.first_run:
        click.echo(f"first watch of {name!r}: {result.seen} matching articles recorded as seen; later runs print "
                   "the new ones", err=True)
    else:
        click.echo(f"{len(result.new)} new matches of {name!r} since {result.since}", err=True)
