"""Item schemas (WordPress JSON schema with contexts): the single source of truth for fields."""
