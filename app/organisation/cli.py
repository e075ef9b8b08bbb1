"""`assay org create SLUG --name … --admin-email …`: a new organisation and its first admin."""

from __future__ import annotations

import argparse
import getpass
import secrets

from app.commands import CommandError, connect
from app.config import load_settings

# What each form field is called on the command line, for one-line errors.
OPTIONS = {
    "slug": "SLUG",
    "name": "--name",
    "admin_email": "--admin-email",
    "admin_name": "--admin-name",
}


def _password(generate: bool) -> tuple[str, bool]:
    """The first admin's password: generated (and printed once) or typed twice."""
    if generate:
        return secrets.token_urlsafe(18), True
    first = getpass.getpass("Password for the first admin: ")
    if getpass.getpass("Repeat the password: ") != first:
        raise CommandError("the two passwords differ; nothing was created")
    return first, False


def cmd_org_create(args: argparse.Namespace) -> None:
    from app.db import session_scope
    from app.errors import DomainError
    from app.forms import FieldErrors, validate
    from app.organisation.founding import OrganisationCreate, create_organisation

    values = {
        "slug": args.slug,
        "name": args.name,
        "admin_email": args.admin_email,
        "admin_name": args.admin_name or (args.admin_email or "").split("@")[0],
    }
    try:
        data = validate(OrganisationCreate, values)
    except FieldErrors as exc:
        raise CommandError(
            "; ".join(f"{OPTIONS.get(field, field)}: {text}" for field, text in exc.errors.items())
        ) from None
    settings = load_settings()
    engine = connect(settings)
    password, generated = _password(args.generate_password)
    try:
        with session_scope(engine) as session:
            org, admin = create_organisation(session=session, data=data, admin_password=password)
    except DomainError as exc:
        raise CommandError(f"{exc.message} Nothing was created.") from None
    print(f"Created organisation {org.slug} ({org.name}) with admin {admin.email}.")
    if generated:
        print(f"The admin's password, shown only now: {password}")


def register(commands: argparse._SubParsersAction) -> None:
    org = commands.add_parser("org", help="organisations (tenants)")
    org_commands = org.add_subparsers(dest="org_command", required=True)
    create = org_commands.add_parser("create", help="create an organisation and its first admin")
    create.add_argument("slug", help="short name in lower case, e.g. harbour-bank")
    create.add_argument("--name", required=True, help="the organisation's name")
    create.add_argument("--admin-email", required=True, help="the first admin's email")
    create.add_argument("--admin-name", help="the first admin's name (default: from the email)")
    create.add_argument(
        "--generate-password",
        action="store_true",
        help="generate the admin's password and print it once (instead of prompting)",
    )
    create.set_defaults(func=cmd_org_create)
