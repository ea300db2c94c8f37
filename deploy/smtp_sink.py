"""A minimal SMTP server that stores each message it receives as a file, for the local stack.

The production settings send e-mail over SMTP (``EMAIL_HOST``/``EMAIL_PORT``); on this machine
``deploy/local-stack`` points them at this sink, so a test can count the e-mails that really
left the application (one file per message and recipient list: ``<n>.eml``). Plain SMTP on
the loopback address only, no TLS, no authentication: never for anything but the local stack.

    python deploy/smtp_sink.py --port 2525 --directory /tmp/mail
"""

import argparse
import itertools
import socketserver
import threading
from pathlib import Path

_counter = itertools.count(1)
_lock = threading.Lock()


class _Handler(socketserver.StreamRequestHandler):
    directory: Path

    def _reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self._reply("220 samverkan-smtp-sink")
        recipients: list[str] = []
        while raw := self.rfile.readline():
            command = raw.decode("utf-8", "replace").strip()
            verb = command[:4].upper()
            if verb in {"HELO", "EHLO"}:
                self._reply("250 samverkan-smtp-sink")
            elif verb == "MAIL":
                recipients = []
                self._reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                self._store(recipients, self._read_data())
                self._reply("250 OK")
            elif verb == "QUIT":
                self._reply("221 Bye")
                return
            else:  # RSET, NOOP and anything else
                self._reply("250 OK")

    def _read_data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(lines)

    def _store(self, recipients: list[str], message: bytes) -> None:
        with _lock:
            number = next(_counter)
        header = "".join(f"X-Sink-Recipient: {address}\r\n" for address in recipients)
        (self.directory / f"{number}.eml").write_bytes(header.encode() + message)


def serve(port: int, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    handler = type("Handler", (_Handler,), {"directory": directory})
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    with socketserver.ThreadingTCPServer(("127.0.0.1", port), handler) as server:
        server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--directory", type=Path, required=True)
    arguments = parser.parse_args()
    serve(arguments.port, arguments.directory)


if __name__ == "__main__":
    main()
