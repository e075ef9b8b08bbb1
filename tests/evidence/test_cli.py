"""`assay evidence verify`: exit 0 when every blob matches, 1 naming the evidence otherwise."""

from __future__ import annotations

from app.cli import main
from app.evidence.service import store_evidence
from tests.evidence import samples


def test_verify_reports_missing_and_altered_files(
    monkeypatch, settings, session, store, world, capsys
):
    monkeypatch.setenv("ASSAY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ASSAY_DATA_DIR", str(settings.data_dir))
    stored = [
        store_evidence(
            session=session,
            store=store,
            actor=world.contact,
            vendor_id=world.vendor.id,
            filename=name,
            chunks=[data],
            limit=settings.upload_limit_bytes,
        )
        for name, data in [
            ("policy.pdf", samples.pdf_bytes()),
            ("chart.png", samples.image_bytes()),
            ("card.txt", b"model card\n"),
        ]
    ]
    session.commit()
    assert main(["evidence", "verify"]) == 0
    assert "All 3 evidence file(s) match" in capsys.readouterr().out

    intact, missing, altered = stored
    store.delete(missing.storage_key)
    path = store.path_for(altered.storage_key)
    path.write_bytes(path.read_bytes().replace(b"model", b"m0del"))

    assert main(["evidence", "verify"]) == 1
    captured = capsys.readouterr()
    assert f"evidence {missing.id}: file missing" in captured.out
    assert f"evidence {altered.id}: file altered" in captured.out
    assert f"evidence {intact.id}:" not in captured.out
    assert "2 of 3 evidence file(s) are missing or altered" in captured.err
