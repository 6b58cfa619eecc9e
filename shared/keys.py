"""Platform secrets: the configured value in production, else a development key file under `var/keys/`.

The file is created once, atomically, readable by its owner only, so processes starting
together agree on one key.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from pydantic import SecretStr

MIN_KEY_BYTES = 32


def ensure_key_file(key_dir: Path, name: str) -> Path:
    """Create the development key file `name` once; return its path."""
    key_dir.mkdir(parents=True, exist_ok=True)
    path = key_dir / name
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_hex(32))
    return path


def platform_key(configured: SecretStr | None, key_dir: Path, name: str, *, setting: str) -> bytes:
    """`configured` when set, else the development key file `name` (at least 32 bytes either way)."""
    if configured is not None:
        key = configured.get_secret_value().encode()
    else:
        path = ensure_key_file(key_dir, name)
        key = b""
        for _ in range(50):  # another process may have created the file and not written it yet
            key = path.read_bytes().strip()
            if key:
                break
            time.sleep(0.01)
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"{setting} must be at least {MIN_KEY_BYTES} bytes")
    return key
