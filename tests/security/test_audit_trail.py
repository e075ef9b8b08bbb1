"""Every export is on the audit trail: who took which data out, in the same transaction.

The issue asks for an AuditEvent on every change, exports included. Each download below must
add exactly one event, with the person who downloaded it, and leave a chain that verifies.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from app.models import AssessmentStatus, AuditEvent
from tests.security.conftest import audit_problems
from tests.security.test_state_machine import _set

EXPORTS = [
    ("auditor", "/audit/export.xlsx"),
    ("auditor", "/audit/export.csv"),
    ("analyst", "/register/export.xlsx"),
    ("analyst", "/api/v1/register.xlsx"),
    ("analyst", "/register/roi.xlsx?draft=1"),
    ("analyst", "/register/roi.zip?draft=1"),
    ("analyst", "/register/report.pdf"),
    ("analyst", "/assessments/{assessment}/report.pdf"),
    ("procurement", "/questionnaires/{questionnaire}/definition.xlsx"),
    ("procurement", "/questionnaires/{questionnaire}/definition.yaml"),
    ("procurement", "/questionnaires/{questionnaire}/coverage.xlsx"),
    ("contact", "/portal/assessments/{assessment}/export.xlsx"),
    ("contact", "/portal/assessments/{assessment}/receipt.pdf"),
]


def _events(engine) -> list[AuditEvent]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEvent).order_by(AuditEvent.id)))


@pytest.mark.parametrize(("who", "url"), EXPORTS)
def test_an_export_records_who_took_the_data(who, url, signed_in, site, engine):
    _set(engine, site.assessment.id, AssessmentStatus.submitted)  # receipts exist once submitted
    user = getattr(site, who)
    client = signed_in(user)
    before = _events(engine)

    response = client.get(
        url.format(assessment=site.assessment.id, questionnaire=site.questionnaire.id)
    )

    assert response.status_code == 200, response.text[-1000:]
    new = _events(engine)[len(before) :]
    assert len(new) == 1, [e.action for e in new]
    assert new[0].actor_id == user.id
    assert new[0].action.endswith(("exported", "downloaded"))
    assert audit_problems(engine) == []


def test_a_refused_export_records_nothing(signed_in, site, rival, engine):
    client = signed_in(site.contact)
    with Session(engine) as session:
        before = session.exec(select(func.count()).select_from(AuditEvent)).one()
    assert client.get(f"/portal/assessments/{rival.assessment.id}/export.xlsx").status_code == 404
    assert client.get("/audit/export.csv").status_code == 403
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(AuditEvent)).one() == before
