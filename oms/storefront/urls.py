from django.urls import path

from oms.storefront.views import account, catalog, checkout, orders, regions, returns

app_name = "storefront"

urlpatterns = [
    path("", catalog.home, name="home"),
    path("products/<int:product_id>/", catalog.product, name="product"),
    path("cart/", catalog.cart, name="cart"),
    path("cart/add/", catalog.cart_add, name="cart-add"),
    path("cart/update/", catalog.cart_update, name="cart-update"),
    path("checkout/", checkout.checkout, name="checkout"),
    path("checkout/regions/cities/", regions.cities, name="region-cities"),
    path("checkout/regions/districts/", regions.districts, name="region-districts"),
    path("signup/", account.signup, name="signup"),
    path("login/", account.ShopLoginView.as_view(), name="login"),
    path("logout/", account.ShopLogoutView.as_view(), name="logout"),
    path("orders/", orders.my_orders, name="orders"),
    path("orders/<str:order_no>/", orders.order, name="order"),
    path("orders/<str:order_no>/pay/", orders.pay, name="pay"),
    path("orders/<str:order_no>/cancel/", orders.cancel, name="cancel"),
    path("orders/<str:order_no>/confirm-receipt/", orders.receipt, name="confirm-receipt"),
    path("orders/<str:order_no>/returns/", returns.request_return, name="request-return"),
    path("orders/<str:order_no>/returns/<int:return_id>/ship/", returns.ship_return, name="return-ship"),
    path("orders/<str:order_no>/returns/<int:return_id>/cancel/", returns.cancel_return, name="return-cancel"),
    path("returns/", returns.my_returns, name="returns"),
]
