"""Planning policy per SKU and per supplier, its audit trail, and stored demand forecasts.

A policy field left empty (NULL) falls back: SKU → its supplier → the shop default (OMS_REPLENISH_* settings);
oms.planning.policy resolves them. Forecasts are computed by a periodic job (oms.planning.tasks) and stored with
the day they were made, so no page computes one.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oms.common.fields import ExactCharField


class PolicyFields(models.Model):
    """The policy inputs both levels share; each NULL means "not set here"."""

    order_cost = models.DecimalField(  # S
        _("ordering cost"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    holding_cost = models.DecimalField(  # H, absolute
        _("holding cost per unit-year"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    holding_rate = models.DecimalField(  # H as a share of the unit cost
        _("holding rate of unit cost per year"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    service_level = models.DecimalField(
        _("service level"), max_digits=5, decimal_places=4, null=True, blank=True
    )  # chance of no stock-out during a lead time
    pack_size = models.PositiveIntegerField(_("pack size"), null=True, blank=True)
    min_order_quantity = models.PositiveIntegerField(_("minimum order quantity"), null=True, blank=True)

    class Meta:
        abstract = True


def _shared_checks(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(holding_cost__isnull=True) | Q(holding_rate__isnull=True), name=f"{prefix}_one_holding"
        ),
        models.CheckConstraint(
            condition=Q(service_level__isnull=True) | Q(service_level__gt=0, service_level__lt=1),
            name=f"{prefix}_service_level_range",
        ),
        models.CheckConstraint(condition=Q(pack_size__isnull=True) | Q(pack_size__gte=1), name=f"{prefix}_pack"),
        models.CheckConstraint(condition=Q(order_cost__isnull=True) | Q(order_cost__gte=0), name=f"{prefix}_s"),
        models.CheckConstraint(condition=Q(holding_cost__isnull=True) | Q(holding_cost__gte=0), name=f"{prefix}_h"),
        models.CheckConstraint(condition=Q(holding_rate__isnull=True) | Q(holding_rate__gte=0), name=f"{prefix}_hr"),
    ]


class SupplierPolicy(PolicyFields):
    """What a supplier's SKUs use unless set on the SKU; the lead time is the supplier's own ``lead_days``."""

    supplier = models.OneToOneField(
        "purchasing.Supplier", on_delete=models.CASCADE, primary_key=True, related_name="planning_policy"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("supplier planning policy")
        verbose_name_plural = _("supplier planning policies")
        constraints = _shared_checks("supplier_policy")


class SkuPolicy(PolicyFields):
    """A SKU's own planning inputs and its usual supplier (whose policy fills what is not set here)."""

    sku = models.OneToOneField("catalog.Sku", on_delete=models.CASCADE, primary_key=True, related_name="+")
    supplier = models.ForeignKey(
        "purchasing.Supplier", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lead_days = models.PositiveIntegerField(_("lead time (days)"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("SKU planning policy")
        verbose_name_plural = _("SKU planning policies")
        constraints = [
            *_shared_checks("sku_policy"),
            models.CheckConstraint(condition=Q(lead_days__isnull=True) | Q(lead_days__gte=1), name="sku_policy_lead"),
        ]
        permissions = [("manage_planning", "Can change planning policies")]


class PolicyChange(models.Model):
    """Append-only audit of a SKU's policy: one row per field changed (who, when, old → new; empty = not set)."""

    sku = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE, related_name="+")
    field = models.CharField(max_length=32)
    old_value = models.CharField(max_length=64, blank=True)
    new_value = models.CharField(max_length=64, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["sku", "-created_at"], name="policy_change_sku_time")]


class Forecast(models.Model):
    """One SKU's daily demand forecast as made on ``made_on`` (shop date), for the whole shop or one warehouse.

    ``daily`` holds the expected units of each day from ``made_on`` on (a list of numbers, 3 decimals);
    ``history`` the units ordered on each of the days before it (the chart's past, oldest first).
    """

    sku = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE, related_name="+")
    warehouse = models.ForeignKey(
        "inventory.Warehouse", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )  # NULL: all warehouses together
    made_on = models.DateField()
    made_at = models.DateTimeField()
    method = ExactCharField(max_length=16)
    daily = models.JSONField()
    history = models.JSONField()
    mean_daily = models.DecimalField(max_digits=12, decimal_places=3)  # over the first 28 days
    sigma_daily = models.DecimalField(max_digits=12, decimal_places=3)  # one-day error
    mase = models.DecimalField(max_digits=9, decimal_places=3, null=True, blank=True)  # held-out error
    history_days = models.PositiveIntegerField()

    class Meta:
        ordering = ["-made_on", "sku_id"]
        indexes = [models.Index(fields=["made_on", "warehouse", "sku"], name="forecast_day_scope_sku")]
