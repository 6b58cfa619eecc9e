"""Champions: one per location, nominated against the playbook's criteria, certified by its rule."""
