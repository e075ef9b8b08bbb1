"""Ids for the path parameters of every route, for the permission walk (test_route_permissions).

HOW TO EXTEND: when you add a route with a path parameter `{thing_id}`, add an entry
`"thing_id": make_thing` to PATH_IDS below. The function gets a `Caller` (the session, the
settings, the tenant and the signed-in user) and returns the id of a `thing` that belongs to that
tenant and that this user could reach if their role allows it: for vendor users, something of
`caller.tenant.vendor`; for per-user objects (API tokens), one of `caller.user`. It is called once
for the caller's own tenant and once for another tenant (with that tenant's user of the same
role), so the walk can check "allowed → 2xx/3xx, not allowed → 403, other tenant → 404".
Parameters that are not ids (`{action}`, `{question_key}`) map to a function returning a valid
value. Where one name means different things on different routes, use PATH_IDS_FOR_PREFIX.
Build rows with the domain's services or tests/factories.py; flush, do not commit.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from app.auth.service import create_api_token
from app.config import Settings
from app.models import Organisation, Role, User, Vendor, VendorContact

_n = itertools.count(1)


@dataclass
class Tenant:
    org: Organisation
    vendor: Vendor  # a vendor of `org`; the tenant's vendor users are its contacts
    users: dict[Role, User]


@dataclass
class Caller:
    session: Session
    settings: Settings
    tenant: Tenant
    user: User


def a_colleague(caller: Caller) -> int:
    """Another contact of the tenant's vendor (never the caller: one cannot remove oneself)."""
    contact = VendorContact(
        vendor_id=caller.tenant.vendor.id, name="Colleague", email=f"colleague{next(_n)}@v.example"
    )
    caller.session.add(contact)
    caller.session.flush()
    return contact.id


def an_api_token(caller: Caller) -> int:
    token, _ = create_api_token(session=caller.session, user=caller.user, name="walk")
    return token.id


def an_evidence_file(caller: Caller) -> int:
    from app.evidence.service import store_evidence
    from app.evidence.storage import store_for
    from tests.evidence.samples import pdf_bytes

    evidence = store_evidence(
        session=caller.session,
        store=store_for(caller.settings),
        actor=None,
        vendor_id=caller.tenant.vendor.id,
        filename=f"policy-{next(_n)}.pdf",
        chunks=[pdf_bytes(f"Policy {next(_n)}")],
        limit=caller.settings.upload_limit_bytes,
    )
    return evidence.id


def an_assessment(caller: Caller) -> int:
    """A submitted assessment of the tenant's vendor (vendors see it; buyers can review it)."""
    from tests.factories import make_assessment

    buyer = next(u for u in caller.tenant.users.values() if u.organisation_id is not None)
    assessment = make_assessment(
        caller.session, caller.tenant.org, caller.tenant.vendor, buyer, status="submitted"
    )
    return assessment.id


def an_assessment_email(caller: Caller) -> int:
    from app.models import OutboxEmail

    email = OutboxEmail(
        organisation_id=caller.tenant.org.id,
        assessment_id=an_assessment(caller),
        kind="questionnaire",
        to_address="someone@vendor.example",
        subject="Questionnaire",
        text_body="text",
        html_body="<p>html</p>",
    )
    caller.session.add(email)
    caller.session.flush()
    return email.id


def a_questionnaire(caller: Caller) -> int:
    """A questionnaire the tenant uploaded (library versions are shared by every buyer)."""
    from app.questionnaires.loader import validate_definition
    from app.questionnaires.service import publish
    from tests.factories import SMALL_QUESTIONNAIRE

    definition = validate_definition({**SMALL_QUESTIONNAIRE, "key": f"own-{next(_n)}"})
    row, _ = publish(
        session=caller.session,
        definition=definition,
        organisation_id=caller.tenant.org.id,
        source="upload",
    )
    return row.id


def a_business_function(caller: Caller) -> int:
    from app.models import BusinessFunction

    function = BusinessFunction(
        organisation_id=caller.tenant.org.id, code=f"F{next(_n)}", name="Walk"
    )
    caller.session.add(function)
    caller.session.flush()
    return function.id


_last_contract: dict[int, int] = {}  # vendor id → the arrangement made last for it


def a_contract(caller: Caller) -> int:
    """A fresh arrangement of the tenant's vendor (a route may delete it)."""
    from app.models import Contract

    vendor = caller.tenant.vendor
    contract = Contract(
        organisation_id=caller.tenant.org.id, vendor_id=vendor.id, reference=f"WALK-{next(_n)}"
    )
    caller.session.add(contract)
    caller.session.flush()
    _last_contract[vendor.id] = contract.id
    return contract.id


def a_subcontractor(caller: Caller) -> int:
    """A subcontractor on the arrangement `{contract_id}` just made for the same path."""
    from app.models import Subcontractor

    contract_id = _last_contract.get(caller.tenant.vendor.id) or a_contract(caller)
    link = Subcontractor(contract_id=contract_id, name="Walk host", identifier=f"W{next(_n)}")
    caller.session.add(link)
    caller.session.flush()
    return link.id


def an_ai_system(caller: Caller) -> int:
    from app.models import AISystem

    system = AISystem(vendor_id=caller.tenant.vendor.id, name=f"Walk system {next(_n)}")
    caller.session.add(system)
    caller.session.flush()
    return system.id


def a_profile_change(caller: Caller) -> int:
    """Register facts the tenant's vendor proposed in the portal, waiting for the buyer."""
    from app.models import ProviderProfileChange

    change = ProviderProfileChange(
        vendor_id=caller.tenant.vendor.id, data={"vendor": {}, "services": []}
    )
    caller.session.add(change)
    caller.session.flush()
    return change.id


def a_finding(caller: Caller) -> int:
    """A finding on the tenant's vendor (risk register)."""
    from app.models import Finding

    finding = Finding(
        organisation_id=caller.tenant.org.id,
        vendor_id=caller.tenant.vendor.id,
        key=f"manual:walk-{next(_n)}",
        source="manual",
        title="Walk finding",
    )
    caller.session.add(finding)
    caller.session.flush()
    return finding.id


def a_provider(caller: Caller) -> int:
    """A model or cloud provider record of the tenant's organisation."""
    from app.models import Provider

    provider = Provider(organisation_id=caller.tenant.org.id, name=f"Walk provider {next(_n)}")
    caller.session.add(provider)
    caller.session.flush()
    return provider.id


def a_register_snapshot(caller: Caller) -> int:
    """A frozen Register of Information of the tenant's organisation."""
    from datetime import date

    from app.models import RoiSnapshot

    snapshot = RoiSnapshot(
        organisation_id=caller.tenant.org.id, ref_date=date(2025, 12, 31), release="4.0",
        file_name="walk.zip", package=b"PK", sha256="0" * 64,
    )  # fmt: skip
    caller.session.add(snapshot)
    caller.session.flush()
    return snapshot.id


def a_buyer_colleague(caller: Caller) -> int:
    """Another person of the tenant's organisation (never the caller: admins keep their role)."""
    colleague = User(
        email=f"colleague{next(_n)}@buyer.example",
        name="Buyer Colleague",
        role=Role.procurement,
        organisation_id=caller.tenant.org.id,
    )
    caller.session.add(colleague)
    caller.session.flush()
    return colleague.id


def a_colleague_invitation(caller: Caller) -> int:
    """A pending invitation of a colleague to the tenant's organisation."""
    from datetime import timedelta

    from app.models import Invitation, utcnow

    invitation = Invitation(
        token_hash=f"walk-{next(_n)}".ljust(64, "0"),
        email=f"invited{next(_n)}@buyer.example",
        role=Role.risk_analyst,
        organisation_id=caller.tenant.org.id,
        expires_at=utcnow() + timedelta(days=7),
    )
    caller.session.add(invitation)
    caller.session.flush()
    return invitation.id


def a_group_entity(caller: Caller) -> int:
    """An entity of the tenant's group in its register's scope (not the one maintaining it)."""
    from app.models import GroupEntity
    from app.vendors.identifiers import lei_with_check_digits

    entity = GroupEntity(
        organisation_id=caller.tenant.org.id,
        lei=lei_with_check_digits(f"WALKENT{next(_n):011d}"),
        name="Walk Subsidiary GmbH",
        country="DE",
        entity_type="x317",
        hierarchy="x56",
    )
    caller.session.add(entity)
    caller.session.flush()
    return entity.id  # type: ignore[return-value]


def a_branch(caller: Caller) -> int:
    """A branch of an entity of the tenant's group."""
    from app.models import Branch

    branch = Branch(
        organisation_id=caller.tenant.org.id,
        entity_id=a_group_entity(caller),
        code=f"WALK-{next(_n)}",
        name="Walk branch",
        country="FR",
    )
    caller.session.add(branch)
    caller.session.flush()
    return branch.id  # type: ignore[return-value]


PATH_IDS: dict[str, Callable[[Caller], int | str]] = {
    "questionnaire_id": a_questionnaire,
    "vendor_id": lambda caller: caller.tenant.vendor.id,
    "contact_id": a_colleague,
    "token_id": an_api_token,
    "evidence_id": an_evidence_file,
    "assessment_id": an_assessment,
    "email_id": an_assessment_email,
    "action": lambda caller: "begin_review",  # type: ignore[dict-item]
    "question_key": lambda caller: "gov.policy",  # type: ignore[dict-item]
    "section_key": lambda caller: "governance",  # type: ignore[dict-item]
    "function_id": a_business_function,
    "contract_id": a_contract,
    "subcontractor_id": a_subcontractor,
    "snapshot_id": a_register_snapshot,
    "system_id": an_ai_system,
    "change_id": a_profile_change,
    "decision": lambda caller: "reject",  # type: ignore[dict-item]
    "finding_id": a_finding,
    "user_id": a_buyer_colleague,
    "invitation_id": a_colleague_invitation,
    "provider_id": a_provider,
    "entity_id": a_group_entity,
    "branch_id": a_branch,
}

# Where one parameter name means different things on different routes, key the factory by
# (path prefix, name); the longest matching prefix wins over PATH_IDS. None today: prefer a
# parameter name that says what it is (`{contact_id}`, `{system_id}`).
PATH_IDS_FOR_PREFIX: dict[tuple[str, str], Callable[[Caller], int | str]] = {}
