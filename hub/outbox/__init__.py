"""The outbox: queue events, ratings and daily summaries reported to the agency's back end.

The province aggregates its offices in its own systems; each hub pushes what it did there rather
than growing into a central server. Items are written into the ``outbox`` table by the queue's
writer in the same transaction as the change they report (:mod:`hub.outbox.store`), turned
into JSON (:mod:`hub.outbox.payloads`) and posted in batches, at least once, each with an
idempotency key, by one background thread that backs off while the back end is down
(:mod:`hub.outbox.delivery`). :mod:`hub.outbox.setup` wires it into the app.
"""
