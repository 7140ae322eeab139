"""Numbered schema migrations, applied by `wpcompat migrate` (wpcompat/migrator.py)."""
