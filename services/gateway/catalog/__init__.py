"""What the gateway publishes about the whole system: the combined OpenAPI and the event catalog."""
