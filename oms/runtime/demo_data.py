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
from oms.regions import regions

S = OrderStatus
HISTORY = timedelta(days=90)  # how far back the demo orders go
# A failed payment waits in the console's exception queue for staff (retry or cancel). The demo keeps its payment
# window open this long, so the expiry job does not cancel it at the server's first minute.
HELD_FOR_STAFF = timedelta(days=365)
# alice's store balance and payment password, so paying with balance can be tried at once
DEMO_BALANCE = Decimal("10000.00")
DEMO_PAYMENT_PASSWORD = "123456"

# --- Tables ------------------------------------------------------------------------------------------------

# (code, name, priority, region): the region is a province as the address lists name it (oms.regions), so an
# order to 上海市 is served from the Shanghai warehouse first.
WAREHOUSES = [
    ("SH-01", "上海浦东仓", 1, "上海市"),
    ("BJ-01", "北京顺义仓", 2, "北京市"),
    ("GZ-01", "广州白云仓", 3, "广东省"),
    ("CD-01", "成都双流仓", 4, "四川省"),
]

# fmt: off
# Data tables, kept one row a line.
# (code prefix, price range in CNY, variants as (code, label, price factor), product names)
CATALOG: list[tuple[str, tuple[int, int], list[tuple[str, str, float]], list[str]]] = [
    ("TEA", (28, 160), [("50G", "50克罐装", 1.0), ("100G", "100克罐装", 1.8), ("250G", "250克礼盒", 4.0)],
     ["西湖龙井", "安溪铁观音", "云南普洱", "洞庭碧螺春", "武夷大红袍", "茉莉银针", "祁门红茶", "福鼎白牡丹",
      "正山小种", "安吉白茶", "黄山毛峰", "滇红金芽"]),
    ("TW", (25, 260), [("CEL", "青瓷", 1.0), ("WHT", "白瓷", 1.0), ("BLK", "墨黑", 1.1)],
     ["盖碗 150ml", "宜兴紫砂壶", "分茶壶", "竹制茶盘", "旅行茶具套装", "茶叶罐", "陶瓷茶具套装", "玻璃煮茶壶",
      "茶滤", "金蟾茶宠", "公道杯", "茶巾套装"]),
    ("CUP", (19, 129), [("WHT", "白色", 1.0), ("BLU", "天蓝", 1.0), ("RED", "朱砂红", 1.1)],
     ["双层玻璃杯", "陶瓷马克杯 350ml", "保温杯 500ml", "骨瓷杯", "竹纤维杯", "儿童吸管杯", "带盖办公杯",
      "浓缩咖啡对杯", "露营搪瓷杯", "不锈钢随行杯"]),
    ("CL", (59, 599), [("S", "S", 1.0), ("M", "M", 1.0), ("L", "L", 1.0), ("XL", "XL", 1.05)],
     ["纯棉圆领T恤", "亚麻衬衫", "抓绒卫衣", "羽绒服", "真丝旗袍", "修身牛仔裤", "唐装外套", "跑步短裤", "羊毛衫",
      "风衣", "睡衣套装", "POLO衫", "工装裤", "防风夹克", "针织开衫", "汉服裙"]),
    ("SH", (129, 699), [("38", "38码", 1.0), ("40", "40码", 1), ("42", "42码", 1), ("44", "44码", 1)],
     ["帆布鞋", "跑步鞋", "老北京布鞋", "乐福鞋", "登山靴", "拖鞋"]),
    ("EL", (49, 1299), [("BLK", "黑色", 1.0), ("WHT", "白色", 1.0)],
     ["充电宝 10000mAh", "氮化镓充电器 65W", "蓝牙耳机", "智能手环", "机械键盘", "无线鼠标", "USB-C 扩展坞", "护眼台灯",
      "便携音箱", "运动相机", "电子书阅读器", "电动牙刷", "迷你投影仪", "行车记录仪"]),
    ("SN", (9, 69), [("1", "单袋", 1.0), ("6PK", "6袋装", 5.2)],
     ["麻辣牛肉干", "五香瓜子", "凤梨酥", "芒果干", "芥末豌豆", "大白兔奶糖", "莲蓉月饼", "蛋卷", "四川火锅底料",
      "桂花糕", "核桃酥", "烤海苔"]),
    ("HM", (29, 399), [("STD", "标准", 1.0), ("LG", "大号", 1.5)],
     ["真丝枕套", "竹砧板", "电饭煲内胆", "纯棉浴巾", "香薰机", "收纳筐", "炒锅 32cm", "筷子套装", "地垫", "灯笼灯"]),
    ("ST", (6, 89), [("BLK", "黑色", 1.0), ("BLU", "蓝色", 1.0), ("RED", "红色", 1.0)],
     ["中性笔 12支装", "毛笔套装", "点阵笔记本", "和纸胶带套装", "钢笔", "便利贴", "砚台", "桌面收纳盒"]),
]
INACTIVE_EVERY = 97  # every 97th SKU is discontinued, so the admin's "active" filter has something to show

# (pinyin for the username, the name in characters)
SURNAMES = [("Wang", "王"), ("Li", "李"), ("Zhang", "张"), ("Liu", "刘"), ("Chen", "陈"), ("Yang", "杨"),
            ("Huang", "黄"), ("Zhao", "赵"), ("Wu", "吴"), ("Zhou", "周"), ("Xu", "徐"), ("Sun", "孙"), ("Ma", "马"),
            ("Zhu", "朱"), ("Hu", "胡"), ("Guo", "郭"), ("He", "何"), ("Lin", "林"), ("Luo", "罗"), ("Gao", "高")]
GIVEN_NAMES = [("Wei", "伟"), ("Fang", "芳"), ("Na", "娜"), ("Min", "敏"), ("Jing", "静"), ("Lei", "磊"),
               ("Qiang", "强"), ("Yan", "艳"), ("Jie", "杰"), ("Juan", "娟"), ("Tao", "涛"), ("Ming", "明"),
               ("Chao", "超"), ("Xiu", "秀"), ("Hui", "慧"), ("Yu", "宇"), ("Hao", "浩"), ("Ting", "婷"), ("Xin", "欣"),
               ("Bo", "博")]
EXTRA_CUSTOMERS = 40

# (province, city, postal code prefix): the districts are drawn from the address lists (oms.regions).
PLACES = [
    ("上海市", "上海市", "200"), ("北京市", "北京市", "100"), ("广东省", "广州市", "510"), ("广东省", "深圳市", "518"),
    ("四川省", "成都市", "610"), ("浙江省", "杭州市", "310"), ("江苏省", "南京市", "210"), ("江苏省", "苏州市", "215"),
    ("湖北省", "武汉市", "430"), ("重庆市", "重庆市", "400"), ("陕西省", "西安市", "710"), ("福建省", "厦门市", "361"),
]
STREETS = ["人民路", "解放路", "中山路", "世纪大道", "淮海中路", "建国路", "新华路", "和平路", "文化路", "科技路",
           "滨江大道", "长江路"]
CANCEL_REASONS = ["不想要了", "尺码拍错了", "别家更便宜", "收货地址填错了", "重复下单"]
CARRIERS = [("顺丰速运", "SF"), ("京东物流", "JD"), ("中通快递", "ZT"), ("圆通速递", "YT")]
# fmt: on


# --- People and places -------------------------------------------------------------------------------------


def display_name(user) -> str:
    """Surname first, as Chinese names are written (王伟); with a space between names in Latin letters."""
    last, first = user.last_name.strip(), user.first_name.strip()
    joiner = " " if (last + first).isascii() else ""
    return joiner.join(part for part in (last, first) if part) or user.username


def customer_addresses(*, user, seed: int) -> list[dict[str, str]]:
    """A home and a work address per customer, stable across runs."""
    rng = random.Random(f"{seed}:address:{user.username}")
    phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
    return [_address(rng=rng, name=display_name(user), phone=phone) for _ in range(2)]


def _address(*, rng: random.Random, name: str, phone: str) -> dict[str, str]:
    province, city, postal_prefix = rng.choice(PLACES)
    building, room = rng.randint(1, 30), rng.randint(1, 32) * 100 + rng.randint(1, 6)
    return {
        "name": name,
        "phone": phone,
        "province": province,
        "city": city,
        "district": rng.choice(regions.districts(province, city)),
        "address": f"{rng.choice(STREETS)}{rng.randint(1, 999)}号{building}栋{room}室",
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
                        f"{product} {label}",
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
    to_warehouse = Step(S.AWAITING_SHIPMENT, minutes(5, 120), "staff", "已通知仓库拣货")
    waybill = f"{carrier}运单号 {prefix}{rng.randrange(10**12):012d}"
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
        S.COMPLETED: [Step(S.COMPLETED, minutes(2 * 1440, 6 * 1440), "customer", "已确认收货")],
        S.SHIPMENT_FAILED: [Step(S.SHIPMENT_FAILED, minutes(1440, 3 * 1440), "staff", "退回：查无此地址")],
        S.REFUNDED: [
            Step(S.COMPLETED, minutes(2 * 1440, 6 * 1440), "customer", "已确认收货"),
            Step(S.REFUNDED, minutes(1440, 5 * 1440), "staff", "包裹破损，补偿退款"),
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
