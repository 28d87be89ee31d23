"""Order endpoints: parse, call a service or selector, render. No business rules here."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.common.api import idempotency_key, idempotency_key_header
from oms.common.pagination import NewestFirstCursorPagination
from oms.common.request_types import AuthenticatedRequest
from oms.orders import selectors, services
from oms.orders.allowed import manages_orders
from oms.orders.serializers import (
    CancelOrderIn,
    OfflinePaymentIn,
    OrderDetailOut,
    OrderFiltersIn,
    OrderOut,
    PlaceOrderIn,
    new_order_body,
)
from oms.payments import allowed as payments_allowed
from oms.payments import balance, cancellation
from oms.payments import services as payment_services

IDEMPOTENCY_HEADER = idempotency_key_header(
    "A fresh random key per new order (e.g. a UUID). Replaying it returns the same order."
)


class OrderListCreateApi(APIView):
    @extend_schema(parameters=[OrderFiltersIn], responses=OrderOut(many=True))
    def get(self, request: AuthenticatedRequest) -> Response:
        filters_in = OrderFiltersIn(data=request.query_params)
        filters_in.is_valid(raise_exception=True)
        orders = selectors.order_list(user=request.user, filters=selectors.OrderFilters(**filters_in.validated_data))
        paginator = NewestFirstCursorPagination()
        page = paginator.paginate_queryset(orders, request, view=self)
        return paginator.get_paginated_response(OrderOut(page, many=True).data)

    @extend_schema(request=PlaceOrderIn, parameters=[IDEMPOTENCY_HEADER], responses={201: OrderDetailOut})
    def post(self, request: AuthenticatedRequest) -> Response:
        body = PlaceOrderIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        placed = services.place_order(
            customer=request.user,
            items=[services.OrderLineInput(sku=i["sku"], quantity=i["quantity"]) for i in data["items"]],
            address=dict(data["shipping_address"]),
            idempotency_key=idempotency_key(request),
            payment_method=data["payment_method"],
            check_total=balance.placement_check(customer=request.user, payment_method=data["payment_method"]),
        )
        if placed.created:
            rows = placed.order.placed_rows
            new_order = new_order_body(placed.order, items=rows["items"], event=rows["events"][0])
            return Response(new_order, status=status.HTTP_201_CREATED)
        order = selectors.order_detail(user=request.user, order_no=placed.order.order_no)
        return Response(OrderDetailOut(order).data, status=status.HTTP_200_OK)


class OrderDetailApi(APIView):
    @extend_schema(responses=OrderDetailOut)
    def get(self, request: AuthenticatedRequest, order_no: str) -> Response:
        return Response(OrderDetailOut(selectors.order_detail(user=request.user, order_no=order_no)).data)


class OrderCancelApi(APIView):
    @extend_schema(request=CancelOrderIn, responses={200: OrderDetailOut, 202: OrderDetailOut})
    def post(self, request: AuthenticatedRequest, order_no: str) -> Response:
        """Unpaid → ``cancelled``; paid and not shipped → refunded in full, stock put back (``refunded``, or 202 and
        ``refunding`` while the gateway has not confirmed the refund)."""
        body = CancelOrderIn(data=request.data)
        body.is_valid(raise_exception=True)
        order = selectors.order_for_action(user=request.user, order_no=order_no)
        after = cancellation.cancel_or_refund_order(
            order=order,
            actor=request.user,
            reason=body.validated_data["reason"],
            by_staff=payments_allowed.cancels_as_staff(request.user),
        )
        # 202: the refund was sent but the gateway has not confirmed it yet (the order stays ``refunding``).
        code = status.HTTP_202_ACCEPTED if payments_allowed.refund_unconfirmed(after) else status.HTTP_200_OK
        return Response(OrderDetailOut(selectors.order_detail(user=request.user, order_no=order_no)).data, status=code)


class OrderOfflinePaymentApi(APIView):
    @extend_schema(request=OfflinePaymentIn, responses=OrderDetailOut)
    def post(self, request: AuthenticatedRequest, order_no: str) -> Response:
        if not manages_orders(request.user):
            raise PermissionDenied(_("Only staff who manage orders may record offline payments."))
        body = OfflinePaymentIn(data=request.data)
        body.is_valid(raise_exception=True)
        order = selectors.order_for_action(user=request.user, order_no=order_no)
        payment_services.record_offline_payment(
            order=order, actor=request.user, reference=body.validated_data["reference"]
        )
        return Response(OrderDetailOut(selectors.order_detail(user=request.user, order_no=order_no)).data)


urlpatterns = [
    path("orders/", OrderListCreateApi.as_view(), name="order-list"),
    path("orders/<str:order_no>/", OrderDetailApi.as_view(), name="order-detail"),
    path("orders/<str:order_no>/cancel/", OrderCancelApi.as_view(), name="order-cancel"),
    path("orders/<str:order_no>/mark-paid/", OrderOfflinePaymentApi.as_view(), name="order-mark-paid"),
]
