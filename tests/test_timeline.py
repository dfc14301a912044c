"""The timeline's periods, and the column cache behind it, sorting and facets."""
from __future__ import annotations

from datetime import date, datetime

import numpy as np

from archive.backends.whoosh.index import UNDATED_OLD, create_or_open, write_articles, writer
from archive.model import Article
from contextlib import closing

from archive.backends import open_backend
from archive.request import SearchRequest
from archive.search import search
from archive.timeline import build_timeline, granularity


def test_granularity_follows_the_span():
    assert granularity(date(2010, 1, 1), date(2016, 12, 31)) == "year"
    assert granularity(date(2016, 1, 1), date(2016, 12, 31)) == "month"
    assert granularity(date(2016, 9, 1), date(2016, 9, 30)) == "day"


def test_empty_periods_are_kept_and_undated_counted_apart():
    stamps = np.array([201601011200, 201603150000, 201603200000, UNDATED_OLD], dtype=np.int64)
    tl = build_timeline(stamps)
    assert tl.granularity == "month" and tl.undated == 1
    assert list(tl) == [("2016-01", 1), ("2016-02", 0), ("2016-03", 2)]
    assert tl.bars[2].label == "2016-03: 2 articles" and tl.bars[0].label == "2016-01: 1 article"


def test_request_range_sets_the_axis():
    req = SearchRequest.from_dict({"from": "2016-09", "to": "2016-09"})
    tl = build_timeline(np.array([201609091034], dtype=np.int64), req)
    assert tl.granularity == "day" and len(tl.bars) == 30 and dict(tl)["2016-09-09"] == 1


def test_only_undated():
    tl = build_timeline(np.array([UNDATED_OLD, UNDATED_OLD], dtype=np.int64))
    assert tl.bars == [] and tl.undated == 2


def article(i: int, word: str, year: int | None, cluster: str | None = None) -> Article:
    return Article(id=f"a{i}", body=f"{word} bericht {i}", language="nl", source=f"Bron {i % 3}",
                   date=datetime(year, 1 + i % 12, 1) if year else None, cluster=cluster)


def per_year(page) -> dict[str, int]:
    years: dict[str, int] = {}
    for period, n in page.facets.timeline:
        years[period[:4]] = years.get(period[:4], 0) + n
    return years


def test_counts_follow_new_commits(tmp_path):
    """Cached columns belong to segments: a new commit is counted, a deleted article is not."""
    archive = create_or_open(tmp_path / "ix")
    with writer(archive) as w:
        write_articles(w, [article(i, "storm", 2015) for i in range(6)])
    with closing(open_backend(str(tmp_path / "ix"))) as s:
        first = search(s, SearchRequest.from_dict({"q": "storm", "facets": "1"}))
    assert first.total == 6 and per_year(first) == {"2015": 6}
    with writer(archive) as w:
        write_articles(w, [article(i, "storm", 2017) for i in range(6, 10)])
        w.delete_by_term("id", "a0")
    with closing(open_backend(str(tmp_path / "ix"))) as s:
        second = search(s, SearchRequest.from_dict({"q": "storm", "facets": "1", "sort": "oldest"}))
    assert second.total == 9
    assert per_year(second) == {"2015": 5, "2016": 0, "2017": 4}
    assert sum(n for _, n in second.facets.values["source"]) == 9
    assert [h.article.id for h in second.hits][:2] == ["a1", "a2"]


def test_relevance_pages_are_right_when_many_reprints_fold(tmp_path):
    """Relevance scores only the best matches, widening until the page's rows are all there."""
    archive = create_or_open(tmp_path / "ix")
    items = [article(i, "haven haven haven" if i < 120 else "haven", 2016, cluster="c1" if i < 120 else None)
             for i in range(200)]
    with writer(archive) as w:
        write_articles(w, items)
    with closing(open_backend(str(tmp_path / "ix"))) as s:
        seen = []
        page = search(s, SearchRequest.from_dict({"q": "haven", "size": 7}))
        assert page.total == 200 and page.results_total == 81
        assert page.hits[0].versions == 119
        for p in range(1, page.pages + 1):
            seen += [h.article.id for h in search(s, SearchRequest.from_dict({"q": "haven", "size": 7,
                                                                                "page": p})).hits]
    assert len(seen) == len(set(seen)) == 81
