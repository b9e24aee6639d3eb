import pytest

from playground.analysis.coupling import compare, footprint
from playground.analysis.invariants import check
from playground.errors import ScenarioError
from playground.scenarios.strangler import legacy_migration


def test_a_busy_erp_cancels_orders_unless_the_saga_retries_and_migration_removes_the_retries():
    impatient = legacy_migration(orders=60, seed=3, retry=None).run()
    patient = legacy_migration(orders=60, seed=3).run()
    done = legacy_migration(orders=60, seed=3, migrated=1.0).run()
    assert impatient.counts()["cancelled"] > 0 and patient.counts() == done.counts() == {"completed": 60}
    assert len(patient.trace.where(kind="retry")) > 0 and len(done.trace.where(kind="retry")) == 0
    for run in (impatient, patient, done):
        assert all(not v for v in check(run).values())


def test_migrating_invoices_changes_only_the_invoices_service():
    change = compare(footprint(legacy_migration()), footprint(legacy_migration(migrated=1.0)), requested_by="invoices")
    assert change.keys() == ["service invoices"] and change.foreign_owners() == []


def test_a_bad_share_gets_one_sentence():
    with pytest.raises(ScenarioError, match="migrated must be a fraction"):
        legacy_migration(migrated=2)
