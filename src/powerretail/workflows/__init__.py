"""Use cases an embedding app calls, each taking its ports keyword-only."""
