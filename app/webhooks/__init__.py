"""Signed webhooks (Standard Webhooks): subscriptions, an outbox filled in the same transaction as
each change-feed entry, and one deliverer across all workers."""
