"""The numpy query evaluator gives Whoosh's own matches and scores, deletions included."""
from __future__ import annotations

import pytest

from archive.backends.whoosh.fastquery import Unsupported, evaluate
from archive.backends.whoosh.index import create_or_open, open_index, write_articles, writer
from archive.query import build_query
from archive.request import SearchRequest

from .test_search import make_corpus


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    path = tmp_path_factory.mktemp("fast") / "ix"
    archive = create_or_open(path)
    corpus = make_corpus(300, seed=11)
    for start in range(0, 300, 70):
        with writer(archive) as w:
            write_articles(w, corpus[start:start + 70])
    with writer(archive) as w:
        for article in corpus[::9]:
            w.delete_by_term("id", article.id)
    return open_index(path)


@pytest.mark.parametrize("q", ["haven", "haven storm", "haven OR storm", "haven NOT storm",
                               "minister AND (brug OR trein)", "(haven OR storm) NOT (brug OR akkoord)", "person:jan",
                               "haven ANDMAYBE storm", "NOT haven", "NOT *", "person:*", "entity:*", "text_nl:*",
                               "exact:*", "source:*", "language:*", "haven AND NOT person:*"])
def test_same_matches_and_scores_as_whoosh(index, q):
    with index.searcher() as s:
        parsed = build_query(SearchRequest.from_dict({"q": q}), s.schema)
        docs, scores = evaluate(s, parsed.text, scored=True)
        whoosh = {docnum: score for score, docnum in s.search(parsed.text, limit=None).top_n
                  if not s.reader().is_deleted(docnum)}  # Whoosh's lone NOT returns a deleted document
        assert sorted(whoosh) == docs.tolist()
        for d, score in zip(docs.tolist(), scores.tolist()):
            assert score == pytest.approx(whoosh[d], rel=1e-9)
        unscored, none = evaluate(s, parsed.text, scored=False)
        assert unscored.tolist() == docs.tolist() and none is None


@pytest.mark.parametrize("q", ["hav*", "*a*", "h*n", "[a TO c]", "exact:[st TO sz]", "person:j*", "st*^3",
                               "haven OR st*", "storm AND (br* OR tr?in)"])
def test_wildcards_and_ranges_match_as_in_whoosh_with_a_constant_score(index, q):
    """Bounded (guard.py) and evaluated here: Whoosh's matches; each scores 1, where Whoosh's score of a wildcard
    depends on how many of its words a segment holds."""
    with index.searcher() as s:
        parsed = build_query(SearchRequest.from_dict({"q": q}), s.schema)
        docs, scores = evaluate(s, parsed.text, scored=True)
        assert sorted(s.docs_for_query(parsed.text)) == docs.tolist() and len(docs)
        assert evaluate(s, parsed.text, scored=False)[0].tolist() == docs.tolist()
        if parsed.text.is_leaf():
            assert set(scores.tolist()) == {1.0}


def test_filters_and_phrases(index):
    with index.searcher() as s:
        parsed = build_query(SearchRequest.from_dict({"q": '"over haven"', "source": "Agence Meuse"}), s.schema)
        with pytest.raises(Unsupported):
            evaluate(s, parsed.text, scored=True)
        docs, _ = evaluate(s, parsed.text, scored=False)
        assert sorted(s.docs_for_query(parsed.text)) == docs.tolist()
        source, _ = evaluate(s, parsed.filters[0], scored=False)
        assert sorted(s.docs_for_query(parsed.filters[0])) == source.tolist()
