"""Programs: a DSO's rollout, created from a playbook template whose values it may override."""
