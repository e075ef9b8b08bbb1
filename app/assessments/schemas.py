"""What assessments read and answer: the buyer pages' forms, and the JSON shapes of
/api/v1/assessments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from app.forms import FormModel, one_of
from app.models import AssessmentStatus, ReviewState

# --- forms ---------------------------------------------------------------------------------------


def _questionnaire_choice(value: Any) -> int:
    if value is None:
        raise PydanticCustomError("choose", "Choose a questionnaire.")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise PydanticCustomError("number", "The questionnaire must be a number.") from None


def _due_date(value: Any) -> date:
    """`date.fromisoformat`, as the date input posts it (its other forms too, as before)."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise PydanticCustomError("due_date", "Choose a due date (YYYY-MM-DD).") from None


class SendForm(FormModel):
    """The send page: one questionnaire to the ticked vendors. Each vendor lists its contacts
    (contact_ids) and has a box for new addresses (new_contacts, paired in order with
    new_contacts_vendor). Read with `parse_repeated`."""

    questionnaire_id: Annotated[int, BeforeValidator(_questionnaire_choice)] = Field(
        default=None, validate_default=True
    )
    due_date: Annotated[date, BeforeValidator(_due_date)] = Field(
        default=None, validate_default=True
    )
    vendor_ids: list[int] = []
    contact_ids: list[int] = []
    new_contacts_vendor: list[int] = []
    new_contacts: list[str] = []
    message: str = Field(default="", max_length=5000)
    name: str = Field(default="", max_length=200)


class ReasonForm(FormModel):
    """A review step's or a cancellation's reason (a rejection needs one: the service says)."""

    reason: str = Field(default="", max_length=2000)


class AnswerReviewForm(ReasonForm):
    decision: str = ""


class EvidenceReviewForm(FormModel):
    decision: str = ""


def _visibility(value: str) -> str:
    if value not in ("internal", "vendor"):
        raise PydanticCustomError(
            "visibility", "Choose an internal note or a message to the vendor."
        )
    return value


class ThreadMessageForm(FormModel):
    """An internal note (buyer team only) or a message the vendor sees and answers."""

    body: str = Field(default="", max_length=5000)
    visibility: Annotated[str, AfterValidator(_visibility)] = "internal"


BULK_STEPS = {
    "answers": "Accept the chosen answers",
    "files_accepted": "Accept the answers whose files are accepted",
    "files": "Accept the files",
}


class BulkReviewForm(FormModel):
    """A bulk verdict: `answer` repeats "id:version" as the page showed it, `file` repeats
    "answer id:evidence id". Read with `parse_repeated`."""

    do: Annotated[str, one_of(BULK_STEPS, "bulk steps")] = "answers"
    answer: list[str] = []
    file: list[str] = []


def _optional_id(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise PydanticCustomError("number", "Choose a colleague from the list.") from None


class ReviewerForm(FormModel):
    """The assessment's reviewer, or the organisation's default (blank: nobody)."""

    reviewer_id: Annotated[int | None, BeforeValidator(_optional_id)] = None


class ResendDefaultsForm(FormModel):
    """Automatic re-sending by tier (organisation defaults) and the default reviewer. Read with
    `parse_repeated`: `tiers` repeats."""

    tiers: list[str] = []
    reviewer_id: Annotated[int | None, BeforeValidator(_optional_id)] = None


AUTO_RESEND_CHOICES = {
    "default": "Follow the organisation's default for the vendor's tier",
    "on": "Always re-send automatically",
    "off": "Never re-send automatically",
}


class VendorResendForm(FormModel):
    auto_resend: Annotated[str, one_of(AUTO_RESEND_CHOICES, "choices")] = "default"


# --- the API's JSON ------------------------------------------------------------------------------


class AssessmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    vendor_id: int
    vendor_name: str
    questionnaire_id: int
    questionnaire_key: str
    questionnaire_version: int
    campaign_id: int | None
    previous_assessment_id: int | None
    status: AssessmentStatus
    due_date: date | None
    overdue: bool
    sent_at: datetime | None
    submitted_at: datetime | None
    completed_at: datetime | None
    created_at: datetime


class AssessmentPageRead(BaseModel):
    items: list[AssessmentRead]
    total: int
    page: int
    per_page: int


class TransitionRead(BaseModel):
    from_status: str
    to_status: str
    actor_id: int | None
    reason: str | None
    at: datetime


class AssessmentDetail(AssessmentRead):
    message: str | None
    timeline: list[TransitionRead]
    progress_percent: int


class AnswerRead(BaseModel):
    question_key: str
    value: Any
    comment: str | None
    version: int
    review_state: ReviewState
    review_reason: str | None
    answered_at: datetime
    reviewed_at: datetime | None
    evidence_ids: list[int]


class CommentRead(BaseModel):
    id: int
    question_key: str
    visibility: str
    author: str | None
    body: str
    created_at: datetime


class NewContactIn(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    name: str = Field(default="", max_length=200)


class RecipientsIn(BaseModel):
    vendor_id: int
    contact_ids: list[int] = []
    new_contacts: list[NewContactIn] = []


class AssessmentCreate(BaseModel):
    """Send one questionnaire version to one or many vendors (a campaign)."""

    model_config = ConfigDict(extra="forbid")

    vendor_ids: list[int] = Field(min_length=1, max_length=500)
    questionnaire_id: int
    due_date: date
    message: str | None = Field(default=None, max_length=5000)
    name: str | None = Field(default=None, max_length=200)
    recipients: list[RecipientsIn] = Field(
        default=[], description="Per vendor; a vendor left out receives it at every contact."
    )


class CampaignRead(BaseModel):
    campaign_id: int
    assessments: list[AssessmentRead]
    invited: list[str]
    emailed: list[str]


class ConditionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=300)
    owner_id: int
    due_date: date


class DecisionIn(BaseModel):
    """The review's decision, posted with `complete` (a review ends with one)."""

    model_config = ConfigDict(extra="forbid")

    outcome: str = Field(
        description="approve, approve_with_conditions, reject_do_not_onboard or reject_exit"
    )
    rationale: str = Field(default="", max_length=4000)
    conditions: list[ConditionIn] = Field(
        default=[], description="For approve_with_conditions: each becomes a finding."
    )


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: str = Field(
        description="begin_review, request_clarification, complete, reopen, cancel or send"
    )
    reason: str | None = Field(default=None, max_length=2000)
    decision: DecisionIn | None = Field(
        default=None,
        description="With `complete`: the review's decision. Required unless one was recorded "
        "on this assessment before.",
    )
