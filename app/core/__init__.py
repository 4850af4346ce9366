"""Plain building blocks shared by every feature: the declarative base, column types, clock."""
