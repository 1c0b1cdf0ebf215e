"""Who may do what: tokens, sessions and role checks (``access``), staff accounts and devices
(``accounts``), login and enrolment endpoints (``api``), the audit trail (``audit``) and rate
limits (``ratelimit``)."""
