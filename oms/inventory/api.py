from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.catalog.models import Sku
from oms.common.api import StrictSerializer
from oms.common.errors import NotFound
from oms.common.request_types import AuthenticatedRequest
from oms.inventory import services
from oms.inventory.models import Warehouse


class WarehouseOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    priority = serializers.IntegerField()
    region = serializers.CharField()
    is_active = serializers.BooleanField()


class StockIn(StrictSerializer):
    warehouse = serializers.CharField(max_length=32)
    on_hand = serializers.IntegerField(min_value=0, max_value=1_000_000_000)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class StockOut(serializers.Serializer):
    sku = serializers.CharField(source="sku.code")
    warehouse = serializers.CharField(source="warehouse.code")
    on_hand = serializers.IntegerField()
    reserved = serializers.IntegerField()
    available = serializers.IntegerField()


def _require(request: Request, perm: str, refusal: str) -> None:
    """``refusal`` is the whole message (translated), so that each language can word it as a sentence."""
    if not (request.user.is_staff and request.user.has_perm(perm)):
        raise PermissionDenied(refusal)


class WarehouseListApi(APIView):
    @extend_schema(responses=WarehouseOut(many=True))
    def get(self, request: Request) -> Response:
        _require(request, "inventory.view_warehouse", _("Only staff may list warehouses."))
        return Response(WarehouseOut(Warehouse.objects.all(), many=True).data)


class SkuStockApi(APIView):
    @extend_schema(responses=StockOut(many=True))
    def get(self, request: Request, code: str) -> Response:
        _require(request, "inventory.view_stock", _("Only staff may see stock per warehouse."))
        sku = _sku(code)
        return Response(StockOut(sku.stocks.select_related("sku", "warehouse"), many=True).data)

    @extend_schema(request=StockIn, responses=StockOut)
    def put(self, request: AuthenticatedRequest, code: str) -> Response:
        _require(request, "inventory.manage_stock", _("Only staff may set stock levels."))
        body = StockIn(data=request.data)
        body.is_valid(raise_exception=True)
        sku = _sku(code)
        warehouse = Warehouse.objects.filter(code=body.validated_data["warehouse"]).first()
        if warehouse is None:
            raise NotFound(
                _("No warehouse %(code)s; GET /api/v1/warehouses/ lists them.")
                % {"code": body.validated_data["warehouse"]}
            )
        stock = services.set_stock_level(
            sku=sku,
            warehouse=warehouse,
            on_hand=body.validated_data["on_hand"],
            actor=request.user,
            note=body.validated_data["note"],
        )
        return Response(StockOut(stock).data)


def _sku(code: str) -> Sku:
    # No SKU code holds a NUL, and PostgreSQL rejects one in a query parameter (a 500) instead of matching.
    sku = None if "\x00" in code else Sku.objects.filter(code=code).first()
    if sku is None:
        raise NotFound(_("No SKU %(code)s.") % {"code": code})
    return sku


urlpatterns = [
    path("warehouses/", WarehouseListApi.as_view(), name="warehouse-list"),
    path("skus/<str:code>/stock/", SkuStockApi.as_view(), name="sku-stock"),
]
