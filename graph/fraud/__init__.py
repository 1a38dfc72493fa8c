"""Fraud: rings, bots and risk (pure rules), and their detection over the graph."""
