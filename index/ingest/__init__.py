"""Corpus folder to documents: encodings, formats, saved web pages, metadata (the only corpus reader)."""
