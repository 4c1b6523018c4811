import json
from datetime import date
from pathlib import Path

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
    assert got == {(3, "Meeting Date"), (4, "Region"), (5, "Meeting Notes")}  # the rows a spreadsheet shows
    assert "not a date" in str(next(e for e in parsed.errors if e.row == 3))


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


def _xlsx_with_sheet(tmp_path, rows: int, edit) -> Path:
    """A workbook of `rows` notes whose first sheet's XML is passed through `edit`."""
    import io
    import zipfile

    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    for i in range(1, rows + 1):
        wb.active.append(note_row(i, f"Laptops freeze in front of customers at site {i}"))
    buf = io.BytesIO()
    wb.save(buf)
    path = tmp_path / "notes.xlsx"
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            out.writestr(info.filename, edit(data) if info.filename.endswith("sheet1.xml") else data)
    return path


@pytest.mark.parametrize("declared", ["A1:G2", "A1:B1", "A1:XFD1048576"])
def test_xlsx_rows_are_read_whatever_range_the_sheet_declares(tmp_path, declared):
    import re
    import time

    path = _xlsx_with_sheet(tmp_path, 5, lambda xml: re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{declared}"'.encode(), xml))
    started = time.perf_counter()
    _, parsed = ingest.parse_file(path, MB)
    assert len(parsed.notes) == 5 and parsed.rows_total == 5 and not parsed.errors
    assert [n.office for n in parsed.notes] == ["Plano"] * 5
    assert time.perf_counter() - started < 5  # a sheet that claims every cell is not padded out to it


@pytest.mark.parametrize("header", [
    ["Session ID", "Meeting Date", "Region", "Office", "Notes", "Notes"],
    ["Notes", "Meeting Date", "Region", "Office", " Notes"],
])
def test_duplicate_headers_are_an_error_that_names_them(write_csv, header):
    path = write_csv([["N1", "2026-01-01", "West", "Denver", "first", "second"][:len(header)]], header=header)
    with pytest.raises(ImportRefused, match=r"more than one column named 'Notes' \(columns \d, \d\)"):
        ingest.parse_file(path, MB)


def test_unnamed_columns_may_repeat(write_csv):
    path = write_csv([note_row(1, "Samples run out") + ["", ""]], header=HEADER + ["", ""])
    _, parsed = ingest.parse_file(path, MB)
    assert len(parsed.notes) == 1


@pytest.mark.parametrize("value,kind", [(["Southwest", "X"], "list"), ({"name": "Southwest"}, "object")])
def test_a_json_list_or_object_in_a_field_is_a_row_error(tmp_path, value, kind):
    recs = [{"id": "a", "date": "2026-01-05", "region": "West", "office": "Denver", "summary": "Parking is full by eight"},
            {"id": "b", "date": "2026-01-06", "region": value, "office": "Denver", "summary": "Samples run out"},
            {"id": "c", "date": "2026-01-07", "region": "West", "office": "Denver", "summary": "Forms are in English only",
             "tags": ["unused", "column"]}]
    (tmp_path / "n.json").write_text(json.dumps(recs))
    _, parsed = ingest.parse_file(tmp_path / "n.json", MB)
    assert [n.note_key for n in parsed.notes] == ["a", "c"]  # an unmapped list column is no one's business
    assert [str(e) for e in parsed.errors] == [f"row 2, column 'region': holds (a JSON {kind}), not a single value. "
                                               "Put one value in this field"]
    assert all("- Southwest" not in n.region for n in parsed.notes)


def _rows_file(tmp_path, kind: str, n: int):
    rows = [note_row(i, f"Samples run out in week {i}") for i in range(1, n + 1)]
    if kind == "csv":
        path = tmp_path / "n.csv"
        path.write_text("\n".join(",".join(map(str, r)) for r in [HEADER, *rows]) + "\n")
    elif kind in ("json", "jsonl", "wrapped"):
        recs = [dict(zip(HEADER, r)) for r in rows]
        path = tmp_path / f"n.{'jsonl' if kind == 'jsonl' else 'json'}"
        if kind == "jsonl":
            path.write_text("\n".join(json.dumps(r) for r in recs))
        else:
            path.write_text(json.dumps(recs if kind == "json" else {"exported": "today", "notes": recs}))
    else:
        wb = openpyxl.Workbook()
        wb.active.append(HEADER)
        for r in rows:
            wb.active.append(r)
        path = tmp_path / "n.xlsx"
        wb.save(path)
    return path


@pytest.mark.parametrize("kind", ["csv", "json", "jsonl", "wrapped", "xlsx"])
def test_row_limit_refuses_one_row_more_and_takes_exactly_the_limit(tmp_path, kind):
    _, parsed = ingest.parse_file(_rows_file(tmp_path, kind, 30), MB, max_rows=30)
    assert len(parsed.notes) == 30
    with pytest.raises(ImportRefused, match=r"more than 29 rows.*raise SYNTH_MAX_ROWS"):
        ingest.parse_file(_rows_file(tmp_path, kind, 30), MB, max_rows=29)


def test_row_limit_comes_from_the_setting(tmp_path, settings, store):
    from conftest import dump
    from synth import pipeline

    before = dump(store)
    limited = type(settings)(**{**settings.__dict__, "max_rows": 3})
    with pytest.raises(ImportRefused, match="more than 3 rows"):
        pipeline.import_file(store, limited, _rows_file(tmp_path, "csv", 4))
    assert dump(store) == before
    assert type(settings).from_env({"SYNTH_MAX_ROWS": "1000"}).max_rows == 1000


def test_a_million_junk_rows_are_refused_at_the_limit_quickly(tmp_path):
    import time

    path = tmp_path / "junk.csv"
    path.write_bytes(b"Meeting Date,Region,Office,Notes\n" + b"2026-01-01,W,D,x\n" * 1_000_000)  # 17 MB
    started = time.perf_counter()
    with pytest.raises(ImportRefused, match="more than 200,000 rows"):
        ingest.parse_file(path, 50 * MB)
    assert time.perf_counter() - started < 10  # was 276 s and 2.1 GB to import it all


def test_padded_xlsx_stops_at_the_row_limit(tmp_path):
    import time

    junk = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (r, r)
                    for r in range(10, 300_010))

    def pad(xml: bytes) -> bytes:
        head, tail = xml.split(b"</sheetData>")
        return head + junk + b"</sheetData>" + tail
    path = _xlsx_with_sheet(tmp_path, 2, pad)
    started = time.perf_counter()
    with pytest.raises(ImportRefused, match="more than 20,000 rows"):
        ingest.parse_file(path, 50 * MB, max_rows=20_000)
    assert time.perf_counter() - started < 5  # reading stopped at the limit, not at row 300,000


def _titled_xlsx(tmp_path) -> Path:
    """A title on row 1, row 2 left blank, the header on row 3, a blank row 5 between the notes."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Reverse mentoring notes, autumn 2026"])
    ws.append([])
    ws.append(["Meeting Date", "Region", "Office", "Notes"])
    ws.append(["2026-10-01", "West", "Denver", "Scanners jam."])
    ws.append([])
    ws.append(["not a date", "West", "Denver", "Printers jam."])
    path = tmp_path / "titled.xlsx"
    wb.save(path)
    return path


@pytest.mark.parametrize("kind,data,header_line,bad_row", [
    ("csv", "Meeting Date,Region,Office,Notes\n2026-01-01,West,Denver,Scanners jam.\nnot a date,West,Denver,Printers jam.\n", 1, 3),
    ("csv", "Notes, autumn\n\nMeeting Date,Region,Office,Notes\n2026-01-01,West,Denver,\"Scanners jam,\nevery day\"\n"
            "\nnot a date,West,Denver,Printers jam.\n", 3, 6),  # a cell over two lines is one row; blank rows count
    ("jsonl", '{"date": "2026-01-01", "region": "W", "office": "D", "notes": "a"}\n\n'
              '{"date": "x", "region": "W", "office": "D", "notes": "b"}\n', 0, 3),  # its line
    ("json", '[{"date": "2026-01-01", "region": "W", "office": "D", "notes": "a"},'
             ' {"date": "x", "region": "W", "office": "D", "notes": "b"}]', 0, 2),  # its entry
    ("xlsx", None, 3, 6),
])
def test_row_numbers_are_the_ones_the_spreadsheet_shows(tmp_path, kind, data, header_line, bad_row):
    if kind == "xlsx":
        path = _titled_xlsx(tmp_path)
    else:
        path = tmp_path / f"notes.{kind}"
        path.write_text(data)
    table, parsed = ingest.parse_file(path, MB)
    assert table.header_line == header_line
    assert [e.row for e in parsed.errors] == [bad_row] and len(parsed.notes) == 1
    assert str(parsed.errors[0]).startswith(f"row {bad_row}, column ")


def test_header_row_is_the_spreadsheets_row_number(tmp_path):
    path = _titled_xlsx(tmp_path)
    table = ingest.read_table(path, MB, header_row=3)
    assert table.header == ["Meeting Date", "Region", "Office", "Notes"] and table.lines == (4, 6)
    for row, message in ((2, "row 2 is empty"), (9, "the file's last row is 6")):
        with pytest.raises(ImportRefused, match=message):
            ingest.read_table(path, MB, header_row=row)


def test_a_region_and_office_for_every_row_only_where_the_file_has_none(write_csv):
    path = write_csv([["2026-01-05", "Deliveries arrive late"]], header=["Date", "Notes"])
    table = ingest.read_table(path, MB)
    mapping = ingest.detect_mapping(table.header)
    with pytest.raises(ImportRefused, match="--region NAME, --office NAME"):
        ingest.validate(table, mapping)
    parsed = ingest.validate(table, mapping, {"region": " Midwest ", "office": "Chicago"})
    assert (parsed.notes[0].region, parsed.notes[0].office) == ("Midwest", "Chicago")
    with pytest.raises(ImportRefused, match=r"has a region column \('Region'\)"):
        ingest.parse_file(write_csv([note_row(1, "Samples run out")]), MB, defaults={"region": "Midwest"})


@pytest.mark.parametrize("days,needed", [
    (["03/04/2026", "05/06/2026"], True),   # either way round: ask
    (["31/10/2026", "05/10/2026"], False),  # a day over 12 tells
    (["10/31/2026", "10/05/2026"], False),
    (["2026-03-04", "31/31/2026"], False),  # no date reads both ways: nothing to ask
])
def test_ambiguous_dates_must_be_given_an_order(write_csv, days, needed):
    table = ingest.read_table(write_csv([note_row(i, "Samples run out", day=d) for i, d in enumerate(days)]), MB)
    mapping = ingest.detect_mapping(table.header)
    assert ingest.needs_date_order(table, mapping) is needed
    if needed:
        with pytest.raises(ImportRefused, match="--dates day-first or --dates month-first"):
            ingest.validate(table, mapping)
        assert ingest.validate(table, mapping, day_first=True).notes[0].meeting_date == date(2026, 4, 3)
        assert ingest.validate(table, mapping, day_first=False).notes[0].meeting_date == date(2026, 3, 4)


def test_settings_round_trip_through_the_environment_and_have_one_default_each(tmp_path):
    import dataclasses

    from synth.config import SETTINGS, Settings

    assert {f.name for f in dataclasses.fields(Settings)} - {"extra"} == {s.name for s in SETTINGS}
    assert all(getattr(Settings(), s.name) == s.default for s in SETTINGS)
    custom = Settings.for_directory(tmp_path, max_rows=7, store_raw_text=True, assign_threshold=0.3, smtp_url="smtp://h:25")
    assert Settings.from_env(custom.to_env()) == custom


def test_an_export_with_ref_date_of_meeting_and_location_beside_region_is_mapped_whole():
    from synth.ingest import detect_mapping

    header = ["Ref", "Date of Meeting", "Region", "Location", "Mentor", "Mentee", "Discussion Summary"]
    assert detect_mapping(header) == {"note_id": "Ref", "meeting_date": "Date of Meeting", "region": "Region",
                                      "office": "Location", "partner": "Mentor", "executive": "Mentee",
                                      "notes": "Discussion Summary"}
    assert detect_mapping(["Date", "Location", "Branch", "Notes"])["region"] == "Location"


def test_a_bad_day_first_date_is_quoted_as_the_file_has_it():
    from synth.ingest import parse_date

    with pytest.raises(ValueError, match=r"'31/02/2026' is not a date \(use YYYY-MM-DD, or DD/MM/YYYY\)"):
        parse_date("31/02/2026", day_first=True)


def test_empty_rows_between_data_rows_are_named_by_their_row_numbers():
    data = (b"Title of the export\n" + ",".join(HEADER).encode() + b"\n"
            + b"N1,2026-03-01,West,Denver,A,B,Scanners jam.\n\n,,,,,,\n"
            + b"N2,2026-03-02,West,Denver,A,B,Printers jam.\n\n\n")
    table = ingest.read_upload(data, "notes.csv", 10_000_000)
    assert table.header_line == 2 and table.lines == (3, 6)
    assert table.empty_lines == (4, 5)  # trailing empty rows are not between data rows: not counted
    assert ingest.row_numbers(table.empty_lines) == "rows 4 and 5"
    assert ingest.row_numbers([7]) == "row 7"
    assert ingest.row_numbers(range(1, 14)) == "rows 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 3 more"
