"""The notifications service: tells each applicant, by email and SMS, what became of their file."""
