"""Saved web pages: trafilatura finds the main text and metadata; the date comes from what the page states.

The date is ranked by `pagedate`: the page's publication metadata (a UTC time giving way to the same moment
written locally, in the metadata or a wire header line such as `9/09/16 - 00u34 Bron: Belga`, which trafilatura
drops from the text, so it is looked for here), then a wire header, the date beside the article's title, a
dateline, a date labelled as published, and last trafilatura's own markup-only date search. Nothing is fetched:
the page is parsed from the bytes given.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Iterator

import lxml.html
from lxml import etree

from ..dates import ParsedDate, date_fields, parse_date
from ..model import Article
from . import ReadError
from .decode import looks_binary, unicode_codec
from .pagedate import MAX_ZONE_SHIFT, PageDate, is_other, is_utc, modified_days, page_date
from .sniff import sniff_markup
from .fields import as_authors, as_language, as_source, as_text, as_url
from .wire import WireHeader, is_subheading, parse_dateline, parse_header, parse_wire_text, split_paragraphs

log = logging.getLogger(__name__)

SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
_LANG_META = {"content-language", "og:locale", "language", "dc.language"}
_BLOCK_TAGS = {
    "p", "div", "span", "time", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "header", "section", "small",
    "address", "em", "strong", "b", "i", "font",
}
_SKIP_TAGS = {"script", "style", "noscript", "nav", "footer", "template", "svg", "form", "select"}
MAX_HEADER_BLOCKS = 60
MIN_ARTICLE_WORDS = 15
MIN_PARAGRAPH_WORDS = 6
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff10-\uff5a]")
_BREAK_RE = re.compile(r"<br\s*/?>", re.I)
_BLOCK_END_RE = re.compile(r"</(?:p|div|li|h[1-6]|blockquote|tr|table|section|article|pre)\s*>", re.I)


def matches(name: str, head: bytes) -> bool:
    """Take anything that starts like an HTML document (or fragment); by name, .html/.htm files."""
    markup = sniff_markup(head)
    if markup is not None:
        return markup.is_html
    return name.lower().endswith(SUFFIXES)


def read(name: str, data: bytes) -> Iterator[Article]:
    """Yield the one article of a saved web page."""
    yield article_from_html(data)


def article_from_html(data: bytes | str, url: str | None = None) -> Article:
    """Build an article from a page's HTML; `url` (e.g. a WARC target URI) wins over the page's own."""
    import trafilatura  # imported here: it takes a few tenths of a second, and most inputs are not HTML

    if isinstance(data, bytes):
        if looks_binary(data):
            raise ReadError("binary data, not an HTML page: give the saved page's .html file")
        codec = unicode_codec(data)
        if codec and codec != "utf-8":
            data = data.decode(codec, errors="replace").lstrip("\ufeff")  # lxml takes UTF-16/32 only as text
    tree = trafilatura.load_html(data)
    if tree is None:
        raise ReadError("not an HTML page that can be parsed: give the saved page's .html file")
    header_line, header = find_header_line(tree)
    evidence = page_date(tree)
    language = find_language(tree)
    doc = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=False, deduplicate=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = getattr(doc, "text", None) if doc is not None else None
    title = as_text(getattr(doc, "title", None))
    paragraphs = _body_paragraphs(text or "", title, header_line)
    if not _is_article_text(paragraphs):
        raise ReadError("no article text found in this HTML page: save the article page itself, not an index page")
    wire = parse_wire_text("\n\n".join(([header_line] if header_line else []) + paragraphs))
    dateline = parse_dateline(paragraphs[0])
    guessed = getattr(doc, "date", None)
    if isinstance(guessed, str) and guessed[:10] in modified_days(tree):
        guessed = None  # trafilatura fell back on a modified date: that is no publication date
    parsed, how = _pick_date(header, evidence, dateline[1] if dateline else None, guessed)
    source = (header.source if header else None) or as_source(getattr(doc, "sitename", None))
    return Article(
        body=wire.body,
        title=title,
        caption=wire.caption,
        subheadings=wire.subheadings if header_line else [p for p in paragraphs[1:-1] if is_subheading(p)],
        authors=as_authors(getattr(doc, "author", None)) or wire.authors,
        source=source or (dateline[0] if dateline else None),
        language=language,
        url=url or as_url(getattr(doc, "url", None)),
        **date_fields(parsed, how),
    )


def _body_paragraphs(text: str, title: str | None, header_line: str | None) -> list[str]:
    """Split trafilatura's text (one paragraph a line) and drop a leading repeat of the title or header."""
    paragraphs = [" ".join(line.split()) for line in text.split("\n")]
    paragraphs = [p for p in paragraphs if any(c.isalnum() for c in p)]
    for _ in range(3):
        if paragraphs and (paragraphs[0] == title or paragraphs[0] == header_line):
            paragraphs.pop(0)
    return paragraphs


def _is_article_text(paragraphs: list[str]) -> bool:
    """Say whether extracted paragraphs amount to article text rather than menus and buttons."""
    words = [_word_count(p) for p in paragraphs]
    return sum(words) >= MIN_ARTICLE_WORDS and max(words, default=0) >= MIN_PARAGRAPH_WORDS


def _word_count(paragraph: str) -> int:
    """Count words; Chinese and Japanese write none apart, so two of their characters count as one word."""
    wide = len(_CJK_RE.findall(paragraph))
    return len(_CJK_RE.sub(" ", paragraph).split()) + wide // 2


def _pick_date(
    header: WireHeader | None, page: PageDate, dateline: ParsedDate | None, guessed: Any
) -> tuple[ParsedDate | None, str]:
    """Rank the evidence: metadata, a wire header line, the article header's date, a dateline, a labelled date."""
    meta = page.date if page.source == "metadata" else None
    if meta and header and header.date and is_utc(meta) and abs(header.date.value - meta.value) <= MAX_ZONE_SHIFT:
        return header.date, "header"  # the page's own local reading of the moment its metadata gives in UTC
    if meta:
        return meta, "metadata"
    if header and header.date and header.source:
        return header.date, "header"
    if page.date and page.source in ("header", "byline"):
        return page.date, page.source
    if header and header.date:
        return header.date, "header"
    if dateline:
        return dateline, "dateline"
    if header and header.updated:
        return header.updated, "header"  # an update time, where the page states no other date
    found = parse_date(guessed) if isinstance(guessed, str) else None
    if found:
        return found, "metadata"
    return page.date, "header" if page.date else "none"  # the first dated line of a page without a title


def find_header_line(tree: lxml.html.HtmlElement) -> tuple[str | None, WireHeader | None]:
    """Find a dated wire header line among the first text blocks of the article (or page)."""
    root = _article_root(tree)
    seen = 0
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag not in _BLOCK_TAGS:
            continue
        if any(isinstance(a.tag, str) and a.tag in _SKIP_TAGS for a in element.iterancestors()) or is_other(element):
            continue
        if any(isinstance(c.tag, str) and c.tag in _BLOCK_TAGS - {"b", "i", "em", "strong", "font", "small"}
               for c in element.iterdescendants()):
            continue
        line = " ".join(element.text_content().split())
        if not line:
            continue
        seen += 1
        if seen > MAX_HEADER_BLOCKS:
            break
        header = parse_header(line) if len(line) <= 120 else None
        if header and header.best_date:
            return line, header
    return None, None


def find_language(tree: lxml.html.HtmlElement) -> str | None:
    """Return the language a page declares (`<html lang>`, content-language or og:locale)."""
    code = as_language(tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang"))
    if code:
        return code
    for meta in tree.iter("meta"):
        key = (meta.get("http-equiv") or meta.get("property") or meta.get("name") or "").strip().lower()
        if key in _LANG_META:
            code = as_language(meta.get("content"))
            if code:
                return code
    return None


def html_to_text(fragment: str) -> str:
    """Turn an HTML fragment (a feed summary, a JSON body) into plain paragraphs separated by blank lines."""
    if "<" not in fragment and "&" not in fragment:
        return "\n\n".join(split_paragraphs(fragment))
    marked = _BLOCK_END_RE.sub(lambda m: m.group(0) + "\n\n", _BREAK_RE.sub("\n", fragment))
    try:
        root = lxml.html.fragment_fromstring(marked, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    return "\n\n".join(split_paragraphs(root.text_content()))


def _article_root(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """Return the page's <article>, else <main>, else <body>, else the whole tree."""
    for xpath in ("//article", "//main", "//body"):
        found = tree.xpath(xpath)
        if found:
            return found[0]
    return tree
