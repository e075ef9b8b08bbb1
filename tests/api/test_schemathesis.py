"""Property-based tests of the JSON API against its own OpenAPI schema (schemathesis).

The app is driven in-process (ASGI) from its OpenAPI schema with an API token of a buyer
administrator, on a database holding a vendor, a questionnaire and an assessment. Every
operation under /api/v1 gets generated valid and invalid requests; each response must not be a
server error and must match the schema the API documents for its status. Bounded by
`max_examples` so the whole file runs in well under two minutes in CI.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from app.auth.service import create_api_token
from app.config import load_settings
from app.main import create_app
from app.models import Role
from tests.factories import make_assessment, make_org, make_user, make_vendor

MAX_EXAMPLES = 20


@pytest.fixture
def api_token(session) -> str:
    org = make_org(session, "Harbour Bank")
    admin = make_user(session, org, Role.admin)
    vendor = make_vendor(session, org, "Cobalt Cloud SE")
    make_assessment(session, org, vendor, admin, status="submitted")
    _, secret = create_api_token(session=session, user=admin, name="schemathesis")
    session.commit()
    return secret


# The schema is read once from an app like the tests' (it does not depend on the data); every
# call goes to the test's own app, on its own database (`app=`).
# (The served /api/openapi.json is for signed-in users; the app's own copy is the same.)
schema = schemathesis.openapi.from_dict(
    create_app(load_settings(secret_key="schemathesis-" + "x" * 32)).openapi()
).include(path_regex=r"^/api/v1/")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_request_as_documented(case, app, api_token):
    case.call_and_validate(
        app=app,
        headers={"Authorization": f"Bearer {api_token}"},
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
