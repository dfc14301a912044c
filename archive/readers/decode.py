"""Turn bytes into text, or say why they are not text.

The order of evidence: a byte-order mark or the NUL pattern of UTF-16/32; valid UTF-8; the encoding the file
declares (`<?xml encoding=...?>`, `<meta charset>`); Windows-1252 where that reads as Western European text;
else charset_normalizer's guess where it is confident. A file none of these reads is refused, never turned
into mojibake.
"""
from __future__ import annotations

import codecs
import logging
import re

log = logging.getLogger(__name__)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARED_RE = re.compile(
    rb"""<\?xml[^>]*?\bencoding\s*=\s*["']([\w.:-]+)["']|<meta[^>]*?charset\s*=\s*["']?([\w.:-]+)""", re.I
)
MIN_DETECT_BYTES = 16  # non-ASCII bytes needed before a guessed encoding is trusted
DETECT_MARGIN = 0.03  # a rival reading this close in "mess" makes the guess ambiguous
MAX_DETECT_CHAOS = 0.1  # charset_normalizer's "mess" ratio above which its guess is not trusted
MAX_STRAY_BYTES = 3  # broken bytes tolerated in otherwise good UTF-8, each replaced by U+FFFD
MAX_LATIN_RUN = 3
_WESTERN_LETTERS = set("àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿßœšžƒ" "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞŸŒŠŽªº")  # Western text has at most a few accented letters in a row; mojibake has whole words


def unicode_codec(data: bytes) -> str | None:
    """Name the UTF-8/16/32 codec a byte-order mark or the NUL pattern of the first bytes shows, else None."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec
    sample = data[:4096]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    n = len(sample) - len(sample) % 4
    zeros = [sum(1 for i in range(k, n, 4) if sample[i] == 0) / (n // 4) for k in range(4)]
    if zeros[0] > 0.9 and zeros[1] > 0.9 and zeros[3] < 0.5:
        guess = "utf-32-be"
    elif zeros[2] > 0.9 and zeros[3] > 0.9 and zeros[0] < 0.5:
        guess = "utf-32-le"
    elif min(zeros[0], zeros[2]) > 0.05 and max(zeros[1], zeros[3]) == 0:
        guess = "utf-16-be"  # ASCII characters (spaces at least) have a zero high byte, the rest none
    elif min(zeros[1], zeros[3]) > 0.05 and max(zeros[0], zeros[2]) == 0:
        guess = "utf-16-le"
    else:
        return None
    try:
        text = codecs.getincrementaldecoder(guess)().decode(sample[:n], final=False)
    except UnicodeDecodeError:
        return None
    controls = sum(1 for c in text if c < " " and c not in "\t\n\r\f")
    return guess if controls <= 0.01 * len(text) else None


def looks_binary(data: bytes) -> bool:
    """Say whether bytes look like a binary file rather than text (NUL bytes or many control bytes)."""
    codec = unicode_codec(data)
    if codec and codec != "utf-8":
        try:
            codecs.getincrementaldecoder(codec)().decode(data[:8192], final=False)
        except UnicodeDecodeError:
            return True
        return False
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return bool(sample) and controls / len(sample) > 0.05


def declared_encoding(data: bytes) -> str | None:
    """Return the encoding an XML declaration or HTML meta tag near the start declares, if Python knows it."""
    match = _DECLARED_RE.search(data[:2048])
    if not match:
        return None
    name = (match.group(1) or match.group(2)).decode("ascii")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_text(data: bytes, name: str = "") -> str:
    """Decode text by the evidence in the module docstring; raise ValueError with a next step where it cannot."""
    label = name or "input"
    codec = unicode_codec(data)
    if codec and codec != "utf-8":
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            raise ValueError(f"broken {codec.upper()} text (at byte {exc.start}): re-save the file as UTF-8") from None
        return text.lstrip("\ufeff")
    if looks_binary(data):
        raise ValueError("binary data, not text: give a text, JSON, CSV, HTML, feed or WARC file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        first_error = exc
    mostly = _mostly_utf8(data)
    if mostly is not None:
        log.warning("%s: a few bytes are not UTF-8 (byte 0x%02x at offset %d), replaced", label,
                    data[first_error.start], first_error.start)
        return mostly
    declared = declared_encoding(data)
    if declared and declared not in ("utf-8", "ascii"):
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            log.warning("%s: declares %s but is not; guessing the encoding", label, declared)
    latin = _western(data)
    if latin is not None:
        log.warning("%s: not UTF-8, read as Windows-1252", label)
        return latin
    guessed = _detect(data)
    if guessed is None:
        raise ValueError(
            f"not UTF-8 text (byte 0x{data[first_error.start]:02x} at offset {first_error.start}) and no"
            " encoding can be told with confidence: re-save the file as UTF-8"
        )
    encoding, text = guessed
    log.warning("%s: not UTF-8, read as %s (detected)", label, encoding)
    return text


def _mostly_utf8(data: bytes) -> str | None:
    """Return the text as UTF-8 where only a stray byte or two among many UTF-8 characters is broken."""
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
    broken = text.count("\ufffd")
    good = sum(1 for c in text if ord(c) > 127) - broken
    return text if broken <= MAX_STRAY_BYTES and good >= 2 * broken else None


def _western(data: bytes) -> str | None:
    """Return the text as Windows-1252 where it reads as Western European text (accents inside words)."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    letters = run = longest = foreign = 0
    for i, char in enumerate(text):
        if ord(char) < 128:
            run = 0
            letters += char.isalpha()
            continue
        if char.isalpha():
            if char not in _WESTERN_LETTERS:
                return None
            letters += 1
            foreign += 1
            run += 1
            longest = max(longest, run)
        elif char in "\x80\x81\x8d\x8f\x90\x9d" or (
            char not in "’‘·" and text[i - 1: i].isalpha() and text[i + 1: i + 2].isalpha()
        ):
            return None  # an unassigned byte, or a symbol inside a word (`odby³o`): another code page
        else:
            run = 0
    if longest > MAX_LATIN_RUN or foreign > 0.25 * max(letters, 1):
        return None
    return text


def _detect(data: bytes) -> tuple[str, str] | None:
    """Return (encoding, text) where charset_normalizer's best guess reads cleanly and no rival reads as well."""
    import charset_normalizer  # imported here: only undeclared, non-UTF-8 files need it

    sample = data[:262144]
    if sum(1 for b in sample if b > 127) < MIN_DETECT_BYTES:
        return None  # too little to tell one code page from another
    results = list(charset_normalizer.from_bytes(sample))
    if not results or results[0].chaos > MAX_DETECT_CHAOS:
        return None
    best = results[0]
    if any(r.chaos - best.chaos < DETECT_MARGIN and r.coherence >= best.coherence and str(r) != str(best)
           for r in results[1:]):
        return None  # a rival reads as cleanly and as much like a language: no confident choice
    try:
        return best.encoding, data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def read_text(data: bytes, name: str = "") -> str:
    """Decode like `decode_text`, raising the readers' `ReadError` (with its next step) for what is not text."""
    from . import ReadError

    try:
        return decode_text(data, name)
    except ValueError as exc:
        raise ReadError(str(exc)) from None
