"""What ``oms demo`` makes, without touching the database: its data tables (warehouses, catalog, names, places,
carriers) and the deterministic choices drawn from them — prices, addresses, and each order's story.

Every choice comes from a ``random.Random`` seeded with the run's seed and a label, so the same seed always
yields the same demo; the command (oms.runtime.management.commands.demo) writes it through the services.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings

from oms.orders.services import OrderLineInput
from oms.orders.states import OrderStatus

S = OrderStatus
HISTORY = timedelta(days=90)  # how far back the demo orders go
# A failed payment waits in the console's exception queue for staff (retry or cancel). The demo keeps its payment
# window open this long, so the expiry job does not cancel it at the server's first minute.
HELD_FOR_STAFF = timedelta(days=365)
# alice's store balance and payment password, so paying with balance can be tried at once
DEMO_BALANCE = Decimal("10000.00")
DEMO_PAYMENT_PASSWORD = "123456"

# --- Tables ------------------------------------------------------------------------------------------------

# (code, name, priority, region)
WAREHOUSES = [
    ("SH-01", "Shanghai East", 1, "Shanghai"),
    ("BJ-01", "Beijing", 2, "Beijing"),
    ("GZ-01", "Guangzhou", 3, "Guangdong"),
    ("CD-01", "Chengdu", 4, "Sichuan"),
]

# fmt: off
# Data tables, kept one row a line.
# (code prefix, price range in CNY, variants as (code, label, price factor), product names)
CATALOG: list[tuple[str, tuple[int, int], list[tuple[str, str, float]], list[str]]] = [
    ("TEA", (28, 160), [("50G", "50g tin", 1.0), ("100G", "100g tin", 1.8), ("250G", "250g gift box", 4.0)],
     ["West Lake Longjing", "Anxi Tieguanyin", "Yunnan Pu'er", "Biluochun", "Wuyi Da Hong Pao",
      "Jasmine Silver Needle", "Keemun Black", "Fuding White Peony", "Lapsang Souchong", "Anji White Tea",
      "Huangshan Maofeng", "Dianhong Golden Tips"]),
    ("TW", (25, 260), [("CEL", "celadon", 1.0), ("WHT", "white", 1.0), ("BLK", "ink black", 1.1)],
     ["Gaiwan 150ml", "Yixing Clay Teapot", "Tea Pitcher", "Bamboo Tea Tray", "Travel Tea Set",
      "Tea Canister", "Porcelain Tea Set", "Glass Tea Kettle", "Tea Strainer", "Tea Pet Frog", "Fair Cup",
      "Tea Towel Set"]),
    ("CUP", (19, 129), [("WHT", "white", 1.0), ("BLU", "sky blue", 1.0), ("RED", "cinnabar red", 1.1)],
     ["Double-wall Glass Cup", "Ceramic Mug 350ml", "Thermos Flask 500ml", "Bone China Cup",
      "Bamboo Fibre Cup", "Kids Straw Cup", "Office Mug with Lid", "Espresso Cup Pair", "Camping Enamel Mug",
      "Stainless Travel Tumbler"]),
    ("CL", (59, 599), [("S", "S", 1.0), ("M", "M", 1.0), ("L", "L", 1.0), ("XL", "XL", 1.05)],
     ["Cotton Crew T-shirt", "Linen Shirt", "Fleece Hoodie", "Down Jacket", "Silk Qipao Dress", "Slim Jeans",
      "Tang Jacket", "Running Shorts", "Wool Sweater", "Trench Coat", "Pajama Set", "Polo Shirt",
      "Cargo Trousers", "Windbreaker", "Knitted Cardigan", "Hanfu Skirt"]),
    ("SH", (129, 699), [("38", "EU 38", 1.0), ("40", "EU 40", 1), ("42", "EU 42", 1), ("44", "EU 44", 1)],
     ["Canvas Sneakers", "Running Shoes", "Cloth Shoes", "Leather Loafers", "Hiking Boots", "Slippers"]),
    ("EL", (49, 1299), [("BLK", "black", 1.0), ("WHT", "white", 1.0)],
     ["Power Bank 10000mAh", "GaN Charger 65W", "Bluetooth Earbuds", "Smart Band", "Mechanical Keyboard",
      "Wireless Mouse", "USB-C Hub", "Desk Lamp", "Portable Speaker", "Action Camera", "E-reader",
      "Electric Toothbrush", "Mini Projector", "Dash Cam"]),
    ("SN", (9, 69), [("1", "single", 1.0), ("6PK", "6-pack", 5.2)],
     ["Spicy Beef Jerky", "Sunflower Seeds", "Pineapple Cake", "Dried Mango", "Wasabi Peas",
      "White Rabbit Candy", "Mooncake Lotus", "Egg Rolls", "Sichuan Hotpot Base", "Osmanthus Cake",
      "Walnut Cookies", "Roasted Seaweed"]),
    ("HM", (29, 399), [("STD", "standard", 1.0), ("LG", "large", 1.5)],
     ["Silk Pillowcase", "Bamboo Cutting Board", "Rice Cooker Liner", "Cotton Bath Towel", "Aroma Diffuser",
      "Storage Basket", "Wok 32cm", "Chopstick Set", "Floor Mat", "Lantern Lamp"]),
    ("ST", (6, 89), [("BLK", "black", 1.0), ("BLU", "blue", 1.0), ("RED", "red", 1.0)],
     ["Gel Pen 12-pack", "Calligraphy Brush Set", "Dot Grid Notebook", "Washi Tape Set", "Fountain Pen",
      "Sticky Notes", "Ink Stone", "Desk Organizer"]),
]
INACTIVE_EVERY = 97  # every 97th SKU is discontinued, so the admin's "active" filter has something to show

SURNAMES = ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou",
            "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Luo", "Gao"]
GIVEN_NAMES = ["Wei", "Fang", "Na", "Min", "Jing", "Lei", "Qiang", "Yan", "Jie", "Juan",
               "Tao", "Ming", "Chao", "Xiu", "Hui", "Yu", "Hao", "Ting", "Xin", "Bo"]
EXTRA_CUSTOMERS = 40

# (province, city, districts, postal code prefix)
PLACES = [
    ("Shanghai", "Shanghai", ["Pudong New Area", "Xuhui", "Jing'an", "Huangpu", "Minhang", "Yangpu"], "200"),
    ("Beijing", "Beijing", ["Chaoyang", "Haidian", "Dongcheng", "Xicheng", "Fengtai"], "100"),
    ("Guangdong", "Guangzhou", ["Tianhe", "Yuexiu", "Haizhu", "Panyu"], "510"),
    ("Guangdong", "Shenzhen", ["Nanshan", "Futian", "Luohu", "Bao'an"], "518"),
    ("Sichuan", "Chengdu", ["Wuhou", "Jinjiang", "Qingyang", "Chenghua"], "610"),
    ("Zhejiang", "Hangzhou", ["Xihu", "Shangcheng", "Binjiang", "Yuhang"], "310"),
    ("Jiangsu", "Nanjing", ["Gulou", "Xuanwu", "Jianye", "Qinhuai"], "210"),
    ("Jiangsu", "Suzhou", ["Gusu", "Wuzhong", "Xiangcheng"], "215"),
    ("Hubei", "Wuhan", ["Wuchang", "Hongshan", "Jianghan"], "430"),
    ("Chongqing", "Chongqing", ["Yuzhong", "Jiangbei", "Nan'an"], "400"),
    ("Shaanxi", "Xi'an", ["Yanta", "Beilin", "Lianhu"], "710"),
    ("Fujian", "Xiamen", ["Siming", "Huli"], "361"),
]
STREETS = ["Renmin Road", "Jiefang Road", "Zhongshan Road", "Century Avenue", "Huaihai Road", "Jianguo Road",
           "Xinhua Road", "Heping Road", "Wenhua Road", "Keji Road", "Binjiang Avenue", "Changjiang Road"]
CANCEL_REASONS = ["Changed my mind", "Ordered the wrong size", "Found it cheaper elsewhere",
                  "Wrong shipping address", "Duplicate order"]
CARRIERS = [("SF Express", "SF"), ("JD Logistics", "JD"), ("ZTO Express", "ZT"), ("YTO Express", "YT")]
# fmt: on


# --- People and places -------------------------------------------------------------------------------------


def customer_addresses(*, user, seed: int) -> list[dict[str, str]]:
    """A home and a work address per customer, stable across runs."""
    rng = random.Random(f"{seed}:address:{user.username}")
    name = f"{user.last_name} {user.first_name}".strip() or user.username
    phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
    return [_address(rng=rng, name=name, phone=phone) for _ in range(2)]


def _address(*, rng: random.Random, name: str, phone: str) -> dict[str, str]:
    province, city, districts, postal_prefix = rng.choice(PLACES)
    street = f"No. {rng.randint(1, 999)} {rng.choice(STREETS)}"
    building, room = rng.randint(1, 30), rng.randint(1, 32) * 100 + rng.randint(1, 6)
    return {
        "name": name,
        "phone": phone,
        "province": province,
        "city": city,
        "district": rng.choice(districts),
        "address": f"{street}, Building {building}, Room {room}",
        "postal_code": f"{postal_prefix}{rng.randrange(1000):03d}",
    }


# --- Catalog -----------------------------------------------------------------------------------------------


def catalog_rows(*, seed: int) -> list[tuple[str, str, str, Decimal]]:
    """(product name, SKU code, SKU name, price) for the whole demo catalog, deterministic."""
    rows = []
    for prefix, (low, high), variants, products in CATALOG:
        for number, product in enumerate(products, start=1):
            base = random.Random(f"{seed}:price:{prefix}{number}").uniform(low, high)
            for variant, label, factor in variants:
                rows.append(
                    (
                        product,
                        f"{prefix}-{number:03d}-{variant}",
                        f"{product}, {label}",
                        _price(base * factor),
                    )
                )
    return rows


def _price(raw: float) -> Decimal:
    return Decimal(int(raw)) + Decimal("0.90")  # shop prices end in .90


# --- Order stories -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One step of an order's story: it reaches ``to`` ``after`` the step before, done by ``by``, for ``reason``."""

    to: OrderStatus
    after: timedelta
    by: str  # "customer", "staff" or "system"
    reason: str


def plan_statuses(total: int, *, seed: int) -> list[OrderStatus]:
    """The final status of each demo order, oldest first.

    Recent orders are still in flight (shipped, then awaiting shipment, paid, and the newest few pending
    payment); older ones are finished. Every quota has a floor, so from 16 orders on every status appears.
    """
    recent = [
        (S.SHIPPED, max(3, total * 6 // 90)),
        (S.AWAITING_SHIPMENT, max(2, total // 100)),
        (S.PAID, max(2, min(10, total // 500))),
        (S.PENDING_PAYMENT, max(2, min(8, total // 400))),
    ]
    old_total = max(0, total - sum(n for _, n in recent))
    old: list[OrderStatus] = []
    shares = [(S.CANCELLED, 0.07), (S.PAYMENT_FAILED, 0.02), (S.SHIPMENT_FAILED, 0.02), (S.REFUNDED, 0.01)]
    for status, share in shares:
        old += [status] * min(max(2, round(old_total * share)), old_total - len(old))
    old += [S.COMPLETED] * (old_total - len(old))
    random.Random(f"{seed}:plan:{total}").shuffle(old)
    plan = old + [status for status, n in recent for _ in range(n)]
    return plan[-total:] if total else []


def placement_window(status: OrderStatus) -> tuple[timedelta, timedelta]:
    """How long ago (oldest, newest) orders ending in ``status`` were placed: their stories end before now."""
    timeout = settings.OMS_ORDER_PAYMENT_TIMEOUT
    return {
        S.PENDING_PAYMENT: (timeout * 0.6, timeout * 0.05),  # still inside the payment window
        S.PAID: (timeout * 5, timeout),
        S.AWAITING_SHIPMENT: (timedelta(hours=22), timeout + timedelta(hours=2)),
        S.SHIPPED: (timedelta(days=8), timedelta(days=2)),
        S.PAYMENT_FAILED: (timedelta(days=3), timedelta(hours=6)),  # recent, and held for staff
    }.get(status, (HISTORY, timedelta(days=8)))


def placement_times(plan: list[OrderStatus], *, now: datetime, seed: int) -> list[datetime]:
    """Spread each group evenly over its window, in plan order, so placement times only ever increase."""
    rng = random.Random(f"{seed}:times")
    groups = Counter(placement_window(status) for status in plan)
    seen: Counter = Counter()
    times = []
    for status in plan:
        window = placement_window(status)
        oldest, newest = window
        share = (seen[window] + rng.random()) / groups[window]
        times.append(now - oldest + (oldest - newest) * share)
        seen[window] += 1
    return times


def story(status: OrderStatus, rng: random.Random) -> list[Step]:
    """The steps after placement that lead to ``status``, with plausible delays.

    Payment comes well inside the payment window (a share of it, whatever it is configured to), because paying
    an expired order is refused.
    """
    window = settings.OMS_ORDER_PAYMENT_TIMEOUT

    def minutes(low: float, high: float) -> timedelta:
        return timedelta(minutes=rng.uniform(low, high))

    carrier, prefix = rng.choice(CARRIERS)
    pay = Step(S.PAID, window * rng.uniform(0.03, 0.45), "system", f"Alipay trade {rng.randrange(10**16):016d}")
    declined = Step(S.PAYMENT_FAILED, window * rng.uniform(0.02, 0.3), "system", "Payment declined by the bank")
    to_warehouse = Step(S.AWAITING_SHIPMENT, minutes(5, 120), "staff", "Sent to the warehouse for picking")
    waybill = f"{carrier} waybill {prefix}{rng.randrange(10**12):012d}"
    ship = Step(S.SHIPPED, minutes(4 * 60, 30 * 60), "staff", waybill)
    if status == S.PENDING_PAYMENT:
        return []
    if status == S.PAYMENT_FAILED:
        return [declined]
    if status == S.CANCELLED:
        if rng.random() < 0.4:
            return [Step(S.CANCELLED, window + minutes(0, 2), "system", "Payment window expired")]
        return [Step(S.CANCELLED, window * rng.uniform(0.1, 0.8), "customer", rng.choice(CANCEL_REASONS))]
    paid = [declined, pay] if rng.random() < 0.05 else [pay]  # a few pay at the second attempt
    after_shipping = {
        S.COMPLETED: [Step(S.COMPLETED, minutes(2 * 1440, 6 * 1440), "customer", "Delivery confirmed")],
        S.SHIPMENT_FAILED: [Step(S.SHIPMENT_FAILED, minutes(1440, 3 * 1440), "staff", "Returned: no such address")],
        S.REFUNDED: [
            Step(S.COMPLETED, minutes(2 * 1440, 6 * 1440), "customer", "Delivery confirmed"),
            Step(S.REFUNDED, minutes(1440, 5 * 1440), "staff", "Goodwill refund: parcel arrived damaged"),
        ],
        S.SHIPPED: [],
    }
    if status == S.PAID:
        return paid
    if status == S.AWAITING_SHIPMENT:
        return [*paid, to_warehouse]
    return [*paid, to_warehouse, ship, *after_shipping[status]]


def timeline(placed_at: datetime, steps: list[Step]) -> dict[OrderStatus, datetime]:
    """When each step happens; a story never reaches the same status twice."""
    at, moment = {}, placed_at
    for step in steps:
        moment += step.after
        at[step.to] = moment
    return at


def pick_lines(rng: random.Random, codes: list[str], weights: list[float]) -> list[OrderLineInput]:
    count = rng.choices([1, 2, 3, 4], weights=[55, 28, 12, 5])[0]
    chosen: list[str] = []
    while len(chosen) < count:
        code = rng.choices(codes, cum_weights=weights)[0]
        if code not in chosen:
            chosen.append(code)
    return [OrderLineInput(sku=code, quantity=rng.choices([1, 2, 3, 5], weights=[72, 19, 7, 2])[0]) for code in chosen]


def popularity(codes: list[str], seed: int) -> list[float]:
    """Cumulative weights: a few best sellers, a long tail (Zipf-like over a shuffled catalog)."""
    ranks = list(range(1, len(codes) + 1))
    random.Random(f"{seed}:popularity").shuffle(ranks)
    total, cumulative = 0.0, []
    for rank in ranks:
        total += rank**-0.8
        cumulative.append(total)
    return cumulative
