"""What every `assay` sub-command shares: a user-facing error and a checked database engine.

Apart from `app/cli.py` so that each domain's `cli.py` can import it at the top while `app/cli.py`
imports every domain's `cli.py`.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.config import Settings
from app.db import get_engine, ping


class CommandError(RuntimeError):
    """A user-facing failure: printed as one line, exit status 1."""


def connect(settings: Settings) -> Engine:
    """The configured database's engine, or CommandError saying why it cannot be reached."""
    engine = get_engine(settings.database_url)
    try:
        ping(engine)
    except SQLAlchemyError as exc:
        reason = str(exc.orig if getattr(exc, "orig", None) else exc).strip().splitlines()[0]
        raise CommandError(
            f"cannot reach the database ({settings.database_url}): {reason}"
        ) from None
    return engine
