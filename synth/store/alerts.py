"""The alert outbox (one row per event key) and what the last alert check saw per theme."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Mapping, Sequence

import pandas as pd
import sqlalchemy as sa

from synth.store.schema import alert_watch, alerts, insert_missing, now

SENDABLE = ("pending", "failed")


STALE_CLAIM = timedelta(minutes=10)  # a sender that took an alert this long ago and never finished died


def _sendable() -> sa.ColumnElement:
    return sa.or_(alerts.c.state.in_(SENDABLE),
                  sa.and_(alerts.c.state == "sending", alerts.c.claimed_at < now() - STALE_CLAIM))


class Alerts:
    def alert_watch(self) -> dict[int, tuple[bool, int]]:
        with self.engine.connect() as conn:
            return {r.theme_id: (bool(r.surfacing), int(r.statements)) for r in conn.execute(sa.select(alert_watch))}

    def queue_alerts(self, rows: Sequence[Mapping], watch: Mapping[int, tuple[bool, int]]) -> int:
        """Add the events not queued before (by key) and record what this check saw, in one
        transaction. Returns how many were new."""
        at = now()
        with self.engine.begin() as conn:
            before = set(conn.execute(sa.select(alerts.c.event_key)).scalars())
            fresh = [dict(r, recipients=json.dumps(list(r["recipients"])), created_at=at, attempts=0, last_error="",
                          state="pending") for r in rows if r["event_key"] not in before]
            if fresh:
                conn.execute(insert_missing(conn, alerts, fresh, "event_key"))
            conn.execute(alert_watch.delete())
            if watch:
                conn.execute(alert_watch.insert(), [dict(theme_id=t, surfacing=s, statements=n, checked_at=at)
                                                    for t, (s, n) in watch.items()])
        return len(fresh)

    def alerts_frame(self, recipient: str | None = None) -> pd.DataFrame:
        """The outbox, newest first; with `recipient`, only the alerts addressed to them."""
        with self.engine.connect() as conn:
            df = pd.read_sql(sa.select(alerts).order_by(alerts.c.id.desc()), conn)
        df["recipients"] = df["recipients"].map(json.loads)
        if recipient is not None:
            df = df[df["recipients"].map(lambda names: recipient in names)].reset_index(drop=True)
        return df

    def sendable_alerts(self) -> list[dict]:
        """Alerts waiting to be sent: pending, failed, or taken by a sender that died while sending."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(alerts).where(_sendable()).order_by(alerts.c.id)).all()
        return [{**r._asdict(), "recipients": json.loads(r.recipients)} for r in rows]

    def claim_alert(self, alert_id: int) -> bool:
        """Take an alert to send it, counting the attempt: of two senders retrying at once, one
        gets it (the other finds it no longer sendable)."""
        with self.engine.begin() as conn:
            done = conn.execute(alerts.update().where(alerts.c.id == alert_id, _sendable())
                                .values(state="sending", claimed_at=now(), attempts=alerts.c.attempts + 1))
        return done.rowcount == 1

    def finish_alert(self, alert_id: int, error: str | None, recipients: Sequence[str] | None = None) -> None:
        """Sent (error None) or failed with `error`; `recipients`: who it went (or was to go) to."""
        values = dict(state="failed", last_error=error[:500]) if error else dict(state="sent", last_error="", sent_at=now())
        if recipients is not None:
            values["recipients"] = json.dumps(list(recipients))
        with self.engine.begin() as conn:
            conn.execute(alerts.update().where(alerts.c.id == alert_id).values(**values))
