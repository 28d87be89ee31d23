"""Planning endpoints (staff only): a SKU's policy, replenishment suggestions, a purchase order drafted from them."""

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

from oms.catalog.models import Sku
from oms.common.errors import NotFound
from oms.common.pagination import StandardPagination
from oms.common.request_types import AuthenticatedRequest
from oms.inventory.models import Warehouse
from oms.planning import selectors, services
from oms.planning.models import SkuPolicy
from oms.planning.policy import policies_for
from oms.planning.serializers import (
    FromSuggestionsIn,
    PolicyPatchIn,
    SkuPlanningOut,
    SuggestionFiltersIn,
    SuggestionOut,
)
from oms.purchasing.selectors import purchase_order_detail, supplier_by_code
from oms.purchasing.serializers import PurchaseOrderOut

VIEW_PLANNING = "inventory.view_stock"
MANAGE_PLANNING = "planning.manage_planning"
MANAGE_POS = "purchasing.manage_purchase_orders"


def _require(request: Request, perm: str) -> None:
    if not (request.user.is_staff and request.user.has_perm(perm)):
        raise PermissionDenied(_("Only inventory staff may do this."))


def _body(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    data: dict[str, Any] = body.validated_data
    return data


def _sku(code: str) -> Sku:
    found = None if "\x00" in code else Sku.objects.filter(code=code).first()
    if found is None:
        raise NotFound(_("No SKU %(code)s.") % {"code": code}, details={"sku": code})
    return found


def _warehouse(code: str) -> Warehouse:
    found = None if "\x00" in code else Warehouse.objects.filter(code=code).first()
    if found is None:
        raise NotFound(
            _("No warehouse %(code)s; GET /api/v1/warehouses/ lists them.") % {"code": code},
            details={"warehouse": code},
        )
    return found


def sku_planning(sku: Sku) -> dict[str, Any]:
    own = SkuPolicy.objects.filter(sku=sku).select_related("supplier").first()
    return {
        "sku": sku.code,
        "own": own,
        "effective": policies_for([sku.pk])[sku.pk],
        "changes": selectors.policy_changes(sku_id=sku.pk),
    }


class SkuPlanningApi(APIView):
    @extend_schema(responses=SkuPlanningOut)
    def get(self, request: Request, code: str) -> Response:
        """The SKU's own policy fields (null: not set), the effective policy with where each value comes from
        (``sku``, ``supplier`` or ``default``), and the audit of changes, newest first."""
        _require(request, VIEW_PLANNING)
        return Response(SkuPlanningOut(sku_planning(_sku(code))).data)

    @extend_schema(request=PolicyPatchIn, responses=SkuPlanningOut)
    def patch(self, request: AuthenticatedRequest, code: str) -> Response:
        """Set or clear (``null``) policy fields; each change is recorded with who made it and the old value."""
        _require(request, MANAGE_PLANNING)
        sku = _sku(code)
        data = _body(PolicyPatchIn, request)
        if data.get("supplier") is not None:
            data["supplier"] = supplier_by_code(data["supplier"])
        services.update_sku_policy(sku=sku, changes=data, actor=request.user)
        return Response(SkuPlanningOut(sku_planning(sku)).data)


class SuggestionListApi(APIView):
    @extend_schema(parameters=[SuggestionFiltersIn], responses=SuggestionOut(many=True))
    def get(self, request: Request) -> Response:
        """Every active SKU's suggestion, most urgent first (order-by date, then stock-out date); ``due=true``
        only those to reorder now; ``warehouse`` plans one warehouse; ``sku`` (repeatable) some SKUs."""
        _require(request, VIEW_PLANNING)
        filters = SuggestionFiltersIn(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        warehouse = _warehouse(data["warehouse"]) if data.get("warehouse") else None
        sku_ids = (
            list(Sku.objects.filter(code__in=data["sku"]).values_list("pk", flat=True)) if data.get("sku") else None
        )
        found = selectors.planning_suggestions(sku_ids=sku_ids, warehouse=warehouse)
        if data["due"]:
            found = [s for s in found if s.reorder_now]
        paginator = StandardPagination()
        page: list[selectors.Suggestion] | None = paginator.paginate_queryset(found, request, view=self)  # type: ignore[arg-type]
        return paginator.get_paginated_response(SuggestionOut(page, many=True).data)


class PurchaseOrderFromSuggestionsApi(APIView):
    @extend_schema(request=FromSuggestionsIn, responses={201: PurchaseOrderOut})
    def post(self, request: AuthenticatedRequest) -> Response:
        """A draft purchase order of the suggested quantities for ``skus`` (those that need nothing are left out)."""
        _require(request, MANAGE_POS)
        data = _body(FromSuggestionsIn, request)
        po = services.draft_purchase_order_from_suggestions(
            supplier=supplier_by_code(data["supplier"]),
            warehouse=_warehouse(data["warehouse"]),
            sku_codes=data["skus"],
            actor=request.user,
            note=data["note"],
        )
        return Response(PurchaseOrderOut(purchase_order_detail(po_no=po.po_no)).data, status=status.HTTP_201_CREATED)


# Before purchasing's URLs: "purchase-orders/from-suggestions/" would otherwise read as a PO number.
urlpatterns = [
    path("skus/<str:code>/planning/", SkuPlanningApi.as_view(), name="sku-planning"),
    path("planning/suggestions/", SuggestionListApi.as_view(), name="planning-suggestions"),
    path(
        "purchase-orders/from-suggestions/",
        PurchaseOrderFromSuggestionsApi.as_view(),
        name="purchase-order-from-suggestions",
    ),
]
