"""The capstone's menu: three domains, each with the business promises the grader holds a submission to.

A learner builds one of these as a hybrid with the public API and names it in
``DOMAIN``. Message, service and command names are the learner's own; what a
brief fixes is what the grader reads from the trace: the two outcomes, the
effects each service notes (``self.note_effect(effect, transaction_id, ...)``,
keyed by the transaction's own id) and the factory's workload arguments.

Every brief has the same shape, which is what makes it a saga inside a
choreography: two things are *held* (each with an effect that undoes it), one
party may *refuse* (a share the factory's ``refused=`` sets), and a follower
*tells* the customer how it ended, once.

>>> brief("clinic").holds
(('hold slot', 'release slot'), ('take co-pay', 'refund co-pay'))
>>> sorted(BRIEFS)
['car_rental', 'clinic', 'tickets']
"""

from __future__ import annotations

from dataclasses import dataclass

from playground.grading.learner import Failed


@dataclass(frozen=True)
class Brief:
    """One domain of the menu: its outcomes, its effects and its factory's arguments.

    Attributes:
        count: the factory argument that says how many transactions the workload starts.
        success, failure: the two outcomes (the scenario's ``terminals`` values).
        holds: (effect, the effect that undoes it) for each thing a transaction holds; on success each is
            done once and never undone, on failure each is undone exactly as often as it was done (at most once).
        money: the hold whose effects carry ``amount=``: a failure gives back exactly what was taken.
        tell: the follower's effect, noted once per transaction with ``outcome=`` the way it ended.
        refuser: who refuses (for feedback).
    """

    id: str
    title: str
    count: str
    success: str
    failure: str
    holds: tuple[tuple[str, str], ...]
    money: str
    tell: str
    refuser: str

    @property
    def effects(self) -> set[str]:
        return {e for pair in self.holds for e in pair} | {self.tell}


BRIEFS: dict[str, Brief] = {b.id: b for b in (
    Brief("clinic", "Clinic appointment booking", "requests", "booked", "declined",
          (("hold slot", "release slot"), ("take co-pay", "refund co-pay")), "take co-pay", "tell patient",
          "the insurer"),
    Brief("car_rental", "Car rental desk", "rentals", "rented", "refused",
          (("reserve car", "release car"), ("block deposit", "release deposit")), "block deposit", "tell driver",
          "the licence check"),
    Brief("tickets", "Concert ticket sale", "orders", "issued", "cancelled",
          (("hold seats", "release seats"), ("charge card", "refund card")), "charge card", "email buyer",
          "fraud screening"),
)}


def brief(domain: object) -> Brief:
    """The brief called ``domain``, or :class:`Failed` naming the menu."""
    if isinstance(domain, str) and domain in BRIEFS:
        return BRIEFS[domain]
    raise Failed(f"`DOMAIN` is {domain!r}; set it to one of the menu's domains: "
                 f"{', '.join(repr(d) for d in sorted(BRIEFS))}")
