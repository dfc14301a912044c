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
      | \b[A-Z]\.(?=[ \t]*\n?[ \t]*[A-Z][a-z])            # the initial in William C. Terpstra
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
_SUFFIX = re.compile(r"(?:Inc|Corp|Ltd|Co|LLC|plc|PLC|NV|N\.V|BV|AG|GmbH|SA|S\.A)\b")  # company forms
_LINE_ENDS = set(".!?:;\"'”’»)")


class Token(NamedTuple):
    """A token: its text and its [start, end) character offsets in the source text."""

    text: str
    start: int
    end: int


def tokenize(text: str, split_clitics: bool = False) -> list[Token]:
    """Return the tokens of `text` with offsets (English-style clitic splitting on request)."""
    new = tuple.__new__  # what Token._make does, without its extra call
    tokens: list[Token] = [new(Token, (m.group(), *m.span())) for m in _TOKEN.finditer(text)]
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


def wrap_width(text: str) -> int:
    """Return the line width of hard-wrapped text (wire copy cut at ~70 characters), or 0.

    Text counts as hard-wrapped when it has several lines, nine in ten no longer than 30-100
    characters, and most of them stop mid-sentence.
    """
    if text.count("\n") < 3:
        return 0
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if len(lines) < 4:
        return 0
    lengths = sorted(len(line) for line in lines)
    width = lengths[(len(lengths) - 1) * 9 // 10]
    if not 30 <= width <= 100:
        return 0
    open_ends = sum(line[-1] not in _LINE_ENDS for line in lines)
    return width if 2 * open_ends >= len(lines) else 0


def _soft_break(text: str, tok: Token, nxt: Token, width: int) -> bool:
    """Return whether the line break between `tok` and `nxt` only wraps a line: one break, no indent after it,
    and a lowercase word or comma on either side, a company form after it, or a nearly full line before
    (a short line ending in a name or number ends a paragraph, a heading or a table row)."""
    gap = text[tok.end:nxt.start]
    if gap.count("\n") != 1 or gap.endswith((" ", "\t")):
        return False
    if tok.text[:1].islower() or tok.text == "," or nxt.text[:1].islower() or _SUFFIX.match(nxt.text):
        return True  # `a subsidiary of` / `Occidental`, `said it` / `has filed`, `Airgas` / `Inc`: it goes on
    line_start = text.rfind("\n", 0, tok.start) + 1
    return len(text[line_start:tok.end].strip()) >= 0.6 * width


def split_sentences(text: str, tokens: list[Token]) -> list[list[Token]]:
    """Group tokens into sentences: end at . ! ? before a capital or quote, and at line breaks
    (except those that only wrap the lines of hard-wrapped text: `Airgas` / `Inc` stay one name)."""
    sentences: list[list[Token]] = []
    current: list[Token] = []
    n = len(tokens)
    width = wrap_width(text)
    for i, tok in enumerate(tokens):
        current.append(tok)
        if i + 1 == n:
            break
        nxt = tokens[i + 1]
        if text.find("\n", tok.end, nxt.start) >= 0 and not (
            width and _soft_break(text, tok, nxt, width)
        ):
            sentences.append(current)
            current = []
            continue
        if tok.text in _ENDERS or (tok.text in _CLOSERS and len(current) > 1 and current[-2].text in _ENDERS):
            first = nxt.text[:1]
            if nxt.start > tok.end and (first.isupper() or first.isdigit() or first in _CLOSERS or first in "\"“«("):
                sentences.append(current)
                current = []
    if current:
        sentences.append(current)
    return sentences


def sentences(text: str, split_clitics: bool = False) -> list[list[Token]]:
    """Tokenize `text` and split it into sentences."""
    return split_sentences(text, tokenize(text, split_clitics))
