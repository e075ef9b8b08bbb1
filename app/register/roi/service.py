"""Load one organisation's Register of Information, validate it, and export it (audited).

The page, the downloads, the JSON API and `assay export roi` all come through here: the same
register, the same problems, the same refusal of an invalid register unless a draft is asked for.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO

from sqlmodel import Session, col, select

from app.audit.service import record
from app.errors import Conflict, InvalidInput, NotFound
from app.models import (
    AISystem,
    Branch,
    BusinessFunction,
    Contract,
    GroupEntity,
    Organisation,
    Provider,
    Subcontractor,
    User,
    Vendor,
    utcnow,
)
from app.register.roi.builder import CONSOLIDATED, INDIVIDUAL, BuiltRegister, build
from app.register.roi.checks import check_facts
from app.register.roi.data import (
    BranchFacts,
    ContractFacts,
    EntityFacts,
    FunctionFacts,
    ProviderRef,
    RegisterData,
    SubcontractorFacts,
    VendorFacts,
    default_ref_date,
    facts_from,
)
from app.register.roi.lei import lei_statuses
from app.register.roi.taxonomy import DEFAULT_NAMING, DEFAULT_RELEASE
from app.register.roi.validator import LEI_COLUMNS, Problem, validate
from app.register.roi.writers import package_name, write_package, write_workbook
from app.scoring.adapter import provider_name

FORMATS = {
    "zip": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass
class RoiReport:
    built: BuiltRegister
    problems: list[Problem]

    @property
    def blocking(self) -> list[Problem]:
        return [p for p in self.problems if p.blocking]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.blocking]

    @property
    def valid(self) -> bool:
        return not self.blocking


class RegisterInvalid(Conflict):
    """The register has blocking problems and no draft was asked for: nothing is written."""

    title = "The register cannot be submitted yet"

    def __init__(self, report: RoiReport) -> None:
        super().__init__(
            f"The Register of Information has {len(report.blocking)} blocking problem(s) a "
            "supervisor would reject; fix them, or export a draft.",
            details=[p.line() for p in report.blocking],
        )
        self.report = report


@dataclass
class RoiExport:
    file: IO[bytes]  # rewound; the caller closes it
    filename: str
    media_type: str
    report: RoiReport


def _decimal(value: object) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def load_register(
    *,
    session: Session,
    organisation_id: int,
    ref_date: date,
    report_date: date,
    release: str | None = None,
    level: str | None = None,
) -> RegisterData:
    """The organisation's register as plain facts, in eight queries whatever its size. `level`
    is "CON" (the group, filed by the entity maintaining the register), an entity's LEI (that
    entity at individual level), or None (the entity maintaining the register, individually)."""
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound("No such organisation.")
    settings = org.settings or {}
    entity = EntityFacts(
        id=org.id,
        name=org.name,
        lei=org.lei,
        country=org.country,
        entity_type=org.entity_type,
        competent_authority=org.competent_authority,
        currency=settings.get("currency", "EUR"),
        total_assets=_decimal(settings.get("total_assets")),
        integrated_on=org.created_at.date() if org.created_at else None,
        hierarchy=settings.get("roi_hierarchy") or "x21",
        maintains_register=True,
    )
    group = _group(session=session, org=org, own=entity)
    entity, chosen_level = _level(group, entity, level)
    functions = session.exec(
        select(BusinessFunction).where(BusinessFunction.organisation_id == organisation_id)
    ).all()
    contract_rows = session.exec(
        select(Contract, BusinessFunction.code)
        .join(
            BusinessFunction,
            col(BusinessFunction.id) == col(Contract.function_id),
            isouter=True,
        )
        .where(Contract.organisation_id == organisation_id)
        .order_by(col(Contract.reference))
    ).all()
    vendor_ids = select(Contract.vendor_id).where(Contract.organisation_id == organisation_id)
    vendors = session.exec(
        select(Vendor).where(
            Vendor.organisation_id == organisation_id, col(Vendor.id).in_(vendor_ids)
        )
    ).all()
    chains: dict[int, list[SubcontractorFacts]] = {}
    ai_providers = _ai_providers(session=session, organisation_id=organisation_id)
    for sub in session.exec(
        select(Subcontractor)
        .join(Contract, col(Contract.id) == col(Subcontractor.contract_id))
        .where(Contract.organisation_id == organisation_id)
        .order_by(col(Subcontractor.id))
    ):
        chains.setdefault(sub.contract_id, []).append(facts_from(SubcontractorFacts, sub))
    intra_group = {v.id: group.leis.get(v.group_entity_id) for v in vendors if v.group_entity_id}
    return RegisterData(
        entity=entity,
        ref_date=ref_date,
        report_date=report_date,
        release=release or settings.get("roi_taxonomy") or DEFAULT_RELEASE,
        file_naming=settings.get("roi_file_naming") or DEFAULT_NAMING,
        functions=tuple(facts_from(FunctionFacts, f) for f in functions),
        vendors=tuple(facts_from(VendorFacts, v) for v in vendors),
        contracts=tuple(
            facts_from(
                ContractFacts,
                contract,
                function_code=code,
                storage_countries=tuple(contract.storage_countries or ()),
                processing_countries=tuple(contract.processing_countries or ()),
                subcontractors=tuple(chains.get(contract.id, ())),
                ai_providers=tuple(ai_providers.get(contract.id, ())),
                users=group.users(contract.entity_ids),
                branch_users=tuple(
                    group.branch_codes[b] for b in contract.branch_ids if b in group.branch_codes
                ),
                signer_lei=group.leis.get(contract.signing_entity_id or 0) or group.own_lei,
                intra_group_lei=intra_group.get(contract.vendor_id),
                linked_reference=contract.linked_reference,
            )
            for contract, code in contract_rows
        ),
        entities=group.entities,
        branches=group.branches,
        level=chosen_level,
    )


@dataclass
class _Group:
    entities: tuple[EntityFacts, ...]
    branches: tuple[BranchFacts, ...]
    leis: dict[int, str]  # entity id → LEI
    branch_codes: dict[int, str]  # branch id → code
    own_lei: str | None

    def users(self, entity_ids: list[int] | None) -> tuple[str, ...]:
        """The LEIs of an arrangement's users; none recorded: the entity maintaining it."""
        found = tuple(self.leis[i] for i in entity_ids or () if i in self.leis)
        return found or ((self.own_lei,) if self.own_lei else ())


def _group(*, session: Session, org: Organisation, own: EntityFacts) -> _Group:
    """The organisation's entities and branches (two queries). The entity maintaining the
    register takes its details from the organisation; without entity rows it is the only one."""
    rows = session.exec(select(GroupEntity).where(GroupEntity.organisation_id == org.id)).all()
    leis = {e.id: (org.lei if e.maintains_register else e.lei) or "" for e in rows}
    entities: list[EntityFacts] = []
    for e in rows:
        place = {
            "hierarchy": e.hierarchy,
            "parent_lei": leis.get(e.parent_id or 0) or None,
            "integrated_on": e.integrated_on,
            "deleted_on": e.deleted_on,
        }
        if e.maintains_register:
            entities.append(replace(own, id=e.id, **place))
        else:
            entities.append(
                EntityFacts(
                    id=e.id, name=e.name, lei=e.lei, country=e.country,
                    entity_type=e.entity_type, competent_authority=own.competent_authority,
                    currency=e.currency, total_assets=e.total_assets, **place,
                )
            )  # fmt: skip
    branches = session.exec(select(Branch).where(Branch.organisation_id == org.id)).all()
    return _Group(
        entities=tuple(entities),
        branches=tuple(
            BranchFacts(b.id, b.code, b.name, b.country, leis.get(b.entity_id, ""))  # type: ignore[arg-type]
            for b in branches
        ),
        leis={i: lei for i, lei in leis.items() if lei},  # type: ignore[misc]
        branch_codes={b.id: b.code for b in branches},  # type: ignore[misc]
        own_lei=org.lei,
    )


def _level(group: _Group, own: EntityFacts, level: str | None) -> tuple[EntityFacts, str]:
    """The entity filed for and the level: the group (CON), one entity (its LEI), or the entity
    maintaining the register (None)."""
    maintaining = next((e for e in group.entities if e.lei == own.lei), own)
    if not level:
        return maintaining, INDIVIDUAL
    if level.upper() == CONSOLIDATED:
        return maintaining, CONSOLIDATED
    wanted = level.strip().upper()
    for entity in group.entities:
        if (entity.lei or "").upper() == wanted:
            return entity, INDIVIDUAL
    raise InvalidInput(
        f"No entity with the LEI {wanted} in this register: choose the consolidated level or "
        "one of the entities listed on the entities page."
    )


def report_of(*, session: Session, data: RegisterData) -> RoiReport:
    """Build and validate facts already loaded (LEI statuses from the imported golden copy)."""
    built = build(data)
    leis = {
        lei
        for template_id, pairs in LEI_COLUMNS.items()
        for code, _ in pairs
        for lei in built.tables[template_id].column(code)
    }
    statuses = lei_statuses(session=session, leis=leis)
    return RoiReport(
        built, check_facts(data) + validate(built.tables, built.filing_indicators, statuses)
    )


def _ai_providers(*, session: Session, organisation_id: int) -> dict[int, list[ProviderRef]]:
    """Per arrangement, the model providers of its AI systems, as the AI register's provider
    records where they are linked (one query)."""
    found: dict[int, list[ProviderRef]] = {}
    rows = session.exec(
        select(AISystem.contract_id, AISystem.model_provider, Provider)
        .join(Provider, col(Provider.id) == col(AISystem.model_provider_id), isouter=True)
        .join(Vendor, col(Vendor.id) == col(AISystem.vendor_id))
        .where(Vendor.organisation_id == organisation_id, col(AISystem.contract_id).is_not(None))
    ).all()
    for contract_id, name, provider in rows:
        shown = provider.name if provider else provider_name(name)
        if shown is None:
            continue  # the vendor's own models
        ref = ProviderRef(shown, provider.lei if provider else None, "model")
        if ref not in found.setdefault(contract_id, []):
            found[contract_id].append(ref)
    return found


def roi_report(
    *,
    session: Session,
    organisation_id: int,
    ref_date: date | None = None,
    today: date | None = None,
    release: str | None = None,
    level: str | None = None,
) -> RoiReport:
    """Build and validate the register as at `ref_date` (default: the EBA reference date), at
    `level` (see `load_register`)."""
    today = today or utcnow().date()
    data = load_register(
        session=session,
        organisation_id=organisation_id,
        ref_date=ref_date or default_ref_date(today),
        report_date=today,
        release=release,
        level=level,
    )
    return report_of(session=session, data=data)


def export_roi(
    *,
    session: Session,
    organisation_id: int,
    fmt: str,
    actor: User | None,
    generated_by: str,
    draft: bool = False,
    ref_date: date | None = None,
    base_url: str = "",
    ip: str | None = None,
    now: datetime | None = None,
    release: str | None = None,
    level: str | None = None,
) -> RoiExport:
    """The package (`zip`) or workbook (`xlsx`) in a rewound temporary file, recorded on the
    audit trail. Raises RegisterInvalid, writing nothing, when blocking problems exist and
    `draft` is false."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown Register of Information format {fmt!r}")
    now = now or utcnow()
    report = roi_report(
        session=session,
        organisation_id=organisation_id,
        ref_date=ref_date,
        today=now.date(),
        release=release,
        level=level,
    )
    if report.blocking and not draft:
        raise RegisterInvalid(report)
    is_draft = bool(report.blocking)
    built = report.built
    name = package_name(built, now, draft=is_draft)
    if fmt == "xlsx":
        name = name.removesuffix(".zip") + ".xlsx"
    spooled = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (caller closes)
    if fmt == "zip":
        write_package(spooled, built, name=name.removeprefix("DRAFT_"))
    else:
        write_workbook(
            spooled,
            built,
            report.problems,
            generated_at=now,
            generated_by=generated_by,
            base_url=base_url,
        )
    spooled.seek(0)
    record(
        session=session,
        action="register.roi_exported",
        actor=actor,
        organisation_id=organisation_id,
        object_type="register",
        object_id=f"roi.{fmt}",
        data={
            "format": fmt,
            "file": name,
            "ref_date": built.data.ref_date.isoformat(),
            "level": built.level,
            "entity": built.data.entity.lei,
            "taxonomy": built.taxonomy.release,
            "draft": is_draft,
            "blocking": len(report.blocking),
            "warnings": len(report.warnings),
            "arrangements": len(built.tables["B_02.01"]),
            "generated_by": generated_by,
        },
        ip=ip,
    )
    return RoiExport(spooled, name, FORMATS[fmt], report)  # type: ignore[arg-type]
