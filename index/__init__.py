"""Everything about the corpus: from report files to cited answers."""
