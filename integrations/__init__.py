"""Everything that leaves the process: HTTP calls to merchant middleware and webhook receivers.

Only this package talks to the network (httpx). `domain/` stays pure and decides *what* to do
with the outcomes (see `domain.retry`).
"""
