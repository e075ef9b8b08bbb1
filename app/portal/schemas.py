"""The portal's forms: a model per fixed form, and the answer form's reader.

Fixed forms are read with `app.forms.parse` (or `app.forms.parse_repeated` when a field repeats). The
answer form is the exception: its fields are defined by the questionnaire, so `raw_from_form`
reads what a question posted and `coerce_answer` (inside `save_answer`) validates it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, Field
from pydantic_core import PydanticCustomError
from starlette.datastructures import UploadFile

from app.errors import InvalidInput
from app.forms import FormModel
from app.questionnaires.schema import Question, QuestionType

Model = TypeVar("Model", bound=BaseModel)


def _library_choice(ids: list[str]) -> list[int]:
    chosen = [str(v).strip() for v in ids if str(v).strip()]
    if not chosen or not all(v.isdecimal() for v in chosen):
        raise PydanticCustomError("choose", "Choose a file from the library.")
    return [int(v) for v in chosen]


def _some_question(keys: list[str]) -> list[str]:
    chosen = [str(k).strip() for k in keys if str(k).strip()]
    if not chosen:
        raise PydanticCustomError("choose", "Tick at least one question this document covers.")
    return chosen


def _import_changes(changes: list[str]) -> list[dict[str, Any]]:
    try:
        parsed = [json.loads(c) for c in changes]
    except (ValueError, RecursionError):  # RecursionError: a forged change nested too deeply
        parsed = None
    if parsed is None or not all(isinstance(c, dict) for c in parsed):
        raise PydanticCustomError(
            "import", "The import could not be read; upload the workbook again."
        )
    return parsed


def _workbook(upload: Any) -> UploadFile:
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise PydanticCustomError("workbook", "Choose the workbook to upload.")
    return upload


class PreviousAnswerForm(FormModel):
    """ "Use previous answer": a button of the answer form, which posts its version too."""

    source_answer_id: int
    version: int = 0


class ReuseForm(FormModel):
    reuse: bool = False


class AssignmentForm(FormModel):
    section_key: Annotated[str, Field(min_length=1, max_length=100)]
    user_id: int | None = None  # None: nobody


class CommentForm(FormModel):
    body: str = ""


class AttachForm(FormModel):
    """A question's library picker, or the files just uploaded on the question (`uploaded`)."""

    evidence_id: Annotated[list[str], AfterValidator(_library_choice)] = Field(
        default_factory=list, validate_default=True
    )
    uploaded: bool = False


class CoversForm(FormModel):
    """ "This document covers …": the questions ticked for one library file."""

    question: Annotated[list[str], AfterValidator(_some_question)] = Field(
        default_factory=list, validate_default=True
    )
    back: str = ""


class SubmitForm(FormModel):
    name: str = ""
    title: str = ""
    confirm: bool = False


class WorkbookForm(FormModel):
    workbook: Annotated[Any, AfterValidator(_workbook)] = Field(default=None, validate_default=True)


class ImportApplyForm(FormModel):
    """The previewed changes, one JSON object per `change` field."""

    change: Annotated[list[str], AfterValidator(_import_changes)] = Field(
        default_factory=list, validate_default=True
    )


class ProfileForm(FormModel):
    """The provider's own facts on the register-data page (its services' fields repeat per
    arrangement and are read by `portal.profile`); the register's rules are checked after."""

    legal_name: str | None = None
    identifier: str | None = None
    parent_name: str | None = None
    parent_identifier: str | None = None
    hq_country: str | None = None


# --- the answer form ------------------------------------------------------------------------------


def posted_version(form: Mapping[str, Any]) -> int:
    """The answer row version the form was drawn with: the save's compare-and-set."""
    try:
        return int(str(form.get("version", "0")))
    except ValueError:
        raise InvalidInput("The form is out of date; reload the page.") from None


def raw_from_form(question: Question, form: Mapping[str, Any], getlist) -> Any:
    """What a question's form posted, in the shape `coerce_answer` takes.

    The answer form has no FormModel: its fields are defined by the questionnaire, so this and
    `coerce_answer` are its validator.

    `value_json` (the conflict screen's "keep mine") carries an already-shaped value. Group rows
    are `row-<n>-<field>`; the row named in `remove_row` is left out.
    """
    if form.get("value_json"):
        try:
            return json.loads(str(form["value_json"]))
        except (ValueError, RecursionError):  # RecursionError: JSON nested past any real answer
            raise InvalidInput("The kept answer could not be read; reload the page.") from None
    kind = QuestionType(question.type)
    if kind == QuestionType.multi_choice:
        return [v for v in getlist("value") if str(v).strip()]
    if kind == QuestionType.group:
        indices = sorted(
            {
                int(name.split("-")[1])
                for name in form
                if name.startswith("row-") and name.split("-")[1].isdecimal()
            }
        )
        removed = str(form.get("remove_row", ""))
        rows = []
        for index in indices:
            if removed == str(index):
                continue
            row = {}
            for f in question.fields:
                name = f"row-{index}-{f.key}"
                if f.type == QuestionType.multi_choice:
                    row[f.key] = [v for v in getlist(name) if str(v).strip()]
                else:
                    row[f.key] = form.get(name)
            rows.append(row)
        return rows
    if kind == QuestionType.evidence_only:
        return None
    return form.get("value")
