"""/api/openapi.json describes every JSON endpoint: each is called on the sample index and its real response validated
against the schema the description gives for that path, status and content type (a small validator of the JSON Schema
subset the description uses: $ref, type, properties, required, additionalProperties, items, enum, minimum, maximum)."""
from __future__ import annotations

import json
import re
from typing import Any

import pytest

from .conftest import run


def validate(value: Any, schema: dict[str, Any], spec: dict[str, Any], where: str = "$") -> list[str]:
    """Return what is wrong with `value` against `schema` (an empty list: it is valid)."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        return validate(value, spec["components"]["schemas"][name], spec, where)
    errors: list[str] = []
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        checks = {"object": lambda v: isinstance(v, dict), "array": lambda v: isinstance(v, list),
                  "string": lambda v: isinstance(v, str), "boolean": lambda v: isinstance(v, bool),
                  "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
                  "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
                  "null": lambda v: v is None}
        if not any(checks[k](value) for k in kinds):
            return [f"{where}: {type(value).__name__} {value!r:.60} is not {'/'.join(kinds)}"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {value!r} is not one of {schema['enum']}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{where}: {value} < {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{where}: {value} > {schema['maximum']}")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        errors += [f"{where}: no {key!r}" for key in schema.get("required", []) if key not in value]
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in props:
                errors += validate(item, props[key], spec, f"{where}.{key}")
            elif extra is False:
                errors.append(f"{where}: {key!r} is not described")
            elif isinstance(extra, dict):
                errors += validate(item, extra, spec, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errors += validate(item, schema["items"], spec, f"{where}[{i}]")
    return errors


@pytest.fixture
def spec(client) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    doc = response.get_json()
    assert doc["openapi"].startswith("3.1")
    return doc


def template_of(path: str, spec: dict[str, Any]) -> str:
    """The described path that a concrete path is an instance of."""
    for template in spec["paths"]:
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path):
            return template
    raise AssertionError(f"{path} is not described")


def check(client, spec: dict[str, Any], url: str, status: int = 200) -> Any:
    """Call an endpoint; validate its JSON against the schema described for its path, status and content type."""
    response = client.get(url)
    assert response.status_code == status, (url, response.get_data(as_text=True)[:300])
    path = url.split("?", 1)[0]
    operation = spec["paths"][template_of(path, spec)]["get"]
    described = operation["responses"][str(status)]["content"]
    assert response.mimetype in described, (url, response.mimetype)
    data = response.get_json()
    errors = validate(data, described[response.mimetype]["schema"], spec)
    assert errors == [], (url, errors[:10])
    return data


def test_every_api_route_is_described_and_nothing_else(app, spec):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or rule.rule == "/feed":
            routes.add(re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule))
    assert routes == set(spec["paths"])
    for template, item in spec["paths"].items():
        for name in re.findall(r"\{([a-z_]+)\}", template):
            assert any(p["name"] == name and p["in"] == "path" and p["required"] for p in item["get"]["parameters"])


def test_every_reference_resolves(spec):
    text = json.dumps(spec)
    for name in re.findall(r'"#/components/schemas/([A-Za-z]+)"', text):
        assert name in spec["components"]["schemas"], name


def test_search_and_article_responses_match_the_schema(client, spec):
    page = check(client, spec, "/api/search?q=minister&facets=1&size=2")
    assert page["results"] and "facets" in page
    check(client, spec, "/api/search?q=haven&source=Persbureau+Noordzee&from=2018&to=2020&sort=newest&versions=1")
    check(client, spec, "/api/search")
    article = check(client, spec, f"/api/articles/{page['results'][0]['id']}")
    assert article["entities"] and article["versions"]
    check(client, spec, "/api/articles/nope", 404)
    check(client, spec, "/api/search?from=yesterday", 400)
    check(client, spec, '/api/search?q="unclosed', 400)


def test_attention_kwic_and_values_match_the_schema(client, spec):
    att = check(client, spec, "/api/attention?q=minister&q=haven&by=year&source.2=Persbureau+Noordzee")
    assert len(att["series"]) == 2 and att["series"][1]["filters"] == {"source": ["Persbureau Noordzee"]}
    split = check(client, spec, "/api/attention?q=haven+OR+minister&split=source&by=month&normalise=1")
    assert split["split"] == "source" and any(s["other_sources"] or s["source"] for s in split["series"])
    check(client, spec, "/api/attention?q=haven&share_of=all&from=2019")
    check(client, spec, "/api/attention", 400)
    kwic = check(client, spec, "/api/kwic?q=minister&sort=left&size=3")
    assert kwic["lines"]
    check(client, spec, "/api/kwic?q=minister&width=20&page=2&size=2&sort=newest")
    check(client, spec, "/api/kwic?q=minister&sort=sideways", 400)
    assert check(client, spec, "/api/sources")["values"]
    check(client, spec, "/api/sources?by=name&contains=a&size=2&page=2")
    check(client, spec, "/api/entities?type=person&by=name")
    check(client, spec, "/api/entities?type=planet", 400)
    check(client, spec, "/api/entities/location?size=3")
    check(client, spec, "/api/entities/planet", 404)
    assert check(client, spec, "/api/facets/person?q=minister")["articles"] > 0
    check(client, spec, "/api/facets/language?q=haven&language=nl")
    check(client, spec, "/api/facets/colour", 404)


def test_saved_searches_match_the_schema(client, app, runner, spec):
    index = app.config["INDEX_PATH"]
    assert check(client, spec, "/api/saved")["searches"] == []
    run(runner, index, "saved", "add", "port", "haven", "--source", "Persbureau Noordzee")
    run(runner, index, "watch", "port")
    path = store_path(index)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["searches"]["broken"] = {"params": {"from": ["someday"]}}
    path.write_text(json.dumps(data), encoding="utf-8")
    listed = check(client, spec, "/api/saved")["searches"]
    assert [s["name"] for s in listed] == ["broken", "port"] and listed[0]["error"] and listed[1]["last_watched"]


def store_path(index):
    from archive.saved import saved_path

    return saved_path(index)


def test_exports_carry_a_described_citation(client, spec):
    schema = spec["components"]["schemas"]["ExportCitation"]
    for fmt in ("csv", "jsonl"):
        response = client.get(f"/api/export?format={fmt}&q=haven")
        assert response.status_code == 200
        responses = spec["paths"]["/api/export"]["get"]["responses"]
        assert response.mimetype in responses["200"]["content"]
        body = response.get_data(as_text=True)  # a streamed export: read it whole (its searcher closes)
        cite = json.loads(response.headers["X-Archive-Export"])
        assert validate(cite, schema, spec) == []
        if fmt == "jsonl":
            assert json.loads(body.splitlines()[0])["export"] == cite
    check(client, spec, "/api/export?format=xml", 400)


def test_openapi_is_valid_json_for_itself(client, spec):
    check(client, spec, "/api/openapi.json")


def test_the_validator_finds_what_is_wrong(spec):
    """The check can fail: a response with a wrong type, a missing or undescribed key, or a bad value is caught."""
    hit = {"id": "x", "title": None, "display_title": "t", "date": None, "date_source": "none", "source": None,
           "language": "nl", "url": None, "snippet": "", "snippet_text": "",
           "entities": {"PER": [], "ORG": [], "LOC": [], "MISC": []}, "cluster": None, "versions": 0, "score": 1.0}
    hit_schema = {"$ref": "#/components/schemas/Hit"}
    assert validate(hit, hit_schema, spec) == []
    assert validate(hit | {"versions": "2"}, hit_schema, spec)
    assert validate(hit | {"versions": True}, hit_schema, spec)
    assert validate(hit | {"versions": -1}, hit_schema, spec)
    assert validate(hit | {"new_key": 1}, hit_schema, spec)
    assert validate({k: v for k, v in hit.items() if k != "id"}, hit_schema, spec)
    assert validate(hit | {"entities": {"PER": [1], "ORG": [], "LOC": [], "MISC": []}}, hit_schema, spec)
    page = {"$ref": "#/components/schemas/SearchPage"}
    assert any("sort" in e for e in validate({"sort": "random"}, page, spec))
