"""The payment and refund state machines: every legal move of each, in one table.

A payment is ``created`` until the gateway takes the money (``succeeded``), gives up (``failed``) or the trade is
closed unpaid (``closed``); money the gateway took after all for a trade we had given up on is still recorded
(``failed``/``closed`` -> ``succeeded``), never lost. Refunds then take it to ``partially_refunded`` (again with each
further partial refund) and ``refunded``. A refund is ``pending`` until the gateway makes it (``succeeded``) or it
fails for good (``failed``).
"""

from __future__ import annotations

from oms.common.statemachine import TransitionTable
from oms.payments.models import Payment, Refund

P = Payment.Status
R = Refund.Status

PAYMENT_TRANSITIONS = TransitionTable(
    Payment.Status,
    {
        P.CREATED: {P.SUCCEEDED, P.FAILED, P.CLOSED},
        P.FAILED: {P.SUCCEEDED},
        P.CLOSED: {P.SUCCEEDED},
        P.SUCCEEDED: {P.PARTIALLY_REFUNDED, P.REFUNDED},
        P.PARTIALLY_REFUNDED: {P.PARTIALLY_REFUNDED, P.REFUNDED},
        P.REFUNDED: set(),
    },
)

REFUND_TRANSITIONS = TransitionTable(
    Refund.Status,
    {
        R.PENDING: {R.SUCCEEDED, R.FAILED},
        R.SUCCEEDED: set(),
        R.FAILED: set(),
    },
)
