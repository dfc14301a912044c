from datetime import datetime

import pytest

from archive.dates import is_ambiguous, parse_date, split_label


@pytest.mark.parametrize(
    "text, expected, has_time, tz",
    [
        ("9/09/16 - 00u34", datetime(2016, 9, 9, 0, 34), True, None),
        ("vrijdag 9 september 2016 om 00:34", datetime(2016, 9, 9, 0, 34), True, None),
        ("Publié le 9/09/2016 à 00:34", datetime(2016, 9, 9, 0, 34), True, None),
        ("Publié le 09/09/2016 à 00h34", datetime(2016, 9, 9, 0, 34), True, None),
        ("Friday 9 September 2016 00.34 BST", datetime(2016, 9, 9, 0, 34), True, "BST"),
        ("2016-09-09T00:34:00+02:00", datetime(2016, 9, 9, 0, 34), True, "+02:00"),
        ("2016-09-10", datetime(2016, 9, 10), False, None),
        ("vr, 09 sep 2016", datetime(2016, 9, 9), False, None),
        ("mardi 3 février 2015, 14h05", datetime(2015, 2, 3, 14, 5), True, None),
        ("12 août 2016", datetime(2016, 8, 12), False, None),
        ("3 maart 2017", datetime(2017, 3, 3), False, None),
        ("zaterdag 10 september 2016, 14u02", datetime(2016, 9, 10, 14, 2), True, None),
        ("Fri, 09 Sep 2016 00:34:00 +0200", datetime(2016, 9, 9, 0, 34), True, "+02:00"),
        ("9 septembre 2016 à 18:05 CEST", datetime(2016, 9, 9, 18, 5), True, "CEST"),
        ("1 mai 2017 à 8h", datetime(2017, 5, 1, 8, 0), True, None),
        ("26-FEB-1987 15:01:01.79", datetime(1987, 2, 26, 15, 1, 1), True, None),
        ("1/2/2016", datetime(2016, 2, 1), False, None),  # day first
    ],
)
def test_reads_news_dates(text, expected, has_time, tz):
    parsed = parse_date(text)
    assert parsed is not None, text
    assert (parsed.value, parsed.has_time, parsed.tz) == (expected, has_time, tz)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "September 2016", "14:30", "gisteren", "29/02/2015", "13/14/2016", "2016", "Bron: Belga",
     "99/99/99", "x" * 500, "vandaag om 10u"],
)
def test_never_invents_a_date(text):
    assert parse_date(text) is None


def test_missing_year_is_not_filled_from_today():
    assert parse_date("9 september om 00u34") is None


@pytest.mark.parametrize(
    "text, expected, has_time",
    [
        ("Laatste update: 3/11/15 - 09u15", datetime(2015, 11, 3, 9, 15), True),
        ("Bijgewerkt: 9/09/16 - 00u34", datetime(2016, 9, 9, 0, 34), True),
        ("Mis à jour le 18 octobre 2012 à 19 h 21 min", datetime(2012, 10, 18, 19, 21), True),
        ("18 octobre 2012 à 19 h 21 min", datetime(2012, 10, 18, 19, 21), True),
        ("18 octobre 2012 à 19h21min", datetime(2012, 10, 18, 19, 21), True),
        ("9/09/16 19u21", datetime(2016, 9, 9, 19, 21), True),
        ("Updated: 9 September 2016 10:15", datetime(2016, 9, 9, 10, 15), True),
        ("Last updated on 9 September 2016", datetime(2016, 9, 9), False),
        ("4 augustus 1678", datetime(1678, 8, 4), False),
        ("zaterdag 4 augustus 1678", datetime(1678, 8, 4), False),
        ("1 januari 1618", datetime(1618, 1, 1), False),
    ],
)
def test_labels_french_times_and_old_years(text, expected, has_time):
    parsed = parse_date(text)
    assert parsed is not None, text
    assert (parsed.value, parsed.has_time) == (expected, has_time)


@pytest.mark.parametrize("text", ["31 december 1599", "Updated: 12 minutes ago", "Mis à jour le", "19 h 21 min"])
def test_labels_and_old_years_never_invent_a_date(text):
    assert parse_date(text) is None


def test_split_label_tells_updated_from_published():
    assert split_label("Laatste update: 3/11/15 - 09u15") == ("updated", "3/11/15 - 09u15")
    assert split_label("Publié le 9/09/2016") == ("published", "9/09/2016")
    assert split_label("9/09/2016") == (None, "9/09/2016")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("4. November 2021, 10:39 Uhr", datetime(2021, 11, 4, 10, 39)),
        ("Samstag, 3. Dezember 2011 um 14:00 Uhr", datetime(2011, 12, 3, 14, 0)),
        ("Veröffentlicht am 1. März 2020", datetime(2020, 3, 1)),
        ("Erschienen am: 01.11.2023", datetime(2023, 11, 1)),
        ("14.01.2022 um 09:25", datetime(2022, 1, 14, 9, 25)),
        ("4. 2. 2022.", datetime(2022, 2, 4)),
        ("2023/11/02 22:27", datetime(2023, 11, 2, 22, 27)),
        ("Written: 2023-11-07 15:03:30", datetime(2023, 11, 7, 15, 3, 30)),
    ],
)
def test_reads_german_and_year_first_dates(text, expected):
    parsed = parse_date(text)
    assert parsed is not None, text
    assert parsed.value == expected


@pytest.mark.parametrize("text", ["09.-11. September 2022", "9 - 11 September 2022", "vom 24. April bis 2. Oktober 2017"])
def test_a_span_of_days_is_no_date(text):
    assert parse_date(text) is None


def test_numeric_dates_month_first_where_the_page_says_so():
    assert parse_date("05/08/2019").value == datetime(2019, 8, 5)
    assert parse_date("05/08/2019", dayfirst=False).value == datetime(2019, 5, 8)
    assert is_ambiguous("05/08/2019") and is_ambiguous("11/01/2023 12:43:42")
    assert not is_ambiguous("9/09/16") and not is_ambiguous("25.01.2022") and not is_ambiguous("2019-05-08")
