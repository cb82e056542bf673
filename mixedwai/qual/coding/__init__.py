"""Coding transcripts: spaCy pipelines, compiled rules, code_corpus, manual codings."""
