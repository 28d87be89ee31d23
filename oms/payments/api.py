"""Payment endpoints: thin, services do the work."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.common.api import StrictSerializer, idempotency_key, idempotency_key_header
from oms.common.errors import NotFound
from oms.common.request_types import AuthenticatedRequest
from oms.orders import selectors as order_selectors
from oms.orders.serializers import OrderDetailOut
from oms.payments import balance, exceptions, refunds, selectors, services
from oms.payments.allowed import REFUND_ORDERS, RESOLUTIONS
from oms.payments.models import BalanceAccount, Payment


class PayIn(StrictSerializer):
    # Not Payment.Method.choices: "offline" is recorded by staff (mark-paid), never chosen by the customer.
    method = serializers.ChoiceField(choices=[Payment.Method.ALIPAY, Payment.Method.BALANCE])
    channel = serializers.ChoiceField(choices=["page", "wap"], required=False, default="page")
    payment_password = serializers.CharField(max_length=32, required=False, trim_whitespace=False)


class BalanceEntryOut(serializers.Serializer):
    kind = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    balance_after = serializers.DecimalField(max_digits=14, decimal_places=2)
    order_no = serializers.CharField(source="order.order_no", default=None)
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class TopUpIn(StrictSerializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    reason = serializers.CharField(max_length=200)


class OrderPayApi(APIView):
    @extend_schema(request=PayIn, responses=OrderDetailOut)
    def post(self, request: AuthenticatedRequest, order_no: str) -> Response:
        body = PayIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        order = order_selectors.order_for_action(user=request.user, order_no=order_no)
        if order.customer_id != request.user.pk:
            raise PermissionDenied(_("Only the customer who placed an order pays it."))
        if data["method"] == Payment.Method.BALANCE:
            if not data.get("payment_password"):
                raise serializers.ValidationError({"payment_password": [_("Required to pay with balance.")]})
            services.pay_with_balance(order=order, customer=request.user, payment_password=data["payment_password"])
            return Response(OrderDetailOut(order_selectors.order_detail(user=request.user, order_no=order_no)).data)
        pay_url = services.start_gateway_payment(
            order=order, method=data["method"], channel=data["channel"], request=request
        )
        return Response({"pay_url": pay_url})


class MyBalanceOut(serializers.Serializer):
    balance = serializers.DecimalField(max_digits=14, decimal_places=2)
    entries = BalanceEntryOut(many=True, help_text="the 50 newest ledger entries, newest first")


class MyBalanceApi(APIView):
    @extend_schema(responses=MyBalanceOut)
    def get(self, request: AuthenticatedRequest) -> Response:
        account = BalanceAccount.objects.filter(customer=request.user).first()
        entries = account.entries.select_related("order")[:50] if account else []
        balance_now = account.balance if account else Decimal("0.00")
        return Response(MyBalanceOut({"balance": balance_now, "entries": entries}).data)


class TopUpApi(APIView):
    @extend_schema(request=TopUpIn, responses={201: BalanceEntryOut})
    def post(self, request: Request, username: str) -> Response:
        if not (request.user.is_staff and request.user.has_perm("payments.top_up_balance")):
            raise PermissionDenied(_("Only staff may top up balances."))
        body = TopUpIn(data=request.data)
        body.is_valid(raise_exception=True)
        customer = get_user_model().objects.filter(username=username).first()
        if customer is None:
            raise NotFound(_("No customer %(username)s.") % {"username": username})
        entry = balance.top_up_balance(customer=customer, actor=request.user, **body.validated_data)
        return Response(BalanceEntryOut(entry).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("orders/<str:order_no>/pay/", OrderPayApi.as_view(), name="order-pay"),
    path("me/balance/", MyBalanceApi.as_view(), name="my-balance"),
    path("customers/<str:username>/balance/top-ups/", TopUpApi.as_view(), name="balance-top-up"),
]


class RefundLineIn(StrictSerializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=999)


class RefundIn(StrictSerializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"), required=False)
    # many=True hands these to the ListSerializer; the stubs type only the child's arguments.
    items = RefundLineIn(many=True, required=False, allow_empty=False, max_length=100)  # type: ignore[call-arg]
    reason = serializers.CharField(max_length=200)
    restock = serializers.BooleanField(default=False)


class OrderRefundApi(APIView):
    @extend_schema(
        request=RefundIn,
        parameters=[
            idempotency_key_header(
                "A fresh random key per new refund (e.g. a UUID). Replaying it with the same body returns the "
                "order with the same refund (200) instead of refunding again."
            )
        ],
        responses={201: OrderDetailOut, 200: OrderDetailOut},
    )
    def post(self, request: Request, order_no: str) -> Response:
        if not (request.user.is_staff and request.user.has_perm(REFUND_ORDERS)):
            raise PermissionDenied(_("Only staff may refund orders."))
        body = RefundIn(data=request.data)
        body.is_valid(raise_exception=True)
        key = idempotency_key(request)
        order = order_selectors.order_for_action(user=request.user, order_no=order_no)
        requested = refunds.request_refund(order=order, actor=request.user, idempotency_key=key, **body.validated_data)
        detail = order_selectors.order_detail(user=request.user, order_no=order_no)
        answer = status.HTTP_201_CREATED if requested.created else status.HTTP_200_OK
        return Response(OrderDetailOut(detail).data, status=answer)


urlpatterns.append(path("orders/<str:order_no>/refunds/", OrderRefundApi.as_view(), name="order-refunds"))


class ExceptionOrderOut(serializers.Serializer):
    order_no = serializers.CharField()
    status = serializers.CharField()
    customer = serializers.CharField(source="customer.username")
    total_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    reason = serializers.CharField()
    since = serializers.DateTimeField()
    age_seconds = serializers.IntegerField()
    open_issues = serializers.ListField(child=serializers.DictField())
    actions = serializers.ListField(child=serializers.CharField())


class ResolveIn(StrictSerializer):
    action = serializers.ChoiceField(choices=RESOLUTIONS)
    reason = serializers.CharField(max_length=200)


class ExceptionQueueApi(APIView):
    @extend_schema(responses=ExceptionOrderOut(many=True))
    def get(self, request: Request) -> Response:
        if not (request.user.is_staff and request.user.has_perm("orders.manage_orders")):
            raise PermissionDenied(_("Only staff who manage orders see the exception queue."))
        return Response(ExceptionOrderOut(selectors.exception_queue(), many=True).data)


class ResolveExceptionApi(APIView):
    @extend_schema(request=ResolveIn, responses=OrderDetailOut)
    def post(self, request: Request, order_no: str) -> Response:
        if not (request.user.is_staff and request.user.has_perm("orders.manage_orders")):
            raise PermissionDenied(_("Only staff who manage orders resolve exceptions."))
        body = ResolveIn(data=request.data)
        body.is_valid(raise_exception=True)
        order = order_selectors.order_for_action(user=request.user, order_no=order_no)
        exceptions.resolve_exception(order=order, actor=request.user, **body.validated_data)
        return Response(OrderDetailOut(order_selectors.order_detail(user=request.user, order_no=order_no)).data)


urlpatterns += [
    path("exceptions/", ExceptionQueueApi.as_view(), name="exception-queue"),
    path("orders/<str:order_no>/resolve/", ResolveExceptionApi.as_view(), name="order-resolve"),
]
