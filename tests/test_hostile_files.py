"""A corpus of bad files: each is refused whole with a clear message, and nothing is written."""

import io
import re
import zipfile

import openpyxl
import pytest

from synth import pipeline
from synth.errors import ImportRefused

from conftest import HEADER, dump, note_row


def _xlsx_bytes() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    wb.active.append(note_row(1, "Samples run out halfway through the month"))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def truncated_xlsx(tmp_path):
    p = tmp_path / "truncated.xlsx"
    data = _xlsx_bytes()
    p.write_bytes(data[: len(data) // 2])
    return p


def zip_bomb(tmp_path):
    p = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))  # compresses ~1000:1
    return p


def entity_xlsx(tmp_path):
    p = tmp_path / "entities.xlsx"
    src = zipfile.ZipFile(io.BytesIO(_xlsx_bytes()))
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/sharedStrings.xml" or info.filename.endswith("sheet1.xml"):
                body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
                data = b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>' + body
            zf.writestr(info, data)
    return p


def wrong_encoding(tmp_path):
    p = tmp_path / "undecodable.csv"
    p.write_bytes(",".join(HEADER).encode() + b"\nN1,2026-01-01,West,Denver,a,b,caf\x81\x8d\x90 notes\n")
    return p


def utf16(tmp_path):
    p = tmp_path / "utf16.csv"
    p.write_text(",".join(HEADER) + "\nN1,2026-01-01,West,Denver,a,b,notes\n", encoding="utf-16")
    return p


def no_text_column(tmp_path):
    p = tmp_path / "no_text.csv"
    p.write_text("Session ID,Meeting Date,Region,Office\nN1,2026-01-01,West,Denver\n")
    return p


def binary(tmp_path):
    p = tmp_path / "image.csv"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    return p


def empty(tmp_path):
    p = tmp_path / "empty.csv"
    p.write_bytes(b"")
    return p


def header_only(tmp_path):
    p = tmp_path / "header.csv"
    p.write_text(",".join(HEADER) + "\n")
    return p


def too_big(tmp_path):
    p = tmp_path / "big.csv"
    p.write_text(",".join(HEADER) + "\n" + ("N1,2026-01-01,West,Denver,a,b," + "x" * 1000 + "\n") * 1200)
    return p


def _with_sheet(tmp_path, name, edit):
    """The small workbook with its first sheet's XML passed through `edit`."""
    p = tmp_path / name
    src = zipfile.ZipFile(io.BytesIO(_xlsx_bytes()))
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            data = src.read(info.filename)
            zf.writestr(info.filename, edit(data) if info.filename.endswith("sheet1.xml") else data)
    return p


def _append_rows(xml: bytes) -> bytes:
    head, tail = xml.split(b"</sheetData>")
    return head + _append_rows.extra + b"</sheetData>" + tail


def xlsx_past_excel_last_row(tmp_path):
    _append_rows.extra = b'<row r="1048577"><c r="A1048577" t="inlineStr"><is><t>x</t></is></c></row>'
    return _with_sheet(tmp_path, "past_last_row.xlsx", _append_rows)


def xlsx_padded_wide_rows(tmp_path):
    # Rows whose one cell sits in Excel's last column (XFD) read as 16,384 cells each, for 2 rows of notes.
    _append_rows.extra = b"".join(b'<row r="%d"><c r="XFD%d"><v>1</v></c></row>' % (r, r) for r in range(10, 40))
    return _with_sheet(tmp_path, "padded.xlsx", _append_rows)


def duplicate_headers(tmp_path):
    p = tmp_path / "dupes.csv"
    p.write_text("Session ID,Meeting Date,Region,Office,Notes,Notes\nN1,2026-01-01,West,Denver,first,second\n")
    return p


def deeply_nested_json(tmp_path):
    p = tmp_path / "deep.json"
    p.write_text("[" * 100_000 + "]" * 100_000)
    return p


def deeply_nested_jsonl(tmp_path):
    p = tmp_path / "deep.jsonl"
    p.write_text('{"notes": "fine", "date": "2026-01-01"}\n{"notes": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
    return p


def nested_in_a_record(tmp_path):
    p = tmp_path / "deep_field.json"
    p.write_text('[{"notes": "fine", "date": "2026-01-01", "meta": ' + "{\"a\": " * 50_000 + "1" + "}" * 50_000 + "}]")
    return p


def huge_number_json(tmp_path):
    p = tmp_path / "huge.json"
    p.write_text('[{"id": ' + "9" * 5000 + ', "date": "2026-01-01", "region": "West", "office": "Denver", "notes": "x"}]')
    return p


def huge_number_jsonl(tmp_path):
    p = tmp_path / "huge.jsonl"
    p.write_text('{"id": 1, "notes": "x"}\n{"id": ' + "9" * 5000 + ', "notes": "x"}\n')
    return p


def trailing_garbage_json(tmp_path):
    p = tmp_path / "trailing.json"
    p.write_text('[{"date": "2026-01-01", "notes": "x"}] and more')
    return p


def bad_json(tmp_path):
    p = tmp_path / "notes.json"
    p.write_text('[{"date": "2026-01-01", "notes": "unterminated}')
    return p


CASES = {
    truncated_xlsx: "damaged or truncated",
    zip_bomb: "zip bomb",
    entity_xlsx: "entity",
    wrong_encoding: "neither UTF-8 nor Windows-1252",
    utf16: "UTF-16",
    no_text_column: "no column with the note text",
    binary: "binary",
    empty: "empty",
    header_only: "no data rows",
    too_big: "over the 1 MB limit",
    bad_json: "not valid JSON",
    xlsx_past_excel_last_row: "past row 1,048,576",
    xlsx_padded_wide_rows: r"far more cells than its \d+ rows of notes need",
    duplicate_headers: r"more than one column named 'Notes' \(columns 5, 6\)",
    deeply_nested_json: "nests lists or objects too deeply",
    deeply_nested_jsonl: "nests lists or objects too deeply on line 2",
    nested_in_a_record: "nests lists or objects too deeply",
    huge_number_json: "a number with 5,000 digits",
    huge_number_jsonl: "a number with 5,000 digits on line 2",
    trailing_garbage_json: "not valid JSON",
}


@pytest.mark.parametrize("make,message", CASES.items(), ids=[f.__name__ for f in CASES])
def test_bad_file_is_refused_whole_and_nothing_is_written(make, message, tmp_path, settings, store, write_csv):
    pipeline.import_file(store, settings, write_csv([note_row(1, "The CRM logs us out mid-visit")], "ok.csv"), who="t")
    before = dump(store)
    small = type(settings)(**{**settings.__dict__, "max_upload_mb": 1})
    with pytest.raises(ImportRefused, match=message):
        pipeline.import_file(store, small, make(tmp_path), who="t")
    assert dump(store) == before


@pytest.mark.parametrize("make,message", CASES.items(), ids=[f.__name__ for f in CASES])
def test_bad_file_is_one_line_and_a_non_zero_exit_on_the_command_line(make, message, tmp_path, settings, monkeypatch,
                                                                        capsys):
    from synth import cli

    for key, value in {**settings.to_env(), "SYNTH_MAX_UPLOAD_MB": "1"}.items():
        monkeypatch.setenv(key, value)
    assert cli.main(["import", str(make(tmp_path))]) == 4
    err = capsys.readouterr().err
    assert re.search(message, err) and err.count("\n") == 1 and "Traceback" not in err, err


def test_file_with_bad_rows_is_refused_unless_skipping_is_asked(settings, store, write_csv):
    path = write_csv([note_row(1, "Samples run out every month"), ["N2", "not a date", "West", "Denver", "", "", "x y z"]])
    before = dump(store)
    with pytest.raises(ImportRefused, match=r"row 3, column 'Meeting Date'"):  # the file's row 3
        pipeline.import_file(store, settings, path)
    assert dump(store) == before
    summary = pipeline.import_file(store, settings, path, skip_bad_rows=True)
    assert summary.notes_added == 1 and summary.rows_skipped == 1
    assert summary.row_errors[0].row == 3


def test_formula_cells_are_neutralised_in_exports(settings, store, write_csv, tmp_path):
    from synth import export

    path = write_csv([note_row(1, "=HYPERLINK(\"http://evil\") samples run out every month", office="+Plano"),
                      note_row(2, "@SUM(A1) the tablet app loses orders offline", office="-Austin")])
    pipeline.import_file(store, settings, path)
    out = tmp_path / "out.csv"
    export.write_csv(export.statements_table(store.statements_frame()), out)
    import csv
    rows = list(csv.DictReader(out.open()))
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    assert any(r["office"] == "'+Plano" for r in rows)
    assert any(r["statement"].startswith("'=") for r in rows)
