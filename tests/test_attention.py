"""Attention over time: counts and shares per period checked against brute-force counts over a small invented index,
and the page, its SVG, the API, the CSV and the CLI checked against each other."""
from __future__ import annotations

import csv
import io
import json
import random
import re
import xml.etree.ElementTree as ET
from contextlib import closing
from datetime import date, datetime, timedelta

import pytest

from archive.attention import AttentionRequest, attention
from archive.backends import open_backend
from archive.backends.whoosh.index import create_or_open, write_articles, writer
from archive.model import Article
from archive.web import create_app

from .conftest import run

SOURCES = ["Belga", "Reuters", "AFP", "DPA", "ANP", "NOS", "De <Krant> & Co"]
WORDS = ["kwaak", "zolp", "brix"]
SVG = "{http://www.w3.org/2000/svg}"


def make_articles() -> list[Article]:
    """About 550 articles over 2015-2017 with a hole (no articles at all in 2016-04 and 2016-05), some undated,
    some without a source, and the word `massa` 150 times in one month and once in another (a range for a log axis)."""
    rng = random.Random(11)
    out = []
    start = date(2015, 1, 1)
    for i in range(400):
        day = start + timedelta(days=rng.randrange(0, 1000))
        if date(2016, 4, 1) <= day <= date(2016, 5, 31):
            day += timedelta(days=61)
        words = rng.sample(WORDS, rng.randint(0, 2))
        undated = i % 37 == 0
        out.append(Article(id=f"a{i}", body=" ".join(words + ["bericht", f"nummer{i}"]), language="nl",
                           source=None if i % 29 == 0 else rng.choice(SOURCES),
                           date=None if undated else datetime(day.year, day.month, day.day, rng.randrange(24))))
    for i in range(151):
        day = date(2017, 3, 1 + i % 28) if i < 150 else date(2017, 5, 2)
        out.append(Article(id=f"m{i}", body=f"massa bericht m{i}", language="nl", source="Belga",
                           date=datetime(day.year, day.month, day.day, 12)))
    for i, day in enumerate([date(2016, 1, 2), date(2017, 1, 1)]):  # in the ISO week of the year before
        out.append(Article(id=f"w{i}", body="kwaak bericht", language="nl", source="AFP",
                           date=datetime(day.year, day.month, day.day, 9)))
    return out


ARTICLES = make_articles()


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    path = tmp_path_factory.mktemp("attention") / "ix"
    archive = create_or_open(path)
    with writer(archive) as w:
        write_articles(w, ARTICLES)
    return path


@pytest.fixture
def backend(index):
    with closing(open_backend(str(index))) as b:
        yield b


@pytest.fixture
def client(index):
    return create_app({"TESTING": True, "INDEX_PATH": str(index)}).test_client()


def period(unit: str, day: date) -> str:
    """Name the period of a day, written out here apart from the code under test."""
    iso = day.isocalendar()
    return {"day": day.isoformat(), "week": f"{iso[0]}-W{iso[1]:02d}", "month": day.strftime("%Y-%m"),
            "year": str(day.year)}[unit]


def every_period(unit: str, first: date, last: date) -> list[str]:
    out: list[str] = []
    for n in range((last - first).days + 1):
        key = period(unit, first + timedelta(days=n))
        if key not in out:
            out.append(key)
    return out


def brute(unit: str, word: str | None, source: str | None = None, first: date | None = None,
          last: date | None = None) -> dict[str, int]:
    """Count the dated articles with the word (any, where None) and source in the dates, per period, by hand."""
    counts: dict[str, int] = {}
    for a in ARTICLES:
        if a.date is None or (word and word not in a.body.split()) or (source and a.source != source):
            continue
        if (first and a.date.date() < first) or (last and a.date.date() > last):
            continue
        key = period(unit, a.date.date())
        counts[key] = counts.get(key, 0) + 1
    return counts


@pytest.mark.parametrize("unit", ["day", "week", "month", "year"])
def test_counts_and_shares_equal_brute_force_counts(backend, unit):
    areq = AttentionRequest.from_dict({"q": ["kwaak", "zolp", "brix"], "source.2": "Reuters", "from.3": "2016-02",
                                       "to.3": "2016-09", "by": unit})
    att = attention(backend, areq)
    assert att.unit == unit and [s.label for s in att.series] == ["kwaak", "zolp · source: Reuters",
                                                                 "brix · 2016-02 to 2016-09"]
    expected = [brute(unit, "kwaak"), brute(unit, "zolp", "Reuters"),
                brute(unit, "brix", None, date(2016, 2, 1), date(2016, 9, 30))]
    bases = [brute(unit, None), brute(unit, None, "Reuters"), brute(unit, None, None, date(2016, 2, 1),
                                                                      date(2016, 9, 30))]
    for series, want, base in zip(att.series, expected, bases):
        assert dict(zip(att.periods, series.counts)) == {p: want.get(p, 0) for p in att.periods}
        assert sum(series.counts) == sum(want.values())  # nothing fell outside the axis
        assert series.base == [base.get(p, 0) for p in att.periods]
        for count, b, share in zip(series.counts, series.base, series.shares):
            assert share == (count / b if b else None)
    # the axis runs, period after period, from the first match to the last: empty periods kept as 0
    days = [date.fromisoformat(d) for d in {**brute("day", "kwaak"), **brute("day", "zolp", "Reuters"),
                                            **brute("day", "brix", None, date(2016, 2, 1), date(2016, 9, 30))}]
    assert att.periods == every_period(unit, min(days), max(days))
    assert len(set(att.periods)) == len(att.periods)
    if unit == "month":
        assert "2016-04" in att.periods and all(s.counts[att.periods.index("2016-04")] == 0 for s in att.series)
        assert att.series[0].shares[att.periods.index("2016-05")] is None  # no articles at all: no share
    undated = sum(1 for a in ARTICLES if a.date is None and "kwaak" in a.body.split())
    assert att.series[0].undated == undated > 0
    assert att.series[0].total == sum(att.series[0].counts) + undated


def test_share_of_all_articles_and_split_by_source(backend):
    all_base = brute("year", None)
    att = attention(backend, AttentionRequest.from_dict({"q": "kwaak", "by": "year", "share_of": "all"}))
    assert att.series[0].base == [all_base.get(p, 0) for p in att.periods]
    assert att.base_name == "all articles in the archive"

    att = attention(backend, AttentionRequest.from_dict({"q": "zolp", "by": "year", "split": "source"}))
    sources = [s.source for s in att.series if not s.rest]
    totals = {src: sum(1 for a in ARTICLES if a.source == src and "zolp" in a.body.split()) for src in SOURCES}
    top = sorted(totals, key=lambda s: (-totals[s], s.casefold()))[:5]
    assert sources == top and att.series[-1].rest
    for series in att.series[:-1]:
        want, base = brute("year", "zolp", series.source), brute("year", None, series.source)
        assert series.counts == [want.get(p, 0) for p in att.periods]
        assert series.base == [base.get(p, 0) for p in att.periods]
    rest, whole, whole_base = att.series[-1], brute("year", "zolp"), brute("year", None)
    for i, p in enumerate(att.periods):
        assert rest.counts[i] == whole.get(p, 0) - sum(brute("year", "zolp", s).get(p, 0) for s in top)
        assert rest.base[i] == whole_base.get(p, 0) - sum(brute("year", None, s).get(p, 0) for s in top)


def svg_of(html: str) -> ET.Element:
    match = re.search(r"<svg.*?</svg>", html, re.S)
    assert match, "no chart on the page"
    return ET.fromstring(match.group(0).replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1))


def test_page_draws_one_line_per_search_with_axes_legend_and_table(client):
    html = client.get("/attention?q=kwaak&q=brix&source.2=Belga&by=month").get_data(as_text=True)
    svg = svg_of(html)
    assert svg.get("role") == "img" and svg.find(f"{SVG}title").text.startswith("Number of matching articles")
    desc = svg.find(f"{SVG}desc").text
    assert "kwaak: " in desc and "brix · source: Belga" in desc
    series = svg.findall(f".//{SVG}g[@class='series']")
    assert len(series) == 2 and all(g.findall(f"{SVG}path") for g in series)
    legend = [t.text for t in svg.findall(f".//{SVG}g[@class='legend']/{SVG}text")]
    assert legend == ["kwaak", "brix · source: Belga"]
    y_ticks = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "y-tick"]
    assert y_ticks[0] == "0" and len(y_ticks) >= 3 and all(v.replace(",", "").isdigit() for v in y_ticks)
    x_ticks = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "x-tick"]
    assert x_ticks[0] == "2015-01" and all(re.fullmatch(r"\d{4}-\d\d", t) for t in x_ticks)
    api = client.get("/api/attention?q=kwaak&q=brix&source.2=Belga&by=month").get_json()
    # the table beside the chart gives every number
    rows = re.findall(r'<tr><th scope="row">(\d{4}-\d\d)</th>(.*?)</tr>', html)
    assert [p for p, _ in rows] == api["periods"]
    for k, series in enumerate(api["series"]):
        assert [int(re.findall(r'data-count="(\d+)"', cells)[k]) for _, cells in rows] == \
            [pt["count"] for pt in series["points"]]
    assert 'href="/api/attention?format=csv&amp;' in html


def test_log_scale_where_the_range_calls_for_it(client):
    svg = svg_of(client.get("/attention?q=massa&by=month").get_data(as_text=True))
    assert svg.get("data-scale") == "log"
    ticks = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "y-tick"]
    assert ticks == ["1", "10", "100", "1,000"]
    line = svg.find(f".//{SVG}g[@class='series']")  # 150 in 2017-03, 0 in 2017-04, 1 in 2017-05: two lone points
    base = brute("month", None)
    titles = [c.find(f"{SVG}title").text for c in line.findall(f"{SVG}circle")]
    assert line.findall(f"{SVG}path") == [] and len(titles) == 2
    assert titles[0].startswith("massa, 2017-03: 150 articles, ") and titles[0].endswith(f"% of {base['2017-03']}")
    assert titles[1].startswith("massa, 2017-05: 1 article, ") and titles[1].endswith(f"% of {base['2017-05']}")
    assert f"{100 / base['2017-05']:.3g}%" in titles[1]
    assert svg_of(client.get("/attention?q=kwaak&by=year").get_data(as_text=True)).get("data-scale") == "linear"
    assert svg_of(client.get("/attention?q=massa&by=month&scale=linear").get_data(as_text=True)) \
        .get("data-scale") == "linear"


def test_standalone_svg_is_well_formed(client):
    response = client.get("/attention.svg?q=kwaak&q=zolp&normalise=1&by=week")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = ET.fromstring(response.data)
    assert svg.tag == f"{SVG}svg" and len(svg.findall(f".//{SVG}g[@class='series']")) == 2
    ticks = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "y-tick"]
    assert all(t.endswith("%") for t in ticks)


def test_everything_from_articles_and_queries_is_escaped(client):
    html = client.get("/attention", query_string={"q": ["<b>bold</b>", "kwaak"], "split": ""}).get_data(
        as_text=True)
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    html = client.get("/attention?q=&source.1=De+<Krant>+%26+Co&by=year").get_data(as_text=True)
    assert "De <Krant>" not in html and "De &lt;Krant&gt; &amp; Co" in html
    svg_of(html)
    split = client.get("/attention?q=kwaak&split=source&by=year")
    svg_of(split.get_data(as_text=True))
    assert "script-src" not in split.headers["Content-Security-Policy"]
    assert "<script" not in split.get_data(as_text=True)


def test_json_csv_and_cli_agree(client, index, runner):
    params = "q=kwaak&q=zolp&source.2=AFP&by=month"
    api = client.get(f"/api/attention?{params}").get_json()
    rows = list(csv.DictReader(io.StringIO(client.get(f"/api/attention?format=csv&{params}").get_data(as_text=True))))
    flat = [(s["label"], p["period"], p["count"], p["base"]) for s in api["series"] for p in s["points"]]
    assert [(r["series"], r["period"], int(r["count"]), int(r["base"])) for r in rows] == flat
    for r, (s, p) in zip(rows, [(s, p) for s in api["series"] for p in s["points"]]):
        assert (float(r["share"]) if r["share"] else None) == p["share"]
    cli_json = json.loads(run(runner, index, "attention", "kwaak", "zolp", "--filter", "2:source=AFP", "--by", "month",
                              "--format", "json").stdout)
    assert cli_json == api
    cli_csv = run(runner, index, "attention", "kwaak", "zolp", "--filter", "2:source=AFP", "--by", "month",
                  "--format", "csv").stdout
    assert cli_csv == client.get(f"/api/attention?format=csv&{params}").get_data(as_text=True)
    table = run(runner, index, "attention", "kwaak", "zolp", "--filter", "2:source=AFP", "--by", "month").stdout
    first = api["series"][0]["points"][0]
    assert re.search(rf"^{first['period']}\s+{first['count']}\s", table, re.M)
    assert len([line for line in table.splitlines() if re.match(r"\d{4}-\d\d ", line)]) == len(api["periods"])


@pytest.mark.parametrize("params, name", [
    ("q=kwaak&by=fortnight", "by"), ("q=kwaak&normalise=maybe", "normalise"), ("q=a&q=b&split=source", "split"),
    ("q=a&q=b&q=c&q=d&q=e&q=f", "q"), ("q=a&q=b&from.2=later", "from.2"), ("q=a&source.9=x", "source.9"),
    ("q=a&share_of=some", "share_of"), ("q=a&scale=cubic", "scale"), ("q=kwaak&format=xml", "format"),
    ("q=kwaak&from=1900&to=2020&by=day", "by"), ('q="unclosed', "q"), ("", "q"),
])
def test_bad_parameters_are_a_400_naming_the_parameter(client, params, name):
    response = client.get(f"/api/attention?{params}")
    assert response.status_code == 400, params
    assert response.get_json()["error"].startswith(f"{name}:") or name == "q" and "q" in response.get_json()["error"]
    if "format" not in params and params:
        page = client.get(f"/attention?{params}")
        assert page.status_code == 400 and name in page.get_data(as_text=True)


def test_cli_bad_input_names_the_option(runner, index):
    out = run(runner, index, "attention", "kwaak", "--filter", "2:colour=red", code=2)
    assert "--filter" in out.output
    out = run(runner, index, "attention", "a", "b", "c", "d", "e", "f", code=2)
    assert "at most 5" in out.output


def test_search_page_links_to_attention(client):
    html = client.get("/?q=kwaak&source=Belga").get_data(as_text=True)
    link = re.search(r'href="(/attention\?[^"]+)"', html).group(1).replace("&amp;", "&")
    assert link == "/attention?q=kwaak&source.1=Belga"
    assert client.get(link).status_code == 200


def test_a_search_without_dated_matches_keeps_its_series(client):
    api = client.get("/api/attention?q=nergensniet&q=kwaak").get_json()
    assert [s["label"] for s in api["series"]] == ["nergensniet", "kwaak"]
    assert api["series"][0]["total"] == 0 and all(p["count"] == 0 for p in api["series"][0]["points"])
    alone = client.get("/api/attention?q=nergensniet").get_json()
    assert alone["periods"] == [] and alone["series"][0]["points"] == [] and alone["series"][0]["total"] == 0
    html = client.get("/attention?q=nergensniet").get_data(as_text=True)
    assert "No dated articles match." in html
    svg_of(html)
