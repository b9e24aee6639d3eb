"""Panel fields: what a learner may type, and the sentence that refuses the rest."""

import pytest

from playground.live.settings import (Settings, SettingError, latency_text, parse_fraction, parse_latency,
                                      parse_rate, parse_timeout)
from playground.runtime.latency import Fixed, LongTail, Uniform


@pytest.mark.parametrize("text, expected", [("0.2", Fixed(0.2)), (" 0.1 - 0.5 ", Uniform(0.1, 0.5)),
                                            ("0.3..0.7", Uniform(0.3, 0.7)), ("0", Fixed(0.0)),
                                            ("0.3 or 8 at 5%", LongTail(0.3, 8.0, 0.05))])
def test_latency_text_is_read_as_a_distribution_and_written_back_the_same(text, expected):
    latency = parse_latency(text, "the latency of payments")
    assert latency == expected
    assert parse_latency(latency_text(latency), "again") == expected


@pytest.mark.parametrize("text, words", [("", "is empty"), ("-1", "cannot be negative"), ("fast", "must be a number"),
                                         ("0.5-0.1", "smaller number first"), ("1 or 2 at 150%", "at most 100%")])
def test_bad_latencies_are_refused_with_a_sentence_naming_the_field(text, words):
    with pytest.raises(SettingError, match=words) as refused:
        parse_latency(text, "the latency of email")
    assert "the latency of email" in str(refused.value)


@pytest.mark.parametrize("text", ["-2", "0", "", "  ", "many"])
def test_rates_must_be_positive_numbers(text):
    with pytest.raises(SettingError, match="the order rate"):
        parse_rate(text, "the order rate")


def test_fractions_accept_percentages_and_refuse_more_than_everything():
    assert parse_fraction("25%", "x") == 0.25
    assert parse_fraction("0.1", "x") == 0.1
    with pytest.raises(SettingError, match="between 0 and 1"):
        parse_fraction("1.5", "the failure rate of email")
    with pytest.raises(SettingError, match="between 0 and 1"):
        parse_fraction("-0.1", "the failure rate of email")


def test_a_timeout_can_be_switched_off_but_not_left_empty():
    assert parse_timeout("off", "t") is None
    assert parse_timeout("2.5", "t") == 2.5
    with pytest.raises(SettingError, match='"off"'):
        parse_timeout("", "the orchestrator timeout")


def test_settings_check_names_and_fill_in_default_latencies():
    settings = Settings(latency={"payments": "1-2"}, failure={"email": 0.1})
    assert settings.latency["payments"] == Uniform(1.0, 2.0)
    assert settings.latency["orders"] == Fixed(0.01)
    assert settings.wirings == ["choreography"]
    assert Settings(wiring="both").wirings == ["choreography", "orchestration"]
    with pytest.raises(SettingError, match="no service called 'mail'"):
        Settings(latency={"mail": 1})
    with pytest.raises(SettingError, match="wiring must be one of"):
        Settings(wiring="jazz")
    with pytest.raises(SettingError, match="scenario must be one of"):
        Settings(scenario="tea-party")
    with pytest.raises(SettingError, match="orders must be a whole number"):
        Settings(orders=0)
