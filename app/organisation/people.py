"""The buyer's team (admins): who has which role, and who may still sign in.

Role changes and deactivations are audited with before/after; deactivating someone also ends
their sessions and revokes their API tokens (reactivating does not bring those back). An admin cannot demote or deactivate themselves, so an organisation always keeps
an administrator able to undo a mistake.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.audit.service import record
from app.auth.service import end_all_access
from app.errors import InvalidInput, NotFound
from app.models import BUYER_ROLES, Role, User


def list_people(*, session: Session, organisation_id: int) -> list[User]:
    return list(
        session.exec(
            select(User)
            .where(User.organisation_id == organisation_id)
            .order_by(col(User.active).desc(), User.name, User.email)
        )
    )


def change_person(
    *,
    session: Session,
    actor: User,
    user_id: int,
    role: str,
    active: bool,
    ip: str | None = None,
) -> User:
    """Set a colleague's role and whether they may sign in; no-op changes write nothing."""
    person = session.exec(
        select(User)
        .where(User.id == user_id, User.organisation_id == actor.organisation_id)
        .with_for_update()
    ).first()
    if person is None:
        raise NotFound("No such person in your organisation.")
    if role not in {r.value for r in BUYER_ROLES}:
        raise InvalidInput(f"Unknown role {role!r}: choose one of the buyer roles.")
    if person.id == actor.id and (role != Role.admin or not active):
        raise InvalidInput("You cannot remove your own administrator access.")
    before = {"role": str(person.role), "active": person.active}
    after = {"role": role, "active": active}
    if before == after:
        return person
    person.role = Role(role)
    if person.active and not active:  # their sessions and API tokens stop working, for good
        end_all_access(session=session, user=person)
    person.active = active
    session.add(person)
    session.flush()
    record(
        session=session,
        action="user.role_changed" if before["role"] != role else "user.access_changed",
        actor=actor,
        object_type="user",
        object_id=person.id,
        data={"email": person.email, "before": before, "after": after},
        ip=ip,
    )
    return person
