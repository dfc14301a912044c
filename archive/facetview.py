"""How the web interface shows entity facets: each name under the type the archive tags it as most often, and in
the interface's language. No Flask here; above the backends, the same for Whoosh and PostgreSQL.

The type vote: the recogniser reads each article on its own, so one name may be a person in some articles and an
organisation in others. Over the whole archive the type with the most articles wins (a tie keeps both); the name
is listed in the facets of that type only, and its entity page names the other types (`pages.other_kinds`). Its
cost is one whole-archive facet count per index version (cached), then a dictionary look-up per facet value.

Names: the engines store and count each entity under its key (`Londen`, the same in every language);
`languages.display_name` gives the name a reader of the interface's language sees (`London`). A filter on any
of the names finds the same articles, so the shown name can go into links as it is.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace

from .analysis import fold
from .backends.base import Backend
from .entities.languages import display_name
from .model import LABELS
from .search import Facets

Values = dict[str, list[tuple[str, int]]]
_votes: OrderedDict[tuple[int, int], dict[str, str]] = OrderedDict()
_lock = threading.Lock()


def type_votes(counts: dict[str, dict[str, int]]) -> dict[str, str]:
    """Return key -> the one type a key is tagged as in most articles, for keys tagged as more than one type
    (label -> key -> articles in); a key whose top types tie is left out (shown under each)."""
    per_key: dict[str, dict[str, int]] = {}
    for label in LABELS:
        for key, n in counts.get(label, {}).items():
            per_key.setdefault(key, {})[label] = n
    out = {}
    for key, by in per_key.items():
        if len(by) > 1:
            ranked = sorted(by.values(), reverse=True)
            if ranked[0] > ranked[1]:
                out[key] = max(by, key=lambda label: by[label])
    return out


def archive_votes(backend: Backend) -> dict[str, str]:
    """Return the type vote of the whole archive, counted once per index version."""
    version = (id(backend), backend.version())
    with _lock:
        if version in _votes:
            return _votes[version]
    values = backend.facet_counts(None).values
    votes = type_votes({label: {fold(v): n for v, n in values.get(label, [])} for label in LABELS})
    with _lock:
        _votes[version] = votes
        while len(_votes) > 4:
            _votes.popitem(last=False)
    return votes


def voted(values: Values, votes: dict[str, str]) -> Values:
    """Leave each entity value out of the facets of the types it is tagged as less often."""
    return {facet: [(v, n) for v, n in vals if votes.get(fold(v), facet) == facet] if facet in LABELS else vals
            for facet, vals in values.items()}


def localised(values: Values, language: str) -> Values:
    """Show each entity value in `language` (the key where no name in it is known); counts of values that show
    the same name are added."""
    out: Values = {}
    for facet, vals in values.items():
        if facet not in LABELS:
            out[facet] = vals
            continue
        merged: dict[str, int] = {}
        for v, n in vals:
            shown = display_name(v, language)
            merged[shown] = merged.get(shown, 0) + n
        out[facet] = list(merged.items()) if len(merged) == len(vals) else sorted(
            merged.items(), key=lambda item: (-item[1], item[0].casefold(), item[0]))
    return out


def for_reader(backend: Backend, facets: Facets | None, language: str) -> Facets | None:
    """Return the facets as the interface shows them: type vote applied, names in `language`."""
    if facets is None:
        return None
    return replace(facets, values=localised(voted(facets.values, archive_votes(backend)), language))
