"""Cases: the aligner case lifecycle from source-stamped events, over HTTP for sources without webhooks."""
