"""A web page's publication date, from ranked evidence.

The page's own publication metadata ranks first (JSON-LD `datePublished`, Open Graph `article:published_time`,
`<time pubdate>` or `itemprop=datePublished`, Dublin Core, other `date` metas), then a date written in the article's
header (the lines around its title, or a dateline opening the text), then a date labelled as the publication date
anywhere in the article. Never a modified or updated date, and never a date inside an embedded post, a sidebar, a
teaser list, a comment or the site's navigation. The visible date also checks the metadata: where metadata sources
disagree the one the page shows wins, and an ambiguous numeric metadata date (`11/01/2023`) is read the way the
page shows it. Numeric dates are read day first unless the page declares American English.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Iterator

import lxml.html

from ..dates import DateMention, ParsedDate, find_dates, is_ambiguous, parse_date

_META_RANKS = (  # rank 0 is JSON-LD, 2 is <time pubdate> / itemprop=datePublished
    (1, ("article:published_time", "og:article:published_time", "og:published_time", "article.published",
         "datepublished")),
    (3, ("dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date", "dcterms.created", "dc.date.created")),
    (4, ("date", "pubdate", "publishdate", "publish-date", "publish_date", "publication_date", "sailthru.date",
         "parsely-pub-date", "citation_publication_date", "article_date_original", "original-publish-date")),
)
_META_RANK = {key: rank for rank, keys in _META_RANKS for key in keys}
_MODIFIED_META = {
    "article:modified_time", "og:updated_time", "og:modified_time", "datemodified", "last-modified",
    "dc.date.modified", "dcterms.modified", "lastmod", "updated",
}
_LD_MODIFIED_RE = re.compile(r'"dateModified"\s*:\s*"(\d{4}-\d{2}-\d{2})')
_LD_PUBLISHED_RE = re.compile(r'"datePublished"\s*:\s*"([^"]{8,40})"')
_LD_SKIP = {"comment", "review", "reviews", "subjectOf", "hasPart", "relatedLink", "mentions", "citation"}
MAX_ZONE_SHIFT = timedelta(hours=14)  # the furthest a local time is from UTC

# Containers whose dates belong to something else than the article: navigation, other articles, comments, embeds.
_OTHER_TAGS = {"script", "style", "noscript", "nav", "aside", "footer", "template", "svg", "form", "select",
               "blockquote", "iframe", "figure", "figcaption", "button"}
_OTHER_MARKS = re.compile(  # a class or id holding one of these belongs to another thing than the article
    r"comment|sidebar|teaser|related|recommend|carousel|swiper|slider|widget|breadcrumb|newsletter|twitter-tweet|"
    r"instagram-media|tab-pane|calendar|veranstaltung", re.I)
_OTHER_WORDS = {  # ... or one of these as a word of it (`nav-main`, `share_bar`), not inside another word
    "menu", "nav", "navigation", "share", "social", "embed", "tweet", "promo", "reply", "replies", "respond",
    "latest", "mostread", "readmore", "event", "events", "agenda", "footer", "more",
}
_PAGE_TAGS = {"html", "body", "main"}  # their classes describe the whole page (`one-sidebar`)
_BLOCK_TAGS = {
    "p", "div", "span", "time", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "header", "section", "small",
    "address", "em", "strong", "b", "i", "font", "a", "dd", "nobr",
}
_INLINE = {"b", "i", "em", "strong", "font", "small", "a", "nobr", "span", "time", "br", "abbr", "sup", "sub"}
MAX_LINE = 100  # a header line (date, author, label); longer blocks are text
BEFORE_TITLE, AFTER_TITLE = 8, 40  # blocks around the article's title searched for its date
_DATELINE_RE = re.compile(r"^(?:[A-ZÀ-Ýa-zß][\w'’./ -]{1,30},\s*)?\(?$")  # `Karlsruhe, (` before a date
_US_LOCALES = ("en-us", "en_us")


@dataclass(frozen=True)
class PageDate:
    """The date a page gives for its publication, and which evidence gave it (metadata, header, byline)."""

    date: ParsedDate | None
    source: str
    updated: ParsedDate | None = None


@dataclass(frozen=True)
class _MetaDate:
    rank: int
    date: ParsedDate
    raw: str


def page_date(tree: lxml.html.HtmlElement) -> PageDate:
    """Return the page's publication date by rank of evidence (see the module docstring)."""
    dayfirst = not month_first(tree)
    metas = _meta_dates(tree, dayfirst)
    shown, updated, labelled, titled = _visible_dates(tree, dayfirst)
    if metas:
        return PageDate(_checked_meta(metas, labelled or shown, dayfirst), "metadata", updated)
    if labelled:
        return PageDate(labelled, "byline", updated)
    if shown:
        return PageDate(shown, "header" if titled else "page", updated)
    return PageDate(None, "none", updated)


def month_first(tree: lxml.html.HtmlElement) -> bool:
    """Say whether the page declares American English, whose numeric dates put the month first."""
    declared = [tree.get("lang") or ""]
    declared += [m.get("content") or "" for m in tree.iter("meta")
                 if (m.get("property") or m.get("http-equiv") or "").lower() in ("og:locale", "content-language")]
    return any(code.strip().lower().startswith(_US_LOCALES) for code in declared)


def _checked_meta(metas: list[_MetaDate], shown: ParsedDate | None, dayfirst: bool) -> ParsedDate:
    """Pick the strongest metadata date, checked against the date the page shows."""
    best = min(metas, key=lambda m: m.rank)
    if shown is not None and not _same_day(best.date, shown):
        agreeing = [m for m in metas if _same_day(m.date, shown)]
        if agreeing:
            best = min(agreeing, key=lambda m: m.rank)  # the metadata disagree: the one the page shows wins
        elif is_ambiguous(best.raw):
            other = parse_date(best.raw, dayfirst=not dayfirst)
            if other and _same_day(other, shown):
                return other  # 11/01/2023 read the way the page writes it
    if is_utc(best.date):
        for other_meta in metas:
            other = other_meta.date
            if not is_utc(other) and other.has_time and abs(other.value - best.date.value) <= MAX_ZONE_SHIFT:
                return other
    return best.date


def _same_day(a: ParsedDate, b: ParsedDate) -> bool:
    return a.value.date() == b.value.date()


def _meta_dates(tree: lxml.html.HtmlElement, dayfirst: bool = True) -> list[_MetaDate]:
    """Return every publication date in the page's metadata with its rank (lower is stronger)."""
    found: list[_MetaDate] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        found.extend(_MetaDate(0, parsed, raw) for parsed, raw in _json_ld_dates(script.text or ""))
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        rank = _META_RANK.get(key)
        raw = meta.get("content") or ""
        parsed = parse_date(raw, dayfirst=dayfirst) if rank is not None else None
        if parsed and rank is not None:
            found.append(_MetaDate(rank, parsed, raw))
    for element in tree.xpath('//*[@itemprop="datePublished" or @pubdate][@datetime or @content]'):
        if is_other(element):
            continue
        raw = element.get("datetime") or element.get("content") or ""
        parsed = parse_date(raw, dayfirst=dayfirst)
        if parsed:
            found.append(_MetaDate(2, parsed, raw))
    return found


def meta_date(tree: lxml.html.HtmlElement) -> ParsedDate | None:
    """Return the publication date the page's metadata states, by rank (UTC giving way to local time)."""
    metas = _meta_dates(tree)
    return _checked_meta(metas, None, True) if metas else None


def modified_days(tree: lxml.html.HtmlElement) -> set[str]:
    """Return the days (ISO) of the modified and updated dates a page's metadata gives."""
    days: set[str] = set()
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        parsed = parse_date(meta.get("content")) if key in _MODIFIED_META else None
        if parsed:
            days.add(parsed.value.date().isoformat())
    for text in tree.xpath('//script[@type="application/ld+json"]/text()'):
        days.update(_LD_MODIFIED_RE.findall(text))
    return days


def is_utc(parsed: ParsedDate) -> bool:
    """Say whether a date was written in UTC (so its day may not be the publisher's)."""
    return parsed.tz in ("+00:00", "Z", "UTC", "GMT")


def _json_ld_dates(text: str) -> list[tuple[ParsedDate, str]]:
    """Return the `datePublished` dates of a JSON-LD block, outer objects first (never a comment's or a review's).

    A block that is not valid JSON (a stray comma, an unescaped quote) is searched for its first `datePublished`.
    """
    try:
        data = json.loads(text)
    except ValueError:
        match = _LD_PUBLISHED_RE.search(text)
        parsed = parse_date(match.group(1)) if match else None
        return [(parsed, match.group(1))] if parsed and match else []
    dates: list[tuple[ParsedDate, str]] = []
    stack = [data]
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            value = item.get("datePublished") or item.get("dateCreated")
            parsed = parse_date(value) if isinstance(value, str) else None
            if parsed and isinstance(value, str):
                dates.append((parsed, value))
            stack.extend(v for k, v in item.items() if isinstance(v, (list, dict)) and k not in _LD_SKIP)
    return dates


def is_other(element: lxml.html.HtmlElement) -> bool:
    """Say whether an element sits in navigation, a sidebar, a teaser, a comment or an embedded post."""
    for node in [element, *element.iterancestors()]:
        if not isinstance(node.tag, str):
            continue
        if node.tag in _OTHER_TAGS and not (node.tag == "footer" and _in_article(node)):
            return True  # an article's own <footer> holds its byline; the page's is the site's
        if node.tag in _PAGE_TAGS:
            continue
        marks = " ".join(word for word in f"{node.get('class') or ''} {node.get('id') or ''}".split()
                         if not word.startswith(("tag-", "category-")))  # WordPress names a post's tags
        if _OTHER_MARKS.search(marks) or _OTHER_WORDS.intersection(re.split(r"[\s_-]+", marks.lower())):
            return True
    return False


def _in_article(element: lxml.html.HtmlElement) -> bool:
    return any(a.tag == "article" for a in element.iterancestors())


def _title_index(tree: lxml.html.HtmlElement, lines: list[tuple[lxml.html.HtmlElement, str]]) -> int | None:
    """Return the line of the article's title: the h1 (else h2) the page's title names, else the first h1."""
    named = " ".join(tree.xpath("string(//head/title)").split()).lower()
    for meta in tree.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").lower() in ("og:title", "twitter:title"):
            named += " | " + " ".join((meta.get("content") or "").split()).lower()
    headings = [(i, line.lower()) for i, (el, line) in enumerate(lines) if el.tag in ("h1", "h2")]
    for level in ("h1", "h2"):
        for i, text in headings:
            if lines[i][0].tag == level and len(text) >= 8 and text in named:
                return i
    return next((i for i, (el, _) in enumerate(lines) if el.tag == "h1"), None)


def _lines(tree: lxml.html.HtmlElement) -> Iterator[tuple[lxml.html.HtmlElement, str]]:
    """Yield the page's innermost text blocks in document order, with their text on one line."""
    body = tree.find("body")
    for element in (body if body is not None else tree).iter():
        if not isinstance(element.tag, str) or element.tag not in _BLOCK_TAGS:
            continue
        if element.tag in _INLINE and element.getparent() is not None and element.getparent().tag in _BLOCK_TAGS:
            parent_text = element.getparent()
            if not any(isinstance(c.tag, str) and c.tag not in _INLINE for c in parent_text.iterchildren()):
                continue  # read as part of its parent line
        if any(isinstance(c.tag, str) and c.tag not in _INLINE for c in element.iterdescendants()):
            continue
        line = " ".join(" ".join(element.itertext()).split())  # parts apart: <time>2016</time><time>Samstag
        if line and any(ch.isdigit() for ch in line) or element.tag in ("h1", "h2"):
            yield element, line


def _visible_dates(
    tree: lxml.html.HtmlElement, dayfirst: bool
) -> tuple[ParsedDate | None, ParsedDate | None, ParsedDate | None, bool]:
    """Return the date shown around the article's title, its updated date, a date labelled published anywhere
    in the article, and whether a title was found to look around (without one the first dated line is weak)."""
    lines = [(el, line) for el, line in _lines(tree) if not is_other(el)]
    title = _title_index(tree, lines)
    if title is None:
        window = lines[:AFTER_TITLE]
    else:
        start = max(0, title - BEFORE_TITLE)
        near = sorted(range(start, min(len(lines), title + AFTER_TITLE)),
                      key=lambda i: i - title if i >= title else 2 * (title - i))
        window = [lines[i] for i in near]
    shown = updated = labelled = None
    for _, line in window:
        mentions = _header_mentions(line, dayfirst)
        if updated is None:
            updated = next((m.date for m in mentions if m.kind == "updated"), None)
        if labelled is None:
            labelled = next((m.date for m in mentions if m.kind == "published"), None)
        if shown is None:
            shown = next((m.date for m in mentions if m.kind is None), None)
    if labelled is None and shown is None:
        for _, line in lines:  # the article's footer or byline far from its title
            if len(line) <= 2 * MAX_LINE:
                labelled = next((m.date for m in find_dates(line, dayfirst) if m.kind == "published"), None)
                if labelled:
                    break
    return shown, updated, labelled, title is not None


def _header_mentions(line: str, dayfirst: bool) -> list[DateMention]:
    """Return the dates of a header line: a short line (date, author, label), or a dateline opening the text."""
    mentions = [m for m in find_dates(line[:MAX_LINE * 2], dayfirst) if m.kind != "other"]
    if len(line) <= MAX_LINE:
        return mentions
    return [m for m in mentions[:1] if _DATELINE_RE.match(line[:m.start].strip())]
