"""Publishing a reply: one outbox row per published draft, delivered by a channel adapter."""
