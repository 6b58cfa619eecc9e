"""Live KPIs per location and program, computed from case facts over the playbook's windows."""
