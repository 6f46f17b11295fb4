"""One module per page of the app (a Flask blueprint each)."""
