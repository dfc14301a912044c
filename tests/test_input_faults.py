"""Inputs that are wrong in small ways are reported as what they are: an unbalanced CSV quote, a FIFO, an unreadable
folder, a broken link; the rest of the batch lands."""
import json
import os
import sys

import pytest

from archive.ingest import ingest
from archive.readers import Input, ReadError, iter_inputs, read_bytes

HEADER = "id,title,text\n"


def test_an_unbalanced_csv_quote_is_an_error_with_its_line():
    merged = HEADER + '1,Eerste,De haven van Antwerpen.\n2,"Tweede,De trein naar Gent.\n3,"Derde",De sluis.\n'
    with pytest.raises(ReadError, match=r"unbalanced quote: the row starting at line 3 .*at line 4"):
        list(read_bytes("x.csv", merged.encode()))
    never_closed = HEADER + '1,Eerste,De haven van Antwerpen.\n2,Tweede,"De trein naar Gent.\n3,Derde,De sluis.\n'
    with pytest.raises(ReadError, match=r"unbalanced quote: the row starting at line 3 .*unexpected end of data"):
        list(read_bytes("x.csv", never_closed.encode()))


def test_quoted_multiline_cells_and_inner_quotes_still_read():
    text = HEADER + '1,"Een, twee","De haven\nvan Antwerpen."\n2,Titel,Hij zei "ja" tegen de minister.\n'
    assert [a.body for a in read_bytes("ok.csv", text.encode())] == [
        "De haven\nvan Antwerpen.", 'Hij zei "ja" tegen de minister.']


def test_the_cli_names_the_csv_file_and_line(tmp_path):
    bad = tmp_path / "kapot.csv"
    bad.write_text(HEADER + '1,"Eerste,De haven.\n2,"Tweede",De trein.\n', encoding="utf-8")
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"id": "g", "text": "De haven van Antwerpen kreeg een sluis."}), encoding="utf-8")
    report = ingest([str(bad), str(good)], str(tmp_path / "ix"), workers=1)
    (failure,) = report.failures
    assert failure.reason.startswith(f"{bad}: unbalanced quote: the row starting at line 2")
    assert report.articles == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_reported_as_a_fifo_given_or_in_a_folder(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("De haven van Antwerpen kreeg een nieuwe sluis.", encoding="utf-8")
    os.mkfifo(folder / "pijp.txt")  # never opened: reading a FIFO with no writer would block
    (folder / "weg.txt").symlink_to(folder / "nergens.txt")
    found = list(iter_inputs([str(folder), str(folder / "pijp.txt")]))
    inputs = [i.name for i in found if isinstance(i, Input)]
    errors = sorted(str(e) for e in found if isinstance(e, ReadError))
    assert inputs == [str(folder / "a.txt")]
    assert errors == [
        f"{folder / 'pijp.txt'}: a FIFO (named pipe), not a file: write it to a file, or pipe it to `archive ingest -`",
        f"{folder / 'pijp.txt'}: a FIFO (named pipe), not a file: write it to a file, or pipe it to `archive ingest -`",
        f"{folder / 'weg.txt'}: a broken symbolic link (its target is gone): skipped",
    ]
    assert not any("no such file" in e for e in errors)


def test_an_unreadable_sub_folder_is_reported_and_the_rest_lands(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    (folder / "open").mkdir(parents=True)
    (folder / "closed").mkdir()
    (folder / "open" / "a.txt").write_text("De haven van Antwerpen kreeg een nieuwe sluis.", encoding="utf-8")
    (folder / "closed" / "b.txt").write_text("De trein naar Gent reed niet.", encoding="utf-8")
    if os.geteuid() == 0 or sys.platform == "win32":  # root reads any folder: make this one fail to list
        real = os.scandir

        def scandir(path="."):
            if os.fspath(path) == str(folder / "closed"):
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return real(path)

        monkeypatch.setattr(os, "scandir", scandir)
    else:
        (folder / "closed").chmod(0)
    try:
        report = ingest([str(folder)], str(tmp_path / "ix"), workers=1)
    finally:
        (folder / "closed").chmod(0o755)
    (failure,) = report.failures
    assert failure.reason == (f"{folder / 'closed'}: cannot read this folder (Permission denied): its files are not "
                              "ingested; check its permissions")
    assert report.articles == 1
