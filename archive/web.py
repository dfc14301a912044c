"""The web app: a search page, article pages and a JSON API over the same search request as the CLI.

Read-only: it searches and reads through the backend protocol, never writes. One backend per app (a folder or a
PostgreSQL URL), opened on first use; the engine keeps what it needs open between requests (Whoosh: a pool
of searchers; PostgreSQL: connections).
"""
from __future__ import annotations

import json
import logging
import weakref
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from flask import Flask, Response, abort, current_app, jsonify, render_template, request
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException

from .backends import Backend, BackendError, IndexMissing, open_backend
from .entities.languages import DEFAULT_LANGUAGE, display_name, other_names
from .export import FORMATS, filename, start_export
from .facetview import archive_votes, for_reader, localised, voted
from .model import LABELS, Article, Entity, public_origin
from .pages import ENTITY_TYPES, TYPE_NAMES, profile
from .query import QueryError
from .reading import marked, reading, request_of
from .request import RequestError, SearchRequest
from .search import FACET_FIELDS

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
if not TEMPLATES.is_dir():  # installed as a wheel: templates are shipped inside the package
    TEMPLATES = Path(__file__).resolve().parent / "templates"
LABEL_NAMES = {"PER": "People", "ORG": "Organisations", "LOC": "Places", "MISC": "Other"}
FILTER_OF_LABEL = {"PER": "person", "ORG": "org", "LOC": "location", "MISC": "misc"}
FACET_NAMES = {"source": "Sources", "language": "Languages"} | LABEL_NAMES
FILTER_NAMES = {"source": "source", "person": "person", "org": "organisation", "location": "place", "misc": "other",
                "entity": "entity", "language": "language", "cluster": "versions of one story"}


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the app; config INDEX_PATH (or env ARCHIVE_INDEX_PATH / ARCHIVE_INDEX) names the folder or URL."""
    app = Flask(__name__, template_folder=str(TEMPLATES))
    app.config.from_mapping(INDEX_PATH=os.environ.get("ARCHIVE_INDEX", "index"), FULL_ORIGINS=False)
    app.config.from_prefixed_env("ARCHIVE")
    if test_config:
        app.config.update(test_config)
    app.config.setdefault("LANGUAGE", DEFAULT_LANGUAGE)  # of entity names in facets and on entity pages
    app.jinja_env.globals.update(LABELS=LABELS, LABEL_NAMES=LABEL_NAMES, FILTER_OF_LABEL=FILTER_OF_LABEL,
                                 FACET_FIELDS=FACET_FIELDS, FACET_NAMES=FACET_NAMES, FILTER_NAMES=FILTER_NAMES,
                                 TYPE_NAMES=TYPE_NAMES, entity_url=entity_url, source_url=source_url)
    app.jinja_env.filters["annotate"] = annotate
    app.jinja_env.filters["marked"] = marked
    app.jinja_env.filters["in_language"] = display_name
    app.jinja_env.tests["is_web_url"] = is_web_url

    holder = _BackendHolder(app.config["INDEX_PATH"], app.config.get("SEARCHERS", 8), app.config.get("QUERY_SECONDS"))
    app.extensions["archive_backend"] = holder
    weakref.finalize(app, holder.close)  # close the kept searchers' files or connections when the app goes away

    @app.get("/")
    def search_page():
        req = _request()
        page = _backend().search(req)
        page.facets = for_reader(_backend(), page.facets, current_app.config["LANGUAGE"])
        return render_template("search.html", req=req, page=page)

    @app.get("/articles/<path:article_id>")
    def article_page(article_id: str):
        article = _article(article_id)
        terms, similar = _backend().more_like(article)
        read = reading(article, request_of(request.args.getlist))  # opened from results: their words marked
        return render_template("article.html", article=article, versions=_backend().versions(article),
                               similar=similar, similar_terms=terms, read=read)

    @app.after_request
    def security_headers(response: Response) -> Response:
        """The pages need no script: forbid any, and framing, and sniffing; send no referrer elsewhere."""
        response.headers.setdefault(
            "Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    @app.get("/entities/<kind>/<path:name>")
    def entity_page(kind: str, name: str):
        if kind not in ENTITY_TYPES:
            abort(404, f"no entity type {kind!r}: use person, org, location or misc")
        if not name.strip():
            abort(404, "give the name of the entity after /entities/<type>/")
        return _profile_page(kind, name)

    @app.get("/sources/<path:name>")
    def source_page(name: str):
        if not name.strip():
            abort(404, "give the name of the source after /sources/")
        return _profile_page("source", name)

    @app.get("/api/search")
    def api_search():
        page = _backend().search(_request())
        return jsonify(page.to_dict())

    @app.get("/api/export")
    def api_export():
        fmt = request.args.get("format", "jsonl")
        if fmt not in FORMATS:
            raise RequestError("format", f"unknown export format {fmt!r}: use csv or jsonl")
        req = _request()
        cite, lines = start_export(_backend(), req, fmt, full_origins=current_app.config["FULL_ORIGINS"])
        headers = {"Content-Disposition": f'attachment; filename="{filename(req, fmt)}"',
                   "X-Archive-Export": json.dumps(cite, ensure_ascii=True)}  # the citation, also in the file
        return Response(lines, mimetype=FORMATS[fmt].split(";")[0], headers=headers)

    @app.get("/api/articles/<path:article_id>")
    def api_article(article_id: str):
        article = _article(article_id)
        record = article.to_dict()
        if not current_app.config["FULL_ORIGINS"]:
            record["origin"] = public_origin(article.origin)
        record["versions"] = [{"id": v.id, "source": v.source, "date": v.date_iso, "title": v.display_title}
                              for v in _backend().versions(article)]
        return jsonify(record)

    @app.errorhandler(RequestError)
    @app.errorhandler(QueryError)
    def bad_request(exc: Exception):
        return _error(400, str(exc))

    @app.errorhandler(IndexMissing)
    @app.errorhandler(BackendError)
    def no_index(exc: Exception):
        log.warning("%s", exc)
        return _error(503, str(exc))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return _error(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unexpected error on %s", request.path)
        return _error(500, "something went wrong on our side; the error was logged")

    _attention_routes(app)
    _feed_routes(app)
    _kwic_routes(app)
    _browse_routes(app)
    _saved_routes(app)
    _openapi_routes(app)
    return app


class _BackendHolder:
    """The app's backend, opened on first use (so that the app starts before the index exists)."""

    def __init__(self, location: str, searchers: int, query_seconds: float | None = None):
        self.location = location
        self.searchers = searchers
        self.query_seconds = query_seconds  # the time budget per search (PostgreSQL: per statement)
        self._backend: Backend | None = None

    def get(self) -> Backend:
        if self._backend is None:
            options: dict[str, Any] = {"read_only": True, "query_seconds": self.query_seconds} \
                if "://" in str(self.location) else {"searchers": self.searchers, "query_seconds": self.query_seconds}
            backend = open_backend(self.location, **options)
            backend.count()  # raises IndexMissing where there is nothing to read
            self._backend = backend
        return self._backend

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()


def _backend() -> Backend:
    return current_app.extensions["archive_backend"].get()


def _request() -> SearchRequest:
    """Build the search request from the URL; the page always shows facets, the API where asked."""
    args = request.args
    on_page = request.path == "/"
    return SearchRequest.from_params(lambda name: args.getlist(name) or (["1"] if on_page and name == "facets" else []))


def _profile_page(kind: str, name: str):
    prof = profile(_backend(), kind, name)
    status = 200 if prof.total else 404
    language = current_app.config["LANGUAGE"]
    prof.related = localised(voted(prof.related, archive_votes(_backend())), language)
    aka = []
    if kind in ENTITY_TYPES:
        aka, prof.name = other_names(prof.name, language), display_name(prof.name, language)
    return render_template("profile.html", profile=prof, page=prof.page, req=prof.request, aka=aka), status


def entity_url(label_or_kind: str, name: str) -> str:
    """Return the path of an entity's page (label PER/ORG/LOC/MISC or kind person/org/location/misc)."""
    kind = FILTER_OF_LABEL.get(label_or_kind, label_or_kind)
    return f"/entities/{kind}/{quote(name, safe='')}"


def source_url(name: str) -> str:
    """Return the path of a source's page."""
    return f"/sources/{quote(name, safe='')}"


def _article(article_id: str) -> Article:
    article = _backend().get(article_id)
    if article is None:
        abort(404, f"no article with id {article_id}: it may have been re-ingested under a new id; search for it")
    return article


def _error(status: int, message: str):
    if request.path.startswith("/api/"):
        return jsonify({"error": message, "status": status}), status
    return render_template("error.html", status=status, message=message), status


PAGE_CHARS = 200_000  # the article page shows this much of a body; the API and exports give all of it


def annotate(text: str, entities: list[Entity], subheadings: list[str] | None = None,
             limit: int = PAGE_CHARS, marks: list[tuple[int, int]] | None = None) -> Markup:
    """Render text as escaped HTML paragraphs (subheadings as headings) with entity mentions linked to a search.

    Only the first `limit` characters are rendered (cut between paragraphs where one ends late enough).
    """
    heads = set(subheadings or [])
    shown = text
    if len(text) > limit:
        cut = text.rfind("\n\n", 0, limit)
        shown = text[: cut if cut > limit // 2 else limit]
    ordered = sorted((e for e in entities if e.end <= len(shown)), key=lambda e: e.start)
    out: list[Markup] = []
    start = 0
    first = 0  # the first entity not yet placed
    for para in shown.split("\n\n"):
        end = start + len(para)
        while first < len(ordered) and ordered[first].start < start:
            first += 1
        last = first
        while last < len(ordered) and ordered[last].start < end:
            last += 1
        inner = _link_entities(text, start, end, [e for e in ordered[first:last] if e.end <= end], marks or [])
        first = last
        tag = "h3" if para in heads else "p"
        out.append(Markup(f"<{tag}>") + inner + Markup(f"</{tag}>"))
        start = end + 2
    if len(shown) < len(text):
        out.append(Markup('<p class="muted">') + escape(
            f"… the article goes on for {len(text) - len(shown):,} more characters: the API and the exports give "
            "the whole text.") + Markup("</p>"))
    return Markup("\n").join(out)


def _link_entities(text: str, start: int, end: int, entities: list[Entity],
                   marks: list[tuple[int, int]] | None = None) -> Markup:
    """Escape text[start:end], linking each entity mention to a search filtered on it (searched words in <mark>)."""
    out: list[Markup] = []
    pos = start
    for ent in sorted(entities, key=lambda e: e.start):
        if ent.start < pos:
            continue
        out.append(marked(text, marks or [], pos, ent.start))
        link = "/?" + urlencode({FILTER_OF_LABEL[ent.label]: ent.name})
        out.append(Markup('<a class="ent ent-%s" href="%s" title="%s">%s</a>')
                   % (ent.label.lower(), link, ent.name, marked(text, marks or [], ent.start, ent.end)))
        pos = ent.end
    out.append(marked(text, marks or [], pos, end))
    return Markup("").join(out)


def is_web_url(url: str) -> bool:
    """Say whether a URL is safe to link to (http or https only: no javascript: or data: links)."""
    return url.lower().startswith(("http://", "https://"))


def _attention_routes(app: Flask) -> None:
    """Attention over time: the comparison page, its chart as SVG, and the numbers as JSON or CSV."""
    from .attention import AttentionRequest, attention, series_params
    from .chart import line_chart, percent

    app.jinja_env.globals.update(attention_url=lambda req: "/attention?" + urlencode(series_params(req)),
                                 percent=percent)

    def attention_request() -> AttentionRequest:
        args = request.args
        return AttentionRequest.from_params(args.getlist, list(args))

    @app.get("/attention")
    def attention_page():
        areq = attention_request()
        att = attention(_backend(), areq) if areq.series else None
        return render_template("attention.html", areq=areq, att=att, chart=line_chart(att) if att else None,
                               qs=urlencode(areq.params()))

    @app.get("/attention.svg")
    def attention_svg():
        areq = attention_request()
        if not areq.series:
            raise RequestError("q", "give the words of at least one search")
        svg = render_template("attention.svg", chart=line_chart(attention(_backend(), areq)))
        return Response(svg, mimetype="image/svg+xml")

    @app.get("/api/attention")
    def api_attention():
        fmt = request.args.get("format", "json")
        if fmt not in ("json", "csv"):
            raise RequestError("format", f"unknown format {fmt!r}: use json or csv")
        areq = attention_request()
        if not areq.series:
            raise RequestError("q", "give the words of at least one search (q, once per search)")
        att = attention(_backend(), areq)
        if fmt == "csv":
            return Response(att.csv(), mimetype="text/csv",
                            headers={"Content-Disposition": f'attachment; filename="attention-{att.unit}.csv"'})
        return jsonify(att.to_dict())


def _feed_routes(app: Flask) -> None:
    """An Atom feed of every search's newest matches (`/feed` takes the search page's parameters)."""
    from .feed import atom_feed, feed_params, feed_request

    def with_query(path: str, query: str) -> str:
        return f"{path}?{query}" if query else path

    app.jinja_env.globals.update(feed_url=lambda req: with_query("/feed", feed_params(req)))

    @app.get("/feed")
    def feed():
        sized = "size" in request.args
        req = feed_request(_request(), size_given=sized)
        host = request.host_url.rstrip("/")
        query = "&".join(p for p in (feed_params(req), f"size={req.page_size}" if sized else "") if p)
        body = atom_feed(_backend().search(req), host, with_query(f"{host}/feed", query),
                         with_query(f"{host}/", feed_params(req)))
        return Response(body, mimetype="application/atom+xml")


def _kwic_routes(app: Flask) -> None:
    """Words in context: the concordance page, and its lines as JSON or CSV (`/api/kwic`)."""
    from .kwic import SCAN_LIMIT, SORT_LIMIT, SORTS, KwicRequest, all_lines, concordance, csv_lines

    app.jinja_env.globals.update(kwic_url=lambda req: "/kwic?" + urlencode(KwicRequest.of_search(req).params()))

    def kwic_request() -> KwicRequest:
        return KwicRequest.from_params(request.args.getlist)

    @app.get("/kwic")
    def kwic_page():
        kreq = kwic_request()
        conc = concordance(_backend(), kreq) if kreq.search.q else None
        return render_template("kwic.html", kreq=kreq, conc=conc, sorts=SORTS, limits=(SORT_LIMIT, SCAN_LIMIT),
                               url=lambda **changes: urlencode(kreq.params(**changes)))

    @app.get("/api/kwic")
    def api_kwic():
        fmt = request.args.get("format", "json")
        if fmt not in ("json", "csv"):
            raise RequestError("format", f"unknown format {fmt!r}: use json or csv")
        kreq = kwic_request()
        if fmt == "csv":
            disposition = {"Content-Disposition": 'attachment; filename="kwic.csv"'}
            if request.args.get("all") in ("1", "true", "yes", "on"):
                return Response(csv_lines(all_lines(_backend(), kreq)), mimetype="text/csv", headers=disposition)
            return Response(concordance(_backend(), kreq).csv(), mimetype="text/csv", headers=disposition)
        return jsonify(concordance(_backend(), kreq).to_dict())


def _browse_routes(app: Flask) -> None:
    """Every value of a facet: `/sources`, `/entities/<type>` and a search's facet `/facets/<facet>`, and as JSON."""
    from dataclasses import replace as changed

    from .browse import FACETS, ValuesRequest, facet_values

    kinds = {"PER": "person", "ORG": "org", "LOC": "location", "MISC": "misc"}

    def more_url(key: str, req: SearchRequest) -> str:
        facet = FACET_FIELDS[key]
        search = changed(req, sort="relevance", page=1, page_size=10, facets=False)
        return f"/facets/{facet}?" + urlencode(ValuesRequest(facet, search).params())

    app.jinja_env.globals.update(facet_more_url=more_url)

    def values_page(facet: str, path: str):
        vreq = ValuesRequest.from_params(facet, request.args.getlist)
        votes, language = archive_votes(_backend()), current_app.config["LANGUAGE"]
        vpage = facet_values(_backend(), vreq, lambda key, vals: localised(voted({key: vals}, votes), language)[key])
        return render_template("browse.html", vreq=vreq, vpage=vpage, path=path,
                               facets=FACETS, kinds=kinds, url=lambda **c: urlencode(vreq.params(**c)))

    def values_json(facet: str):
        vreq = ValuesRequest.from_params(facet, request.args.getlist)
        return jsonify(facet_values(_backend(), vreq).to_dict())

    @app.get("/sources")
    def sources_page():
        return values_page("source", "/sources")

    @app.get("/entities")
    def entities_index():
        counts = _backend().facet_counts(None).values
        return render_template("entities.html", counts={kind: len(counts.get(label, []))
                                                        for label, kind in kinds.items()})

    @app.get("/entities/<kind>")
    def entities_page(kind: str):
        if kind not in ENTITY_TYPES:
            abort(404, f"no entity type {kind!r}: use person, org, location or misc")
        return values_page(kind, f"/entities/{kind}")

    @app.get("/facets/<facet>")
    def facet_page(facet: str):
        if facet not in FACETS:
            abort(404, f"no facet {facet!r}: use one of {', '.join(FACETS)}")
        return values_page(facet, f"/facets/{facet}")

    @app.get("/api/sources")
    def api_sources():
        return values_json("source")

    @app.get("/api/entities")
    def api_entities():
        kind = request.args.get("type", "")
        if kind not in ENTITY_TYPES:
            raise RequestError("type", f"give the type of entity: type=person, org, location or misc (not {kind!r})")
        return values_json(kind)

    @app.get("/api/entities/<kind>")
    def api_entities_of(kind: str):
        if kind not in ENTITY_TYPES:
            abort(404, f"no entity type {kind!r}: use person, org, location or misc")
        return values_json(kind)

    @app.get("/api/facets/<facet>")
    def api_facet(facet: str):
        if facet not in FACETS:
            abort(404, f"no facet {facet!r}: use one of {', '.join(FACETS)}")
        return values_json(facet)


def _saved_routes(app: Flask) -> None:
    """Saved searches (archive/saved.py): `/saved` lists them with links to their searches and feeds; `/api/saved`.

    The app only reads the file (`SAVED` config or ARCHIVE_SAVED, else beside the index); the CLI writes it."""
    from .feed import describe, feed_params
    from .saved import SavedError, load, saved_path

    def listing() -> tuple[list[dict[str, Any]], str | None]:
        path = saved_path(current_app.config["INDEX_PATH"], current_app.config.get("SAVED"))
        try:
            data = load(path)
        except SavedError as exc:
            log.warning("%s", exc)
            return [], "the saved-search file cannot be read; the log says why"
        out = []
        for name, entry in sorted(data.searches.items(), key=lambda item: item[0].casefold()):
            state = data.state.get(name) or {}
            item: dict[str, Any] = {"name": name, "params": entry.params, "created": entry.created,
                                    "last_watched": state.get("last_run"), "newest_seen": state.get("newest")}
            try:
                req = entry.request()
            except (RequestError, ValueError) as exc:
                item |= {"description": None, "search_url": None, "feed_url": None, "error": str(exc)}
            else:
                feed_query = feed_params(req)
                item |= {"description": describe(req), "search_url": "/?" + req.url(),
                         "feed_url": "/feed" + (f"?{feed_query}" if feed_query else ""), "error": None}
            out.append(item)
        return out, None

    @app.get("/saved")
    def saved_page():
        searches, problem = listing()
        return render_template("saved.html", searches=searches, problem=problem)

    @app.get("/api/saved")
    def api_saved():
        searches, problem = listing()
        if problem:
            return _error(503, problem)
        return jsonify({"searches": searches})


def _openapi_routes(app: Flask) -> None:
    """`/api/openapi.json`: the OpenAPI 3.1 description of the JSON API (archive/openapi.py)."""
    from .openapi import spec

    @app.get("/api/openapi.json")
    def api_openapi():
        return jsonify(spec())
