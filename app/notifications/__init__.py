"""Notifications: OrderCloud's message senders, sent as email over SMTP or posted to a URL, through
the webhook outbox (one queue, one worker, one delivery log). See docs/notifications.md.

- `messages`: who receives a message through which senders; the outbox rows.
- `events`: which writes send which message types (recorded in the write's transaction).
- `templates`: the default email per message type and the override directory.
- `delivery`: the worker's attempt at one notification row.
"""
