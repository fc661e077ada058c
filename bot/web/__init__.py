"""The web front end: pages and an HTTP JSON API over the shared commands (settings, access, html, pages, api, app, serve)."""
