import json

from archive.cluster import signature
from contextlib import closing

from archive.backends import open_backend
from archive.request import SearchRequest
from archive.search import search

from .conftest import SAMPLE, run

STORY = ("In de haven van Antwerpen hebben honderden havenarbeiders dinsdag het werk neergelegd. De vakbond wil dat "
         "de minister de nieuwe regels voor nachtwerk intrekt. Vakbondsleider Koen Verbiest zei dat de actie "
         "minstens tot donderdag duurt. Rederijen leiden schepen om naar Rotterdam en Zeebrugge.")


def test_near_duplicates_are_similar_and_others_are_not():
    edited = STORY.replace("dinsdag", "woensdag").replace("honderden", "duizenden") + " Later meer."
    other = ("De nieuwe fietsbrug over de Leie in Gent gaat in april open, zegt de schepen van Mobiliteit. De werken "
             "liepen een half jaar vertraging op door de natte winter en de brug verbindt de wijk met het centrum.")
    assert signature(STORY).similarity(signature(edited)) >= 0.5
    assert signature(STORY).similarity(signature(other)) < 0.2
    assert signature("Te kort.") is None


def test_reprint_collapses_to_its_earliest_version(sample_index):
    archive = open_backend(str(sample_index))
    with closing(archive) as s:
        page = search(s, SearchRequest.from_dict({"q": "havenarbeiders"}))
        every = search(s, SearchRequest.from_dict({"q": "havenarbeiders", "versions": "1"}))
    assert page.total == 2 and page.results_total == 1
    (hit,) = page.hits
    assert hit.versions == 1 and hit.article.source == "Persbureau Noordzee"  # 14u05 beats 16u40
    assert every.results_total == 2 and {h.article.cluster for h in every.hits} == {hit.article.cluster}


def test_unrelated_articles_keep_their_own_cluster(sample_index):
    archive = open_backend(str(sample_index))
    with closing(archive) as s:
        page = search(s, SearchRequest.from_dict({"size": "100"}))
    clusters = [h.article.cluster for h in page.hits]
    assert len(clusters) == len(set(clusters)) == page.results_total == page.total - 1


def test_reingest_keeps_clusters(runner, sample_index):
    before = json.loads(run(runner, sample_index, "search", "--format", "json", "--limit", "100").stdout)
    run(runner, sample_index, "ingest", "-q", str(SAMPLE))
    after = json.loads(run(runner, sample_index, "search", "--format", "json", "--limit", "100").stdout)
    assert (before["total"], before["results_total"]) == (after["total"], after["results_total"])


def test_article_page_lists_versions(client):
    hit = client.get("/api/search?q=havenarbeiders").get_json()["results"][0]
    record = client.get(f"/api/articles/{hit['id']}").get_json()
    assert [v["source"] for v in record["versions"]] == ["Persbureau Noordzee", "Stadskrant Schelde"]
    html = client.get(f"/articles/{hit['id']}").get_data(as_text=True)
    assert "2 versions of this story" in html
    assert "1 more version" in client.get("/?q=havenarbeiders").get_data(as_text=True)


def test_ingests_after_a_batch_of_unsigned_articles(tmp_path):
    """A segment holding only articles too short to sign must not stop later ingests (it stores no minhash)."""
    from archive.backends import open_backend
    from archive.ingest import ingest

    from .conftest import SAMPLE

    index = tmp_path / "ix"
    assert not ingest([str(SAMPLE)], str(index), workers=1).failures
    for i in range(3):
        short = tmp_path / f"short{i}.json"
        short.write_text('{"id": "kort%d", "title": "Kort", "body": "Een korte zin over de haven."}' % i,
                         encoding="utf-8")
        report = ingest([str(short)], str(index), workers=1)
        assert not report.failures and report.articles == 1, report
    assert open_backend(str(index)).count() == 13 + 3
