"""The orchestrator: runs saga instances on one state machine per saga, talking to services by command → reply.

It sends each step's command on the bus (correlation id = instance id),
matches every reply by its correlation id *and* its causation id (the id of
the command it answers), and moves the instance's machine. On a failure it
undoes the completed steps, newest first, one at a time, retrying
compensations that fail. A reply that arrives after its step was given up is
never applied silently: the step's ``on_late`` policy either undoes its effect
or parks the reply as a dead letter with the reason.

Every change is saved to the store *before* the commands it causes are
published, so an orchestrator started after a crash knows what was in flight.

Trace entries it writes (``at`` = "orchestrator", correlation id = instance):
``state`` {instance, from, to}; ``step`` {instance, step, outcome: done | failed |
compensated}; ``compensate`` {instance, step}; ``retry`` {instance, step, attempt};
``timeout`` {instance, step, after}.

>>> from playground.orchestration.saga import SagaDefinition, Step
>>> from playground.transport.bus import Bus
>>> from playground.runtime.clock import run_simulated
>>> from playground.runtime.randomness import Randomness
>>> from playground.services import Flights, Hotels
>>> from playground.wiring.orchestration import orchestrate
>>> saga = SagaDefinition("trip", [Step("flight", "ReserveFlight", "CancelFlight"),
...                                Step("hotel", "ReserveHotel", "CancelHotel")])
>>> async def book_one_trip():
...     bus = Bus()
...     services = {"flights": Flights(latency=0.5), "hotels": Hotels(latency=0.25, fail="always")}
...     host = orchestrate(bus, services, [saga], Randomness(1))
...     await bus.start()
...     await host.start("trip", "trip-1", {"trip_id": "trip-1", "traveller": "a traveller"})
...     await bus.drained()
...     await bus.stop()
...     return [(e.time, e.kind, e.detail.get("to") or e.detail["step"]) for e in bus.trace
...             if e.at == "orchestrator" and e.kind in ("state", "compensate")]
>>> for entry in run_simulated(book_one_trip, horizon=60):
...     print(entry)
(0.0, 'state', 'flight')
(0.5, 'state', 'hotel')
(0.75, 'state', 'compensating')
(0.75, 'compensate', 'flight')
(1.25, 'state', 'compensated')
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Iterable

from transitions.core import EventData

from playground.errors import PlaygroundError
from playground.orchestration.instance import OPEN, Instance, Run
from playground.orchestration.machine import TERMINALS, build_machine
from playground.orchestration.saga import ENDINGS, Approval, SagaDefinition
from playground.orchestration.store import Store
from playground.runtime.envelope import Envelope
from playground.runtime.port import WorkflowBus
from playground.runtime.randomness import Randomness

__all__ = ["ENDINGS", "Orchestrator"]


class Orchestrator:
    """Runs instances of ``sagas`` on ``bus``, keeping their state in ``store``.

    Usually hosted by :class:`~playground.orchestration.host.OrchestratorHost`,
    which gives it an inbox and builds a new one after a crash.
    """

    def __init__(self, bus: WorkflowBus, sagas: Iterable[SagaDefinition], *, store: Store, randomness: Randomness,
                 name: str = "orchestrator"):
        self.bus, self.trace, self.catalog = bus, bus.trace, bus.catalog
        self.name, self.store, self.randomness = name, store, randomness
        self.sagas = {saga.name: saga for saga in sagas}
        self.instances: dict[str, Instance] = {}
        self.halted = False
        self._held: set[str] = set()
        self.triggers = {s.started_by: s for s in self.sagas.values() if s.started_by}
        # state name → the stage it waits in (an escalated approval waits in its approval's stage)
        self._stage_at = {name: {**{st.name: st for st in saga.stages},
                                 **{st.escalated_state: st for st in saga.stages if isinstance(st, Approval)}}
                          for name, saga in self.sagas.items()}
        # state name → the names of the steps of the stage it waits in
        self._members = {name: {state: tuple(m.name for m in self.sagas[name].members(stage))
                                for state, stage in stages.items()} for name, stages in self._stage_at.items()}
        self._cause: Envelope | None = None  # the message being handled; commands it causes point to it
        enter = {"stage": self._enter_stage, "compensating": self._enter_compensating,
                 **{end: self._enter_end for end in TERMINALS}}
        self.machines = {name: build_machine(saga, on_enter=enter, after_change=self._after_change,
                                             on_deadline=self._on_deadline, on_exception=self._on_exception,
                                             timers=lambda: bus.timers)
                         for name, saga in self.sagas.items()}
        #: which instance ids are this orchestrator's, when several share one store (see :meth:`own`).
        self.owns: Callable[[str], bool] | None = None
        self._moves = {name: {(t.source, trigger) for trigger, event in m.events.items()
                              for ts in event.transitions.values() for t in ts}
                       for name, m in self.machines.items()}

    # -- starting and resuming ------------------------------------------------------
    async def start(self, saga: str, instance_id: str, data: dict[str, Any], cause: Envelope | None = None) -> Instance:
        """Create an instance of ``saga`` and send its first commands."""
        if instance_id in self.instances:
            raise PlaygroundError(f"Instance {instance_id} of saga '{saga}' exists already; give every instance its own id.")
        inst = Instance(instance_id, saga, data, now=self.bus.now())
        self.instances[instance_id] = inst
        machine = self.machines[saga]
        machine.adopt(inst)
        await machine.fire(inst, "start", cause=cause)
        return inst

    def resume(self, owns: Callable[[str], bool] | None = None, *, why: str = "resumed after a crash") -> int:
        """Take over every busy instance in the store, re-sending the commands still awaiting a reply.

        With ``owns``, only the instances it accepts that this orchestrator does not hold yet.
        """
        count = 0
        for inst in self.store.open_instances():
            if owns is not None and (inst.id in self.instances or not owns(inst.id)):
                continue
            self.instances[inst.id] = inst
            self.machines[inst.saga].adopt(inst, initial=inst.state)
            for run in inst.all_runs():
                if run.status == "waiting" and run.kind != "approve":
                    # Same payload, so the same idempotency key: a service that did it already does nothing.
                    # It counts as a new attempt, so a failure reply to the old one (perhaps still in the
                    # inbox) cannot overrule the outcome of this one.
                    run.resent += 1
                    self._resend(inst, run, why=why)
            self._commit(inst, None)
            self._rearm(inst)
            count += 1
        return count

    def own(self, owns: Callable[[str], bool]) -> tuple[int, int]:
        """Hold exactly the instances ``owns`` accepts, when several orchestrators share one store.

        Orchestrator workers on a broker split instances by key (the partitions
        of their consumer group). After every rebalance each one lets go of the
        instances it no longer owns (their timers stop; the store keeps them)
        and takes over the busy ones it now owns from the store, re-sending the
        commands still awaiting a reply. Returns ``(released, taken over)``.
        """
        self.owns = owns
        released = [inst for inst in self.instances.values() if not owns(inst.id)]
        for inst in released:
            self._forget(inst)
        return len(released), self.resume(owns, why="taken over from another worker")

    def _forget(self, inst: Instance) -> None:
        machine = self.machines[inst.saga]
        machine.get_state(inst.state).disarm(inst)
        machine.remove_model(inst)
        del self.instances[inst.id]
        if inst.id in self._held:
            self._held.discard(inst.id)
            self.bus.release()

    def _recall(self, instance_id: str) -> Instance | None:
        """An owned instance this orchestrator does not hold: the store's copy (a finished one, or one
        another worker started just before the partition moved)."""
        inst = self.store.load(instance_id)
        if inst is None:
            return None
        self.instances[inst.id] = inst
        self.machines[inst.saga].adopt(inst, initial=inst.state)
        self._rearm(inst)
        if inst.state in TERMINALS:
            # The worker that ended it may have died after saving and before its announcement went
            # out: only a message it never acknowledged comes back here, so announce the end again
            # (endings are at least once on a broker; whoever reads them keys on the instance).
            self._announce_end(inst)
            self._commit(inst, None)
        return inst

    def halt(self) -> int:
        """Stop for good (a crash): cancel every timer; returns how many bus holds die with it."""
        self.halted = True
        for machine in self.machines.values():
            for state in machine.states.values():
                for model in list(machine.models):
                    state.disarm(model)
        held = len(self._held)
        self._held.clear()
        return held

    # -- messages ----------------------------------------------------------------------
    async def handle(self, e: Envelope) -> None:
        """Process one message from the orchestrator's inbox (the host has already recorded its delivery)."""
        if self.halted:
            return
        self._cause = e
        try:
            pending = self._dispatch(e)
            if pending is not None:
                await pending  # the machine's move, once the reply is booked
        finally:
            self._cause = None

    def _dispatch(self, e: Envelope) -> Awaitable | None:
        """Book ``e`` against its instance; returns the move of the machine it calls for, to await (or None)."""
        if e.type == "DecideApproval":
            return self._decide(e)
        inst = self.instances.get(e.correlation_id)
        if inst is None and self.owns is not None and e.correlation_id is not None:
            inst = self._recall(e.correlation_id)
        run = inst.find(e.causation_id) if inst is not None else None
        if run is None and inst is not None:
            run = self._correlated(inst, e.type)
        saga = self.triggers.get(e.type)
        if run is None and saga is not None:
            return self._trigger(saga, e)
        if inst is None and not e.correlation_id:
            return self._park(e, f"{e.type} carries no correlation id, so the orchestrator cannot tell which instance "
                                 f"it answers; its sender must copy the id from the command it replies to")
        if inst is None:
            lost = "" if self.store.durable else " (an orchestrator that keeps state only in memory forgets it in a crash)"
            return self._park(e, f"{e.type} is for instance {e.correlation_id}, which this orchestrator has no record of{lost}")
        if run is None:
            early = next((n for n, step in self.sagas[inst.saga].steps.items() if getattr(step, "correlate", False)
                          and n not in inst.runs and e.type in self.sagas[inst.saga].replies[n].done), None)
            if early is not None:
                return self._park(e, f"{e.type} for {inst.id} came before step '{early}' was waiting for it; this "
                                     "orchestrator keeps no early messages")
            return self._park(e, f"{e.type} does not answer any command instance {inst.id} sent")
        saga = self.sagas[inst.saga]
        replies = saga.replies[run.step] if run.kind == "do" else saga.undo_replies[run.step]
        if e.type not in replies.done and e.type not in replies.failed:
            return self._park(e, f"{e.type} is not a reply step '{run.step}' of {inst.id} expects")
        ok = e.type in replies.done
        if not ok and run.open and (run.attempt_of(e.causation_id) or 0) < run.attempt:
            return self._park(e, f"{e.type} answers attempt {run.attempt_of(e.causation_id)} of "
                                 f"{'undoing ' if run.kind == 'undo' else ''}step '{run.step}' of {inst.id}, "
                                 f"but attempt {run.attempt} is under way; ignored")
        if run.kind == "undo":
            return self._undo_reply(inst, run, e, ok)
        if run.open:
            return self._reply(inst, run, e, ok)
        if run.status in ("done", "late"):
            return self._park(e, f"{e.type} repeats a reply step '{run.step}' of {inst.id} already had; ignored")
        return self._late(inst, run, e, ok)

    def _correlated(self, inst: Instance, type_: str) -> Run | None:
        """The open run of a ``correlate`` step that waits for an event of this type, if any."""
        saga = self.sagas[inst.saga]
        for run in inst.runs.values():
            step = saga.steps[run.step]
            if run.open and getattr(step, "correlate", False) and type_ in (*saga.replies[run.step].done,
                                                                           *saga.replies[run.step].failed):
                return run
        return None

    def _trigger(self, saga: SagaDefinition, e: Envelope) -> Awaitable | None:
        problem = self.catalog[e.type].problem_with(e.payload)
        if problem:
            return self._park(e, f"{e.type} cannot start saga '{saga.name}': {problem}")
        instance_id = e.payload[saga.key]
        if instance_id in self.instances or self.store.known(instance_id):
            return self._park(e, f"{e.type} would start instance {instance_id} of saga '{saga.name}' a second time")
        return self.start(saga.name, instance_id, e.payload, cause=e)

    def _reply(self, inst: Instance, run: Run, e: Envelope, ok: bool) -> Awaitable | None:
        if ok:
            self._finish(inst, run, "done", e)
            inst.data.update(e.payload)
        else:
            self._attempt_failed(inst, run, f"{e.type}", e)
        return self._advance(inst, e)

    def _undo_reply(self, inst: Instance, run: Run, e: Envelope, ok: bool) -> Awaitable | None:
        if not run.open:
            return self._park(e, f"{e.type} repeats a reply to undoing step '{run.step}' of {inst.id}; ignored")
        if ok:
            run.status, run.deadline = "done", None
            self._note(inst, "step", {"instance": inst.id, "step": run.step, "outcome": "compensated"}, e)
            if inst.to_undo and inst.to_undo[0] == run.step:
                inst.to_undo.pop(0)
        else:
            self._attempt_failed(inst, run, f"{e.type}", e)
        return self._advance(inst, e)

    def _late(self, inst: Instance, run: Run, e: Envelope, ok: bool) -> Awaitable | None:
        """A reply for a step already given up (timed out or failed)."""
        step = self.sagas[inst.saga].steps[run.step]
        if not ok:
            return self._park(e, f"{e.type} for step '{run.step}' of {inst.id} came after the step was given up; "
                                 "nothing to undo")
        if step.late_policy == "ignore":
            return self._park(e, f"{e.type} answered step '{run.step}' of {inst.id} after it was given up "
                                 f"({run.reason}); the saga ignores late replies, so whatever it did stands")
        # The effect happened after all: count the step as completed (late) so it is undone like the others.
        # Status "late" still counts as given up for the stage, and makes later replies mere repeats.
        self._note(inst, "step", {"instance": inst.id, "step": run.step, "outcome": "done", "late": True}, e)
        inst.completed.append(run.step)
        run.status, run.reason = "late", f"{run.reason}; its reply came late"
        if inst.state == "compensating":
            busy = any(r.open for r in inst.undos.values())
            inst.to_undo.insert(1 if busy else 0, run.step)
        elif inst.state in TERMINALS:
            self._start_undo(inst, run.step)
        return self._advance(inst, e)

    def _decide(self, e: Envelope) -> Awaitable | None:
        payload = e.payload
        inst = self.instances.get(payload.get("instance"))
        run = inst.runs.get(payload.get("step")) if inst is not None else None
        if run is None or run.kind != "approve":
            return self._park(e, f"no instance is waiting for approval '{payload.get('step')}' of "
                                 f"{payload.get('instance')}")
        if not run.open:
            return self._park(e, f"the decision on '{run.step}' of {inst.id} came after the approval was "
                                 f"{'given' if run.status == 'done' else 'given up'}; ignored")
        if payload.get("approved"):
            self._finish(inst, run, "done", e)
        else:
            self._finish(inst, run, "failed", e, reason="the approval was rejected")
        return self._advance(inst, e)

    # -- time ------------------------------------------------------------------------------
    async def _on_deadline(self, event: EventData) -> None:
        inst = event.model
        if self.halted:
            return
        try:
            now, saga, retried, escalate = self.bus.now(), self.sagas[inst.saga], False, False
            for run in list(inst.all_runs()):
                if not run.open or run.deadline is None or run.deadline > now:
                    continue
                step = saga.steps[run.step]
                if run.status == "backoff":
                    self._resend(inst, run)
                    retried = True
                elif isinstance(step, Approval):
                    # An approval's "attempt" counts who has been asked: 1 the approver, 2 after escalation.
                    waited = step.escalation if run.attempt > 1 else step.timeout
                    self._timed_out(inst, run, waited)
                    if step.escalation and run.attempt == 1:
                        run.attempt, escalate = 2, True
                        run.deadline = now + step.escalation
                        self._emit(inst, "ApprovalEscalated", {"instance": inst.id, "step": run.step})
                    else:
                        self._finish(inst, run, "timed_out", None, reason="nobody approved in time")
                else:
                    waited = step.timeout if run.kind == "do" else step.undo_timeout
                    self._timed_out(inst, run, waited)
                    self._attempt_failed(inst, run, f"no reply within {waited:g} s", None, timed_out=True)
                    retried = retried or run.status == "waiting"
            pending = self.machines[inst.saga].fire(inst, "escalate") if escalate else \
                self._advance(inst, None, retried=retried)
            if pending is not None:
                await pending
        except Exception as exc:  # a timer has no caller to raise to: stop the run loudly
            self.bus.fail(exc)

    def _timed_out(self, inst: Instance, run: Run, waited: float) -> None:
        """Trace a deadline that passed, naming the command (if any) whose reply did not come."""
        detail = {"instance": inst.id, "step": run.step, "after": waited}
        if run.kind == "undo":
            detail["undo"] = True
        sent = run.messages[-1][0] if run.messages else None
        self.trace.record(self.bus.now(), "timeout", self.name, self._command_of(inst, run) if sent else None, sent,
                          inst.id, None, detail)

    def _command_of(self, inst: Instance, run: Run) -> str:
        step = self.sagas[inst.saga].steps[run.step]
        return step.action if run.kind == "do" else step.compensation

    def _attempt_failed(self, inst: Instance, run: Run, reason: str, cause: Envelope | None, *,
                        timed_out: bool = False) -> None:
        """Retry ``run`` (now or after a backoff) if its policy allows, else give it up."""
        saga = self.sagas[inst.saga]
        policy = saga.steps[run.step].retry if run.kind == "do" else saga.compensation_retry
        run.reason = reason
        if run.attempt - run.resent <= policy.count:
            delay = policy.delay(run.attempt + 1, self.randomness, f"{inst.id}:{run.kind}:{run.step}")
            if delay:
                run.status, run.deadline = "backoff", self.bus.now() + delay
            else:
                self._resend(inst, run)
        elif run.kind == "undo":
            run.status, run.deadline = "failed", None
            inst.reason = f"could not undo step '{run.step}': {reason}"
        else:
            self._finish(inst, run, "timed_out" if timed_out else "failed", cause, reason=reason)

    # -- moving the machine --------------------------------------------------------------------
    def _next_move(self, inst: Instance) -> str | None:
        """The trigger the instance's runs call for now, starting the next compensation on the way."""
        state = inst.state
        if state == "compensating":
            if any(r.open for r in inst.undos.values()):
                return None
            if any(r.status == "failed" for r in inst.undos.values()):
                return "give_up"
            if inst.to_undo:
                self._start_undo(inst, inst.to_undo[0])
                return None
            return "undone"
        members = self._members[inst.saga].get(state)
        if members is None:
            return None
        statuses = set()
        for name in members:
            run = inst.runs.get(name)
            if run is None or run.status in OPEN:
                return None
            statuses.add(run.status)
        if statuses == {"done"}:
            return "done"
        return "fail" if "failed" in statuses else "time_out"

    def _advance(self, inst: Instance, cause: Envelope | None, *, retried: bool = False) -> Awaitable | None:
        """Move the instance as its runs call for: returns the machine's move to await, or saves it and returns None."""
        move = self._next_move(inst)
        if move is None and retried and (inst.state, "retry") in self._moves[inst.saga]:
            move = "retry"  # re-entering the state re-arms its timer and shows the retry in the diagram
        if move is not None:
            return self.machines[inst.saga].fire(inst, move, cause=cause)
        self._commit(inst, cause)
        self._rearm(inst)
        return None

    # The machine's callbacks are plain functions: a move they call for is queued with fire_next and
    # runs once the current transition is over (as an awaited fire() on a queued machine would).
    def _enter_stage(self, event: EventData) -> None:
        inst, saga, now = event.model, self.sagas[event.model.saga], self.bus.now()
        stage = self._stage_at[inst.saga][inst.state]
        if stage.name != inst.state:  # an escalated approval: its run is already open
            return
        settled = False  # whether some member's run ended here or before (else every one waits: no move yet)
        for member in saga.members(stage):
            if member.name in inst.runs:
                settled = True
                continue
            if isinstance(member, Approval):
                inst.open_run(member.name, "approve", now=now, deadline=now + member.timeout)
                self._emit(inst, "ApprovalRequested", {"instance": inst.id, "step": member.name})
            elif saga.first_done_by_trigger and stage is saga.stages[0]:
                run = inst.open_run(member.name, "do", now=now, deadline=None)
                self._finish(inst, run, "done", event.kwargs.get("cause"))
                settled = True
            else:
                run = inst.open_run(member.name, "do", now=now, deadline=None)
                self._send(inst, run, member.action, member.timeout)
        move = self._next_move(inst) if settled else None
        if move is not None:
            event.machine.fire_next(inst, move, cause=event.kwargs.get("cause"))

    def _enter_compensating(self, event: EventData) -> None:
        inst = event.model
        if inst.to_undo is None:
            steps = self.sagas[inst.saga].steps
            inst.to_undo = [s for s in reversed(inst.completed) if steps[s].compensation]
        move = self._next_move(inst)
        if move is not None:
            event.machine.fire_next(inst, move, cause=event.kwargs.get("cause"))

    def _enter_end(self, event: EventData) -> None:
        self._announce_end(event.model)

    def _announce_end(self, inst: Instance) -> None:
        payload = {"instance": inst.id, "saga": inst.saga}
        if inst.state != "completed":
            payload["reason"] = inst.reason or "a step failed"
        announce = self.sagas[inst.saga].announces.get(inst.state)
        if announce is None:
            return self._emit(inst, ENDINGS[inst.state], payload)
        # A sub-process's end, in the business's words: one event for whoever listens outside.
        fields = self.catalog[announce.event].fields
        self._emit(inst, announce.event, announce.payload(fields, inst.data, {**payload, "outcome": inst.state}))

    def _after_change(self, event: EventData) -> None:
        inst, transition = event.model, event.transition
        cause = event.kwargs.get("cause")
        if transition.source != transition.dest:
            self._note(inst, "state", {"instance": inst.id, "from": transition.source, "to": transition.dest}, cause)
        self._commit(inst, cause)

    def _on_exception(self, event: EventData) -> None:
        self.bus.fail(event.error)

    # -- bookkeeping, saving, sending ------------------------------------------------------------
    def _finish(self, inst: Instance, run: Run, status: str, cause: Envelope | None, *, reason: str | None = None) -> None:
        run.status, run.deadline = status, None
        if reason:
            run.reason, inst.reason = reason, f"step '{run.step}': {reason}"
        if status == "done":
            inst.completed.append(run.step)
        self._note(inst, "step", {"instance": inst.id, "step": run.step,
                                  "outcome": "done" if status == "done" else "failed"}, cause)

    def _start_undo(self, inst: Instance, step_name: str) -> None:
        if step_name in inst.undos:
            return  # each step is undone once; its run retries on its own
        step = self.sagas[inst.saga].steps[step_name]
        run = inst.open_run(step_name, "undo", now=self.bus.now(), deadline=None)
        self._send(inst, run, step.compensation, step.undo_timeout,
                   note=("compensate", {"instance": inst.id, "step": step_name}))

    def _resend(self, inst: Instance, run: Run, why: str | None = None) -> None:
        step = self.sagas[inst.saga].steps[run.step]
        run.attempt += 1
        command, timeout = (step.action, step.timeout) if run.kind == "do" else (step.compensation, step.undo_timeout)
        detail = {"instance": inst.id, "step": run.step, "attempt": run.attempt}
        if run.kind == "undo":
            detail["undo"] = True
        if why:
            detail["why"] = why
        self._send(inst, run, command, timeout, note=("retry", detail))

    def _send(self, inst: Instance, run: Run, command: str, timeout: float | None, *, note: tuple | None = None) -> None:
        """Queue ``command`` for ``run``; it is published by the next commit, after the state is saved."""
        data = inst.data
        payload = {f: data[f] for f in self.catalog[command].fields if f in data}
        envelope = self._message(inst, command, payload)
        inst.sent(run, envelope.message_id)
        run.status = "waiting"
        run.deadline = self.bus.now() + timeout if timeout is not None else None
        inst.outbox.append((envelope, note))

    def _emit(self, inst: Instance, type_: str, payload: dict[str, Any]) -> None:
        inst.outbox.append((self._message(inst, type_, payload), None))

    def _message(self, inst: Instance, type_: str, payload: dict[str, Any]) -> Envelope:
        envelope = self.bus.message(type_, payload, sender=self.name, correlation_id=inst.id)
        if self._cause is not None:
            envelope.causation_id = self._cause.message_id  # the reply (or trigger) that led to it
        return envelope

    def _commit(self, inst: Instance, cause: Envelope | None) -> None:
        """Save the instance, *then* publish what its change queued, then hold or release the run."""
        inst.updated = self.bus.now()
        self.store.save(inst)
        outbox, inst.outbox = inst.outbox, []
        for envelope, note in outbox:
            if note is not None:
                self._note(inst, note[0], note[1], envelope)
            self.bus.publish(envelope)
        # Hold the run only while a timer can still move the instance (a deadline, a backoff): one waiting
        # on a reply that is no longer in flight (dropped, parked) would hold it to the horizon for nothing,
        # and is reported as unfinished instead.
        busy = inst.deadline is not None  # some open run has a deadline (so the instance is busy)
        if busy and inst.id not in self._held:
            self._held.add(inst.id)
            self.bus.hold()
        elif not busy and inst.id in self._held:
            self._held.discard(inst.id)
            self.bus.release()

    def _rearm(self, inst: Instance) -> None:
        machine = self.machines[inst.saga]
        state = machine.get_state(inst.state)
        state.arm(machine.timer_data(state, inst))

    def _note(self, inst: Instance, kind: str, detail: dict[str, Any], cause: Envelope | None = None) -> None:
        if cause is None:
            self.trace.record(self.bus.now(), kind, self.name, None, None, inst.id, None, detail)
        else:
            self.trace.record(self.bus.now(), kind, self.name, cause.type, cause.message_id, inst.id,
                              cause.causation_id, detail)

    def _park(self, e: Envelope, reason: str) -> None:
        self.bus.dead_letter(e, reason + ".", at=self.name)
