from __future__ import annotations

from decimal import Decimal

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.catalog import selectors, services
from oms.common.api import StrictSerializer
from oms.common.pagination import StandardPagination


class SkuOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    available = serializers.IntegerField()


class SkuIn(StrictSerializer):
    code = serializers.RegexField(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$", max_length=64)
    name = serializers.CharField(max_length=200)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.00"))


class SkuFiltersIn(serializers.Serializer):
    code = serializers.CharField(max_length=64, required=False)
    q = serializers.CharField(max_length=100, required=False)


class SkuListCreateApi(APIView):
    @extend_schema(parameters=[SkuFiltersIn], responses=SkuOut(many=True))
    def get(self, request: Request) -> Response:
        filters = SkuFiltersIn(data=request.query_params)
        filters.is_valid(raise_exception=True)
        skus = selectors.skus_with_availability(
            code=filters.validated_data.get("code"), search=filters.validated_data.get("q")
        )
        paginator = StandardPagination()
        page = paginator.paginate_queryset(skus, request, view=self)
        return paginator.get_paginated_response(SkuOut(page, many=True).data)

    @extend_schema(request=SkuIn, responses={201: SkuOut})
    def post(self, request: Request) -> Response:
        if not request.user.has_perm("catalog.manage_catalog"):
            raise PermissionDenied(_("Only catalog staff may create SKUs."))
        body = SkuIn(data=request.data)
        body.is_valid(raise_exception=True)
        sku = services.create_sku(**body.validated_data)
        sku = selectors.skus_with_availability(code=sku.code).get()
        return Response(SkuOut(sku).data, status=status.HTTP_201_CREATED)


urlpatterns = [path("skus/", SkuListCreateApi.as_view(), name="sku-list")]
