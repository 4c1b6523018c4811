"""Actions on themes: who owns a theme, what its status is and what was decided. Pure rules
(statuses and the moves between them, who may own a theme, what is overdue); the store keeps
the rows (`synth/store/actions.py`) and the access layer decides who may act (`Scoped.act`).

    new -> acknowledged -> in_progress -> done
      \\____________\\______________\\---> wont_do (with a reason)

A closed action (done, won't do) can be reopened as acknowledged or in progress; nothing goes
back to new. Setting the same status again only changes the owner, note or due date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable, Mapping

from synth import roles
from synth.errors import UsageError

STATUSES = ("new", "acknowledged", "in_progress", "done", "wont_do")
STATUS_WORDS = {"new": "New", "acknowledged": "Acknowledged", "in_progress": "In progress", "done": "Done",
                "wont_do": "Won't do"}
CLOSED = frozenset({"done", "wont_do"})
MOVES = {
    "new": {"acknowledged", "in_progress", "done", "wont_do"},
    "acknowledged": {"in_progress", "done", "wont_do"},
    "in_progress": {"acknowledged", "done", "wont_do"},
    "done": {"acknowledged", "in_progress"},
    "wont_do": {"acknowledged", "in_progress"},
}
OWNER_ROLES = roles.with_right("act")  # coordinators import notes; they do not own themes (synth/roles.py)
ACTING_ROLES = frozenset(OWNER_ROLES)
FIELDS = ("owner", "status", "reason", "note", "due")
MAX_TEXT = 2000


@dataclass(frozen=True)
class Action:
    """A theme's action as stored; a theme nobody acted on yet is `Action(theme_id)`."""

    theme_id: int
    owner: str | None = None
    status: str = "new"
    reason: str = ""
    note: str = ""
    due: date | None = None

    def overdue(self, today: date) -> bool:
        return self.due is not None and self.due < today and self.status not in CLOSED

    def values(self) -> dict:
        return {f: getattr(self, f) for f in FIELDS}


def parse_status(text: str) -> str:
    """'in progress', 'In-Progress', "won't do" -> the stored name; anything else is refused."""
    key = text.strip().lower().replace("'", "").replace("-", "_").replace(" ", "_")
    key = {"wontdo": "wont_do", "inprogress": "in_progress"}.get(key, key)
    if key not in STATUSES:
        raise UsageError(f"--status {text!r} is not a status; use one of {', '.join(STATUSES)}.")
    return key


def parse_due(text: str | None) -> date | None:
    if text is None or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--due {text!r} is not a date; use YYYY-MM-DD, e.g. --due 2026-12-31.") from None


def check_owner(owner: str, users: Mapping[str, dict], theme_regions: Iterable[str]) -> None:
    """An owner is a dashboard user who could act on the theme: an executive, an admin, or a
    director of a region the theme is raised in."""
    user = users.get(owner)
    if user is None:
        known = ", ".join(sorted(u for u, v in users.items() if v.get("role") in OWNER_ROLES)) or "none yet"
        raise UsageError(f"--owner {owner!r} is not a dashboard user; owners are users of the users file "
                         f"(executives, directors, admins: {known}).")
    role = user.get("role")
    if role not in OWNER_ROLES:
        raise UsageError(f"--owner {owner!r} is a {role}; a theme's owner is an executive, an admin, or a director "
                         "of a region it is raised in.")
    if role == "director" and not set(user.get("regions", ())) & set(theme_regions):
        raise UsageError(f"--owner {owner!r} is the director of {', '.join(user.get('regions', ()))}, where this theme "
                         "is not raised; pick a director of a region it is raised in, or an executive.")


def change(current: Action, *, status: str | None = None, owner: str | None = None, note: str | None = None,
           due: date | None = None, reason: str | None = None, clear_due: bool = False,
           clear_owner: bool = False) -> tuple[Action, dict]:
    """The action after a change, and what changed ({field: [old, new]}); refused with a
    message when the move is not allowed. None leaves a field as it is."""
    new = current.values()
    if status is not None:
        if status not in STATUSES:
            raise UsageError(f"--status {status!r} is not a status; use one of {', '.join(STATUSES)}.")
        if status != current.status and status not in MOVES[current.status]:
            allowed = ", ".join(sorted(MOVES[current.status]))
            raise UsageError(f"Theme #{current.theme_id} is {STATUS_WORDS[current.status].lower()}; it can move to "
                             f"{allowed} (or keep its status), not back to {status}.")
        new["status"] = status
    for name, value in (("note", note), ("reason", reason)):
        if value is not None:
            value = " ".join(value.split()) if name == "reason" else value.strip()
            if len(value) > MAX_TEXT:
                raise UsageError(f"--{name} is {len(value)} characters; keep it under {MAX_TEXT}.")
            new[name] = value
    if owner is not None:
        new["owner"] = owner.strip() or None
    if clear_owner:
        new["owner"] = None
    if due is not None:
        new["due"] = due
    if clear_due:
        new["due"] = None
    if new["status"] == "wont_do" and not new["reason"]:
        raise UsageError(f"Theme #{current.theme_id}: \"won't do\" needs a reason (--reason TEXT): partners are told why.")
    if new["status"] != "wont_do" and status is not None and reason is None:
        new["reason"] = ""  # a reason belongs to "won't do" only
    changed = {f: [_show(current.values()[f]), _show(new[f])] for f in FIELDS if current.values()[f] != new[f]}
    return Action(current.theme_id, **new), changed


def _show(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def describe_change(changes: Mapping[str, list], remark: str = "") -> str:
    """One history line in words: "status: new -> in progress; owner: exec"."""
    parts = []
    for field, (old, new) in changes.items():
        if field == "status":
            old, new = STATUS_WORDS.get(old, old), STATUS_WORDS.get(new, new)
        parts.append(f"{field}: {old or '-'} \u2192 {new or '-'}" if old else f"{field}: {new or '-'}")
    return "; ".join(([remark] if remark else []) + parts) or "no change"


def redact(text: str, places: Iterable[str] = ()) -> str:
    """A decision note or reason with people's names and contact details replaced, as note text
    is before it is stored: the "you said, we did" brief goes to partners."""
    if not text.strip():
        return text
    from synth import text as nlp_text

    nlp = nlp_text.load_nlp()
    ctx = nlp_text.Context(places=frozenset(p.casefold() for p in places))
    return nlp_text.apply_redactions(text, nlp_text.redaction_spans(nlp(text), ctx))


def current(store, theme_id: int) -> Action:
    row = store.action_row(theme_id)
    return Action(theme_id) if row is None else Action(theme_id, **{f: row[f] for f in FIELDS})


def act(store, theme_id: int, users: Mapping[str, dict], who: str, **fields) -> tuple[Action, dict]:
    """Change a theme's action as `who` (who may, the access layer decides: `Scoped.act`; the
    CLI is the operator's). `fields`: as `change` takes them. The owner must be able to act on
    the theme; notes and reasons are redacted before they are stored."""
    from synth.errors import NotFound

    active = store.themes_frame(include_hidden=True)
    if theme_id not in set(active["id"]):
        raise NotFound(f"There is no active theme #{theme_id}. `synth themes` lists them.")
    store.follow_lineage()
    regions = store.theme_regions(theme_id)
    if fields.get("owner"):
        check_owner(fields["owner"].strip(), users, regions)
    for name in ("note", "reason"):
        if fields.get(name):
            fields[name] = redact(fields[name], regions | store.offices())
    after, changed = change(current(store, theme_id), **fields)
    if changed:
        store.write_action(theme_id, after.values(), changed, who)
    return after, changed


def table(themes, acts, ranked, today: date):  # ranked: None where surfacing is not needed
    """Every theme the viewer sees with its action, for the Actions page: status, owner, due
    date, decision, and whether it is surfacing (`ranked`: `signals.ranked` under the k rule),
    overdue or unowned."""
    import pandas as pd

    a = acts.set_index("theme_id") if len(acts) else pd.DataFrame(columns=["status", "owner", "due", "note", "reason"])
    surfacing = ranked.set_index("theme_id")["surfacing"] if ranked is not None and len(ranked) else pd.Series(dtype=bool)
    ids = themes["id"].astype(int)
    status = ids.map(a["status"]).fillna("new")
    owner = [o if isinstance(o, str) and o else None for o in ids.map(a["owner"])]
    due = [d if isinstance(d, date) else None for d in ids.map(a["due"])]
    out = pd.DataFrame({
        "theme_id": ids.values, "theme": themes["label"].values,
        "status": status.map(STATUS_WORDS).values, "owner": pd.Series(owner, dtype=object).values,
        "due": pd.Series(due, dtype=object).values,
        "decision": ids.map(a["note"]).fillna("").values,
        "surfacing": ids.map(surfacing).eq(True).to_numpy(),
    })
    out["overdue"] = [d is not None and d < today and s not in CLOSED for d, s in zip(out["due"], status.values)]
    out["unowned"] = out["owner"].isna()
    return out.sort_values(["surfacing", "overdue", "unowned"], ascending=False).reset_index(drop=True)


def card_text(acts, theme_id: int, today: date) -> str:
    """The status line on a theme card: "In progress · owner exec · due 2026-01-31 (overdue)"."""
    row = acts[acts["theme_id"] == theme_id] if len(acts) else acts
    if not len(row):
        return "New · no owner"
    r = row.iloc[0]
    a = Action(theme_id, owner=r["owner"] if isinstance(r["owner"], str) else None, status=r["status"],
               due=r["due"] if isinstance(r["due"], date) else None)
    return " · ".join([STATUS_WORDS[a.status], f"owner {a.owner}" if a.owner else "no owner"]
                      + ([f"due {a.due}" + (" (overdue)" if a.overdue(today) else "")] if a.due else []))
