"""Email over SMTP (aiosmtplib): the server named by `ORDERCORE_SMTP_URL` and one attempt at
sending one message, answered as an `AttemptResult` like a webhook attempt so the outbox worker
records and retries both alike.

`ORDERCORE_SMTP_URL`:
- `smtp://[user:password@]host[:port]` (default port 25; `?starttls=true` upgrades the connection
  with STARTTLS and refuses to send without it, `?starttls=false` never tries),
- `smtps://...` (implicit TLS, default port 465),
- `?verify=false` accepts any server certificate (a test server's own), `?timeout=SECONDS`.
User and password are percent-decoded; they are sent only with AUTH, never logged.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from integrations.webhook_delivery import AttemptResult

ERROR_SMTP_NOT_CONFIGURED = "SmtpNotConfigured"
ERROR_NO_RECIPIENT = "NoRecipient"
ERROR_CONNECTION = "ConnectionFailed"
ERROR_TIMEOUT = "Timeout"
ERROR_AUTH = "SmtpAuthFailed"
ERROR_REFUSED = "SmtpRefused"
_TRUE = ("1", "true", "yes", "on")


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    implicit_tls: bool = False
    # True: STARTTLS is required; False: never; None: aiosmtplib's default (when offered).
    starttls: bool | None = None
    verify: bool = True
    timeout: float = 30.0

    def __repr__(self) -> str:  # never show the password
        return f"SmtpConfig(host={self.host!r}, port={self.port}, user={self.username!r})"


def parse_smtp_url(url: str) -> SmtpConfig | None:
    """The configuration an `ORDERCORE_SMTP_URL` describes; None when it is empty. Raises
    ValueError for a URL that is not smtp:// or smtps:// or names no host."""
    url = url.strip()
    if not url:
        return None
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("ORDERCORE_SMTP_URL must look like smtp://user:password@host:port")
    query = {k.lower(): v[-1] for k, v in parse_qs(parts.query).items()}
    starttls: bool | None = None
    if "starttls" in query:
        starttls = query["starttls"].strip().lower() in _TRUE
    implicit = scheme == "smtps"
    return SmtpConfig(
        host=parts.hostname,
        port=parts.port or (465 if implicit else 25),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        implicit_tls=implicit,
        starttls=False if implicit else starttls,
        verify=query.get("verify", "true").strip().lower() in _TRUE,
        timeout=float(query.get("timeout", "30")),
    )


@dataclass(frozen=True)
class Email:
    sender: str
    to: list[str]
    cc: list[str]
    subject: str
    text: str
    html: str | None
    # Stable across retries: the outbox delivery ID, so a receiver can drop duplicates.
    message_id: str | None = None
    sender_name: str | None = None


def build_message(mail: Email) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = formataddr((mail.sender_name or "", mail.sender)) if mail.sender_name else mail.sender
    msg["To"] = ", ".join(mail.to)
    if mail.cc:
        msg["Cc"] = ", ".join(mail.cc)
    # Header injection: the subject is one line whatever a template or a user's name holds.
    msg["Subject"] = " ".join(mail.subject.split())
    domain = mail.sender.rpartition("@")[2] or None
    msg["Message-ID"] = make_msgid(idstring=mail.message_id, domain=domain)
    msg.set_content(mail.text)
    if mail.html:
        msg.add_alternative(mail.html, subtype="html")
    return msg


def _result(
    started: float, code: int | None, error: str | None, retryable: bool, body: str | None = None
) -> AttemptResult:
    return AttemptResult(
        status_code=code,
        duration_ms=(time.perf_counter() - started) * 1000.0,
        error=error,
        retry_after=None,
        response_body=body[:2048] if body else None,
        succeeded=error is None and code is not None and 200 <= code < 300,
        retryable=retryable,
    )


async def send_email(config: SmtpConfig | None, mail: Email) -> AttemptResult:
    """One attempt. Never raises for server or network problems: a connection failure, a timeout
    or a 4xx reply is retryable; a refused login or a 5xx reply (no such mailbox) is not.
    `status_code` is the SMTP reply code (250 when accepted)."""
    started = time.perf_counter()
    if config is None:
        return _result(started, None, ERROR_SMTP_NOT_CONFIGURED, False)
    recipients = [*mail.to, *mail.cc]
    if not recipients:
        return _result(started, None, ERROR_NO_RECIPIENT, False)
    try:
        refused, reply = await aiosmtplib.send(
            build_message(mail),
            sender=mail.sender,
            recipients=recipients,
            hostname=config.host,
            port=config.port,
            username=config.username,
            password=config.password,
            use_tls=config.implicit_tls,
            start_tls=config.starttls,
            validate_certs=config.verify,
            timeout=config.timeout,
        )
    except aiosmtplib.SMTPAuthenticationError as exc:
        return _result(started, exc.code, ERROR_AUTH, False, exc.message)
    except aiosmtplib.SMTPTimeoutError:
        return _result(started, None, ERROR_TIMEOUT, True)
    except aiosmtplib.SMTPConnectError:
        return _result(started, None, ERROR_CONNECTION, True)
    except aiosmtplib.SMTPResponseException as exc:
        return _result(started, exc.code, ERROR_REFUSED, 400 <= exc.code < 500, exc.message)
    except (aiosmtplib.SMTPException, OSError) as exc:
        return _result(started, None, type(exc).__name__, True)
    # Accepted for some recipients: what was refused is in the log; a retry would duplicate.
    note = "; ".join(f"{addr}: {r.code} {r.message}" for addr, r in refused.items()) or None
    return _result(started, 250, None, False, note or reply)
