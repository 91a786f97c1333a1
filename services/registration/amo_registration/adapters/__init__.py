"""Registration's adapters: the Mongo repository of applications."""
