"""Import (coordinators): upload, check the column mapping, preview row errors, import with
progress, and undo past imports. The upload is parsed once, from memory (`ui.read_upload`);
only the import itself sees it on disk, in a private folder removed afterwards."""

import pandas as pd
import streamlit as st

from synth import ingest, pipeline
from synth.dashboard import ui
from synth.errors import SynthError
from synth.records import CANONICAL_FIELDS

st.title("Import notes")
try:
    view = ui.scoped()
    view.require("import")
except SynthError as exc:
    ui.show_error(exc)
    st.stop()

settings = ui.settings()
upload = st.file_uploader("Note export (CSV, XLSX, JSON or JSON Lines)",
                          type=["csv", "tsv", "txt", "xlsx", "json", "jsonl", "ndjson"])
if upload is None:
    ui.forget_upload()
else:
    try:
        table = ui.read_upload(upload)
        detected = ingest.detect_mapping(table.header)
    except SynthError as exc:
        ui.show_error(exc)
        st.stop()

    st.subheader("Columns")
    st.caption("We matched these columns by name. Change any that are wrong.")
    none = "(not in this file)"
    mapping = {}
    cols = st.columns(len(CANONICAL_FIELDS))
    for col, field in zip(cols, CANONICAL_FIELDS):
        options = [none] + table.header
        choice = col.selectbox(field, options, index=options.index(detected.get(field, none)), key=f"map_{field}")
        if choice != none:
            mapping[field] = choice
    try:
        parsed = ui.check_upload(table, mapping)
    except SynthError as exc:
        ui.show_error(exc)
        st.stop()

    ok, bad = len(parsed.notes), len({e.row for e in parsed.errors})
    st.subheader("Check")
    st.write(f"**{ok:,}** valid rows, **{bad:,}** rows with problems, out of {parsed.rows_total:,}.")
    if parsed.errors:
        st.dataframe(pd.DataFrame([dict(row=e.row, column=e.column, problem=e.reason) for e in parsed.errors]),
                     hide_index=True, height=220)
    skip = st.checkbox("Skip the rows with problems and import the rest", value=False, disabled=not parsed.errors)
    if st.button("Import", type="primary", disabled=bool(parsed.errors) and not skip):
        bar = st.progress(0.0, text="Reading notes")

        def progress(stage: str, done: int, total: int) -> None:
            share = (0.9 * done / total) if stage == "text" else 0.9 + 0.1 * done / max(total, 1)
            bar.progress(min(share, 1.0), text=f"{'Redacting and splitting notes' if stage == 'text' else 'Saving'}: {done:,}/{total:,}")

        try:
            with ui.upload_on_disk(upload) as path:
                s = pipeline.import_file(ui.store(), settings, path, who=view.viewer.username, mapping=mapping,
                                         skip_bad_rows=skip, file_name=upload.name, progress=progress)
        except SynthError as exc:
            ui.show_error(exc)
            st.stop()
        bar.progress(1.0, text="Done")
        st.success(f"Import #{s.import_id} done.")
        m = st.columns(5)
        m[0].metric("Notes added", s.notes_added)
        m[1].metric("Duplicates skipped", s.duplicates)
        m[2].metric("Issue statements", s.issues_found)
        m[3].metric("Themes touched", s.themes_touched)
        m[4].metric("New, not yet themed", s.unthemed)

st.subheader("Past imports")
history = view.imports()
if history.empty:
    st.caption("No imports yet.")
else:
    st.dataframe(history[["id", "file_name", "imported_by", "imported_at", "notes_added", "duplicates",
                          "rows_skipped", "statements_added", "status"]], hide_index=True)
    undoable = history[history["status"] == "committed"]["id"].tolist()
    if undoable:
        with st.form("undo"):
            target = st.selectbox("Undo an import", undoable, format_func=lambda i: f"#{i} {history.set_index('id').loc[i, 'file_name']}")
            sure = st.checkbox("Yes, remove this import's notes and statements")
            if st.form_submit_button("Undo import") and sure:
                try:
                    n = ui.store().undo_import(int(target), who=view.viewer.username)
                    st.success(f"Import #{target} undone: {n} notes removed.")
                except SynthError as exc:
                    ui.show_error(exc)
