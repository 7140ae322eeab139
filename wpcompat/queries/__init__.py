"""Tenant-scoped reads for the controllers: visibility, filters, ordering. No HTTP here."""
