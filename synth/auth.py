"""Dashboard users: a JSON file of users with bcrypt-hashed passwords, roles (synth/roles.py)
and, for regional roles, regions; sign-in, its throttle, and signed sessions."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import bcrypt

from synth import roles
from synth.errors import ConfigError, TooManySignIns

if TYPE_CHECKING:
    from synth.store import Store

ROLES = tuple(roles.ROLES)  # defined in synth/roles.py

# Demo accounts for the bundled sample program only; `synth demo` creates them when no users
# file exists and prints them. Real deployments add users with `synth users add`.
DEMO_USERS = (
    ("exec", "exec-demo", "executive", ()),
    ("director", "director-demo", "director", ("Southwest",)),
    ("coordinator", "coordinator-demo", "coordinator", ()),
    ("admin", "admin-demo", "admin", ()),
)



@cache
def _dummy_hash() -> bytes:
    """Checked against for unknown usernames, so they cost as long as known ones. Made on the
    first sign-in, not at import (a quarter second every process would pay)."""
    return bcrypt.hashpw(b"timing-equaliser", bcrypt.gensalt(rounds=12))


@dataclass(frozen=True)
class Viewer:
    username: str
    role: str
    regions: tuple[str, ...] = ()  # directors only: the regions they may see
    # The user's entry in the users file when they signed in (`user_stamp`): a session ends
    # when it no longer matches (user removed, or password, role or regions changed).
    stamp: str = field(default="", compare=False, repr=False)

    @property
    def sees_themes(self) -> bool:
        return self.role in roles.ROLES and roles.ROLES[self.role].sees_themes

    @property
    def region_scope(self) -> tuple[str, ...] | None:
        """None means every region; otherwise only these."""
        return self.regions if self.role in roles.ROLES and roles.ROLES[self.role].regional else None


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
    if roles.ROLES[role].regional and not regions:
        raise ConfigError("A director needs at least one region.")
    if len(password) < 8:
        raise ConfigError("Passwords need at least 8 characters.")
    users = load_users(path)
    users[username] = dict(role=role, regions=list(regions), password_hash=hash_password(password))
    save_users(path, users)


def user_stamp(user: dict) -> str:
    """What a session is bound to: the user's password hash, role and regions."""
    entry = json.dumps([user["password_hash"], user["role"], sorted(user.get("regions", ()))])
    return hashlib.sha256(entry.encode()).hexdigest()[:32]


def _viewer(username: str, user: dict) -> Viewer:
    return Viewer(username, user["role"], tuple(user.get("regions", ())), stamp=user_stamp(user))


def authenticate(path: Path, username: str, password: str) -> Viewer | None:
    users = load_users(path)
    user = users.get(username)
    hashed = user["password_hash"].encode() if user else _dummy_hash()
    ok = bcrypt.checkpw(password.encode("utf-8"), hashed)  # also run for unknown users: same timing
    if not (user and ok):
        return None
    return _viewer(username, user)


def still_signed_in(path: Path, viewer: Viewer) -> Viewer | None:
    """`viewer` as the users file has them now, or None when they were removed or their
    password, role or regions changed since they signed in: that ends their session."""
    user = load_users(path).get(viewer.username)
    if user is None or not hmac.compare_digest(user_stamp(user), viewer.stamp):
        return None
    return viewer


# ---- throttling sign-ins ---------------------------------------------------------------------
@dataclass(frozen=True)
class Backoff:
    """`free` failures cost nothing; the next must wait `base` seconds after the last failure,
    and each one after that twice as long as the one before, up to `cap`."""

    free: int
    base: float
    cap: float

    def wait(self, failures: int, last_at: float, now: float) -> float:
        if failures < self.free:
            return 0.0
        return max(0.0, last_at + min(self.base * 2.0 ** (failures - self.free), self.cap) - now)


# Three counters per attempt. One guesser at one address is slowed hard on one account (pair),
# and on many (client: password spraying). Guessers at many addresses are slowed on one account
# too, but by at most a minute: a real user is delayed, never locked out, by anyone else's guesses.
BACKOFF = {
    "pair": Backoff(free=5, base=15.0, cap=900.0),  # this username from this address
    "client": Backoff(free=20, base=15.0, cap=900.0),  # any username from this address
    "account": Backoff(free=20, base=5.0, cap=60.0),  # this username from anywhere
}
FORGET_AFTER = 24 * 3600.0  # a counter with no failure for a day starts again from zero


class SignInThrottle:
    """Failed sign-ins counted per account, per client address and per pair of the two, in the
    store (so every server shares them and a restart forgets nothing), each with a growing
    delay (`BACKOFF`) instead of a lock. `claim` counts an attempt as failed before its
    password is checked, in one transaction with the check of the counters, so parallel
    guesses cannot all slip under a limit; `succeeded` takes the count back. Usernames and
    addresses are stored only as keyed hashes (a username field sometimes holds a password).

    The client is the connection's address: behind a proxy that hides it, every client is one
    client and the per-client rule slows everyone after `BACKOFF['client'].free` failures."""

    def __init__(self, store: "Store", backoff: dict[str, Backoff] | None = None,
                 clock: Callable[[], float] = time.time, forget_after: float = FORGET_AFTER):
        self.store, self.backoff, self.clock, self.forget_after = store, backoff or BACKOFF, clock, forget_after

    def keys(self, username: str, client: str) -> dict[str, str]:
        """The stored key of each counter an attempt by `username` from `client` moves."""
        return {"pair": "pair:" + self.store.pseudonym(f"{username}\x1f{client}"),
                "client": "client:" + self.store.pseudonym(client or "-"),
                "account": "account:" + self.store.pseudonym(username or "-")}

    def claim(self, username: str, client: str) -> float:
        """Seconds to wait before `username` may try from `client`; 0: go ahead, the attempt
        is already counted as a failure."""
        kinds = {key: kind for kind, key in self.keys(username, client).items()}
        now = self.clock()
        return self.store.claim_sign_in(
            list(kinds), lambda key, failures, last_at: self.backoff[kinds[key]].wait(failures, last_at, now),
            now=now, forget_before=now - self.forget_after)

    def succeeded(self, username: str, client: str) -> None:
        """The right password: this account's counters start again. The address's own counter
        is not reset (signing in to one's own account must not clear a spraying guesser's
        failures), but this attempt, counted by `claim` before the check, is taken back: right
        passwords are not failures, or everyone behind one office address would be made to
        wait after twenty good sign-ins."""
        keys = self.keys(username, client)
        self.store.clear_sign_in([keys["pair"], keys["account"]])
        self.store.uncount_sign_in([keys["client"]])


def sign_in(path: Path, throttle: SignInThrottle, username: str, password: str, client: str = "") -> Viewer | None:
    """The viewer for a right password, None for a wrong one; `TooManySignIns` (nothing
    checked) while the throttle says wait."""
    if wait := throttle.claim(username, client):
        raise TooManySignIns(wait)
    viewer = authenticate(path, username, password)
    if viewer is not None:
        throttle.succeeded(username, client)
    return viewer


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
    dashboard keeps it in a cookie). The signature covers the user's password hash, role and
    regions (`user_stamp`), so a removed or changed user ends every session made before it."""
    user = load_users(path)[username]
    body = f"{username.encode().hex()}.{int(now() + hours * 3600)}.{secrets.token_hex(8)}"
    return f"{body}.{_session_signature(key, body, user_stamp(user))}"


def session_viewer(path: Path, key: bytes, token: str, now: Callable[[], float] = time.time) -> Viewer | None:
    """The viewer a `session_token` stands for, checked against the users file; None when the
    token is malformed, forged, expired, or its user was removed or changed since."""
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
    if not hmac.compare_digest(signature, _session_signature(key, body, user_stamp(user))):
        return None
    return _viewer(username, user)


def _session_signature(key: bytes, body: str, stamp: str) -> str:
    return hmac.new(key, f"{body}|{stamp}".encode(), hashlib.sha256).hexdigest()
