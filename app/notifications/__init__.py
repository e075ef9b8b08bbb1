"""Email: queued in the business transaction (outbox), delivered and retried afterwards."""
