"""Telegram front end and terminal chat over the index engine."""
