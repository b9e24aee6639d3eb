import random
import re
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

import playground
from playground.errors import PlaygroundError, ScenarioError
from playground.runtime.latency import Exponential, Fixed, LongTail, Uniform, as_latency
from playground.runtime.randomness import Randomness
from playground.services import Hotels

PACKAGE = Path(playground.__file__).parent


def test_streams_are_independent_of_each_other():
    first = Randomness(3)
    a1 = [first.stream("a").random() for _ in range(3)]
    second = Randomness(3)
    second.stream("b").random()  # drawing from another source must not shift "a"
    assert [second.stream("a").random() for _ in range(3)] == a1


@given(st.integers(min_value=0, max_value=2**32), st.text(min_size=1, max_size=20))
def test_same_seed_and_name_give_the_same_numbers(seed, name):
    assert Randomness(seed).stream(name).random() == Randomness(seed).stream(name).random()


@pytest.mark.parametrize("dist", [Fixed(0.3), Uniform(0.1, 0.4), Exponential(0.2), LongTail(0.1, 5.0, 0.1)])
def test_samples_are_non_negative_and_near_the_mean(dist):
    rng = random.Random(1)
    samples = [dist.sample(rng) for _ in range(20_000)]
    assert min(samples) >= 0
    assert abs(sum(samples) / len(samples) - dist.mean) < 0.05 * max(dist.mean, 1)


@pytest.mark.parametrize("bad", [-1, Uniform(-1, 2), "fast", None, True])
def test_bad_latency_is_refused_in_one_sentence(bad):
    with pytest.raises(ScenarioError) as caught:
        as_latency(bad, what="the latency of payments")
    assert "\n" not in str(caught.value) and str(caught.value).endswith(".")


def test_a_draw_depends_on_the_seed_and_its_name_alone():
    first = Randomness(3)
    first.stream("draw:a").random()  # neither a stream nor another draw shifts it
    first.draw("b")
    assert first.draw("a") == Randomness(3).draw("a") == first.draw("a")
    assert 0 <= first.draw("a") < 1
    assert first.draw("a") not in (Randomness(4).draw("a"), first.draw("b"))


def test_drawing_where_no_seeded_stream_was_given_fails_in_one_sentence():
    with pytest.raises(PlaygroundError) as caught:
        Hotels(fail=0.5).handle("ReserveHotel", {"trip_id": "trip-1", "traveller": "a traveller"})
    assert str(caught.value) == ("The hotels service draws a random number but was given no seeded stream; "
                                 "build it with rng=randomness.stream('hotels') in build_services.")


ALLOWED = {PACKAGE / "runtime" / "randomness.py"}  # and playground/grading/: graders draw unseen workloads


def test_every_random_number_in_the_package_comes_from_a_randomness():
    """A ``random.Random(`` anywhere else would be a second seeding scheme, or a seed nobody passed in."""
    found = [f"{path.relative_to(PACKAGE.parent)}:{n}"
             for path in sorted(PACKAGE.rglob("*.py")) if path not in ALLOWED and "grading" not in path.parts
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(r"\bRandom\(|\bSystemRandom\(|random\.(random|uniform|choice|seed|randrange|sample|shuffle)\(",
                          line)]
    assert found == [], f"Draw from the run's Randomness (a named stream or a draw) instead: {found}"
