"""Intake, import and the inbox."""
