"""Import (coordinators): upload, check the column mapping, preview row errors, import with
progress, and undo past imports. The upload is parsed once, from memory (`ui.read_upload`);
only the import itself sees it on disk, in a private folder removed afterwards."""

import pandas as pd
import streamlit as st

from synth import ingest
from synth.dashboard import digest, ui
from synth.errors import SynthError
from synth.records import CANONICAL_FIELDS, REQUIRED_FIELDS

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
    def header_row_input(value: int) -> None:
        st.number_input("Row that names the columns", min_value=1, max_value=ingest.HEADER_SEARCH_ROWS * 10,
                        value=value, key="header_row",
                        help="As your spreadsheet numbers it. Found in the file; change it if a title row sits "
                             "above the column names.")

    chosen_row = st.session_state.get("header_row")  # None: found in the file
    try:
        table = ui.read_upload(upload, chosen_row)
        detected = ingest.detect_mapping(table.header)
    except SynthError as exc:
        ui.show_error(exc)
        if chosen_row is not None:  # a row chosen by hand that does not work: it can be chosen again
            header_row_input(chosen_row)
        st.stop()

    st.subheader("Columns")
    if table.header_line:  # 0: a JSON file, which names the fields in every record
        header_row_input(table.header_line)
    if table.header_line > 1:
        st.caption(f"The column names are on row {table.header_line}; the rows above them were left out.")
    guessed = {f: c for f, c in detected.items()}
    if guessed:
        st.info("Matched by name: " + "; ".join(ui.plain(f"“{c}” → {ui.FIELD_NAMES[f]}")
                                                 for f, c in guessed.items())
                + ". Check them against the sample values, and change any that are wrong.")
    none = "(not in this file)"
    mapping = {}
    index = {h: i for i, h in enumerate(table.header)}
    for field in CANONICAL_FIELDS:
        name_col, pick_col, sample_col = st.columns([2, 3, 5], vertical_alignment="center")
        name_col.markdown(f"**{ui.FIELD_NAMES[field]}**" + (" (required)" if field in REQUIRED_FIELDS else ""),
                          help=ui.FIELD_HELP[field])
        options = [none] + table.header
        choice = pick_col.selectbox(ui.FIELD_NAMES[field], options, index=options.index(detected.get(field, none)),
                                    key=f"map_{field}", label_visibility="collapsed")
        if choice != none:
            mapping[field] = choice
            samples = ui.sample_values(table, index[choice])
            sample_col.caption("e.g. " + " · ".join(ui.plain(s) for s in samples) if samples else "(empty in the first rows)")
    defaults = {}
    for field in ("region", "office"):
        if field not in mapping:
            defaults[field] = st.text_input(f"{ui.FIELD_NAMES[field]} for every row",
                                            help=f"This file has no {field} column: every note gets this {field}.",
                                            key=f"default_{field}")
    day_first = None
    if ingest.needs_date_order(table, mapping):
        day_first = st.radio("This file writes dates like 03/04/2026. Which is the day?",
                             ["The second number (month first: March 4)", "The first number (day first: 3 April)"],
                             key="date_order").startswith("The first")
    elif "meeting_date" in mapping:
        dates = [r[index[mapping["meeting_date"]]] for r in table.rows if index[mapping["meeting_date"]] < len(r)]
        if ingest.date_order(dates):
            st.caption("Dates are read day first (31/10/2026 is 31 October), as the file writes them.")
    # Said here in the page's own words: the check's message is written for the command line
    # (--map FIELD=COLUMN), which a coordinator on this page has no use for.
    missing = [f for f in REQUIRED_FIELDS if f not in mapping and not (defaults.get(f) or "").strip()]
    if missing:
        names = [ui.FIELD_NAMES[f] for f in missing]
        places = [ui.FIELD_NAMES[f] for f in missing if f in ("region", "office")]
        st.warning(f"Choose a column for {ui.and_list(names)} in the list above"
                   + (f", or type one {' and one '.join(places)} for every row" if places else "")
                   + ". Then the rows are checked.")
        st.stop()
    try:
        parsed = ui.check_upload(table, mapping, defaults, day_first)
    except SynthError as exc:
        ui.show_error(exc)
        st.stop()

    ok, bad = len(parsed.notes), len({e.row for e in parsed.errors})
    st.subheader("Check")
    empty = table.empty_lines  # passed over, and said so: a row left out without a word looked lost
    st.write(f"**{ok:,}** valid {'row' if ok == 1 else 'rows'}, **{bad:,}** {'row' if bad == 1 else 'rows'} with "
             f"problems, out of {parsed.rows_total:,}."
             + (f" {ui.plural(len(empty), 'empty row').capitalize()} ({ingest.row_numbers(empty)}) "
                f"{'is' if len(empty) == 1 else 'are'} passed over." if empty else ""))
    if parsed.errors:
        # A fixed height only for a long list: five blank rows under one problem looked like more to read.
        st.dataframe(pd.DataFrame([dict(row=e.row, column=e.column, problem=e.reason) for e in parsed.errors]),
                     hide_index=True, height=220 if len(parsed.errors) > 5 else "auto", column_config={
                         "row": st.column_config.NumberColumn("Row in the file", help="As your spreadsheet numbers it."),
                         "column": "Column", "problem": "Problem"})
    skip = st.checkbox("Skip the rows with problems and import the rest", value=False, disabled=not parsed.errors)
    clicked = st.button("Import", type="primary", disabled=bool(parsed.errors) and not skip)
    if clicked and parsed.rows_total > settings.background_import_rows:
        # A large file is imported as a job, by this server's background thread or a worker:
        # the page (and the coordinator) need not wait, and a server restart does not lose it.
        job_id = ui.import_in_background(upload, view.viewer.username, mapping=mapping, skip_bad_rows=skip,
                                         header_row=table.header_line or None, defaults=defaults, day_first=day_first)
        st.info(f"{parsed.rows_total:,} rows: importing in the background as job #{job_id}. Its progress shows in "
                "the sidebar; you can leave this page meanwhile.")
    elif clicked:
        bar = st.progress(0.0, text="Reading notes")

        def progress(stage: str, done: int, total: int) -> None:
            share = (0.9 * done / total) if stage == "text" else 0.9 + 0.1 * done / max(total, 1)
            bar.progress(min(share, 1.0), text=ui.job_progress("import", "running", stage, done, total)[0])

        try:
            with ui.upload_on_disk(upload) as path:
                s = view.import_file(settings, path, mapping=mapping, skip_bad_rows=skip, file_name=upload.name,
                                     progress=progress, header_row=table.header_line or None, defaults=defaults,
                                     day_first=day_first)
        except SynthError as exc:
            ui.show_error(exc)
            st.stop()
        bar.progress(1.0, text="Done")
        st.success(f"Import #{s.import_id} of {ui.plain(upload.name)} done. "
                   + digest.rows_read(s.rows_total, s.notes_added, s.duplicates, [e.row for e in s.row_errors],
                                      s.empty_rows))
        m = st.columns(5)
        m[0].metric("Notes added", s.notes_added)
        m[1].metric("Duplicates skipped", s.duplicates)
        m[2].metric("Issue statements", s.issues_found, help=ui.HELP["statements"] + " Past imports and the home "
                    "page count the same.")
        m[3].metric("Themes touched", s.themes_touched, help="Existing themes that got statements from this import.")
        m[4].metric("New, not yet themed", s.unthemed, help="Statements like no theme yet; a refit places them.")
        if s.new_themes:
            st.info(f"{ui.plural(s.new_themes, 'provisional new theme')} formed from "
                    f"{ui.plural(s.new_theme_statements, 'statement')} alike: a refit confirms or dissolves them.")
        ui.show_touched_themes(s.import_id)

ui.refit_button()

st.subheader("Past imports")
done = st.session_state.pop("undo_done", None)  # said after the rerun that redraws the table
if done:
    st.success(done)
history = view.imports()
if history.empty:
    st.caption("No imports yet.")
else:
    # Issue statements, as home counts them: the column once said "Statements 7920" (every
    # sentence, small talk included) beside home's "Issue statements 2,292".
    st.dataframe(history[["id", "file_name", "imported_by", "imported_at", "rows_total", "notes_added", "duplicates",
                          "rows_skipped", "issue_statements", "status"]], hide_index=True, column_config={
                     "id": "Import", "file_name": "File", "imported_by": "By", "imported_at": "When",
                     "rows_total": st.column_config.NumberColumn(
                         "Rows read", help="The file's rows below the column names, empty rows not counted.",
                         format="localized"),
                     "notes_added": st.column_config.NumberColumn("Notes added", format="localized"),
                     "duplicates": st.column_config.NumberColumn("Duplicates", format="localized"),
                     "rows_skipped": st.column_config.NumberColumn("Rows skipped", format="localized"),
                     "issue_statements": st.column_config.NumberColumn("Issue statements", format="localized",
                                                                       help=ui.HELP["statements"]
                                                                       + " Counted as on the home page: the ones this "
                                                                       "import holds now, none once it is undone."),
                     "status": "Status"})
    undoable = history[history["status"] == "committed"]["id"].tolist()
    if undoable:
        sure_label = "Yes, remove this import's notes and statements"
        if done:  # the box was ticked for the undo just done, not for the next one
            st.session_state["undo_sure"] = False
        if st.session_state.get("undo_newest") != undoable[0]:  # a new import: offer it, not the one chosen before
            st.session_state["undo_newest"] = undoable[0]
            st.session_state.pop("undo_target", None)
        with st.form("undo"):
            target = st.selectbox("Undo an import", undoable, key="undo_target",
                                  format_func=lambda i: f"#{i} {history.set_index('id').loc[i, 'file_name']}")
            sure = st.checkbox(sure_label, key="undo_sure")
            pressed = st.form_submit_button("Undo import")
        if pressed and not sure:
            st.warning(f"Nothing was undone: tick “{sure_label}” to confirm, then press Undo import again.")
        elif pressed:
            try:
                n = view.undo_import(int(target))
            except SynthError as exc:
                ui.show_error(exc)
            else:
                st.session_state["undo_done"] = f"Import #{target} undone: {ui.plural(n, 'note')} removed."
                st.rerun()  # the table above still says committed: draw the page again
