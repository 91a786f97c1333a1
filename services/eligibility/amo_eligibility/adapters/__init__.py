"""Adapters of the eligibility service: the Mongo record of decisions."""
