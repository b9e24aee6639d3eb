"""nbgrader settings under which ``nbgrader autograde`` awards what ``playground grade`` awards.

Copy this file into the course directory (README, "Grading a class"). Set
``PLAYGROUND_GRADING_SEED`` in the shell that runs ``nbgrader autograde`` and
pass the same number to ``playground grade --seed``: the checks then draw the
same unseen workloads in both.
"""

c = get_config()  # noqa: F821 (nbgrader provides it)

# The starters in exercises/ carry the bare stub (the TODO above it says what to do); release the same.
c.ClearSolutions.code_stub = {"python": "raise NotImplementedError()"}

# A cell that runs longer than this is interrupted and the notebook goes on with the next cell, as
# `playground grade` stops a cell after its limit and goes on. One interrupt stops a simulated run and
# its thread too. A self-check cell needs its check's 10 seconds plus a moment to stop it: 30 is ample.
c.Execute.timeout = 30
c.Execute.interrupt_on_timeout = True
