"""The operations console: a small single-page app the gateway serves at `/`, talking to the same API."""
