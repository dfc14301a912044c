"""Split raw text into sentences of tokens that keep their character offsets into the text."""
from __future__ import annotations

import re
from typing import NamedTuple

ABBREVIATIONS = (
    "Mr Mrs Ms Dr Prof St Jr Sr Gen Col Lt Sgt Capt Rep Sen Gov Inc Corp Ltd Co Bros Mt No Nos vs etc "
    "dhr mevr mr dr ir ing prof drs mgr mw Mme Mlle Mgr Sra Sres Srta Dña Sto Sta Ste Av Jan Feb Aug Sept Oct Nov Dec"
).split()

# One pattern, tried in this order at each position. A run of letters and a period is checked before the
# abbreviations (a cheap look-ahead that all three imply, so they are rarely tried: it halves tokenising time);
# words come before numbers and elisions, which start with other characters. No groups: `findall` then returns
# the token strings without building a match object per token.
_TOKEN = re.compile(
    r"""
    https?://\S+[\w/] | www\.\S+[\w/]                      # a URL
  | (?=[A-Za-z][^\W\d_]*\.)                                # an abbreviation: a run of letters, then a period
    (?:(?:[A-Za-z]\.){2,}(?![\w])                          # U.S. e.g.
      | \b[A-Z]\.(?=[ \t]*\n?[ \t]*[A-Z][a-z])              # the initial in William C. Terpstra
      | \b(?:%s)\.(?=\s))                                    # Mr. Gen. (ABBREVIATIONS: letters, the first ASCII)
  | [^\W\d_]\w*(?:[-'’&.]\w+)*                             # a word: letters, then word chars joined by - ' ’ & .
  | [-+]?\d+(?:[.,:/'’-]\d+)*\w*(?:-\w+)*%%?               # 12, 3.5, 1996-08-22, 9/09/16, 00u34, 20-jarige
  | '(?:s|t|n)(?=\s) | '\d\d\b                              # Dutch 's, 't, 'n, '81
  | \.\.\. | [^\w\s]                                       # punctuation
    """
    % "|".join(re.escape(a) for a in ABBREVIATIONS),
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
    # `findall` gives the token strings; each one starts where it first occurs after the previous token, since
    # the pattern skips only white space and `_` and no token starts with either (cheaper than match objects)
    new = tuple.__new__  # what Token._make does, without its extra call
    find = text.find
    clitics = split_clitics and ("'" in text or "’" in text)
    tokens: list[Token] = []
    append = tokens.append
    end = 0
    for word in _TOKEN.findall(text):
        start = find(word, end)
        end = start + len(word)
        if clitics and ("'" in word or "’" in word) and word[:1].isalpha() and not word.startswith(("http", "www.")):
            c = _CLITIC.match(word)
            if c:
                cut = start + len(c.group(1))
                append(new(Token, (c.group(1), start, cut)))
                append(new(Token, (c.group(2), cut, end)))
                continue
        append(new(Token, (word, start, end)))
    return tokens


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
    width = wrap_width(text)
    find = text.find
    # the first line break after the current token (no token holds one), so that one `find` per line, not per
    # token, tells whether a break stands between two tokens
    size = len(text)
    newline = find("\n", tokens[0][2]) if tokens else -1
    if newline < 0:
        newline = size
    first = 0  # where the current sentence starts; tokens are read by index (text, start, end), cheaper than by name
    for i in range(len(tokens) - 1):
        tok = tokens[i]
        nxt = tokens[i + 1]
        if nxt[1] > newline:
            newline = find("\n", nxt[1])
            if newline < 0:
                newline = size
            if not (width and _soft_break(text, tok, nxt, width)):
                sentences.append(tokens[first:i + 1])
                first = i + 1
                continue
        word = tok[0]
        if word in _ENDERS or (word in _CLOSERS and i > first and tokens[i - 1][0] in _ENDERS):
            initial = nxt[0][:1]
            if nxt[1] > tok[2] and (initial.isupper() or initial.isdigit() or initial in _CLOSERS
                                    or initial in "\"“«("):
                sentences.append(tokens[first:i + 1])
                first = i + 1
    if first < len(tokens):
        sentences.append(tokens[first:])
    return sentences


def sentences(text: str, split_clitics: bool = False) -> list[list[Token]]:
    """Tokenize `text` and split it into sentences."""
    return split_sentences(text, tokenize(text, split_clitics))
