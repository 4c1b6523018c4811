"""Dashboard users: a JSON file of users with bcrypt-hashed passwords, roles and regions.

    executive     sees every theme, region and office
    director      sees only their own region(s), and can filter by office within them
    coordinator   imports note exports and sees import history; no themes or statements
    admin         everything, plus curation and user management
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import bcrypt

from synth.errors import ConfigError

ROLES = ("executive", "director", "coordinator", "admin")

# Demo accounts for the bundled sample program only; `synth demo` creates them when no users
# file exists and prints them. Real deployments add users with `synth users add`.
DEMO_USERS = (
    ("exec", "exec-demo", "executive", ()),
    ("director", "director-demo", "director", ("Southwest",)),
    ("coordinator", "coordinator-demo", "coordinator", ()),
    ("admin", "admin-demo", "admin", ()),
)

_DUMMY_HASH = bcrypt.hashpw(b"timing-equaliser", bcrypt.gensalt(rounds=12))


@dataclass(frozen=True)
class Viewer:
    username: str
    role: str
    regions: tuple[str, ...] = ()  # directors only: the regions they may see

    @property
    def sees_themes(self) -> bool:
        return self.role in {"executive", "director", "admin"}

    @property
    def region_scope(self) -> tuple[str, ...] | None:
        """None means every region; otherwise only these."""
        return self.regions if self.role == "director" else None


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=12)).decode()


def load_users(path: Path) -> dict[str, dict]:
    path = Path(path)
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text())
        users = data["users"]
    except (json.JSONDecodeError, KeyError, TypeError):
        raise ConfigError(f"{path} is not a valid users file: expected {{\"users\": {{name: {{...}}}}}}.") from None
    for name, u in users.items():
        if u.get("role") not in ROLES:
            raise ConfigError(f"{path}: user {name!r} has role {u.get('role')!r}; roles are {', '.join(ROLES)}.")
        if u["role"] == "director" and not u.get("regions"):
            raise ConfigError(f"{path}: director {name!r} has no regions; add \"regions\": [\"...\"].")
    return users


def save_users(path: Path, users: dict[str, dict]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".users-")
    with os.fdopen(fd, "w") as fh:
        json.dump({"users": users}, fh, indent=1)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)  # atomic: a crash never leaves a half-written users file


def add_user(path: Path, username: str, password: str, role: str, regions: tuple[str, ...] = ()) -> None:
    if role not in ROLES:
        raise ConfigError(f"Role {role!r} is not one of {', '.join(ROLES)}.")
    if role == "director" and not regions:
        raise ConfigError("A director needs at least one region.")
    if len(password) < 8:
        raise ConfigError("Passwords need at least 8 characters.")
    users = load_users(path)
    users[username] = dict(role=role, regions=list(regions), password_hash=hash_password(password))
    save_users(path, users)


def authenticate(path: Path, username: str, password: str) -> Viewer | None:
    users = load_users(path)
    user = users.get(username)
    hashed = user["password_hash"].encode() if user else _DUMMY_HASH
    ok = bcrypt.checkpw(password.encode("utf-8"), hashed)  # also run for unknown users: same timing
    if not (user and ok):
        return None
    return Viewer(username, user["role"], tuple(user.get("regions", ())))


class SignInThrottle:
    """Failed sign-ins per username: after `limit` failures within `window` seconds, that
    username is refused without checking a password until the oldest failure is `window`
    seconds old. bcrypt already makes each guess cost a quarter second; this caps guessing
    at `limit` per window however many sessions a guesser opens. Kept in the server's memory
    (a restart forgets it); a person locked out by someone else's guesses waits `window`."""

    def __init__(self, limit: int = 5, window: float = 300.0, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def wait(self, username: str) -> float:
        """Seconds until `username` may try again; 0 when it may now."""
        with self._lock:
            now = self.clock()
            recent = [t for t in self._failures.get(username, []) if now - t < self.window]
            self._failures[username] = recent
            return self.window - (now - recent[-self.limit]) if len(recent) >= self.limit else 0.0

    def failed(self, username: str) -> None:
        with self._lock:
            self._failures.setdefault(username, []).append(self.clock())

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(username, None)


def ensure_demo_users(path: Path) -> list[tuple[str, str, str]]:
    """Create the demo accounts if there is no users file yet; return them for printing."""
    path = Path(path)
    if not path.exists():
        users = {name: dict(role=role, regions=list(regions), password_hash=hash_password(pw))
                 for name, pw, role, regions in DEMO_USERS}
        save_users(path, users)
    existing = load_users(path)
    out = []
    for name, pw, role, regions in DEMO_USERS:
        if name in existing and bcrypt.checkpw(pw.encode(), existing[name]["password_hash"].encode()):
            out.append((name, pw, role + (f" of {', '.join(regions)}" if regions else "")))
    return out


# ---- sessions that survive a reload -------------------------------------------------------------
SESSION_HOURS = 12


def session_token(path: Path, key: bytes, username: str, hours: float = SESSION_HOURS,
                  now: Callable[[], float] = time.time) -> str:
    """A signed, expiring proof that `username` signed in, for the browser to keep (the
    dashboard keeps it in a cookie). The signature covers the user's password hash, so a
    changed password or a removed user ends every session made before it."""
    user = load_users(path)[username]
    body = f"{username.encode().hex()}.{int(now() + hours * 3600)}.{secrets.token_hex(8)}"
    return f"{body}.{_session_signature(key, body, user['password_hash'])}"


def session_viewer(path: Path, key: bytes, token: str, now: Callable[[], float] = time.time) -> Viewer | None:
    """The viewer a `session_token` stands for, checked against the users file; None when the
    token is malformed, forged, expired, or its user was removed or changed password."""
    try:
        name_hex, expires, _nonce, signature = token.split(".")
        username = bytes.fromhex(name_hex).decode()
        expired = int(expires) < now()
    except (ValueError, UnicodeError):
        return None
    user = load_users(path).get(username)
    if expired or user is None:
        return None
    body = token.rsplit(".", 1)[0]
    if not hmac.compare_digest(signature, _session_signature(key, body, user["password_hash"])):
        return None
    return Viewer(username, user["role"], tuple(user.get("regions", ())))


def _session_signature(key: bytes, body: str, password_hash: str) -> str:
    return hmac.new(key, f"{body}|{password_hash}".encode(), hashlib.sha256).hexdigest()
