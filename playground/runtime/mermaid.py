"""Mermaid source as a notebook picture: JupyterLab 4 draws ``text/vnd.mermaid`` natively, plain text elsewhere.

Every diagram the playground makes (saga machines, sequence diagrams,
flowcharts, state networks) is one of these.

>>> picture = Mermaid("flowchart LR\\n    a --> b")
>>> picture.lines()[1], sorted(picture._repr_mimebundle_())
('    a --> b', ['text/plain', 'text/vnd.mermaid'])
"""

from __future__ import annotations

from typing import Any


class Mermaid:
    """Mermaid source that a notebook renders as a diagram."""

    def __init__(self, source: str):
        self.source = source

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/vnd.mermaid": self.source, "text/plain": self.source}

    def __str__(self) -> str:
        return self.source

    def __repr__(self) -> str:
        return self.source

    def lines(self) -> list[str]:
        return self.source.splitlines()
