"""Curricula: what each role learns, from the program's playbook."""
