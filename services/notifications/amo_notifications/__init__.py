"""Notifications: email and SMS to applicants and members on every status and card change."""
