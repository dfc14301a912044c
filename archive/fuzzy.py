"""Fuzzy words (`word~`, `word~2`): the words of the index within N edits of the one typed, the same on every engine.

An edit is an insertion, a deletion or a substitution of one character (Levenshtein distance; a transposition is two
edits); the first `prefix` characters (1 unless the query says `word~2/3`) must be the typed ones, which keeps the
words to compare few. `within` decides for one word (the Whoosh engine expands its vocabulary with it);
`pattern` writes the same set of words as one regular expression (PostgreSQL matches its lexemes with it, the
snippets and the article page mark words with it): each way of making at most N edits after the prefix is one
alternative, an inserted or substituted character being any character.
"""
from __future__ import annotations

import re
from functools import lru_cache

MAX_DISTANCE = 2


def distance(a: str, b: str, limit: int) -> int:
    """Return the Levenshtein distance of a and b, or limit + 1 where it is more than `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1] if previous[-1] <= limit else limit + 1


def within(word: str, text: str, maxdist: int, prefix: int) -> bool:
    """Say whether `word` is a fuzzy match of `text`: the same first `prefix` characters, at most `maxdist` edits."""
    head = text[:prefix]
    if not word.startswith(head):
        return False
    return distance(word[len(head):], text[len(head):], maxdist) <= maxdist


@lru_cache(maxsize=256)
def pattern(text: str, maxdist: int, prefix: int) -> str:
    """Return a regular expression (no anchors) matching exactly the words `within` accepts."""
    head, rest = text[:prefix], text[prefix:]
    forms: set[tuple[str | None, ...]] = {tuple(rest)}  # None stands for any one character
    for _ in range(maxdist):
        grown = set(forms)
        for form in forms:
            for i in range(len(form) + 1):
                grown.add(form[:i] + (None,) + form[i:])  # insertion
                if i < len(form):
                    grown.add(form[:i] + form[i + 1:])  # deletion
                    grown.add(form[:i] + (None,) + form[i + 1:])  # substitution
        forms = grown
    bodies = sorted("".join("." if c is None else re.escape(c) for c in form) for form in forms)
    return re.escape(head) + "(?:" + "|".join(bodies) + ")"
