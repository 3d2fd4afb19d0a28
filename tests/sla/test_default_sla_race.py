"""Two administrators making two SLAs of one department its default at the same moment: the
department-wide lock (``sla.locks.lock_department_slas``) lets one go first, and the department
ends with exactly one default, never two and never an IntegrityError."""

import pytest

from sla import services
from sla.models import SLA
from tests import factories as f
from tests.concurrency import run_together


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_slas_made_default_at_once_leave_one_default_and_no_error():
    department = f.DepartmentFactory(name="Support")
    admin = f.desk_admin()
    for _round in range(10):
        slas = [f.SLAFactory(department=department) for _ in range(2)]

        errors = run_together(
            *(
                lambda sla=sla: services.sla_set_default(by=admin, sla=sla, is_default=True)
                for sla in slas
            )
        )

        assert errors == []
        defaults = SLA.objects.filter(department=department, is_default=True)
        assert defaults.count() == 1
        assert defaults.get().pk in {sla.pk for sla in slas}
