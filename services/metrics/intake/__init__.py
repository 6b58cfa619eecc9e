"""Webhook intake: verified deliveries (DSO_INTAKE) turned into pseudonymous case and patient events."""
