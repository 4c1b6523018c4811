"""Pseudonyms: people are stored as a keyed hash of their name, so they can be counted and never read back.

The key lives in a file outside the database (SYNTH_SECRET_FILE).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path

from synth.errors import ConfigError


class Pseudonyms:
    _secret: bytes

    def pseudonym(self, name: str) -> str:
        """Keyed hash of a person's name: distinct people can be counted, never read back."""
        norm = " ".join(name.split()).casefold()
        if not norm:
            return ""
        return hmac.new(self._secret, norm.encode("utf-8"), hashlib.sha256).hexdigest()[:24]


def load_secret(secret_file: str | None) -> bytes:
    """The key names are pseudonymised with: created (private to this user) where the file does
    not exist yet; never a built-in key, which anyone could use to test a guessed name."""
    if not secret_file:
        raise ConfigError("SYNTH_SECRET_FILE is empty. Set it to the path of the file holding the key that "
                          "pseudonymises names (for example data/secret.key); synth creates it if it does not exist.")
    path = Path(secret_file)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret-")  # mode 0600
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)  # appears whole or not at all; a process that raced us keeps its key
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    key = path.read_text().strip().encode()
    if not key:
        raise ConfigError(f"The secret file {path} (SYNTH_SECRET_FILE) is empty. Restore it from a backup, or "
                          "delete it to make a new key (people already stored will then count as new people).")
    return key

