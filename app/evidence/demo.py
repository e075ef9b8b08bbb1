"""Demo evidence: a few real files per demo vendor (policy and certificate PDFs, a model card,
a monitoring chart), stored through the same pipeline as uploads. Get-or-create by file name."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date

from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from sqlmodel import Session, col, select

from app.config import Settings
from app.evidence.service import store_evidence
from app.evidence.storage import store_for
from app.models import Evidence, Organisation, Vendor

CERTIFICATE_DATES = (date(2026, 10, 31), date(2026, 12, 15), date(2027, 6, 30), date(2028, 3, 31))


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _pdf(draw: Callable[[Canvas], None]) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)  # invariant: same bytes on every run
    draw(canvas)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def policy_pdf(vendor: Vendor) -> bytes:
    def draw(c: Canvas) -> None:
        c.setTitle(f"{vendor.legal_name} — AI governance policy")
        c.setFont("Helvetica-Bold", 18)
        c.drawString(2 * cm, 27 * cm, "Artificial intelligence governance policy")
        c.setFont("Helvetica", 11)
        lines = [
            f"Organisation: {vendor.legal_name}",
            "Version 3.1, approved by the management board.",
            "",
            "1. Every AI system has a named owner and an entry in the AI system inventory.",
            "2. Systems are classified under the EU AI Act before deployment.",
            "3. High-risk systems undergo impact assessment and human oversight design.",
            "4. Training data provenance and quality are documented and reviewed yearly.",
            "5. Models are monitored for drift, bias and performance; incidents are reported.",
            "6. Third-party models are assessed before use and re-assessed every year.",
        ]
        y = 25.5 * cm
        for line in lines:
            c.drawString(2 * cm, y, line)
            y -= 0.7 * cm

    return _pdf(draw)


def certificate_pdf(vendor: Vendor, valid_until: date) -> bytes:
    def draw(c: Canvas) -> None:
        c.setTitle("ISO/IEC 42001 certificate")
        c.setFont("Helvetica-Bold", 22)
        c.drawCentredString(10.5 * cm, 24 * cm, "Certificate of registration")
        c.setFont("Helvetica", 13)
        c.drawCentredString(
            10.5 * cm, 22 * cm, "This is to certify that the AI management system of"
        )
        c.setFont("Helvetica-Bold", 16)
        c.drawCentredString(10.5 * cm, 20.8 * cm, vendor.legal_name)
        c.setFont("Helvetica", 13)
        c.drawCentredString(10.5 * cm, 19.6 * cm, "conforms to ISO/IEC 42001:2023")
        c.drawCentredString(10.5 * cm, 17.5 * cm, f"Valid until {valid_until.isoformat()}")
        c.setFont("Helvetica-Oblique", 10)
        c.drawCentredString(
            10.5 * cm, 15.5 * cm, "Demo certification body · not a real certificate"
        )

    return _pdf(draw)


def model_card(vendor: Vendor) -> bytes:
    return (
        f"Model card — {vendor.legal_name}\n"
        "================================\n\n"
        "Intended use: decision support; a person reviews every adverse outcome.\n"
        "Out of scope: fully automated decisions about natural persons.\n"
        "Training data: customer-consented historical records, 2019–2025, EU only.\n"
        "Evaluation: AUC 0.87 on a held-out 2025 sample; subgroup gaps below 2 points.\n"
        "Monitoring: weekly drift report, quarterly bias review, yearly revalidation.\n"
        "Contact: ai-governance@" + _slug(vendor.legal_name) + ".example\n"
    ).encode()


def monitoring_chart(seed: int) -> bytes:
    image = Image.new("RGB", (480, 240), "white")
    draw = ImageDraw.Draw(image)
    draw.line([(40, 20), (40, 210), (460, 210)], fill="black", width=2)
    values = [(seed * 7 + i * 13) % 30 + 65 for i in range(8)]
    for i, value in enumerate(values):
        x = 55 + i * 50
        draw.rectangle([x, 210 - value * 2, x + 32, 209], fill=(31, 95, 139))
    draw.text((50, 222), "Model accuracy by quarter (%)", fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# One short file of each kind the questionnaire asks for and the files above are not, so the
# demo's answers can attach evidence of a kind their question accepts.
KIND_NOTES = (
    ("ai-change-procedure", "procedure", "AI model change and release procedure"),
    ("ai-inventory-record", "record", "AI system inventory and review record"),
    ("master-agreement-extract", "contract", "Master agreement, ICT clauses extract"),
)


def _note(vendor: Vendor, title: str) -> bytes:
    return f"{vendor.legal_name}\n{title}\nVersion 2, approved and in force.\n".encode()


def load(session: Session, organisation: Organisation, settings: Settings) -> None:
    """Four evidence files per named demo vendor (generated benchmark vendors get none)."""
    store = store_for(settings)
    vendors = session.exec(
        select(Vendor)
        .where(
            Vendor.organisation_id == organisation.id,
            col(Vendor.legal_name).not_like("Generated %"),
        )
        .order_by(col(Vendor.id))
    ).all()
    for index, vendor in enumerate(vendors):
        slug = _slug(vendor.legal_name)
        valid_until = CERTIFICATE_DATES[index % len(CERTIFICATE_DATES)]
        files = [
            (f"{slug}-ai-policy.pdf", "policy", "AI governance policy", None, policy_pdf),
            (
                f"{slug}-iso-iec-42001-certificate.pdf",
                "certificate",
                "ISO/IEC 42001 certificate",
                valid_until,
                lambda v, d=valid_until: certificate_pdf(v, d),
            ),
            (f"{slug}-model-card.txt", "report", "Model card", None, model_card),
            (
                f"{slug}-model-monitoring.png",
                "report",
                "Model monitoring chart",
                None,
                lambda _v, i=index: monitoring_chart(i),
            ),
            *(
                (f"{slug}-{name}.txt", kind, title, None, lambda v, t=title: _note(v, t))
                for name, kind, title in KIND_NOTES
            ),
        ]
        have = set(
            session.exec(select(Evidence.filename).where(Evidence.vendor_id == vendor.id)).all()
        )
        for filename, kind, title, until, build in files:
            if filename in have:
                continue
            store_evidence(
                session=session,
                store=store,
                actor=None,
                vendor_id=vendor.id,
                filename=filename,
                chunks=[build(vendor)],
                kind=kind,
                title=title,
                valid_until=until,
                limit=settings.upload_limit_bytes,
            )
