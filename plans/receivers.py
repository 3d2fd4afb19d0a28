"""Plan locking: a plan used by a contract keeps its type, credit cycle and SLA.

Forms and the admin show the rule through ``SupportPlan.clean()``; this receiver is the backstop
for code that saves the model directly.
"""

from django.db.models.signals import pre_save

from . import services
from .models import SupportPlan


def refuse_locked_change_on_plan_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    services.plan_assert_unlocked(plan=instance)


def connect():
    pre_save.connect(
        refuse_locked_change_on_plan_save,
        sender=SupportPlan,
        dispatch_uid="plans.refuse_locked_change_on_plan_save",
    )
