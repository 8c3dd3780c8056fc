"""The speaker and service rota (issue 6)."""
