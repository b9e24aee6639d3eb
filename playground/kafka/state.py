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
Workers on other machines have files of their own: what moves between them
with a partition travels on the service's changelog topic
(:mod:`playground.kafka.changelog`), and :meth:`StateStore.apply_changelog`
brings a file up to date from it.

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
                                    key TEXT, effects TEXT NOT NULL DEFAULT '[]',
                                    PRIMARY KEY (inbox, message_id));
CREATE TABLE IF NOT EXISTS effects (seq INTEGER PRIMARY KEY, effect TEXT NOT NULL, key TEXT NOT NULL,
                                    message_id TEXT NOT NULL, worker TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS restored (inbox TEXT NOT NULL, partition INTEGER NOT NULL, next INTEGER NOT NULL,
                                     PRIMARY KEY (inbox, partition));
"""
#: Created after any migration, since they name columns an older file lacks.
_INDEXES = """
CREATE INDEX IF NOT EXISTS handled_by_key ON handled (inbox, key);
CREATE INDEX IF NOT EXISTS effects_by_key ON effects (key, effect);
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
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(handled)")}
        for column, declared in (("key", "TEXT"), ("effects", "TEXT NOT NULL DEFAULT '[]'")):
            if column not in columns:  # a file written before handled messages kept their key and effects
                self._db.execute(f"ALTER TABLE handled ADD COLUMN {column} {declared}")
        self._db.executescript(_INDEXES)
        self._attrs: dict[int, list[str]] = {}

    def attributes(self, service: Service) -> list[str]:
        """The service's keyed attributes (:func:`keyed_attributes`), worked out once per service object."""
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
        for attr in self.attributes(service):
            table = getattr(service, attr)
            if attr in rows:
                table[key] = json.loads(rows[attr])
            else:
                table.pop(key, None)

    def commit(self, inbox: str, message_id: str, service: Service, key: str | None, *,
               outputs: list[dict[str, Any]], effects: list[tuple[str, str]], worker: str = "") -> None:
        """Save the key's entries, the message as handled with its outputs, and its effects, atomically."""
        self.commit_batch(inbox, self.snapshot(service, {key} if key is not None else set()),
                          [(message_id, json.dumps(outputs), effects, key)], worker=worker)

    def snapshot(self, service: Service, keys: "set[str] | dict[str, Any]") -> dict[str, dict[str, str]]:
        """The service's entries for ``keys`` as JSON text, by key and attribute (an absent entry: no attribute)."""
        attrs = [(attr, getattr(service, attr)) for attr in self.attributes(service)] if service is not None else []
        return {key: {attr: json.dumps(table[key]) for attr, table in attrs if key in table} for key in keys}

    def commit_batch(self, inbox: str, state: dict[str, dict[str, str]],
                     handled: list[tuple[str, str, list[tuple[str, str]], str | None]], *, worker: str = "") -> None:
        """Like :meth:`commit` for many messages at once: ``handled`` holds ``(message_id, outputs_json, effects, key)``.

        ``state`` is a :meth:`snapshot` of the keys the batch changed: each
        key's entries are written once, whatever number of the batch's
        messages changed them; one transaction, one write to the file.
        """
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            self._replace_state(state)
            db.executemany("INSERT OR REPLACE INTO handled VALUES (?, ?, ?, ?, ?)",
                           [(inbox, message_id, outputs, key, done_json(effects, worker))
                            for message_id, outputs, effects, key in handled])
            db.executemany("INSERT INTO effects (effect, key, message_id, worker) VALUES (?, ?, ?, ?)",
                           [(effect, k, message_id, worker) for message_id, _, effects, _ in handled
                            for effect, k in effects])
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _replace_state(self, state: dict[str, dict[str, str]]) -> None:
        db = self._db
        db.executemany("DELETE FROM state WHERE key=?", [(key,) for key in state])
        db.executemany("INSERT INTO state VALUES (?, ?, ?)",
                       [(attr, key, text) for key, entries in state.items() for attr, text in entries.items()])

    def handled_for(self, inbox: str, keys: set[str]) -> dict[str, list[tuple[str, str, str]]]:
        """The messages handled so far about each of ``keys``: ``(message_id, outputs_json, effects_json)``."""
        found: dict[str, list[tuple[str, str, str]]] = {}
        listed = sorted(keys)
        for i in range(0, len(listed), 500):  # SQLite caps the number of parameters in one statement
            chunk = listed[i:i + 500]
            rows = self._db.execute(
                f"SELECT key, message_id, outputs, effects FROM handled WHERE inbox=? "
                f"AND key IN ({','.join('?' * len(chunk))})", (inbox, *chunk)).fetchall()
            for key, message_id, outputs, effects in rows:
                found.setdefault(key, []).append((message_id, outputs, effects))
        return found

    def restored_to(self, inbox: str, partition: int) -> int:
        """The changelog offset this file has applied up to for ``partition`` (0: none of it)."""
        row = self._db.execute("SELECT next FROM restored WHERE inbox=? AND partition=?", (inbox, partition)).fetchone()
        return 0 if row is None else row[0]

    def apply_changelog(self, inbox: str, partition: int, documents: list[dict[str, Any] | None],
                        keys: list[str | None], upto: int) -> int:
        """Bring the file up to date with changelog records of ``partition``, read in order, up to offset ``upto``.

        Each document is the latest word on one business key (``keys``, the
        record keys): its state entries replace the file's, its handled
        messages join the file's, and their effects join the ledger unless it
        has them (so a file that wrote them itself keeps each once). A document
        of None (a tombstone) drops the key's state. Returns the business keys touched.
        """
        db = self._db
        touched: set[str] = set()
        db.execute("BEGIN IMMEDIATE")
        try:
            for record_key, doc in zip(keys, documents):
                key = doc.get("key") if doc is not None else record_key
                if key is not None:
                    touched.add(key)
                if doc is None or doc.get("state") is not None:
                    self._replace_state({key: {attr: json.dumps(value)
                                               for attr, value in (doc or {}).get("state", {}).items()}})
                for message_id, outputs, done in (doc or {}).get("handled", []):
                    db.execute("INSERT OR REPLACE INTO handled VALUES (?, ?, ?, ?, ?)",
                               (inbox, message_id, json.dumps(outputs), key, json.dumps(done)))
                    for effect, k, worker in done:
                        db.execute("INSERT INTO effects (effect, key, message_id, worker) SELECT ?, ?, ?, ? WHERE NOT "
                                   "EXISTS (SELECT 1 FROM effects WHERE key=? AND effect=? AND message_id=?)",
                                   (effect, k, message_id, worker, k, effect, message_id))
            db.execute("INSERT OR REPLACE INTO restored VALUES (?, ?, ?)", (inbox, partition, upto))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return len(touched)

    def effects(self, *, worker: bool = False) -> list[tuple[str, ...]]:
        """Every effect ever committed, in order: ``(effect, key, message_id)``, plus the worker process if ``worker``."""
        columns = "effect, key, message_id, worker" if worker else "effect, key, message_id"
        return self._db.execute(f"SELECT {columns} FROM effects ORDER BY seq").fetchall()

    def close(self) -> None:
        self._db.close()


def done_json(effects: list[tuple[str, str]], worker: str) -> str:
    """A handled message's effects as stored with it (and carried on the changelog): ``[[effect, key, worker]]``."""
    return json.dumps([[effect, key, worker] for effect, key in effects])
