import json

import pytest

import playground
from playground.grading.learner import (NotDefined, explain, fetch, innermost_learner_function, is_learner_file,
                                        watched)
from playground.grading.pristine import fresh, same_code
from playground.services import Email, Orders, Service


def _raise_from_a_learner_function(exc):
    def award(order_id):
        raise exc
    try:
        award("order-1")
    except BaseException as caught:
        return caught


def test_explain_names_the_learner_function_and_the_error():
    assert explain(_raise_from_a_learner_function(KeyError("amount"))) == \
        "`_raise_from_a_learner_function.<locals>.award` raised KeyError: 'amount'"
    assert explain(_raise_from_a_learner_function(NotImplementedError())).endswith(
        "still raises NotImplementedError: replace the stub with your code (the TODO above it says what to do)")


@pytest.mark.parametrize("filename, mine", [
    (json.__file__, False), (playground.__file__, False), ("<frozen runpy>", False),
    ("/tmp/ipykernel_4242/1234567.py", True), ("<ipython-input-3-abc>", True), (__file__, True),
])
def test_only_notebook_cells_and_submitted_files_count_as_the_learner_s(filename, mine):
    assert is_learner_file(filename) is mine


def test_an_exception_from_library_code_alone_names_no_function():
    error = ValueError("bad")
    error.__traceback__ = None
    assert innermost_learner_function(None) is None
    assert explain(error) == "your code raised ValueError: bad"


@pytest.mark.parametrize("namespace, name, what, base, fragment", [
    ({}, "Loyalty", "class", Service, "defines no class called `Loyalty`; keep the name"),
    ({"loyalty": type("loyalty", (), {})}, "Loyalty", "class", None, "(did you rename it `loyalty`?)"),
    ({"Loyalty": 3}, "Loyalty", "class", Service, "should be a class based on Service, not int"),
    ({"award": "points"}, "award", "function", None, "should be a function, not str"),
])
def test_missing_renamed_or_mistyped_names_get_one_sentence(namespace, name, what, base, fragment):
    with pytest.raises(NotDefined) as caught:
        fetch(namespace, name, what=what, base=base)
    assert fragment in str(caught.value)


def test_watched_services_remember_their_first_error_and_keep_their_name():
    class Broken(Email):
        def confirm(self, order_id, customer):
            raise RuntimeError("smtp down")

    probe = watched(Broken)
    with pytest.raises(RuntimeError):
        probe().handle("SendConfirmation", {"order_id": "o1", "customer": "c1"})
    assert str(probe.first_error) == "smtp down"
    assert probe.__name__ == "Broken" and probe.name == "email"


def test_pristine_modules_show_what_a_notebook_changed(monkeypatch):
    shipped = fresh("playground.services.orders").Orders
    assert same_code(Orders.complete, shipped.complete)
    monkeypatch.setattr(Orders, "complete", lambda self, order_id: [])
    assert not same_code(Orders.complete, shipped.complete)
