"""One workflow instance: the model a saga machine moves, and everything needed to resume it.

The machine keeps the coarse position (``state``: which stage, compensating,
or how it ended). The instance keeps the fine print the machine cannot: each
step's attempts, the message ids it sent (so replies can be matched, even
by an orchestrator started after a crash), deadlines, and the order in which
steps completed (so they are undone in reverse).

>>> inst = Instance("trip-0001", "trip", {"trip_id": "trip-0001"}, now=0.0)
>>> run = inst.open_run("flight", "do", now=0.0, deadline=5.0)
>>> inst.sent(run, "m000007")
>>> inst.find("m000007").step, inst.deadline
('flight', 5.0)
>>> Instance.from_record(inst.to_record()).find("m000007").attempt
1
"""

from __future__ import annotations

from typing import Any, Iterator

#: Run statuses that still expect something to happen (a reply, or a resend at ``deadline``).
OPEN = ("waiting", "backoff")


class Run:
    """One step's command (``kind`` "do"), its compensation ("undo") or an approval ("approve")."""

    __slots__ = ("step", "kind", "status", "attempt", "resent", "messages", "deadline", "started", "reason")

    def __init__(self, step: str, kind: str, *, status: str = "waiting", attempt: int = 1, resent: int = 0,
                 messages: list | None = None, deadline: float | None = None, started: float = 0.0,
                 reason: str | None = None):
        self.step, self.kind, self.status, self.attempt = step, kind, status, attempt
        #: attempts that were re-sends by an orchestrator resuming after a crash (they use no retry budget)
        self.resent = resent
        #: [message id, attempt] for every command sent, resends after a restart included.
        self.messages: list[list] = messages if messages is not None else []
        self.deadline, self.started, self.reason = deadline, started, reason

    @property
    def open(self) -> bool:
        return self.status in OPEN

    def attempt_of(self, message_id: str) -> int | None:
        for mid, attempt in self.messages:
            if mid == message_id:
                return attempt
        return None

    def to_record(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}

    def __repr__(self) -> str:
        return f"Run({self.kind} {self.step} {self.status} attempt {self.attempt})"


class Instance:
    """A saga instance; the orchestrator's machine sets its ``state`` and moves it."""

    # One is kept for every instance a run starts: no __dict__ beside these.
    __slots__ = ("id", "saga", "data", "state", "runs", "undos", "completed", "to_undo", "reason", "started",
                 "updated", "outbox", "_index")

    def __init__(self, id: str, saga: str, data: dict[str, Any], *, now: float):
        self.id = id
        self.saga = saga
        self.data = dict(data)
        self.state = "new"
        self.runs: dict[str, Run] = {}     # forward runs (and approvals) by step
        self.undos: dict[str, Run] = {}    # compensation runs by step
        self.completed: list[str] = []     # steps in the order they completed
        self.to_undo: list[str] | None = None  # compensations still to run, next first
        self.reason: str | None = None
        self.started = self.updated = now
        self.outbox: list = []             # envelopes to publish once the state is saved
        self._index: dict[str, Run] = {}

    # -- runs ------------------------------------------------------------------
    def open_run(self, step: str, kind: str, *, now: float, deadline: float | None) -> Run:
        run = Run(step, kind, deadline=deadline, started=now)
        (self.undos if kind == "undo" else self.runs)[step] = run
        return run

    def sent(self, run: Run, message_id: str) -> None:
        """Remember that ``message_id`` carried ``run``'s current attempt, so its reply can be matched."""
        run.messages.append([message_id, run.attempt])
        self._index[message_id] = run

    def find(self, message_id: str | None) -> Run | None:
        """The run whose command had this message id (a reply's causation id), if any."""
        return self._index.get(message_id) if message_id else None

    def all_runs(self) -> Iterator[Run]:
        yield from self.runs.values()
        yield from self.undos.values()

    @property
    def deadline(self) -> float | None:
        """The earliest moment something must happen: a timeout or a resend after backoff."""
        earliest = None
        for r in self.runs.values():  # all_runs() without a generator: this is asked after every move
            due = r.deadline
            if due is not None and r.status in OPEN and (earliest is None or due < earliest):
                earliest = due
        if self.undos:
            for r in self.undos.values():
                due = r.deadline
                if due is not None and r.status in OPEN and (earliest is None or due < earliest):
                    earliest = due
        return earliest

    @property
    def busy(self) -> bool:
        """Whether anything is still expected of this instance (terminal instances may still undo a late step)."""
        return self.state not in ("completed", "compensated", "stuck") or any(r.open for r in self.all_runs())

    # -- persistence -----------------------------------------------------------
    def to_record(self) -> dict[str, Any]:
        return {
            "id": self.id, "saga": self.saga, "state": self.state, "data": self.data,
            "runs": [r.to_record() for r in self.runs.values()],
            "undos": [r.to_record() for r in self.undos.values()],
            "completed": self.completed, "to_undo": self.to_undo, "reason": self.reason,
            "started": self.started, "updated": self.updated,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> "Instance":
        inst = cls(record["id"], record["saga"], record["data"], now=record["started"])
        inst.state = record["state"]
        for key in ("completed", "to_undo", "reason", "updated"):
            setattr(inst, key, record[key])
        for key in ("runs", "undos"):
            table = getattr(inst, key)
            for raw in record[key]:
                run = Run(**raw)
                table[run.step] = run
                for message_id, _ in run.messages:
                    inst._index[message_id] = run
        return inst

    def __repr__(self) -> str:
        return f"<Instance {self.id} {self.saga} {self.state}>"
