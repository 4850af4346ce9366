"""Complaint analysis: language, heat, complainer type, category, entities and flags.

`analyze(text, channel=...)` is the one entry point; rules live in `rules/` as data.
"""

from app.analysis.analyzer import Analysis, Entity, Evidence, analyze, warm_up

__all__ = ["Analysis", "Entity", "Evidence", "analyze", "warm_up"]
