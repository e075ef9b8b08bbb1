"""The assay command: migrations, idempotent demo data and readable failures."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlmodel import Session, func, select

from app.cli import main
from app.models import AISystem, Organisation, Role, User, Vendor


def _count(engine, model) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_demo_twice_leaves_the_same_data(monkeypatch, settings, engine, capsys):
    monkeypatch.setenv("ASSAY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ASSAY_DATA_DIR", str(settings.data_dir))
    assert main(["demo"]) == 0
    counts = [_count(engine, m) for m in (Organisation, User, Vendor, AISystem)]
    assert main(["demo"]) == 0
    assert [_count(engine, m) for m in (Organisation, User, Vendor, AISystem)] == counts
    assert counts[2] == 12
    with Session(engine) as session:
        roles = set(session.exec(select(User.role)).all())
    assert roles == {r.value for r in Role}
    assert "analyst@harbourvale.example" in capsys.readouterr().out


def test_demo_if_empty_leaves_an_existing_database_alone(monkeypatch, settings, session, capsys):
    from tests.factories import make_org

    make_org(session)
    session.commit()
    monkeypatch.setenv("ASSAY_DATABASE_URL", settings.database_url)
    assert main(["demo", "--if-empty"]) == 0
    assert "already has data" in capsys.readouterr().out
    assert session.exec(select(func.count()).select_from(Vendor)).one() == 0


def test_user_create(monkeypatch, settings, session, capsys):
    from tests.factories import make_org

    make_org(session, slug="bank")
    session.commit()
    monkeypatch.setenv("ASSAY_DATABASE_URL", settings.database_url)
    create = ["user", "create", "root@bank.example", "--org", "bank"]
    assert main([*create, "--password", "a-long-password-1"]) == 0
    assert session.exec(select(User).where(User.email == "root@bank.example")).one().role == "admin"
    assert main([*create, "--password", "a-long-password-1"]) == 1
    assert "already exists" in capsys.readouterr().err


def _run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
    )


def test_serve_with_an_unreachable_database_exits_with_one_line(tmp_path):
    result = _run_cli(
        "serve",
        env={
            "ASSAY_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "ASSAY_DATA_DIR": str(tmp_path),
        },
    )
    assert result.returncode == 1
    assert result.stderr.startswith("assay: error: cannot reach the database")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_serve_with_a_malformed_database_url_exits_with_one_line(tmp_path):
    result = _run_cli(
        "serve", env={"ASSAY_DATABASE_URL": "nonsense", "ASSAY_DATA_DIR": str(tmp_path)}
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "assay: error: ASSAY_DATABASE_URL: Value error, not a database URL: 'nonsense'"
    )
