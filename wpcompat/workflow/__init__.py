"""The healthcare editorial workflow: S.1.1 draft → S.2.1 LGPD → S.3.1 claims → S.4 CFM, and the gate.

Stages (one module each, plain input → result): `lgpd.analyze(texts)`, `claims.extract(texts)`,
`cfm.validate(facts)`. `pipeline` runs them on a post and records each in workflow_states with an
audit row; `gate.on_save` is what the editor calls on every save; `state` holds versions and
summaries; `overrides` the administrators' override.
"""

from wpcompat.workflow.lgpd import LgpdResult, analyze
from wpcompat.workflow.pipeline import record_lgpd, run

__all__ = ["LgpdResult", "analyze", "record_lgpd", "run"]
