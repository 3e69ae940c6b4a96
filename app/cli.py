"""The `ordercore` command: serve, init, migrate, worker, admin (recovering access: app.admin_cli),
import-channel (app.channel_cli), import and export (a marketplace in the format of OrderCloud's
seeding tool: app.seeding)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from app.config import Settings

if TYPE_CHECKING:
    from app.state import Services

T = TypeVar("T")

# uvloop and httptools (dependencies; docs/performance.md "GET one order"); "auto" would fall back
# to asyncio and h11 silently where they are missing, uvicorn fails at start here instead.
SPEEDUPS: dict[str, Any] = (
    {"loop": "uvloop", "http": "httptools"} if sys.platform != "win32" else {"http": "httptools"}
)


def run_on_fast_loop(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` on uvloop, the loop `serve` runs on (and so its in-process webhook worker):
    `ordercore worker` delivers on the same loop (docs/performance.md, "Webhook delivery")."""
    try:
        import uvloop
    except ImportError:  # Windows: no uvloop
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The settings given on the command line (None: not given, the environment decides)."""
    return {
        "database_url": getattr(args, "database_url", None),
        "database_schema": getattr(args, "database_schema", None),
        "host": getattr(args, "host", None),
        "port": getattr(args, "port", None),
        "public_url": getattr(args, "public_url", None),
        "demo": True if getattr(args, "demo", False) else None,
        "webhook_worker": False if getattr(args, "no_worker", False) else None,
    }


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(**_overrides(args))


def _on_services(settings: Settings, work: Callable[[Services], Awaitable[T]]) -> T:
    """Run `work` on the services of `settings`, the database disposed of after."""
    from app.main import build_services

    async def run() -> T:
        services = build_services(settings)
        try:
            return await work(services)
        finally:
            await services.db.dispose()

    return asyncio.run(run())


def _init(settings: Settings) -> dict[str, Any] | None:
    from app.bootstrap import bootstrap

    async def init(services: Services) -> dict[str, Any] | None:
        created = await bootstrap(services)
        if created is not None and settings.demo:
            from app.demo import seed_demo

            created["Demo"] = await seed_demo(services, created)
        return created

    return _on_services(settings, init)


def _prepare(settings: Settings) -> None:
    """Migrate, then bootstrap an empty marketplace and show its credentials once."""
    from app.migrate import migrate

    migrate(settings.database_url, settings.database_schema or None)
    created = _init(settings)
    if created is not None:
        print("ordercore initialized; keep these credentials, they are shown once:")
        print(json.dumps(created, indent=2))
        sys.stdout.flush()


def serve_worker_app() -> Any:
    """One API process of `serve --workers N` (a uvicorn app factory): its settings come from
    the environment, where `cmd_serve` put the command line's."""
    from app.main import collect_less, create_app
    from app.observability import configure_logging

    settings = Settings.from_env()
    configure_logging(settings)
    collect_less()
    return create_app(settings)


def multi_process_refusal(settings: Settings, workers: int) -> str | None:
    """Why `serve --workers N` cannot run on this database, or None."""
    from app.store.db import normalize_url

    if workers > 1 and normalize_url(settings.database_url).startswith("sqlite"):
        return (
            f"ordercore serve --workers {workers} needs PostgreSQL: a SQLite database is served by "
            "one process (its caches and its webhook worker are in-process; docs/operations.md, "
            '"Several API processes"). Use --workers 1, or a postgresql:// --database-url.'
        )
    return None


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.listen import PortUnavailable, bind

    settings = _settings(args)
    workers = int(getattr(args, "workers", None) or 1)
    if workers < 1:
        print("ordercore serve: --workers must be at least 1", file=sys.stderr)
        return 2
    refusal = multi_process_refusal(settings, workers)
    if refusal is not None:
        print(refusal, file=sys.stderr)
        return 2
    # The port first: a busy one fails before the database is touched or "listening" printed.
    try:
        sockets = bind(settings.host, settings.port)
    except PortUnavailable as exc:
        print(f"ordercore: {exc}", file=sys.stderr, flush=True)
        return 1
    from app.observability import configure_logging

    configure_logging(settings)
    _prepare(settings)
    from app.main import collect_less, create_app

    print(f"ordercore listening on {settings.base_url} (API at {settings.base_url}/v1)", flush=True)
    if workers > 1:
        # uvicorn binds the port once and starts `workers` processes that accept on it; each
        # builds its app from the environment (`serve_worker_app`), given the command line here.
        for name, value in _overrides(args).items():
            if value is not None:
                text = str(value).lower() if isinstance(value, bool) else str(value)
                os.environ[f"ORDERCORE_{name.upper()}"] = text
        # The processes share the socket bound above (uvicorn listens on it and forks).
        uvicorn.run(
            "app.cli:serve_worker_app",
            factory=True,
            workers=workers,
            fd=sockets[0].fileno(),
            log_level=settings.log_level,
            access_log=False,
            log_config=None,
            **SPEEDUPS,
        )
        return 0
    collect_less()
    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        # ordercore writes its own access line (app.observability) and configures logging.
        access_log=False,
        log_config=None,
        **SPEEDUPS,
    )
    uvicorn.Server(config).run(sockets=sockets)
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    settings = _settings(args)
    from app.migrate import migrate

    migrate(settings.database_url, settings.database_schema or None)
    created = _init(settings)
    if created is None:
        print("ordercore is already initialized; nothing changed.")
        print(
            "Lost the credentials? `ordercore admin reset-password USERNAME` prints a new password "
            "for a user (the first admin is `admin`); `ordercore admin new-client` prints a new admin "
            "API client ID and secret."
        )
        return 0
    print(json.dumps(created, indent=2))
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from app.migrate import migrate

    settings = _settings(args)
    migrate(settings.database_url, settings.database_schema or None)
    print("database is at the newest migration")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from app.main import build_services
    from app.observability import configure_logging
    from app.scheduler import alongside
    from app.webhooks.worker import run_worker_forever

    settings = _settings(args)
    configure_logging(settings)
    run_on_fast_loop(alongside(build_services(settings), run_worker_forever))
    return 0


def cmd_admin(args: argparse.Namespace) -> int:
    from app.admin_cli import AdminCommandError, new_admin_client, reset_password

    settings = _settings(args)

    async def run(services: Services) -> dict[str, Any]:
        if args.admin_command == "reset-password":
            return await reset_password(services, args.username)
        return await new_admin_client(services, args.user)

    try:
        created = _on_services(settings, run)
    except AdminCommandError as exc:
        print(f"ordercore: {exc}", file=sys.stderr)
        return 1
    print("keep these credentials, they are shown once:")
    print(json.dumps(created, indent=2))
    if args.admin_command == "reset-password":
        if not created["Active"]:
            print(f"note: user {created['Username']!r} is not active; it cannot sign in until activated")
        if settings.database_url.startswith("sqlite"):
            print("note: restart a running `ordercore serve` on this SQLite file to refuse the old tokens")
    return 0


def cmd_import_channel(args: argparse.Namespace) -> int:
    from pathlib import Path

    from app.channel_cli import ImportCommandError, import_file, stderr_progress

    settings = _settings(args)

    async def run(services: Services) -> list[dict[str, Any]]:
        return await import_file(
            services,
            args.channel,
            Path(args.file),
            as_order=args.as_order,
            progress=stderr_progress(sys.stderr),
        )

    try:
        results = _on_services(settings, run)
    except ImportCommandError as exc:
        print(f"ordercore: {exc}", file=sys.stderr)
        return 1
    for result in results:
        print(json.dumps(result, default=str))
    failed = sum(1 for r in results if r["Errors"])
    print(f"imported {len(results) - failed} of {len(results)} orders", file=sys.stderr)
    return 1 if failed else 0


def _seed_command(settings: Settings, work: Callable[[Services], Awaitable[T]]) -> T | None:
    """Run an `import`/`export` on the services; a refused file or store is printed and gives
    None (the command then exits 1)."""
    from app.seeding.commands import SeedCommandError

    try:
        return _on_services(settings, work)
    except SeedCommandError as exc:
        print(f"ordercore: {exc}", file=sys.stderr)
        return None


def cmd_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from app.channel_cli import stderr_progress
    from app.seeding.commands import import_file
    from app.seeding.importer import Outcome

    settings = _settings(args)
    _prepare(settings)

    async def run(services: Services) -> Outcome:
        return await import_file(services, Path(args.file), progress=stderr_progress(sys.stderr))

    outcome = _seed_command(settings, run)
    if outcome is None:
        return 1
    for failure in outcome.failures:
        print(str(failure), file=sys.stderr)
    counts = outcome.counts
    print(
        f"created {counts['created']}, updated {counts['updated']}, skipped {counts['skipped']}, "
        f"failed {counts['failed']}",
        file=sys.stderr,
    )
    if outcome.failures:
        print("nothing was imported: the file is one transaction (docs/migration.md)", file=sys.stderr)
        return 1
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from app.channel_cli import stderr_progress
    from app.seeding.commands import export_file

    settings = _settings(args)

    async def run(services: Services) -> int:
        return await export_file(services, Path(args.file), progress=stderr_progress(sys.stderr))

    written = _seed_command(settings, run)
    if written is None:
        return 1
    print(f"exported {written} records to {args.file}", file=sys.stderr)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ordercore", description="OrderCloud-compatible order orchestration")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--database-url", help="SQLAlchemy URL (env ORDERCORE_DATABASE_URL)")
        sp.add_argument("--database-schema", help="PostgreSQL schema (env ORDERCORE_DATABASE_SCHEMA)")

    serve = sub.add_parser("serve", help="run the API (migrates and bootstraps an empty database)")
    common(serve)
    serve.add_argument("--host", help="bind address (env ORDERCORE_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (env ORDERCORE_PORT, default 8000)")
    serve.add_argument("--public-url", help="base URL clients reach (env ORDERCORE_PUBLIC_URL)")
    serve.add_argument("--demo", action="store_true", help="seed a demo marketplace on first run")
    serve.add_argument("--no-worker", action="store_true", help="do not deliver webhooks in-process")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="API processes on the one port (PostgreSQL only; default 1; docs/operations.md)",
    )
    serve.set_defaults(func=cmd_serve)

    init = sub.add_parser("init", help="migrate and create the seller, an admin user and an admin client")
    common(init)
    init.add_argument("--demo", action="store_true", help="also seed a demo marketplace")
    init.set_defaults(func=cmd_init)

    mig = sub.add_parser("migrate", help="apply database migrations")
    common(mig)
    mig.set_defaults(func=cmd_migrate)

    admin = sub.add_parser("admin", help="recover access: new password for a user, new admin API client")
    admin_sub = admin.add_subparsers(dest="admin_command", required=True)
    reset = admin_sub.add_parser(
        "reset-password", help="print a new generated password for USERNAME and end its tokens"
    )
    common(reset)
    reset.add_argument("username", metavar="USERNAME", help="the user's Username (admin, buyer or supplier)")
    reset.set_defaults(func=cmd_admin)
    client = admin_sub.add_parser("new-client", help="create an admin API client and print its ID and secret")
    common(client)
    client.add_argument("--user", help="admin Username its client-credentials tokens act as (default admin)")
    client.set_defaults(func=cmd_admin)

    imp = sub.add_parser(
        "import-channel", help="import a file of channel orders (JSON array or NDJSON), one result line each"
    )
    common(imp)
    imp.add_argument("file", metavar="FILE", help="the orders, as the channel's API or webhooks send them")
    imp.add_argument("--channel", required=True, help="shopify, woocommerce, wix or bigcommerce")
    imp.add_argument(
        "--as-order",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="make them OrderCloud orders (default: the channel's AsOrder setting)",
    )
    imp.set_defaults(func=cmd_import_channel)

    seed_in = sub.add_parser(
        "import", help="import a marketplace from a seeding file (OrderCloud's @ordercloud/seeding format)"
    )
    common(seed_in)
    seed_in.add_argument(
        "file", metavar="FILE.yml", help="a file written by the seeding tool or `ordercore export`"
    )
    seed_in.set_defaults(func=cmd_import)

    seed_out = sub.add_parser("export", help="write the whole marketplace as a seeding file")
    common(seed_out)
    seed_out.add_argument("file", metavar="FILE.yml", help="where to write it")
    seed_out.set_defaults(func=cmd_export)

    worker = sub.add_parser(
        "worker", help="deliver webhooks and order due subscriptions (run several on PostgreSQL to scale)"
    )
    common(worker)
    worker.set_defaults(func=cmd_worker)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
