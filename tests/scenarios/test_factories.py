"""Every scenario factory shows its scenario's real parameters (``help(order_flow)``), and those it shows are accepted."""

import importlib
import inspect
import pkgutil

import pytest

import playground.scenarios
from playground.scenarios.base import Scenario


def _factories():
    found = []
    for info in pkgutil.iter_modules(playground.scenarios.__path__):
        module = importlib.import_module(f"playground.scenarios.{info.name}")
        for name, fn in vars(module).items():
            if not inspect.isfunction(fn) or fn.__module__ != module.__name__ or name.startswith("_"):
                continue
            returns = vars(module).get(str(fn.__annotations__.get("return", "")).strip("'\""))
            if isinstance(returns, type) and issubclass(returns, Scenario):
                found.append(pytest.param(fn, returns, id=name))
    return found


FACTORIES = _factories()


def test_the_front_doors_scenarios_are_among_the_factories_checked():
    names = {p.id for p in FACTORIES}
    assert {"order_flow", "travel_booking", "onboarding_flow", "invoice_incident", "growing_orchestrator"} <= names


@pytest.mark.parametrize("factory, scenario", FACTORIES)
def test_help_shows_named_parameters_not_params(factory, scenario):
    parameters = inspect.signature(factory).parameters.values()
    assert not [p for p in parameters if p.kind is p.VAR_KEYWORD], f"{factory.__name__} still shows **params"
    assert "seed" in inspect.signature(factory).parameters
    assert scenario.__name__ in (factory.__doc__ or ""), "the docstring names the scenario it builds"


@pytest.mark.parametrize("factory, scenario", FACTORIES)
def test_the_defaults_it_shows_are_accepted(factory, scenario):
    shown = {p.name: p.default for p in inspect.signature(factory).parameters.values() if p.default is not p.empty}
    if any(p.default is p.empty for p in inspect.signature(factory).parameters.values()):
        pytest.skip("needs an argument of the learner's (a service class)")
    assert isinstance(factory(**shown), scenario)


def test_a_parameter_the_scenario_fixes_itself_is_not_shown():
    from playground.scenarios.god_orchestrator import growing_orchestrator

    assert "wiring" not in inspect.signature(growing_orchestrator).parameters  # always orchestrated
    assert "extras" in inspect.signature(growing_orchestrator).parameters
