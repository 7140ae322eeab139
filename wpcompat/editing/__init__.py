"""prepare_item_for_database and saving for each resource: validated input → rows."""
