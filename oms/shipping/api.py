"""Fulfilment endpoints: parse, call a service or selector, render. No business rules here."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.common.request_types import AuthenticatedRequest
from oms.orders import selectors as order_selectors
from oms.orders.allowed import manages_orders
from oms.orders.serializers import OrderDetailOut
from oms.shipping import selectors, services
from oms.shipping.reallocation import reallocate_order
from oms.shipping.serializers import ShipIn, ShipmentDetailOut


def _require_order_manager(request: AuthenticatedRequest, refusal: str) -> None:
    """``refusal``: what a user who may not is told, e.g. "Only staff who manage orders may ship parcels."."""
    if not manages_orders(request.user):
        raise PermissionDenied(refusal)


def _order_detail(request: AuthenticatedRequest, order_no: str) -> Response:
    return Response(OrderDetailOut(order_selectors.order_detail(user=request.user, order_no=order_no)).data)


class OrderConfirmApi(APIView):
    @extend_schema(request=None, responses=OrderDetailOut)
    def post(self, request: AuthenticatedRequest, order_no: str) -> Response:
        _require_order_manager(request, _("Only staff who manage orders may confirm orders for shipping."))
        order = order_selectors.order_for_action(user=request.user, order_no=order_no)
        services.confirm_order(order=order, actor=request.user)
        return _order_detail(request, order_no)


class OrderConfirmReceiptApi(APIView):
    @extend_schema(request=None, responses=OrderDetailOut)
    def post(self, request: AuthenticatedRequest, order_no: str) -> Response:
        order = order_selectors.order_for_action(user=request.user, order_no=order_no)
        services.confirm_receipt(order=order, customer=request.user)
        return _order_detail(request, order_no)


class OrderReshipApi(APIView):
    @extend_schema(request=None, responses=OrderDetailOut)
    def post(self, request: AuthenticatedRequest, order_no: str) -> Response:
        _require_order_manager(request, _("Only staff who manage orders may reship orders."))
        order = order_selectors.order_for_action(user=request.user, order_no=order_no)
        services.reship_order(order=order, actor=request.user)
        return _order_detail(request, order_no)


class OrderReallocateApi(APIView):
    @extend_schema(request=None, responses=OrderDetailOut)
    def post(self, request: AuthenticatedRequest, order_no: str) -> Response:
        _require_order_manager(request, _("Only staff who manage orders may re-allocate orders."))
        order = order_selectors.order_for_action(user=request.user, order_no=order_no)
        reallocate_order(order=order, actor=request.user)
        return _order_detail(request, order_no)


class ShipmentDetailApi(APIView):
    @extend_schema(responses=ShipmentDetailOut)
    def get(self, request: AuthenticatedRequest, shipment_id: int) -> Response:
        shipment = selectors.shipment_detail(user=request.user, shipment_id=shipment_id)
        return Response(ShipmentDetailOut(shipment).data)


class ShipmentShipApi(APIView):
    @extend_schema(request=ShipIn, responses=ShipmentDetailOut)
    def post(self, request: AuthenticatedRequest, shipment_id: int) -> Response:
        _require_order_manager(request, _("Only staff who manage orders may ship parcels."))
        body = ShipIn(data=request.data)
        body.is_valid(raise_exception=True)
        shipment = selectors.shipment_detail(user=request.user, shipment_id=shipment_id)
        services.ship_shipment(shipment=shipment, actor=request.user, **body.validated_data)
        shipment = selectors.shipment_detail(user=request.user, shipment_id=shipment_id)
        return Response(ShipmentDetailOut(shipment).data)


urlpatterns = [
    path("orders/<str:order_no>/confirm/", OrderConfirmApi.as_view(), name="order-confirm"),
    path("orders/<str:order_no>/confirm-receipt/", OrderConfirmReceiptApi.as_view(), name="order-confirm-receipt"),
    path("orders/<str:order_no>/reship/", OrderReshipApi.as_view(), name="order-reship"),
    path("orders/<str:order_no>/reallocate/", OrderReallocateApi.as_view(), name="order-reallocate"),
    path("shipments/<int:shipment_id>/", ShipmentDetailApi.as_view(), name="shipment-detail"),
    path("shipments/<int:shipment_id>/ship/", ShipmentShipApi.as_view(), name="shipment-ship"),
]
