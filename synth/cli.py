"""`synth` command line. Parses arguments, calls the package, and is one of the two places
where a SynthError becomes a message (the other is the dashboard's `show_error`)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

from synth.config import PROJECT_ROOT, Settings
from synth.errors import ImportRefused, SynthError, UsageError

SAMPLE_EXPORT = PROJECT_ROOT / "data" / "sample_notes.csv"


class Progress:
    """A one-line progress bar on stderr, only when stderr is a terminal or SYNTH_PROGRESS=1."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr  # looked up now: tests and callers may have replaced it
        self.on = self.stream.isatty() or os.environ.get("SYNTH_PROGRESS") == "1"

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.on or total <= 0:
            return
        width = 30
        filled = int(width * done / total)
        self.stream.write(f"\r{stage:<8} [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is a `UsageError`: one line on stderr and exit code 2 from
    `main`, like every other error, instead of argparse's usage block and `SystemExit`."""

    def error(self, message: str):
        raise UsageError(f"{message}. Run `{self.prog} --help` for the usage.")


def _theme_id(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise UsageError(f"{what} must be a theme id (a whole number, as `synth themes` lists them), got {text!r}.") from None


def _statement_ids(text: str) -> list[int]:
    try:
        ids = [int(x) for x in text.split(",")]
    except ValueError:
        raise UsageError(
            f"split takes the statement ids to split off as whole numbers separated by commas "
            f"(e.g. 12,15,19), got {text!r}."
        ) from None
    return ids


def output_path(value: str, flag: str, example: str = "synth.csv") -> Path:
    """A file the command is about to write: refused up front, in one line, when it is a
    folder or its folder cannot be written, instead of failing half-way with a traceback."""
    path = Path(value).expanduser()
    if path.is_dir():
        raise UsageError(f"{flag} {value} is a folder; give a file name in it, e.g. {flag} {path / example}.")
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # write_csv creates missing folders: the first existing one must be writable
    if not folder.is_dir():
        raise UsageError(f"{flag} {value} cannot be written: {folder} is a file, not a folder. Give a path in a folder.")
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(f"{flag} {value} cannot be written (no permission). Give a path in a folder you can write to.")
    return path


@contextlib.contextmanager
def _writing():
    """Around the write itself: a disk that fills up, or a path that changed since
    `output_path` checked it, is still one line."""
    try:
        yield
    except OSError as exc:
        raise UsageError(f"cannot write {exc.filename or 'the output file'} ({exc.strerror or exc}). "
                         "Give a path in a folder you can write to, on a disk with free space.") from None


def _mapping(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field or not column:
            raise ImportRefused(f"--map takes FIELD=COLUMN (e.g. --map notes=\"Meeting Notes\"), got {pair!r}.")
        out[field.strip()] = column.strip()
    return out


def cmd_import(args, settings: Settings, store) -> int:
    from synth import ingest, pipeline

    if args.header_row is not None and args.header_row < 1:
        raise UsageError(f"--header-row is a row number as the spreadsheet shows it (1 or more), got {args.header_row}.")
    s = pipeline.import_file(store, settings, Path(args.path), who=args.who, mapping=_mapping(args.map),
                             skip_bad_rows=args.skip_bad_rows, progress=Progress(), header_row=args.header_row,
                             defaults={"region": args.region or "", "office": args.office or ""},
                             day_first=None if args.dates is None else args.dates == "day-first")
    for err in s.row_errors[:20]:
        print(f"skipped {err}", file=sys.stderr)
    if len(s.row_errors) > 20:
        print(f"... and {len(s.row_errors) - 20} more row errors", file=sys.stderr)
    print(f"import #{s.import_id}: {s.notes_added} notes added, {s.duplicates} duplicates skipped, "
          f"{s.rows_skipped} bad {'row' if s.rows_skipped == 1 else 'rows'} skipped; {s.statements_added} statements, "
          f"{s.issues_found} issues"
          + (f"; {len(s.empty_rows)} empty {'row' if len(s.empty_rows) == 1 else 'rows'} passed over "
             f"({ingest.row_numbers(s.empty_rows)})" if s.empty_rows else "")
          + (f"; {s.themed} joined existing themes ({s.themes_touched} themes), {s.unthemed} unthemed"
             if s.themed or s.unthemed else "")
          + (f"; {s.new_themes} new provisional theme{'s' if s.new_themes != 1 else ''} from "
             f"{s.new_theme_statements} alike statements (`synth themes` marks them; the next fit confirms them)"
             if s.new_themes else ""))
    return 0


def cmd_fit(args, settings: Settings, store) -> int:
    from synth import pipeline

    r = pipeline.fit(store, settings, progress=Progress())
    print(f"fit run #{r['run_id']}: {r['themes']} themes over {r['statements']} issue statements, "
          f"{r['unthemed']} unthemed ({r['unthemed'] / max(r['statements'], 1):.1%}); model saved to {r['model_dir']}")
    return 0


def cmd_export(args, settings: Settings, store) -> int:
    from synth import export

    out = output_path(args.out, "--out", "statements.csv")
    with _writing():
        n = export.write_csv(export.statements_table(store.statements_frame(), k=settings.privacy_k), out)
    print(f"wrote {n} statements to {args.out}")
    return 0


def cmd_undo(args, settings: Settings, store) -> int:
    n = store.undo_import(args.import_id, who=args.who)
    print(f"import #{args.import_id} undone: {n} notes removed")
    return 0


def cmd_imports(args, settings: Settings, store) -> int:
    df = store.list_imports()
    if df.empty:
        print("no imports yet")
    for r in df.itertuples():
        print(f"#{r.id} {r.imported_at:%Y-%m-%d %H:%M} {r.status:<9} {r.notes_added:>6} notes  "
              f"{r.duplicates:>6} dup  {r.file_name}  (by {r.imported_by})")
    return 0


def cmd_themes(args, settings: Settings, store) -> int:
    df = store.themes_frame(include_hidden=True)
    from synth import signals

    counts = signals.themed(store.tally().themes).set_index("theme_id")["statements"]
    for r in df.itertuples():
        marks = ("(hidden) " if r.hidden else "") + ("(new, provisional) " if r.provisional else "")
        print(f"#{r.id:<4} {int(counts.get(r.id, 0)):>5}  {marks}{r.label}  [{r.area}]")
    return 0


def cmd_edits(args, settings: Settings, store) -> int:
    from synth import themes

    for r in themes.edits(store).itertuples():
        print(f"edit #{r.id:<4} {r.at:%Y-%m-%d %H:%M}  {r.who:<12} {r.action:<7} theme #{r.theme_id}  {r.payload[:100]}")
    return 0


def cmd_undo_edit(args, settings: Settings, store) -> int:
    from synth import themes

    print(themes.undo(store, args.edit_id, who=args.who))
    return 0


THEME_USAGE = {
    "rename": "synth theme rename ID LABEL",
    "merge": "synth theme merge ID OTHER (OTHER's statements join ID)",
    "split": "synth theme split ID S1,S2,... [LABEL]",
    "hide": "synth theme hide ID",
    "unhide": "synth theme unhide ID",
}


def cmd_theme(args, settings: Settings, store) -> int:
    from synth import themes

    action, values = args.action, args.value
    usage = THEME_USAGE[action]
    if action in ("hide", "unhide") and values:
        raise UsageError(f"theme {action} takes only a theme id; remove {' '.join(values)!r}. Usage: {usage}.")
    if action == "rename" and not " ".join(values).strip():
        raise UsageError(f"theme rename needs the new label. Usage: {usage}.")
    if action == "merge" and len(values) != 1:
        raise UsageError(f"theme merge needs exactly one other theme id, got {len(values)} value(s). Usage: {usage}.")
    if action == "split" and len(values) < 1:
        raise UsageError(f"theme split needs the statement ids to split off. Usage: {usage}.")

    if action == "rename":
        themes.rename(store, args.theme_id, " ".join(values), who=args.who)
    elif action == "hide":
        themes.hide(store, args.theme_id, who=args.who)
    elif action == "unhide":
        themes.hide(store, args.theme_id, who=args.who, hidden=False)
    elif action == "merge":
        themes.merge(store, args.theme_id, _theme_id(values[0], "OTHER"), who=args.who)
    elif action == "split":
        ids = _statement_ids(values[0])
        new = themes.split(store, args.theme_id, ids, " ".join(values[1:]) or "Split theme", who=args.who)
        print(f"new theme #{new}")
    print(f"theme #{args.theme_id}: {args.action} done")
    return 0


def cmd_demo(args, settings: Settings, store) -> int:
    from synth import auth, pipeline

    if not SAMPLE_EXPORT.exists():
        from synth import sample

        sample.write(SAMPLE_EXPORT.parent)
    s = pipeline.import_file(store, settings, SAMPLE_EXPORT, who="demo", progress=Progress(), assign=False)
    print(f"sample import: {s.notes_added} notes added, {s.duplicates} already there")
    if s.notes_added or store.counts()["themes"] == 0:
        cmd_fit(args, settings, store)
    for user, password, role in auth.ensure_demo_users(Path(settings.users_file)):
        print(f"demo account: {user} / {password}  ({role})")
    return 0


def cmd_report(args, settings: Settings, store) -> int:
    from synth import report

    if args.you_said_we_did:
        return cmd_you_said_we_did(args, settings, store)
    if args.html or args.until:
        raise UsageError("--html and --until go with --you-said-we-did. Run `synth report --help` for the usage.")
    markdown = output_path(args.markdown, "--markdown", "brief.md") if args.markdown else None
    csv_path = output_path(args.csv, "--csv") if args.csv else None
    with _writing():
        text = report.run(store, settings, region=args.region, office=args.office, since=args.since, cohort=args.cohort,
                          markdown=markdown and str(markdown), csv_path=csv_path and str(csv_path))
    print(text)
    return 0


def cmd_worker(args, settings: Settings, store) -> int:
    import logging

    from synth import jobs

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    kinds = [args.kind] if args.kind else None

    def said(job) -> None:
        print(f"job #{job.id} {job.kind}: {job.state}" + (f" ({job.error})" if job.error and job.state == "failed" else
                                                          f" ({job.message})" if job.state == "queued" else ""),
              flush=True)

    n = jobs.work(store, settings, until_idle=args.until_idle, kinds=kinds, on_job=said)
    print(f"worker stopped: {n} job(s) ended")
    return 0


def cmd_jobs(args, settings: Settings, store) -> int:
    df = store.jobs_frame(limit=args.limit)
    if df.empty:
        print("no jobs yet")
    for r in df.itertuples():
        progress = f"{r.done:,}/{r.total:,} " if r.total else ""
        print(f"#{r.id:<5} {r.kind:<6} {r.state:<8} {progress}{r.message}  (by {r.who}, attempt {r.attempt}"
              + (f", on {r.worker}" if r.worker else "") + ")" + (f"  error: {r.error}" if r.error else ""))
    return 0


def cmd_you_said_we_did(args, settings: Settings, store) -> int:
    from synth import you_said

    if args.office or args.csv or getattr(args, "cohort", None):
        raise UsageError("--you-said-we-did is by region or program-wide: it takes --region, --since, --until, "
                         "--markdown and --html (not --office, --cohort or --csv).")
    if not (args.markdown or args.html):
        raise UsageError("--you-said-we-did writes a brief: give --markdown FILE and/or --html FILE.")
    markdown = output_path(args.markdown, "--markdown", "you-said-we-did.md") if args.markdown else None
    page = output_path(args.html, "--html", "you-said-we-did.html") if args.html else None
    with _writing():
        print(you_said.run(store, settings, region=args.region, since=args.since, until=args.until,
                           markdown_path=markdown and str(markdown), html_path=page and str(page)))
    return 0


def cmd_action(args, settings: Settings, store) -> int:
    from synth import actions, auth

    if args.due and args.clear_due:
        raise UsageError("give --due DATE or --clear-due, not both.")
    after, changed = actions.act(
        store, args.theme_id, auth.load_users(Path(settings.users_file)), who=args.who,
        status=actions.parse_status(args.status) if args.status else None, owner=args.owner, note=args.note,
        due=actions.parse_due(args.due), reason=args.reason, clear_due=args.clear_due)
    print(f"theme #{args.theme_id}: " + (actions.describe_change(changed) if changed else "no change")
          + f" (now {actions.STATUS_WORDS[after.status].lower()}" + (f", owner {after.owner}" if after.owner else ", no owner")
          + (f", due {after.due}" if after.due else "") + ")")
    return 0


def cmd_actions(args, settings: Settings, store) -> int:
    from datetime import date

    from synth.actions import STATUS_WORDS

    store.follow_lineage()
    themes = store.themes_frame(include_hidden=True).set_index("id")
    acts = store.actions_frame().set_index("theme_id")
    today = date.today()
    print(f"{'theme':<6} {'status':<13} {'owner':<14} {'due':<11} label / decision")
    for tid, t in themes.iterrows():
        a = acts.loc[tid] if tid in acts.index else None
        status = a["status"] if a is not None else "new"
        due = a["due"] if a is not None else None
        if args.status and status != args.status:
            continue
        late = " OVERDUE" if due is not None and due < today and status not in ("done", "wont_do") else ""
        owner = a["owner"] if a is not None and isinstance(a["owner"], str) else "-"
        print(f"#{tid:<5} {STATUS_WORDS[status]:<13} {owner:<14} {str(due or '-'):<11} {t['label']}{late}"
              + (f"\n{'':<47}{a['note']}" if a is not None and a["note"] else ""))
    return 0


def cmd_alerts(args, settings: Settings, store) -> int:
    from synth import alerts

    if args.send:
        done = alerts.send(store, settings)
        print(f"alerts: {done['sent']} sent, {done['failed']} failed (retried by the next `synth alerts --send`)")
    df = store.alerts_frame()
    if df.empty:
        print("no alerts yet")
    for r in df.head(args.limit).itertuples():
        print(f"#{r.id:<5} {r.created_at:%Y-%m-%d %H:%M} {r.state:<8} to {', '.join(r.recipients) or '(nobody)'}: "
              f"{r.subject}" + (f"  [{r.last_error}]" if r.last_error else ""))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="synth", description="Frontline feedback synthesis for reverse-mentoring programs.")
    p.add_argument("--who", default=os.environ.get("USER", "cli"), help="name recorded with imports and edits")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("import", help="import a note export (CSV, XLSX, JSON, JSON Lines)")
    s.add_argument("path")
    s.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                   help="map a column explicitly, e.g. --map notes=Summary "
                        "(fields: note_id meeting_date region office partner executive notes cohort)")
    s.add_argument("--skip-bad-rows", action="store_true", help="import the valid rows and report the invalid ones")
    s.add_argument("--header-row", type=int, metavar="N",
                   help="the row that names the columns, numbered as the spreadsheet shows it (default: found in "
                        "the file, passing over title rows)")
    s.add_argument("--region", metavar="NAME", help="the region of every note, for a file with no region column")
    s.add_argument("--office", metavar="NAME", help="the office of every note, for a file with no office column")
    s.add_argument("--dates", choices=["day-first", "month-first"],
                   help="how to read dates like 03/04/2026 when no date in the file tells (none has a day over 12)")
    s.set_defaults(func=cmd_import)
    sub.add_parser("fit", help="fit (or refit) themes over all issue statements").set_defaults(func=cmd_fit)
    s = sub.add_parser("export", help="export data")
    s.add_argument("what", choices=["statements"])
    s.add_argument("--out", required=True)
    s.set_defaults(func=cmd_export)
    s = sub.add_parser("undo", help="undo an import")
    s.add_argument("import_id", type=int)
    s.set_defaults(func=cmd_undo)
    sub.add_parser("imports", help="list imports").set_defaults(func=cmd_imports)
    sub.add_parser("themes", help="list themes").set_defaults(func=cmd_themes)
    s = sub.add_parser("theme", help="curate a theme: rename ID LABEL | merge ID OTHER | split ID S1,S2 LABEL | hide ID | unhide ID")
    s.add_argument("action", choices=["rename", "merge", "split", "hide", "unhide"])
    s.add_argument("theme_id", type=int)
    s.add_argument("value", nargs="*")
    s.set_defaults(func=cmd_theme)
    sub.add_parser("edits", help="the history of theme edits, newest first").set_defaults(func=cmd_edits)
    s = sub.add_parser("undo-edit", help="undo one theme edit (rename, merge, split, hide) from `synth edits`")
    s.add_argument("edit_id", type=int)
    s.set_defaults(func=cmd_undo_edit)
    sub.add_parser("demo", help="import the bundled sample export, fit themes, create demo accounts").set_defaults(func=cmd_demo)
    s = sub.add_parser("worker", help="run queued imports and fits (jobs) until stopped; any number may run at once")
    s.add_argument("--until-idle", action="store_true", help="stop when no job waits or runs (on any worker) instead of waiting for more")
    s.add_argument("--kind", choices=["import", "fit"], help="run only jobs of this kind")
    s.set_defaults(func=cmd_worker)
    s = sub.add_parser("jobs", help="list jobs, newest first: state, progress and errors")
    s.add_argument("--limit", type=int, default=20)
    s.set_defaults(func=cmd_jobs)
    s = sub.add_parser("report", help="print the top surfacing themes")
    s.add_argument("--region")
    s.add_argument("--office")
    s.add_argument("--cohort", metavar="NAME", help="only partners of this cohort: as the export names it, or the "
                                                  "half-year of their first meeting, e.g. 2025-H2")
    s.add_argument("--since", help="start of the recent window, YYYY-MM-DD (default: 8 weeks before the latest note)")
    s.add_argument("--markdown", help="also write the report as Markdown to this file")
    s.add_argument("--csv", help="also write the figures as CSV to this file")
    s.add_argument("--you-said-we-did", action="store_true",
                   help="instead, the brief for partners: themes raised in a period and what happened to each "
                        "(--since/--until: the period, default the last 90 days of notes)")
    s.add_argument("--until", help="with --you-said-we-did: end of the period, YYYY-MM-DD (default: the latest note)")
    s.add_argument("--html", help="with --you-said-we-did: also write the brief as an HTML page to this file")
    s.set_defaults(func=cmd_report)
    s = sub.add_parser("action", help="set a theme's owner, status, decision note or due date")
    s.add_argument("theme_id", type=int)
    s.add_argument("--status", help="new, acknowledged, in_progress, done or wont_do (wont_do needs --reason)")
    s.add_argument("--owner", help="a dashboard user: an executive, an admin, or a director of a region it is raised in")
    s.add_argument("--note", help="the decision, in a sentence or two (names and contact details are redacted)")
    s.add_argument("--due", help="due date, YYYY-MM-DD")
    s.add_argument("--clear-due", action="store_true", help="remove the due date")
    s.add_argument("--reason", help="why not, for --status wont_do")
    s.set_defaults(func=cmd_action)
    s = sub.add_parser("actions", help="every theme's status, owner, due date and decision")
    s.add_argument("--status", choices=["new", "acknowledged", "in_progress", "done", "wont_do"])
    s.set_defaults(func=cmd_actions)
    s = sub.add_parser("alerts", help="the alert outbox, newest first; --send mails what is pending or failed")
    s.add_argument("--send", action="store_true", help="send pending and failed alerts over SYNTH_SMTP_URL")
    s.add_argument("--limit", type=int, default=30)
    s.set_defaults(func=cmd_alerts)
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        from synth.store import open_store

        settings = Settings.from_env()
        store = open_store(settings)
        try:
            return args.func(args, settings, store)
        finally:
            store.close()
    except SynthError as exc:
        print(f"synth: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("synth: interrupted; nothing from the unfinished step was saved", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`synth themes | head`): stop quietly, as Unix tools do. Point
        # stdout at /dev/null so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
