"""Generated cases and the promises they are judged by: property-based tests and survival figures.

The hypothesis strategies in :mod:`playground.testing.strategies` need the
``test`` extra; :mod:`playground.testing.cases` needs nothing more than the
playground.
"""
