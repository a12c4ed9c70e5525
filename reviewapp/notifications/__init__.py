"""Notifications: what a member of a review is told in the app (the bell, the notifications
page) and by e-mail (at once or in a daily digest, as each person chooses, with a signed link
that turns it off without signing in).

Stage apps call `notify` in the service, and transaction, that made the event happen, beside
the webhook announcement of the same event, so the two cannot disagree and a rolled-back event
notifies nobody. Only members of the review are notified; the text never carries another
reviewer's decision.
"""
