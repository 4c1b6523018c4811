"""Alerts (#17): events, the outbox, and delivery over a real SMTP server (aiosmtpd, started here)."""

import socket
from email import message_from_bytes
from pathlib import Path

import pandas as pd
import pytest

from synth import actions, alerts, auth, pipeline

USERS = {"boss": {"role": "executive", "email": "boss@example.org"},
         "root": {"role": "admin", "email": "root@example.org"},
         "ops": {"role": "admin", "email": "ops@example.org"}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """A real SMTP server on localhost that keeps what it receives."""

    def __init__(self, port: int):
        from aiosmtpd.controller import Controller

        self.messages: list = []
        inbox = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                inbox.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


def _ranked(rows):
    return pd.DataFrame(rows, columns=["theme_id", "statements", "surfacing", "ratio_low"])


THEMES = pd.DataFrame({"id": [1, 2, 3], "label": ["Scanner", "Parking", "New: e-sign"],
                       "provisional": [False, False, True]})


def test_events_are_changes_not_states():
    ranked = _ranked([(1, 40, True, 2.5), (2, 30, False, 0.8), (3, 6, False, 0.0)])
    first = alerts.events(ranked, THEMES, {}, {2: "boss"}, "2026-03-01")
    assert sorted(e.key for e in first) == ["provisional:3", "surfacing:1:2026-03-01"]
    # the same state again: still surfacing, nothing new to say (the provisional key repeats; the outbox keeps one)
    again = alerts.events(ranked, THEMES, {1: (True, 40), 2: (False, 30), 3: (False, 6)}, {2: "boss"}, "2026-03-08")
    assert [e.key for e in again] == ["provisional:3"]
    # an owned theme's volume jumps; an unowned one growing as much does not alert
    grown = _ranked([(1, 80, True, 2.5), (2, 45, False, 1.0), (3, 6, False, 0.0)])
    jumped = alerts.events(grown, THEMES, {1: (True, 40), 2: (False, 30), 3: (False, 6)}, {2: "boss"}, "2026-03-08")
    assert [e.key for e in jumped if e.kind == "volume"] == ["volume:2:45"]
    small = _ranked([(1, 40, True, 2.5), (2, 38, False, 1.0), (3, 6, False, 0.0)])
    assert not [e for e in alerts.events(small, THEMES, {2: (False, 30)}, {2: "boss"}, "x") if e.kind == "volume"]


def test_recipients_are_the_owner_else_the_admins():
    assert alerts.recipients("boss", USERS) == ["boss"]
    assert alerts.recipients(None, USERS) == ["ops", "root"]
    assert alerts.recipients("gone", USERS) == ["ops", "root"]  # an owner removed from the users file


def _with_users(settings, extra: dict | None = None) -> dict:
    users = {name: dict(u, password_hash=auth.hash_password("a-long-password")) for name, u in USERS.items()}
    auth.save_users(Path(settings.users_file), {**users, **(extra or {})})
    return auth.load_users(Path(settings.users_file))


def test_check_queues_each_event_once(fitted_copy):
    settings, store = fitted_copy
    users = _with_users(settings)
    before = len(store.alerts_frame())  # the fixture's import and fit computed alerts already
    assert alerts.check(store, settings, users) == 0  # nothing changed since
    tid = int(store.themes_frame()["id"].iloc[0])
    store.queue_alerts([], {})  # forget what was seen: every surfacing theme "starts" again...
    alerts.check(store, settings, users)
    keys = store.alerts_frame()["event_key"]
    assert keys.is_unique  # ...but an event already in the outbox is not queued twice
    assert len(keys) == before
    actions.act(store, tid, users, "boss", owner="boss")
    assert set(store.alerts_frame()["state"]) <= {"pending"}


def test_alerts_are_mailed_once_and_a_failed_send_is_retried_without_duplicates(fitted_copy, monkeypatch):
    settings, store = fitted_copy
    users = _with_users(settings)
    port = free_port()
    settings = settings.__class__(**{**settings.__dict__, "smtp_url": f"smtp://127.0.0.1:{port}",
                                     "smtp_from": "synth@example.org"})
    owned = int(store.themes_frame()["id"].iloc[0])
    actions.act(store, owned, users, "boss", owner="boss")
    store.queue_alerts([dict(event_key="surfacing:%d:test" % owned, kind="surfacing", theme_id=owned,
                             subject="Surfacing: a theme", body="It is surfacing.", recipients=["boss"]),
                        dict(event_key="provisional:test", kind="provisional", theme_id=owned,
                             subject="New theme: <b>x</b>", body="New.", recipients=["ops", "root"])],
                       store.alert_watch())
    waiting = len(store.sendable_alerts())
    assert waiting >= 2

    # the server is down: every send fails, is kept with its error and counted
    assert alerts.send(store, settings, users) == {"sent": 0, "failed": waiting}
    failed = store.alerts_frame()
    assert set(failed["state"]) == {"failed"} and (failed["attempts"] == 1).all()
    assert failed["last_error"].str.contains("Connection refused|ConnectionRefused").all()

    with Inbox(port) as inbox:
        assert alerts.send(store, settings, users) == {"sent": waiting, "failed": 0}
        assert alerts.send(store, settings, users) == {"sent": 0, "failed": 0}  # nothing twice
        pipeline.closed_loop(store, settings)  # a later check with SMTP set: no new event, no resend
        assert len(inbox.messages) == waiting
        events = [m["X-Synth-Event"] for _, m in inbox.messages]
        assert len(set(events)) == waiting
        to_boss = next(m for rcpt, m in inbox.messages if m["X-Synth-Event"] == "surfacing:%d:test" % owned)
        assert to_boss["To"] == "boss@example.org" and to_boss["From"] == "synth@example.org"
        assert "It is surfacing." in to_boss.get_payload()
        to_admins = next(rcpt for rcpt, m in inbox.messages if m["X-Synth-Event"] == "provisional:test")
        assert sorted(to_admins) == ["ops@example.org", "root@example.org"]
    sent = store.alerts_frame()
    assert set(sent["state"]) == {"sent"} and (sent["attempts"] == 2).all() and (sent["last_error"] == "").all()


def test_a_user_without_an_address_fails_that_alert_with_how_to_fix(fitted_copy):
    settings, store = fitted_copy
    users = _with_users(settings, {"nomail": {"role": "executive", "password_hash": "x"}})
    store.queue_alerts([dict(event_key="k", kind="surfacing", theme_id=1, subject="s", body="b",
                             recipients=["nomail"])], {})

    class Recorder:
        sent: list = []

        def send(self, msg):
            self.sent.append(msg["X-Synth-Event"])

    alerts.send(store, settings, users, transport=Recorder())
    row = store.alerts_frame().set_index("event_key").loc["k"]
    assert row["state"] == "failed" and '"email"' in row["last_error"] and "k" not in Recorder.sent


def test_alerts_send_without_smtp_says_what_to_set(fitted_copy, monkeypatch, capsys):
    from synth import cli

    settings, _ = fitted_copy
    for key, value in {"SYNTH_DB_URL": settings.db_url, "SYNTH_SECRET_FILE": settings.secret_file,
                       "SYNTH_USERS_FILE": settings.users_file}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("SYNTH_SMTP_URL", raising=False)
    assert cli.main(["alerts", "--send"]) == 2
    err = capsys.readouterr().err
    assert "SYNTH_SMTP_URL" in err and err.count("\n") == 1
    monkeypatch.setenv("SYNTH_SMTP_URL", "http://mail")
    assert cli.main(["alerts", "--send"]) == 2
    assert "not an SMTP address" in capsys.readouterr().err


@pytest.mark.parametrize("url", ["smtp://127.0.0.1:25", "smtps://u:p@mail.example.org:465"])
def test_smtp_urls_are_accepted(url):
    alerts.SMTP(url)
