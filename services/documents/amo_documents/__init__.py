"""The documents service: streams applicants' uploads to object storage and verifies them against the checklist."""
