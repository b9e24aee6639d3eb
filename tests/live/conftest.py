"""Shared helpers for live tests: wait for a condition instead of guessing how long the machine needs."""

import asyncio
import time

import pytest


@pytest.fixture
def eventually():
    """``await eventually(lambda: ..., within=3)``: True as soon as the condition holds, False at the deadline."""

    async def wait(condition, within: float = 4.0, every: float = 0.02) -> bool:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if condition():
                return True
            await asyncio.sleep(every)
        return bool(condition())

    return wait
