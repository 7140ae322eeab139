"""prepare_item_for_response for each resource: rows → the JSON WordPress answers."""
