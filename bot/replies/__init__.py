"""The one command layer every front end shares: the engine seam, parsed queries, words in two languages, layouts and their renders."""
