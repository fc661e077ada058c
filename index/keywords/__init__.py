"""Keyword search: jieba tokens of folded text and BM25 scores."""
