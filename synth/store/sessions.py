"""Dashboard sessions signed out before they expire, refused by every server (issue #16).

Sessions themselves are signed tokens that any server can check (`synth.auth.session_token`);
only their early end needs shared state. Tokens are kept as hashes, forgotten once expired."""

from __future__ import annotations

import hashlib
import time

import sqlalchemy as sa

from synth.store.schema import insert_missing, revoked_sessions


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Sessions:
    def revoke_session(self, token: str, expires_at: float) -> None:
        with self.engine.begin() as conn:
            conn.execute(revoked_sessions.delete().where(revoked_sessions.c.expires_at < time.time()))
            conn.execute(insert_missing(conn, revoked_sessions, [dict(token_hash=_hash(token), expires_at=expires_at)]))

    def session_revoked(self, token: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.literal(True)).where(revoked_sessions.c.token_hash == _hash(token))).first() is not None
