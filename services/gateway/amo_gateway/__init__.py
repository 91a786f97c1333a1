"""Gateway: the public applicant API, relaying to registration and documents."""
