"""The buyer's business functions (RoI B_06.01) that the arrangements support."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from app.audit.service import audit_diff, record
from app.auth.tenancy import scope_buyer
from app.errors import NotFound
from app.forms import FieldErrors
from app.models import BusinessFunction, User
from app.vendors.schemas import FunctionInput
from app.vendors.service import organisation_of, set_fields, snapshot

FUNCTION_FIELDS: tuple[str, ...] = tuple(FunctionInput.model_fields)


def list_functions(*, session: Session, user: User) -> list[BusinessFunction]:
    return list(
        session.exec(
            scope_buyer(select(BusinessFunction), BusinessFunction, user).order_by(
                func.length(BusinessFunction.code), BusinessFunction.code
            )
        )
    )


def get_function(*, session: Session, user: User, function_id: int) -> BusinessFunction:
    row = session.exec(
        scope_buyer(select(BusinessFunction), BusinessFunction, user).where(
            BusinessFunction.id == function_id
        )
    ).first()
    if row is None:
        raise NotFound(f"No business function {function_id} here.")
    return row


def save_function(
    *,
    session: Session,
    actor: User,
    data: FunctionInput,
    function_id: int | None = None,
    ip: str | None = None,
) -> BusinessFunction:
    organisation_id = organisation_of(actor)
    if session.exec(
        select(BusinessFunction.id).where(
            BusinessFunction.organisation_id == organisation_id,
            BusinessFunction.code == data.code,
            BusinessFunction.id != (function_id or 0),
        )
    ).first():
        raise FieldErrors({"code": f"{data.code} is already used by another function."})
    values = data.model_dump()
    if function_id is None:
        row = BusinessFunction.model_validate(values, update={"organisation_id": organisation_id})
        diff: dict[str, Any] = {"after": {k: v for k, v in values.items() if v is not None}}
        action = "business_function.created"
    else:
        row = get_function(session=session, user=actor, function_id=function_id)
        diff = audit_diff(snapshot(row, FUNCTION_FIELDS), values)
        if not diff["after"]:
            return row
        set_fields(row, diff["after"])
        action = "business_function.updated"
    session.add(row)
    session.flush()
    record(
        session=session,
        action=action,
        actor=actor,
        organisation_id=organisation_id,
        object_type="business_function",
        object_id=row.id,
        data=diff,
        ip=ip,
    )
    return row
