"""``Idempotency-Key`` (SPEC section 12): a POST repeated with the same key gets the first answer
and creates nothing more; another request with the key is refused (422); a refused request keeps
nothing; answers are forgotten after 24 hours."""

import datetime

import pytest
from django.urls import URLPattern, URLResolver
from django.utils import timezone

from api import urls as api_urls
from api.idempotency import HEADER, KEY_INVALID, KEY_REUSED, REPLAYED, forget_old_answers
from api.models import IdempotentRequest
from contracts.models import Contract, CreditEntry
from customers.models import Account
from tests import factories as f
from tests.api.conftest import JSON, token_client
from tests.concurrency import run_together


def keyed(client, url, body, key):
    return client.post(url, body, content_type=JSON, HTTP_IDEMPOTENCY_KEY=key)


def contract_body(account, plan, number="K-1"):
    today = timezone.localdate()
    return {
        "contract_number": number,
        "name": "Support",
        "account": account.pk,
        "support_plan": plan.pk,
        "start_date": today.isoformat(),
        "end_date": (today + datetime.timedelta(days=364)).isoformat(),
    }


def test_a_repeat_gets_the_first_answer_and_creates_nothing_more(admin_api):
    first = keyed(admin_api, "/api/v1/accounts/", {"name": "Acme", "phone": "1"}, "k-1")
    assert first.status_code == 201, first.json()
    assert REPLAYED not in first.headers
    # The same body, its keys in another order, is the same request.
    again = keyed(admin_api, "/api/v1/accounts/", {"phone": "1", "name": "Acme"}, "k-1")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers[REPLAYED] == "true"
    assert Account.objects.filter(name="Acme").count() == 1
    assert IdempotentRequest.objects.count() == 1


def test_a_repeated_contract_sale_is_one_contract(admin_api, department):
    plan = f.SupportPlanFactory(department=department)
    body = contract_body(f.AccountFactory(), plan)
    answers = [keyed(admin_api, "/api/v1/contracts/", body, "sale-1") for _ in range(3)]
    assert [answer.status_code for answer in answers] == [201, 201, 201]
    assert answers[1].json() == answers[2].json() == answers[0].json()
    assert Contract.objects.count() == 1


def test_a_repeated_action_does_it_once(admin_api, department):
    plan = f.SupportPlanFactory(department=department, ticket_based=True)
    contract = f.ContractFactory(support_plan=plan)

    renew = f"/api/v1/contracts/{contract.pk}/renew/"
    first = keyed(admin_api, renew, {"contract_number": "R-1"}, "renew-1")
    again = keyed(admin_api, renew, {"contract_number": "R-1"}, "renew-1")
    assert first.status_code == again.status_code == 201, (first.json(), again.json())
    assert again.json() == first.json()
    assert Contract.objects.filter(renews=contract).count() == 1

    adjust = f"/api/v1/contracts/{contract.pk}/adjustments/"
    body = {"delta": 2, "reason": "Goodwill"}
    first = keyed(admin_api, adjust, body, "adjust-1")
    again = keyed(admin_api, adjust, body, "adjust-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert CreditEntry.objects.filter(contract=contract).count() == 1
    # Without a key, each POST is a request of its own.
    admin_api.post(adjust, body, content_type=JSON)
    assert CreditEntry.objects.filter(contract=contract).count() == 2


def test_the_same_key_with_another_body_is_422(admin_api):
    first = keyed(admin_api, "/api/v1/accounts/", {"name": "Acme"}, "k-1")
    assert first.status_code == 201
    other = keyed(admin_api, "/api/v1/accounts/", {"name": "Globex"}, "k-1")
    assert other.status_code == 422
    assert other.json() == {"detail": str(KEY_REUSED)}
    assert REPLAYED not in other.headers
    assert not Account.objects.filter(name="Globex").exists()
    # The first answer is still there for its own repeat.
    assert keyed(admin_api, "/api/v1/accounts/", {"name": "Acme"}, "k-1").json() == first.json()


def test_the_same_key_at_another_address_is_422(admin_api):
    assert keyed(admin_api, "/api/v1/accounts/", {"name": "Acme"}, "k-1").status_code == 201
    account = Account.objects.get()
    other = keyed(admin_api, "/api/v1/contacts/", {"name": "Acme", "account": account.pk}, "k-1")
    assert other.status_code == 422


def test_two_users_keys_are_their_own(admin_api, agent_api):
    mine = keyed(admin_api, "/api/v1/accounts/", {"name": "Acme"}, "same-key")
    theirs = keyed(agent_api, "/api/v1/accounts/", {"name": "Acme"}, "same-key")
    assert mine.status_code == theirs.status_code == 201
    assert REPLAYED not in theirs.headers
    assert mine.json()["id"] != theirs.json()["id"]
    assert Account.objects.filter(name="Acme").count() == 2
    # Another body under the same key is no one else's business either.
    elsewhere = keyed(agent_api, "/api/v1/accounts/", {"name": "Other"}, "again")
    assert elsewhere.status_code == 201
    assert keyed(admin_api, "/api/v1/accounts/", {"name": "Mine"}, "again").status_code == 201


def test_a_refused_request_keeps_nothing_so_the_key_works_once_put_right(admin_api, department):
    plan = f.SupportPlanFactory(department=department)
    account = f.AccountFactory()
    first = f.ContractFactory(support_plan=plan, account=account)
    body = contract_body(account, plan)
    refused = keyed(admin_api, "/api/v1/contracts/", body, "sale-2")
    assert refused.status_code == 400
    assert list(refused.json()) == ["start_date"]
    assert not IdempotentRequest.objects.exists()

    next_year = first.end_date + datetime.timedelta(days=1)
    body |= {
        "start_date": next_year.isoformat(),
        "end_date": (next_year + datetime.timedelta(days=30)).isoformat(),
    }
    accepted = keyed(admin_api, "/api/v1/contracts/", body, "sale-2")
    assert accepted.status_code == 201, accepted.json()
    assert REPLAYED not in accepted.headers
    assert Contract.objects.filter(contract_number="K-1").count() == 1
    assert IdempotentRequest.objects.count() == 1


def test_a_request_refused_403_or_404_keeps_nothing(agent_api, agent, department):
    plan = f.SupportPlanFactory(department=department)
    assert keyed(agent_api, f"/api/v1/plans/{plan.pk}/deactivate/", {}, "k").status_code == 403
    assert keyed(agent_api, "/api/v1/plans/99999/deactivate/", {}, "k2").status_code == 404
    assert not IdempotentRequest.objects.exists()


def test_an_answer_older_than_24_hours_is_forgotten(admin_api):
    first = keyed(admin_api, "/api/v1/accounts/", {"name": "Acme"}, "old")
    IdempotentRequest.objects.update(created_at=timezone.now() - datetime.timedelta(hours=23))
    replayed = keyed(admin_api, "/api/v1/accounts/", {"name": "Acme"}, "old")
    assert replayed.headers[REPLAYED] == "true"
    assert replayed.json() == first.json()

    IdempotentRequest.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    fresh = keyed(admin_api, "/api/v1/accounts/", {"name": "Acme"}, "old")
    assert fresh.status_code == 201
    assert REPLAYED not in fresh.headers
    assert fresh.json()["id"] != first.json()["id"]
    assert Account.objects.filter(name="Acme").count() == 2
    # And another body is a new request, no longer a reuse.
    IdempotentRequest.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    assert keyed(admin_api, "/api/v1/accounts/", {"name": "Other"}, "old").status_code == 201


def test_forget_old_answers_deletes_the_old_rows_only(admin_api):
    for key in ["a", "b", "c"]:
        assert keyed(admin_api, "/api/v1/accounts/", {"name": key}, key).status_code == 201
    now = timezone.now()
    IdempotentRequest.objects.filter(key__in=["a", "b"]).update(
        created_at=now - datetime.timedelta(hours=25)
    )
    assert forget_old_answers() == 2
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["c"]
    assert forget_old_answers() == 0
    assert forget_old_answers(now=now + datetime.timedelta(hours=25)) == 1
    assert not IdempotentRequest.objects.exists()


@pytest.mark.parametrize("key", ["x" * 256, "clé", "", "tab\there", "line\nbreak"])
def test_an_invalid_key_is_400_and_does_nothing(admin_api, key):
    response = keyed(admin_api, "/api/v1/accounts/", {"name": "Acme"}, key)
    assert response.status_code == 400
    assert response.json() == {HEADER: [str(KEY_INVALID)]}
    assert not Account.objects.exists()
    assert not IdempotentRequest.objects.exists()


def test_the_longest_key_is_fine(admin_api):
    key = "~" * 255
    assert keyed(admin_api, "/api/v1/accounts/", {"name": "Acme"}, key).status_code == 201
    assert keyed(admin_api, "/api/v1/accounts/", {"name": "Acme"}, key).headers[REPLAYED]


def _patterns(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns)
        else:
            assert isinstance(pattern, URLPattern)
            yield pattern


def post_handlers() -> dict[str, object]:
    """Every handler of a POST at an address of the API, by ``View.name``."""
    handlers = {}
    for pattern in _patterns(api_urls.urlpatterns):
        view = getattr(pattern.callback, "cls", None)
        if view is None:
            continue
        actions = getattr(pattern.callback, "actions", None)
        if actions is not None:
            name = actions.get("post")
        else:
            name = "post" if hasattr(view, "post") else None
        if name is not None:
            handlers[f"{view.__name__}.{name}"] = getattr(view, name)
    return handlers


def test_every_post_handler_honours_the_idempotency_key():
    handlers = post_handlers()
    assert {
        "AccountViewSet.create",
        "ContactViewSet.create",
        "SupportPlanViewSet.create",
        "SupportPlanViewSet.deactivate",
        "SupportPlanViewSet.activate",
        "ContractViewSet.create",
        "ContractViewSet.renew",
        "ContractLedgerViewSet.create",
        "TicketViewSet.create",
        "ReplyViewSet.create",
        "TaskViewSet.create",
        "TaskViewSet.complete",
        "TaskViewSet.reopen",
    } <= set(handlers)
    forgotten = [
        name for name, handler in handlers.items() if not getattr(handler, "idempotent", 0)
    ]
    assert forgotten == []


# --- two identical requests at the same moment (PostgreSQL: SQLite serialises writers) ---------


@pytest.mark.postgres
def test_two_identical_keyed_posts_at_once_create_one_contract(transactional_db):
    admin = f.desk_admin()
    department = f.DepartmentFactory(name="Support")
    plan = f.SupportPlanFactory(department=department)
    body = contract_body(f.AccountFactory(), plan)
    clients = [token_client(admin), token_client(admin)]
    answers = []

    def sell(client):
        return lambda: answers.append(keyed(client, "/api/v1/contracts/", body, "sale-at-once"))

    assert run_together(*(sell(client) for client in clients)) == []
    assert [answer.status_code for answer in answers] == [201, 201], [a.content for a in answers]
    assert answers[0].json() == answers[1].json()
    assert sorted(answer.headers.get(REPLAYED, "") for answer in answers) == ["", "true"]
    assert Contract.objects.count() == 1
    assert IdempotentRequest.objects.count() == 1
