"""Finding places in text, and resolving the places a question names to the places the reports cover."""
