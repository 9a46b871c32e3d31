"""create_app(): the FastAPI application with its database, routers and (when built) the PWA."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlmodel import Session

from controlplane import __version__, migrate
from controlplane.api import ws
from controlplane.api.body_limit import JsonBodyLimit
from controlplane.api.documented_errors import document_errors
from controlplane.api.errors import install_error_handlers
from controlplane.api.routes import agents, audit, auth, custom, health, learning, projects, research, sandbox, users
from controlplane.api.routes import settings as settings_routes
from controlplane.api.routes import social as social_routes
from controlplane.api.routes import social_assistant as social_assistant_routes
from controlplane.api.routes.research import CHAT_MESSAGE_PATH
from controlplane.api.routes.social import MEDIA_PATH
from controlplane.chat.hub import ChatHub
from controlplane.config import Settings
from controlplane.custom.kind import CustomKind
from controlplane.db import make_engine
from controlplane.learning.kind import LearningKind
from controlplane.models.base import utcnow
from controlplane.one_process import DataDirLock
from controlplane.projects.kind import CodingKind
from controlplane.realtime.events import EventHub
from controlplane.realtime.logs import LogHub
from controlplane.realtime.open_sockets import OpenSockets
from controlplane.realtime.tickets import TicketStore
from controlplane.research.kind import ResearchKind
from controlplane.runtime.kinds import KindHandler
from controlplane.runtime.supervisor import InstanceSupervisor
from controlplane.sandbox.docker_engine import DockerSandboxBackend
from controlplane.sandbox.manager import SandboxManager
from controlplane.sandbox.reconciler import Reconciler
from controlplane.security import mcp_secrets
from controlplane.security.secretbox import SecretBox
from controlplane.social.context import SocialContext
from controlplane.social.publisher import Publisher
from controlplane.social.watchdog import Watchdog
from controlplane.spa import mount_spa

API_PREFIX = "/api"


def _operation_id(route: APIRoute) -> str:
    """Stable, readable operation ids ("agents-create_agent") for the generated TypeScript client."""
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application, with the agent runtime serving the kinds listed here."""
    settings = settings or Settings()
    settings.ensure_data_dir()
    engine = make_engine(settings)

    manager = SandboxManager(settings, DockerSandboxBackend(settings), engine) if settings.sandboxes_enabled else None
    events = EventHub()
    logs = LogHub(engine)
    box = SecretBox(settings.signing_key)
    chat = ChatHub(engine)
    research_kind = ResearchKind(box, chat, idle_seconds=settings.research_idle_seconds)
    # The learning kind reads the application's clock when a report arrives, so a test's clock reaches it too.
    learning_kind = LearningKind(
        box, chat, clock=lambda: app.state.clock(), idle_seconds=settings.learning_idle_seconds
    )
    kinds: list[KindHandler] = [
        CodingKind(box, settings),
        research_kind,
        learning_kind,
        CustomKind(box, chat, idle_seconds=settings.custom_idle_seconds),
    ]
    supervisor = InstanceSupervisor(manager, engine, logs, events, kinds) if manager else None
    # The social media manager talks to Meta from here; its clock is the application's, so a test's clock reaches it.
    social = SocialContext.from_settings(settings, box, clock=lambda: app.state.clock())
    publisher = Publisher(
        engine,
        social,
        interval_seconds=settings.social_publish_interval_seconds,
        poll_seconds=settings.social_poll_seconds,
        retry_seconds=settings.social_retry_seconds,
    )
    watchdog = Watchdog(engine, social)
    open_sockets = OpenSockets(engine, settings.open_socket_sweep_seconds)
    reconciler = Reconciler(manager, on_healthy=[supervisor.sync] if supervisor else []) if manager else None
    if manager is not None:
        manager.on_state_change(
            lambda user, state: events.publish(
                user.id, {"type": "sandbox.state", "user_id": user.id, "username": user.username, "state": state}
            )
        )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        held = DataDirLock(settings.data_dir).acquire()  # one process per data directory (one_process.py)
        try:
            migrate.upgrade(settings, engine)
            with Session(engine) as session:
                mcp_secrets.seal_stored(session, box)  # secrets saved in clear before they were sealed
            if reconciler is not None:
                reconciler.start(settings.reconcile_interval_seconds)  # first pass at once: adopt what runs
            publisher.start()  # posts scheduled or half-published before a restart go on from their step
            watchdog.start()
            open_sockets.start()  # the backstop sweep (realtime/open_sockets.py)
            yield
            await open_sockets.stop()
            await watchdog.stop()
            await publisher.stop()
            await social.aclose()
            if reconciler is not None:
                await reconciler.stop()
            if supervisor is not None:
                await supervisor.close()
            if manager is not None:
                await manager.close()
            await asyncio.to_thread(logs.close)  # the lines still queued are committed before the engine goes
            engine.dispose()
        finally:
            held.release()  # last: the next process may start once this one has let go of everything

    app = FastAPI(
        title="AutoCode",
        version=__version__,
        summary="Control plane of a self-hosted, per-user sandboxed agent platform",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        generate_unique_id_function=_operation_id,
        lifespan=lifespan,
    )
    app.add_middleware(
        JsonBodyLimit,
        max_body_size=settings.max_body_bytes,
        larger={CHAT_MESSAGE_PATH: settings.max_chat_message_bytes, MEDIA_PATH: settings.social_media_max_bytes},
    )
    install_error_handlers(app)
    app.state.settings = settings
    app.state.engine = engine
    app.state.secret_box = box
    app.state.sandboxes = manager
    app.state.reconciler = reconciler
    app.state.tickets = TicketStore()
    app.state.open_sockets = open_sockets  # closed with 4401 when their sign-in ends
    app.state.logs = logs
    app.state.supervisor = supervisor
    app.state.events = events
    app.state.chat = chat
    app.state.clock = utcnow  # "now" for review cards (FSRS) and the social media manager; tests replace it
    app.state.social = social
    app.state.social_publisher = publisher
    app.state.social_watchdog = watchdog
    for module in (health, auth, users, agents, projects, research, learning, custom, settings_routes, audit, sandbox):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(social_assistant_routes.router, prefix=API_PREFIX)
    app.include_router(social_routes.router, prefix=API_PREFIX)
    app.include_router(social_routes.public_router)
    app.include_router(ws.ticket_router, prefix=API_PREFIX)
    app.include_router(ws.router)
    mount_spa(app, settings.frontend_dist)
    document_errors(app)  # every operation's error answers in the OpenAPI document, from its dependencies
    return app
