"""Fixtures for the hardening tests: the route tests' demo clinic and `api` caller."""

from routes.conftest import api, clinic  # noqa: F401  (shared fixtures)
