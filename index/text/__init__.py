"""Rules about written Chinese that every stage shares: sentences, years, scripts, cleaning, site furniture, the glossary (pure)."""
