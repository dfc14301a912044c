"""Articles like a given one, from Whoosh's key terms: the article's most distinctive words, searched for."""
from __future__ import annotations

import numpy as np
from whoosh import query as Q
from whoosh.searching import Searcher

from ...analysis import stopwords, text_field
from ...model import Article
from .fastquery import evaluate
from .index import stored_article

MORE_LIKE_TERMS = 12


def more_like(searcher: Searcher, article: Article, limit: int = 5) -> tuple[list[str], list[Article]]:
    """Return the article's most distinctive words and the articles that share them most.

    The article itself and every version of its reprint cluster are left out.
    """
    fieldname = text_field(article.language)
    text = "\n\n".join(p for p in (article.title or "", article.body) if p)
    if fieldname not in searcher.schema.names() or not text.strip() or searcher.doc_count_all() == 0:
        return [], []
    stop = stopwords(article.language)
    candidates = searcher.key_terms_from_text(fieldname, text, numterms=MORE_LIKE_TERMS * 3)
    terms = [(word, weight) for word, weight in candidates
             if len(word) > 2 and not word.isdigit() and word not in stop][:MORE_LIKE_TERMS]
    if not terms:
        return [], []
    query = Q.Or([Q.Term(fieldname, word, boost=weight) for word, weight in terms])
    own_query = Q.Or([Q.Term("cluster", article.cluster), Q.Term("id", article.id)]) if article.cluster \
        else Q.Term("id", article.id)
    docs, scores = evaluate(searcher, query, scored=True)
    keep = ~np.isin(docs, evaluate(searcher, own_query, scored=False)[0])
    docs, scores = docs[keep], scores[keep] if scores is not None else np.zeros(int(keep.sum()))
    best = docs[np.lexsort((docs, -scores))[:limit]]
    found = [stored_article(searcher.stored_fields(int(d))) for d in best]
    return [word for word, _ in terms], found
