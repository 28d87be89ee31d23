"""Shipping test data, made through the real services: paid orders with stock in one or two warehouses."""

from __future__ import annotations

from decimal import Decimal

from oms.catalog.tests.factories import SkuFactory
from oms.inventory.tests.factories import WarehouseFactory, stock_sku
from oms.orders.models import Order
from oms.payments.tests.factories import paid_order
from oms.shipping import services
from oms.shipping.models import Shipment


def stocked_sku(warehouse, *, on_hand: int = 10, price: str = "19.90"):
    """A SKU whose only stock is in ``warehouse``, so sourcing has no choice where to take it from."""
    return stock_sku(sku=SkuFactory(price=Decimal(price)), warehouse=warehouse, on_hand=on_hand)


def split_order(*, customer, staff, address) -> tuple[Order, list]:
    """A paid order of two SKUs stocked in different warehouses: it ships in two parcels. Returns the warehouses."""
    east, west = WarehouseFactory(), WarehouseFactory()
    order = paid_order(
        customer=customer,
        staff=staff,
        address=address,
        lines=[(stocked_sku(east), 2), (stocked_sku(west), 1)],
    )
    return order, [east, west]


def confirmed_order(*, customer, staff, address, warehouses: int = 1) -> Order:
    if warehouses == 2:
        order, _ = split_order(customer=customer, staff=staff, address=address)
    else:
        order = paid_order(
            customer=customer, staff=staff, address=address, lines=[(stocked_sku(WarehouseFactory()), 1)]
        )
    return services.confirm_order(order=order, actor=staff)


def shipped_order(*, customer, staff, address, tracking_prefix: str = "SIM") -> tuple[Order, Shipment]:
    """A one-parcel order handed to the ``sim`` carrier."""
    order = confirmed_order(customer=customer, staff=staff, address=address)
    shipment = order.shipments.get()
    services.ship_shipment(
        shipment=shipment, carrier="sim", tracking_no=f"{tracking_prefix}{order.pk:06d}", actor=staff
    )
    order.refresh_from_db()
    shipment.refresh_from_db()
    return order, shipment
