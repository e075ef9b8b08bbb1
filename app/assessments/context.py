"""Facts the buyer sets that decide which questions a vendor sees (`CONTEXT_FACTS`).

Today one fact: the AI Act classes the buyer records on the vendor's AI systems in its register.
Its high-risk questions appear when either side classifies a system high-risk, so a vendor's
"minimal" cannot hide the duties of a system the bank uses for, say, credit scoring.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, col, select

from app.models import AISystem
from app.questionnaires.conditions import with_context


def buyer_facts(*, session: Session, vendor_id: int) -> dict[str, Any]:
    """The buyer's facts about this vendor, as show_if reads them (one query)."""
    classes = session.exec(
        select(AISystem.buyer_risk_class)
        .where(AISystem.vendor_id == vendor_id, col(AISystem.buyer_risk_class).is_not(None))
        .distinct()
    ).all()
    return {"buyer.ai_act_classes": sorted(str(c) for c in classes)}


def values_with_facts(
    *, session: Session, vendor_id: int, values: Mapping[str, Any]
) -> dict[str, Any]:
    """The answers' values plus the buyer's facts: what visibility is worked out from."""
    return with_context(values, buyer_facts(session=session, vendor_id=vendor_id))
