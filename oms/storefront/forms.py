"""Storefront forms. Address rules are those of a mainland address (oms.regions), stricter than the API's."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth.forms import UserCreationForm
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oms.aftersales.services import ReturnLineInput
from oms.regions.forms import MainlandAddressForm
from oms.regions.regions import format_address
from oms.storefront.selectors import ADDRESS_FIELDS


class SignUpForm(UserCreationForm):
    """Username and password, checked as Django checks them, except that it never says a username is taken:
    the sign-up answers a taken username exactly as a free one (oms.accounts.services.register_customer)."""

    def clean_username(self) -> str:
        return self.cleaned_data.get("username", "")  # Django's version refuses a taken username, saying so

    def validate_unique(self) -> None:
        pass  # the model's unique check would say "A user with that username already exists."


class AddToCartForm(forms.Form):
    sku = forms.CharField(max_length=64, widget=forms.HiddenInput)
    quantity = forms.IntegerField(min_value=1, max_value=settings.OMS_MAX_LINE_QUANTITY, initial=1)


class CartUpdateForm(forms.Form):
    sku = forms.CharField(max_length=64)
    quantity = forms.IntegerField(min_value=0, max_value=settings.OMS_MAX_LINE_QUANTITY)


class AddressForm(MainlandAddressForm):
    """The shop ships inside mainland China: a mainland address (oms.regions.forms), its province → city → district
    lists refreshed by htmx when a list above changes (oms.storefront.views.regions), by the server without it."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        include = f"#{self['province'].auto_id}"
        self.fields["city"].widget.attrs.update(
            {
                "hx-get": reverse("storefront:region-cities"),
                "hx-trigger": f"change from:{include}",
                "hx-include": include,
            }
        )
        self.fields["district"].widget.attrs.update(
            {
                "hx-get": reverse("storefront:region-districts"),
                "hx-trigger": f"change from:{include}, change from:#{self['city'].auto_id}",
                "hx-include": f"{include}, #{self['city'].auto_id}",
            }
        )


NEW_ADDRESS = "new"


class CheckoutForm(AddressForm):
    """Pick a saved address or type a new one; pay with Alipay or the store balance.

    The choice is explicit: a saved address, or "A new address" with the typed fields. A typed address is never
    dropped in favour of a saved one: typing while a saved address is chosen is an error asking which one is meant.
    ``idempotency_key`` is drawn when the form is shown, so submitting the same page twice places one order.
    """

    saved_address = forms.ChoiceField(required=False, widget=forms.RadioSelect, label=_("Ship to"))
    payment_method = forms.ChoiceField(
        choices=[("alipay", _("Alipay")), ("balance", _("Store balance (payment password)"))],
        widget=forms.RadioSelect,
        initial="alipay",
        label=_("Pay with"),
    )
    idempotency_key = forms.CharField(max_length=128, widget=forms.HiddenInput)

    def __init__(self, *args, addresses: list[dict[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.addresses = addresses
        cast(forms.ChoiceField, self.fields["saved_address"]).choices = [
            *((str(i), format_address(a)) for i, a in enumerate(addresses)),
            (NEW_ADDRESS, _("A new address")),
        ]
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
            self.initial.setdefault("saved_address", "0" if addresses else NEW_ADDRESS)
        if self.data.get(self.add_prefix("saved_address"), NEW_ADDRESS) != NEW_ADDRESS:
            for name in ADDRESS_FIELDS:  # a saved address is used as it is
                self.fields[name].required = False

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        choice = data.get("saved_address") or NEW_ADDRESS
        typed = any(str(self.data.get(self.add_prefix(name), "")).strip() for name in ADDRESS_FIELDS)
        if choice != NEW_ADDRESS and typed:
            self.add_error(
                "saved_address",
                _(
                    "You typed a new address but chose a saved one. Choose “A new address” to ship to what you "
                    "typed, or clear the typed fields to use the saved address."
                ),
            )
        return data

    # AddressForm's ``address`` is a form field (kept in base_fields); here it is the chosen address.
    def address(self) -> dict[str, str]:  # type: ignore[override]
        choice = self.cleaned_data.get("saved_address") or NEW_ADDRESS
        if choice != NEW_ADDRESS:
            return dict(self.addresses[int(choice)])
        return {name: self.cleaned_data[name] for name in ADDRESS_FIELDS}

    def address_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ADDRESS_FIELDS]


class PayForm(forms.Form):
    method = forms.ChoiceField(choices=[("alipay", _("Alipay")), ("balance", _("Store balance"))], label=_("Method"))
    payment_password = forms.CharField(
        max_length=32,
        required=False,
        strip=False,
        label=_("Payment password"),
        widget=forms.PasswordInput(attrs={"inputmode": "numeric"}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("method") == "balance" and not data.get("payment_password"):
            self.add_error("payment_password", _("Enter your 6-digit payment password to pay with balance."))
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=200, required=False, label=_("Reason"))


class ReturnRequestForm(forms.Form):
    """How many units of each returnable SKU go back, and why. The service checks the numbers again."""

    reason = forms.CharField(max_length=255, label=_("Why are they going back?"))

    def __init__(self, *args, returnable: list[dict], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rows = [row for row in returnable if row["returnable"] > 0]
        for row in self.rows:
            self.fields[f"qty_{row['sku']}"] = forms.IntegerField(
                min_value=0, max_value=row["returnable"], required=False, initial=0, label=row["name"]
            )
        self.order_fields([f"qty_{row['sku']}" for row in self.rows])

    def line_fields(self) -> list[tuple[dict, forms.BoundField]]:
        return [(row, self[f"qty_{row['sku']}"]) for row in self.rows]

    def chosen(self) -> list[tuple[dict, int]]:
        """(returnable row, units going back) per SKU the customer chose."""
        counts = [(row, self.cleaned_data.get(f"qty_{row['sku']}")) for row in self.rows]
        return [(row, count) for row, count in counts if count]

    def items(self) -> list[ReturnLineInput]:
        return [ReturnLineInput(sku=row["sku"], quantity=count) for row, count in self.chosen()]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not self.errors and not self.items():
            raise forms.ValidationError(_("Choose how many units of which item to send back."))
        return data


class ReturnShipForm(forms.Form):
    carrier = forms.CharField(max_length=32, label=_("Carrier"), help_text=_("The courier you sent the parcel with"))
    tracking_no = forms.CharField(max_length=64, label=_("Tracking number"))
