"""A small HTTP client for the smoke test and the process tests: real HTTP to a running stack.

It behaves as a browser behind the municipality's TLS proxy: every request says
``X-Forwarded-Proto: https`` and same-origin forms send their ``Origin``, so Django's HTTPS
checks (secure cookies, CSRF's origin check, the HTTPS redirect) run as in production. The
cookies are kept by hand: the session cookie is ``Secure``, which a standard cookie jar would
not send over the plain http of the loopback address.
"""

import base64
import hashlib
import hmac
import struct
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from typing import Any


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    url: str

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


@dataclass
class Browser:
    base_url: str
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 30

    def _host(self) -> str:
        return urllib.parse.urlsplit(self.base_url).netloc

    def request(
        self,
        method: str,
        path: str,
        data: list[tuple[str, str]] | dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        url = path if path.startswith("http") else self.base_url + path
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        sent = {"X-Forwarded-Proto": "https", "Accept-Language": "sv"}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            sent["Origin"] = f"https://{self._host()}"
            sent["Referer"] = f"https://{self._host()}{urllib.parse.urlsplit(url).path}"
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        sent.update(headers or {})
        request = urllib.request.Request(url, data=body, method=method, headers=sent)  # noqa: S310
        try:
            with _OPENER.open(request, timeout=self.timeout) as answer:
                response = Response(answer.status, _headers(answer), answer.read(), url)
                raw_cookies = answer.headers.get_all("Set-Cookie") or []
        except urllib.error.HTTPError as error:
            response = Response(error.code, _headers(error), error.read(), url)
            raw_cookies = error.headers.get_all("Set-Cookie") or []
        for raw in raw_cookies:
            self._keep(raw)
        return response

    def _keep(self, raw: str) -> None:
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(raw)
        for name, morsel in cookie.items():
            if morsel["max-age"] == "0" or (morsel.value == "" and morsel["expires"]):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def get(self, path: str, **kwargs: Any) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: Any, **kwargs: Any) -> Response:
        return self.request("POST", path, data, **kwargs)

    def follow(self, response: Response, limit: int = 5) -> Response:
        """GET the redirects' targets until a page answers."""
        while response.status in (301, 302, 303) and limit:
            response = self.get(urllib.parse.urljoin(response.url, response.location))
            limit -= 1
        return response

    def submit(self, page: Response, *, has: str, values: dict[str, Any] | None = None) -> Response:
        """Post the page's form that has the field (or button) ``has``, as a browser would:
        its current values, with ``values`` typed over them (a list for several values)."""
        form = find_form(page.text, has)
        data = form.values(values or {})
        action = urllib.parse.urljoin(page.url, form.action or page.url)
        return self.post(action, data)

    def log_in(self, username: str, password: str, totp_secret: str) -> None:
        """allauth's login, then the authenticator code (two-factor is required)."""
        page = self.get("/accounts/login/")
        answer = self.submit(page, has="login", values={"login": username, "password": password})
        if answer.status != 302:
            raise AssertionError(f"login of {username} answered {answer.status}")
        page = self.follow(answer)
        if "code" not in {name for name, _ in find_form(page.text, "code").fields}:
            raise AssertionError("no two-factor step after the password")
        answer = self.submit(page, has="code", values={"code": fresh_totp_code(totp_secret)})
        if answer.status != 302 or "/2fa/" in answer.location:
            raise AssertionError(f"the authenticator code of {username} was refused")


def _headers(answer: Any) -> dict[str, str]:
    return {key.lower(): value for key, value in answer.headers.items()}


def totp_code(secret: str, at: float | None = None, step: int = 30) -> str:
    """RFC 6238 (SHA-1, 6 digits, 30 s): what an authenticator app shows."""
    counter = int((time.time() if at is None else at) // step)
    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


# Codes this process has used, per secret: allauth accepts a code once (it remembers used
# codes in the cache), and one step either side of now (MFA_TOTP_TOLERANCE = 1).
_used_steps: dict[str, set[int]] = {}


def fresh_totp_code(secret: str, step: int = 30) -> str:
    """A valid code not used before by this process: now's, the next step's or the last
    one's; when all three are used, wait for the next step."""
    used = _used_steps.setdefault(secret, set())
    while True:
        now = int(time.time() // step)
        for counter in (now, now + 1, now - 1):
            if counter not in used:
                used.add(counter)
                return totp_code(secret, at=counter * step)
        time.sleep(step - time.time() % step + 0.1)


# --- forms ------------------------------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    # (name, value) of what a browser sends as it stands: text, hidden, checked boxes and
    # radios, selected options (the first when none is), text areas. Buttons are left out.
    fields: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)

    def values(self, typed: dict[str, Any]) -> list[tuple[str, str]]:
        data = [(name, value) for name, value in self.fields if name not in typed]
        for name, value in typed.items():
            if value is None:
                continue
            for item in value if isinstance(value, list) else [value]:
                data.append((name, str(item)))
        return data

    def names(self) -> set[str]:
        return {name for name, _ in self.fields} | {name for name, _ in self.buttons}


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._option: str | None = None
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        attrs = {key: value or "" for key, value in attributes}
        if tag == "form":
            self._form = Form(attrs.get("action", ""), attrs.get("method", "get").lower())
            self.forms.append(self._form)
        elif self._form is None or (not attrs.get("name") and tag != "option"):
            return
        elif tag == "input":
            self._input(attrs)
        elif tag == "button":
            self._form.buttons.append((attrs["name"], attrs.get("value", "")))
        elif tag == "select":
            self._select = (attrs["name"], [])
        elif tag == "option" and self._select is not None:
            self._select[1].append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea":
            self._textarea = (attrs["name"], [])

    def _input(self, attrs: dict[str, str]) -> None:
        assert self._form is not None
        kind, name = attrs.get("type", "text").lower(), attrs["name"]
        if kind in {"submit", "button", "image", "reset"}:
            self._form.buttons.append((name, attrs.get("value", "")))
        elif kind in {"checkbox", "radio"}:
            if "checked" in attrs:
                self._form.fields.append((name, attrs.get("value", "on")))
        elif kind != "file":
            self._form.fields.append((name, attrs.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, options = self._select
            chosen = [value for value, selected in options if selected] or [
                value for value, _ in options[:1]
            ]
            self._form.fields.extend((name, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, parts = self._textarea
            self._form.fields.append((name, "".join(parts).lstrip("\n")))
            self._textarea = None


def forms_of(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def find_form(html: str, has: str) -> Form:
    for form in forms_of(html):
        if has in form.names():
            return form
    raise AssertionError(f"no form with {has!r} on the page")
