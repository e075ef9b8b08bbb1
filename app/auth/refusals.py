"""The 403 a person reads when their role lacks a permission: what they tried, which roles can,
and who can change their role. Roles are read from the one permission table."""

from __future__ import annotations

from app.auth.permissions import ROLE_PERMISSIONS, Permission
from app.models.base import Role

# What each permission lets someone do, completing "Your role cannot …".
PERMISSION_ACTIONS: dict[Permission, str] = {
    Permission.view_portfolio: "see the vendor portfolio",
    Permission.manage_vendors: "add or change vendors",
    Permission.send_questionnaires: "send questionnaires",
    Permission.manage_questionnaires: "manage questionnaires",
    Permission.review_assessments: "review assessments",
    Permission.manage_register: "change the risk register and its findings",
    Permission.export_reports: "export reports and registers",
    Permission.view_audit: "read the audit trail",
    Permission.manage_users: "manage the organisation's settings and people",
    Permission.answer_assessments: "answer questionnaires",
    Permission.manage_vendor_team: "manage the vendor's team",
    Permission.manage_api_tokens: "manage API tokens",
}

ROLE_PLURALS: dict[Role, str] = {
    Role.admin: "admins",
    Role.procurement: "procurement staff",
    Role.risk_analyst: "risk analysts",
    Role.auditor: "auditors",
    Role.vendor_admin: "vendor admins",
    Role.vendor_contact: "vendor contacts",
}


def roles_with(permission: Permission) -> list[Role]:
    return [role for role, granted in ROLE_PERMISSIONS.items() if permission in granted]


def _joined(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def refusal_message(role: Role | str, permission: Permission) -> str:
    """E.g. "Your role (procurement) cannot export reports and registers. Risk analysts,
    auditors and admins can; an admin of your organisation can change your role."."""
    role = Role(role)
    action = PERMISSION_ACTIONS.get(permission, permission.value.replace("_", " "))
    allowed = roles_with(permission)
    own = role.value.replace("_", " ")
    if not allowed:
        return f"Your role ({own}) cannot {action}."
    who = _joined([ROLE_PLURALS.get(r, r.value) for r in allowed])
    if role.is_vendor:
        if not any(r.is_vendor for r in allowed):
            return f"Your role ({own}) cannot {action}: only the buyer's {who} can."
        changer = "your vendor admin can change your role under Team"
    else:
        if not any(not r.is_vendor for r in allowed):
            return f"Your role ({own}) cannot {action}: only {who} can."
        changer = "an admin of your organisation can change your role in People and roles"
    return f"Your role ({own}) cannot {action}. {who[0].upper()}{who[1:]} can; {changer}."
