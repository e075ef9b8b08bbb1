"""The `assay` command line: serve, migrate, demo data, users (and the tools of each domain)."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence

from app.assessments import cli as assessments_cli
from app.audit import cli as audit_cli
from app.backup import cli as backup_cli
from app.commands import CommandError, connect
from app.config import SettingsError, load_settings
from app.evidence import cli as evidence_cli
from app.exports import cli as exports_cli
from app.notifications import cli as notifications_cli
from app.organisation import cli as organisation_cli
from app.questionnaires import cli as questionnaires_cli
from app.register.roi import cli as roi_cli
from app.scoring import cli as scoring_cli

# Each domain's `cli.py` defines `register(commands)` adding its own sub-commands, listed in this
# order in `assay --help`. Exporters join the `export` group when their module is imported
# (above), before any `register` runs.
DOMAIN_COMMANDS = (
    organisation_cli,
    notifications_cli,
    evidence_cli,
    audit_cli,
    backup_cli,
    assessments_cli,
    questionnaires_cli,
    scoring_cli,
    roi_cli,
    exports_cli,
)


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    from app.migrations import upgrade

    settings = load_settings()
    engine = connect(settings)
    upgrade(engine)
    _publish_library(engine)
    settings.resolved_secret_key()  # create var/secret_key once, before workers race for it
    catcher = _start_mail_catcher(settings) if args.mail_catcher else None
    try:
        uvicorn.run(
            "app.asgi:app",
            host=args.host,
            port=args.port,
            workers=args.workers,
            proxy_headers=False,  # the app reads them, from ASSAY_TRUSTED_PROXIES only
            log_level="info",
        )
    finally:
        if catcher is not None:
            catcher.stop()


def _start_mail_catcher(settings):
    """The development mail catcher (app/notifications/catcher.py), in this process."""
    from app.notifications.catcher import MailCatcherError, catcher_directory, start_mail_catcher

    address = f"{settings.smtp_host}:{settings.smtp_port}"
    try:
        catcher = start_mail_catcher(settings)
    except MailCatcherError as exc:
        raise CommandError(str(exc)) from None
    if catcher is None:
        print(f"Something already listens on {address}; emails go to it.")
    else:
        print(
            f"Mail catcher on {address}: every email is kept in {catcher_directory(settings)}/ "
            "and listed on Settings → Outbox (admins)."
        )
    return catcher


def _publish_library(engine) -> None:
    """Every questionnaire file becomes an immutable version before any worker serves."""
    from app.db import session_scope
    from app.migrations import take_migration_lock
    from app.questionnaires.service import publish_library

    with session_scope(engine) as session:
        take_migration_lock(session.connection())  # servers starting together take turns
        publish_library(session=session)


def cmd_db_upgrade(_args: argparse.Namespace) -> None:
    from app.migrations import upgrade

    before, after = upgrade(connect(load_settings()))
    if before == after:
        print(f"Database is at the latest revision ({after}); nothing to do.")
    elif before is None:
        print(f"Created the database schema (revision {after}).")
    else:
        print(f"Migrated the database from revision {before} to {after}.")


def cmd_demo(args: argparse.Namespace) -> None:
    from app.demo import load_demo, print_logins
    from app.migrations import upgrade

    settings = load_settings()
    engine = connect(settings)
    upgrade(engine)
    summary = load_demo(engine, settings, if_empty=args.if_empty, extra_vendors=args.vendors)
    print(summary)
    print_logins()


def cmd_user_create(args: argparse.Namespace) -> None:
    from sqlmodel import Session, select

    from app.auth.service import create_user
    from app.db import session_scope
    from app.errors import DomainError
    from app.models import Organisation, Role

    if not args.org:
        raise CommandError(
            f"--role {args.role} is a buyer role and needs --org SLUG "
            "(create an organisation with `assay org create`)"
        )
    settings = load_settings()
    engine = connect(settings)
    with Session(engine) as reading:
        org_id = reading.exec(select(Organisation.id).where(Organisation.slug == args.org)).first()
    if org_id is None:
        raise CommandError(f"no organisation with slug {args.org!r}")
    password = args.password or getpass.getpass("Password: ")  # no transaction open meanwhile
    with session_scope(engine) as session:
        try:
            user = create_user(
                session=session,
                email=args.email,
                name=args.name or args.email.split("@")[0],
                role=Role(args.role),
                password=password,
                organisation_id=org_id,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        print(f"Created {user.email} ({user.role}).")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assay", description="Assay vendor AI due diligence.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate, then serve the web app")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--mail-catcher",
        action="store_true",
        help="development: accept every email on ASSAY_SMTP_HOST:PORT (loopback) and keep it in "
        "<data dir>/mail/ instead of delivering it",
    )
    serve.set_defaults(func=cmd_serve)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="migrate to the latest revision").set_defaults(
        func=cmd_db_upgrade
    )

    demo = commands.add_parser("demo", help="load the demo organisation (idempotent)")
    demo.add_argument("--if-empty", action="store_true", help="only when no organisation exists")
    demo.add_argument("--vendors", type=int, default=0, help="add N generated vendors (benchmarks)")
    demo.set_defaults(func=cmd_demo)

    user = commands.add_parser("user", help="manage users")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    create = user_commands.add_parser("create", help="create a local account")
    create.add_argument("email")
    create.add_argument("--name")
    create.add_argument(
        "--role", default="admin", choices=["admin", "procurement", "risk_analyst", "auditor"]
    )
    create.add_argument("--org", help="organisation slug")
    create.add_argument("--password", help="prompted for when omitted")
    create.set_defaults(func=cmd_user_create)

    for module in DOMAIN_COMMANDS:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except (SettingsError, CommandError) as exc:
        print(f"assay: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
