"""The key that signs session cookies and CSRF tokens.

Production must configure one (CASEFLOW_SECRET_KEY). Without one, a development server
makes a random key on its first start and keeps it in instance/secret_key (readable by
its owner only), so logins survive a restart; there is no built-in key anyone could read
in the source and sign a cookie with.
"""

import os
import secrets
from pathlib import Path


def load_or_create(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Written whole to a private file, then linked into place: of two workers starting
        # at once, one link wins and both read the winner's key; nobody reads half a file.
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds no usable secret key; delete it to make a new one.")
    return key
