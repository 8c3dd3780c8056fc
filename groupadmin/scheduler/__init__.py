"""The scheduler: one dedicated process (`flask --app app scheduler run`), a job registry, a leader lease."""
