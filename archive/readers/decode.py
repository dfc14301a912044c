"""Turn bytes into text, or say why they are not text."""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def looks_binary(data: bytes) -> bool:
    """Say whether bytes look like a binary file rather than text (NUL bytes or many control bytes)."""
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return bool(sample) and controls / len(sample) > 0.05


def decode_text(data: bytes, name: str = "") -> str:
    """Decode UTF-8 (with or without BOM), falling back to Windows-1252; raise ValueError for anything else."""
    if looks_binary(data):
        raise ValueError("binary data, not text: give a text, JSON, CSV, HTML, feed or WARC file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        first_error = exc
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise ValueError(
            f"not UTF-8 text (byte 0x{data[first_error.start]:02x} at offset {first_error.start}):"
            " re-save the file as UTF-8"
        ) from None
    log.warning("%s: not UTF-8, read as Windows-1252", name or "input")
    return text


def read_text(data: bytes, name: str = "") -> str:
    """Decode like `decode_text`, raising the readers' `ReadError` (with its next step) for what is not text."""
    from . import ReadError

    try:
        return decode_text(data, name)
    except ValueError as exc:
        raise ReadError(str(exc)) from None
