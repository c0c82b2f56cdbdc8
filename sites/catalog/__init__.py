"""One module per site or profile, each declaring `SITE` (see sites/base.py).
The registry finds them here: adding a site is adding a module."""
