"""The OpenAPI description's additions to drf-spectacular's: every operation's refusals (400 with
each field's messages, 401, 403, 404, 429 with ``Retry-After``), the ``Idempotency-Key`` header
(and its 422) on every POST, and the personal token's security scheme."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter

from .idempotency import HEADER, KEY_PATTERN, REPLAYED
from .serializers import ErrorSerializer

FIELD_ERRORS = {
    "type": "object",
    "description": _(
        "Each refused field's messages; the request's own under non_field_errors (as a form "
        "shows them)."
    ),
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}

KEY_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 255, "pattern": KEY_PATTERN}

REFUSALS = {
    "401": _("No valid token (or session) was given."),
    "403": _("The caller may not do this (a permission, a department, or a customer)."),
    "404": _("No such record among the caller's departments (or an invalid cursor)."),
    "429": _("Too many requests for this token: wait Retry-After seconds."),
}


class DeskAutoSchema(AutoSchema):
    def _get_serializer_field_meta(self, field, direction):
        """Every field described: its help text, else the model field's name in words."""
        meta = super()._get_serializer_field_meta(field, direction)
        if "description" not in meta and getattr(field, "label", None):
            meta["description"] = str(field.label)
        return meta

    def _handler(self):
        action = getattr(self.view, "action", None)
        return getattr(self.view, action, None) if action else None

    def _is_idempotent(self) -> bool:
        return self.method == "POST" and getattr(self._handler(), "idempotent", False)

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self._is_idempotent():
            key = OpenApiParameter(
                HEADER,
                KEY_SCHEMA,
                OpenApiParameter.HEADER,
                description=_(
                    "Any unique text (a UUID). Repeating the request with the same key and body "
                    "within 24 hours returns the first answer and creates nothing more."
                ),
            )
            parameters = [*parameters, key]
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        error = self._get_response_for_code(ErrorSerializer, "400")["content"]["application/json"]
        content = {"application/json": {"schema": {"anyOf": [FIELD_ERRORS, error["schema"]]}}}
        responses.setdefault(
            "400", {"description": _("The request was refused."), **{"content": content}}
        )
        for code, description in REFUSALS.items():
            response = self._get_response_for_code(ErrorSerializer, code)
            response["description"] = description
            responses.setdefault(code, response)
        responses["429"]["headers"] = {
            "Retry-After": {
                "schema": {"type": "integer"},
                "description": _("Seconds to wait before the next request."),
            }
        }
        if self._is_idempotent():
            response = self._get_response_for_code(ErrorSerializer, "422")
            response["description"] = _("The Idempotency-Key was used with another request.")
            responses.setdefault("422", response)
            for code in ("200", "201"):
                if code in responses:
                    responses[code].setdefault("headers", {})[REPLAYED] = {
                        "schema": {"type": "string", "enum": ["true"]},
                        "description": _("Present when this is the first answer, repeated."),
                    }
        return responses


class PersonalTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.PersonalTokenAuthentication"
    name = "personalToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": _(
                "A personal API token, made on your preferences page: "
                "`Authorization: Bearer <token>`."
            ),
        }
