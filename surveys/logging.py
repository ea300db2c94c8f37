"""A logging filter that keeps survey links out of the logs.

The answer page's token is in its path (``/svar/<token>/``), and a web server or Django's
development server logs paths. This filter, on the console handler and on the loggers that
write paths (``settings.LOGGING``), replaces the token with ``…`` in every record before it is
written. The answer views themselves log nothing (see ``surveys.views_answer``).
"""

import logging
import re

_LINK = re.compile(r"/svar/(?!tack/)[^/\s\"']+")


def redact(text: str) -> str:
    return _LINK.sub("/svar/…", text)


class RedactAnswerLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        return True
