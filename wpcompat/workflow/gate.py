"""The publication gate, called by the editor (editing.posts.apply_fields) on every save.

Every save runs the stages on the post as it will be saved ("run on save"; editing published
content sends it back through them). Publishing — status publish or future, by REST or XML-RPC —
content that is gated (state.is_gated) then needs S.4 passed for this version, or an
administrator's override of this version; otherwise a 400 `rest_workflow_incomplete` listing what
is missing (XML-RPC turns it into a fault with the same message). A refused save changes nothing:
the request's transaction, workflow row included, rolls back.
"""

from wpcompat.errors import WPError
from wpcompat.workflow import pipeline
from wpcompat.workflow.state import is_gated, missing

PUBLISHED = ("publish", "future")


def on_save(post, user):
    row, version = pipeline.run(post, user, source="save", persist=False)
    if post.status not in PUBLISHED or not is_gated(post, row):
        return
    items = missing(post, row, version)
    if items:
        raise incomplete(items)


def incomplete(items):
    listed = "; ".join(f"{item.get('check') or item['stage']}: {item['message']}" for item in items)
    return WPError("rest_workflow_incomplete",
                   f"This content cannot be published until the healthcare workflow passes. Missing: {listed}",
                   400, missing=items)
