"""A faust agent you write yourself, joining a running choreography as one more consumer.

Every service in the playground is hosted by a faust agent the bus declares
(``@app.agent(channel)`` around ``async for envelope in stream``). A
:class:`FaustConsumer` lets you write that agent by hand: you get the run's
faust ``app``, the channel your events arrive on, and a ``send`` function;
you declare the agent with ``@app.agent(events)`` and iterate its stream.
The bus delivers the event types you said you hear to your channel and
counts an event as handled when your agent asks for the next one.

The same function runs on both transports: on the in-memory bus ``app`` is
the run's embedded app (simulated time); on a Kafka bus it is the consumer
group's app, fed by the topics your events travel on.

Bad messages are dead-lettered, never raised, as everywhere else on the bus:
a message your agent sends is checked against the run's catalog (a type it
does not declare, or a payload that breaks its contract, is parked with the
reason where it was sent), and an exception your code raises while handling
an event parks *that event* with a one-sentence reason. The agent is then
started again on the next event, as faust's supervisor restarts a crashed
agent: what it keeps in the factory's variables survives, what its body set
up before ``async for`` is set up again. Breaking the rules of the stream
itself (returning, reading it with ``for``) still stops the run, with the fix.

>>> from playground.scenarios import order_flow
>>> from playground.wiring.agents import FaustConsumer
>>> def thanks(app, events, send):
...     @app.agent(events)
...     async def thank(stream):
...         async for event in stream:
...             send("SendConfirmation", {"order_id": event.payload["order_id"],
...                                       "customer": event.payload["customer"]}, cause=event)
...     return thank
>>> result = order_flow(orders=5, seed=1, agents=[FaustConsumer("thanks", thanks, hears=["OrderCompleted"])]).run()
>>> len(result.trace.where(kind="send", type="SendConfirmation", at="thanks"))
5
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
from typing import Any, Callable, Iterable

from playground.catalog import Catalog
from playground.errors import PlaygroundError, ScenarioError
from playground.runtime.envelope import Envelope

#: ``factory(app, events, send)``: declares one agent with ``@app.agent(events)`` and returns it.
AgentFactory = Callable[[Any, Any, Callable[..., Envelope]], Any]


class AgentError(PlaygroundError):
    """A hand-written agent broke a rule of the stream it was given."""


class _Counted:
    """The agent's stream, counting each event as handled when the agent asks for the next one."""

    def __init__(self, stream: Any, events: Any, host: "FaustConsumer"):
        # ``events`` is one iterator over the stream, shared by every start of the agent after a crash.
        self._stream, self._source, self._host = stream, events, host

    def __aiter__(self) -> Any:
        return self._events()

    async def _events(self) -> Any:
        self._host.iterating = True
        while True:
            try:
                event = await self._source.__anext__()
            except StopAsyncIteration:
                break
            yield event
            self._host.finished()
        self._host.stream_ended = True  # the app is stopping: the agent may return now

    def __iter__(self) -> Any:
        raise AgentError(f"The agent '{self._host.name}' iterates its stream with `for`; a faust stream is "
                         "asynchronous, so write `async for event in stream:`.")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class FaustConsumer:
    """One inbox on the bus whose messages a hand-written faust agent processes.

    Args:
        name: the consumer's name (its inbox, the sender of what it sends, a
            component a fault plan may name).
        factory: ``factory(app, events, send)`` declares the agent with
            ``@app.agent(events)``; ``send(type, payload, cause=event)``
            publishes a message built from ``event`` (same correlation id).
        hears: the event types delivered to ``events``.
    """

    def __init__(self, name: str, factory: AgentFactory, *, hears: Iterable[str]):
        if not isinstance(name, str) or not name.strip():
            raise ScenarioError(f"A consumer needs a name such as 'loyalty', not {name!r}.")
        if not callable(factory):
            raise ScenarioError(f"The agent factory of '{name}' must be a function (app, events, send), not {factory!r}.")
        self.name, self.factory = name, factory
        self.hears = [hears] if isinstance(hears, str) else list(hears)
        if not self.hears:
            raise ScenarioError(f"The consumer '{name}' hears nothing; give it hears=['SomeEvent'].")
        self.bus: Any = None
        self.iterating = False
        self.stream_ended = False
        self.channel: Any = None
        self._done: asyncio.Future | None = None
        self._context: contextvars.Context | None = None

    def check(self, catalog: Catalog) -> None:
        """Refuse types the catalog does not know, naming the closest known event."""
        for type_ in self.hears:
            if type_ not in catalog or catalog[type_].kind != "event":
                raise ScenarioError(f"The consumer '{self.name}' hears {type_!r}, which is not an event in the "
                                    f"catalog{_closest(type_, [s.name for s in catalog if s.kind == 'event'])}")

    def attach(self, bus: Any) -> "FaustConsumer":
        """Give the consumer its inbox on ``bus`` and subscribe it to what it hears (before ``bus.start()``)."""
        self.check(bus.catalog)
        self.bus = bus
        bus.add_inbox(self.name, self)
        bus.subscribe(self.name, *self.hears)
        return self

    # -- the bus calls these ---------------------------------------------------
    def declare_agents(self, app: Any) -> None:
        """Called by the bus with the faust app that will read this inbox, before the app starts."""
        self.iterating = self.stream_ended = False  # a consumer may serve several runs, one after another
        self.channel = app.channel(maxsize=0)
        before = set(app.agents)
        returned = self.factory(app, self.channel, self.send)
        added = [app.agents[name] for name in app.agents if name not in before]
        if len(added) != 1:
            raise AgentError(f"The factory of '{self.name}' declared {len(added)} agents; declare exactly one "
                             "with @app.agent(events) and return it.")
        (agent,) = added
        if returned is not agent:
            raise AgentError(f"The factory of '{self.name}' must return the agent it declared (end it with "
                             "`return <the decorated function>`).")
        if agent.channel is not self.channel:
            raise AgentError(f"The agent of '{self.name}' reads another channel or topic; declare it with "
                             "@app.agent(events), the channel the factory was given.")
        # faust's Agent keeps its body in the public attribute ``fun``: the bus wraps it to see each event end.
        agent.fun = self._body(agent.fun)

    def _body(self, fun: Callable) -> Callable:
        host = self

        async def body(stream: Any) -> None:
            events = stream.__aiter__()
            while True:
                try:
                    await host._run_once(fun, _Counted(stream, events, host))
                    return
                except asyncio.CancelledError:
                    raise
                except AgentError as exc:  # a rule of the stream broken: the run stops loudly, with the fix
                    host._fail(exc)
                    return
                except Exception as exc:  # the learner's code raised
                    if not host._crashed(exc):
                        host._fail(exc)  # before any event: nothing to dead-letter, so stop with the error
                        return
                    # That event is dead-lettered; start the agent again on the next one (faust's supervisor
                    # restarts a crashed agent the same way).

        body.__name__ = getattr(fun, "__name__", "agent")
        body.__qualname__ = getattr(fun, "__qualname__", body.__name__)
        return body

    async def _run_once(self, fun: Callable, counted: _Counted) -> None:
        ran = fun(counted)
        if inspect.isasyncgen(ran):
            async for _ in ran:
                pass
        elif inspect.isawaitable(ran):
            await ran
        else:
            raise AgentError(f"The agent of '{self.name}' is not an `async def` function; faust agents are "
                             "coroutines that read their stream with `async for`.")
        if self.stream_ended:
            return
        raise AgentError(f"The agent of '{self.name}' returned without reading its stream; keep it in "
                         "`async for event in stream:` for as long as events come." if not self.iterating
                         else f"The agent of '{self.name}' left its `async for` loop (a return or break); "
                         "an agent keeps reading its stream for as long as the app runs.")

    def _crashed(self, exc: BaseException) -> bool:
        """The agent raised ``exc`` on the event in hand: hand it to :meth:`__call__` to dead-letter (False if none)."""
        if self._done is None or self._done.done():
            return False
        self._done.set_result(exc)
        return True

    def _fail(self, exc: BaseException) -> None:
        if self._done is not None and not self._done.done():
            self._done.set_exception(exc)
        else:
            self.bus.fail(exc)  # both buses take fail(exc) (runtime.port.WorkflowBus)

    def finished(self) -> None:
        """The agent asked for its next event: the previous one is handled."""
        if self._done is not None and not self._done.done():
            self._done.set_result(None)

    async def __call__(self, envelope: Envelope) -> None:
        bus, e = self.bus, envelope
        bus.deliver(e, self.name)
        bus.trace.record(bus.now(), "start", self.name, e.type, e.message_id, e.correlation_id, e.causation_id)
        # What the agent sends while handling this event belongs to this delivery (on Kafka: its batch).
        self._context = contextvars.copy_context()
        self._done = asyncio.get_running_loop().create_future()
        await self.channel.put(e)
        try:
            raised = await self._done
        finally:
            self._done = None
        if raised is not None:
            bus.dead_letter(e, f"the {self.name} agent failed on {e.type}: {raised_sentence(raised)}", at=self.name)
            return
        bus.trace.record(bus.now(), "end", self.name, e.type, e.message_id, e.correlation_id, e.causation_id,
                         {"command": None})

    def send(self, type: str, payload: dict[str, Any], *, cause: Envelope | None = None) -> Envelope:
        """Publish ``type`` with ``payload``; built from ``cause`` (the event being handled) when given.

        A type the catalog does not declare, or a payload that breaks the type's
        contract, is dead-lettered here with the reason instead of delivered.
        """
        bus = self.bus
        message = bus.message(type, dict(payload) if isinstance(payload, dict) else payload, sender=self.name,
                              correlation_id=cause.correlation_id if cause is not None else None, cause=cause)
        # publish_checked parks a payload that breaks its contract; publish parks a type nobody declared.
        if self._context is not None:
            self._context.run(bus.publish_checked, message)
        else:
            bus.publish_checked(message)
        return message


def raised_sentence(exc: BaseException) -> str:
    """``KeyError: 'amount'``: an exception as the tail of a dead letter's reason (one line, no traceback)."""
    said = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {said}" if said else type(exc).__name__


def _closest(name: str, known: Iterable[str]) -> str:
    import difflib

    match = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean {match[0]!r}?" if match else "; check the spelling or declare it."
