"""Design your own process (chapter 12): a spec, a recommendation per interaction, a prototype measured.

The package turns the article's five steps into code. Its public API, stable
from here on (names are added, never renamed):

* :mod:`~playground.design.spec` — ``load_spec(dict | path | ProcessSpec) -> ProcessSpec`` with
  ``Capability``, ``Task``, ``Interaction``; ``SpecError`` (one sentence naming the field); the
  vocabularies ``TRIGGERS`` and ``GUARANTEES``.
* :mod:`~playground.design.recommend` — ``recommend(spec) -> Recommendation`` (``.patterns()``,
  ``.overall``, ``.choices`` with ``Reason(field, text, pulls)``, ``.findings``) and the steps one by
  one: ``map_capabilities``, ``identify_triggers``, ``define_guarantees``, ``pick_patterns``.
* :mod:`~playground.design.prototype` — ``prototype(spec, wiring=..., seed=..., instances=..., rate=...,
  faults=...) -> Prototype`` (a Scenario: ``.run()``), wirings ``"orchestration"``, ``"choreography"``,
  ``"recommended"``; ``PrototypeFactory(spec)`` for ``scorecard``.
* :mod:`~playground.design.guarantees` — ``guarantee_checks(spec)`` (invariants for ``check``) and
  ``broken_guarantees(spec, result)`` (guarantee → violations).
* :mod:`~playground.design.faults` — ``fault_suite(spec, ...)``: the standard, named fault plans.
* :mod:`~playground.design.measure` — ``measure_prototype(spec, ...) -> Measurement``: the chapter 10 scorecard
  of both wirings and the guarantees kept under the fault suite, side by side.

* :mod:`~playground.design.workbook` — ``workbook(spec) -> Workbook``: the same steps as an ipywidgets form
  (``.set(path, value)``, ``.spec``, ``.recommendation``, ``.measure()``, ``.save(path)`` work without it).
* :mod:`~playground.design.pictures` — ``process_map(spec)`` (Mermaid) and ``plot_guarantees(measurement)``.

Underneath: :mod:`~playground.design.messages` (the contracts a spec implies),
:mod:`~playground.design.capabilities` (one generated service per capability) and
:mod:`~playground.design.wiring` (reaction tables and sagas).
"""
