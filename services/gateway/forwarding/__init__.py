"""Forwarding admitted requests to the service that owns them."""
