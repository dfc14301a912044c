import json
import re

import pytest

from archive.cli import cli
from archive.ingest import ingest
from archive.web import create_app


def test_search_page_lists_results_with_escaped_snippets(client):
    page = client.get("/?q=haven")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "article" in html and "<mark>" in html
    assert 'href="/?person=' in html  # entity chips link to a filtered search


def test_home_page_shows_the_archive(client):
    html = client.get("/").get_data(as_text=True)
    assert 'name="q"' in html and "Sources" in html


def test_article_with_script_is_shown_as_text(client):
    api = client.get("/api/search?q=researcher").get_json()
    article_id = api["results"][0]["id"]
    html = client.get(f"/articles/{article_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert" in html and "<script>alert" not in html
    assert "onerror=alert" not in html.replace("onerror=alert(1)&gt;", "")
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    results = client.get("/?q=script").get_data(as_text=True)
    assert "<script>alert" not in results and "<img src=x" not in results


def test_api_matches_cli_json(client, app, runner):
    index = app.config["INDEX_PATH"]
    for query in (["haven"], ["minister", "--sort", "newest"], ["--language", "fr"]):
        cli_out = runner.invoke(cli, ["--index", index, "search", *query, "--format", "json"])
        assert cli_out.exit_code == 0, cli_out.output
        args = {"q": " ".join(q for q in query if not q.startswith("--") and q not in ("newest", "fr"))}
        if "--sort" in query:
            args["sort"] = "newest"
        if "--language" in query:
            args["language"] = "fr"
        api = client.get("/api/search", query_string=args).get_json()
        expected = json.loads(cli_out.stdout)
        assert api["total"] == expected["total"]
        assert [r["id"] for r in api["results"]] == [r["id"] for r in expected["results"]]
        assert api["results"] == expected["results"]


def test_page_shows_the_same_results_as_api(client):
    api = client.get("/api/search?q=minister").get_json()
    html = client.get("/?q=minister").get_data(as_text=True)
    ids = re.findall(r'href="/articles/([0-9a-f]+)[?"]', html)  # a result's link carries its search
    assert ids == [r["id"] for r in api["results"]]


def test_bad_parameters_are_400_not_500(client):
    for url in ["/?page=two", "/?sort=random", "/?from=yesterday", '/?q="unclosed', "/?q=(((minister"]:
        response = client.get(url)
        assert response.status_code == 400, url
        assert "That search cannot be run" in response.get_data(as_text=True)
    api = client.get("/api/search?from=later")
    assert api.status_code == 400 and "from" in api.get_json()["error"]


def test_unknown_article_is_404(client):
    assert client.get("/articles/nope").status_code == 404
    assert client.get("/api/articles/nope").get_json()["status"] == 404


def test_missing_index_is_a_clear_page(tmp_path):
    client = create_app({"TESTING": True, "INDEX_PATH": str(tmp_path / "none")}).test_client()
    response = client.get("/")
    assert response.status_code == 503 and "archive ingest PATH" in response.get_data(as_text=True)


def test_pagination_links(client):
    html = client.get("/?size=2").get_data(as_text=True)
    assert 'rel="next"' in html and "page=2" in html
    last = client.get("/?size=2&page=999").get_data(as_text=True)
    assert "There is no page 999" in last


def test_facet_link_adds_a_filter(client):
    html = client.get("/?q=minister").get_data(as_text=True)
    links = re.findall(r'href="/\?(q=minister&amp;source=[^"]+)"', html)
    assert links
    filtered = client.get("/?" + links[0].replace("&amp;", "&")).get_data(as_text=True)
    assert "Remove filter source" in filtered


def test_web_app_never_writes_to_the_index(tmp_path):
    from .conftest import SAMPLE

    index = tmp_path / "ix"
    ingest([str(SAMPLE)], str(index), workers=1)
    before = {p.name: p.stat().st_mtime_ns for p in index.iterdir()}
    client = create_app({"TESTING": True, "INDEX_PATH": str(index)}).test_client()
    for url in ["/", "/?q=haven", "/api/search?q=x&facets=1", "/articles/x"]:
        client.get(url)
    after = {p.name: p.stat().st_mtime_ns for p in index.iterdir()}
    assert before == after


def test_timeline_drills_down_from_years_to_months_to_days(client):
    years = client.get("/api/search?facets=1").get_json()["facets"]
    assert years["timeline_granularity"] == "year"
    year = next(b["period"] for b in years["timeline"] if b["count"])
    months = client.get(f"/api/search?facets=1&from={year}&to={year}").get_json()["facets"]
    assert months["timeline_granularity"] == "month"
    assert [b["period"] for b in months["timeline"]] == [f"{year}-{m:02d}" for m in range(1, 13)]
    month = next(b["period"] for b in months["timeline"] if b["count"])
    days = client.get(f"/api/search?facets=1&from={month}&to={month}").get_json()["facets"]
    assert days["timeline_granularity"] == "day"
    assert days["timeline"][0]["period"] == f"{month}-01" and sum(b["count"] for b in days["timeline"]) > 0
    html = client.get(f"/?from={year}&to={year}").get_data(as_text=True)
    assert f'href="/?from={month}&amp;to={month}"' in html
    assert re.search(rf'aria-label="{month}: \d+ articles?"', html)


def test_undated_articles_are_counted_apart(client):
    api = client.get("/api/search?facets=1").get_json()
    assert api["facets"]["undated"] == 1
    assert sum(b["count"] for b in api["facets"]["timeline"]) == api["total"] - 1
    assert "1 undated</span>, not drawn" in client.get("/").get_data(as_text=True)


def test_several_facet_values_combine_and_each_can_be_removed(client):
    both = client.get("/?person=Koen+Verbiest&person=Liesbeth+Vandamme").get_data(as_text=True)
    assert "Remove filter person Koen Verbiest" in both and "Remove filter person Liesbeth Vandamme" in both
    assert 'href="/?person=Liesbeth+Vandamme"' in both  # removing one keeps the other
    assert "Clear all filters" in both


def test_entity_page(client):
    response = client.get("/entities/person/Liesbeth%20Vandamme")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Liesbeth Vandamme</h1>" in html
    assert "Mentions over time" in html and 'class="tl-bar"' in html
    assert "Sources that mention Liesbeth Vandamme most" in html
    assert "People mentioned with Liesbeth Vandamme" in html and "Koen Verbiest" in html
    assert "Latest articles" in html and 'class="result"' in html
    people = html.split("People mentioned with", 1)[1].split("</section>", 1)[0]
    assert ">Liesbeth Vandamme<" not in people  # not co-occurring with itself


def test_source_page_and_missing_profiles(client):
    html = client.get("/sources/Agence%20Meuse").get_data(as_text=True)
    assert "<h1>Agence Meuse</h1>" in html and "Latest articles" in html
    missing = client.get("/entities/person/Nobody%20Atall")
    assert missing.status_code == 404 and "No article in the archive mentions" in missing.get_data(as_text=True)
    assert client.get("/entities/planet/Mars").status_code == 404


def test_reprints_link_to_all_versions(client):
    html = client.get("/?q=haven").get_data(as_text=True)
    link = re.search(r'<a class="versions" href="/\?([^"]+)">(\d+) more version', html)
    assert link
    versions = client.get("/api/search?" + link.group(1).replace("&amp;", "&")).get_json()
    assert versions["total"] == int(link.group(2)) + 1 == len(versions["results"])


def test_more_like_this_leaves_out_the_story_itself(client):
    api = client.get("/api/search?q=haven").get_json()
    first = api["results"][0]
    html = client.get(f"/articles/{first['id']}").get_data(as_text=True)
    similar = html.split("More like this", 1)[1].split("</section>", 1)[0]
    assert "/articles/" in similar
    own = client.get(f"/api/articles/{first['id']}").get_json()["versions"]
    for version in own:
        assert f'/articles/{version["id"]}"' not in similar


def test_explanation_on_the_page_and_in_the_cli(client, app, runner):
    html = client.get('/?q=ministers+or+N-VA').get_data(as_text=True)
    assert "How this search was read" in html
    assert "ministers → " in html and "(nl" in html
    assert "lower-case &#39;or&#39; is searched as a word" in html
    assert "N-VA matched whole in the exact field" in html
    out = runner.invoke(cli, ["--index", app.config["INDEX_PATH"], "search", "ministers or N-VA", "--explain"])
    assert "lower-case 'or' is searched as a word" in out.output


def test_empty_results_say_what_to_do(client):
    html = client.get("/?q=nothingmatchesthis&language=fr").get_data(as_text=True)
    assert "No articles match" in html and "Search without filters" in html
    assert 'rel="next"' not in html and "Download all" not in html


def test_last_page_has_no_next_link(client):
    api = client.get("/api/search?size=3").get_json()
    html = client.get(f"/?size=3&page={api['pages']}").get_data(as_text=True)
    assert 'rel="prev"' in html and 'rel="next"' not in html
    assert f"Page {api['pages']} of {api['pages']}" in html


def test_accessibility_basics(client):
    html = client.get("/?q=haven").get_data(as_text=True)
    assert 'class="skip" href="#main"' in html and 'id="main"' in html
    for input_id in re.findall(r'<input id="([^"]+)"', html):
        assert f'for="{input_id}"' in html, input_id
    assert "<script" not in html  # no JavaScript needed for anything


def test_pooled_searchers_see_new_commits(tmp_path):
    from .conftest import SAMPLE

    index = tmp_path / "ix"
    ingest([str(SAMPLE / "en_flood.txt")], str(index), workers=1)
    client = create_app({"TESTING": True, "INDEX_PATH": str(index)}).test_client()
    assert client.get("/api/search").get_json()["total"] == 1
    ingest([str(SAMPLE / "en_museum.txt")], str(index), workers=1)
    after = client.get("/api/search?facets=1").get_json()
    assert after["total"] == 2 and sum(b["count"] for b in after["facets"]["timeline"]) == 2


def test_entity_page_names_the_other_kinds_of_the_same_name(tmp_path):
    """`Chelsea` tagged as a person in one story and an organisation in two: each page points to the other."""
    from archive.backends.whoosh.index import create_or_open, write_articles, writer
    from archive.model import Article, Entity

    def story(i: int, label: str) -> Article:
        body = f"Chelsea won match {i} on Saturday."
        return Article(id=f"c{i}", body=body, language="en", source="Test Wire",
                       entities=[Entity(label, 0, 7, "Chelsea", "Chelsea")])

    path = tmp_path / "ix"
    with writer(create_or_open(path)) as w:
        write_articles(w, [story(1, "PER"), story(2, "ORG"), story(3, "ORG")])
    client = create_app({"TESTING": True, "INDEX_PATH": str(path)}).test_client()
    person = client.get("/entities/person/Chelsea").get_data(as_text=True)
    assert 'Also tagged as <a href="/entities/org/Chelsea">organisation</a> (2 articles)' in person
    org = client.get("/entities/org/Chelsea").get_data(as_text=True)
    assert 'href="/entities/person/Chelsea">person</a> (1 article)' in org
    place = client.get("/entities/location/Chelsea")  # never a place, but the page says where to look
    assert place.status_code == 404 and 'href="/entities/person/Chelsea">person</a>' in place.get_data(as_text=True)
    assert "Also tagged as" not in client.get("/entities/location/Nowhere").get_data(as_text=True)


def test_counts_stay_exact_while_serving_after_updates_in_place(tmp_path):
    """Re-ingesting the same articles updates them in place: a running app counts each once, as a fresh one does."""
    from .conftest import SAMPLE

    index = tmp_path / "ix"
    ingest([str(SAMPLE)], str(index), workers=1, batch_size=4)
    client = create_app({"TESTING": True, "INDEX_PATH": str(index)}).test_client()
    before = client.get("/api/search?q=minister&facets=1").get_json()
    ingest([str(SAMPLE)], str(index), workers=1, batch_size=3)  # every article again, over several commits
    served = client.get("/api/search?q=minister&facets=1").get_json()
    fresh = create_app({"TESTING": True, "INDEX_PATH": str(index)}).test_client()
    expected = fresh.get("/api/search?q=minister&facets=1").get_json()
    assert served["total"] == expected["total"] == before["total"] > 0
    assert served["facets"] == expected["facets"]
    assert client.get("/api/search").get_json()["total"] == len(list(SAMPLE.glob("*.txt")))


def test_an_empty_index_searches_fine(tmp_path, runner):
    """An index with no article (every input failed) answers every search with 0 results, and every page works."""
    from archive.backends.whoosh.index import create_or_open

    create_or_open(tmp_path / "ix")
    client = create_app({"TESTING": True, "INDEX_PATH": str(tmp_path / "ix")}).test_client()
    for url in ("/?q=minister", "/api/search?q=minister&facets=1", "/api/search?q=busin*&sort=newest",
                "/entities/person/Kerry", "/sources/Belga", "/api/export?format=csv&q=a"):
        response = client.get(url)
        assert response.status_code in (200, 404), url
    assert client.get("/api/search?q=minister&facets=1").get_json()["total"] == 0
    result = runner.invoke(cli, ["--index", str(tmp_path / "ix"), "stats"])
    assert result.exit_code == 0 and "articles: 0" in result.output, result.output
    result = runner.invoke(cli, ["--index", str(tmp_path / "ix"), "search", "minister"])
    assert result.exit_code == 0 and "No articles match" in result.output, result.output


ODD_QUERIES = ["person:*", "entity:*", "person:[a TO b]", 'date:"Trump"', 'text_en:"a b"', "source:*", "date:*",
               "language:[a TO z]", "id:*", "exact:*", "text_nl:*", 'person:"Koen Verbiest"~2', "date:[2016 TO]",
               "date:notadate", "person:Ko*", "title:x", "x~2", '"a b"^2', "(a OR", "a)"]


@pytest.mark.parametrize("q", ODD_QUERIES)
def test_no_query_form_is_a_server_error(client, q):
    """Every field accepts every syntax or answers a clear 400: never a 500 (they were, for these forms)."""
    for url in ("/api/search", "/"):
        response = client.get(url, query_string={"q": q, "facets": "1"})
        assert response.status_code in (200, 400), (url, q, response.status_code)
        if url == "/api/search" and response.status_code == 400:
            assert response.get_json()["error"]


def test_field_star_means_any_value(client):
    """`person:*` finds exactly the articles with a person, `NOT person:*` the others (counted article by article)."""
    every = client.get("/api/search", query_string={"versions": "1", "size": "100"}).get_json()
    everything, hits = every["total"], every["results"]
    assert len(hits) == everything
    between = []
    for field, label in (("person", "PER"), ("org", "ORG"), ("location", "LOC"), ("misc", "MISC")):
        having = sum(1 for hit in hits if hit["entities"][label])
        with_it = client.get("/api/search", query_string={"q": f"{field}:*"}).get_json()["total"]
        without = client.get("/api/search", query_string={"q": f"NOT {field}:*"}).get_json()["total"]
        assert (with_it, with_it + without) == (having, everything), field
        if 0 < with_it < everything:
            between.append(field)
    assert between  # the sample has a field that some articles lack, so `*` matching everything would fail


def test_security_headers_and_published_origins(client):
    page = client.get("/?q=haven")
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "script-src" not in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff" and page.headers["Referrer-Policy"] == "same-origin"
    first = client.get("/api/search?q=haven").get_json()["results"][0]["id"]
    record = client.get(f"/api/articles/{first}").get_json()
    assert record["origin"] and "/" not in record["origin"]  # the file name, not the server's folders
    export = client.get("/api/export?format=jsonl&q=haven").get_data(as_text=True).splitlines()[1:]
    assert all("/" not in json.loads(line)["origin"] for line in export)
    assert client.get("/entities/person/%20").status_code == 404
    assert client.get("/sources/%20").status_code == 404


def test_ids_with_slashes_and_odd_characters_have_working_links(tmp_path):
    """Result links, the article page, its JSON and the feed work for an id with /, ?, #, % and a space (an
    exported record keeps its id as written)."""
    import json
    import re
    from urllib.parse import unquote

    from archive.backends import open_backend
    from archive.ingest import ingest

    odd = "wire/2016 09?x=1#frag 100%"
    plain = tmp_path / "plain.jsonl"
    plain.write_text(json.dumps({"id": "1", "title": "Havenstaking", "date": "2016-09-09",
                                 "body": "De havenarbeiders in Antwerpen leggen het werk neer."}) + "\n",
                     encoding="utf-8")
    assert not ingest([str(plain)], str(tmp_path / "first"), workers=1).failures
    backend = open_backend(str(tmp_path / "first"))
    record = next(iter(backend.articles())).to_dict() | {"id": odd}
    backend.close()
    records = tmp_path / "odd.jsonl"
    records.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    assert not ingest([str(records)], str(tmp_path / "ix"), workers=1).failures
    client = create_app({"TESTING": True, "INDEX_PATH": str(tmp_path / "ix")}).test_client()
    page = client.get("/?q=havenarbeiders").get_data(as_text=True)
    [link] = re.findall(r'<h3><a href="(/articles/[^"?]+)', page)
    assert unquote(link[len("/articles/"):]) == odd and "#" not in link and "?" not in link
    article = client.get(link)
    assert article.status_code == 200 and "Havenstaking" in article.get_data(as_text=True)
    assert client.get("/api" + link).get_json()["id"] == odd
    feed = client.get("/feed?q=havenarbeiders").get_data(as_text=True)
    assert link in feed
