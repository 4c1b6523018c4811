"""Alerts: what counts as an event, who is told, and how a message is sent.

    events     a theme starts surfacing (the low end of its growth crosses 1, `signals.surfacing`),
               a provisional new theme appears, an owned theme's volume jumps
    recipients the theme's owner, else every admin
    delivery   SMTP when SYNTH_SMTP_URL is set; otherwise the alert waits in the outbox the
               dashboard shows, and `synth alerts --send` sends it once SMTP is set

Each event has a key (kind, theme and what made it an event); the store keeps one row per key,
so an event is one message however often alerts are computed, and a failed send is retried
on the same row, never queued twice.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Mapping, Protocol
from urllib.parse import unquote, urlsplit

import pandas as pd

from synth.errors import ConfigError

VOLUME_MIN = 10  # an owned theme "jumps" when it gains at least this many statements since the last check ...
VOLUME_SHARE = 0.5  # ... and at least this share of what it had


@dataclass(frozen=True)
class Event:
    key: str
    kind: str  # surfacing | provisional | volume
    theme_id: int
    subject: str
    body: str


def events(ranked: pd.DataFrame, themes: pd.DataFrame, watch: Mapping[int, tuple[bool, int]],
           owners: Mapping[int, str], asof: str) -> list[Event]:
    """Events since the last check. `ranked`: `signals.ranked` over every statement (theme_id,
    statements, surfacing, ratio_low); `themes`: active visible themes (id, label, provisional);
    `watch`: what the last check saw per theme, (surfacing, statements); `owners`: owned themes;
    `asof`: the latest meeting date, which tells one surfacing episode from a later one."""
    figures = ranked.set_index("theme_id") if len(ranked) else pd.DataFrame(columns=["statements", "surfacing"])
    out = []
    for t in themes.itertuples():
        tid, label = int(t.id), str(t.label)
        surfacing = bool(figures["surfacing"].get(tid, False))
        count = int(figures["statements"].get(tid, 0))
        before = watch.get(tid)
        if surfacing and not (before and before[0]):
            low = float(figures["ratio_low"].get(tid, 0.0)) if "ratio_low" in figures else 0.0
            out.append(Event(f"surfacing:{tid}:{asof}", "surfacing", tid, f"Surfacing: {label}",
                             f"Theme #{tid} \u201c{label}\u201d is surfacing: in the last 8 weeks it came up at least "
                             f"{low:.1f} times as often as before ({count} statements in all)."))
        if bool(getattr(t, "provisional", False)):
            out.append(Event(f"provisional:{tid}", "provisional", tid, f"New theme: {label}",
                             f"A new theme formed from alike statements since the last fit: #{tid} \u201c{label}\u201d "
                             f"({count} statements). The next fit confirms or dissolves it."))
        if tid in owners and before is not None and count - before[1] >= max(VOLUME_MIN, VOLUME_SHARE * before[1]):
            out.append(Event(f"volume:{tid}:{count}", "volume", tid, f"More about: {label}",
                             f"Theme #{tid} \u201c{label}\u201d, which you own, went from {before[1]} to {count} "
                             "statements since the last check."))
    return out


def recipients(owner: str | None, users: Mapping[str, dict]) -> list[str]:
    """The owner, if the theme has one who is still a user; otherwise every admin."""
    if owner and owner in users:
        return [owner]
    return sorted(u for u, v in users.items() if v.get("role") == "admin")


def address(username: str, users: Mapping[str, dict]) -> str:
    user = users.get(username, {})
    email = user.get("email") or (username if "@" in username else "")
    if not email:
        raise ConfigError(f"User {username!r} has no e-mail address: add \"email\": \"...\" to their entry in the "
                          "users file (SYNTH_USERS_FILE), then run `synth alerts --send`.")
    return email


def message(alert: Mapping, to: list[str], sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, ", ".join(to), f"[synth] {alert['subject']}"
    # One id per event: a mail system that sees a message again can tell it is the same one.
    msg["Message-ID"] = make_msgid(idstring=f"alert-{alert['id']}", domain="synth.invalid")
    msg["X-Synth-Event"] = alert["event_key"]
    msg.set_content(alert["body"] + "\n\nOpen the dashboard's Actions page to see who owns it and what was decided.\n")
    return msg


class Transport(Protocol):
    def send(self, msg: EmailMessage) -> None: ...


@dataclass(frozen=True)
class SMTP:
    """Sends over SMTP: smtp://[user:password@]host[:port] (STARTTLS when the server offers
    it), or smtps:// for TLS from the start."""

    url: str
    timeout: float = 10.0

    def __post_init__(self):
        parts = urlsplit(self.url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ConfigError(f"SYNTH_SMTP_URL={self.url!r} is not an SMTP address; use smtp://host:port "
                              "(or smtps://user:password@host:465).")

    def send(self, msg: EmailMessage) -> None:
        parts = urlsplit(self.url)
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
        cls = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
        with cls(parts.hostname, port, timeout=self.timeout) as smtp:
            if parts.scheme == "smtp":
                smtp.ehlo()
                if smtp.has_extn("starttls"):
                    smtp.starttls(context=ssl.create_default_context())
            if parts.username:
                smtp.login(unquote(parts.username), unquote(parts.password or ""))
            smtp.send_message(msg)


# ---- the loop: after an import or a fit, and `synth alerts --send` -----------------------------
def check(store, settings, users: Mapping[str, dict] | None = None, transport: Transport | None = None) -> int:
    """Compute this moment's events, queue the new ones (once per key) and, when SMTP is set,
    send what is waiting. Returns how many alerts were queued."""
    from pathlib import Path

    from synth import auth, signals

    users = auth.load_users(Path(settings.users_file)) if users is None else users
    tally = store.tally()
    themes = store.themes_frame()
    if themes.empty or tally.when.empty:
        return 0
    ranked = signals.ranked(tally)
    ranked = ranked[ranked["theme_id"].isin(themes["id"])]
    store.follow_lineage()
    acts = store.actions_frame()
    owners = {int(t): o for t, o in zip(acts["theme_id"], acts["owner"]) if isinstance(o, str) and o}
    asof = tally.last_day.date().isoformat()
    found = events(ranked, themes, store.alert_watch(), owners, asof)
    rows = [dict(event_key=e.key, kind=e.kind, theme_id=e.theme_id, subject=e.subject, body=e.body,
                 recipients=recipients(owners.get(e.theme_id), users)) for e in found]
    seen = {int(r.theme_id): (bool(r.surfacing), int(r.statements)) for r in ranked.itertuples()}
    queued = store.queue_alerts(rows, seen)
    if settings.smtp_url or transport is not None:
        send(store, settings, users, transport)
    return queued


def send(store, settings, users: Mapping[str, dict] | None = None, transport: Transport | None = None) -> dict:
    """Send every pending or failed alert once; a failure is kept with its error, to be retried.
    Returns {"sent": n, "failed": n}."""
    from pathlib import Path

    from synth import auth

    if transport is None:
        if not settings.smtp_url:
            raise ConfigError("Alerts are sent over SMTP, and SYNTH_SMTP_URL is not set: set it to smtp://host:port "
                              "(alerts wait in the outbox meanwhile).")
        transport = SMTP(settings.smtp_url)
    users = auth.load_users(Path(settings.users_file)) if users is None else users
    done = {"sent": 0, "failed": 0}
    owners = None
    for alert in store.sendable_alerts():
        if not store.claim_alert(alert["id"]):
            continue  # another sender took it
        to = alert["recipients"]
        if not to:  # queued when nobody could receive it (no owner, no admin yet): ask again now
            if owners is None:
                acts = store.actions_frame()
                owners = dict(zip(acts["theme_id"], acts["owner"]))
            to = recipients(owners.get(alert["theme_id"]), users)
        try:
            if not to:
                raise ConfigError("Nobody to send it to: the theme has no owner and the users file has no admin.")
            transport.send(message(alert, [address(u, users) for u in to], settings.smtp_from))
        except (OSError, smtplib.SMTPException, ConfigError) as exc:
            store.finish_alert(alert["id"], f"{type(exc).__name__}: {exc}", to)
            done["failed"] += 1
        else:
            store.finish_alert(alert["id"], None, to)
            done["sent"] += 1
    return done
