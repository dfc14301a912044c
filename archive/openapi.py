"""The OpenAPI 3.1 description of the JSON API, served at `/api/openapi.json`.

Written by hand from the responses' `to_dict` methods; tests/test_openapi.py calls every endpoint on a small index and
validates the real responses against these schemas (objects list every key they have: a new key must be described).
"""
from __future__ import annotations

from typing import Any

from .attention import MAX_SERIES, SHARE_OF, UNITS
from .browse import FACETS, ORDERS
from .kwic import SORTS as KWIC_SORTS
from .request import FILTERS, MAX_PAGE_SIZE, SORTS

ENTITY_KINDS = ["person", "org", "location", "misc"]


def _nullable(kind: str | list[str]) -> dict[str, Any]:
    kinds = [kind] if isinstance(kind, str) else list(kind)
    return {"type": [*kinds, "null"]}


def _obj(properties: dict[str, Any], required: list[str] | None = None, extra: Any = False) -> dict[str, Any]:
    """An object with these keys, all required unless `required` says which; no other keys unless `extra`."""
    return {"type": "object", "properties": properties,
            "required": list(properties) if required is None else required, "additionalProperties": extra}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


STRINGS = _array({"type": "string"})
FILTERS_OUT = {"type": "object", "description": "The filters applied: lists of values by name, and `from`/`to` dates.",
               "properties": {**{name: STRINGS for name in FILTERS}, "from": {"type": "string"},
                              "to": {"type": "string"}},
               "additionalProperties": False}
COUNTED = _obj({"value": {"type": "string"}, "count": {"type": "integer", "minimum": 0}})

SCHEMAS: dict[str, Any] = {
    "Error": _obj({"error": {"type": "string"}, "status": {"type": "integer"}}),
    "Filters": FILTERS_OUT,
    "Counted": COUNTED,
    "Hit": _obj({
        "id": {"type": "string"}, "title": _nullable("string"), "display_title": {"type": "string"},
        "date": _nullable("string"), "date_source": {"type": "string"}, "source": _nullable("string"),
        "language": _nullable("string"), "url": _nullable("string"),
        "snippet": {"type": "string", "description": "HTML: escaped text with <mark> around the matched words"},
        "snippet_text": {"type": "string"},
        "entities": _obj({label: STRINGS for label in ("PER", "ORG", "LOC", "MISC")}),
        "cluster": _nullable("string"), "versions": {"type": "integer", "minimum": 0}, "score": {"type": "number"},
    }),
    "Facets": _obj({
        **{name: _array(_ref("Counted")) for name in ("source", "person", "org", "location", "misc", "language")},
        "timeline": _array(_obj({"period": {"type": "string"}, "count": {"type": "integer", "minimum": 0}})),
        "timeline_granularity": {"type": "string"}, "undated": {"type": "integer", "minimum": 0},
    }, required=["timeline", "timeline_granularity", "undated"]),
    "SearchPage": _obj({
        "total": {"type": "integer", "minimum": 0, "description": "matching articles, every version counted"},
        "results_total": {"type": "integer", "minimum": 0, "description": "result rows, reprints folded"},
        "page": {"type": "integer", "minimum": 1}, "page_size": {"type": "integer", "minimum": 1},
        "pages": {"type": "integer", "minimum": 1}, "sort": {"type": "string", "enum": list(SORTS)},
        "query": {"type": "string"}, "filters": _ref("Filters"), "explain": {"type": "string"},
        "index_version": {"type": "integer"}, "results": _array(_ref("Hit")), "facets": _ref("Facets"),
    }, required=["total", "results_total", "page", "page_size", "pages", "sort", "query", "filters", "explain",
                 "index_version", "results"]),
    "Entity": _obj({"label": {"type": "string", "enum": ["PER", "ORG", "LOC", "MISC"]},
                    "start": {"type": "integer", "minimum": 0}, "end": {"type": "integer", "minimum": 0},
                    "text": {"type": "string"}, "name": {"type": "string"}, "field": {"type": "string"}}),
    "Article": _obj({
        "id": {"type": "string"}, "title": _nullable("string"), "display_title": {"type": "string"},
        "date": _nullable("string"), "date_tz": _nullable("string"), "date_source": {"type": "string"},
        "source": _nullable("string"), "language": _nullable("string"), "url": _nullable("string"),
        "authors": STRINGS, "caption": _nullable("string"), "subheadings": STRINGS, "body": {"type": "string"},
        "cluster": _nullable("string"), "origin": _nullable("string"), "crawled_at": _nullable("string"),
        "entities": _array(_ref("Entity")),
        "versions": _array(_obj({"id": {"type": "string"}, "source": _nullable("string"),
                                 "date": _nullable("string"), "title": {"type": "string"}})),
    }),
    "Attention": _obj({
        "by": {"type": "string", "enum": list(UNITS)}, "normalised": {"type": "boolean"},
        "share_of": {"type": "string", "enum": list(SHARE_OF)}, "share_of_text": {"type": "string"},
        "split": {"type": ["string", "null"], "enum": ["source", None]}, "periods": STRINGS,
        "index_version": {"type": "integer"},
        "series": _array(_obj({
            "label": {"type": "string"}, "query": {"type": "string"}, "filters": _ref("Filters"),
            "source": _nullable("string"), "other_sources": {"type": "boolean"},
            "total": {"type": "integer", "minimum": 0}, "undated": {"type": "integer", "minimum": 0},
            "points": _array(_obj({"period": {"type": "string"}, "count": {"type": "integer", "minimum": 0},
                                   "base": {"type": "integer", "minimum": 0},
                                   "share": {"type": ["number", "null"], "minimum": 0, "maximum": 1}})),
        })),
    }),
    "KwicLine": _obj({
        "article_id": {"type": "string"}, "date": _nullable("string"), "source": _nullable("string"),
        "language": _nullable("string"), "title": {"type": "string"},
        "part": {"type": "string", "enum": ["title", "caption", "body"]}, "offset": {"type": "integer", "minimum": 0},
        "left": {"type": "string"}, "keyword": {"type": "string"}, "right": {"type": "string"},
    }),
    "Concordance": _obj({
        "query": {"type": "string"}, "filters": _ref("Filters"), "sort": {"type": "string", "enum": list(KWIC_SORTS)},
        "width": {"type": "integer"}, "page": {"type": "integer", "minimum": 1}, "size": {"type": "integer"},
        "articles": {"type": "integer", "minimum": 0}, "occurrences": _nullable("integer"),
        "pages": _nullable("integer"), "first": {"type": "integer", "minimum": 0}, "has_next": {"type": "boolean"},
        "sorted_window": _nullable("integer"), "window_full": {"type": "boolean"}, "sort_limit": {"type": "integer"},
        "lines": _array(_ref("KwicLine")),
    }),
    "Values": _obj({
        "facet": {"type": "string", "enum": list(FACETS)}, "query": {"type": "string"}, "filters": _ref("Filters"),
        "by": {"type": "string", "enum": list(ORDERS)}, "contains": {"type": "string"},
        "page": {"type": "integer", "minimum": 1}, "size": {"type": "integer", "minimum": 1},
        "pages": {"type": "integer", "minimum": 1}, "total": {"type": "integer", "minimum": 0},
        "distinct": {"type": "integer", "minimum": 0},
        "articles": {"type": ["integer", "null"], "description": "matching articles; null over the whole archive"},
        "values": _array(_ref("Counted")),
    }),
    "SavedSearches": _obj({"searches": _array(_obj({
        "name": {"type": "string"}, "params": {"type": "object", "additionalProperties": STRINGS},
        "created": _nullable("string"), "last_watched": _nullable("string"), "newest_seen": _nullable("string"),
        "description": _nullable("string"), "search_url": _nullable("string"), "feed_url": _nullable("string"),
        "error": _nullable("string"),
    }))}),
    "ExportCitation": _obj({
        "params": {"type": "object", "additionalProperties": STRINGS}, "format": {"type": "string"},
        "exported_at": {"type": "string"}, "index_version": {"type": "integer"},
        "total": {"type": "integer", "minimum": 0}, "order": {"type": "string", "enum": list(SORTS)},
    }),
}


def _param(name: str, description: str, schema: dict[str, Any] | None = None, where: str = "query",
           many: bool = False) -> dict[str, Any]:
    schema = schema or {"type": "string"}
    out: dict[str, Any] = {"name": name, "in": where, "description": description, "required": where == "path"}
    if many:
        out |= {"schema": _array(schema), "style": "form", "explode": True}
    else:
        out["schema"] = schema
    return out


SEARCH_PARAMS = [
    _param("q", "The words (Whoosh syntax: AND OR NOT, \"phrases\"~2, field:value, wildcards*)."),
    *[_param(name, f"Only articles with this {name} (repeatable: all must match; source and language: any).",
             many=True) for name in FILTERS],
    _param("from", "From this date: YYYY, YYYY-MM or YYYY-MM-DD."),
    _param("to", "Up to and including this date."),
]
PAGING = [
    _param("sort", "Order of the results.", {"type": "string", "enum": list(SORTS), "default": "relevance"}),
    _param("page", "Page number.", {"type": "integer", "minimum": 1, "default": 1}),
    _param("size", "Results per page.", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": 10}),
    _param("versions", "1: list every version of a reprinted story (default: each story once).",
           {"type": "string", "enum": ["0", "1"]}),
]
VALUES_PARAMS = [
    _param("by", "Order: by count or by name.", {"type": "string", "enum": list(ORDERS), "default": "count"}),
    _param("contains", "Only values containing this text (case and accents folded)."),
    _param("page", "Page number.", {"type": "integer", "minimum": 1, "default": 1}),
    _param("size", "Values per page.", {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}),
]
ERRORS = {
    "400": {"description": "A parameter that cannot be used; the message names it.", "content": {
        "application/json": {"schema": _ref("Error")}}},
    "503": {"description": "No index, or the query is too expensive.", "content": {
        "application/json": {"schema": _ref("Error")}}},
}
NOT_FOUND = {"404": {"description": "No such item.", "content": {"application/json": {"schema": _ref("Error")}}}}


def _json(schema: str, description: str) -> dict[str, Any]:
    return {"200": {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}}


def _get(summary: str, parameters: list[dict[str, Any]], responses: dict[str, Any], op: str) -> dict[str, Any]:
    return {"get": {"operationId": op, "summary": summary, "parameters": parameters, "responses": responses}}


def spec() -> dict[str, Any]:
    """Return the OpenAPI document."""
    kind = _param("kind", "The type of entity.", {"type": "string", "enum": ENTITY_KINDS}, where="path")
    paths = {
        "/api/search": _get("One page of results, with exact totals (and facets with facets=1).",
                            [*SEARCH_PARAMS, *PAGING, _param("facets", "1: count facet values and the timeline.",
                                                             {"type": "string", "enum": ["0", "1"]})],
                            _json("SearchPage", "A page of results.") | ERRORS, "search"),
        "/api/articles/{article_id}": _get(
            "One stored article with its entities and the versions of its story.",
            [_param("article_id", "The article's id (from search results).", where="path")],
            _json("Article", "The article.") | NOT_FOUND | ERRORS, "article"),
        "/api/export": _get(
            "Every matching article (all pages, every version) in the request's order, streamed.",
            [*SEARCH_PARAMS, PAGING[0], _param("format", "jsonl: a citation line {\"export\": {...}} then one "
                                               "article per line; csv: a header line, the citation as JSON in the "
                                               "`cite` column of the first row.",
                                               {"type": "string", "enum": ["jsonl", "csv"], "default": "jsonl"})],
            {"200": {"description": "The export. The X-Archive-Export header carries the citation (JSON) too.",
                     "headers": {"X-Archive-Export": {"description": "The citation: an ExportCitation as JSON.",
                                                      "schema": {"type": "string"}}},
                     "content": {"application/x-ndjson": {"schema": {"type": "string"}},
                                 "text/csv": {"schema": {"type": "string"}}}}} | ERRORS, "export"),
        "/api/attention": _get(
            f"Matching articles per period, and their share, for up to {MAX_SERIES} searches compared.",
            [_param("q", "The words of each search, once per search (in order; '' for every article).", many=True),
             *[p for p in SEARCH_PARAMS if p["name"] != "q"],
             _param("{filter}.{n}", "A filter of search n only, e.g. source.2=Belga or from.1=2016 (not a literal "
                    "name).", {"type": "string"}),
             _param("by", "The period.", {"type": "string", "enum": ["auto", *UNITS], "default": "auto"}),
             _param("normalise", "1: chart shares rather than counts.", {"type": "string", "enum": ["0", "1"]}),
             _param("share_of", "The denominator.", {"type": "string", "enum": list(SHARE_OF)}),
             _param("split", "source: split the one search by its top sources.",
                    {"type": "string", "enum": ["", "source"]}),
             _param("format", "json, or csv (one row per series and period).",
                    {"type": "string", "enum": ["json", "csv"], "default": "json"})],
            {"200": {"description": "Counts and shares.", "content": {
                "application/json": {"schema": _ref("Attention")}, "text/csv": {"schema": {"type": "string"}}}}}
            | ERRORS, "attention"),
        "/api/kwic": _get(
            "Words in context: one page of occurrences of the query's words with the text around them.",
            [*SEARCH_PARAMS, _param("versions", "1: read every version of a reprinted story.",
                                    {"type": "string", "enum": ["0", "1"]}),
             _param("sort", "Order of the lines.", {"type": "string", "enum": list(KWIC_SORTS), "default": "date"}),
             _param("width", "Characters of context on each side.", {"type": "integer", "minimum": 10,
                                                                     "maximum": 300, "default": 60}),
             _param("page", "Page number.", {"type": "integer", "minimum": 1, "default": 1}),
             _param("size", "Lines per page.", {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50}),
             _param("format", "json, or csv.", {"type": "string", "enum": ["json", "csv"], "default": "json"}),
             _param("all", "With format=csv: every line up to the scan limit.", {"type": "string"})],
            {"200": {"description": "A page of lines.", "content": {
                "application/json": {"schema": _ref("Concordance")}, "text/csv": {"schema": {"type": "string"}}}}}
            | ERRORS, "kwic"),
        "/api/sources": _get("Every source with its article count, paged.", VALUES_PARAMS,
                             _json("Values", "One page of sources.") | ERRORS, "sources"),
        "/api/entities": _get(
            "Every entity of a type with its article count, paged.",
            [_param("type", "The type of entity.", {"type": "string", "enum": ENTITY_KINDS}), *VALUES_PARAMS],
            _json("Values", "One page of entities.") | ERRORS, "entities"),
        "/api/entities/{kind}": _get("Every entity of a type with its article count, paged.",
                                     [kind, *VALUES_PARAMS],
                                     _json("Values", "One page of entities.") | NOT_FOUND | ERRORS, "entitiesOf"),
        "/api/facets/{facet}": _get(
            "Every value of a facet over a search's matches (or the whole archive without words or filters).",
            [_param("facet", "The facet.", {"type": "string", "enum": list(FACETS)}, where="path"),
             *SEARCH_PARAMS, *VALUES_PARAMS],
            _json("Values", "One page of values.") | NOT_FOUND | ERRORS, "facet"),
        "/api/saved": _get("The saved searches (written by `archive saved add`), with links to their searches and "
                           "feeds.", [], _json("SavedSearches", "Every saved search.") | ERRORS, "saved"),
        "/api/openapi.json": _get("This description.", [], {"200": {"description": "OpenAPI 3.1", "content": {
            "application/json": {"schema": {"type": "object"}}}}}, "openapi"),
        "/feed": _get("An Atom feed of a search's newest matches (every version, undated left out).",
                      [*SEARCH_PARAMS, _param("size", "Entries (default 20).", {"type": "integer", "minimum": 1,
                                                                                 "maximum": MAX_PAGE_SIZE})],
                      {"200": {"description": "Atom 1.0.", "content": {"application/atom+xml": {
                          "schema": {"type": "string"}}}}} | ERRORS, "feed"),
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "News archive API", "version": "1",
                 "description": "Read-only JSON API of the news archive: search, articles, exports, attention over "
                                "time, words in context, facet values and saved searches. Errors are JSON "
                                "{error, status}."},
        "paths": paths,
        "components": {"schemas": SCHEMAS},
    }
