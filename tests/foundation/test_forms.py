"""`save_form`: the one way a route saves a posted form or shows it again with its messages."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response
from pydantic import Field
from starlette.datastructures import FormData

from app.forms import FieldErrors, FormModel, Text, save_form


class TeamForm(FormModel):
    name: Text(50)
    size: int = Field(ge=1)
    remote: bool = False
    sites: list[str] = Field(default_factory=list)


def _reshown(values: dict[str, Any], errors: dict[str, str]) -> Response:
    """A stand-in form page that keeps what it was given, to look at afterwards."""
    response = Response("form again")
    response.shown = (values, errors)  # type: ignore[attr-defined]
    return response


def _must_not_reshow(values: dict[str, Any], errors: dict[str, str]) -> Response:
    raise AssertionError(f"shown again with {errors}")


def test_a_valid_form_is_saved_and_what_the_save_returns_comes_back():
    saved: list[TeamForm] = []

    def save(data: TeamForm) -> str:
        saved.append(data)
        return f"team {data.name}"

    result = save_form(
        TeamForm,
        FormData([("name", " Risk "), ("size", "4"), ("remote", "on")]),
        save=save,
        reshow=_must_not_reshow,
    )

    assert result == "team Risk"
    assert saved == [TeamForm(name="Risk", size=4, remote=True)]


def test_a_form_that_does_not_validate_is_shown_again_with_422_and_nothing_saved():
    def save(data: TeamForm) -> None:
        raise AssertionError("saved an invalid form")

    result = save_form(
        TeamForm, FormData([("name", "Risk"), ("size", "0")]), save=save, reshow=_reshown
    )

    assert isinstance(result, Response) and result.status_code == 422
    values, errors = result.shown  # type: ignore[attr-defined]
    assert values == {"name": "Risk", "size": "0", "remote": False}
    assert errors == {"size": "Must be at least 1."}


def test_field_errors_raised_by_the_save_are_shown_again_beside_the_posted_values():
    def save(data: TeamForm) -> None:
        raise FieldErrors({"name": "A team with this name exists already."})

    posted = FormData([("name", "Risk"), ("size", "4"), ("unknown", "ignored")])
    result = save_form(TeamForm, posted, save=save, reshow=_reshown)

    assert isinstance(result, Response) and result.status_code == 422
    values, errors = result.shown  # type: ignore[attr-defined]
    assert values == {"name": "Risk", "size": "4", "remote": False}
    assert errors == {"name": "A team with this name exists already."}


def test_repeated_reads_every_value_of_a_list_field():
    posted = FormData([("name", "Risk"), ("size", "2"), ("sites", "Berlin"), ("sites", "Paris")])

    sites = save_form(
        TeamForm, posted, save=lambda data: data.sites, reshow=_must_not_reshow, repeated=True
    )

    assert sites == ["Berlin", "Paris"]
