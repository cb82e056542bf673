"""Alliance patterns: shapes, names and abbreviations, profiles (Table 2)."""
