"""Fresh copies of playground modules, as shipped: what a check compares a learner's session against.

A notebook can rebind or mutate anything it imports (``ORDER_REACTIONS["email"] = ...``,
``Orders.complete = ...``). A copy executed straight from the module's file,
kept out of ``sys.modules``, shows what the code was before the notebook ran.

>>> from playground.wiring import choreography
>>> shipped = fresh("playground.wiring.choreography")
>>> shipped.ORDER_REACTIONS == choreography.ORDER_REACTIONS, shipped is choreography
(True, False)
>>> same_code(shipped.choreograph, choreography.choreograph)
True
"""

from __future__ import annotations

import functools
import importlib.util
from types import ModuleType
from typing import Any

from playground.errors import PlaygroundError


@functools.lru_cache(maxsize=None)
def fresh(name: str) -> ModuleType:
    """Module ``name`` executed anew from its source file (cached: the files do not change during a session)."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise PlaygroundError(f"There is no module called {name!r} to compare against; check the name.")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def same_code(a: Any, b: Any) -> bool:
    """Whether two functions were compiled from the same source (code objects compare by content)."""
    code_a, code_b = getattr(a, "__code__", None), getattr(b, "__code__", None)
    return code_a is not None and code_a == code_b
