"""Store balance: an append-only ledger whose sum is the balance, which can never go negative."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.common.errors import ValidationFailed
from oms.common.money import format_money
from oms.payments.errors import InsufficientBalance, PaymentPasswordInvalid, PaymentPasswordLocked
from oms.payments.models import BalanceAccount, BalanceEntry, Payment

if TYPE_CHECKING:
    from oms.orders.models import Order

MAX_PASSWORD_ATTEMPTS = 5
PASSWORD_LOCK = timedelta(minutes=15)


def account_for(customer: User) -> BalanceAccount:
    account, _created = BalanceAccount.objects.get_or_create(customer=customer)
    return account


def set_payment_password(*, customer: User, raw_password: str) -> None:
    if not (raw_password.isdigit() and len(raw_password) == 6):
        raise ValidationFailed(_("The payment password is 6 digits."))
    account = account_for(customer)
    BalanceAccount.objects.filter(pk=account.pk).update(
        payment_password=make_password(raw_password), failed_password_attempts=0, locked_until=None
    )


def verify_payment_password(*, customer: User, raw_password: str) -> None:
    """Check the payment password; count failures and lock for 15 minutes after 5 (the count commits)."""
    with transaction.atomic():
        account = BalanceAccount.objects.select_for_update().filter(customer=customer).first()
        now = timezone.now()
        if account is None or not account.payment_password:
            raise PaymentPasswordInvalid(_("No payment password is set for this account."))
        if account.locked_until and account.locked_until > now:
            raise PaymentPasswordLocked(
                _("Too many wrong payment passwords; try again later."),
                details={"locked_until": account.locked_until.isoformat()},
            )
        if check_password(raw_password, account.payment_password):
            if account.failed_password_attempts:
                BalanceAccount.objects.filter(pk=account.pk).update(failed_password_attempts=0, locked_until=None)
            return
        attempts = account.failed_password_attempts + 1
        locked_until = now + PASSWORD_LOCK if attempts >= MAX_PASSWORD_ATTEMPTS else None
        BalanceAccount.objects.filter(pk=account.pk).update(
            failed_password_attempts=0 if locked_until else attempts, locked_until=locked_until
        )
    raise PaymentPasswordInvalid(
        _("Wrong payment password."), details={"attempts_left": max(0, MAX_PASSWORD_ATTEMPTS - attempts)}
    )


def post_balance_entry(
    *,
    customer: User,
    kind: BalanceEntry.Kind,
    amount: Decimal,
    actor: User | None,
    reason: str,
    order: Order | None = None,
) -> BalanceEntry:
    """Add a signed amount to the balance with one guarded update; refuse to go below zero.

    Runs inside the caller's transaction (or its own); locks the account row until commit.
    """
    with transaction.atomic():
        account = account_for(customer)
        changed = BalanceAccount.objects.filter(pk=account.pk, balance__gte=-amount).update(
            balance=F("balance") + amount, updated_at=timezone.now()
        )
        if not changed:
            account.refresh_from_db(fields=["balance"])
            raise InsufficientBalance(
                _("The balance of %(balance)s does not cover %(amount)s.")
                % {"balance": format_money(account.balance), "amount": format_money(-amount)},
                details={"balance": str(account.balance), "required": str(-amount)},
            )
        account.refresh_from_db(fields=["balance"])
        return BalanceEntry.objects.create(
            account=account,
            kind=kind,
            amount=amount,
            balance_after=account.balance,
            order=order,
            actor=actor,
            reason=reason[:255],
        )


def top_up_balance(*, customer: User, amount: Decimal, actor: User, reason: str) -> BalanceEntry:
    if amount <= 0:
        raise ValidationFailed(_("A top-up is a positive amount."), details={"amount": str(amount)})
    return post_balance_entry(
        customer=customer, kind=BalanceEntry.Kind.TOP_UP, amount=amount, actor=actor, reason=reason
    )


def placement_check(*, customer: User, payment_method: str) -> Callable[[Decimal], None] | None:
    """What placing an order to be paid with ``payment_method`` checks of its total before anything is written
    (oms.orders.services.place_order's ``check_total``): for the balance, that it covers the total."""
    if payment_method != Payment.Method.BALANCE:
        return None
    return lambda total: ensure_balance_covers(customer=customer, amount=total)


def ensure_balance_covers(*, customer: User, amount: Decimal) -> None:
    balance = BalanceAccount.objects.filter(customer=customer).values_list("balance", flat=True).first()
    if balance is None or balance < amount:
        raise InsufficientBalance(
            _("The balance of %(balance)s does not cover %(amount)s; top up or pay another way.")
            % {"balance": format_money(balance or Decimal("0.00")), "amount": format_money(amount)},
            details={"balance": str(balance or Decimal("0.00")), "required": str(amount)},
        )
