"""Built-in playbook templates (YAML); a package so the files ship as package data."""
