"""Deferred work of the rules, run by the task workers (``manage.py db_worker``)."""

from django.utils import timezone
from django_tasks import task

from . import engine, webhooks


@task()
def run_workflow_rules(event: dict) -> str:
    """Fire the workflow rules of one change (``engine.run``); safe to run twice."""
    firings = engine.run(engine.Event.from_json(event))
    return f"{len(firings)} rule(s) fired"


@task()
def act_on_time_rule_firings(firing_ids: list[int]) -> str:
    """Do the actions of firings the hourly time-based run queued (``timed.act``); safe to run
    twice."""
    from . import timed

    return f"{timed.act(firing_ids)} firing(s) acted on"


@task()
def deliver_webhook(delivery_id: int) -> str:
    """Post one webhook (``webhooks.attempt``); if the endpoint did not accept it, try again
    later with back-off, until it does or ``webhooks.MAX_ATTEMPTS`` tries were made."""
    outcome = webhooks.attempt(delivery_id)
    if outcome.retry_in is not None:
        deliver_webhook.using(run_after=timezone.now() + outcome.retry_in).enqueue(delivery_id)
    if outcome.failed:
        raise webhooks.WebhookFailed(outcome.message)
    return outcome.message
