from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from oms.orders.models import Order
    from oms.payments.models import Payment


class NotificationKind(StrEnum):
    PAID = "paid"
    REFUND = "refund"
    CLOSED = "closed"
    OTHER = "other"


@dataclass(frozen=True)
class GatewayNotification:
    """A verified asynchronous notification, in gateway-neutral terms."""

    notify_id: str
    out_trade_no: str
    trade_no: str
    kind: NotificationKind
    total_amount: Decimal
    paid_at: datetime | None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GatewayTrade:
    """What the gateway says about one trade when asked."""

    exists: bool
    paid: bool = False
    closed: bool = False
    trade_no: str = ""
    total_amount: Decimal | None = None
    paid_at: datetime | None = None


class NotificationRejected(Exception):
    """A notification that failed verification; ``reason`` is logged, nothing changes."""

    def __init__(self, reason: str, *, notify_id: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.notify_id = notify_id


Channel = Literal["page", "wap"]  # the cashier for a computer or for a phone


class PaymentGateway(ABC):
    name: str

    @abstractmethod
    def payment_url(
        self, *, payment: Payment, order: Order, channel: Channel, notify_url: str, return_url: str, base_url: str
    ) -> str:
        """Where to send the shopper to pay."""

    @abstractmethod
    def verify_return(self, params: dict[str, str]) -> bool:
        """Is this browser return signed by the gateway for us? (It proves nothing about payment.)"""

    @abstractmethod
    def verify_notification(self, params: dict[str, str]) -> GatewayNotification:
        """Verify signature and merchant identity; raise NotificationRejected otherwise."""

    @abstractmethod
    def query(self, *, payment: Payment) -> GatewayTrade: ...

    @abstractmethod
    def close(self, *, payment: Payment) -> bool:
        """Close an unpaid trade so it can no longer be paid; False if it was already paid."""

    @abstractmethod
    def refund(self, *, payment: Payment, amount: Decimal, out_request_no: str, reason: str) -> None:
        """Refund once per ``out_request_no``; raise GatewayError on refusal, GatewayOutcomeUnknown without an
        answer."""

    @abstractmethod
    def refund_made(self, *, payment: Payment, out_request_no: str) -> bool:
        """Has the gateway made the refund ``out_request_no``? Raises GatewayError when it cannot say."""
