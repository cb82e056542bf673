"""Instruments as data (the Instrument model, the shipped forms) and scoring."""
