"""Storefront reads: products for shoppers, a customer's address book, balance, orders and returns."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import Max, Min, Q, QuerySet

from oms.aftersales.allowed import returnable_rows
from oms.aftersales.errors import ReturnNotFound
from oms.aftersales.models import ReturnRequest
from oms.aftersales.selectors import return_detail, return_list
from oms.catalog.models import Product, Sku
from oms.catalog.selectors import skus_with_availability
from oms.orders.errors import OrderNotFound
from oms.orders.models import Order
from oms.orders.selectors import OrderFilters, order_detail, order_list
from oms.payments.models import BalanceAccount

ADDRESS_FIELDS = ("name", "phone", "province", "city", "district", "address", "postal_code")


def products(*, search: str | None = None) -> QuerySet[Product]:
    """Active products with at least one active SKU, with their price range; newest catalog entries last."""
    sold = Q(skus__is_active=True)
    found = Product.objects.filter(is_active=True).filter(sold)
    if search:
        found = found.filter(
            Q(name__icontains=search) | Q(skus__code__icontains=search) | Q(skus__name__icontains=search)
        )
    return (
        found.annotate(min_price=Min("skus__price", filter=sold), max_price=Max("skus__price", filter=sold))
        .order_by("name", "id")
        .distinct()
    )


def product_skus(product: Product) -> QuerySet[Sku]:
    return skus_with_availability().filter(product=product)


def address_book(customer: User, *, limit: int = 5) -> list[dict[str, str]]:
    """The distinct addresses of the customer's recent orders, most recent first."""
    seen: list[dict[str, str]] = []
    recent = Order.objects.filter(customer=customer).order_by("-created_at").values_list("shipping_address", flat=True)
    for address in recent[:50]:
        if not isinstance(address, dict):
            continue
        clean = {key: str(address.get(key, "")) for key in ADDRESS_FIELDS}
        if address.get("country"):  # kept when the API was given one, so the address stays the country it was
            clean["country"] = str(address["country"])
        if clean not in seen:
            seen.append(clean)
        if len(seen) >= limit:
            break
    return seen


def balance_of(customer: User) -> Decimal | None:
    """The customer's store balance, or None without a balance account."""
    return BalanceAccount.objects.filter(customer=customer).values_list("balance", flat=True).first()


def has_payment_password(customer: User) -> bool:
    return BalanceAccount.objects.filter(customer=customer).exclude(payment_password="").exists()


def my_orders(customer: User) -> QuerySet[Order]:
    """The customer's own orders, newest first (also for staff, who see everyone's in the console)."""
    return order_list(user=customer, filters=OrderFilters(customer=customer.get_username())).filter(customer=customer)


def my_order(customer: User, order_no: str) -> Order | None:
    """One of the customer's own orders with its details, or None (someone else's order is simply not found)."""
    try:
        order = order_detail(user=customer, order_no=order_no)
    except OrderNotFound:
        return None
    return order if order.customer_id == customer.pk else None


def my_returns(customer: User, *, order: Order | None = None) -> QuerySet[ReturnRequest]:
    """The customer's own returns (of ``order``, if given), newest first; staff, too, see only their own here."""
    returns = return_list(user=customer).filter(customer=customer)
    return returns.filter(order=order) if order is not None else returns


def my_return(customer: User, order_no: str, return_id: int) -> ReturnRequest | None:
    """One of the customer's own returns of order ``order_no``, or None (someone else's is simply not found)."""
    try:
        found = return_detail(user=customer, return_id=return_id)
    except ReturnNotFound:
        return None
    return found if found.customer_id == customer.pk and found.order.order_no == order_no else None


def returnable(order: Order) -> list[dict]:
    """Per SKU, how many units may still be sent back and until when; nothing for orders that cannot be returned."""
    return returnable_rows(order)
