"""Composed views: one request from a frontend, several services' read APIs behind it, in parallel."""
