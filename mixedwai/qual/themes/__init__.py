"""Inductive themes: suggestion (NMF), the review file, promotion into the codebook."""
