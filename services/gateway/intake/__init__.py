"""Webhook intake at the edge: Standard Webhooks verification, then a durable append before 202."""
