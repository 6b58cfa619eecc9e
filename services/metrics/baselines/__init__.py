"""Baselines: the playbook's metric set captured per location before go-live (HTTP and CSV)."""
