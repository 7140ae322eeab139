"""A small, fast run of the fuzz harness (tests/hardening/fuzz.py) in `make test`: every GET operation
of the OpenAPI document, one valid and one invalid case each, as anonymous and as an author of A,
over a live gunicorn on PostgreSQL. `make fuzz` runs every operation, every role, many cases."""

import pytest

from .fuzz import fuzz, live_clinics, role_headers


@pytest.mark.postgres_only
def test_fuzzing_every_get_finds_no_5xx_no_mismatch_and_nothing_of_tenant_b(tmp_path):
    with live_clinics(tmp_path) as (world, base):
        figures = fuzz(base, world.a.host, role_headers(world), world.leaks, examples=1, seed=0,
                       roles=("anonymous", "author"), only=lambda method, path: method == "GET")
    print("\n" + figures.summary())
    assert figures.requests > 2 * figures.operations // 3             # it did fuzz (every GET, both roles)
    assert figures.clean, "\n".join(f"{kind}: {operation}: {detail}\n    {example}"
                                    for (kind, operation, detail), example in figures.findings.items())
