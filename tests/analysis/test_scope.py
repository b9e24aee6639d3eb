from playground.analysis.scope import instance_lifetimes, load, open_at, saga_size
from playground.runtime.faults import FaultPlan
from playground.scenarios.god_orchestrator import CORE, growing_orchestrator, order_saga


def test_every_follow_up_step_grows_the_machine_and_the_teams_it_ties():
    sizes = [saga_size(order_saga(extras)) for extras in ((), ("confirm",), ("confirm", "push"))]
    assert [s.steps for s in sizes] == [len(CORE), len(CORE) + 1, len(CORE) + 2]
    assert sizes[0].states < sizes[1].states < sizes[2].states
    assert sizes[0].transitions < sizes[1].transitions < sizes[2].transitions
    assert set(sizes[2].teams) - set(sizes[0].teams) == {"email", "push"}
    both = saga_size(order_saga(), order_saga(["push"]))
    assert both.steps == 2 * len(CORE) + 1 and both.saga == "order + order"


def test_load_and_lifetimes_come_from_the_trace():
    run = growing_orchestrator(orders=20, seed=3, extras=("confirm",)).run()
    carried = load(run)
    assert carried.handled == 20 * 7 and carried.sent == 20 * 7
    assert carried.per_transaction == 14 and 0 < carried.share < 1
    assert len(instance_lifetimes(run)) == 20 and min(instance_lifetimes(run).values()) > 0
    assert load(run, "nobody").handled == 0


def test_an_outage_of_a_follow_up_service_keeps_god_instances_open_but_not_split_ones():
    plan = FaultPlan(outages={"push": [(20, 60)]})
    god = growing_orchestrator(orders=60, seed=3, extras=("push",), faults=plan).run()
    split = growing_orchestrator(orders=60, seed=3, extras=("push",), split=True, faults=plan).run()
    assert open_at(god, 59) > 20 and open_at(split, 59) <= 2
    assert open_at(god, god.finished_at) == 0


def test_held_at_names_the_open_instances_oldest_first():
    from playground.analysis.scope import held_at

    plan = FaultPlan(outages={"push": [(20, 60)]})
    god = growing_orchestrator(orders=60, seed=3, extras=("push",), faults=plan).run()
    held = held_at(god, 59)
    assert len(held) == open_at(god, 59) and held == sorted(held)
    assert all(god.outcomes[o] == "completed" for o in held)
