"""The web app in a real headless Chromium, driven by Playwright: the paths people click, and no script injection.

Skipped where Chromium or Playwright is missing, unless ARCHIVE_REQUIRE_BROWSER=1 (CI), where that fails.
The app is served on 127.0.0.1 on a free port from a thread, over an index of the bundled sample.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from archive.ingest import ingest
from archive.web import create_app

from .conftest import SAMPLE, SHARED, need_shared

pytestmark = pytest.mark.browser
REQUIRE_BROWSER = os.environ.get("ARCHIVE_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _missing(reason: str):
    if REQUIRE_BROWSER:
        pytest.fail(f"{reason} but ARCHIVE_REQUIRE_BROWSER=1")
    pytest.skip(reason)


def chromium_path() -> str | None:
    for candidate in (os.environ.get("ARCHIVE_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def _serve(index: Path | str):
    """Serve the app over an index (a folder or a PostgreSQL URL) on a free port from a thread; yield its URL."""
    from werkzeug.serving import make_server

    app = create_app({"TESTING": True, "INDEX_PATH": str(index)})
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="module", params=["whoosh", "postgresql"])
def server(request, tmp_path_factory):
    """Serve the app over the sample in a Whoosh index, then in PostgreSQL on three shards; yield its base URL."""
    if request.param == "postgresql":
        from . import pg

        index: Path | str = pg.fresh(request.getfixturevalue("pg_servers").sharded)
    else:
        index = tmp_path_factory.mktemp("browser") / "index"
    report = ingest([str(SAMPLE)], str(index), workers=1)
    assert not report.failures, report.failures
    yield from _serve(index)


@pytest.fixture(scope="module")
def real_server(tmp_path_factory):
    """Serve the app over an index of the real BASIL articles (three US outlets) from ../shared/data."""
    folder = need_shared(SHARED / "data" / "basil" / "articles")
    index = tmp_path_factory.mktemp("browser-real") / "index"
    report = ingest([str(folder)], str(index), workers=2)
    assert not report.failures, report.failures
    yield from _serve(index)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed")
    executable = chromium_path()
    if executable is None:
        _missing("chromium is not installed (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.dialogs = dialogs  # type: ignore[attr-defined]
    yield pg
    context.close()


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlparse(url).query)


def count(page) -> str:
    return page.locator("#count").inner_text()


def test_search_then_facet_timeline_chip_and_article(server, page, tmp_path):
    page.goto(f"{server}/")
    page.fill("#q", "minister OR haven")
    page.press("#q", "Enter")
    page.wait_for_url("**/?q=*")
    assert "match" in count(page)
    first = page.locator("ol.results > li").count()
    assert first > 0

    source = page.locator('ul.facet[data-facet="source"] li').first
    name = source.get_attribute("data-value")
    expected = int(source.get_attribute("data-count"))
    source.locator("a").click()
    page.wait_for_url("**source=*")
    assert params(page.url)["source"] == [name]
    assert count(page).startswith(f"{expected} article")
    assert page.get_by_role("link", name=f"Remove filter source {name}").first.is_visible()

    page.goto(f"{server}/")
    bar = page.locator("a.tl-bar").first
    period, n = bar.get_attribute("data-period"), int(bar.get_attribute("data-count"))
    assert bar.get_attribute("aria-label") == f"{period}: {n} article{'s' if n != 1 else ''}"
    bar.click()
    page.wait_for_url("**from=*")
    assert params(page.url)["from"] == [period] and params(page.url)["to"] == [period]
    assert count(page).startswith(f"{n} article")

    page.goto(f"{server}/?q=haven")
    chip = page.locator("ul.chips a.chip").first
    chip_name = chip.inner_text()
    chip.click()
    page.wait_for_url("**/?*=*")
    filters = params(page.url)
    assert any(chip_name in values for values in filters.values())

    link = page.locator("ol.results h3 a").first
    title = link.inner_text()
    link.click()
    page.wait_for_url("**/articles/*")
    assert page.locator("h1").inner_text() == title
    assert page.get_by_role("heading", name="More like this").is_visible()
    page.screenshot(path=str(tmp_path / "article.png"), full_page=True)
    assert (tmp_path / "article.png").stat().st_size > 1000


def test_entity_page_from_an_article(server, page):
    page.goto(f"{server}/?q=haven")
    page.locator("ol.results h3 a").first.click()
    page.wait_for_url("**/articles/*")
    entity = page.locator("ul.chips a.chip.per").first
    name = entity.inner_text()
    entity.click()
    page.wait_for_url("**/entities/person/*")
    assert page.locator("h1").inner_text() == name
    assert page.get_by_role("heading", name="Latest articles").is_visible()
    assert page.locator("figure.timeline").count() == 1


def test_article_text_runs_no_script(server, page):
    page.add_init_script("window.__xss = false; window.alert = () => { window.__xss = true; };")
    page.goto(f"{server}/?q=researcher")
    assert page.evaluate("window.__xss") is False
    page.locator("ol.results h3 a").first.click()
    page.wait_for_url("**/articles/*")
    page.wait_for_load_state("load")
    assert "<script>alert('hi')</script>" in page.locator("article").inner_text()
    assert page.locator("article script, article img").count() == 0
    assert page.evaluate("window.__xss") is False
    assert page.dialogs == []  # type: ignore[attr-defined]


def test_keyboard_skip_link_and_phone_width(server, browser):
    context = browser.new_context(viewport={"width": 375, "height": 740})
    pg = context.new_page()
    try:
        pg.goto(f"{server}/?q=haven")
        pg.keyboard.press("Tab")
        assert pg.evaluate("document.activeElement.textContent") == "Skip to content"
        pg.keyboard.press("Enter")
        assert pg.evaluate("document.activeElement.id") == "main"
        width = pg.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the page scrolls sideways at phone width ({width}px)"
    finally:
        context.close()


@pytest.mark.shared
def test_real_data_facet_timeline_and_entity_page(real_server, page):
    page.goto(f"{real_server}/?q=president")
    total = int(count(page).split()[0])
    assert total > 10
    source = page.locator('ul.facet[data-facet="source"] li').first
    expected = int(source.get_attribute("data-count"))
    source.locator("a").click()
    page.wait_for_url("**source=*")
    assert count(page).startswith(f"{expected} article") and expected < total
    bar = page.locator("a.tl-bar").first
    n = int(bar.get_attribute("data-count"))
    bar.click()
    page.wait_for_url("**from=*")
    assert count(page).startswith(f"{n} article")
    person = page.locator("ul.chips a.chip.per").first
    name = person.inner_text()
    person.click()
    page.wait_for_url("**/?*person=*")
    page.locator("ol.results h3 a").first.click()
    page.wait_for_url("**/articles/*")
    page.locator("ul.chips a.chip.per", has_text=name).first.click()
    page.wait_for_url("**/entities/person/*")
    assert page.locator("h1").inner_text() == name
    assert page.locator("figure.timeline").count() == 1


def test_attention_chart_compares_searches_and_reads_its_values(server, page):
    """From a search to its attention over time, a second search added in the form; the chart's values are the API's."""
    page.goto(f"{server}/?q=minister")
    page.get_by_role("link", name="Attention over time").click()
    page.wait_for_url("**/attention?*")
    page.get_by_label("Words of search 2").fill("haven")
    page.select_option("#a-by", "year")
    page.get_by_role("button", name="Draw").click()
    page.wait_for_url("**by=year*")
    assert params(page.url)["q"] == ["minister", "haven"]
    chart = page.get_by_role("img", name="Number of matching articles per year")
    assert chart.is_visible()
    assert page.locator("svg.attention-chart g.legend text").all_text_contents() == ["minister", "haven"]
    api = page.request.get(f"{server}/api/attention?q=minister&q=haven&by=year").json()
    for k, series in enumerate(api["series"], 1):
        drawn = {}
        for title in page.locator(f'svg.attention-chart g.series[data-series="{k}"] circle title').all_text_contents():
            head, _, rest = title.partition(": ")
            drawn[head.rsplit(", ", 1)[1]] = int(rest.split(" ")[0].replace(",", ""))
        assert drawn == {p["period"]: p["count"] for p in series["points"]}
    cells = page.locator("table.numbers tbody tr").first.locator("td").all_text_contents()
    assert int(cells[0]) == api["series"][0]["points"][0]["count"]
    assert page.dialogs == []  # type: ignore[attr-defined]


def test_subscribe_to_a_search_feed(server, page):
    """A feed reader finds the search's feed on its page (link rel=alternate) and reads its newest matches."""
    import feedparser

    page.goto(f"{server}/?q=minister")
    href = page.locator('head link[rel="alternate"][type="application/atom+xml"]').get_attribute("href")
    assert href == page.locator("a.feed").get_attribute("href")
    response = page.request.get(server + href)
    assert response.ok and response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.body())
    assert not feed.bozo, feed.bozo_exception
    api = page.request.get(f"{server}/api/search?q=minister&sort=newest&versions=1&size=20").json()
    assert [e.link.rsplit("/", 1)[1] for e in feed.entries] == [r["id"] for r in api["results"] if r["date"]]
    page.goto(feed.entries[0].link)
    assert page.locator("h1").inner_text() == feed.entries[0].title


def test_words_in_context_lines_up_the_word_and_sorts(server, page):
    """From a search to its concordance: the word column lines up, the context before it ends at it, and the order by
    the word before is the API's; a line opens its article."""
    page.goto(f"{server}/?q=minister")
    page.get_by_role("link", name="Words in context").click()
    page.wait_for_url("**/kwic?*")
    api = page.request.get(f"{server}/api/kwic?q=minister").json()
    words = page.locator("table.kwic td.k")
    assert words.count() == len(api["lines"]) > 1
    boxes = [words.nth(i).bounding_box() for i in range(words.count())]
    assert len({round(b["x"]) for b in boxes}) == 1
    for i, box in enumerate(boxes):
        before = page.locator("table.kwic td.l span").nth(i).bounding_box()
        assert box["x"] - 12 <= before["x"] + before["width"] <= box["x"] + 1
    page.select_option("#k-sort", "left")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**sort=left*")
    by_left = page.request.get(f"{server}/api/kwic?q=minister&sort=left").json()["lines"]
    assert page.locator("table.kwic td.l").all_text_contents() == [line["left"] for line in by_left]
    words.first.locator("a").click()
    page.wait_for_url("**/articles/*")
    assert page.dialogs == []  # type: ignore[attr-defined]


def test_every_source_from_the_header_and_a_facet(server, page):
    """The site header leads to every source; a search's facet leads to all its values, each a filter."""
    page.goto(server)
    page.get_by_role("navigation", name="Browse").get_by_role("link", name="Sources").click()
    page.wait_for_url("**/sources")
    api = page.request.get(f"{server}/api/sources").json()
    assert page.locator("table.values tbody tr").count() == len(api["values"]) == api["total"]
    page.goto(f"{server}/?q=minister")
    page.get_by_role("link", name="Every value of sources, with a filter").click()
    page.wait_for_url("**/facets/source?q=minister")
    page.locator("table.values tbody tr a").first.click()
    page.wait_for_url("**/?q=minister&source=*")
    assert "source" in params(page.url)


@pytest.fixture(scope="module")
def saved_server(tmp_path_factory):
    """Serve the sample (Whoosh) with two saved searches in the file beside the index, as `archive saved add` writes."""
    from archive import saved as store
    from archive.request import SearchRequest

    index = tmp_path_factory.mktemp("browser-saved") / "index"
    report = ingest([str(SAMPLE)], str(index), workers=1)
    assert not report.failures, report.failures
    path = store.saved_path(str(index))
    store.add(path, "port strike", SearchRequest.from_dict({"q": "haven", "source": "Persbureau Noordzee"}))
    store.add(path, "ministers", SearchRequest.from_dict({"q": "minister", "sort": "newest"}))
    yield from _serve(index)


def test_saved_searches_page_leads_to_each_search_and_its_feed(saved_server, page):
    """The site header leads to the saved searches; each opens its search (the API's count) and its Atom feed."""
    import feedparser

    server = saved_server
    page.goto(server)
    page.get_by_role("navigation", name="Browse").get_by_role("link", name="Saved searches").click()
    page.wait_for_url("**/saved")
    rows = page.locator("table.saved tbody tr")
    assert [rows.nth(i).get_attribute("data-name") for i in range(rows.count())] == ["ministers", "port strike"]
    api = page.request.get(f"{server}/api/saved").json()["searches"]
    assert [s["name"] for s in api] == ["ministers", "port strike"]
    feeds = page.locator('head link[rel="alternate"][type="application/atom+xml"]')
    assert [feeds.nth(i).get_attribute("href") for i in range(feeds.count())] == [s["feed_url"] for s in api]

    page.get_by_role("link", name="port strike", exact=True).click()
    page.wait_for_url("**/?q=haven&source=*")
    assert params(page.url) == {"q": ["haven"], "source": ["Persbureau Noordzee"]}
    total = page.request.get(f"{server}/api/search?q=haven&source=Persbureau+Noordzee").json()["total"]
    assert count(page).startswith(f"{total} article")

    page.go_back()
    page.wait_for_url("**/saved")
    href = page.get_by_role("link", name="Atom feed of ministers").get_attribute("href")
    assert href == api[0]["feed_url"]
    response = page.request.get(server + href)
    assert response.ok and response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.body())
    assert not feed.bozo, feed.bozo_exception
    newest = page.request.get(f"{server}/api/search?q=minister&sort=newest&versions=1&size=20").json()
    assert [e.link.rsplit("/", 1)[1] for e in feed.entries] == [r["id"] for r in newest["results"] if r["date"]]
    assert page.dialogs == []  # type: ignore[attr-defined]
