"""Agreement between coders: coefficients, units, the reliability table, rules against people."""
