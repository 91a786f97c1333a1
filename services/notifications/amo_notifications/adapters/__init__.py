"""The notifications service's adapters: its Mongo repositories, the SMTP mailer, the SMS sink."""
