"""The `autocode` command: serve, database migrations, admin accounts, sandboxes, their firewall, backups."""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session, select

from controlplane import __version__, migrate
from controlplane.config import Settings
from controlplane.db import make_engine
from controlplane.models import User
from controlplane.services.userdirs import UserHomeExists
from controlplane.services.users import UserConflict, create_user, update_user

BOOTSTRAP_ADMIN = "admin"


def _say(message: str) -> None:
    print(f"autocode: {message}", flush=True)


def _fail(message: str) -> int:
    print(f"autocode: error: {message}", file=sys.stderr, flush=True)
    return 1


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise ValueError("no terminal to prompt on; pipe the password in with --password-stdin")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != first:
        raise ValueError("the passwords differ")
    return first


def _upgrade(settings: Settings) -> None:
    _say(f"applying database migrations to {settings.sqlalchemy_url}")
    try:
        migrate.upgrade(settings)
    except migrate.UnknownSchema as exc:
        raise SystemExit(f"autocode: error: {exc}") from exc


def ensure_admin(settings: Settings) -> None:
    """On first start there is no admin: create 'admin' and print its password once."""
    engine = make_engine(settings)
    with Session(engine) as session:
        if session.exec(select(User).where(User.role == "admin")).first():
            return
        password = settings.admin_password or secrets.token_urlsafe(12)
        try:
            create_user(session, settings, BOOTSTRAP_ADMIN, password, role="admin")
        except (UserConflict, UserHomeExists) as exc:
            raise SystemExit(
                f"autocode: error: no admin exists and '{BOOTSTRAP_ADMIN}' cannot be created ({exc}); "
                "run `autocode admin create --username NAME` to make one"
            ) from exc
    engine.dispose()
    if settings.admin_password:
        _say(f"created the first admin '{BOOTSTRAP_ADMIN}' with the password from AUTOCODE_ADMIN_PASSWORD")
    else:
        banner = "=" * 64
        print(
            f"{banner}\n  First start: created admin account '{BOOTSTRAP_ADMIN}'\n"
            f"  Password (shown only this once): {password}\n"
            f"  Change it in the Admin Panel after you sign in.\n{banner}",
            flush=True,
        )


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from controlplane.main import create_app
    from controlplane.realtime.redaction import uvicorn_log_config
    from controlplane.sandbox.datadir import data_dir_problem

    if problem := data_dir_problem(settings):  # in a container: the engine must see DATA_DIR at the same path
        return _fail(problem)
    _upgrade(settings)
    ensure_admin(settings)
    host = args.host or settings.host
    port = args.port or settings.port
    _say(f"serving on http://{host}:{port} (API under /api, health at /api/health)")
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        proxy_headers=True,
        log_level="info",
        log_config=uvicorn_log_config(),
    )
    return 0


def cmd_db_upgrade(_args: argparse.Namespace, settings: Settings) -> int:
    _upgrade(settings)
    _say("database is up to date")
    return 0


def cmd_db_revision(args: argparse.Namespace, settings: Settings) -> int:
    _upgrade(settings)
    migrate.revision(settings, args.message)
    return 0


def cmd_admin_create(args: argparse.Namespace, settings: Settings) -> int:
    _upgrade(settings)
    try:
        password = _read_password(args.password_stdin)
        with Session(make_engine(settings)) as session:
            create_user(session, settings, args.username, password, role=args.role)
    except (ValueError, UserConflict, UserHomeExists) as exc:
        return _fail(str(exc))
    _say(f"created {args.role} '{args.username}'")
    return 0


def cmd_admin_reset_password(args: argparse.Namespace, settings: Settings) -> int:
    _upgrade(settings)
    try:
        password = _read_password(args.password_stdin)
        with Session(make_engine(settings)) as session:
            user = session.exec(select(User).where(User.username == args.username)).first()
            if user is None:
                return _fail(f"no user named '{args.username}'; `autocode admin create` makes one")
            update_user(session, user, settings=settings, actor=user, password=password)
    except ValueError as exc:
        return _fail(str(exc))
    _say(f"password of '{args.username}' changed; their open sessions were signed out")
    return 0


def cmd_sandbox_build(_args: argparse.Namespace, settings: Settings) -> int:
    from controlplane.sandbox.backend import EngineUnavailable
    from controlplane.sandbox.docker_engine import connect_engine
    from controlplane.sandbox.image import ImageBuildError, build_image

    try:
        build_image(settings, connect_engine(), _say)
    except (EngineUnavailable, ImageBuildError) as exc:
        return _fail(str(exc))
    return 0


def cmd_sandbox_list(_args: argparse.Namespace, settings: Settings) -> int:
    from controlplane.sandbox.backend import EngineUnavailable
    from controlplane.sandbox.docker_engine import DockerSandboxBackend

    backend = DockerSandboxBackend(settings)
    try:
        statuses = backend.list_sandboxes()
        wanted = backend.wanted_image()
    except EngineUnavailable as exc:
        return _fail(str(exc))
    for status in sorted(statuses, key=lambda s: s.username):
        started = status.started_at.isoformat(timespec="seconds") if status.started_at else "-"
        image = f"image {status.image_version or 'unversioned'}"
        if wanted is not None and status.image_id != wanted:
            image += f" (moves to {settings.sandbox_image} when idle)"
        print(f"{status.username:<32} {status.state.value:<8} started {started}  {image}")
    if not statuses:
        _say("no sandboxes yet")
    if wanted is None:
        _say(f"the wanted image {settings.sandbox_image} is missing: build it with `autocode sandbox build`")
    return 0


def cmd_sandbox_shell(args: argparse.Namespace, settings: Settings) -> int:
    """Replace this process with `docker exec -it` as the user's uid: a real terminal for troubleshooting."""
    import os
    import shutil

    from controlplane.sandbox.accounts import sandbox_uid
    from controlplane.sandbox.users import sandbox_user

    with Session(make_engine(settings)) as session:
        user = session.exec(select(User).where(User.username == args.username)).first()
    if user is None or user.id is None:
        return _fail(f"no user named '{args.username}'")
    docker_cli = shutil.which("docker")
    if docker_cli is None:
        return _fail("the docker command is not installed")
    uid = sandbox_uid(settings, sandbox_user(user))
    name = f"{settings.sandbox_name_prefix}{user.username}"
    _say(f"docker exec -it --user {uid}:{uid} {name} bash -l   (the sandbox must be running)")
    os.execv(docker_cli, [docker_cli, "exec", "-it", "--user", f"{uid}:{uid}", "-w", "/home/agent", name, "bash", "-l"])  # noqa: S606
    return 0  # not reached


def cmd_firewall_apply(args: argparse.Namespace, settings: Settings) -> int:
    """Root: install the rules that keep sandboxes off the host (firewall.py); with --every, keep them installed."""
    import time

    from controlplane.sandbox.backend import EngineUnavailable
    from controlplane.sandbox.firewall import FirewallError, apply, table_name

    while True:
        try:
            ruleset = apply(settings)
        except (FirewallError, EngineUnavailable) as exc:
            return _fail(str(exc))
        if args.print:
            print(ruleset.render(), end="")
        _say(
            f"sandboxes on {settings.sandbox_network} (bridge {ruleset.facts.bridge}) cannot reach the host, the "
            f"private ranges or the metadata address: nftables table inet {table_name(settings.sandbox_network)}"
        )
        if not args.every:
            return 0
        time.sleep(args.every)


def cmd_firewall_remove(_args: argparse.Namespace, settings: Settings) -> int:
    from controlplane.sandbox.firewall import FirewallError, remove, table_name

    try:
        remove(settings)
    except FirewallError as exc:
        return _fail(str(exc))
    _say(f"removed the table inet {table_name(settings.sandbox_network)}: sandboxes may now reach the host")
    return 0


def cmd_firewall_check(_args: argparse.Namespace, settings: Settings) -> int:
    """Probe from the sandbox network, as the control plane does on every reconcile pass."""
    from controlplane.sandbox.backend import EngineUnavailable
    from controlplane.sandbox.docker_engine import DockerSandboxBackend

    try:
        problem = DockerSandboxBackend(settings.model_copy(update={"sandbox_firewall_check": True})).check_isolation()
    except EngineUnavailable as exc:
        return _fail(str(exc))
    if problem:
        return _fail(problem)
    _say(f"sandboxes on {settings.sandbox_network} cannot reach the host: the firewall answers for it")
    return 0


def _in_data_dir(settings: Settings, data_dir: Path | None) -> Settings:
    return settings if data_dir is None else Settings(**{**settings.model_dump(), "data_dir": data_dir})


def _progress_seconds() -> float:
    return 1.0 if sys.stdout.isatty() else 5.0


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from controlplane.ops.backup import Backup, BackupError

    settings = _in_data_dir(settings, args.data_dir)
    try:
        result = Backup(settings, _say, progress_seconds=_progress_seconds()).run(
            args.dest, include_secret_key=args.include_secret_key
        )
    except BackupError as exc:
        return _fail(f"{exc}; no backup was written")
    except OSError as exc:
        return _fail(f"{exc}; no backup was written (is there room at the destination?)")
    return 0 if result.complete else 2


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    from controlplane.ops.restore import Restore, RestoreError

    settings = _in_data_dir(settings, args.data_dir)
    try:
        Restore(settings, _say, progress_seconds=_progress_seconds()).run(
            args.source, force=args.force, secret_key_file=args.secret_key_file
        )
    except RestoreError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"{exc}; the restore stopped (is there room in the data directory?)")
    return 0


def cmd_openapi(args: argparse.Namespace, _settings: Settings) -> int:
    from controlplane.openapi_document import openapi_document, render

    text = render(openapi_document())
    if args.output is None:
        sys.stdout.write(text)
        return 0
    args.output.write_text(text, encoding="utf-8")
    _say(f"wrote the OpenAPI document to {args.output}")
    return 0


Command = Callable[[argparse.Namespace, Settings], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autocode", description="AutoCode control plane")
    parser.add_argument("--version", action="version", version=f"autocode {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="apply migrations, create the first admin if needed, serve")
    serve.add_argument("--host", help="address to bind (default AUTOCODE_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default AUTOCODE_PORT or 8000)")
    serve.set_defaults(handler=cmd_serve)

    db = commands.add_parser("db", help="database migrations").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply all migrations").set_defaults(handler=cmd_db_upgrade)
    revision = db.add_parser("revision", help="(developers) write a migration from model changes")
    revision.add_argument("-m", "--message", required=True)
    revision.set_defaults(handler=cmd_db_revision)

    admin = commands.add_parser("admin", help="accounts").add_subparsers(dest="admin_command", required=True)
    create = admin.add_parser("create", help="create an account (an admin unless --role user)")
    create.add_argument("--username", required=True)
    create.add_argument("--role", choices=("admin", "user"), default="admin")
    create.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    create.set_defaults(handler=cmd_admin_create)
    reset = admin.add_parser("reset-password", help="set a new password for an account")
    reset.add_argument("--username", required=True)
    reset.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    reset.set_defaults(handler=cmd_admin_reset_password)

    sandbox = commands.add_parser("sandbox", help="per-user sandbox containers").add_subparsers(
        dest="sandbox_command", required=True
    )
    sandbox.add_parser("build", help="build the sandbox image (with a local Debian base if needed)").set_defaults(
        handler=cmd_sandbox_build
    )
    sandbox.add_parser("list", help="list the sandboxes of this control plane").set_defaults(handler=cmd_sandbox_list)
    shell = sandbox.add_parser("shell", help="open a shell in a user's sandbox, as that user")
    shell.add_argument("username")
    shell.set_defaults(handler=cmd_sandbox_shell)

    firewall = commands.add_parser(
        "firewall", help="keep sandboxes off the host, the control plane and 169.254.169.254 (docs/security.md)"
    ).add_subparsers(dest="firewall_command", required=True)
    firewall_apply = firewall.add_parser("apply", help="(root) install or replace the sandbox network's nftables rules")
    firewall_apply.add_argument("--print", action="store_true", help="also print the rules")
    firewall_apply.add_argument(
        "--every", type=float, metavar="SECONDS", help="stay running and apply them again this often"
    )
    firewall_apply.set_defaults(handler=cmd_firewall_apply)
    firewall.add_parser("remove", help="(root) remove the sandbox network's rules").set_defaults(
        handler=cmd_firewall_remove
    )
    firewall.add_parser("check", help="probe from the sandbox network that the host is blocked").set_defaults(
        handler=cmd_firewall_check
    )

    backup = commands.add_parser(
        "backup",
        help="a consistent backup of the running installation (database, users' directories, uploads)",
        description="Write one .tar.gz archive (docs/backup-and-upgrade.md); DEST is a new file or a directory.",
    )
    backup.add_argument("dest", type=Path, help="the archive to write, or a directory to write a dated one into")
    backup.add_argument(
        "--include-secret-key",
        action="store_true",
        help="put the secret key in too; without it the stored API keys, MCP secrets and social tokens decrypt "
        "only with the same key at restore",
    )
    backup.add_argument("--data-dir", type=Path, help="the data directory (default AUTOCODE_DATA_DIR)")
    backup.set_defaults(handler=cmd_backup)
    restore = commands.add_parser(
        "restore",
        help="restore a backup into an empty data directory (stop the control plane first)",
        description="Restore an archive made by `autocode backup`, then migrate its database to this release.",
    )
    restore.add_argument("source", type=Path, help="the archive")
    restore.add_argument("--force", action="store_true", help="replace what a non-empty data directory holds")
    restore.add_argument(
        "--secret-key-file", type=Path, help="the old server's secret key, for a backup made without it"
    )
    restore.add_argument("--data-dir", type=Path, help="the data directory (default AUTOCODE_DATA_DIR)")
    restore.set_defaults(handler=cmd_restore)

    openapi = commands.add_parser("openapi", help="(developers) print the API's OpenAPI document")
    openapi.add_argument("--output", type=Path, help="write to this file instead of standard output")
    openapi.set_defaults(handler=cmd_openapi)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
    except Exception as exc:
        return _fail(f"invalid configuration: {exc}")
    handler: Command = args.handler  # each subcommand sets one of the cmd_* functions above
    return handler(args, settings)


if __name__ == "__main__":
    sys.exit(main())
