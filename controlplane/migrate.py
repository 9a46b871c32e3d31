"""Alembic, driven from code: the migration scripts ship inside the package, no alembic.ini needed."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from controlplane.config import Settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(settings: Settings, engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["settings"] = settings
    config.attributes["engine"] = engine
    return config


def upgrade(settings: Settings, engine: Engine | None = None) -> None:
    settings.ensure_data_dir()
    command.upgrade(alembic_config(settings, engine), "head")


def revision(settings: Settings, message: str, autogenerate: bool = True) -> None:
    """For developers: write a new migration from the difference between the models and the database."""
    command.revision(alembic_config(settings), message=message, autogenerate=autogenerate)
