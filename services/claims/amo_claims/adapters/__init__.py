"""Adapters of the claims service: the Mongo register of covered members."""
