from django.urls import path

from oms.console.views import actions, dashboard, exceptions, inventory, orders, purchasing, reports, returns

app_name = "console"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("orders/", orders.order_list, name="orders"),
    path("orders/bulk/confirm/", orders.bulk_confirm, name="bulk-confirm"),
    path("orders/pick-list/", orders.pick_list, name="pick-list"),
    path("orders/<str:order_no>/", orders.order_detail, name="order"),
    path("orders/<str:order_no>/<slug:action>/", actions.order_action, name="order-action"),
    path("returns/", returns.return_list, name="returns"),
    path("returns/<int:return_id>/<slug:action>/", returns.return_action, name="return-action"),
    path("exceptions/", exceptions.exceptions, name="exceptions"),
    path("inventory/", inventory.inventory, name="inventory"),
    path("inventory/<str:code>/planning/", inventory.sku_planning, name="sku-planning"),
    path("purchase-orders/", purchasing.purchase_order_list, name="purchase-orders"),
    path("purchase-orders/new/", purchasing.purchase_order_new, name="purchase-order-new"),
    path(
        "purchase-orders/from-suggestions/",
        purchasing.create_from_suggestions,
        name="purchase-order-from-suggestions",
    ),
    path("purchase-orders/<str:po_no>/", purchasing.purchase_order_detail, name="purchase-order"),
    path(
        "purchase-orders/<str:po_no>/<slug:action>/",
        purchasing.purchase_order_action,
        name="purchase-order-action",
    ),
    path("reports/", reports.reports, name="reports"),
]
