"""A bad run's real cause comes first: dead letters quoted with advice, then the learner's exception, placed."""

from types import SimpleNamespace

import pytest

from playground.grading.causes import dead_letter_sentence, parked_by_orchestrator, verdict_on_run
from playground.grading.checks import Failed
from playground.grading.learner import watched
from playground.runtime.envelope import Envelope
from playground.services import Service, handles
from playground.transport.bus import DeadLetter


def _letter(reason, at, *, type_="OrderCompleted", sender="orders"):
    return DeadLetter(Envelope(type_, {}, "m000001", "order-0001", None, 1, 1.0, sender), reason, at)


def _run(*letters):
    return SimpleNamespace(dead_letters=list(letters))


class Loyalty(Service):
    name = "loyalty"

    @handles("AwardPoints")
    def award(self, order_id, customer):
        return {}[order_id]


def _probe():
    probe = watched(Loyalty, {"OrderCompleted": "AwardPoints"})
    with pytest.raises(KeyError):
        probe().handle("AwardPoints", {"order_id": "order-0007", "customer": "c"})
    return probe


def test_a_clean_run_says_nothing():
    verdict_on_run(_run(), service="loyalty", probe=watched(Loyalty))


def test_a_dead_letter_at_the_learners_service_comes_before_its_exception():
    letter = _letter("OrderCompleted lacks field 'amount' that RecordPurchase needs", "loyalty")
    with pytest.raises(Failed) as failed:
        verdict_on_run(_run(letter), service="loyalty", probe=_probe(), table="LOYALTY_REACTIONS")
    assert str(failed.value) == ("A message was dead-lettered instead of delivered, the first at loyalty for order-0001: "
                                 "“OrderCompleted lacks field 'amount' that RecordPurchase needs”; check which event "
                                 "runs which command in `LOYALTY_REACTIONS`: the command needs fields the event carries")


def test_an_exception_is_placed_by_command_order_and_the_event_that_ran_it():
    handler_failed = _letter("the loyalty service failed on AwardPoints: 'order-0007'", "loyalty")
    with pytest.raises(Failed) as failed:
        verdict_on_run(_run(handler_failed), service="loyalty", probe=_probe(), table="LOYALTY_REACTIONS")
    assert str(failed.value) == ("`Loyalty.award` raised KeyError: 'order-0007' while handling AwardPoints for "
                                 "order-0007, which `LOYALTY_REACTIONS` runs on OrderCompleted")


def test_expected_dead_letters_are_left_alone_and_a_typo_gets_its_fix():
    parked = _letter("PaymentReceived answered step 'payment' of order-0001 after it was given up", "orchestrator")
    verdict_on_run(_run(parked), expected=parked_by_orchestrator)
    typo = _letter("unknown message type 'PointAwarded' (did you mean 'PointsAwarded'?)", "loyalty",
                   type_="PointAwarded", sender="loyalty")
    with pytest.raises(Failed, match="“unknown message type 'PointAwarded' \\(did you mean 'PointsAwarded'\\?\\)”; "
                                     "fix the spelling"):
        verdict_on_run(_run(parked, typo), service="loyalty", expected=parked_by_orchestrator)


def test_many_dead_letters_are_counted_in_one_sentence():
    letters = [_letter("OrderCompleted from orders breaks its contract: field 'customer' is missing", "orders")] * 3
    assert dead_letter_sentence(letters).startswith("3 messages were dead-lettered instead of delivered")
