"""The OpenAPI description at /api/schema/: valid OpenAPI 3, every field described, enums as enums,
every refusal described, and the Idempotency-Key on every POST."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from desk.choices import Priority, Status

REFUSALS = {"400", "401", "403", "404", "429"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_the_schema_is_valid_openapi_3_and_served(schema, admin_client):
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    response = admin_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["paths"].keys() == schema["paths"].keys()


def test_every_resource_of_the_spec_is_there(schema):
    paths = set(schema["paths"])
    for path in [
        "/api/v1/accounts/",
        "/api/v1/contacts/",
        "/api/v1/slas/",
        "/api/v1/plans/",
        "/api/v1/plans/{id}/deactivate/",
        "/api/v1/contracts/",
        "/api/v1/contracts/{id}/renew/",
        "/api/v1/contracts/{id}/credits/",
        "/api/v1/contracts/{contract_pk}/ledger/",
        "/api/v1/contracts/{contract_pk}/adjustments/",
        "/api/v1/tickets/",
        "/api/v1/tickets/{id}/",
        "/api/v1/tickets/{ticket_pk}/replies/",
        "/api/v1/tasks/",
    ]:
        assert path in paths


def test_every_field_is_described(schema):
    undescribed = [
        f"{name}.{field}"
        for name, component in schema["components"]["schemas"].items()
        for field, property_ in component.get("properties", {}).items()
        if not property_.get("description") and "$ref" not in property_ and "allOf" not in property_
    ]
    assert not undescribed


def test_status_and_priority_are_enums(schema):
    components = schema["components"]["schemas"]
    assert set(components["StatusEnum"]["enum"]) == set(Status.values)
    assert set(components["PriorityEnum"]["enum"]) == set(Priority.values)


def test_every_operation_describes_its_refusals_and_every_post_its_idempotency_key(schema):
    for path, method, operation in operations(schema):
        assert set(operation["responses"]) >= REFUSALS, (method, path)
        assert "Retry-After" in operation["responses"]["429"]["headers"]
        keys = [p for p in operation.get("parameters", []) if p["name"] == "Idempotency-Key"]
        if method == "post":
            assert keys and keys[0]["in"] == "header", (method, path)
            assert "422" in operation["responses"], (method, path)
        else:
            assert not keys, (method, path)


def test_lists_page_with_cursors(schema):
    ticket_list = schema["paths"]["/api/v1/tickets/"]["get"]
    assert {"cursor", "page_size", "status", "priority", "assignee"} <= {
        parameter["name"] for parameter in ticket_list["parameters"]
    }
