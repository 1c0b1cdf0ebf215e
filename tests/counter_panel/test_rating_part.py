"""The rating part the panel and the second screen share: one press per rating, its key reused
when the answer was lost (no hub needed: the client is a stub that records what it was sent)."""

from __future__ import annotations

import pytest

from appliance.hublink import HubError, HubUnreachable
from appliance.records import Ticket
from appliance.tasks import InlineTasks
from counter_panel.rating import Rating
from counter_panel.sender import ActionSender


class StubClient:
    """Answers each request with the next of ``answers`` (an exception is raised instead)."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.sent = []

    def request(self, method, path, body=None, *, idempotency_key=None, token=None):
        self.sent.append((method, path, body, idempotency_key, token))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def rating_with(*answers, token=None):
    client = StubClient(*answers)
    now = [1000.0]
    notices, changes = [], []
    sender = ActionSender(client, InlineTasks(), lambda: now[0], lambda: changes.append(1))
    rating = Rating(sender, lambda: now[0], notices.append, lambda: changes.append(1),
                    lambda: token)  # fmt: skip
    ticket = Ticket.from_wire({"id": 41, "number": "A012", "service": "A", "state": "done"})
    return rating, client, notices, now, ticket


def test_a_lost_answer_is_sent_again_with_the_same_key_then_thanked():
    rating, client, notices, now, ticket = rating_with(HubUnreachable("lost"), None, token="clerk")
    rating.ask(ticket)
    assert rating.rate(1)
    assert rating.ticket is ticket and notices[-1].msgid.startswith("No answer from the hub")
    assert rating.rate(1)  # pressed again: the same rating, the same key
    (_m, path, body, first_key, token), (*_, again_key, _t) = client.sent
    assert path == "/api/v1/tickets/41/rating" and body == {"level": 1} and token == "clerk"
    assert again_key == first_key
    assert rating.ticket is None and rating.rated_at == now[0]
    assert notices[-1].msgid == "Thank you for your rating!"
    assert not rating.rate(2)  # nothing left to rate: nothing sent
    assert len(client.sent) == 2


def test_an_already_rated_ticket_puts_the_question_away_and_bad_levels_are_refused():
    rating, client, notices, _now, ticket = rating_with(HubError(409, "conflict", "rated"))
    rating.ask(ticket)
    with pytest.raises(ValueError, match=r"1\.\.5"):
        rating.rate(0)
    assert client.sent == []
    assert rating.rate(3)
    assert rating.ticket is None and notices[-1].kind == "error"


def test_an_unanswered_question_times_out():
    rating, _client, _notices, now, ticket = rating_with()
    rating.ask(ticket)
    now[0] += 19
    rating.tick(20)
    assert rating.ticket is ticket
    now[0] += 1
    rating.tick(20)
    assert rating.ticket is None
