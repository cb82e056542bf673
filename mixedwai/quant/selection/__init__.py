"""Choosing the number of clusters: the criteria table, the rules, stability, the reason in
words.
"""
