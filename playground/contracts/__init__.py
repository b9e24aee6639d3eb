"""Contract governance: compatibility of contract versions, and a registry that reviews them before they ship."""

from playground.contracts.compatibility import (MODES, Breakage, Compatibility, Consumer, UnknownMode,
                                                breaking_consumers, compatibility, consumers_of, field_changes,
                                                read_problems)
from playground.contracts.registry import ContractRefused, ContractRegistry, Review

__all__ = ["MODES", "Breakage", "Compatibility", "Consumer", "ContractRefused", "ContractRegistry", "Review",
           "UnknownMode", "breaking_consumers", "compatibility", "consumers_of", "field_changes", "read_problems"]
