"""Documents to passages: cutting with exact offsets, then collapsing exact and near duplicates (pure)."""
