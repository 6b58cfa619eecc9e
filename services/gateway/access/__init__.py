"""Who may do what at the edge: tokens, idle sessions, the policy table, rate limits, CORS."""
