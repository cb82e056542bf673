"""Patterns and outcomes: crosstabs, exact tests, score tests, descriptives (Tables 1 and 3)."""
