"""Recognise the parts of a wire story: header line, dateline, photo caption, subheadings.

The founding example starts `9/09/16 - 00u34 Bron: Belga`: a date, a time with the Flemish `u`, and the source.
Other agencies write `Source: AFP`, `Publié le 9/09/2016 à 00:34`, or a dateline `GENEVA (Reuters) -` at the
start of the first paragraph. A paragraph with a `©` credit is a photo caption; a short line with no closing
punctuation between paragraphs is a subheading.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..dates import ParsedDate, parse_date, split_label

_SOURCE_RE = re.compile(r"(?:^|[\s|,;-])(?:Bron|Source|Bronnen|Sources|Agence|Agency)\s*:\s*(?P<source>[^|;]+?)\s*$", re.I)
_AUTHOR_RE = re.compile(r"^(?:Door|By|Par|Van onze redacteur|Auteur|Author)\s*:?\s+(?P<names>[^\d].{1,100})$", re.I)
_DATELINE_RE = re.compile(
    r"^(?P<place>[A-ZÀ-Ý][A-ZÀ-Ý'’.\- ]{1,40}?)\s*(?:,\s*(?P<when>[^()]{3,40}?))?\s*"
    r"\((?P<agency>[A-Za-zÀ-ÿ][\w .&/-]{0,30})\)\s*[-–—:]\s*"
)
_CAPTION_RE = re.compile(r"(?:©|\(c\)|Copyright)\s*(?P<credit>[^©\n]{1,60}?)\s*[.)]?\s*$", re.I)
_SPACES_RE = re.compile(r"\s+")
_DATE_WORDS = {
    "om", "uur", "le", "at", "am", "pm", "min", "bron", "update", "jan", "feb", "mar", "apr", "may", "jun", "jul",
    "aug", "sep", "sept", "oct", "okt", "nov", "dec", "mrt", "mei", "juin", "juil", "janv", "févr", "avr", "mai",
    "aoû", "août", "déc", "utc", "gmt", "cet", "cest", "bst",
}
_END_PUNCT = tuple('.!?:;,"”»\'…)')
MAX_SUBHEADING_WORDS = 8


@dataclass
class WireHeader:
    """What a header line says: the publication date, an `Updated:` date kept apart, and the source."""

    date: ParsedDate | None = None
    source: str | None = None
    updated: ParsedDate | None = None

    @property
    def best_date(self) -> ParsedDate | None:
        """Return the publication date, else the update time where that is all the header gives."""
        return self.date or self.updated


@dataclass
class WireText:
    """The parts of a plain-text wire story."""

    body: str
    title: str | None = None
    header: WireHeader | None = None
    dateline_date: ParsedDate | None = None
    dateline_source: str | None = None
    caption: str | None = None
    subheadings: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)


def parse_header(line: str) -> WireHeader | None:
    """Read a header line such as `9/09/16 - 00u34 Bron: Belga`; None where the line is not a header."""
    line = line.strip()
    if not line or len(line) > 160:
        return None
    source = None
    rest = line
    match = _SOURCE_RE.search(line)
    if match:
        source = clean_source(match.group("source"))
        rest = line[: match.start()].strip(" -|,;")
    kind, _ = split_label(rest)
    date = parse_date(rest) if rest else None
    if date is None and source is None:
        return None
    if date is None and rest and len(rest.split()) > 6:
        return None  # a sentence that mentions a source, not a header
    if kind == "updated":
        return WireHeader(None, source, updated=date)
    return WireHeader(date, source)


def looks_like_date_line(line: str) -> bool:
    """Say whether a line is a date label or stamp, read or not (`Updated: 12 minutes ago`, `9/09/16 - 25u99`)."""
    kind, rest = split_label(line)
    if kind is not None and len(rest.split()) <= 8:
        return True
    words = re.findall(r"[^\W\d_]+", rest)
    return bool(re.search(r"\d", rest)) and len(rest) <= 40 and all(len(w) <= 2 or w.lower() in _DATE_WORDS for w in words)


def clean_source(raw: str) -> str | None:
    """Tidy a source name as written (`Belga.` -> `Belga`)."""
    source = re.sub(r"\s+", " ", raw).strip(" .,;:-")
    return source or None


def parse_dateline(paragraph: str) -> tuple[str, ParsedDate | None] | None:
    """Read `BRUSSEL (Belga) -` or `PARIS, 9 septembre 2016 (AFP) -` at a paragraph's start: (agency, date)."""
    match = _DATELINE_RE.match(paragraph)
    if not match:
        return None
    when = match.group("when")
    return match.group("agency").strip(), parse_date(when) if when else None


def split_paragraphs(text: str) -> list[str]:
    """Split text on blank lines, folding the white space inside each paragraph."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [_SPACES_RE.sub(" ", p).strip() for p in re.split(r"\n\s*\n", text)]
    return [p for p in paragraphs if p]


def is_subheading(paragraph: str) -> bool:
    """Say whether a paragraph reads as a short subheading rather than a sentence."""
    words = paragraph.split()
    return 0 < len(words) <= MAX_SUBHEADING_WORDS and len(paragraph) <= 80 and not paragraph.endswith(_END_PUNCT)


def parse_wire_text(text: str) -> WireText:
    """Split a plain-text story into title, header, byline, caption, subheadings and body."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    title: str | None = None
    header: WireHeader | None = None
    authors: list[str] = []
    pos = 0
    # The opening lines: a header, a title and a byline, each on a line of its own, in any order.
    while pos < len(lines):
        line = " ".join(lines[pos].split())
        if not line:
            pos += 1
            continue
        found = parse_header(line) if header is None or not (header.date and header.source) else None
        byline = _AUTHOR_RE.match(line) if not authors else None
        if found and header and ((found.date and header.date) or (found.source and header.source)
                                 or (found.updated and header.updated)):
            break  # a second date or source is not part of this header
        if found:
            header = WireHeader(found.date or (header.date if header else None),
                                found.source or (header.source if header else None),
                                found.updated or (header.updated if header else None))
        elif title is None and not authors and looks_like_date_line(line):
            pass  # a date line that cannot be read is no title: skip it
        elif byline:
            authors = [a.strip() for a in re.split(r",| en | and | et |&", byline.group("names")) if a.strip()]
        elif title is None and header is None and not authors and is_title(line) and _more_text(lines, pos):
            title = line
        else:
            break
        pos += 1
    paragraphs = split_paragraphs("\n".join(lines[pos:]))
    caption = None
    body_parts: list[str] = []
    subheadings: list[str] = []
    for i, para in enumerate(paragraphs):
        if caption is None and not body_parts and _CAPTION_RE.search(para) and len(para) < 600:
            caption = para
            continue
        if body_parts and i < len(paragraphs) - 1 and is_subheading(para):
            subheadings.append(para)
        body_parts.append(para)
    wire = WireText(
        body="\n\n".join(body_parts), title=title, header=header, caption=caption,
        subheadings=subheadings, authors=authors,
    )
    if body_parts:
        dateline = parse_dateline(body_parts[0])
        if dateline:
            wire.dateline_source, wire.dateline_date = dateline
    return wire


def _more_text(lines: list[str], pos: int) -> bool:
    """Say whether a sentence-like line follows line `pos` (a title needs a story under it)."""
    return any(len(line.split()) > MAX_SUBHEADING_WORDS for line in lines[pos + 1:])


def is_title(line: str) -> bool:
    """Say whether a first line reads as a headline: short and not a finished sentence."""
    words = line.split()
    trailing = line.endswith((".", ",", ";", ":")) and not line.endswith(("...", "…"))
    return 0 < len(words) <= 25 and len(line) <= 200 and not trailing
