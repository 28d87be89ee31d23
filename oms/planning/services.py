"""Planning writes: a SKU's policy (audited), the stored forecasts, and purchase orders drafted from suggestions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.catalog.models import Sku
from oms.common.errors import ValidationFailed
from oms.inventory.models import Warehouse
from oms.planning import forecasting
from oms.planning.demand import daily_demand
from oms.planning.models import Forecast, PolicyChange, SkuPolicy
from oms.planning.policy import FIELDS
from oms.planning.selectors import planning_suggestions
from oms.purchasing.models import PurchaseOrder, Supplier
from oms.purchasing.services import PurchaseLineInput, create_purchase_order

Progress = Callable[[int, int], None]  # (SKUs done, SKUs in all)
CHART_HISTORY_DAYS = 90
FORECAST_BATCH = 1000

# --- Policy -----------------------------------------------------------------------------------------------------


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Supplier):
        return value.code
    if isinstance(value, Decimal):  # 0.3 as typed and 0.3000 as stored read the same
        return f"{value.normalize():f}"
    return str(value)


def update_sku_policy(*, sku: Sku, changes: Mapping[str, Any], actor: User | None) -> SkuPolicy:
    """Set (or clear, with None) fields of ``sku``'s policy; one PolicyChange row per field that changed.

    ``changes`` maps names of ``oms.planning.policy.FIELDS`` to values already parsed (``supplier`` a Supplier).
    Setting ``holding_cost`` clears ``holding_rate`` and the other way round (one holding cost). Locks the SKU's
    policy row. Raises ValidationFailed.
    """
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise ValidationFailed(_("Unknown policy fields."), details={"unknown": unknown})
    wanted = dict(changes)
    if wanted.get("holding_cost") is not None and wanted.get("holding_rate") is not None:
        raise ValidationFailed(
            _("Give the holding cost either per unit-year or as a rate of the unit cost, not both."),
            details={"holding_cost": str(wanted["holding_cost"]), "holding_rate": str(wanted["holding_rate"])},
        )
    if wanted.get("holding_cost") is not None:
        wanted.setdefault("holding_rate", None)
    if wanted.get("holding_rate") is not None:
        wanted.setdefault("holding_cost", None)
    level = wanted.get("service_level")
    if level is not None and not Decimal("0") < level < Decimal("1"):
        raise ValidationFailed(
            _("The service level is between 0 and 1, e.g. 0.95."), details={"service_level": str(level)}
        )
    now = timezone.now()
    with transaction.atomic():
        policy, _created = SkuPolicy.objects.select_for_update().get_or_create(sku=sku)
        audit = []
        for name, value in wanted.items():
            old = getattr(policy, name)
            if _shown(old) == _shown(value):
                continue
            setattr(policy, name, value)
            audit.append(
                PolicyChange(
                    sku=sku, field=name, old_value=_shown(old), new_value=_shown(value), actor=actor, created_at=now
                )
            )
        if audit:
            policy.save()
            PolicyChange.objects.bulk_create(audit)
    return policy


# --- Forecasts --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForecastRun:
    made_on: date
    warehouse: str | None
    skus: int


def _trimmed(series: list[int], *, first_day: date, created_on: date) -> list[int]:
    """The history from when the SKU began: its creation or its first order, whichever is earlier.

    A SKU created ten days ago has ten days of history, not 172 days of zeros before it existed (which would read as
    "sells almost nothing"); demo and imported SKUs whose orders predate their row start at the first order.
    """
    first_sale = next((i for i, units in enumerate(series) if units), len(series))
    start = min(max((created_on - first_day).days, 0), first_sale)
    return series[start:]


def compute_forecasts(
    *,
    today: date | None = None,
    warehouse: Warehouse | None = None,
    sku_ids: list[int] | None = None,
    progress: Progress | None = None,
) -> ForecastRun:
    """Forecast the daily demand of every active SKU (or ``sku_ids``) from the history before ``today`` and store
    it as made on ``today`` — replacing a forecast of the same day and scope. With ``warehouse``, the demand
    that warehouse was asked to supply, for SKUs stocked there. Works in batches of FORECAST_BATCH SKUs, each
    one short transaction (no lock on anything but the forecast rows it replaces).
    """
    today = today or timezone.localdate()
    history_days = settings.OMS_PLANNING_HISTORY_DAYS
    horizon = settings.OMS_PLANNING_HORIZON_DAYS
    first_day = today - timedelta(days=history_days)
    skus = Sku.objects.filter(is_active=True)
    if warehouse is not None:
        skus = skus.filter(stocks__warehouse=warehouse)
    if sku_ids is not None:
        skus = skus.filter(pk__in=sku_ids)
    rows = list(skus.order_by("pk").values_list("pk", "created_at").distinct())
    total = len(rows)
    made_at = timezone.now()
    warehouse_id = warehouse.pk if warehouse is not None else None
    for start in range(0, total, FORECAST_BATCH):
        batch = rows[start : start + FORECAST_BATCH]
        ids = [pk for pk, _created in batch]
        demand = daily_demand(first_day=first_day, days=history_days, sku_ids=ids, warehouse_id=warehouse_id)
        zeros = [0] * history_days
        histories = [
            _trimmed(demand.get(pk, zeros), first_day=first_day, created_on=timezone.localtime(created).date())
            for pk, created in batch
        ]
        found = forecasting.forecast_histories(histories, horizon=horizon)
        with transaction.atomic():
            same_day = Forecast.objects.filter(made_on=today, sku_id__in=ids)
            if warehouse_id is None:
                same_day = same_day.filter(warehouse__isnull=True)
            else:
                same_day = same_day.filter(warehouse_id=warehouse_id)
            same_day.delete()
            Forecast.objects.bulk_create(
                [
                    _forecast_row(
                        sku_id=pk,
                        warehouse_id=warehouse_id,
                        today=today,
                        made_at=made_at,
                        result=result,
                        history=demand.get(pk, zeros)[-CHART_HISTORY_DAYS:],
                    )
                    for (pk, _created), result in zip(batch, found, strict=True)
                ]
            )
        if progress is not None:
            progress(min(start + FORECAST_BATCH, total), total)
    return ForecastRun(made_on=today, warehouse=warehouse.code if warehouse else None, skus=total)


def _forecast_row(
    *,
    sku_id: int,
    warehouse_id: int | None,
    today: date,
    made_at: Any,
    result: forecasting.Forecast,
    history: list[int],
) -> Forecast:
    daily = [round(float(units), 3) for units in result.daily]
    return Forecast(
        sku_id=sku_id,
        warehouse_id=warehouse_id,
        made_on=today,
        made_at=made_at,
        method=result.method,
        daily=daily,
        history=history,
        mean_daily=Decimal(str(round(sum(daily[:28]) / max(len(daily[:28]), 1), 3))),
        sigma_daily=Decimal(str(round(result.sigma, 3))),
        mase=None if result.mase is None else Decimal(str(round(min(result.mase, 999999.0), 3))),
        history_days=result.history_days,
    )


def compute_all_forecasts(*, today: date | None = None, progress: Progress | None = None) -> list[ForecastRun]:
    """The periodic job: the whole shop, then each active warehouse; forecasts older than OMS_PLANNING_KEEP_DAYS
    are deleted (they stay long enough to compare what was forecast with what came)."""
    today = today or timezone.localdate()
    runs = [compute_forecasts(today=today, progress=progress)]
    for warehouse in Warehouse.objects.filter(is_active=True).order_by("priority", "code"):
        runs.append(compute_forecasts(today=today, warehouse=warehouse, progress=progress))
    Forecast.objects.filter(made_on__lt=today - timedelta(days=settings.OMS_PLANNING_KEEP_DAYS)).delete()
    return runs


# --- Purchase orders from suggestions ---------------------------------------------------------------------------


def draft_purchase_order_from_suggestions(
    *,
    supplier: Supplier,
    warehouse: Warehouse,
    sku_codes: list[str],
    actor: User | None,
    note: str = "",
) -> PurchaseOrder:
    """One draft PO for the selected SKUs, each line its suggested quantity (oms.planning.selectors).

    SKUs that need nothing now (their inventory position is above the reorder point, e.g. a PO for them is
    already open, or they are inactive) are left out; if that leaves nothing, ValidationFailed. Compare the PO's
    lines with ``sku_codes`` to tell which were left out.
    """
    codes = list(dict.fromkeys(code.strip() for code in sku_codes if code.strip()))
    if not codes:
        raise ValidationFailed(_("Select at least one SKU to order."), details={"skus": [_("At least one SKU.")]})
    ids = dict(Sku.objects.filter(code__in=codes).values_list("code", "pk"))
    unknown = [code for code in codes if code not in ids]
    if unknown:
        raise ValidationFailed(
            _("Unknown SKU(s): %(codes)s.") % {"codes": ", ".join(unknown)}, details={"unknown_skus": unknown}
        )
    wanted = {s.code: s.quantity for s in planning_suggestions(sku_ids=list(ids.values()))}
    lines = [PurchaseLineInput(sku=code, quantity=wanted[code]) for code in codes if wanted.get(code)]
    if not lines:
        raise ValidationFailed(
            _(
                "None of the selected SKUs needs ordering now: their stock plus what is already on order is above "
                "the reorder point."
            ),
            details={"not_needed": codes},
        )
    return create_purchase_order(
        supplier=supplier,
        warehouse=warehouse,
        lines=lines,
        actor=actor,
        note=note or _("From replenishment suggestions"),
    )
