"""Influence: referral cascades (pure) and rankings over the graph."""
