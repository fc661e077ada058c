"""The Telegram front end (the only telegram imports besides bot/__main__ and bot/check): wiring, handlers, access, limits, admin."""
