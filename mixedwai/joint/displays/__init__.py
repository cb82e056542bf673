"""Joint displays: statistics-by-themes, themes-by-pattern, themes-by-outcome, case-ordered,
quantitized, meta-inferences.
"""
