"""Names in the reader's language: an entity has one key (the name the index stores, the same in every language,
so filters, facets and both engines agree) and, where the alias data gives them, names per language (`Londen`,
`London`, `Londres`). An article shows its entities in its own language; facets and entity pages in the
interface's language (English unless set), with the other names listed. Any of the names finds the entity.
"""
from __future__ import annotations

from .normalise import LANGUAGES, name_key, tables

DEFAULT_LANGUAGE = "en"


def names_by_language(name: str) -> dict[str, str]:
    """Return the names per language of the entity a key (or any of its names) stands for; {} if unknown."""
    every = tables()
    key = every.key_name(name) or name
    return every.languages.get(name_key(key), {})


def display_name(name: str, language: str | None) -> str:
    """Return an entity's name in a language: the name the alias data gives for it, else the English one, else
    the stored name itself."""
    found = names_by_language(name)
    return found.get(language or DEFAULT_LANGUAGE) or found.get(DEFAULT_LANGUAGE) or name


def other_names(name: str, language: str | None) -> list[tuple[str, str]]:
    """Return (name, languages) of an entity's names other than the one shown in `language`, in LANGUAGES order:
    `[("Londen", "nl"), ("Londres", "fr, es")]` for London in English."""
    shown = name_key(display_name(name, language))
    langs: dict[str, list[str]] = {}
    first: dict[str, str] = {}
    for lang, n in sorted(names_by_language(name).items(), key=lambda item: _order(item[0])):
        if name_key(n) != shown:
            first.setdefault(name_key(n), n)
            langs.setdefault(name_key(n), []).append(lang)
    return [(first[k], ", ".join(v)) for k, v in langs.items()]


def _order(lang: str) -> tuple[int, str]:
    return (LANGUAGES.index(lang) if lang in LANGUAGES else len(LANGUAGES), lang)
