"""Return endpoints: parse, call a service or selector, render. No business rules here."""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.aftersales import selectors, services
from oms.aftersales.allowed import manages_returns
from oms.aftersales.serializers import (
    ApproveIn,
    CancelIn,
    ReceivedOut,
    ReceiveIn,
    RejectIn,
    RequestReturnIn,
    ReturnableOut,
    ReturnFiltersIn,
    ReturnOut,
    ShipBackIn,
)
from oms.common.pagination import NewestFirstCursorPagination
from oms.common.request_types import AuthenticatedRequest
from oms.orders import selectors as order_selectors


def _manages_returns(request: AuthenticatedRequest) -> bool:
    return manages_returns(request.user)


def _require_return_manager(request: AuthenticatedRequest, refusal: str) -> None:
    """``refusal``: what a user who may not is told, e.g. "Only staff who manage returns may approve returns."."""
    if not _manages_returns(request):
        raise PermissionDenied(refusal)


def _body(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    data: dict[str, Any] = body.validated_data
    return data


def _detail(request: AuthenticatedRequest, return_id: int, status_code: int = status.HTTP_200_OK) -> Response:
    found = selectors.return_detail(user=request.user, return_id=return_id)
    return Response(ReturnOut(found).data, status=status_code)


class OrderReturnsApi(APIView):
    @extend_schema(request=RequestReturnIn, responses={201: ReturnOut})
    def post(self, request: AuthenticatedRequest, order_no: str) -> Response:
        data = _body(RequestReturnIn, request)
        order = order_selectors.order_for_action(user=request.user, order_no=order_no)
        created = services.request_return(
            order=order,
            customer=request.user,
            items=[services.ReturnLineInput(sku=i["sku"], quantity=i["quantity"]) for i in data["items"]],
            reason=data["reason"],
        )
        return _detail(request, created.pk, status.HTTP_201_CREATED)


class OrderReturnableApi(APIView):
    @extend_schema(responses=ReturnableOut(many=True))
    def get(self, request: AuthenticatedRequest, order_no: str) -> Response:
        order = order_selectors.order_for_action(user=request.user, order_no=order_no)
        return Response(ReturnableOut(selectors.returnable_now(order=order), many=True).data)


class ReturnListApi(APIView):
    @extend_schema(parameters=[ReturnFiltersIn], responses=ReturnOut(many=True))
    def get(self, request: AuthenticatedRequest) -> Response:
        filters = ReturnFiltersIn(data=request.query_params)
        filters.is_valid(raise_exception=True)
        returns = selectors.return_list(user=request.user, **filters.validated_data)
        paginator = NewestFirstCursorPagination()
        page = paginator.paginate_queryset(returns, request, view=self)
        return paginator.get_paginated_response(ReturnOut(page, many=True).data)


class ReturnDetailApi(APIView):
    @extend_schema(responses=ReturnOut)
    def get(self, request: AuthenticatedRequest, return_id: int) -> Response:
        return _detail(request, return_id)


class ReturnApproveApi(APIView):
    @extend_schema(request=ApproveIn, responses=ReturnOut)
    def post(self, request: AuthenticatedRequest, return_id: int) -> Response:
        _require_return_manager(request, _("Only staff who manage returns may approve returns."))
        data = _body(ApproveIn, request)
        found = selectors.return_detail(user=request.user, return_id=return_id)
        services.approve_return(return_request=found, actor=request.user, note=data["reason"])
        return _detail(request, return_id)


class ReturnRejectApi(APIView):
    @extend_schema(request=RejectIn, responses=ReturnOut)
    def post(self, request: AuthenticatedRequest, return_id: int) -> Response:
        _require_return_manager(request, _("Only staff who manage returns may reject returns."))
        data = _body(RejectIn, request)
        found = selectors.return_detail(user=request.user, return_id=return_id)
        services.reject_return(return_request=found, actor=request.user, reason=data["reason"])
        return _detail(request, return_id)


class ReturnShipApi(APIView):
    @extend_schema(request=ShipBackIn, responses=ReturnOut)
    def post(self, request: AuthenticatedRequest, return_id: int) -> Response:
        data = _body(ShipBackIn, request)
        found = selectors.return_detail(user=request.user, return_id=return_id)
        services.ship_return(return_request=found, actor=request.user, by_staff=_manages_returns(request), **data)
        return _detail(request, return_id)


class ReturnCancelApi(APIView):
    @extend_schema(request=CancelIn, responses=ReturnOut)
    def post(self, request: AuthenticatedRequest, return_id: int) -> Response:
        data = _body(CancelIn, request)
        found = selectors.return_detail(user=request.user, return_id=return_id)
        services.cancel_return(
            return_request=found, actor=request.user, reason=data["reason"], by_staff=_manages_returns(request)
        )
        return _detail(request, return_id)


class ReturnReceiveApi(APIView):
    @extend_schema(request=ReceiveIn, responses=ReceivedOut)
    def post(self, request: AuthenticatedRequest, return_id: int) -> Response:
        """Receive the parcel (restocking its units unless ``restock`` is false), then refund it.

        200 whenever the receipt went through; if the refund then failed, ``refund_error`` says why and the return
        stays ``received`` (retry with ``POST /returns/{id}/refund/``).
        """
        _require_return_manager(request, _("Only staff who manage returns may receive returns."))
        data = _body(ReceiveIn, request)
        found = selectors.return_detail(user=request.user, return_id=return_id)
        received = services.receive_return(return_request=found, actor=request.user, restock=data["restock"])
        body = dict(ReturnOut(selectors.return_detail(user=request.user, return_id=return_id)).data)
        error = received.refund_error
        body["refund_error"] = {"code": str(error.code), "message": error.message} if error else None
        return Response(body)


class ReturnRefundApi(APIView):
    @extend_schema(request=None, responses=ReturnOut)
    def post(self, request: AuthenticatedRequest, return_id: int) -> Response:
        """Retry the refund of a received return whose refund failed."""
        _require_return_manager(request, _("Only staff who manage returns may refund returns."))
        found = selectors.return_detail(user=request.user, return_id=return_id)
        services.refund_return(return_request=found, actor=request.user)
        return _detail(request, return_id)


urlpatterns = [
    path("orders/<str:order_no>/returns/", OrderReturnsApi.as_view(), name="order-returns"),
    path("orders/<str:order_no>/returnable/", OrderReturnableApi.as_view(), name="order-returnable"),
    path("returns/", ReturnListApi.as_view(), name="return-list"),
    path("returns/<int:return_id>/", ReturnDetailApi.as_view(), name="return-detail"),
    path("returns/<int:return_id>/approve/", ReturnApproveApi.as_view(), name="return-approve"),
    path("returns/<int:return_id>/reject/", ReturnRejectApi.as_view(), name="return-reject"),
    path("returns/<int:return_id>/ship/", ReturnShipApi.as_view(), name="return-ship"),
    path("returns/<int:return_id>/cancel/", ReturnCancelApi.as_view(), name="return-cancel"),
    path("returns/<int:return_id>/receive/", ReturnReceiveApi.as_view(), name="return-receive"),
    path("returns/<int:return_id>/refund/", ReturnRefundApi.as_view(), name="return-refund"),
]
