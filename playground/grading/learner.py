"""Reading a learner's code: find the names a check needs, and say in one sentence what went wrong.

Checks never show a learner a traceback. They look names up with
:func:`fetch`, which explains a missing or renamed definition, and turn any
exception from the learner's code into a sentence with :func:`explain`,
which names the learner's function where it happened.

>>> try:
...     fetch({"LoyaltyService": type("LoyaltyService", (), {})}, "Loyalty", what="class")
... except NotDefined as missing:
...     print(missing)
Your notebook defines no class called `Loyalty` (did you rename it `LoyaltyService`?); keep the name the starter gives it, and make sure the cell that defines it runs without an error.
"""

from __future__ import annotations

import difflib
import os
import sysconfig
from types import TracebackType
from typing import Any, Mapping

from playground.errors import PlaygroundError

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_LIBRARY = tuple({os.path.abspath(p) for key in ("stdlib", "platstdlib", "purelib", "platlib")
                  if (p := sysconfig.get_paths().get(key))})


class Failed(PlaygroundError, AssertionError):
    """The learner's code ran but behaved wrongly; the message says how, and what to do."""


class NotDefined(PlaygroundError, LookupError):
    """A name a check needs is missing from the learner's notebook."""


def is_learner_file(filename: str) -> bool:
    """Whether code from ``filename`` is the learner's (a notebook cell or a submitted file), not ours or a library's."""
    if filename.startswith("<") and not filename.startswith("<ipython-input"):
        return False  # <frozen importlib...>, <string> from the standard library
    path = os.path.abspath(filename)
    return not (path.startswith(_PACKAGE + os.sep) or path.startswith(_LIBRARY))


def innermost_learner_function(tb: TracebackType | None) -> str | None:
    """The qualified name of the deepest learner function in a traceback, e.g. ``Loyalty.award``."""
    found = None
    while tb is not None:
        code = tb.tb_frame.f_code
        if is_learner_file(code.co_filename) and code.co_name != "<module>":
            found = code.co_qualname
        tb = tb.tb_next
    return found


def _kind_fits(value: Any, what: str) -> bool:
    if what == "class":
        return isinstance(value, type)
    if what == "function":
        return callable(value) and not isinstance(value, type)
    if what == "dict":
        return isinstance(value, dict)
    return True


def fetch(namespace: Mapping[str, Any], name: str, *, what: str = "function", base: type | None = None) -> Any:
    """``namespace[name]``, or :class:`NotDefined` saying what is missing and what it may have been renamed to."""
    if name not in namespace:
        mine = [k for k, v in namespace.items() if not k.startswith("_") and _kind_fits(v, what)]
        close = difflib.get_close_matches(name, mine, n=1, cutoff=0.6)
        hint = f" (did you rename it `{close[0]}`?)" if close else ""
        raise NotDefined(f"Your notebook defines no {what} called `{name}`{hint}; keep the name the starter gives "
                         "it, and make sure the cell that defines it runs without an error.")
    value = namespace[name]
    if base is not None and not (isinstance(value, type) and issubclass(value, base)):
        raise NotDefined(f"`{name}` should be a class based on {base.__name__}, not {type(value).__name__}; "
                         f"keep `class {name}({base.__name__}):` from the starter.")
    if what == "function" and not callable(value):
        raise NotDefined(f"`{name}` should be a function, not {type(value).__name__}; keep the `def {name}(...)` "
                         "from the starter.")
    return value


def watched(cls: type, reactions: Mapping[str, str] | None = None) -> type:
    """A subclass of the learner's service class that remembers the first exception its handlers raise.

    The service host turns a handler's exception into a dead letter and
    carries on, which is right for a poison message but hides a bug from a
    grader; a check reports ``cls.first_error`` after the run instead, with
    ``cls.first_call`` (the command and payload it was handling) and the
    learner's ``reactions`` (event → command), which say what ran it.
    """

    class Watched(cls):  # type: ignore[misc, valid-type]
        first_error: BaseException | None = None
        first_call: tuple[str, dict] | None = None

        def handle(self, command: str, payload: dict) -> list:
            try:
                return super().handle(command, payload)
            except Exception as exc:
                if type(self).first_error is None:
                    type(self).first_error = exc
                    type(self).first_call = (command, dict(payload))
                raise

    Watched.reactions = dict(reactions or {})

    Watched.__name__, Watched.__qualname__ = cls.__name__, cls.__qualname__
    return Watched


def explain(exc: BaseException) -> str:
    """One sentence (without a final full stop) about an exception raised by the learner's code."""
    where = innermost_learner_function(exc.__traceback__)
    at = f"`{where}`" if where else "your code"
    if isinstance(exc, NotImplementedError):
        return f"{at} still raises NotImplementedError: replace the stub with your code (the TODO above it says what to do)"
    if isinstance(exc, RecursionError):
        return f"{at} calls itself without end (RecursionError)"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    detail = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return f"{at} raised {detail}"


