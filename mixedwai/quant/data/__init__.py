"""Reading the quantitative tables: sessions and cases files -> validated long frames."""
