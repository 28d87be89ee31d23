"""How the sandbox refuses, in Alipay's own terms (code / msg / sub_code / sub_msg)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from oms.sandbox.models import SandboxTrade

INVALID_ARGUMENTS = "40002"
BUSINESS_FAILED = "40004"
_MESSAGES = {INVALID_ARGUMENTS: "Invalid Arguments", BUSINESS_FAILED: "Business Failed"}


class SandboxRefusal(Exception):
    """A refusal the gateway answers with (API) or shows on an error page (cashier)."""

    def __init__(self, sub_code: str, sub_msg: str, *, code: str = BUSINESS_FAILED) -> None:
        super().__init__(f"{code} {sub_code}: {sub_msg}")
        self.code, self.sub_code, self.sub_msg = code, sub_code, sub_msg

    def payload(self) -> dict[str, str]:
        return {
            "code": self.code,
            "msg": _MESSAGES[self.code],
            "sub_code": self.sub_code,
            "sub_msg": self.sub_msg,
        }


class TradeAlreadyPaid(SandboxRefusal):
    """ACQ.TRADE_HAS_SUCCESS, with the paid trade: the cashier sends the buyer back to the merchant with it."""

    def __init__(self, trade: SandboxTrade) -> None:
        super().__init__("ACQ.TRADE_HAS_SUCCESS", "交易已被支付")
        self.trade = trade


def invalid_argument(sub_code: str, sub_msg: str) -> SandboxRefusal:
    return SandboxRefusal(sub_code, sub_msg, code=INVALID_ARGUMENTS)


def trade_not_exist() -> SandboxRefusal:
    return SandboxRefusal("ACQ.TRADE_NOT_EXIST", "交易不存在")


def trade_status_error(detail: str) -> SandboxRefusal:
    return SandboxRefusal("ACQ.TRADE_STATUS_ERROR", f"交易状态不合法 ({detail})")
