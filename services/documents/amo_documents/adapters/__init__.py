"""Adapters of the documents service: Mongo (through AggregateStore), S3, streamed multipart bodies."""
