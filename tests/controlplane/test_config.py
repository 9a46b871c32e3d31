"""Settings: AUTOCODE_ environment, defaults, and the generated secret key."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from controlplane.config import Settings


def test_defaults() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.data_dir == Path("./data")
    assert settings.access_token_ttl.total_seconds() == 15 * 60
    assert settings.refresh_token_ttl.days == 30
    assert settings.sqlalchemy_url.endswith("/data/autocode.db")


def test_reads_the_autocode_prefix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AUTOCODE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AUTOCODE_ACCESS_TOKEN_MINUTES", "5")
    monkeypatch.setenv("AUTOCODE_DATABASE_URL", "sqlite:////elsewhere/x.db")
    settings = Settings()
    assert settings.data_dir == tmp_path
    assert settings.access_token_ttl.total_seconds() == 300
    assert settings.sqlalchemy_url == "sqlite:////elsewhere/x.db"


def test_secret_is_generated_once_with_mode_0600(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path).signing_key
    key_file = tmp_path / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first) >= 32
    assert Settings(data_dir=tmp_path).signing_key == first
    assert list(tmp_path.iterdir()) == [key_file], "no temporary files are left behind"


def test_configured_secret_wins_and_writes_nothing(tmp_path: Path) -> None:
    secret = "s" * 40
    assert Settings(data_dir=tmp_path, secret_key=secret).signing_key == secret
    assert not (tmp_path / "secret.key").exists()


def test_short_secret_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(secret_key="short")


def test_truncated_secret_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.key").write_text("abc\n")
    with pytest.raises(RuntimeError, match="delete it to regenerate"):
        _ = Settings(data_dir=tmp_path).signing_key
