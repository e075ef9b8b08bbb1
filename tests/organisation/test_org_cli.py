"""`assay org create` and `assay user create` through the command's entry point: a new tenant
with its first admin who can sign in, and every bad input refused in one line, nothing created."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.cli import main
from app.models import AuditEvent, Organisation, User
from tests.factories import make_org
from tests.helpers import login

PASSWORD = "a-long-first-admin-password"


@pytest.fixture
def cli_env(monkeypatch, settings):
    monkeypatch.setenv("ASSAY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ASSAY_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ASSAY_PASSWORD_HASH_FAST", "1")


def _typed(monkeypatch, *answers: str) -> None:
    replies = iter(answers)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(replies))


def _counts(engine) -> tuple[int, int]:
    with Session(engine) as session:
        return (
            session.exec(select(func.count()).select_from(Organisation)).one(),
            session.exec(select(func.count()).select_from(User)).one(),
        )


def test_org_create_with_a_prompted_password_makes_an_admin_who_can_sign_in(
    cli_env, monkeypatch, engine, app, capsys
):
    _typed(monkeypatch, PASSWORD, PASSWORD)
    code = main(
        [
            "org",
            "create",
            "harbour-bank",
            "--name",
            "Harbour Bank AG",
            "--admin-email",
            "Ada@Harbour.example",
        ]
    )
    assert code == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert (
        "Created organisation harbour-bank (Harbour Bank AG) with admin ada@harbour.example" in out
    )
    assert PASSWORD not in out
    with Session(engine) as session:
        org = session.exec(select(Organisation).where(Organisation.slug == "harbour-bank")).one()
        admin = session.exec(select(User).where(User.email == "ada@harbour.example")).one()
        assert (admin.role, admin.organisation_id, admin.name) == ("admin", org.id, "Ada")
        actions = session.exec(
            select(AuditEvent.action).where(AuditEvent.organisation_id == org.id)
        ).all()
        assert actions == ["organisation.created", "user.created"]
    with TestClient(app) as client:
        login(client, "ada@harbour.example", PASSWORD)
        assert client.get("/settings/people").status_code == 200


def test_a_generated_password_is_printed_once_and_works(cli_env, engine, app, capsys):
    code = main(
        [
            "org",
            "create",
            "north",
            "--name",
            "North Bank",
            "--admin-email",
            "it@north.example",
            "--admin-name",
            "North IT",
            "--generate-password",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    [password] = re.findall(r"shown only now: (\S+)", out)
    assert len(password) >= 20
    with TestClient(app) as client:
        login(client, "it@north.example", password)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Harbour Bank", "--name", "H"], "SLUG: Use lower-case letters, digits and hyphens"),
        (["bank-", "--name", "H"], "SLUG: Use lower-case letters"),
        (["bank", "--name", "   "], "--name: This field is required."),
        (["bank", "--name", "Bank\nInjected: line"], "--name: Remove the control character"),
        (["bank", "--name", "x" * 201], "--name: At most 200 characters."),
        (["bank", "--name", "B", "--admin-email", "not-an-email"], "Enter a valid email address"),
    ],
)
def test_bad_input_is_refused_in_one_line_and_nothing_is_created(
    cli_env, monkeypatch, engine, capsys, args, message
):
    _typed(monkeypatch, PASSWORD, PASSWORD)
    if "--admin-email" not in args:
        args = [*args, "--admin-email", "a@b.example"]
    assert main(["org", "create", *args]) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err
    assert _counts(engine) == (0, 0)


def test_a_taken_slug_or_email_or_weak_password_creates_nothing(
    cli_env, monkeypatch, session, engine, capsys
):
    make_org(session, "Harbour Bank", slug="harbour")
    session.add(User(email="taken@x.example", name="T", role="admin"))
    session.commit()
    before = _counts(engine)
    cases = [
        (["harbour", "--admin-email", "new@x.example"], (PASSWORD, PASSWORD), "already exists"),
        (["other", "--admin-email", "taken@x.example"], (PASSWORD, PASSWORD), "already exists"),
        (["other", "--admin-email", "new@x.example"], ("short", "short"), "at least"),
        (["other", "--admin-email", "new@x.example"], (PASSWORD, PASSWORD + "x"), "differ"),
    ]
    for args, typed, message in cases:
        _typed(monkeypatch, *typed)
        assert main(["org", "create", *args, "--name", "Other"]) == 1
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err
        assert _counts(engine) == before


def test_user_create_refuses_a_buyer_role_without_an_organisation(cli_env, engine, capsys):
    for role in ("admin", "procurement", "risk_analyst", "auditor"):
        assert (
            main(["user", "create", "x@bank.example", "--role", role, "--password", PASSWORD]) == 1
        )
        err = capsys.readouterr().err
        assert err == (
            f"assay: error: --role {role} is a buyer role and needs --org SLUG "
            "(create an organisation with `assay org create`)\n"
        )
    assert (
        main(["user", "create", "x@bank.example", "--org", "nowhere", "--password", PASSWORD]) == 1
    )
    assert "no organisation with slug 'nowhere'" in capsys.readouterr().err
    assert _counts(engine) == (0, 0)


def test_user_create_joins_an_existing_organisation(cli_env, session, engine, capsys):
    org = make_org(session, "Harbour Bank", slug="harbour")
    session.commit()
    args = ["user", "create", "ana@harbour.example", "--role", "risk_analyst", "--org", "harbour"]
    assert main([*args, "--password", PASSWORD]) == 0
    assert "Created ana@harbour.example (risk_analyst)." in capsys.readouterr().out
    with Session(engine) as fresh:
        user = fresh.exec(select(User).where(User.email == "ana@harbour.example")).one()
        assert user.organisation_id == org.id
