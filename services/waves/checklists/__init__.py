"""Phase checklists: the playbook's items kept per program or per location, gating wave-1 go-lives."""
