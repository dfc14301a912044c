"""Reuters-21578 SGML: one article per <REUTERS> document with a body; briefs and raw documents skipped."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from .conftest import SHARED, need_shared

from archive.readers import ReadError, read_bytes
from archive.readers.reuters import parse_stamp

FIXTURES = Path(__file__).parent / "fixtures" / "formats"


def read(name: str, data: bytes | None = None):
    return list(read_bytes(name, (FIXTURES / name).read_bytes() if data is None else data))


def test_reuters_documents_with_a_body_become_articles() -> None:
    first, second = read("reuters.sgm")
    assert first.title == "ANTWERP HARBOUR HANDLES RECORD GRAIN TONNAGE"
    assert first.body.startswith("ANTWERP, March 4 - The port of Antwerp said")
    assert "\n\nTraders said the <Example Grain Co> terminal" in first.body
    assert not first.body.endswith("Reuter") and "\x03" not in first.body
    assert (first.date, first.date_has_time, first.date_source) == (datetime(1987, 3, 4, 10, 5, 11), True, "metadata")
    assert first.source == "Reuters" and first.language == "en"
    assert first.origin == "reuters.sgm#501"
    assert (second.date, second.date_has_time) == (datetime(1987, 3, 31), False)  # broken time: day only
    assert second.body.startswith("ST. LOUIS, March 31 - Barge freight rates")


def test_reuters_ids_follow_newid_so_identical_stories_stay_apart() -> None:
    first, _ = read("reuters.sgm")
    data = (FIXTURES / "reuters.sgm").read_bytes().replace(b'NEWID="501"', b'NEWID="601"')
    again, _ = read("other.sgm", data)
    assert first.body == again.body and first.id != again.id


def test_reuters_recognised_by_content_not_name() -> None:
    data = (FIXTURES / "reuters.sgm").read_bytes()
    assert len(read("no-suffix", data)) == 2
    assert len(read("reuters.sgm.gz", __import__("gzip").compress(data))) == 2


def test_reuters_truncated_file_is_refused() -> None:
    data = (FIXTURES / "reuters.sgm").read_bytes()
    with pytest.raises(ReadError, match="truncated"):
        read("cut.sgm", data[:400])


@pytest.mark.parametrize("raw, expected", [
    (" 3-MAR-1987 09:18:21.26", (datetime(1987, 3, 3, 9, 18, 21), True)),
    ("27-MAR-1987 00:02:59.13\x05\x05RM", (datetime(1987, 3, 27, 0, 2, 59), True)),
    (" 3-MAR-1987  09:15:05.40", (datetime(1987, 3, 3, 9, 15, 5), True)),
    ("31-MAR-1987 605:12:19.12", (datetime(1987, 3, 31), False)),
])
def test_reuters_date_stamps(raw: str, expected: tuple[datetime, bool]) -> None:
    parsed = parse_stamp(raw)
    assert parsed is not None and (parsed.value, parsed.has_time) == expected


def test_reuters_stamp_without_a_date_is_none() -> None:
    assert parse_stamp("31-FOO-1987") is None and parse_stamp("") is None


@pytest.mark.shared
def test_reuters_21578_gives_19043_articles_with_a_body() -> None:
    folder = need_shared(SHARED / "data" / "reuters21578")
    count = dated = 0
    ids = set()
    for path in sorted(folder.glob("reut2-*.sgm")):
        for article in read_bytes(path.name, path.read_bytes()):
            count += 1
            dated += article.date is not None
            ids.add(article.id)
            assert article.body and article.title, article.origin
    assert (count, dated, len(ids)) == (19043, 19043, 19043)
