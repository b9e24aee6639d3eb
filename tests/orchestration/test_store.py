import pytest

from playground.errors import PlaygroundError
from playground.orchestration.instance import Instance
from playground.orchestration.store import MemoryStore, SqliteStore, open_store


def busy_instance():
    inst = Instance("trip-0001", "trip", {"trip_id": "trip-0001", "traveller": "t"}, now=1.5)
    inst.state = "hotel"
    inst.completed = ["flight"]
    run = inst.open_run("hotel", "do", now=2.0, deadline=6.0)
    inst.sent(run, "m000009")
    return inst


def test_sqlite_keeps_an_instance_across_a_reopen_exactly(tmp_path):
    store = SqliteStore(tmp_path / "s.db", fresh=True)
    inst = busy_instance()
    store.save(inst)
    again = store.reopen()
    (back,) = again.open_instances()
    assert back.to_record() == inst.to_record()
    assert back.find("m000009").step == "hotel" and back.deadline == 6.0
    assert again.known("trip-0001") and not again.known("trip-0002")
    again.close()


def test_finished_instances_are_kept_but_not_resumed(tmp_path):
    store = SqliteStore(tmp_path / "s.db")
    inst = busy_instance()
    inst.state, inst.runs["hotel"].status = "completed", "done"
    store.save(inst)
    assert store.open_instances() == []
    assert [r["state"] for r in store.records()] == ["completed"]
    store.close()


def test_a_fresh_sqlite_store_forgets_an_earlier_run(tmp_path):
    first = SqliteStore(tmp_path / "s.db")
    first.save(busy_instance())
    first.close()
    fresh = SqliteStore(tmp_path / "s.db", fresh=True)
    assert fresh.records() == []
    fresh.close()


def test_the_memory_store_is_empty_after_a_crash():
    store = MemoryStore()
    store.save(busy_instance())
    assert len(store.open_instances()) == 1 and store.known("trip-0001")
    assert store.reopen().records() == []


def test_open_store_takes_a_name_a_path_or_a_store(tmp_path):
    assert isinstance(open_store("memory"), MemoryStore)
    sqlite = open_store(tmp_path / "s.db")
    assert isinstance(sqlite, SqliteStore) and sqlite.durable
    sqlite.close()
    given = MemoryStore()
    assert open_store(given) is given
    with pytest.raises(PlaygroundError, match="store must be 'memory', a file path for SQLite, or a Store object"):
        open_store(42)
