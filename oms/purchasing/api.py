"""Supplier and purchase order endpoints (staff only): parse, call a service or selector, render."""

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

from oms.common.errors import NotFound
from oms.common.pagination import NewestFirstCursorPagination
from oms.common.request_types import AuthenticatedRequest
from oms.inventory.models import Warehouse
from oms.purchasing import selectors, services
from oms.purchasing.serializers import (
    CreatePurchaseOrderIn,
    PurchaseOrderCancelIn,
    PurchaseOrderCloseIn,
    PurchaseOrderFiltersIn,
    PurchaseOrderOut,
    PurchaseOrderReceiveIn,
    PurchaseOrderSubmitIn,
    SupplierIn,
    SupplierOut,
)

VIEW_POS = "purchasing.view_purchaseorder"
MANAGE_POS = "purchasing.manage_purchase_orders"


def _require(request: Request, perm: str, refusal: str) -> None:
    """``refusal`` is the whole message (translated), so that each language can word it as a sentence."""
    if not (request.user.is_staff and request.user.has_perm(perm)):
        raise PermissionDenied(refusal)


def _body(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    data: dict[str, Any] = body.validated_data
    return data


def _warehouse(code: str) -> Warehouse:
    found = None if "\x00" in code else Warehouse.objects.filter(code=code).first()
    if found is None:
        raise NotFound(
            _("No warehouse %(code)s; GET /api/v1/warehouses/ lists them.") % {"code": code},
            details={"warehouse": code},
        )
    return found


def _detail(po_no: str, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(PurchaseOrderOut(selectors.purchase_order_detail(po_no=po_no)).data, status=status_code)


class SupplierListCreateApi(APIView):
    @extend_schema(responses=SupplierOut(many=True))
    def get(self, request: Request) -> Response:
        _require(request, "purchasing.view_supplier", _("Only purchasing staff may list suppliers."))
        return Response(SupplierOut(selectors.supplier_list(), many=True).data)

    @extend_schema(request=SupplierIn, responses={201: SupplierOut})
    def post(self, request: Request) -> Response:
        _require(request, "purchasing.add_supplier", _("Only purchasing staff may add suppliers."))
        supplier = services.create_supplier(**_body(SupplierIn, request))
        return Response(SupplierOut(supplier).data, status=status.HTTP_201_CREATED)


class PurchaseOrderListCreateApi(APIView):
    @extend_schema(parameters=[PurchaseOrderFiltersIn], responses=PurchaseOrderOut(many=True))
    def get(self, request: Request) -> Response:
        _require(request, VIEW_POS, _("Only purchasing staff may list purchase orders."))
        filters = PurchaseOrderFiltersIn(data=request.query_params)
        filters.is_valid(raise_exception=True)
        found = selectors.purchase_order_list(**filters.validated_data)
        paginator = NewestFirstCursorPagination()
        page = paginator.paginate_queryset(found, request, view=self)
        return paginator.get_paginated_response(PurchaseOrderOut(page, many=True).data)

    @extend_schema(request=CreatePurchaseOrderIn, responses={201: PurchaseOrderOut})
    def post(self, request: AuthenticatedRequest) -> Response:
        """A draft purchase order; a line without ``unit_cost`` costs the SKU's price × OMS_PURCHASE_COST_RATIO."""
        _require(request, MANAGE_POS, _("Only purchasing staff may create purchase orders."))
        data = _body(CreatePurchaseOrderIn, request)
        po = services.create_purchase_order(
            supplier=selectors.supplier_by_code(data["supplier"]),
            warehouse=_warehouse(data["warehouse"]),
            lines=[
                services.PurchaseLineInput(line["sku"], line["quantity"], line["unit_cost"]) for line in data["lines"]
            ],
            actor=request.user,
            note=data["note"],
            expected_at=data["expected_at"],
        )
        return _detail(po.po_no, status.HTTP_201_CREATED)


class PurchaseOrderDetailApi(APIView):
    @extend_schema(responses=PurchaseOrderOut)
    def get(self, request: Request, po_no: str) -> Response:
        _require(request, VIEW_POS, _("Only purchasing staff may see purchase orders."))
        return _detail(po_no)


class PurchaseOrderSubmitApi(APIView):
    @extend_schema(request=PurchaseOrderSubmitIn, responses=PurchaseOrderOut)
    def post(self, request: AuthenticatedRequest, po_no: str) -> Response:
        """Draft → ordered; ``expected_at`` defaults to today + the supplier's lead days."""
        _require(request, MANAGE_POS, _("Only purchasing staff may submit purchase orders."))
        data = _body(PurchaseOrderSubmitIn, request)
        po = selectors.purchase_order_detail(po_no=po_no)
        services.submit_purchase_order(po=po, actor=request.user, expected_at=data["expected_at"], note=data["note"])
        return _detail(po_no)


class PurchaseOrderReceiveApi(APIView):
    @extend_schema(request=PurchaseOrderReceiveIn, responses=PurchaseOrderOut)
    def post(self, request: AuthenticatedRequest, po_no: str) -> Response:
        """Book a delivery into the PO's warehouse; more than a line still expects is ``409 over_receipt``."""
        _require(request, MANAGE_POS, _("Only purchasing staff may receive purchase orders."))
        data = _body(PurchaseOrderReceiveIn, request)
        po = selectors.purchase_order_detail(po_no=po_no)
        quantities = {line["sku"]: line["quantity"] for line in data["lines"]}
        services.receive_purchase_order(po=po, quantities=quantities, actor=request.user, note=data["note"])
        return _detail(po_no)


class PurchaseOrderCancelApi(APIView):
    @extend_schema(request=PurchaseOrderCancelIn, responses=PurchaseOrderOut)
    def post(self, request: AuthenticatedRequest, po_no: str) -> Response:
        """Draft or ordered with nothing received → cancelled."""
        _require(request, MANAGE_POS, _("Only purchasing staff may cancel purchase orders."))
        data = _body(PurchaseOrderCancelIn, request)
        po = selectors.purchase_order_detail(po_no=po_no)
        services.cancel_purchase_order(po=po, actor=request.user, reason=data["reason"])
        return _detail(po_no)


class PurchaseOrderCloseApi(APIView):
    @extend_schema(request=PurchaseOrderCloseIn, responses=PurchaseOrderOut)
    def post(self, request: AuthenticatedRequest, po_no: str) -> Response:
        """Partially received → closed: the units still expected will not come and stop counting as on order."""
        _require(request, MANAGE_POS, _("Only purchasing staff may close purchase orders."))
        data = _body(PurchaseOrderCloseIn, request)
        po = selectors.purchase_order_detail(po_no=po_no)
        services.close_purchase_order(po=po, actor=request.user, reason=data["reason"])
        return _detail(po_no)


urlpatterns = [
    path("suppliers/", SupplierListCreateApi.as_view(), name="supplier-list"),
    path("purchase-orders/", PurchaseOrderListCreateApi.as_view(), name="purchase-order-list"),
    path("purchase-orders/<str:po_no>/", PurchaseOrderDetailApi.as_view(), name="purchase-order-detail"),
    path("purchase-orders/<str:po_no>/submit/", PurchaseOrderSubmitApi.as_view(), name="purchase-order-submit"),
    path("purchase-orders/<str:po_no>/receive/", PurchaseOrderReceiveApi.as_view(), name="purchase-order-receive"),
    path("purchase-orders/<str:po_no>/cancel/", PurchaseOrderCancelApi.as_view(), name="purchase-order-cancel"),
    path("purchase-orders/<str:po_no>/close/", PurchaseOrderCloseApi.as_view(), name="purchase-order-close"),
]
