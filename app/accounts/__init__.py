"""People, roles, sessions and API tokens."""
