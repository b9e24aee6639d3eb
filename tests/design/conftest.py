"""Specs the design tests share: the chapter's three worked specs and two more, each a different shape."""

from pathlib import Path

import pytest

from playground.design.spec import load_spec

WORKED = Path(__file__).resolve().parents[2] / "course" / "specs"

#: One interaction, one step, nothing to guarantee: the smallest spec there is.
SINGLE = {"name": "ping", "capabilities": [{"name": "echo", "team": "tools", "latency": 0.1}],
          "interactions": [{"name": "ping", "trigger": "command", "steps": [{"name": "answer", "capability": "echo"}]}]}

#: A chain of follow-ups two deep, a human trigger, and a step that cannot be undone in the middle.
CLAIMS = {
    "name": "claims",
    "capabilities": [
        {"name": "claims", "team": "claims desk", "latency": 0.2},
        {"name": "assessors", "team": "assessment", "latency": 1.0, "fails": 0.25},
        {"name": "payouts", "team": "finance", "latency": 0.5},
        {"name": "ledger", "team": "finance", "latency": 0.1},
        {"name": "mail", "team": "customer care", "latency": 0.2},
    ],
    "interactions": [
        {"name": "claim", "trigger": "human", "guarantees": ["all-or-nothing", "audit"], "steps": [
            {"name": "file", "capability": "claims", "undo": "close the claim"},
            {"name": "assess", "capability": "assessors"},
            {"name": "pay", "capability": "payouts", "undo": "claw the payout back"}]},
        {"name": "booking", "trigger": "event", "after": "claim", "steps": [
            {"name": "book", "capability": "ledger"}]},
        {"name": "notice", "trigger": "event", "after": "booking", "steps": [
            {"name": "post_notice", "capability": "mail"}]},
    ],
}


def worked(name: str):
    return load_spec(WORKED / f"{name}.json")


@pytest.fixture(scope="session")
def specs():
    """Five specs by name: checkout, loan, pipeline (the chapter's), ping and claims."""
    return {"checkout": worked("checkout"), "loan": worked("loan"), "pipeline": worked("pipeline"),
            "ping": load_spec(SINGLE), "claims": load_spec(CLAIMS)}
