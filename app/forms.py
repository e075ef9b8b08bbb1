"""One way to read a form: pydantic models with a message per field.

Every route that takes input validates it through a `FormModel` subclass declared in its
domain's `schemas.py`: `parse(Schema, form)` for a posted HTML form, `validate(Schema, data)`
for a mapping (the JSON API, a spreadsheet row). A failure is `FieldErrors`, which a form page
shows next to each input and the API lists as `field: message`. A route that saves a posted
form and shows it again when it is wrong does so with `save_form`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any, TypeVar, get_origin

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError
from starlette.datastructures import FormData

from app.errors import InvalidInput

Model = TypeVar("Model", bound=BaseModel)
Saved = TypeVar("Saved")


class FieldErrors(InvalidInput):
    """Invalid input with one message per field (`""` for the form as a whole)."""

    def __init__(
        self, errors: Mapping[str, str], message: str = "Some fields need attention."
    ) -> None:
        super().__init__(
            message,
            details=[f"{field}: {text}" if field else text for field, text in errors.items()],
        )
        self.errors = dict(errors)


_FRIENDLY = {
    "missing": "This field is required.",
    "int_parsing": "Enter a whole number.",
    "int_from_float": "Enter a whole number.",
    "decimal_parsing": "Enter a number, e.g. 125000.50.",
    "decimal_type": "Enter a number, e.g. 125000.50.",
    "date_from_datetime_parsing": "Enter a date as YYYY-MM-DD.",
    "date_parsing": "Enter a date as YYYY-MM-DD.",
    "date_type": "Enter a date as YYYY-MM-DD.",
    "bool_parsing": "Enter yes or no.",
    "bool_type": "Enter yes or no.",
    "string_type": "Enter text.",
}


def _message(error: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in _FRIENDLY:
        return _FRIENDLY[kind]
    if kind == "string_too_long":
        return f"At most {ctx.get('max_length')} characters."
    if kind == "string_too_short":
        return "This field is required."
    if kind in ("greater_than_equal", "greater_than"):
        return f"Must be at least {ctx.get('ge', ctx.get('gt'))}."
    if kind in ("decimal_max_digits", "decimal_whole_digits"):
        return "The number is too large."
    if kind == "decimal_max_places":
        return "At most 2 decimal places."
    if kind == "enum":
        return f"Choose one of: {ctx.get('expected')}."
    return str(error["msg"])


def field_errors_from(exc: ValidationError, prefix: str = "") -> dict[str, str]:
    """Pydantic errors as {field: message}, the first message per field."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        field = prefix + (loc[0] if loc else "")
        errors.setdefault(field, _message(error))
    return errors


def validate(schema: type[Model], data: Mapping[str, Any]) -> Model:
    """`schema.model_validate(data)`, raising FieldErrors with a message per field."""
    try:
        return schema.model_validate(dict(data))
    except ValidationError as exc:
        raise FieldErrors(field_errors_from(exc)) from exc


# --- reusable field types ------------------------------------------------------------------------


def blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def split_list(value: Any) -> Any:
    """A list typed in one text box or one spreadsheet cell: `DE, FR` or `AWS; Azure`."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[;,\n]", value) if part.strip()]
    return value


def one_of(choices: Mapping[str, str], what: str):
    def check(value: str) -> str:
        value = value.strip()
        if value not in choices:
            raise PydanticCustomError(
                "choice",
                "{value} is not one of the {what}: {known}.",
                {"value": repr(value), "what": what, "known": ", ".join(choices)},
            )
        return value

    return AfterValidator(check)


def Code(choices: Mapping[str, str], what: str) -> Any:
    return Annotated[str, one_of(choices, what), Field(json_schema_extra={"enum": list(choices)})]


def Text(max_length: int) -> Any:
    return Annotated[str, Field(min_length=1, max_length=max_length)]


class FormModel(BaseModel):
    """Base of every input model: trims text, turns blanks into 'not given'."""

    model_config = ConfigDict(str_strip_whitespace=True, use_enum_values=True, extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _blanks(cls, data: Any) -> Any:
        """A blank optional field is None; a blank field with a default takes the default."""
        if not isinstance(data, Mapping):
            return data
        cleaned: dict[str, Any] = {}
        for key, value in data.items():
            value = blank_to_none(value)
            field = cls.model_fields.get(key)
            if (
                value is None
                and field is not None
                and (
                    field.is_required() or field.get_default(call_default_factory=True) is not None
                )
            ):
                continue
            cleaned[key] = value
        return cleaned


def form_values(schema: type[BaseModel], form: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of `schema` from a submitted HTML form: an unticked checkbox is False."""
    data: dict[str, Any] = {}
    for name, field in schema.model_fields.items():
        if field.annotation is bool:
            data[name] = form.get(name) not in (None, "", "0", "false", "off")
        elif name in form:
            data[name] = form.get(name)
    return data


def parse(schema: type[Model], form: Mapping[str, Any]) -> Model:
    """A posted HTML form as `schema`, or FieldErrors."""
    return validate(schema, form_values(schema, form))


def repeated_values(schema: type[BaseModel], form: FormData) -> dict[str, Any]:
    """`form_values` for a form with repeated fields: a list field takes every value."""
    values = form_values(schema, form)
    for name, field in schema.model_fields.items():
        if get_origin(field.annotation) is list:
            values[name] = form.getlist(name)
    return values


def parse_repeated(schema: type[Model], form: FormData) -> Model:
    """`parse` for a form with repeated fields: a list field takes every value."""
    return validate(schema, repeated_values(schema, form))


def save_form(
    schema: type[Model],
    form: FormData,
    *,
    save: Callable[[Model], Saved],
    reshow: Callable[[dict[str, Any], dict[str, str]], Response],
    repeated: bool = False,
) -> Saved | Response:
    """Validate a posted form as `schema` and `save` it, returning what `save` returns.

    When the form or the save fails with FieldErrors, the answer is `reshow(values, errors)`
    with status 422: the page again, with what was typed and a message beside each field.
    `repeated` reads every value of a list field (as `parse_repeated`).
    """
    values = repeated_values(schema, form) if repeated else form_values(schema, form)
    try:
        return save(validate(schema, values))
    except FieldErrors as exc:
        response = reshow(values, exc.errors)
        response.status_code = 422
        return response


async def posted_form(request: Request) -> FormData:
    """The posted form (already parsed by the CSRF check, so this costs nothing)."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(posted_form)]
