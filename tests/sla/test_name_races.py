"""Two people saving SLAs of one name in one department at the same moment: one is saved, the
other gets the form's own duplicate message, never a 500 (``IntegrityError``)."""

import pytest
from django.core.exceptions import ValidationError

from desk.choices import Priority
from sla import services
from sla.models import SLA
from tests import factories as f
from tests.concurrency import run_together, saved_meanwhile

TARGETS = dict.fromkeys(Priority.values, (60, 480))


def create(by, department, name="Gold"):
    return services.sla_create(
        by=by,
        department=department,
        name=name,
        business_hours="24x7",
        time_zone="UTC",
        targets=TARGETS,
    )


def rename(by, sla, name):
    return services.sla_update(
        by=by,
        sla=sla,
        department=sla.department,
        name=name,
        business_hours="24x7",
        time_zone="UTC",
        targets=TARGETS,
    )


def duplicate_refusal(by, department, name="Gold") -> dict:
    """What saving a taken name answers when nobody races: ``full_clean``'s message."""
    with pytest.raises(ValidationError) as refused:
        create(by, department, name)
    return refused.value.message_dict


@pytest.mark.django_db
def test_an_sla_created_while_its_name_is_saved_gets_the_duplicate_message(monkeypatch, department):
    admin = f.desk_admin()
    rival = SLA(department=department, name="Gold", time_zone="UTC")
    saved_meanwhile(monkeypatch, SLA, rival.save)

    with pytest.raises(ValidationError) as refused:
        create(admin, department)

    assert not SLA.objects.exists()  # the rival rolled back with the refused save
    f.SLAFactory(department=department, name="Gold")
    assert refused.value.message_dict == duplicate_refusal(admin, department)


@pytest.mark.django_db
def test_an_sla_renamed_while_its_name_is_saved_gets_the_duplicate_message(monkeypatch, department):
    admin = f.desk_admin()
    sla = f.SLAFactory(department=department, name="Silver")
    rival = SLA(department=department, name="Gold", time_zone="UTC")
    saved_meanwhile(monkeypatch, SLA, rival.save)

    with pytest.raises(ValidationError) as refused:
        rename(admin, sla, "Gold")

    assert list(SLA.objects.values_list("name", flat=True)) == ["Silver"]
    f.SLAFactory(department=department, name="Gold")
    assert refused.value.message_dict == duplicate_refusal(admin, department)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_creates_of_one_name_save_one_and_refuse_the_other_as_the_form_does():
    department = f.DepartmentFactory(name="Support")
    admin = f.desk_admin()

    errors = run_together(lambda: create(admin, department), lambda: create(admin, department))

    assert SLA.objects.filter(name="Gold").count() == 1
    assert len(errors) == 1 and isinstance(errors[0], ValidationError), errors
    assert errors[0].message_dict == duplicate_refusal(admin, department)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_slas_renamed_to_one_name_at_once_keep_one_and_refuse_the_other():
    department = f.DepartmentFactory(name="Support")
    admin = f.desk_admin()
    slas = [f.SLAFactory(department=department) for _ in range(2)]

    errors = run_together(*(lambda sla=sla: rename(admin, sla, "Gold") for sla in slas))

    assert SLA.objects.filter(name="Gold").count() == 1
    assert len(errors) == 1 and isinstance(errors[0], ValidationError), errors
    assert errors[0].message_dict == duplicate_refusal(admin, department)
