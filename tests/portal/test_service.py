"""Portal service functions called directly: delegation, and the page's view of the answers."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from app.assessments.answers import display_value
from app.errors import NotFound
from app.models import AuditEvent, SectionAssignment
from app.portal import service
from app.portal.view import section_page


def test_assignment_is_audited_and_limited_to_the_vendors_people(session, world):
    service.assign_section(
        session=session,
        actor=world.vendor_admin,
        assessment=world.assessment,
        section_key="governance",
        user_id=world.contact.id,
    )
    assert session.exec(select(SectionAssignment)).one().user_id == world.contact.id
    service.assign_section(
        session=session,
        actor=world.vendor_admin,
        assessment=world.assessment,
        section_key="governance",
        user_id=None,
    )
    assert session.exec(select(SectionAssignment)).first() is None
    assert (
        len(
            session.exec(
                select(AuditEvent).where(AuditEvent.action == "assessment.section_assigned")
            ).all()
        )
        == 2
    )
    with pytest.raises(NotFound):
        service.assign_section(
            session=session,
            actor=world.vendor_admin,
            assessment=world.assessment,
            section_key="governance",
            user_id=world.procurement.id,
        )
    page = section_page(
        session=session,
        user=world.contact,
        assessment=world.assessment,
        section_key="governance",
        today=date.today(),
    )
    assert [s.key for s in page.nav] == ["governance"] and page.section.current


def test_display_value_reads_like_the_page(session, world):
    from app.questionnaires.service import questionnaire_of

    q = questionnaire_of(session=session, assessment=world.assessment).by_key
    assert display_value(q["gov.policy"], 3) == "3 – level 3"
    assert display_value(q["gov.role"], "provider") == "Provider"
    assert display_value(q["gov.notes"], None) == "—"
