"""The roster of each location: who works there, in which role, since and until when."""
