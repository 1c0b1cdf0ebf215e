"""The queue engine: the live queue in memory (``state``), the single writer that commits every
change (``writer``), issuing and counter operations (``engine``, ``counter_ops``), the office
layout (``office``), the event log and stream (``events``) and the queue's HTTP API (``api``)."""
