"""The API fuzzed against its own schema (schemathesis): every operation, on a live test server,
with a token. Any 500, or any answer the schema does not describe (status, content type, body),
fails the suite."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api import tokens
from tests import factories as f

EXAMPLES = 20
# Never a 500, and every answer as the schema describes it (status, content type, headers, body).
# Not schemathesis's "schema-valid data is accepted": a well-formed request may still break a rule
# (an overlapping contract), whose 400 with the field's message is the answer the SPEC asks for.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def token(transactional_db):
    """A desk with one of everything, and an administrator's token (every operation open)."""
    administrator = f.desk_admin()
    department = f.DepartmentFactory(name="Support")
    department.members.add(administrator)
    plan = f.SupportPlanFactory(department=department, ticket_based=True)
    contract = f.ContractFactory(support_plan=plan, owner=administrator)
    f.ContactFactory(account=contract.account)
    f.TicketFactory(account=contract.account, department=department, contract=contract)
    return tokens.token_create(by=administrator, name="Fuzzing")[1]


def test_every_operation_answers_as_its_schema_says(live_server, settings, token):
    settings.API_RATE = "1000000/minute"  # fuzzing is not what throttling is for
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")
    headers = {"Authorization": f"Bearer {token}"}
    failures = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def answers_as_described(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            answers_as_described()
        except Exception as failure:  # every operation's failure is reported, not the first's
            failures[operation.label] = failure
    assert len(operations) >= 30
    assert not failures, "\n\n".join(f"{label}: {error}" for label, error in failures.items())
