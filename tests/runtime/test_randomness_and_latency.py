import random

import pytest
from hypothesis import given, strategies as st

from playground.errors import ScenarioError
from playground.runtime.latency import Exponential, Fixed, LongTail, Uniform, as_latency
from playground.runtime.randomness import Randomness


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
