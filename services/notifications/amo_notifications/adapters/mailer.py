"""Email over SMTP (aiosmtplib): Mailpit locally, the fund's relay in production.

A connection refused, dropped or timed out is an outage, and so is a 4xx answer: both are
`InfrastructureUnavailable`, waited out by the delivery policy. A 5xx answer (or a refusal of
every recipient) is `MessageRefused`: the message's bounded attempts, then its dead letter.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from amo_notifications.messages import Recipient, Wording
from amo_shared.failures import InfrastructureUnavailable


class MessageRefused(ValueError):
    """The SMTP server refused this message for good (5xx): the message's fault."""


class Mailer:
    def __init__(self, host: str, port: int, sender: str, timeout: float = 10.0) -> None:
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout

    def message(self, wording: Wording, recipient: Recipient, message_id: str) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = recipient.email
        msg["Subject"] = wording.subject
        msg["Message-ID"] = message_id
        msg["Date"] = formatdate(usegmt=True)
        msg["Content-Language"] = wording.language
        msg.set_content(wording.text)
        msg.add_alternative(wording.html, subtype="html")
        return msg

    async def send(self, msg: EmailMessage) -> None:
        # The server's texts may quote the address: the errors raised here say codes only.
        try:
            await aiosmtplib.send(msg, hostname=self.host, port=self.port, timeout=self.timeout)
        except (ConnectionError, TimeoutError) as exc:
            raise InfrastructureUnavailable(f"SMTP server away ({type(exc).__name__})") from None
        except aiosmtplib.SMTPResponseException as exc:
            if 400 <= exc.code < 500:
                raise InfrastructureUnavailable(f"SMTP server answered {exc.code}") from None
            raise MessageRefused(f"SMTP server refused the message ({exc.code})") from None
        except aiosmtplib.SMTPException as exc:
            raise MessageRefused(
                f"SMTP server refused the message ({type(exc).__name__})"
            ) from None

    async def ping(self) -> None:
        """The SMTP server answers a connection (for `/readyz`)."""
        smtp = aiosmtplib.SMTP(hostname=self.host, port=self.port, timeout=self.timeout)
        await smtp.connect()
        await smtp.quit()
