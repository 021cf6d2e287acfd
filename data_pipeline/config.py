"""Every path the project uses, resolved from the repository, with environment overrides."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = REPO_ROOT / "sql"
REFERENCE_DIR = Path(__file__).resolve().parent / "reference"

DB_ENV = "UNION_DASH_DB"
RAW_ENV = "UNION_DASH_RAW"
HASH_KEY_ENV = "UNION_DASH_HASH_KEY"
APPSTATE_ENV = "UNION_DASH_APPSTATE"
REFERENCE_ENV = "UNION_DASH_REFERENCE"
SUBMISSIONS_ENV = "UNION_DASH_SUBMISSIONS"


def reference_dir() -> Path:
    """The folder of reference CSVs: the package's own, or UNION_DASH_REFERENCE (a deployment's edited copy)."""
    override = os.environ.get(REFERENCE_ENV)
    return Path(override).expanduser() if override else REFERENCE_DIR


@dataclass(frozen=True)
class Paths:
    """Where the warehouse, the submissions, the app state and the local secrets live."""

    db: Path
    raw: Path
    data_dir: Path
    appstate_override: Path | None = None
    submissions_override: Path | None = None

    @property
    def hash_key_file(self) -> Path:
        return self.data_dir / "hash.key"

    @property
    def appstate(self) -> Path:
        """The app-state database (accounts, roles, sessions, audit log): beside the warehouse, never inside it."""
        return self.appstate_override or self.db.with_name("appstate.sqlite")

    @property
    def session_key_file(self) -> Path:
        """The key that signs sign-in cookies, beside the app-state database (created once, mode 0600)."""
        return self.appstate.with_name("session.key")

    @property
    def submissions(self) -> Path:
        """The submissions store (every uploaded file byte for byte, by sha256; publish staging and logs):
        beside the app-state database, or UNION_DASH_SUBMISSIONS."""
        return self.submissions_override or self.appstate.with_name("submissions")


def paths() -> Paths:
    """Resolve paths now (not at import), honouring UNION_DASH_DB, UNION_DASH_RAW, UNION_DASH_APPSTATE and
    UNION_DASH_SUBMISSIONS."""
    data_dir = REPO_ROOT / "data"
    db = Path(os.environ.get(DB_ENV) or data_dir / "warehouse.duckdb")
    raw = Path(os.environ.get(RAW_ENV) or data_dir / "raw")
    appstate = os.environ.get(APPSTATE_ENV)
    submissions = os.environ.get(SUBMISSIONS_ENV)
    return Paths(
        db=db.expanduser(),
        raw=raw.expanduser(),
        data_dir=data_dir,
        appstate_override=Path(appstate).expanduser() if appstate else None,
        submissions_override=Path(submissions).expanduser() if submissions else None,
    )
