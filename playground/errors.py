"""Errors a learner can act on: one sentence saying what was wrong and what to do."""


class PlaygroundError(Exception):
    """Base class for every error the playground raises on purpose.

    The message is a single sentence meant for a learner; callers (the CLI,
    the grader, notebook helpers) print it without a traceback.
    """


class ScenarioError(PlaygroundError, ValueError):
    """A scenario was given parameters it cannot run with."""


class HorizonExceeded(PlaygroundError, TimeoutError):
    """A simulated run was still busy when its virtual horizon arrived."""


class SagaDefinitionError(PlaygroundError, ValueError):
    """A saga definition cannot run as written (a duplicate step, a missing compensation...)."""


class CycleDetected(PlaygroundError, RuntimeError):
    """Messages went round a cycle without end (in no simulated time, or far too many for one transaction)."""


class UnknownTransaction(PlaygroundError, LookupError):
    """A correlation id that no message in the trace carries."""
