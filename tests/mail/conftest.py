from tests.smtp_sink import smtp_sink  # noqa: F401
