"""Dashboard viewers: last visits and the sign-in throttle, kept in the store so every server and restart shares them."""

from __future__ import annotations

from datetime import datetime
from typing import Callable, Sequence

import sqlalchemy as sa

from synth.store.schema import insert_missing, now, sign_in_failures, visits


class Viewers:
    def last_visit(self, username: str, touch: bool = False) -> datetime | None:
        with self.engine.begin() as conn:
            seen = conn.execute(sa.select(visits.c.last_seen).where(visits.c.username == username)).scalar()
            if touch:
                if seen is None:
                    conn.execute(visits.insert().values(username=username, last_seen=now()))
                else:
                    conn.execute(visits.update().where(visits.c.username == username).values(last_seen=now()))
        return seen

    def claim_sign_in(self, keys: Sequence[str], wait_for: Callable[[str, int, float], float], now: float,
                      forget_before: float) -> float:
        """One sign-in attempt against these failure counters, atomically. Inside one transaction
        that holds the write lock (SQLite: its first statement writes; PostgreSQL: the rows are
        locked), it reads each key's failures (forgetting those last seen before
        `forget_before`), asks `wait_for(key, failures, last_at)`, and, when no key says wait,
        counts the attempt as a failure on every key before any other attempt can read them.
        Returns the longest wait in seconds (0: go ahead; `clear_sign_in` takes the count back
        when the password was right). So a burst of parallel guesses is counted one by one."""
        with self.engine.begin() as conn:
            conn.execute(sign_in_failures.delete().where(sign_in_failures.c.last_at < forget_before))
            conn.execute(insert_missing(conn, sign_in_failures, [dict(key=k, failures=0, last_at=now) for k in keys]))
            rows = conn.execute(sa.select(sign_in_failures).where(sign_in_failures.c.key.in_(list(keys)))
                                .with_for_update()).all()
            wait = max((wait_for(r.key, r.failures, r.last_at) for r in rows), default=0.0)
            if wait <= 0:
                conn.execute(sign_in_failures.update().where(sign_in_failures.c.key.in_(list(keys)))
                             .values(failures=sign_in_failures.c.failures + 1, last_at=now))
        return max(wait, 0.0)

    def uncount_sign_in(self, keys: Sequence[str]) -> None:
        """Take back one attempt `claim_sign_in` counted on these keys."""
        with self.engine.begin() as conn:
            conn.execute(sign_in_failures.update().where(sign_in_failures.c.key.in_(list(keys)),
                                                         sign_in_failures.c.failures > 0)
                         .values(failures=sign_in_failures.c.failures - 1))

    def clear_sign_in(self, keys: Sequence[str]) -> None:
        with self.engine.begin() as conn:
            conn.execute(sign_in_failures.delete().where(sign_in_failures.c.key.in_(list(keys))))

    def sign_in_failures(self, key: str) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sign_in_failures.c.failures).where(sign_in_failures.c.key == key))
                       .scalar() or 0)

