"""The one permission table: every route declares a permission, roles grant them here."""

from __future__ import annotations

from enum import StrEnum

from app.models.base import Role


class Permission(StrEnum):
    view_portfolio = "view_portfolio"  # buyer-side read access: vendors, assessments, register
    manage_vendors = "manage_vendors"
    send_questionnaires = "send_questionnaires"
    manage_questionnaires = "manage_questionnaires"
    review_assessments = "review_assessments"
    manage_register = "manage_register"  # owners, treatments, findings
    export_reports = "export_reports"
    view_audit = "view_audit"
    manage_users = "manage_users"
    answer_assessments = "answer_assessments"  # vendor side
    manage_vendor_team = "manage_vendor_team"
    manage_api_tokens = "manage_api_tokens"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.admin: frozenset(
        {
            Permission.view_portfolio,
            Permission.manage_vendors,
            Permission.send_questionnaires,
            Permission.manage_questionnaires,
            Permission.review_assessments,
            Permission.manage_register,
            Permission.export_reports,
            Permission.view_audit,
            Permission.manage_users,
            Permission.manage_api_tokens,
        }
    ),
    Role.procurement: frozenset(
        {
            Permission.view_portfolio,
            Permission.manage_vendors,
            Permission.send_questionnaires,
            Permission.manage_questionnaires,
            Permission.manage_api_tokens,
        }
    ),
    Role.risk_analyst: frozenset(
        {
            Permission.view_portfolio,
            Permission.review_assessments,
            Permission.manage_register,
            Permission.export_reports,
            Permission.manage_api_tokens,
        }
    ),
    Role.auditor: frozenset(
        {
            Permission.view_portfolio,
            Permission.export_reports,
            Permission.view_audit,
            Permission.manage_api_tokens,
        }
    ),
    Role.vendor_admin: frozenset(
        {
            Permission.answer_assessments,
            Permission.manage_vendor_team,
            Permission.manage_api_tokens,
        }
    ),
    Role.vendor_contact: frozenset({Permission.answer_assessments, Permission.manage_api_tokens}),
}


def has_permission(role: Role | str, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS.get(Role(role), frozenset())
