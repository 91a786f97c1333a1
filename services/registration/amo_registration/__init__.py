"""Registration: the application, its applicant token and its status timeline."""
