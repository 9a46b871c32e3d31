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


def test_the_provider_retry_waits_are_a_setting_that_reaches_the_projects_spec(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from autocode_runner.contract.specs import PROVIDER_RETRY_SECONDS

    from controlplane.models import Agent, Project
    from controlplane.projects.keys import ProjectKeys, ProviderKey
    from controlplane.projects.spec import coding_spec

    assert Settings(_env_file=None).project_provider_retry_seconds == list(PROVIDER_RETRY_SECONDS)  # type: ignore[call-arg]
    monkeypatch.setenv("AUTOCODE_PROJECT_PROVIDER_RETRY_SECONDS", "[2, 5.5]")
    settings = Settings()
    key = ProviderKey("anthropic", "sk-x", None)
    project = Project(id=1, user_id=1, agent_id=1, name="P", slug="p")
    agent = Agent(id=1, user_id=1, name="A", type="coding", model="anthropic/claude-opus-4-6")
    assert coding_spec(project, agent, ProjectKeys(key, key), settings).timing.provider_retry_seconds == [2.0, 5.5]
    monkeypatch.setenv("AUTOCODE_PROJECT_PROVIDER_RETRY_SECONDS", "[0]")
    with pytest.raises(ValidationError):
        Settings()
