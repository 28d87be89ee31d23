from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oms.catalog.models import Product
from oms.catalog.selectors import skus_with_availability
from oms.storefront import selectors
from oms.storefront.cart import Cart
from oms.storefront.forms import AddToCartForm, CartUpdateForm
from oms.web_vendor.helpers import is_htmx, safe_next

PAGE_SIZE = 24


def home(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:64]
    page = Paginator(selectors.products(search=search or None), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "storefront/home.html", {"page": page, "q": search})


def product(request: HttpRequest, product_id: int) -> HttpResponse:
    item = get_object_or_404(Product, pk=product_id, is_active=True)
    skus = list(selectors.product_skus(item))
    if not skus:
        return render(
            request, "storefront/not_found.html", {"message": _("This product is not sold any more.")}, status=404
        )
    return render(request, "storefront/product.html", {"product": item, "skus": skus, "form": AddToCartForm()})


@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    form = AddToCartForm(request.POST)
    sku = None
    if form.is_valid():
        sku = skus_with_availability(code=form.cleaned_data["sku"]).first()
    cart = Cart(request.session)
    if sku is None:
        note, ok = _("That item is not sold any more, or the quantity is not valid."), False
    else:
        quantity = cart.add(sku.code, form.cleaned_data["quantity"])
        ok = quantity > 0
        if ok:
            note = _("Added to your cart: %(name)s (now %(quantity)s).") % {"name": sku.name, "quantity": quantity}
        else:
            note = _("Your cart is full.")
    if is_htmx(request):
        return render(request, "storefront/_cart_added.html", {"note": note, "ok": ok, "cart_count": len(cart)})
    (messages.success if ok else messages.error)(request, note)
    return redirect(safe_next(request, "/cart/"))


def cart(request: HttpRequest) -> HttpResponse:
    cart = Cart(request.session)
    lines = cart.lines()
    return render(request, "storefront/cart.html", {"lines": lines, "totals": cart.totals(lines)})


@require_POST
def cart_update(request: HttpRequest) -> HttpResponse:
    form = CartUpdateForm(request.POST)
    if form.is_valid():
        Cart(request.session).set(form.cleaned_data["sku"], form.cleaned_data["quantity"])
    else:
        messages.error(request, _("Enter a quantity from 0 to 999."))
    return redirect("storefront:cart")
