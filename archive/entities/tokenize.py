"""Split raw text into sentences of tokens that keep their character offsets into the text."""
from __future__ import annotations

import re
from typing import NamedTuple

ABBREVIATIONS = (
    "Mr Mrs Ms Dr Prof St Jr Sr Gen Col Lt Sgt Capt Rep Sen Gov Inc Corp Ltd Co Bros Mt No Nos vs etc "
    "dhr mevr mr dr ir ing prof drs mgr mw Mme Mlle Mgr Sra Sres Srta Dña Sto Sta Ste Av Jan Feb Aug Sept Oct Nov Dec"
).split()

_WORD = r"[^\W\d_](?:[\w]|[-'’&.](?=\w))*"  # letters, then word chars joined by - ' ’ & .
_TOKEN = re.compile(
    r"""
    (?P<url>https?://\S+[\w/]|www\.\S+[\w/])
  | (?P<abbr>(?:[A-Za-z]\.){2,}(?![\w])                 # U.S. e.g.
      | \b(?:%s)\.(?=\s))
  | (?P<num>[-+]?\d+(?:[.,:/'’-]\d+)*\w*(?:-\w+)*%%?)  # 12, 3.5, 1996-08-22, 9/09/16, 00u34, 20-jarige
  | (?P<elision>'(?:s|t|n)(?=\s)|'\d\d\b)              # Dutch 's, 't, 'n, '81
  | (?P<word>%s)
  | (?P<punct>\.\.\.|[^\w\s])
    """
    % ("|".join(re.escape(a) for a in ABBREVIATIONS), _WORD),
    re.VERBOSE | re.UNICODE,
)
_CLITIC = re.compile(r"^(.+?)((?:['’](?:s|S|re|ve|ll|d|m))|(?:n['’]t))$")
_ENDERS = {".", "!", "?", "...", "…"}
_CLOSERS = {'"', "'", "”", "’", ")", "»"}


class Token(NamedTuple):
    """A token: its text and its [start, end) character offsets in the source text."""

    text: str
    start: int
    end: int


def tokenize(text: str, split_clitics: bool = False) -> list[Token]:
    """Return the tokens of `text` with offsets (English-style clitic splitting on request)."""
    make = Token._make
    tokens: list[Token] = [make((m.group(), *m.span())) for m in _TOKEN.finditer(text)]
    if not split_clitics or ("'" not in text and "’" not in text):
        return tokens
    out: list[Token] = []
    for tok in tokens:
        word, start, end = tok
        if ("'" in word or "’" in word) and word[:1].isalpha() and not word.startswith(("http", "www.")):
            c = _CLITIC.match(word)
            if c:
                cut = start + len(c.group(1))
                out.append(Token(c.group(1), start, cut))
                out.append(Token(c.group(2), cut, end))
                continue
        out.append(tok)
    return out


def split_sentences(text: str, tokens: list[Token]) -> list[list[Token]]:
    """Group tokens into sentences: end at . ! ? before a capital or quote, and at line breaks."""
    sentences: list[list[Token]] = []
    current: list[Token] = []
    n = len(tokens)
    for i, tok in enumerate(tokens):
        current.append(tok)
        if i + 1 == n:
            break
        nxt = tokens[i + 1]
        gap = text[tok.end:nxt.start]
        if "\n" in gap:
            sentences.append(current)
            current = []
            continue
        if tok.text in _ENDERS or (tok.text in _CLOSERS and len(current) > 1 and current[-2].text in _ENDERS):
            first = nxt.text[:1]
            if gap and (first.isupper() or first.isdigit() or first in _CLOSERS or first in "\"“«("):
                sentences.append(current)
                current = []
    if current:
        sentences.append(current)
    return sentences


def sentences(text: str, split_clitics: bool = False) -> list[list[Token]]:
    """Tokenize `text` and split it into sentences."""
    return split_sentences(text, tokenize(text, split_clitics))
