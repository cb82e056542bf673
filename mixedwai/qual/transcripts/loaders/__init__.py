"""Readers that turn transcript files into text and speaker turns.

One module per idea: :mod:`.labels` recognises speaker labels and roles,
:mod:`.frontmatter` reads YAML metadata blocks, :mod:`.turns` cuts a text into
turns from labelled lines, and :mod:`.text`, :mod:`.docx` and :mod:`.vtt` read
one file format each into a :class:`~mixedwai.qual.transcripts.loaders.raw.RawTranscript`.
:mod:`mixedwai.qual.transcripts.loading` turns that into the public ``Transcript`` model.
"""

from __future__ import annotations
