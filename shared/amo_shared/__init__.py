"""Contracts (event schemas, topics, envelope) and thin infrastructure helpers shared by every service."""
