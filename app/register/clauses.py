"""The Art. 30 clause checklist per contract: the vendor states for each clause whether the signed
contract has it (yes / partly / no) and where; the buyer's reviewer confirms it against the
contract. Scoring judges the clauses from here (docs/scoring.md rule 10).

Both writers check every line before saving any, so a bad line saves nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.audit.service import record
from app.errors import InvalidInput, NotFound
from app.models import Contract, ContractClause, User, Vendor, utcnow
from app.scoring.clauses import CLAUSE_STATUSES, Clause, applicable_clauses

REFERENCE_MAX = 300
NOTE_MAX = 1000


@dataclass(frozen=True)
class ClauseLine:
    clause: Clause
    row: ContractClause | None

    @property
    def judged(self) -> str | None:
        """What scoring counts: the reviewer's word, else the vendor's."""
        if self.row is None:
            return None
        return self.row.confirmed_status or self.row.vendor_status


@dataclass(frozen=True)
class ContractChecklist:
    contract: Contract
    cif: bool
    lines: list[ClauseLine]

    @property
    def confirmed(self) -> int:
        return sum(1 for line in self.lines if line.row and line.row.confirmed_status)


@dataclass(frozen=True)
class Statement:
    """One posted line: a status (yes / partly / no, or empty to leave the clause unstated) and
    the clause reference or the reviewer's note."""

    status: str | None
    text: str | None = None


def checklists(*, session: Session, vendor: Vendor) -> list[ContractChecklist]:
    """Every open contract of the vendor with its applicable clauses (two queries)."""
    contracts = session.exec(
        select(Contract)
        .where(Contract.vendor_id == vendor.id, col(Contract.termination_reason).is_(None))
        .order_by(col(Contract.id))
    ).all()
    rows = session.exec(
        select(ContractClause).where(col(ContractClause.contract_id).in_([c.id for c in contracts]))
    ).all()
    by_key = {(r.contract_id, r.code): r for r in rows}
    out = []
    for contract in contracts:
        cif = bool(contract.supports_critical_function)
        lines = [
            ClauseLine(clause, by_key.get((contract.id or 0, clause.code)))
            for clause in applicable_clauses(cif)
        ]
        out.append(ContractChecklist(contract, cif, lines))
    return out


def _contract(*, session: Session, vendor: Vendor, contract_id: int) -> Contract:
    """The vendor's contract; another vendor's or organisation's contract is not found."""
    contract = session.get(Contract, contract_id)
    if (
        contract is None
        or contract.vendor_id != vendor.id
        or contract.organisation_id != vendor.organisation_id
    ):
        raise NotFound("No such contract for this vendor.")
    return contract


def _checked(
    contract: Contract, statements: Mapping[str, Statement], limit: int, what: str
) -> dict[str, Statement]:
    """Every line valid, or InvalidInput naming each bad one (nothing is saved then)."""
    allowed = {c.code: c for c in applicable_clauses(bool(contract.supports_critical_function))}
    problems = []
    clean: dict[str, Statement] = {}
    for code, statement in statements.items():
        if code not in allowed:
            problems.append(f"{code}: not a clause this contract is checked for.")
            continue
        status = (statement.status or "").strip() or None
        if status is not None and status not in CLAUSE_STATUSES:
            problems.append(
                f"{code}: unknown status {status!r}; use one of {', '.join(CLAUSE_STATUSES)}."
            )
            continue
        text = (statement.text or "").strip() or None
        if text and len(text) > limit:
            problems.append(f"{code}: keep the {what} under {limit:,} characters.")
            continue
        clean[code] = Statement(status, text)
    if problems:
        raise InvalidInput("Nothing was saved. " + " ".join(problems), details=problems)
    return clean


def state_clauses(
    *,
    session: Session,
    actor: User,
    vendor: Vendor,
    contract_id: int,
    statements: Mapping[str, Statement],
    ip: str | None = None,
) -> int:
    """The vendor's statements for one contract; returns how many clauses changed. A changed
    statement clears the reviewer's confirmation of that clause: it has to be confirmed again."""
    contract = _contract(session=session, vendor=vendor, contract_id=contract_id)
    clean = _checked(contract, statements, REFERENCE_MAX, "clause reference")
    rows = {r.code: r for r in _rows(session, contract)}
    changes = {}
    now = utcnow()
    for code, statement in clean.items():
        row = rows.get(code)
        before = (row.vendor_status, row.reference) if row else (None, None)
        if before == (statement.status, statement.text):
            continue
        if row is None:
            row = ContractClause(
                organisation_id=contract.organisation_id, contract_id=contract.id, code=code
            )
        row.vendor_status, row.reference = statement.status, statement.text
        row.stated_by_id, row.stated_at = actor.id, now
        if row.confirmed_status is not None:
            row.confirmed_status = row.confirmed_by_id = row.confirmed_at = None
        session.add(row)
        changes[code] = {"from": before[0], "to": statement.status}
    return _audited(session, actor, contract, "contract.clauses_stated", changes, ip)


def confirm_clauses(
    *,
    session: Session,
    actor: User,
    vendor_id: int,
    contract_id: int,
    confirmations: Mapping[str, Statement],
    ip: str | None = None,
) -> int:
    """The buyer's reviewer's finding per clause against the signed contract (in the actor's
    organisation only); returns how many clauses changed."""
    vendor = session.get(Vendor, vendor_id)
    if vendor is None or vendor.organisation_id != actor.organisation_id:
        raise NotFound("No such vendor.")
    contract = _contract(session=session, vendor=vendor, contract_id=contract_id)
    clean = _checked(contract, confirmations, NOTE_MAX, "review note")
    rows = {r.code: r for r in _rows(session, contract)}
    changes = {}
    now = utcnow()
    for code, confirmation in clean.items():
        row = rows.get(code)
        before = (row.confirmed_status, row.review_note) if row else (None, None)
        if before == (confirmation.status, confirmation.text):
            continue
        if row is None:
            row = ContractClause(
                organisation_id=contract.organisation_id, contract_id=contract.id, code=code
            )
        row.confirmed_status, row.review_note = confirmation.status, confirmation.text
        row.confirmed_by_id = actor.id if confirmation.status else None
        row.confirmed_at = now if confirmation.status else None
        session.add(row)
        changes[code] = {"from": before[0], "to": confirmation.status}
    return _audited(session, actor, contract, "contract.clauses_confirmed", changes, ip)


def _rows(session: Session, contract: Contract) -> list[ContractClause]:
    return list(
        session.exec(select(ContractClause).where(ContractClause.contract_id == contract.id)).all()
    )


def _audited(
    session: Session,
    actor: User,
    contract: Contract,
    action: str,
    changes: dict[str, dict[str, str | None]],
    ip: str | None,
) -> int:
    if not changes:
        return 0
    session.flush()
    record(
        session=session,
        action=action,
        actor=actor,
        organisation_id=contract.organisation_id,
        object_type="contract",
        object_id=contract.id,
        data={"vendor_id": contract.vendor_id, "reference": contract.reference, "changes": changes},
        ip=ip,
    )
    return len(changes)


def statements_from_form(form: Mapping[str, str], prefix: str, text: str) -> dict[str, Statement]:
    """`{prefix}:{code}` and `{text}:{code}` fields of a posted checklist, by clause code."""
    out: dict[str, Statement] = {}
    for name, value in form.items():
        kind, _, code = name.partition(":")
        if kind == prefix and code:
            out[code] = Statement(str(value), str(form.get(f"{text}:{code}", "") or ""))
    return out
