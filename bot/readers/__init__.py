"""Each reader's state on disk: the JSON state files, notebooks, preferences, and a notebook's export files."""
