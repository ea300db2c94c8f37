"""The demo's analysis of the situational-picture round: written by the analysis work."""

import datetime


def load(*, today: datetime.date) -> None:
    """Called at the end of ``surveys.demo.load`` once the rounds and answers exist."""
