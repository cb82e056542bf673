"""Retrieving coded text: code matrices, frequencies, co-occurrence and quotes."""
