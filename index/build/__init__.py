"""The build pipeline: corpus to a saved index version, incremental state, progress."""
