"""Hosting a service on the bus: validate, wait out outages, spend its latency, publish its events.

Both wirings host services the same way; they differ only in what reaches a
service's inbox (commands from an orchestrator, or events it subscribed to)
and where its events are routed.
"""

from __future__ import annotations

import difflib
import random

from playground.transport.bus import Bus
from playground.runtime.envelope import Envelope
from playground.runtime.latency import Fixed
from playground.runtime.randomness import Unseeded
from playground.services.base import HandlerReturnError, NotYet, Service


class ServiceHost:
    """Runs one service's inbox.

    Args:
        service: the business capability.
        bus: the bus it reads from and publishes to.
        reactions: event type → command the service runs when that event
            arrives (choreography); commands addressed to it run as they are.
        latency_rng: the stream its processing times are drawn from.
    """

    def __init__(self, service: Service, bus: Bus, *, reactions: dict[str, str] | None = None,
                 latency_rng: random.Random | None = None):
        self.service = service
        self.name = service.name
        self.bus = bus
        self.reactions = dict(reactions or {})
        self.latency_rng = latency_rng if latency_rng is not None else Unseeded(
            f"The {self.name} service's latency", f"host it with latency_rng=randomness.stream('latency:{self.name}')")
        # A fault plan may give the service another processing-time distribution for this run.
        self.latency = bus.faults.latency_for(self.name, service.latency)
        self._uncorrelated = self.name in bus.faults.uncorrelated
        self._plans: dict[str, tuple] = {}
        self._end_notes: dict[str | None, dict[str, str | None]] = {}
        self._worked: set[str] = set()  # messages handled once whose acknowledgement (and events) were lost
        # A crash restarts a service named in the plan's amnesia with empty memory; these crashes were applied.
        self._forgets = self.name in bus.faults.amnesia
        self._restarted: set[tuple[float, float]] = set()
        # Whether an outage or crash can ever stop this consumer (asked once, not for every message).
        self._may_stop = bus.faults.may_stop(self.name)

    def attach(self) -> "ServiceHost":
        """Give the service its inbox and subscribe it to the events it reacts to."""
        self.service.catalog = self.bus.catalog  # the run's contracts, not the playground's global ones
        self.bus.add_inbox(self.name, self)
        self.bus.subscribe(self.name, *self.reactions)
        return self

    def command_for(self, envelope: Envelope) -> tuple[str | None, str | None]:
        """The command to run for ``envelope``, or the reason it cannot be handled."""
        plan = self._plans.get(envelope.type)
        if plan is None:
            plan = self._plans[envelope.type] = self._plan(envelope.type)
        spec, command, needs = plan
        if spec is None:
            return None, command  # the reason, computed once per type
        problem = spec.problem_with(envelope.payload)
        if problem:
            return None, f"{envelope.type} is malformed: {problem}"
        for field in needs:
            if field not in envelope.payload:
                return None, f"{envelope.type} lacks field '{field}' that {command} needs"
        return command, None

    def _plan(self, type_: str) -> tuple:
        """What never changes for a message type: its spec, the command it maps to, the fields that needs."""
        catalog = self.bus.catalog
        if type_ not in catalog:
            return None, f"unknown message type '{type_}'", ()
        command = self.reactions.get(type_, type_)
        if not self.service.accepts(command):
            if type_ in self.reactions:
                known = sorted(self.service.commands)
                match = difflib.get_close_matches(command, known, n=1)
                hint = f"did you mean '{match[0]}'?" if match else f"it handles {', '.join(known) or 'nothing'}."
                return None, (f"the {self.name} reaction table maps {type_} to '{command}', which the {self.name} "
                              f"service does not handle; {hint}"), ()
            return None, f"the {self.name} service does not handle '{type_}'", ()
        spec, wanted = catalog[type_], catalog[command]
        # A field the command takes as optional may be missing from the event: the handler gets its default.
        # One the event's own contract requires is there once the payload keeps that contract: not looked for.
        needs = tuple(f for f in wanted.fields if f not in wanted.optional
                      and (f not in spec.fields or f in spec.optional))
        return spec, command, needs

    async def __call__(self, envelope: Envelope) -> None:
        bus, e, name = self.bus, envelope, self.name
        trace, faults = bus.trace, bus.faults
        if self._may_stop:
            back = faults.down_until(name, bus.now())
            while back is not None:
                # A stopped consumer takes nothing from its inbox: the backlog grows.
                await bus.sleep(back - bus.now())
                back = faults.down_until(name, bus.now())
        if self._forgets:
            self._restart_after_crashes(e)
        bus.deliver(e, name)
        command, problem = self.command_for(e)
        if problem:
            bus.dead_letter(e, problem, at=name)
            return
        started = bus.now()
        trace.record(started, "start", name, e.type, e.message_id, e.correlation_id, e.causation_id)
        latency = self.latency  # a fixed time is read, not drawn: no stream is touched either way
        delay = latency.seconds if type(latency) is Fixed else latency.sample(self.latency_rng)
        if delay:
            await bus.sleep(delay)
        failed = faults.on_handle(name, e, started, bus, command=command) if faults.touches_handling else None
        if failed is not None and failed[0] == "lost":
            bus.redeliver(e, name, failed[1])  # never acknowledged, so it comes back
            return
        service, worked = self.service, self._worked
        again = bool(worked) and e.message_id in worked
        if again:  # False otherwise (the class default), so most messages set nothing
            service.redelivered = True
        try:
            emitted = service.handle(command, e.payload)
        except HandlerReturnError:
            raise  # a bug in the handler's code, not a poison message: stop the run with the fix
        except NotYet as wait:  # the service cannot answer yet (e.g. a semantic lock): it comes back later
            self._write_notes(e)
            bus.redeliver(e, name, wait.after)
            return
        except Exception as exc:  # a poison message must not stop the consumer
            self._write_notes(e)
            bus.dead_letter(e, f"the {name} service failed on {command}: {exc}", at=name)
            return
        finally:
            if again:
                service.redelivered = False
        if service.notes:
            self._write_notes(e)
        if failed is not None:
            # Worked, then failed before acknowledging: the effect stands, the events are lost,
            # and the message comes back. Only an idempotent service shrugs this off.
            self._worked.add(e.message_id)
            if self._forgets and failed[0] == "after-work":
                self._restart(e, "died after its work, before acknowledging")
            bus.redeliver(e, name, failed[1])
            return
        if again:
            worked.discard(e.message_id)
        note = self._end_notes.get(command)
        if note is None:  # one detail per command, shared by every "end" entry that names it
            note = self._end_notes[command] = {"command": command}
        trace.record(bus.now(), "end", name, e.type, e.message_id, e.correlation_id, e.causation_id, note)
        for out in emitted:
            message = bus.message(out.type, out.payload, sender=name, correlation_id=None, cause=e)
            if self._uncorrelated:
                message = faults.strip_correlation(message, bus)
            bus.publish_checked(message)

    def _restart_after_crashes(self, e: Envelope) -> None:
        """Apply, before the next message, each crash window that has begun since the last one."""
        now = self.bus.now()
        for window in self.bus.faults.crashes.get(self.name, ()):
            if window[0] <= now and window not in self._restarted:
                self._restarted.add(window)
                self._restart(None, f"crashed at {window[0]:g} s")

    def _restart(self, e: Envelope | None, why: str) -> None:
        self.service.restart()
        about = (e.type, e.message_id, e.correlation_id, e.causation_id) if e is not None else (None,) * 4
        self.bus.trace.record(self.bus.now(), "fault", self.name, *about, {"fault": "restart", "memory": "lost",
                                                                           "why": why})

    def _write_notes(self, e: Envelope) -> None:
        if not self.service.notes:
            return
        trace, now = self.bus.trace, self.bus.now()
        for note in self.service.take_notes():
            trace.record(now, note.kind, self.name, e.type, e.message_id, e.correlation_id, e.causation_id,
                         note.detail)
