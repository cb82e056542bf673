"""Codebooks: the Codebook model, reading and checking YAML, display, round-trip edits."""
