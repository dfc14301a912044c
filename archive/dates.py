"""Read news dates written in Dutch, French, English and German, day first, without ever inventing a part.

python-dateutil does the parsing, after normalisation: Flemish `00u34` and French `00h34` become `00:34`,
Dutch, French and German month and weekday names are known through a `parserinfo`, a year-first numeric date
(`2023/11/02`) is read year, month, day, a range (`09.-11. September 2022`) is no date, and time zones are cut off and
kept apart (the archive stores the local wall-clock time as written). A date whose day, month or year is
missing is no date: dateutil's habit of filling gaps from today is detected by parsing with two defaults.
"""
from __future__ import annotations

import re
import unicodedata
import warnings
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dateutil import parser as du_parser


@dataclass(frozen=True)
class ParsedDate:
    """A wall-clock date, whether a time of day was written, and the zone as written."""

    value: datetime
    has_time: bool
    tz: str | None = None


class _NewsParserInfo(du_parser.parserinfo):
    """dateutil vocabulary for English, Dutch, French and German news dates (accents already folded)."""

    JUMP = du_parser.parserinfo.JUMP + [
        "om", "op", "den", "uur", "u", "bron", "gepubliceerd", "bijgewerkt", "laatste", "update",
        "le", "à", "a", "publie", "mis", "jour", "modifie", "heure", "heures",
        "published", "updated", "last", "posted", "h", "min", "mn",
        "um", "uhr", "den", "vom",
    ]
    AMPM = [("am",), ("pm",)]  # dateutil's "a" would swallow French "à"
    WEEKDAYS = [
        ("Mon", "Monday", "ma", "maandag", "lun", "lundi", "mo", "montag"),
        ("Tue", "Tuesday", "Tues", "di", "dinsdag", "mar", "mardi", "dienstag"),
        ("Wed", "Wednesday", "wo", "woensdag", "mer", "mercredi", "mi", "mittwoch"),
        ("Thu", "Thursday", "Thur", "Thurs", "do", "donderdag", "jeu", "jeudi", "donnerstag"),
        ("Fri", "Friday", "vr", "vrij", "vrijdag", "ven", "vendredi", "fr", "freitag"),
        ("Sat", "Saturday", "za", "zaterdag", "sam", "samedi", "sa", "samstag", "sonnabend"),
        ("Sun", "Sunday", "zo", "zondag", "dim", "dimanche", "so", "sonntag"),
    ]
    MONTHS = [
        ("Jan", "January", "januari", "janv", "janvier", "januar", "janner", "jan"),
        ("Feb", "February", "feb", "februari", "fev", "fevr", "fevrier", "februar"),
        ("Mar", "March", "mrt", "maart", "mars", "marz", "maerz"),
        ("Apr", "April", "apr", "avr", "avril"),
        ("May", "May", "mei", "mai"),
        ("Jun", "June", "juni", "juin"),
        ("Jul", "July", "juli", "juil", "juillet"),
        ("Aug", "August", "aug", "augustus", "aout"),
        ("Sep", "Sept", "September", "sept", "septembre"),
        ("Oct", "October", "okt", "oktober", "octobre"),
        ("Nov", "November", "nov", "novembre"),
        ("Dec", "December", "dec", "december", "decembre", "dez", "dezember"),
    ]

    def __init__(self) -> None:
        super().__init__(dayfirst=True, yearfirst=False)


_INFO = _NewsParserInfo()
_DEFAULT_A = datetime(1901, 1, 1, 0, 0)
_DEFAULT_B = datetime(1902, 2, 2, 1, 1)

_TZ_NAMES = {
    "UTC", "GMT", "BST", "CET", "CEST", "WET", "WEST", "EET", "EEST", "IST",
    "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT", "Z",
}
_TZ_NAME_RE = re.compile(r"\b(" + "|".join(sorted(_TZ_NAMES - {"Z"}, key=len, reverse=True)) + r")\b")
_TZ_OFFSET_RE = re.compile(r"(?:(?<=\d)|\s)(?:UTC|GMT)?([+-]\d{2}:?\d{2})\s*$")
_ISO_RE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?\s*$")
_TIME_SEP_RE = re.compile(r"\b(\d{1,2})\s*[uh.]\s*(\d{2})\b(?!\s*[./:-]\s*\d)")
_HOUR_ONLY_RE = re.compile(r"\b(\d{1,2})\s*[uh]\b")
_SEPARATOR_RE = re.compile(r"\s+[-–—|,]\s+|\s*[|]\s*")
_MIN_YEAR, _MAX_YEAR = 1600, 2100  # historical newspaper archives start in 1618
# A label before a date, on accent-folded text: (published or updated, pattern).
_LABELS = (
    ("updated", re.compile(
        r"^(?:laatste\s+update|laatst\s+bijgewerkt|bijgewerkt(?:\s+op)?|gewijzigd(?:\s+op)?|"
        r"(?:last\s+)?updated(?:\s+on|\s+at)?|last\s+modified|modified(?:\s+on)?|"
        r"mis\s+a\s+jour(?:\s+le)?|mise\s+a\s+jour(?:\s+le)?|modifie(?:\s+le)?|actualise(?:\s+le)?|"
        r"(?:zuletzt\s+)?aktualisiert(?:\s+am)?|letzte\s+anderung(?:\s+am)?|geandert(?:\s+am)?|stand)\s*:?\s+")),
    ("published", re.compile(
        r"^(?:gepubliceerd(?:\s+op)?|geplaatst(?:\s+op)?|verschenen(?:\s+op)?|published(?:\s+on|\s+at)?|"
        r"posted(?:\s+on|\s+at)?|first\s+published(?:\s+on)?|written(?:\s+on)?|publie(?:\s+le)?|cree(?:\s+le)?|"
        r"veroffentlicht(?:\s+am)?|publiziert(?:\s+am)?|erschienen(?:\s+am)?|erstellt(?:\s+am)?)\s*:?\s+")),
)
_MINUTES_RE = re.compile(r"(?<=\d)\s*(?:min|mn)\b\.?")
_YEAR_FIRST_RE = re.compile(r"\b(\d{4})([/.-])(\d{1,2})\2(\d{1,2})\b")  # 2023/11/02 is year, month, day
_SPACED_NUMERIC_RE = re.compile(r"\b(\d{1,2})\.\s(\d{1,2})\.\s(\d{4})\b")  # German `4. 2. 2022`
_RANGE_RE = re.compile(r"\d\s*\.?\s*[-–—]\s*\d{1,2}\s*\.?\s*[a-z]{3}|\d\s*(?:bis|tot|au|to)\s+\d")  # 9.-11. Sept
_NUMERIC_DATE_RE = re.compile(r"(?<![\d.])(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?![\d.]\d)")
_MONTH_ABBR = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _fold(text: str) -> str:
    """Lower-case and strip accents, so `févr.` reads like `fevr`."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def split_label(text: str) -> tuple[str | None, str]:
    """Split a leading `Updated:`, `Laatste update:`, `Mis à jour le`, `Publié le` off a date: (kind, rest).

    The kind is `updated` or `published`, None where no label is written; the rest keeps its accents.
    """
    stripped = text.strip()
    folded = _fold(stripped)
    for kind, pattern in _LABELS:
        match = pattern.match(folded)
        if match:
            return kind, stripped[match.end():]  # folding keeps the length of these ASCII-only labels
    return None, stripped


def _parse_iso(text: str) -> ParsedDate | None:
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    tz = None
    if value.tzinfo is not None:
        offset = value.utcoffset()
        if offset is not None:
            minutes = int(offset.total_seconds() // 60)
            sign = "+" if minutes >= 0 else "-"
            tz = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
        value = value.replace(tzinfo=None)
    return ParsedDate(value, "T" in text or " " in text.strip(), tz)


def _split_zone(text: str) -> tuple[str, str | None]:
    """Cut a trailing zone (`BST`, `+02:00`, `GMT+0100`) off a date string."""
    match = _TZ_OFFSET_RE.search(text)
    if match:
        raw = match.group(1)
        tz = raw if ":" in raw else raw[:3] + ":" + raw[3:]
        return text[: match.start()].strip(), tz
    match = _TZ_NAME_RE.search(text)
    if match:
        return (text[: match.start()] + text[match.end():]).strip(), match.group(1)
    return text, None


def is_ambiguous(text: str) -> bool:
    """Say whether a numeric date reads as another day month first (`05/08/2019`); ISO and year-first never do."""
    if _ISO_RE.match(text) or _YEAR_FIRST_RE.search(text):
        return False
    match = _NUMERIC_DATE_RE.search(text)
    if match is None:
        return False
    day, month = int(match[1]), int(match[2])
    return day != month and max(day, month) <= 12


def parse_date(text: str | None, dayfirst: bool = True) -> ParsedDate | None:
    """Parse one date string; return None where day, month or year is missing or it cannot be read.

    A numeric date is read day first unless `dayfirst` is False (a page in American English).
    """
    if not text or not text.strip() or len(text) > 200:
        return None
    if re.fullmatch(r"\s*(?:1[6-9]|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\s*", text):
        text = f"{text.strip()[:4]}-{text.strip()[4:6]}-{text.strip()[6:]}"  # compact 20231102
    if _ISO_RE.match(text):
        parsed = _parse_iso(text)
        if parsed:
            return parsed if _MIN_YEAR <= parsed.value.year <= _MAX_YEAR else None
    rest, tz = _split_zone(split_label(text)[1])
    folded = _MINUTES_RE.sub("", _fold(rest))
    if _RANGE_RE.search(folded):
        return None  # a span of days (9.-11. September 2022), not one date
    if not re.search(r"[a-z]|\d\s?[./-]\s?\d", folded):
        return None  # numbers apart (a telephone number 089 12 22 20) are no date
    folded = _YEAR_FIRST_RE.sub(lambda m: f"{int(m[4])} {_MONTH_ABBR[int(m[3]) - 1]} {m[1]}"
                                if 1 <= int(m[3]) <= 12 else m[0], folded)
    folded = _SPACED_NUMERIC_RE.sub(r"\1.\2.\3", folded)
    folded = re.sub(r"^(?:am|on)\s+(?=[a-z]|\d{1,2}\b(?!:))", "", folded)
    folded = re.sub(r"(\d{1,2}:\d{2}:\d{2})[.,]\d+", r"\1", folded)
    folded = _TIME_SEP_RE.sub(r" \1:\2 ", folded)
    folded = _HOUR_ONLY_RE.sub(r" \1:00 ", folded)
    folded = re.sub(r"(?<=[a-z])\.", " ", folded)
    folded = _SEPARATOR_RE.sub(" ", folded).strip(" ,;-")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            first = du_parser.parse(folded, parserinfo=_INFO, default=_DEFAULT_A, dayfirst=dayfirst)
            second = du_parser.parse(folded, parserinfo=_INFO, default=_DEFAULT_B, dayfirst=dayfirst)
    except (ValueError, OverflowError, TypeError):
        return None
    if (first.year, first.month, first.day) != (second.year, second.month, second.day):
        return None  # a part of the date was filled in by dateutil, not written
    if not _MIN_YEAR <= first.year <= _MAX_YEAR:
        return None
    years = {int(y) for y in re.findall(r"(?<!\d)\d{4}(?!\d)", folded) if _MIN_YEAR <= int(y) <= _MAX_YEAR}
    if years and first.year not in years:
        return None  # a written year was taken for a time of day (09 2022 read as 2009 at 20:22)
    has_time = first.hour == second.hour
    if first.tzinfo is not None and tz is None:
        tz = first.tzname()
    value = first.replace(tzinfo=None) if has_time else first.replace(hour=0, minute=0, second=0, tzinfo=None)
    return ParsedDate(value, has_time, tz)


def date_fields(parsed: ParsedDate | None, how: str) -> dict[str, Any]:
    """Return the `Article` date keywords for a date found in the way `how` (header, dateline, metadata)."""
    if parsed is None:
        return {"date": None, "date_has_time": False, "date_tz": None, "date_source": "none"}
    return {"date": parsed.value, "date_has_time": parsed.has_time, "date_tz": parsed.tz, "date_source": how}


_MONTH_WORDS = sorted(
    {_fold(name) for names in _NewsParserInfo.MONTHS for name in names if len(name) >= 3}, key=len, reverse=True
)
_MONTH_ALT = "|".join(_MONTH_WORDS)
_WEEKDAY_WORDS = sorted({_fold(n) for names in _NewsParserInfo.WEEKDAYS for n in names if len(n) >= 2}, key=len,
                        reverse=True)
_TIME_PART = r"(?:\s*,?\s*(?:um|a|at|om|-|–)?\s*\d{1,2}\s*[:hu.]\s*\d{2}(?::\d{2})?(?:\s*(?:uhr|h|am|pm))?\b)?"
_DATE_IN_TEXT_RE = re.compile(
    r"(?<![\w.])(?:"
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?"
    r"|\d{1,2}\s?[./-]\s?\d{1,2}\s?[./-]\s?(?:\d{4}|\d{2})(?![\d])" + _TIME_PART +
    r"|\d{1,2}(?:er|st|nd|rd|th)?\.?\s+(?:" + _MONTH_ALT + r")\.?,?\s+\d{4}" + _TIME_PART +
    r"|(?:" + _MONTH_ALT + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}" + _TIME_PART +
    r")(?![\w])"
)
_LABEL_BEFORE_RE = {
    kind: re.compile(r"(?<![a-z])(?:" + words + r")\s*(?:am|on|le|op|at|:)?\s*[:]?\s*$")
    for kind, words in (
        ("updated", r"update|updated|bijgewerkt|gewijzigd|aktualisiert|anderung|geandert|stand|mis a jour|"
                    r"mise a jour|modifie|modified|actualise"),
        ("published", r"published|posted|written|gepubliceerd|geplaatst|verschenen|veroffentlicht|publiziert|"
                      r"erschienen|erstellt|publie|cree"),
        ("other", r"aktuelle\w* (?:zeit|datum)(?: und uhrzeit)?|current (?:time|date)|today|heute|vandaag|aujourd'hui|"
                  r"registriert|registered|joined|member since|mitglied seit|lid sinds|membre depuis|version \S+|"
                  r"copyright|\(c\)|©|geboren|born|ne le|ne en|bis|until|till|tot en met|jusqu'au|through|"
                  r"\d{1,2}\.?\s*[-–—]"),  # the end of a span of days (09.-11. September 2022)
    )
}


@dataclass(frozen=True)
class DateMention:
    """A date written inside a line of text: the date, its label kind (published, updated, other: a current
    time, a sign-up or copyright date; None where unlabelled), and where it starts."""

    date: ParsedDate
    kind: str | None
    start: int


def find_dates(text: str, dayfirst: bool = True) -> list[DateMention]:
    """Return the dates written in a line of text (a byline, a page's date line), with the label before each."""
    folded = _fold(text)
    if len(folded) != len(text):
        text = folded  # positions must agree; the folded text parses as well
    found = []
    for match in _DATE_IN_TEXT_RE.finditer(folded):
        parsed = parse_date(text[match.start():match.end()], dayfirst=dayfirst)
        if parsed is None:
            continue
        before = folded[max(0, match.start() - 40):match.start()].rstrip(" ,(")
        before = re.sub(r"\b(?:" + "|".join(_WEEKDAY_WORDS) + r")\.?,?\s*$", "", before).rstrip(" ,")
        kind = next((k for k, pattern in _LABEL_BEFORE_RE.items() if pattern.search(before)), None)
        found.append(DateMention(parsed, kind, match.start()))
    return found

