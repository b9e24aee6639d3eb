"""Mermaid source as a notebook picture: JupyterLab 4 draws ``text/vnd.mermaid`` natively; elsewhere, readable text.

Every diagram the playground makes (saga machines, sequence diagrams,
flowcharts, state networks) is one of these. Where ``text/vnd.mermaid`` is
not rendered (GitHub, nbviewer, VS Code), a notebook shows the ``text/plain``
of the same output instead, so that is not the Mermaid source but the
diagram told as text: one line per arrow, note or transition.

>>> picture = Mermaid('flowchart LR\\n    c_a["orders"]\\n    c_a -->|"OrderPlaced ×3"| c_b\\n    style c_a stroke:#000')
>>> picture.lines()[1], sorted(picture._repr_mimebundle_())
('    c_a["orders"]', ['text/plain', 'text/vnd.mermaid'])
>>> print(picture.plain())
Flowchart (drawn by JupyterLab; as text here):
  orders → c_b: OrderPlaced ×3
"""

from __future__ import annotations

import re
from typing import Any

_KINDS = {"sequenceDiagram": "Sequence diagram", "flowchart": "Flowchart", "graph": "Flowchart",
          "stateDiagram": "State diagram", "stateDiagram-v2": "State diagram"}
_SKIP = re.compile(r"^(style|linkStyle|classDef|class|direction|autonumber|%%|title|config|end$|\})", re.I)
_ACTIVE = re.compile(r"^class\s+(\S+)\s+s_active$", re.I)  # transitions marks the current state so
_SEQUENCE_ARROW = re.compile(r"^(\S+?)\s*(-x|--x|->>|-->>|->|-->|-\)|--\))\s*(\S+?)\s*:\s*(.*)$")
_FLOW_EDGE = re.compile(r'^(\S+?)\s*(?:-->|==>|-\.->|---)\s*(?:\|"?(.*?)"?\|)?\s*(\S+)$')
_STATE_EDGE = re.compile(r"^(\S+)\s*-->\s*(\S+?)\s*(?::\s*(.*))?$")
_PARTICIPANT = re.compile(r"^(?:participant|actor)\s+(\S+)(?:\s+as\s+(.+))?$")
_NODE = re.compile(r'^(\w+)\s*[\[\(\{]+"?([^"\]\)\}]*)"?[\]\)\}]+$')


def readable(source: str) -> str:
    """A Mermaid diagram told as text: a title line, then one indented line per arrow, note or transition."""
    lines = [line.strip() for line in source.splitlines() if line.strip()]
    if lines and lines[0] == "---":  # front matter (a title, a configuration)
        lines = lines[lines.index("---", 1) + 1:] if "---" in lines[1:] else lines[1:]
    if not lines:
        return "An empty diagram."
    kind = _KINDS.get(lines[0].split()[0], "Diagram")
    names: dict[str, str] = {}
    told: list[str] = []
    now: list[str] = []
    for line in lines[1:]:
        if match := _ACTIVE.match(line):
            now.append(match.group(1))
        if _SKIP.match(line):
            continue
        if match := _PARTICIPANT.match(line):
            names[match.group(1)] = match.group(2) or match.group(1)
            continue
        if match := _NODE.match(line):
            names[match.group(1)] = match.group(2)
            continue
        told.append(_tell(line, kind, names))
    told += [f"now in {names.get(state, state)}" for state in now]
    return _titled(kind, told)


def _titled(kind: str, told: list[str]) -> str:
    return "\n".join([f"{kind} (drawn by JupyterLab; as text here):", *(f"  {t}" for t in told if t)])


def _tell(line: str, kind: str, names: dict[str, str]) -> str:
    name = lambda ident: names.get(ident, ident)  # noqa: E731
    text = line.replace("<br/>", " ")
    if kind == "Sequence diagram":
        if match := _SEQUENCE_ARROW.match(text):
            sender, arrow, target, label = match.groups()
            lost = " ✗ (lost)" if "x" in arrow else ""
            return f"{name(sender)} → {name(target)}: {label}{lost}"
        if match := re.match(r"^Note (?:over|left of|right of) ([^:]+):\s*(.*)$", text):
            return f"[{', '.join(name(n.strip()) for n in match.group(1).split(','))}] {match.group(2)}"
    elif kind == "State diagram":
        if match := _STATE_EDGE.match(text):
            source, target, label = match.groups()
            if source == "[*]":
                return f"starts in {name(target)}"
            if target == "[*]":
                return f"{name(source)} ends"
            return f"{name(source)} → {name(target)}" + (f": {label}" if label else "")
        if match := re.match(r"^state\s+\"?([^\"]+?)\"?\s+as\s+(\S+)", text):
            names[match.group(2)] = match.group(1)
            return ""
    elif match := _FLOW_EDGE.match(text):
        source, label, target = match.groups()
        return f"{name(source)} → {name(target)}" + (f": {label}" if label else "")
    return text


class Mermaid:
    """Mermaid source that a notebook renders as a diagram.

    ``told`` replaces the text read off the source, for a diagram whose arrows alone would repeat long box
    labels: the lines are shown under the same title line.

    >>> print(Mermaid('flowchart LR\\n    a["a: long label"] --> b', told=["a: long label", "a → b"]).plain())
    Flowchart (drawn by JupyterLab; as text here):
      a: long label
      a → b
    """

    def __init__(self, source: str, told: list[str] | None = None):
        self.source = source
        self.told = told

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/vnd.mermaid": self.source, "text/plain": self.plain()}

    def plain(self) -> str:
        """The diagram as readable text (what a notebook shows where Mermaid is not drawn)."""
        if self.told is None:
            return readable(self.source)
        first = next((line.split()[0] for line in self.source.splitlines() if line.strip()), "")
        return _titled(_KINDS.get(first, "Diagram"), self.told)

    def __str__(self) -> str:
        return self.source

    def __repr__(self) -> str:
        return self.source

    def lines(self) -> list[str]:
        return self.source.splitlines()
