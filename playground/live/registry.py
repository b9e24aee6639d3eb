"""One running panel per name: re-running a notebook cell replaces the old panel instead of adding one.

A notebook cell that builds a panel can be executed again at any time. The
old panel's widgets vanish from the page, but its sessions would keep
placing orders in the kernel for ever. Every panel therefore registers under
a key (by default its preset's name); registering a new panel under a key
shuts the previous one down first.

>>> class Fake:
...     def __init__(self): self.down = False
...     def shutdown(self): self.down = True
>>> first, second = Fake(), Fake()
>>> adopt("demo", first); adopt("demo", second)
>>> first.down, second.down, active()["demo"] is second
(True, False, True)
>>> shutdown_all(); second.down
True
"""

from __future__ import annotations

from typing import Protocol


class Stoppable(Protocol):
    def shutdown(self) -> None: ...


_ACTIVE: dict[str, Stoppable] = {}


def adopt(key: str, owner: Stoppable) -> None:
    """Make ``owner`` the live thing called ``key``, shutting down whatever held that key before."""
    previous = _ACTIVE.get(key)
    _ACTIVE[key] = owner
    if previous is not None and previous is not owner:
        previous.shutdown()


def release(key: str, owner: Stoppable) -> None:
    """Forget ``owner`` (when it shuts down by itself)."""
    if _ACTIVE.get(key) is owner:
        del _ACTIVE[key]


def active() -> dict[str, Stoppable]:
    """The registered panels by key."""
    return dict(_ACTIVE)


def shutdown_all() -> None:
    """Shut down every registered panel (e.g. before a notebook ends)."""
    for key, owner in list(_ACTIVE.items()):
        release(key, owner)
        owner.shutdown()
