"""Rendering: the Document model and DataFrame/Document -> Markdown, HTML, DOCX, CSV, XLSX."""
