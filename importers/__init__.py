"""Importers that bring other systems' exports into one tenant (issue 6: WXR)."""
