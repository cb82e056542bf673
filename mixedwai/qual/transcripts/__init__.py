"""Interview transcripts: the Transcript/Corpus models, loading, metadata, sentences, loaders."""
