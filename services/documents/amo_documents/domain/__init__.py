"""Pure rules of the documents service: what an upload is, and whether an application's documents are complete."""
