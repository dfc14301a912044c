"""The page, the JSON API and `archive search --format json` give the same ids, counts and facets for the same
parameters, and every search state survives a round trip through its URL."""
from __future__ import annotations

import html as html_lib
import json
import re
from urllib.parse import parse_qs, urlencode

import pytest

from archive.cli import cli
from archive.request import SearchRequest

PARAMS = [
    {"q": "haven"},
    {"q": "minister", "sort": "newest"},
    {"language": "fr"},
    {"q": "minister OR haven", "source": "Persbureau Noordzee"},
    {"location": "Antwerpen", "sort": "oldest", "size": "2", "page": "2"},
    {"q": "haven", "versions": "1"},
    {"from": "2019", "to": "2019"},
    {"person": ["Koen Verbiest", "Liesbeth Vandamme"]},
    {"q": "N-VA OR CD&V"},
    {"q": "nothingmatchesthis"},
]
CLI_OPTIONS = {"source": "--source", "person": "--person", "org": "--org", "location": "--location",
               "misc": "--misc", "language": "--language", "from": "--from", "to": "--to", "sort": "--sort",
               "size": "--limit", "page": "--page"}


def cli_args(params: dict) -> list[str]:
    args = [params["q"]] if params.get("q") else []
    for name, value in params.items():
        if name == "q":
            continue
        if name == "versions":
            args.append("--versions")
            continue
        for v in value if isinstance(value, list) else [value]:
            args += [CLI_OPTIONS[name], v]
    return args


def _as_shown(app, facets: dict) -> dict:
    """Return the API's facet values as the web page shows them (archive/facetview.py)."""
    from archive.backends import open_backend
    from archive.facetview import archive_votes, localised, voted
    from archive.search import FACET_FIELDS

    keys = {field: key for key, field in FACET_FIELDS.items()}
    values = {keys[f]: [(v["value"], v["count"]) for v in vals] for f, vals in facets.items() if f in keys}
    backend = open_backend(app.config["INDEX_PATH"])
    try:
        shown = localised(voted(values, archive_votes(backend)), app.config["LANGUAGE"])
    finally:
        backend.close()
    return {FACET_FIELDS[k]: [{"value": v, "count": n} for v, n in vals] for k, vals in shown.items()} | {
        f: vals for f, vals in facets.items() if f not in keys}


def page_state(html: str) -> dict:
    """Read ids, total and facets off the rendered search page."""
    ids = re.findall(r'<li class="result" data-id="([0-9a-f]+)"', html)
    count = re.search(r'id="count"[^>]*>\s*(?:<p><strong>)?(\d+|No) article', html)
    total = 0 if count is None or count.group(1) == "No" else int(count.group(1))
    facets: dict[str, list[dict]] = {}
    for field, body in re.findall(r'<ul class="facet" data-facet="(\w+)">(.*?)</ul>', html, re.S):
        facets[field] = [{"value": html_lib.unescape(v), "count": int(n)}
                         for v, n in re.findall(r'<li data-value="([^"]*)" data-count="(\d+)">', body)]
    bars = [{"period": p, "count": int(n)}
            for p, n in re.findall(r'data-period="([^"]+)" data-count="(\d+)"', html)]
    undated = re.search(r'<span class="undated">(\d+) undated', html)
    return {"ids": ids, "total": total, "facets": facets, "bars": bars,
            "undated": int(undated.group(1)) if undated else 0}


@pytest.mark.parametrize("params", PARAMS, ids=lambda p: urlencode(p, doseq=True))
def test_page_api_and_cli_agree(client, app, runner, params):
    query = urlencode(params, doseq=True)
    api = client.get(f"/api/search?{query}&facets=1").get_json()
    result = runner.invoke(cli, ["--index", app.config["INDEX_PATH"], "search", *cli_args(params), "--facets",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    cli_json = json.loads(result.stdout)
    response = client.get(f"/?{query}")
    assert response.status_code == 200
    page = page_state(response.get_data(as_text=True))

    for key in ("total", "results_total", "page", "pages", "facets", "explain", "index_version", "filters"):
        assert api[key] == cli_json[key], key
    assert [r["id"] for r in api["results"]] == [r["id"] for r in cli_json["results"]] == page["ids"]
    assert api["total"] == page["total"]
    shown = _as_shown(app, api["facets"])  # the page shows names in the interface's language, after the type vote
    for field, values in page["facets"].items():
        assert values == [v for v in shown[field] if v["count"]], field
    assert {f for f, v in api["facets"].items() if isinstance(v, list) and v and f != "timeline"} == set(page["facets"])
    drawn = [b for b in api["facets"]["timeline"] if b["count"]]
    assert page["bars"] == drawn
    assert page["undated"] == api["facets"]["undated"]
    assert sum(b["count"] for b in drawn) + page["undated"] == page["total"]


@pytest.mark.parametrize("params", PARAMS, ids=lambda p: urlencode(p, doseq=True))
def test_search_state_round_trips_through_the_url(params):
    req = SearchRequest.from_dict(params)
    assert SearchRequest.from_dict(parse_qs(req.url())) == req


def test_facet_counts_match_filtered_totals(client):
    """Following a facet link gives exactly the count the facet showed."""
    api = client.get("/api/search?q=minister+OR+haven&facets=1").get_json()
    for field in ("source", "person", "location", "language"):
        for item in api["facets"][field]:
            filtered = client.get("/api/search", query_string={"q": "minister OR haven", field: item["value"]})
            assert filtered.get_json()["total"] == item["count"], (field, item)


def test_timeline_bars_match_their_period_filter(client):
    api = client.get("/api/search?facets=1").get_json()
    for bar in api["facets"]["timeline"]:
        filtered = client.get("/api/search", query_string={"from": bar["period"], "to": bar["period"]}).get_json()
        assert filtered["total"] == bar["count"], bar
