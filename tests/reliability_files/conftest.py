"""The real app as a subprocess (tests/reliability_ii's launcher), for start-up faults."""

from tests.reliability_ii.conftest import apps  # noqa: F401 - a fixture, used by name
