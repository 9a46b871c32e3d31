"""Alembic, driven from code: the migration scripts ship inside the package, no alembic.ini needed."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.util import CommandError
from sqlalchemy import Engine

from controlplane import __version__
from controlplane.config import Settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(settings: Settings, engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["settings"] = settings
    config.attributes["engine"] = engine
    return config


class UnknownSchema(RuntimeError):
    """The database was migrated by a newer release: this one refuses it rather than guess."""


def upgrade(settings: Settings, engine: Engine | None = None) -> None:
    settings.ensure_data_dir()
    try:
        command.upgrade(alembic_config(settings, engine), "head")
    except CommandError as exc:
        if "Can't locate revision" not in str(exc):
            raise
        raise UnknownSchema(
            f"the database's schema is newer than this release (AutoCode {__version__}) knows ({exc}): a newer "
            "release migrated it. Run that release, or restore the backup taken before the upgrade with this one "
            "(docs/backup-and-upgrade.md, Rolling back)"
        ) from exc


def revision(settings: Settings, message: str, autogenerate: bool = True) -> None:
    """For developers: write a new migration from the difference between the models and the database."""
    command.revision(alembic_config(settings), message=message, autogenerate=autogenerate)
