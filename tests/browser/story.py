"""The one story the journeys tell, arranged up to any chapter with the domain's own services.

Each journey stands on its own: it builds the state the earlier journeys would have left (a buyer
team, a vendor with an AI system and a contract, a sent, answered, submitted or completed
assessment) through the same service functions the pages call, so audit events, emails and
scores are real, then drives its own chapter in the browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, select

from app.assessments.review import review_answer, take_action
from app.assessments.sending import Recipients, send_questionnaire
from app.assessments.service import answers_of, save_answer
from app.auth.invitations import accept_invitation
from app.config import Settings
from app.evidence.service import attach_evidence, store_evidence
from app.evidence.storage import store_for
from app.models import Assessment, Invitation, Questionnaire, Role, User, Vendor
from app.portal.submission import submit as submit_assessment
from app.questionnaires.schema import QuestionType
from app.questionnaires.service import latest_version, publish_library, questionnaire_of
from app.vendors.children import save_ai_system
from app.vendors.contracts import save_contract
from app.vendors.identifiers import lei_with_check_digits
from app.vendors.schemas import AISystemInput, ContractInput, VendorCreate
from app.vendors.service import create_vendor
from tests.browser.answers import EVIDENCED, LIBRARY_KEY, planned_answer
from tests.evidence.samples import pdf_bytes
from tests.factories import APPROVED, PASSWORD, make_org, make_user

VENDOR = "Nordlicht Analytics GmbH"
LEI = lei_with_check_digits("5299009NORDLICHT01")
CONTACT_EMAIL = "lena.weber@nordlicht.example"
CONTACT_NAME = "Lena Weber"
SIGNER_TITLE = "Head of Compliance"


@dataclass
class Buyer:
    org: object
    procurement: User
    analyst: User
    auditor: User
    questionnaire: Questionnaire


def buyer_team(session: Session) -> Buyer:
    """Harbour Bank with one person per buyer role and the published library questionnaire."""
    org = make_org(session, "Harbour Bank")
    publish_library(session=session)
    questionnaire = latest_version(session=session, organisation_id=org.id, key=LIBRARY_KEY)
    assert questionnaire is not None
    buyer = Buyer(
        org=org,
        procurement=_person(session, org, Role.procurement, "Paula Brandt"),
        analyst=_person(session, org, Role.risk_analyst, "Ravi Menon"),
        auditor=_person(session, org, Role.auditor, "Ada Lindqvist"),
        questionnaire=questionnaire,
    )
    session.flush()
    return buyer


def _person(session: Session, org, role: Role, name: str) -> User:
    user = make_user(session, org, role, email=f"{name.split()[0].lower()}@harbour.example")
    user.name = name
    session.add(user)
    return user


def vendor_with_ai(session: Session, buyer: Buyer, name: str = VENDOR) -> Vendor:
    """What journey 1 creates in the browser: the vendor, its contract and its AI system."""
    vendor = create_vendor(
        session=session,
        actor=buyer.procurement,
        data=VendorCreate(
            legal_name=name,
            identifier=LEI,
            hq_country="DE",
            supports_critical_function=True,
            data_sensitivity="high",
            ai_role="provider",
            cloud_providers=["AWS"],
        ),
    )
    contract = save_contract(
        session=session,
        actor=buyer.procurement,
        vendor=vendor,
        data=ContractInput(reference="HB-2026-014", ict_service_type="S19"),
    )
    save_ai_system(
        session=session,
        actor=buyer.procurement,
        vendor=vendor,
        data=AISystemInput(
            name="Claims triage assistant", ai_act_class="limited", contract_id=contract.id
        ),
    )
    return vendor


def send_to_new_contact(
    session: Session, buyer: Buyer, vendor: Vendor, settings: Settings
) -> Assessment:
    """Journey 1's last step: the questionnaire goes to a person who has no account yet."""
    result = send_questionnaire(
        session=session,
        actor=buyer.procurement,
        vendor_ids=[vendor.id],
        questionnaire_id=buyer.questionnaire.id,
        due_date=date.today() + timedelta(days=30),
        message="Our annual AI due diligence.",
        settings=settings,
        recipients={vendor.id: Recipients(new_contacts=_new(CONTACT_EMAIL, CONTACT_NAME))},
    )
    return result.assessments[0]


def _new(email: str, name: str):
    from app.assessments.sending import NewContact

    return [NewContact(email=email, name=name)]


def join_vendor(session: Session, vendor: Vendor, email: str = CONTACT_EMAIL) -> User:
    """The invited contact accepts (what journey 2 does through the emailed link)."""
    invitation = session.exec(
        select(Invitation).where(Invitation.vendor_id == vendor.id, Invitation.email == email)
    ).one()
    return accept_invitation(
        session=session, invitation=invitation, user=None, name=CONTACT_NAME, password=PASSWORD
    )


def answer_with_services(
    session: Session, assessment: Assessment, contact: User, settings: Settings
) -> None:
    """Answer every visible question with the journeys' plan and attach the files it needs."""
    questionnaire = questionnaire_of(session=session, assessment=assessment)
    values: dict = {}
    for question in questionnaire.definition.questions():
        if question.key not in questionnaire.visible_keys(values):
            continue
        if question.type == QuestionType.evidence_only:
            continue
        value = planned_answer(question)
        answer = save_answer(
            session=session,
            actor=contact,
            assessment=assessment,
            key=question.key,
            raw_value=value,
            expected_version=0,
        )
        values[question.key] = answer.value
    answers = answers_of(session=session, assessment_id=assessment.id)
    store = store_for(settings)
    for key, (_, kind) in EVIDENCED.items():
        evidence = store_evidence(
            session=session,
            store=store,
            actor=contact,
            vendor_id=assessment.vendor_id,
            filename=f"{key.replace('.', '-')}.pdf",
            chunks=[pdf_bytes(f"Evidence for {key}")],
            kind=kind,
            limit=settings.upload_limit_bytes,
        )
        attach_evidence(session=session, actor=contact, answer=answers[key], evidence=evidence)


def submitted_assessment(
    session: Session, settings: Settings
) -> tuple[Buyer, Vendor, Assessment, User]:
    """Journeys 1 and 2 done: the vendor answered everything and submitted with an attestation."""
    buyer = buyer_team(session)
    vendor = vendor_with_ai(session, buyer)
    assessment = send_to_new_contact(session, buyer, vendor, settings)
    contact = join_vendor(session, vendor)
    answer_with_services(session, assessment, contact, settings)
    submit_assessment(
        session=session,
        actor=contact,
        assessment=assessment,
        name=CONTACT_NAME,
        title=SIGNER_TITLE,
        confirmed=True,
    )
    return buyer, vendor, assessment, contact


CLARIFIED = "policy.ai_policy"
QUESTION = "Does the AI policy cover generative AI features used by your staff?"
REPLY = "Yes: section 4 covers generative AI; the board approved it in March."


def completed_assessment(
    session: Session, settings: Settings
) -> tuple[Buyer, Vendor, Assessment, User]:
    """Journeys 1–3 done: one clarification round trip, every answer accepted, completed."""
    from app.assessments.comments import add_comment
    from app.models import CommentVisibility
    from app.portal.submission import resume

    buyer, vendor, assessment, contact = submitted_assessment(session, settings)
    analyst = buyer.analyst

    def step(action: str, reason: str | None = None) -> None:
        take_action(
            session=session,
            actor=analyst,
            assessment=assessment,
            action=action,
            reason=reason,
            settings=settings,
            decision=APPROVED if action == "complete" else None,
        )

    step("begin_review")
    review_answer(
        session=session,
        actor=analyst,
        assessment=assessment,
        question_key=CLARIFIED,
        decision="clarification",
        reason=QUESTION,
    )
    step("request_clarification", "One question on the AI policy.")
    resume(session=session, actor=contact, assessment=assessment)
    add_comment(
        session=session,
        actor=contact,
        assessment=assessment,
        question_key=CLARIFIED,
        body=REPLY,
        visibility=CommentVisibility.vendor,
    )
    submit_assessment(
        session=session,
        actor=contact,
        assessment=assessment,
        name=CONTACT_NAME,
        title=SIGNER_TITLE,
        confirmed=True,
    )
    step("begin_review")
    for key in answers_of(session=session, assessment_id=assessment.id):
        review_answer(
            session=session,
            actor=analyst,
            assessment=assessment,
            question_key=key,
            decision="accepted",
        )
    step("complete")  # scores the assessment and sets the next review
    return buyer, vendor, assessment, contact
