"""Profiles of an entity or a source, and articles like a given one: built from ordinary search requests.

An entity page is the search `person=NAME` (or org, location, misc) sorted newest first with facets: its
timeline, the sources that mention it most, the entities it co-occurs with most and its latest articles all come
from that one `SearchPage`. A source page is the search `source=NAME`. Nothing is stored for them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .analysis import fold
from .backends import Backend
from .entities import canonical_name
from .model import LABELS
from .request import SearchRequest
from .search import SearchPage

ENTITY_TYPES = {"person": "PER", "org": "ORG", "location": "LOC", "misc": "MISC"}
TYPE_NAMES = {"person": "Person", "org": "Organisation", "location": "Place", "misc": "Other entity"}
PROFILE_FACETS = 12


@dataclass
class Profile:
    """What the archive knows about one entity or source."""

    kind: str  # person, org, location, misc or source
    name: str
    request: SearchRequest  # the search behind the profile (a filter on the name)
    page: SearchPage  # latest articles, facets and timeline
    related: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # label -> co-occurring names
    elsewhere: list[tuple[str, int]] = field(default_factory=list)  # other kinds the same name was tagged as

    @property
    def total(self) -> int:
        return self.page.total

    @property
    def sources(self) -> list[tuple[str, int]]:
        return self.page.facets.values.get("source", []) if self.page.facets else []


def profile(backend: Backend, kind: str, name: str) -> Profile:
    """Build the profile of an entity (kind person|org|location|misc) or a source (kind source)."""
    req = SearchRequest.from_dict({kind: name, "sort": "newest", "facets": "1", "size": "10"})
    page = backend.search(req, facet_limit=PROFILE_FACETS + 1)
    own_label = ENTITY_TYPES.get(kind, "source")
    own_key = _key(kind, name)
    values = page.facets.values if page.facets else {}
    display = next((v for v, _ in values.get(own_label, []) if _key(kind, v) == own_key), name)
    related = {
        label: [(v, n) for v, n in values.get(label, []) if label != own_label or _key(kind, v) != own_key]
        [:PROFILE_FACETS]
        for label in LABELS
    }
    return Profile(kind, display, req, page, related, other_kinds(backend, kind, name))


def other_kinds(backend: Backend, kind: str, name: str) -> list[tuple[str, int]]:
    """Return the other entity kinds the same name was tagged as, with their article counts: a recogniser
    can call a club a person in one story and an organisation in the next, and the reader should see both."""
    if kind not in ENTITY_TYPES:
        return []
    out = []
    for other in ENTITY_TYPES:
        if other != kind:
            total = backend.search(SearchRequest.from_dict({other: name, "size": "1"})).total
            if total:
                out.append((other, total))
    return out


def _key(kind: str, name: str) -> str:
    return fold(canonical_name(name)) if kind in ENTITY_TYPES else fold(name)
