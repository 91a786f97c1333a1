"""Adapters of the cards service: the Mongo repository of cards."""
