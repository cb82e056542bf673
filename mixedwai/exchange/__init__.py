"""Doors to other programs: REFI-QDA projects (``.qdpx``) and codebooks (``.qdc``).

NVivo, MAXQDA, ATLAS.ti and QualCoder exchange their work in the REFI-QDA
standard. :func:`~mixedwai.exchange.reading.read_qdpx` brings a project's
transcripts, codings, code tree, cases and memos into mixedwai;
:func:`~mixedwai.exchange.writing.write_qdpx` takes them back out;
:func:`~mixedwai.exchange.codebook.read_qdc` and
:func:`~mixedwai.exchange.codebook.write_qdc` do the same for codebooks alone.
Modules: ``archive`` (safe zip handling), ``refi`` (namespaces, safe XML parsing,
stable GUIDs), ``positions`` (how character positions are counted),
``codebook``, ``project`` (the result model), ``sources`` (a text source's text,
metadata and codings), ``reading``, ``writing``, ``folder`` (a project as a folder of
plain files, for the command line).
"""
