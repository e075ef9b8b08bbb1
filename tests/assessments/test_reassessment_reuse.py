"""Last round's answers in the next round: a rejected answer is never offered for one-click
reuse, a reworded question is flagged to the vendor and to the analyst, carried answers are
marked."""

from __future__ import annotations

import copy

from app.assessments.service import answers_of, save_answer
from app.models import AssessmentStatus
from app.portal.reuse import previous_answers
from tests.factories import SMALL_QUESTIONNAIRE, make_assessment, make_questionnaire
from tests.helpers import login


def test_rejected_answers_are_not_offered_and_reworded_questions_are_flagged(client, session, team):
    last = make_assessment(session, team.org, team.vendor_a, team.procurement, team.questionnaire,
                           status="in_progress")  # fmt: skip
    for key, value in [("gov.policy", "2"), ("gov.role", "provider")]:
        save_answer(session=session, actor=team.contact_a, assessment=last, key=key,
                    raw_value=value, expected_version=0)  # fmt: skip
    answers = answers_of(session=session, assessment_id=last.id)
    answers["gov.policy"].review_state = "rejected"
    answers["gov.role"].review_state = "accepted"
    last.status = AssessmentStatus.completed
    session.add_all([last, *answers.values()])
    reworded = copy.deepcopy(SMALL_QUESTIONNAIRE)
    reworded["version"] = 2
    reworded["sections"][0]["questions"][1]["text"] = "Which AI Act roles do you hold today?"
    version_2 = make_questionnaire(session, reworded)
    now = make_assessment(session, team.org, team.vendor_a, team.procurement, version_2,
                          status="in_progress")  # fmt: skip
    now.previous_assessment_id = last.id
    session.add(now)
    save_answer(session=session, actor=team.contact_a, assessment=now, key="gov.role",
                raw_value="provider", expected_version=0)  # fmt: skip
    session.commit()

    offers = previous_answers(session=session, user=team.contact_a, assessment=now)
    assert "gov.policy" not in offers  # rejected last time
    assert offers["gov.role"].reworded and offers["gov.role"].display == "Provider"

    login(client, team.analyst.email)
    page = client.get(f"/assessments/{now.id}").text
    card = page.split('id="q-gov.role"')[1].split("</article>")[0]
    assert ">reworded</span>" in card
    assert ">reworded</span>" not in page.split('id="q-gov.policy"')[1].split("</article>")[0]
