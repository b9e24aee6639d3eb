"""Where the orchestrator keeps its instances: in its own memory, or durably in SQLite.

The orchestrator saves an instance after every change and *before* it sends
the commands that change causes, so a restarted orchestrator knows exactly
what was in flight. What survives a crash is the point of the comparison:

* :class:`MemoryStore` lives in the orchestrator's memory: a crash loses it.
* :class:`SqliteStore` writes to a file: a new orchestrator reopens the file
  and resumes every instance that was still busy.

>>> store = open_store("memory")
>>> from playground.orchestration.instance import Instance
>>> store.save(Instance("trip-1", "trip", {}, now=0.0))
>>> [r["id"] for r in store.records()], len(store.reopen().records())
(['trip-1'], 0)
"""

from __future__ import annotations

import json
import os
import sqlite3
from typing import Any

from playground.errors import PlaygroundError
from playground.orchestration.instance import Instance


class Store:
    """What every store offers; ``durable`` says whether it outlives its orchestrator."""

    durable = False
    kind = "store"

    def save(self, inst: Instance) -> None:
        raise NotImplementedError

    def open_instances(self) -> list[Instance]:
        """Instances still busy, rebuilt from what was saved, oldest first."""
        raise NotImplementedError

    def records(self) -> list[dict[str, Any]]:
        """Every saved instance as a plain record, oldest first."""
        raise NotImplementedError

    def known(self, instance_id: str) -> bool:
        """Whether an instance with this id was ever saved here."""
        raise NotImplementedError

    def load(self, instance_id: str) -> Instance | None:
        """The instance as last saved, rebuilt, or None if it was never saved here."""
        raise NotImplementedError

    def reopen(self) -> "Store":
        """The store a freshly started orchestrator finds after a crash."""
        raise NotImplementedError

    def close(self) -> None:
        pass


class MemoryStore(Store):
    """Instances kept as live objects: fast, and gone when the orchestrator goes."""

    kind = "memory"

    def __init__(self) -> None:
        self._instances: dict[str, Instance] = {}

    def save(self, inst: Instance) -> None:
        # The live object *is* the state; copying it would only cost time.
        self._instances[inst.id] = inst

    def open_instances(self) -> list[Instance]:
        return [Instance.from_record(i.to_record()) for i in self._instances.values() if i.busy]

    def records(self) -> list[dict[str, Any]]:
        return [i.to_record() for i in self._instances.values()]

    def known(self, instance_id: str) -> bool:
        return instance_id in self._instances

    def load(self, instance_id: str) -> Instance | None:
        inst = self._instances.get(instance_id)
        return Instance.from_record(inst.to_record()) if inst is not None else None

    def reopen(self) -> "MemoryStore":
        return MemoryStore()  # the memory died with the process that held it


class SqliteStore(Store):
    """Instances as JSON rows in an SQLite file, one row per instance, rewritten on every change.

    Args:
        path: the database file.
        fresh: forget instances left in the file by an earlier run.
    """

    durable = True
    kind = "sqlite"

    def __init__(self, path: str | os.PathLike, *, fresh: bool = False):
        self.path = os.fspath(path)
        try:
            # Autocommit: every save is its own transaction, visible to the next opener.
            self._db = sqlite3.connect(self.path, isolation_level=None)
        except sqlite3.Error as exc:
            raise PlaygroundError(f"Could not open the SQLite store {os.path.basename(self.path)!r} ({exc}); "
                                  "pass a path in a folder you can write to.") from None
        # WAL without fsync on every commit: a crashed *process* loses nothing, and saves stay cheap.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS instances (id TEXT PRIMARY KEY, saga TEXT, state TEXT, "
                         "busy INTEGER, started REAL, record TEXT)")
        if fresh:
            self._db.execute("DELETE FROM instances")

    def save(self, inst: Instance) -> None:
        self._db.execute("INSERT OR REPLACE INTO instances VALUES (?, ?, ?, ?, ?, ?)",
                         (inst.id, inst.saga, inst.state, int(inst.busy), inst.started,
                          json.dumps(inst.to_record(), separators=(",", ":"))))

    def _select(self, where: str = "") -> list[dict[str, Any]]:
        rows = self._db.execute(f"SELECT record FROM instances {where} ORDER BY started, id").fetchall()
        return [json.loads(r[0]) for r in rows]

    def open_instances(self) -> list[Instance]:
        return [Instance.from_record(r) for r in self._select("WHERE busy = 1")]

    def records(self) -> list[dict[str, Any]]:
        return self._select()

    def known(self, instance_id: str) -> bool:
        return self._db.execute("SELECT 1 FROM instances WHERE id = ?", (instance_id,)).fetchone() is not None

    def load(self, instance_id: str) -> Instance | None:
        row = self._db.execute("SELECT record FROM instances WHERE id = ?", (instance_id,)).fetchone()
        return Instance.from_record(json.loads(row[0])) if row is not None else None

    def reopen(self) -> "SqliteStore":
        self.close()
        return SqliteStore(self.path)

    def close(self) -> None:
        self._db.close()


def open_store(spec: "str | os.PathLike | Store | None" = "memory", *, fresh: bool = True) -> Store:
    """A store from ``"memory"``, a file path (SQLite) or a ready :class:`Store`."""
    if spec is None or spec == "memory":
        return MemoryStore()
    if isinstance(spec, Store):
        return spec
    if isinstance(spec, (str, os.PathLike)):
        return SqliteStore(spec, fresh=fresh)
    raise PlaygroundError(f"store must be 'memory', a file path for SQLite, or a Store object, not {spec!r}.")
