"""Mail: the durable outbox, rendering, transports (files, SMTP) and the relay that delivers."""
