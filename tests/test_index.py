"""The index writer: text analysed in workers gives the same index as text analysed by the writer; folding."""
from pathlib import Path

import pytest

from archive.analysis import fold
from archive.enrich import enrich
from archive.backends.whoosh.index import analyse, create_or_open, open_index, write_articles, writer
from archive.readers import iter_inputs, read_input

SAMPLE = Path(__file__).resolve().parent.parent / "archive" / "sample"


def sample_articles():
    return [enrich(a) for inp in iter_inputs([str(SAMPLE)]) for a in read_input(inp)]


def build(path, articles, analysed):
    archive = create_or_open(path)
    for start in range(0, len(articles), 5):  # several segments
        chunk = articles[start:start + 5]
        with writer(archive) as w:
            write_articles(w, chunk, {a.id: analyse(a) for a in chunk} if analysed else None)
    return open_index(path)


def postings(archive):
    """Every posting of every field: (field, term, doc id, weight, encoded value), and every field length."""
    out, lengths = set(), set()
    with archive.searcher() as s:
        reader = s.reader()
        ids = {n: reader.stored_fields(n)["id"] for n in reader.all_doc_ids()}
        for field, term in reader.all_terms():
            if field == "date":
                continue
            m = reader.postings(field, term)
            while m.is_active():
                out.add((field, term, ids[m.id()], m.weight(), m.value()))
                m.next()
        for n, id_ in ids.items():
            for field in reader.schema.scorable_names():
                lengths.add((id_, field, reader.doc_field_length(n, field)))
    return out, lengths


def test_analysed_in_workers_same_index_as_analysed_by_writer(tmp_path):
    articles = sample_articles()
    assert len(articles) >= 10
    by_writer = postings(build(tmp_path / "a", articles, analysed=False))
    by_workers = postings(build(tmp_path / "b", articles, analysed=True))
    assert by_writer[0] and by_writer[1]
    assert by_workers == by_writer


def test_block_lengths_bracket_the_documents_lengths(tmp_path):
    """The posting writer's per-block length bounds (used to skip blocks when scoring) match the field lengths."""
    archive = build(tmp_path / "ix", sample_articles(), analysed=True)
    checked = 0
    with archive.searcher() as s:
        for reader, _ in s.reader().leaf_readers():
            for field, term in reader.all_terms():
                if field not in ("exact", "text_nl", "text_en", "text_fr"):
                    continue
                m = reader.postings(field, term)
                while m.is_active():
                    length = reader.doc_field_length(m.id(), field)
                    assert length > 0
                    assert m.block_min_length() <= length <= m.block_max_length()
                    checked += 1
                    m.next()
    assert checked > 1000


@pytest.mark.parametrize("text, folded", [
    ("Genève", "geneve"), ("ÉCOLE  de\tParis", "ecole de paris"), ("Straße", "strasse"), ("Łódź", "łodz"),
    ("Ærø", "ærø"), ("ﬁnance", "finance"), ("N-VA", "n-va"), ("", ""), ("Μέση Ανατολή", "μεση ανατολη"),
])
def test_fold_lowers_strips_accents_and_collapses_space(text, folded):
    assert fold(text) == folded
