from django.urls import path

from oms.console.views import actions, dashboard, exceptions, inventory, orders, reports

app_name = "console"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("orders/", orders.order_list, name="orders"),
    path("orders/bulk/confirm/", orders.bulk_confirm, name="bulk-confirm"),
    path("orders/pick-list/", orders.pick_list, name="pick-list"),
    path("orders/<str:order_no>/", orders.order_detail, name="order"),
    path("orders/<str:order_no>/<slug:action>/", actions.order_action, name="order-action"),
    path("exceptions/", exceptions.exceptions, name="exceptions"),
    path("inventory/", inventory.inventory, name="inventory"),
    path("reports/", reports.reports, name="reports"),
]
