"""A new organisation (a tenant) with its first administrator: `assay org create`.

The one supported way to add a tenant. The administrator is created in the same transaction, so
an organisation never exists without someone who can manage it.
"""

from __future__ import annotations

import re

from pydantic import field_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Session, func, select

from app.audit.service import record
from app.auth.service import create_user
from app.errors import Conflict
from app.forms import FormModel, Text
from app.models import Organisation, Role, User
from app.register.roi.group import own_entity

SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class OrganisationCreate(FormModel):
    slug: Text(80)
    name: Text(200)
    admin_email: Text(320)
    admin_name: Text(200)

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.fullmatch(value):
            raise PydanticCustomError(
                "slug",
                "Use lower-case letters, digits and hyphens (not first or last), e.g. harbour-bank.",
            )
        return value

    @field_validator("name", "admin_name")
    @classmethod
    def _printable(cls, value: str) -> str:
        if CONTROL.search(value):
            raise PydanticCustomError("control", "Remove the control character (e.g. a newline).")
        return value


def create_organisation(
    *, session: Session, data: OrganisationCreate, admin_password: str
) -> tuple[Organisation, User]:
    """The organisation and its first administrator; Conflict when the slug is taken."""
    taken = session.exec(
        select(func.count()).select_from(Organisation).where(Organisation.slug == data.slug)
    ).one()
    if taken:
        raise Conflict(f"An organisation with slug {data.slug!r} already exists.")
    org = Organisation(name=data.name, slug=data.slug)
    session.add(org)
    session.flush()
    own_entity(session=session, organisation=org)
    record(
        session=session,
        action="organisation.created",
        organisation_id=org.id,
        object_type="organisation",
        object_id=org.id,
        data={"slug": org.slug, "name": org.name},
    )
    admin = create_user(
        session=session,
        email=data.admin_email,
        name=data.admin_name,
        role=Role.admin,
        password=admin_password,
        organisation_id=org.id,
    )
    return org, admin
