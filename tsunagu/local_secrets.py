"""Random secrets for a laptop or the demo, made on first use and kept in a git-ignored file.

No secret is written in the code: a fresh checkout gets its own SECRET_KEY and encryption keys
the first time the dev settings load, and keeps them (client data encrypted under them stays
readable). Production never uses this: its settings insist on the environment.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet

GENERATORS = {
    "SECRET_KEY": lambda: secrets.token_urlsafe(50),
    "FIELD_ENCRYPTION_KEY": lambda: Fernet.generate_key().decode("ascii"),
    "FIELD_HASH_KEY": lambda: secrets.token_urlsafe(48),
}


def _read(path: Path) -> dict[str, str]:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return {}


def _write_new(path: Path, values: dict[str, str], *, replace: bool) -> None:
    """Write all at once, mode 0600; without ``replace``, a file another process made first wins."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secrets-")  # mkstemp: mode 0600
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(values, handle, indent=2)
        if replace:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # atomic, and refuses to overwrite
            except FileExistsError:
                pass
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def local_secrets(path: Path) -> dict[str, str]:
    """SECRET_KEY, FIELD_ENCRYPTION_KEY and FIELD_HASH_KEY from ``path``, created if missing."""
    values = _read(path)
    missing = [name for name in GENERATORS if not values.get(name)]
    if missing:
        values.update({name: GENERATORS[name]() for name in missing})
        _write_new(path, values, replace=path.exists())
        values = _read(path)
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    return values
