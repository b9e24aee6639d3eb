"""Fences around other libraries' internals: every private attribute of faust, transitions or asyncio we rely on is touched here, and only here.

One module per library; each access carries a comment saying what it relies
on, and tests/compat/ has a canary per access that fails with one sentence
naming the installed version when a release changes it.
"""
