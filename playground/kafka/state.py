"""Durable service state for Kafka mode: keyed state, handled messages and effects in one SQLite file.

Kafka delivers at least once: a worker killed before committing its offsets
leaves messages that another worker of the same group will receive again,
and that worker must know what the first one did. A service keeps its
per-transaction state in dict attributes keyed by the correlation id (the
order id in the order flow); this store saves the entries of one key after
every handled message, together with the message id, what the handler
published and the effects it noted, in one transaction. The next worker
loads the key's entries before handling, skips a message id it has seen
(publishing again what it published then), and so each effect happens at
most once per key, whichever process did it.

The service classes are not changed: the store reads and writes their dict
attributes from outside, one key at a time. All worker processes of a
service on one machine share its file; SQLite's own locking serialises them.

>>> import tempfile, os
>>> from playground.services import Payments
>>> folder = tempfile.mkdtemp()
>>> store, payments = StateStore(os.path.join(folder, "payments.sqlite")), Payments()
>>> store.load(payments, "o-1"); _ = payments.handle("ChargePayment", {"order_id": "o-1", "amount": 5.0})
>>> store.commit("payments", "m1", payments, "o-1", outputs=[], effects=[("charge", "o-1")])
>>> other = Payments(); store.load(other, "o-1"); other.charges["o-1"]["amount"], store.effects()
(5.0, [('charge', 'o-1', 'm1')])
>>> store.close()
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

#: Any service object: the store reads and writes its dict attributes, never its methods
#: (a transport knows no service class).
Service = Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS state (attr TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
                                  PRIMARY KEY (key, attr));
CREATE TABLE IF NOT EXISTS handled (inbox TEXT NOT NULL, message_id TEXT NOT NULL, outputs TEXT NOT NULL,
                                    PRIMARY KEY (inbox, message_id));
CREATE TABLE IF NOT EXISTS effects (seq INTEGER PRIMARY KEY, effect TEXT NOT NULL, key TEXT NOT NULL,
                                    message_id TEXT NOT NULL, worker TEXT NOT NULL);
"""

#: Attributes every service has that are not per-transaction state.
_NOT_STATE = frozenset({"latency", "rng", "notes"})


def keyed_attributes(service: Service) -> list[str]:
    """Names of the service's dict attributes: its per-transaction state, keyed by correlation id."""
    return sorted(name for name, value in vars(service).items()
                  if isinstance(value, dict) and name not in _NOT_STATE and not name.startswith("_"))


class StateStore:
    """One SQLite file holding a service's keyed state, handled message ids and effects."""

    def __init__(self, path: str):
        self.path = path
        # autocommit mode: transactions are opened explicitly, one per handled message.
        self._db = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode survives a killed process (not a power cut) without an fsync per commit.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._attrs: dict[int, list[str]] = {}

    def _attributes(self, service: Service) -> list[str]:
        attrs = self._attrs.get(id(service))
        if attrs is None:
            attrs = self._attrs[id(service)] = keyed_attributes(service)
        return attrs

    def recall(self, inbox: str, message_id: str, service: Service, key: str | None) -> list[dict[str, Any]] | None:
        """:meth:`seen` and then :meth:`load` in one query (the hot path: one round trip per message).

        Returns what handling ``message_id`` published before, without loading;
        or None after loading the key's entries into ``service``.
        """
        rows = self._db.execute(
            "SELECT '', outputs FROM handled WHERE inbox=? AND message_id=? "
            "UNION ALL SELECT attr, value FROM state WHERE key=?", (inbox, message_id, key)).fetchall()
        if rows and rows[0][0] == "":
            return json.loads(rows[0][1])
        if key is not None:
            self._put(service, key, dict(rows))
        return None

    def seen(self, inbox: str, message_id: str) -> list[dict[str, Any]] | None:
        """What handling ``message_id`` published last time, or None if it was never handled."""
        row = self._db.execute("SELECT outputs FROM handled WHERE inbox=? AND message_id=?",
                               (inbox, message_id)).fetchone()
        return None if row is None else json.loads(row[0])

    def load(self, service: Service, key: str | None) -> None:
        """Put the stored entries for ``key`` into the service's dicts (and drop stale local ones)."""
        if key is None:
            return
        self._put(service, key, dict(self._db.execute("SELECT attr, value FROM state WHERE key=?", (key,)).fetchall()))

    def _put(self, service: Service, key: str, rows: dict[str, str]) -> None:
        for attr in self._attributes(service):
            table = getattr(service, attr)
            if attr in rows:
                table[key] = json.loads(rows[attr])
            else:
                table.pop(key, None)

    def commit(self, inbox: str, message_id: str, service: Service, key: str | None, *,
               outputs: list[dict[str, Any]], effects: list[tuple[str, str]], worker: str = "") -> None:
        """Save the key's entries, the message as handled with its outputs, and its effects, atomically."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            if key is not None:
                for attr in self._attributes(service):
                    table = getattr(service, attr)
                    if key in table:
                        db.execute("INSERT OR REPLACE INTO state VALUES (?, ?, ?)",
                                   (attr, key, json.dumps(table[key])))
                    else:
                        db.execute("DELETE FROM state WHERE attr=? AND key=?", (attr, key))
            db.execute("INSERT OR REPLACE INTO handled VALUES (?, ?, ?)", (inbox, message_id, json.dumps(outputs)))
            if effects:
                db.executemany("INSERT INTO effects (effect, key, message_id, worker) VALUES (?, ?, ?, ?)",
                               [(effect, k, message_id, worker) for effect, k in effects])
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def commit_batch(self, inbox: str, service: Service, keys: set[str],
                     handled: list[tuple[str, str, list[tuple[str, str]]]], *, worker: str = "") -> None:
        """Like :meth:`commit` for many messages at once: ``handled`` holds ``(message_id, outputs_json, effects)``.

        The keys' current entries are written once, whatever number of the
        batch's messages changed them: one transaction, one write to the file.
        """
        db = self._db
        attrs = self._attributes(service) if service is not None else []
        db.execute("BEGIN IMMEDIATE")
        try:
            for key in keys:
                for attr in attrs:
                    table = getattr(service, attr)
                    if key in table:
                        db.execute("INSERT OR REPLACE INTO state VALUES (?, ?, ?)", (attr, key, json.dumps(table[key])))
                    else:
                        db.execute("DELETE FROM state WHERE attr=? AND key=?", (attr, key))
            db.executemany("INSERT OR REPLACE INTO handled VALUES (?, ?, ?)",
                           [(inbox, message_id, outputs) for message_id, outputs, _ in handled])
            db.executemany("INSERT INTO effects (effect, key, message_id, worker) VALUES (?, ?, ?, ?)",
                           [(effect, k, message_id, worker) for message_id, _, effects in handled
                            for effect, k in effects])
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def effects(self, *, worker: bool = False) -> list[tuple[str, ...]]:
        """Every effect ever committed, in order: ``(effect, key, message_id)``, plus the worker process if ``worker``."""
        columns = "effect, key, message_id, worker" if worker else "effect, key, message_id"
        return self._db.execute(f"SELECT {columns} FROM effects ORDER BY seq").fetchall()

    def close(self) -> None:
        self._db.close()
