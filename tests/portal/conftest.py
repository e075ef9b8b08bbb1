"""The portal's world: Harbour Bank sent Cobalt Cloud SE an assessment of the small
questionnaire; the vendor has an admin and a contact."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from tests.worlds import SentAssessment, make_sent_assessment

EVIDENCE_ONLY = {
    "key": "gov.register",
    "text": "Upload your AI register.",
    "type": "evidence_only",
    "evidence": {"kinds": ["record"], "required_from_level": 0},
}


@pytest.fixture
def world(session: Session) -> SentAssessment:
    built = make_sent_assessment(session)
    session.commit()
    return built
