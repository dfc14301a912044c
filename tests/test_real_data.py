"""The real corpora in ../shared/data ingest with the right counts, dates and outlets (slow; CI runs them)."""
import json

import pytest

from archive.ingest import ingest
from contextlib import closing

from archive.backends import open_backend
from archive.request import SearchRequest
from archive.search import search

from .conftest import SHARED, need_shared, run

pytestmark = [pytest.mark.slow, pytest.mark.shared]
DPG = SHARED / "data" / "dpgmedia2019"


def test_dpgmedia_with_labels_counts_dates_and_outlets(runner, tmp_path):
    articles = need_shared(DPG / "dpgMedia2019-articles-byarticle.jsonl")
    labels = need_shared(DPG / "dpgMedia2019-labels-byarticle.jsonl")
    records = [json.loads(line) for line in articles.read_text(encoding="utf-8").splitlines()]
    outlets = [json.loads(line)["publisher"] for line in labels.read_text(encoding="utf-8").splitlines()]
    index = tmp_path / "ix"
    for _ in range(2):  # a second ingest updates in place
        run(runner, index, "ingest", "-q", "--meta", str(labels), str(articles))
    distinct = {r["id"] for r in records}
    assert len(distinct) < len(records)  # the file repeats ids: they must not be doubled
    data = json.loads(run(runner, index, "search", "--format", "json", "--facets").stdout)
    assert data["total"] == len(distinct)
    sources = {f["value"]: f["count"] for f in data["facets"]["source"]}
    outlet_of = {}
    for rec, outlet in zip(records, outlets):
        outlet_of[rec["id"]] = outlet  # a repeated record updates the first: the last one stands
    expected = {}
    for outlet in outlet_of.values():
        expected[outlet] = expected.get(outlet, 0) + 1
    top = sorted(expected.items(), key=lambda kv: -kv[1])[: len(sources)]
    assert {k: sources.get(k) for k, _ in top} == dict(top)
    stats = run(runner, index, "stats").stdout
    assert "dates: 2019-02-" in stats and "undated: 0" in stats


def test_basil_sources_and_dates(tmp_path):
    folder = need_shared(SHARED / "data" / "basil" / "articles")
    files = sorted(folder.rglob("*.json"))
    report = ingest([str(folder)], str(tmp_path / "ix"), workers=2)
    assert not report.failures and report.articles == len(files) == 300
    with closing(open_backend(str(tmp_path / "ix"))) as s:
        page = search(s, SearchRequest.from_dict({"facets": "1", "versions": "1"}))
    assert page.total == 300 and page.facets.undated == 0
    assert {v.lower(): n for v, n in page.facets.values["source"]} == {"fox": 100, "nyt": 100, "hpo": 100}


def test_bbc_titles_and_no_invented_dates(tmp_path):
    folder = need_shared(SHARED / "data" / "bbc")
    files = [p for p in folder.rglob("*.txt") if not p.name.upper().startswith("README")]
    report = ingest([str(folder)], str(tmp_path / "ix"), workers=2)
    assert not report.failures
    with closing(open_backend(str(tmp_path / "ix"))) as s:
        page = search(s, SearchRequest.from_dict({"facets": "1", "versions": "1", "size": "100"}))
        titled = [h.article.title for h in page.hits]
    distinct = {" ".join(p.read_bytes().decode("latin-1").split()) for p in files}
    assert report.articles == len(files) == 2225
    assert page.total == len(distinct) < 2225  # the corpus repeats some stories word for word: one copy each
    assert page.facets.undated == page.total  # BBC files carry no date: none is made up
    assert all(titled)
    assert dict(page.facets.values["language"]) == {"en": page.total}
