"""The one place where the environment is read: every setting has the prefix AUTOCODE_."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Annotated

from autocode_runner.contract.specs import (
    CUSTOM_IDLE_SECONDS,
    LEARNING_IDLE_SECONDS,
    PROVIDER_RETRY_SECONDS,
    RESEARCH_IDLE_SECONDS,
    ClaudeOptions,
    Timing,
)
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from controlplane import __version__

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY_FILE = "secret.key"  # noqa: S105 (a file name)
SANDBOX_REPOSITORY = "autocode-sandbox"
MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AUTOCODE_", env_file=None, extra="ignore")

    data_dir: Path = Field(default=Path("./data"), description="Holds autocode.db, secret.key and users/.")
    database_url: str | None = Field(default=None, description="Defaults to the SQLite file in data_dir.")
    secret_key: str | None = Field(
        default=None,
        description="Signs JWTs and derives the encryption key; generated into data_dir/secret.key if unset.",
    )
    access_token_minutes: int = Field(default=15, ge=1)
    refresh_token_days: int = Field(default=30, ge=1)
    cookie_secure: bool = Field(default=False, description="Set true behind HTTPS (Caddy) in production.")
    bcrypt_rounds: int = Field(default=12, ge=4, le=16)
    login_max_failures: int = Field(default=5, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_chat_message_bytes: int = Field(
        default=40 * 1024 * 1024, ge=1024, description="A chat message with its attachments (base64: a third larger)."
    )
    research_idle_seconds: float = Field(
        default=RESEARCH_IDLE_SECONDS, gt=0, description="A research's process exits after this long without a message."
    )
    learning_idle_seconds: float = Field(
        default=LEARNING_IDLE_SECONDS, gt=0, description="A course's tutor exits after this long without a message."
    )
    custom_idle_seconds: float = Field(
        default=CUSTOM_IDLE_SECONDS, gt=0, description="A custom agent's chat exits after this long without a message."
    )
    admin_password: str | None = Field(default=None, description="Password of the first admin; else random.")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    frontend_dist: Path = Field(default=PROJECT_ROOT / "frontend" / "dist")

    # Sandboxes: one container per user.
    sandboxes_enabled: bool = Field(default=True, description="Off: no container engine is used at all.")
    sandbox_image: str = Field(
        default=f"{SANDBOX_REPOSITORY}:{__version__}",
        description="The image sandboxes run: this release's, which `autocode sandbox build` tags (and :latest); "
        "a sandbox on another image moves to it when idle.",
    )
    sandbox_base_image: str = Field(
        default="debian:bookworm-slim",
        description="BASE_IMAGE of the sandbox build; made locally with debootstrap when it cannot be pulled.",
    )
    sandbox_extra_ca_dir: Path | None = Field(
        default=Path("/usr/local/share/ca-certificates"),
        description="Extra CA certificates (*.crt) trusted while building the image (TLS-intercepting proxies).",
    )
    sandbox_name_prefix: str = Field(default="autocode-", pattern=r"^[a-z][a-z0-9-]{0,30}$")
    sandbox_instance: str = Field(
        default="default",
        pattern=r"^[A-Za-z0-9_.-]{1,64}$",
        description="Label value that marks this control plane's sandboxes; the reconciler ignores others.",
    )
    sandbox_uid_base: int = Field(default=100_000, ge=1000, description="A user's uid is this plus their id.")
    sandbox_memory: str = Field(default="2g", pattern=r"^[0-9]+[kmg]?$")
    web_search_url: str | None = Field(
        default=None,
        pattern=r"^https?://\S+$",
        description="A SearXNG server the agents search the web with (given to every sandbox as SEARXNG_BASE_URL); "
        "none: nanobot's DuckDuckGo search.",
    )
    sandbox_cpus: float = Field(default=1.0, gt=0)
    sandbox_pids: int = Field(default=512, ge=16)
    sandbox_network: str = Field(
        default="autocode-sandboxes",
        description='Docker network of the sandboxes (inter-container traffic off), or "none" for no network.',
    )
    sandbox_network_internal: bool = Field(
        default=False, description="Make the sandbox network internal: no route out of the machine."
    )
    sandbox_firewall_check: bool = Field(
        default=True,
        description="Refuse to start sandboxes unless a probe from the sandbox network finds the host, the control "
        "plane, the engine and 169.254.169.254 blocked (`autocode firewall apply`, docs/security.md). Off only for "
        "development.",
    )
    sandbox_firewall_check_seconds: float = Field(
        default=300,
        ge=0,
        description="While the probe finds the host blocked, probe again after this long (each probe is a short-lived "
        "container); while it does not, every reconcile pass probes, so a fix is noticed at once.",
    )
    sandbox_firewall_allow: list[str] = Field(
        default_factory=list,
        max_length=100,
        description='Private destinations sandboxes may still reach, a JSON list: "10.0.0.5:8080" (a LAN SearXNG), '
        '"10.1.0.0/16", "[fd00::5]:443". Everything else private, the host and the metadata address stay blocked.',
    )
    sandbox_idle_minutes: float = Field(default=30, gt=0, description="Stop an unused sandbox after this.")
    sandbox_upgrade_idle_seconds: float = Field(
        default=300,
        ge=0,
        description="A running sandbox on an older image is made again on sandbox_image once it has been unused this "
        "long, with no agent running and nobody watching.",
    )
    sandbox_start_timeout: float = Field(default=30, gt=0, description="Seconds for a runner to answer.")
    reconcile_interval_seconds: float = Field(default=15, gt=0)
    open_socket_sweep_seconds: float = Field(
        default=30,
        gt=0,
        description="Check every open WebSocket's sign-in this often; a socket of an ended one is closed with 4401 "
        "(most are closed at once; this catches the rest, such as a password reset from the CLI).",
    )

    # Coding projects: how the manager watches Claude Code.
    # The defaults are the spec's own (autocode_runner.contract.specs), written there once.
    project_poll_seconds: float = Field(default=Timing.poll_seconds, gt=0, le=60, description="capture-pane interval.")
    project_silence_seconds: float = Field(
        default=Timing.silence_seconds,
        gt=0,
        description="No screen change for this long: interrupt Claude Code and ask why.",
    )
    project_max_attempts: int = Field(
        default=Timing.max_attempts, ge=1, le=20, description="Same error this often: change approach."
    )
    project_provider_retry_seconds: list[Annotated[float, Field(gt=0, le=86_400)]] = Field(
        default=list(PROVIDER_RETRY_SECONDS),
        max_length=20,
        description="Waits before trying an unreachable model provider again (a JSON list of seconds); "
        "after the last, the project waits for the user's Retry.",
    )
    claude_max_retries: int | None = Field(
        default=ClaudeOptions.max_retries,
        ge=0,
        le=50,
        description="How often Claude Code retries a failed API request (its own default, 10, when unset).",
    )
    claude_permission_mode: str = Field(
        default=ClaudeOptions.permission_mode,
        pattern=r"^(bypassPermissions|acceptEdits|default|plan)$",
        description="Claude Code's permission mode in projects; the sandbox is the isolation boundary.",
    )

    # Social media (docs/social-media.md): the family's Meta app, Meta's hosts (tests point them at a scripted
    # server) and where Meta reaches this server.
    meta_app_id: str | None = Field(default=None, description="The family's Meta app (made once by the admin).")
    meta_app_secret: str | None = Field(default=None, description="That app's secret.")
    meta_graph_url: str = Field(default="https://graph.facebook.com", pattern=r"^https?://\S+$")
    instagram_graph_url: str = Field(default="https://graph.instagram.com", pattern=r"^https?://\S+$")
    meta_dialog_url: str = Field(default="https://www.facebook.com", pattern=r"^https?://\S+$")
    instagram_dialog_url: str = Field(default="https://www.instagram.com", pattern=r"^https?://\S+$")
    meta_graph_version: str = Field(
        default="v24.0", pattern=r"^v[0-9]+\.[0-9]+$", description="Meta's Graph API version; keep it current."
    )
    social_media_max_bytes: int = Field(
        default=100 * 1024 * 1024, ge=1024, description="The largest picture or video a person can upload for a post."
    )
    social_publish_interval_seconds: float = Field(
        default=3.0, gt=0, le=300, description="How often the publisher looks for due posts and steps."
    )
    social_poll_seconds: float = Field(
        default=3.0, gt=0, le=300, description="First wait before reading an Instagram container again."
    )
    social_retry_seconds: float = Field(
        default=5.0, gt=0, le=3600, description="First wait after a passing failure at Meta (then six times longer)."
    )
    public_url: str | None = Field(
        default=None,
        pattern=r"^https?://\S+$",
        description="The address at which Meta reaches this server: the OAuth redirect and the media it fetches.",
    )

    @field_validator("sandbox_firewall_allow")
    @classmethod
    def _allowed_destinations(cls, value: list[str]) -> list[str]:
        from controlplane.sandbox.firewall import Allowed

        for entry in value:
            try:
                Allowed.parse(entry)
            except ValueError as exc:
                raise ValueError(
                    f"AUTOCODE_SANDBOX_FIREWALL_ALLOW: {entry!r} is not an address[/prefix][:port]"
                ) from exc
        return value

    @field_validator("secret_key")
    @classmethod
    def _secret_long_enough(cls, value: str | None) -> str | None:
        if value is not None and len(value) < MIN_SECRET_LENGTH:
            raise ValueError(f"AUTOCODE_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters")
        return value

    @property
    def users_dir(self) -> Path:
        return self.data_dir / "users"

    @property
    def social_media_dir(self) -> Path:
        """Uploads for posts, one folder per user id; the control plane's own, never inside a sandbox home."""
        return self.data_dir / "social-media"

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'autocode.db').resolve()}"

    @property
    def access_token_ttl(self) -> timedelta:
        return timedelta(minutes=self.access_token_minutes)

    @property
    def refresh_token_ttl(self) -> timedelta:
        return timedelta(days=self.refresh_token_days)

    @property
    def login_window(self) -> timedelta:
        return timedelta(minutes=self.login_window_minutes)

    @cached_property
    def signing_key(self) -> str:
        """The configured secret, or the one persisted in data_dir (created once, mode 0600)."""
        return self.secret_key or load_or_create_secret(self.data_dir / SECRET_KEY_FILE)

    @property
    def sandbox_etc_dir(self) -> Path:
        """Generated passwd/group files per user, mounted read-only into their sandbox."""
        return self.data_dir / "sandbox-etc"

    def ensure_data_dir(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.users_dir.mkdir(exist_ok=True)


def load_or_create_secret(path: Path) -> str:
    """Read the secret file, or create it (mode 0600) so that concurrent first starts agree on one key.

    The key is written to a private temporary file first and then hard-linked into place: the link fails
    when another process won the race, and nobody ever reads a half-written file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret-")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48) + "\n")
            os.chmod(tmp, 0o600)
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    secret = path.read_text().strip()
    if len(secret) < MIN_SECRET_LENGTH:
        raise RuntimeError(f"{path} is shorter than {MIN_SECRET_LENGTH} characters; delete it to regenerate it")
    return secret
