"""`assay audit verify` against a real database: exit 0 when intact, 1 naming the broken link."""

from __future__ import annotations

import pytest

from app.audit.service import chain_for
from app.cli import main
from app.models import Role
from tests.audit.conftest import make_events
from tests.factories import make_org, make_user


@pytest.fixture
def cli_env(monkeypatch, settings):
    monkeypatch.setenv("ASSAY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ASSAY_DATA_DIR", str(settings.data_dir))


@pytest.fixture
def users(session):
    first = make_user(session, make_org(session), Role.admin)
    second = make_user(session, make_org(session), Role.admin)
    session.commit()
    return first, second


def test_intact_chains_pass(cli_env, session, users, capsys):
    make_events(session, users[0], 3)
    make_events(session, users[1], 2)
    assert main(["audit", "verify"]) == 0
    assert "2 chain(s), 5 event(s), intact" in capsys.readouterr().out


def test_an_empty_trail_passes(cli_env, capsys):
    assert main(["audit", "verify"]) == 0
    assert "0 chain(s)" in capsys.readouterr().out


def test_an_edited_row_fails_with_its_sequence(cli_env, session, users, tamper, capsys):
    make_events(session, users[1], 2)
    events = make_events(session, users[0], 4)
    tamper("UPDATE auditevent SET object_id = '999' WHERE id = :id", {"id": events[2].id})
    assert main(["audit", "verify"]) == 1
    captured = capsys.readouterr()
    chain = chain_for(users[0].organisation_id)
    assert f"BROKEN {chain} #3: content was altered" in captured.out
    assert chain_for(users[1].organisation_id) not in captured.out
    assert "1 of 2 chain(s) broken" in captured.err


def test_a_deleted_row_fails_with_its_sequence(cli_env, session, users, tamper, capsys):
    events = make_events(session, users[0], 4)
    tamper("DELETE FROM auditevent WHERE id = :id", {"id": events[1].id})
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert f"BROKEN {chain_for(users[0].organisation_id)} #2: event missing" in out
