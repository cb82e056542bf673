"""Publication tables: Tables 1-3 and the k-selection table, built once as tidy data.

Each builder returns a :class:`~mixedwai.quant.tables.model.PublicationTable`: the
text a reader sees (``display``) and the same numbers as a tidy, numeric frame
(``sheet``) with their number formats, so HTML, Word, Markdown and Excel show one table.
"""
