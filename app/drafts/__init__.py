"""Drafts, their revisions, reviews, sign-offs, publications and follow-ups."""
