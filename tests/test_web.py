import json
import re

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
    ids = re.findall(r'href="/articles/([0-9a-f]+)"', html)
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
