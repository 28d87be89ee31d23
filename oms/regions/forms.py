"""A mainland address as a form: recipient, mobile, province → city → district chosen from the lists, street
address and postal code. The lists of a bound form follow its data, so a page re-rendered after an error (or
without JavaScript) offers the cities of the chosen province and the districts of the chosen city."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from oms.regions import regions
from oms.regions.validation import check_postal_code, normalise_mobile

CHOOSE_PROVINCE = _("Choose a province")
CHOOSE_CITY = _("Choose a city")
CHOOSE_DISTRICT = _("Choose a district")


def options(names: list[str], placeholder: str) -> list[tuple[str, str]]:
    return [("", placeholder), *((name, name) for name in names)]


class MainlandAddressForm(forms.Form):
    name = forms.CharField(max_length=50, label=_("Recipient"), widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(
        max_length=20, label=_("Mobile"), widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})
    )
    province = forms.ChoiceField(
        label=_("Province"),
        error_messages={"required": _("Choose a province."), "invalid_choice": _("Choose a province from the list.")},
    )
    city = forms.ChoiceField(
        label=_("City"),
        error_messages={
            "required": _("Choose a city."),
            "invalid_choice": _("Choose a city of the chosen province."),
        },
    )
    district = forms.ChoiceField(
        label=_("District"),
        error_messages={
            "required": _("Choose a district."),
            "invalid_choice": _("Choose a district of the chosen city."),
        },
    )
    address = forms.CharField(
        max_length=200,
        label=_("Street address"),
        widget=forms.TextInput(attrs={"autocomplete": "street-address", "placeholder": _("Street, building, room")}),
    )
    postal_code = forms.CharField(
        max_length=10, label=_("Postal code"), widget=forms.TextInput(attrs={"autocomplete": "postal-code"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        province, city = self._chosen("province"), self._chosen("city")
        self._choices("province", options(regions.provinces(), str(CHOOSE_PROVINCE)))
        self._choices("city", options(regions.cities(province), str(CHOOSE_CITY)))
        self._choices("district", options(regions.districts(province, city), str(CHOOSE_DISTRICT)))

    def _chosen(self, name: str) -> str:
        source = self.data if self.is_bound else self.initial
        return str(source.get(self.add_prefix(name) if self.is_bound else name) or "")

    def _choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        cast(forms.ChoiceField, self.fields[name]).choices = choices

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "")
        return normalise_mobile(phone) if phone else phone

    def clean_postal_code(self) -> str:
        code = self.cleaned_data.get("postal_code", "")
        return check_postal_code(code) if code else code
