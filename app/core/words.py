"""A no-op marker for English messages in code that must not import Flask."""


def N_(text: str) -> str:
    """Marks an English message id for `make messages`; the web layer translates it where
    it is shown."""
    return text
