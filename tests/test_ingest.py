import json
from datetime import date

import openpyxl
import pytest

from synth import ingest
from synth.errors import ImportRefused

from conftest import HEADER, note_row

MB = 1024 * 1024


@pytest.mark.parametrize("header,expected", [
    (["Meeting Date", "Location", "Office", "Notes"], {"meeting_date": "Meeting Date", "region": "Location", "office": "Office", "notes": "Notes"}),
    (["date", "Region", "Branch", "Summary"], {"meeting_date": "date", "region": "Region", "office": "Branch", "notes": "Summary"}),
    (["Session ID", "When", "Territory", "Site", "Discussion"], {"note_id": "Session ID", "meeting_date": "When", "region": "Territory", "office": "Site", "notes": "Discussion"}),
    (["ID", "Date", "Area", "Clinic", "Mentor", "Mentee", "text"], {"note_id": "ID", "meeting_date": "Date", "region": "Area", "office": "Clinic", "partner": "Mentor", "executive": "Mentee", "notes": "text"}),
])
def test_detect_mapping_recognises_common_column_names(header, expected):
    assert ingest.detect_mapping(header) == expected


def test_explicit_mapping_wins_over_detection():
    m = ingest.detect_mapping(["Notes", "Comments", "Date", "Region", "Office"], {"notes": "Comments"})
    assert m["notes"] == "Comments"


def test_explicit_mapping_to_missing_column_is_refused():
    with pytest.raises(ImportRefused, match="not in the file"):
        ingest.detect_mapping(["Notes"], {"notes": "Summary"})


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_delimiters(write_csv, delimiter):
    path = write_csv([note_row(1, "The CRM logs us out; we lose notes"), note_row(2, "Samples run out")], delimiter=delimiter)
    _, parsed = ingest.parse_file(path, 50 * MB)
    assert [n.text for n in parsed.notes] == ["The CRM logs us out; we lose notes", "Samples run out"]
    assert not parsed.errors


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_encodings(write_csv, encoding):
    path = write_csv([note_row(1, "Café staff said the “new” forms aren’t in Spanish")], encoding=encoding)
    _, parsed = ingest.parse_file(path, 50 * MB)
    assert parsed.notes[0].text == "Café staff said the “new” forms aren’t in Spanish"
    assert parsed.mapping["note_id"] == "Session ID"  # a BOM must not hide the first header


def test_xlsx_is_read_with_dates(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    from datetime import datetime
    ws.append(["N1", datetime(2026, 2, 3), "West", "Denver", "Liam Murphy", "Mei Chen", "Laptops freeze in front of customers"])
    path = tmp_path / "notes.xlsx"
    wb.save(path)
    _, parsed = ingest.parse_file(path, 50 * MB)
    assert parsed.notes[0].meeting_date == date(2026, 2, 3)
    assert parsed.notes[0].office == "Denver"


def test_json_and_jsonl(tmp_path):
    recs = [{"id": "a", "date": "2026-01-05", "region": "West", "office": "Denver", "summary": "Parking is full by eight"}]
    (tmp_path / "n.json").write_text(json.dumps({"notes": recs}))
    (tmp_path / "n.jsonl").write_text("\n".join(json.dumps(r) for r in recs * 2))
    _, a = ingest.parse_file(tmp_path / "n.json", MB)
    _, b = ingest.parse_file(tmp_path / "n.jsonl", MB)
    assert a.notes[0].text == "Parking is full by eight" and len(b.notes) == 2


def test_bad_rows_report_row_column_and_reason(write_csv):
    path = write_csv([
        note_row(1, "Fine note about samples"),
        ["N2", "31/31/2026", "West", "Denver", "", "", "Bad date here"],
        ["N3", "2026-01-01", "", "Denver", "", "", "No region"],
        ["N4", "2026-01-01", "West", "Denver", "", "", "   "],
    ])
    _, parsed = ingest.parse_file(path, MB)
    assert len(parsed.notes) == 1
    got = {(e.row, e.column) for e in parsed.errors}
    assert got == {(2, "Meeting Date"), (3, "Region"), (4, "Meeting Notes")}
    assert "not a date" in str(next(e for e in parsed.errors if e.row == 2))


@pytest.mark.parametrize("raw,expected", [
    ("2026-03-04", date(2026, 3, 4)), ("03/04/2026", date(2026, 3, 4)), ("Mar 4, 2026", date(2026, 3, 4)),
    ("4.3.2026", date(2026, 3, 4)), ("2026-03-04T10:30:00Z", date(2026, 3, 4)), (46085, date(2026, 3, 4)),
])
def test_parse_date_formats(raw, expected):
    assert ingest.parse_date(raw) == expected


def test_same_note_hashes_equal_whatever_the_id_and_spacing():
    from synth.records import Note
    a = Note(1, "x", date(2026, 1, 1), "West", "Denver", "Liam", "Mei", "Parking  is full")
    b = Note(9, "y", date(2026, 1, 1), "west", "Denver", "liam", "Mei", "Parking is full")
    assert a.content_hash == b.content_hash
