"""Browser tests: Playwright driving Debian's chromium against a live server (``-m browser``, run once, on SQLite)."""
