"""Deterministic demo data: every raw source of docs/sources.md for N true people, with the mess.

The same (people, seed, as_of) always gives byte-identical files. All randomness comes from one
`random.Random(seed)` and Faker instances seeded from it; nothing depends on the current date.

The world: each true person has a canonical name, email, phone, address and buying behaviour, and
appears in some of the systems (shop, CRM, web, support, email, consent, billing, surveys,
loyalty) under the variations real systems collect: email casing, gmail dots and `+tags`, phone
formats, name typos, moved addresses, shared household phones, shared devices, junk identifiers,
guest checkouts, record versions, exact duplicate rows, late-arriving files and a small share of
malformed rows.

The ground truth (`identity_truth.csv`: source_table, record_key, person_id) is written outside
the landing directory. A shared device belongs to the person who used it first.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from random import Random

import pyarrow as pa
import pyarrow.parquet as pq
from faker import Faker

DEFAULT_AS_OF = date(2026, 6, 30)
HISTORY_DAYS = 900
MALFORMED_SHARE = 0.006
DUPLICATE_SHARE = 0.01

# (locale, country code, share of people)
LOCALES = (("en_US", "US", 0.78), ("en_GB", "GB", 0.14), ("de_DE", "DE", 0.08))
EMAIL_DOMAINS = (
    ("gmail.com", 0.42),
    ("yahoo.com", 0.14),
    ("outlook.com", 0.14),
    ("hotmail.com", 0.08),
    ("icloud.com", 0.10),
    ("proton.me", 0.04),
    ("aol.com", 0.08),
)
ACQUISITION_CHANNELS = (
    ("organic", 0.30),
    ("paid_search", 0.22),
    ("paid_social", 0.18),
    ("referral", 0.10),
    ("email", 0.08),
    ("affiliate", 0.07),
    ("display", 0.05),
)
PAID_CHANNELS = ("paid_search", "paid_social", "display", "affiliate", "email", "referral")
CATEGORIES = ("apparel", "footwear", "accessories", "home", "beauty", "outdoor")
CURRENCIES = (("USD", 0.84), ("EUR", 0.10), ("GBP", 0.06))
JUNK_EMAILS = ("test@test.com", "noreply@example.com", "info@example.com")
JUNK_PHONES = ("0000000000", "+15555555555")

TABLES: dict[tuple[str, str], tuple[str, ...]] = {
    ("shop", "customers"): (
        "account_id", "email", "phone", "first_name", "last_name", "address_line1", "city",
        "postcode", "country_code", "date_of_birth", "acquisition_channel", "created_at",
        "updated_at",
    ),
    ("shop", "orders"): (
        "order_id", "account_id", "email", "phone", "status", "currency", "subtotal_amount",
        "discount_amount", "shipping_amount", "total_amount", "refunded_amount", "ordered_at",
        "updated_at",
    ),
    ("shop", "order_items"): (
        "order_item_id", "order_id", "product_id", "product_name", "category", "quantity",
        "unit_price", "discount_amount", "returned_quantity",
    ),
    ("crm", "contacts"): (
        "contact_id", "email", "phone", "first_name", "last_name", "company_name", "industry",
        "company_size", "lead_source", "lead_status", "owner_email", "created_at", "updated_at",
    ),
    ("web", "events"): (
        "event_id", "anonymous_id", "user_id", "event_name", "platform", "page_url",
        "properties", "occurred_at",
    ),
    ("support", "tickets"): (
        "ticket_id", "requester_email", "requester_phone", "channel", "priority", "status",
        "subject", "created_at", "first_response_at", "resolved_at", "csat_score",
    ),
    ("email", "engagement_events"): (
        "email_event_id", "campaign_id", "email", "event_type", "bounce_type", "url",
        "occurred_at",
    ),
    ("marketing", "campaigns"): (
        "campaign_id", "channel", "campaign_name", "sent_at", "cost_amount", "currency",
    ),
    ("marketing", "spend"): ("spend_date", "channel", "spend_amount", "currency"),
    ("consent", "events"): (
        "consent_event_id", "identifier", "identifier_type", "channel", "purpose", "status",
        "occurred_at", "source",
    ),
    ("billing", "subscriptions"): (
        "subscription_id", "account_id", "plan", "billing_period", "mrr_amount", "currency",
        "status", "started_at", "cancelled_at",
    ),
    ("surveys", "nps_responses"): ("response_id", "email", "score", "comment", "responded_at"),
    ("loyalty", "members"): (
        "loyalty_id", "email", "phone", "tier", "points_balance", "joined_at", "updated_at",
    ),
    ("privacy", "erasure_requests"): (
        "erasure_request_id", "identifier", "identifier_type", "requested_at", "source",
    ),
}  # fmt: skip
PARQUET_TABLES = {("web", "events"), ("email", "engagement_events")}

Row = dict[str, object]


@dataclass(frozen=True)
class GenerationSummary:
    people: int
    seed: int
    as_of: date
    rows_per_table: dict[str, int]
    truth_rows: int
    raw_dir: Path
    truth_path: Path


@dataclass
class Person:
    person_id: str
    country_code: str
    first_name: str
    last_name: str
    email_local: str
    email_domain: str
    phone_e164: str
    address_line1: str
    city: str
    postcode: str
    date_of_birth: date | None
    acquisition_channel: str
    first_seen_at: datetime
    account_id: str | None = None
    devices: list[str] = field(default_factory=list)

    @property
    def email(self) -> str:
        return f"{self.email_local}@{self.email_domain}"


@dataclass
class World:
    """Everything written: rows per table and the ground truth."""

    rows: dict[tuple[str, str], list[Row]] = field(default_factory=dict)
    truth: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, table: tuple[str, str], row: Row) -> None:
        self.rows.setdefault(table, []).append(row)

    def belongs(self, source_table: str, record_key: str, person: Person) -> None:
        self.truth.append((source_table, record_key, person.person_id))


def _weighted(rng: Random, choices: Iterable[tuple[str, float]]) -> str:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def _timestamp(rng: Random, moment: datetime) -> str:
    """An ISO 8601 text in one of the forms exports use: Z, +01:00 offset, or naive UTC."""
    moment = moment.replace(microsecond=0)
    style = rng.random()
    if style < 0.7:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if style < 0.85:
        return (moment + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S+01:00")
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _between(rng: Random, start: datetime, end: datetime) -> datetime:
    if end <= start:
        return start
    return start + timedelta(seconds=rng.randrange(int((end - start).total_seconds())))


class Generator:
    def __init__(self, people: int, seed: int, as_of: date) -> None:
        self.people = people
        self.rng = Random(seed)
        self.fakers = {}
        for index, (locale, country, _) in enumerate(LOCALES):
            faker = Faker(locale)
            faker.seed_instance(seed * 1000 + index)
            self.fakers[country] = faker
        self.as_of_end = datetime(as_of.year, as_of.month, as_of.day, 23, 0, tzinfo=UTC)
        self.start = self.as_of_end - timedelta(days=HISTORY_DAYS)
        self.world = World()
        self.counters: dict[str, int] = {}

    def next_id(self, prefix: str, width: int = 7) -> str:
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return f"{prefix}{self.counters[prefix]:0{width}d}"

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    # ---- people -------------------------------------------------------------------------
    def make_person(self, index: int) -> Person:
        rng = self.rng
        country = _weighted(rng, ((c, w) for _, c, w in LOCALES))
        faker = self.fakers[country]
        first, last = faker.first_name(), faker.last_name()
        local_style = rng.random()
        base = f"{first}.{last}" if local_style < 0.5 else f"{first[0]}{last}"
        local = "".join(ch for ch in base.lower() if ch.isascii() and (ch.isalnum() or ch == "."))
        local = f"{local}{rng.randrange(1, 999)}" if rng.random() < 0.6 else local
        return Person(
            person_id=f"P{index + 1:07d}",
            country_code=country,
            first_name=first,
            last_name=last,
            email_local=local or f"user{index}",
            email_domain=_weighted(rng, EMAIL_DOMAINS),
            phone_e164=self.make_phone(country),
            address_line1=faker.street_address().replace("\n", " "),
            city=faker.city(),
            postcode=faker.postcode(),
            date_of_birth=(
                date(1950, 1, 1) + timedelta(days=rng.randrange(18000))
                if rng.random() < 0.55
                else None
            ),
            acquisition_channel=_weighted(rng, ACQUISITION_CHANNELS),
            first_seen_at=_between(rng, self.start, self.as_of_end - timedelta(days=5)),
        )

    def make_phone(self, country: str) -> str:
        rng = self.rng
        if country == "US":
            return (
                f"+1{rng.randrange(201, 990)}{rng.randrange(200, 1000)}{rng.randrange(10000):04d}"
            )
        if country == "GB":
            return f"+447{rng.randrange(100, 1000)}{rng.randrange(1000000):06d}"
        return f"+4915{rng.randrange(10, 100)}{rng.randrange(10000000):07d}"

    # ---- identifier variations --------------------------------------------------------------
    def email_variant(self, person: Person) -> str:
        rng, local, domain = self.rng, person.email_local, person.email_domain
        roll = rng.random()
        if domain == "gmail.com" and roll < 0.25:
            stripped = local.replace(".", "")
            local = stripped if "." in local else ".".join([stripped[:3], stripped[3:]])
        elif domain == "gmail.com" and roll < 0.35:
            local = f"{local}+{rng.choice(['shop', 'news', 'deals', 'promo'])}"
        elif roll < 0.45:
            local = local.capitalize()
        email = f"{local}@{domain}"
        if rng.random() < 0.1:
            email = email.upper() if rng.random() < 0.3 else email.title()
        if rng.random() < 0.03:
            email = f" {email} "
        return email

    def phone_variant(self, person: Person, phone: str | None = None) -> str:
        rng, phone = self.rng, phone or person.phone_e164
        roll = rng.random()
        if phone.startswith("+1") and len(phone) == 12:
            area, exchange, line = phone[2:5], phone[5:8], phone[8:]
            return (
                phone
                if roll < 0.35
                else (
                    f"({area}) {exchange}-{line}"
                    if roll < 0.6
                    else f"{area}.{exchange}.{line}"
                    if roll < 0.8
                    else f"1-{area}-{exchange}-{line}"
                )
            )
        national = "0" + phone[3:]
        if roll < 0.4:
            return phone
        if roll < 0.7:
            return f"00{phone[1:3]} {phone[3:7]} {phone[7:]}"
        return f"{national[:5]} {national[5:]}"

    def name_variant(self, name: str) -> str:
        rng = self.rng
        if len(name) > 3 and rng.random() < 0.06:
            position = rng.randrange(1, len(name) - 1)
            if rng.random() < 0.5:
                return name[:position] + name[position + 1 :]
            return name[:position] + name[position + 1] + name[position] + name[position + 2 :]
        if rng.random() < 0.04:
            return name.upper()
        return name

    # ---- systems ----------------------------------------------------------------------------
    def build(self, progress: Callable[[int], None] | None) -> World:
        rng = self.rng
        persons = []
        for index in range(self.people):
            persons.append(self.make_person(index))
        self.share_households(persons)
        self.campaigns = self.make_campaigns()
        for index, person in enumerate(persons):
            self.shop_account(person)
            self.orders(person)
            if rng.random() < 0.25:
                self.crm_contact(person)
            if rng.random() < 0.6:
                self.web_activity(person)
            if rng.random() < 0.2:
                self.support_tickets(person)
            self.consents_and_email(person)
            if person.account_id and rng.random() < 0.2:
                self.subscription(person)
            if rng.random() < 0.15:
                self.nps(person)
            if rng.random() < 0.3:
                self.loyalty(person)
            if rng.random() < 0.005:
                self.erasure(person)
            if progress and (index + 1) % 500 == 0:
                progress(index + 1)
        self.shared_devices(persons)
        self.marketing_spend()
        if progress:
            progress(self.people)
        return self.world

    def share_households(self, persons: list[Person]) -> None:
        """About 4% of people live with another person and share their landline/household phone."""
        rng = self.rng
        for person in persons:
            if rng.random() < 0.04:
                other = persons[rng.randrange(len(persons))]
                if other is not person and other.country_code == person.country_code:
                    person.phone_e164 = other.phone_e164
                    person.last_name = other.last_name
                    person.address_line1, person.city = other.address_line1, other.city
                    person.postcode = other.postcode

    def shop_account(self, person: Person) -> None:
        rng = self.rng
        if rng.random() >= 0.7:
            return
        person.account_id = self.next_id("A")
        created = person.first_seen_at
        versions = 2 if rng.random() < 0.15 else 1
        faker = self.fakers[person.country_code]
        for version in range(versions):
            moved = version == 1 and rng.random() < 0.6
            if moved:
                person.address_line1 = faker.street_address().replace("\n", " ")
                person.city, person.postcode = faker.city(), faker.postcode()
            updated = created if version == 0 else _between(rng, created, self.as_of_end)
            self.world.add(
                ("shop", "customers"),
                {
                    "account_id": person.account_id,
                    "email": self.email_variant(person) if rng.random() > 0.005 else JUNK_EMAILS[0],
                    "phone": self.phone_variant(person) if rng.random() < 0.8 else None,
                    "first_name": self.name_variant(person.first_name),
                    "last_name": self.name_variant(person.last_name),
                    "address_line1": person.address_line1,
                    "city": person.city,
                    "postcode": person.postcode,
                    "country_code": person.country_code,
                    "date_of_birth": person.date_of_birth.isoformat()
                    if person.date_of_birth
                    else None,
                    "acquisition_channel": person.acquisition_channel,
                    "created_at": _timestamp(rng, created),
                    "updated_at": _timestamp(rng, updated),
                },
            )
        self.world.belongs("shop__customers", person.account_id, person)

    def order_dates(self, person: Person) -> list[datetime]:
        """Buying behaviour: none, one-time, steady, lapsed or reactivated buyers."""
        rng = self.rng
        kind = rng.random()
        start = person.first_seen_at
        if kind < 0.28:
            return []
        if kind < 0.55:
            return [_between(rng, start, self.as_of_end)]
        count = rng.randint(2, 9)
        if kind < 0.8:  # steady, often recent
            end = self.as_of_end
        elif kind < 0.92:  # lapsed: stopped buying a while ago
            end = max(start, self.as_of_end - timedelta(days=rng.randint(120, 500)))
        else:  # reactivated: a long gap, then a recent order
            gap_end = max(start, self.as_of_end - timedelta(days=rng.randint(220, 400)))
            dates = sorted(_between(rng, start, gap_end) for _ in range(count - 1))
            return [*dates, _between(rng, self.as_of_end - timedelta(days=40), self.as_of_end)]
        return sorted(_between(rng, start, end) for _ in range(count))

    def orders(self, person: Person) -> None:
        rng = self.rng
        is_guest = person.account_id is None
        for ordered_at in self.order_dates(person):
            if is_guest and rng.random() < 0.35:
                continue
            order_id = self.next_id("O", 8)
            currency = _weighted(rng, CURRENCIES)
            subtotal = self.order_items(order_id)
            discount = round(subtotal * 0.1, 2) if rng.random() < 0.2 else 0.0
            shipping = rng.choice((0.0, 0.0, 4.99, 9.99))
            total = round(subtotal - discount + shipping, 2)
            status = _weighted(
                rng,
                (
                    ("delivered", 0.62),
                    ("shipped", 0.08),
                    ("paid", 0.06),
                    ("placed", 0.03),
                    ("cancelled", 0.08),
                    ("returned", 0.07),
                    ("refunded", 0.06),
                ),
            )
            recent = self.as_of_end - ordered_at < timedelta(days=10)
            status = rng.choice(("placed", "paid", "shipped")) if recent else status
            refunded = (
                total
                if status == "refunded"
                else round(total * rng.uniform(0.2, 1.0), 2)
                if status == "returned"
                else None
            )
            row = {
                "order_id": order_id,
                "account_id": person.account_id,
                "email": self.email_variant(person)
                if rng.random() > 0.004
                else rng.choice(JUNK_EMAILS),
                "phone": self.phone_variant(person) if rng.random() < 0.4 else None,
                "status": status,
                "currency": currency,
                "subtotal_amount": f"{subtotal:.2f}",
                "discount_amount": f"{discount:.2f}" if discount else None,
                "shipping_amount": f"{shipping:.2f}",
                "total_amount": f"{total:.2f}",
                "refunded_amount": f"{refunded:.2f}" if refunded is not None else None,
                "ordered_at": _timestamp(rng, ordered_at),
                "updated_at": _timestamp(rng, ordered_at),
            }
            if rng.random() < 0.2:  # an earlier version of the order, superseded by this one
                self.world.add(
                    ("shop", "orders"),
                    {**row, "status": "placed", "refunded_amount": None},
                )
                row["updated_at"] = _timestamp(
                    rng, min(self.as_of_end, ordered_at + timedelta(days=rng.randint(1, 6)))
                )
            self.world.add(("shop", "orders"), row)
            self.world.belongs("shop__orders", order_id, person)

    def order_items(self, order_id: str) -> float:
        rng = self.rng
        subtotal = 0.0
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4))):
            product_number = rng.randrange(1, 121)
            category = CATEGORIES[product_number % len(CATEGORIES)]
            quantity = rng.choice((1, 1, 1, 2, 3))
            unit_price = round(8 + (product_number * 37 % 190) + 0.99, 2)
            subtotal += quantity * unit_price
            self.world.add(
                ("shop", "order_items"),
                {
                    "order_item_id": self.next_id("OI", 9),
                    "order_id": order_id,
                    "product_id": f"SKU{product_number:04d}",
                    "product_name": f"{category.title()} item {product_number}",
                    "category": category,
                    "quantity": str(quantity),
                    "unit_price": f"{unit_price:.2f}",
                    "discount_amount": None,
                    "returned_quantity": "1" if rng.random() < 0.04 else None,
                },
            )
        return round(subtotal, 2)

    def crm_contact(self, person: Person) -> None:
        rng, faker = self.rng, self.fakers["US"]
        contact_id = self.next_id("C")
        company = faker.company()
        work_email = rng.random() < 0.15
        created = _between(rng, self.start, self.as_of_end)
        domain = "".join(ch for ch in company.lower() if ch.isalnum())[:16] + ".com"
        self.world.add(
            ("crm", "contacts"),
            {
                "contact_id": contact_id,
                "email": f"{person.first_name[0].lower()}.{person.last_name.lower()}@{domain}"
                if work_email
                else self.email_variant(person),
                "phone": self.phone_variant(person) if rng.random() < 0.6 else None,
                "first_name": self.name_variant(person.first_name),
                "last_name": self.name_variant(person.last_name),
                "company_name": company,
                "industry": rng.choice(
                    ("retail", "software", "manufacturing", "healthcare", "finance", "media")
                ),
                "company_size": rng.choice(("1-10", "11-50", "51-200", "201-1000", "1000+")),
                "lead_source": rng.choice(("web_form", "event", "referral", "outbound", "partner")),
                "lead_status": rng.choice(
                    ("new", "working", "qualified", "unqualified", "customer")
                ),
                "owner_email": f"rep{rng.randrange(1, 9)}@sales.example.org",
                "created_at": _timestamp(rng, created),
                "updated_at": _timestamp(rng, _between(rng, created, self.as_of_end)),
            },
        )
        self.world.belongs("crm__contacts", contact_id, person)

    def web_activity(self, person: Person) -> None:
        rng = self.rng
        for _ in range(rng.choice((1, 1, 2, 3))):
            device = self.uuid()
            person.devices.append(device)
            self.world.belongs("web__devices", device, person)
            platform = rng.choice(("web", "web", "ios", "android"))
            self.device_events(person, device, platform, rng.randint(2, 12))

    def device_events(self, person: Person, device: str, platform: str, count: int) -> None:
        rng = self.rng
        for _ in range(count):
            name = rng.choice(
                ("page_view", "page_view", "page_view", "product_view", "add_to_cart",
                 "checkout_started", "search", "login", "app_open")
            )  # fmt: skip
            logged_in = person.account_id is not None and rng.random() < 0.45
            self.world.add(
                ("web", "events"),
                {
                    "event_id": self.uuid(),
                    "anonymous_id": device,
                    "user_id": person.account_id if logged_in else None,
                    "event_name": name,
                    "platform": platform,
                    "page_url": f"https://shop.example.com/{name.replace('_', '-')}",
                    "properties": f'{{"product_id": "SKU{rng.randrange(1, 121):04d}"}}'
                    if name == "product_view"
                    else None,
                    "occurred_at": _between(rng, person.first_seen_at, self.as_of_end),
                },
            )

    def shared_devices(self, persons: list[Person]) -> None:
        """About 2% of people also use someone else's device (a family tablet)."""
        rng = self.rng
        owners = [p for p in persons if p.devices]
        for person in persons:
            if owners and rng.random() < 0.02:
                owner = owners[rng.randrange(len(owners))]
                if owner is not person:
                    self.device_events(person, owner.devices[0], "web", rng.randint(1, 4))

    def support_tickets(self, person: Person) -> None:
        rng = self.rng
        for _ in range(rng.choice((1, 1, 2, 3))):
            ticket_id = self.next_id("T")
            created = _between(rng, person.first_seen_at, self.as_of_end)
            responded = created + timedelta(minutes=rng.randint(5, 2880))
            status = _weighted(
                rng, (("solved", 0.55), ("closed", 0.25), ("open", 0.1), ("pending", 0.1))
            )
            resolved = responded + timedelta(hours=rng.randint(1, 96))
            is_done = status in ("solved", "closed")
            self.world.add(
                ("support", "tickets"),
                {
                    "ticket_id": ticket_id,
                    "requester_email": self.email_variant(person),
                    "requester_phone": self.phone_variant(person) if rng.random() < 0.2 else None,
                    "channel": rng.choice(("email", "chat", "phone", "web")),
                    "priority": _weighted(
                        rng, (("low", 0.3), ("normal", 0.5), ("high", 0.15), ("urgent", 0.05))
                    ),
                    "status": status,
                    "subject": rng.choice(
                        (
                            "Where is my order?",
                            "Return request",
                            "Payment failed",
                            "Change my address",
                            "Product question",
                            "Cancel subscription",
                        )
                    ),  # fmt: skip
                    "created_at": _timestamp(rng, created),
                    "first_response_at": _timestamp(rng, responded) if status != "open" else None,
                    "resolved_at": _timestamp(rng, resolved) if is_done else None,
                    "csat_score": str(rng.choice((1, 2, 3, 4, 4, 5, 5, 5)))
                    if is_done and rng.random() < 0.6
                    else None,
                },
            )
            self.world.belongs("support__tickets", ticket_id, person)

    def make_campaigns(self) -> list[Row]:
        rng = self.rng
        campaigns = []
        for number in range(1, 41):
            channel = _weighted(rng, (("email", 0.6), ("sms", 0.15), ("push", 0.12), ("ads", 0.13)))
            sent_at = _between(rng, self.start + timedelta(days=30), self.as_of_end)
            row = {
                "campaign_id": f"CMP{number:04d}",
                "channel": channel,
                "campaign_name": f"{sent_at:%Y-%m} {channel} "
                + rng.choice(("newsletter", "sale", "new arrivals", "win-back", "welcome")),
                "sent_at": _timestamp(rng, sent_at),
                "cost_amount": f"{rng.uniform(50, 4000):.2f}",
                "currency": "USD",
            }
            campaigns.append({**row, "_sent_at": sent_at})
            self.world.add(("marketing", "campaigns"), row)
        return campaigns

    def consents_and_email(self, person: Person) -> None:
        rng = self.rng
        granted_at = person.first_seen_at
        email = self.email_variant(person).strip().lower()
        revoked_at = None
        if rng.random() < 0.7:
            self.consent(email, "email", "email", "marketing", "granted", granted_at, "signup_form")
            if rng.random() < 0.15:
                revoked_at = _between(rng, granted_at, self.as_of_end)
                self.consent(
                    email, "email", "email", "marketing", "revoked", revoked_at, "unsubscribe_link"
                )
            self.email_engagement(person, email, granted_at, revoked_at)
        if rng.random() < 0.25:
            self.consent(
                self.phone_variant(person), "phone", "sms", "marketing", "granted", granted_at,
                "checkout",
            )  # fmt: skip
        if rng.random() < 0.5:
            status = "granted" if rng.random() < 0.8 else "revoked"
            self.consent(email, "email", "ads", "marketing", status, granted_at, "cookie_banner")

    def consent(
        self,
        identifier: str,
        identifier_type: str,
        channel: str,
        purpose: str,
        status: str,
        at: datetime,
        source: str,
    ) -> None:
        self.world.add(
            ("consent", "events"),
            {
                "consent_event_id": self.next_id("CE", 8),
                "identifier": identifier,
                "identifier_type": identifier_type,
                "channel": channel,
                "purpose": purpose,
                "status": status,
                "occurred_at": _timestamp(self.rng, at),
                "source": source,
            },
        )

    def email_engagement(
        self, person: Person, email: str, granted_at: datetime, revoked_at: datetime | None
    ) -> None:
        rng = self.rng
        self.world.belongs("email__recipients", email, person)
        for campaign in self.campaigns:
            sent_at = campaign["_sent_at"]
            if campaign["channel"] != "email" or sent_at < granted_at or rng.random() > 0.4:
                continue
            if revoked_at and sent_at > revoked_at:
                continue
            events = [("sent", sent_at, None, None)]
            if rng.random() < 0.03:
                events.append(("bounce", sent_at, rng.choice(("hard", "soft")), None))
            else:
                events.append(("delivered", sent_at + timedelta(minutes=1), None, None))
                if rng.random() < 0.35:
                    opened = sent_at + timedelta(hours=rng.randint(1, 72))
                    events.append(("open", opened, None, None))
                    if rng.random() < 0.25:
                        url = f"https://shop.example.com/c/{campaign['campaign_id'].lower()}"
                        events.append(("click", opened + timedelta(minutes=2), None, url))
                if rng.random() < 0.002:
                    events.append(("spam_complaint", sent_at + timedelta(hours=3), None, None))
            for event_type, at, bounce_type, url in events:
                self.world.add(
                    ("email", "engagement_events"),
                    {
                        "email_event_id": self.next_id("EE", 9),
                        "campaign_id": campaign["campaign_id"],
                        "email": email,
                        "event_type": event_type,
                        "bounce_type": bounce_type,
                        "url": url,
                        "occurred_at": at,
                    },
                )
        if revoked_at:
            last_campaign = next(
                (
                    c
                    for c in self.campaigns
                    if c["channel"] == "email" and c["_sent_at"] < revoked_at
                ),
                None,
            )
            if last_campaign:
                self.world.add(
                    ("email", "engagement_events"),
                    {
                        "email_event_id": self.next_id("EE", 9),
                        "campaign_id": last_campaign["campaign_id"],
                        "email": email,
                        "event_type": "unsubscribe",
                        "bounce_type": None,
                        "url": None,
                        "occurred_at": revoked_at,
                    },
                )

    def subscription(self, person: Person) -> None:
        rng = self.rng
        plan, mrr = rng.choice((("basic", 9.99), ("plus", 19.99), ("pro", 49.99)))
        started = _between(rng, person.first_seen_at, self.as_of_end)
        cancelled = _between(rng, started, self.as_of_end) if rng.random() < 0.3 else None
        self.world.add(
            ("billing", "subscriptions"),
            {
                "subscription_id": self.next_id("S"),
                "account_id": person.account_id,
                "plan": plan,
                "billing_period": rng.choice(("monthly", "monthly", "annual")),
                "mrr_amount": f"{mrr:.2f}",
                "currency": "USD",
                "status": "cancelled"
                if cancelled
                else rng.choice(("active", "active", "trialing", "past_due")),
                "started_at": _timestamp(rng, started),
                "cancelled_at": _timestamp(rng, cancelled) if cancelled else None,
            },
        )

    def nps(self, person: Person) -> None:
        rng = self.rng
        response_id = self.next_id("R")
        score = rng.choice((0, 2, 4, 5, 6, 7, 7, 8, 8, 9, 9, 9, 10, 10))
        self.world.add(
            ("surveys", "nps_responses"),
            {
                "response_id": response_id,
                "email": self.email_variant(person),
                "score": str(score),
                "comment": self.fakers["US"].sentence() if rng.random() < 0.3 else None,
                "responded_at": _timestamp(
                    rng, _between(rng, person.first_seen_at, self.as_of_end)
                ),
            },
        )
        self.world.belongs("surveys__nps_responses", response_id, person)

    def loyalty(self, person: Person) -> None:
        rng = self.rng
        loyalty_id = self.next_id("L")
        joined = _between(rng, person.first_seen_at, self.as_of_end)
        tier = _weighted(
            rng, (("bronze", 0.5), ("silver", 0.3), ("gold", 0.15), ("platinum", 0.05))
        )
        versions = 2 if rng.random() < 0.2 else 1
        for version in range(versions):
            self.world.add(
                ("loyalty", "members"),
                {
                    "loyalty_id": loyalty_id,
                    "email": self.email_variant(person) if rng.random() < 0.9 else None,
                    "phone": self.phone_variant(person)
                    if rng.random() < 0.5
                    else (JUNK_PHONES[0] if rng.random() < 0.02 else None),
                    "tier": tier,
                    "points_balance": str(rng.randrange(0, 20000)),
                    "joined_at": _timestamp(rng, joined),
                    "updated_at": _timestamp(
                        rng, joined if version == 0 else _between(rng, joined, self.as_of_end)
                    ),
                },
            )
        self.world.belongs("loyalty__members", loyalty_id, person)

    def erasure(self, person: Person) -> None:
        rng = self.rng
        by_account = person.account_id is not None and rng.random() < 0.4
        self.world.add(
            ("privacy", "erasure_requests"),
            {
                "erasure_request_id": self.next_id("E"),
                "identifier": person.account_id if by_account else self.email_variant(person),
                "identifier_type": "account_id" if by_account else "email",
                "requested_at": _timestamp(
                    rng, _between(rng, self.as_of_end - timedelta(days=60), self.as_of_end)
                ),
                "source": rng.choice(("web_form", "email", "support")),
            },
        )

    def marketing_spend(self) -> None:
        rng = self.rng
        daily_base = {
            channel: rng.uniform(40, 400) * self.people / 10000 for channel in PAID_CHANNELS
        }
        day = self.start.date()
        while day <= self.as_of_end.date():
            for channel in PAID_CHANNELS:
                self.world.add(
                    ("marketing", "spend"),
                    {
                        "spend_date": day.isoformat(),
                        "channel": channel,
                        "spend_amount": f"{daily_base[channel] * rng.uniform(0.6, 1.4):.2f}",
                        "currency": "USD",
                    },
                )
            day += timedelta(days=1)


# ---- messiness applied to whole tables -----------------------------------------------------
MALFORMATIONS: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("shop", "orders"): (("ordered_at", "2025-13-45 10:00:00"), ("total_amount", "N/A"),
                         ("subtotal_amount", "-12.00"), ("currency", "XXX"), ("order_id", "")),
    ("shop", "customers"): (("created_at", "yesterday"), ("date_of_birth", "1985-02-30")),
    ("shop", "order_items"): (("quantity", "two"), ("unit_price", "-3.00")),
    ("crm", "contacts"): (("updated_at", "not a date"),),
    ("support", "tickets"): (("created_at", "2024-02-31T09:00:00Z"), ("csat_score", "9")),
    ("consent", "events"): (("status", "maybe"),),
    ("loyalty", "members"): (("joined_at", "0000-00-00"),),
    ("surveys", "nps_responses"): (("score", "11"),),
    ("billing", "subscriptions"): (("mrr_amount", "free"),),
}  # fmt: skip
DUPLICATED_TABLES = (("shop", "orders"), ("support", "tickets"), ("consent", "events"),
                     ("web", "events"), ("crm", "contacts"))  # fmt: skip


def add_mess(world: World, rng: Random) -> None:
    for table, breakages in MALFORMATIONS.items():
        rows = world.rows.get(table, [])
        for index in range(len(rows)):
            if rng.random() < MALFORMED_SHARE:
                column, bad_value = rng.choice(breakages)
                rows[index] = {**rows[index], column: bad_value}
    for table in DUPLICATED_TABLES:
        rows = world.rows.get(table, [])
        rows.extend(dict(rows[i]) for i in range(len(rows)) if rng.random() < DUPLICATE_SHARE)


# ---- writing ---------------------------------------------------------------------------------
def _split_files(table: tuple[str, str], rows: list[Row]) -> dict[str, list[Row]]:
    """Some tables arrive as several files: yearly exports plus a late-arriving drop."""
    name = table[1]
    if table == ("shop", "orders"):
        files: dict[str, list[Row]] = {}
        for index, row in enumerate(rows):
            late = index % 50 == 49
            year = str(row.get("ordered_at") or "")[:4]
            key = (
                f"{name}_late_arriving" if late else f"{name}_{year if year.isdigit() else 'misc'}"
            )
            files.setdefault(key, []).append(row)
        return files
    if table in (("support", "tickets"), ("web", "events")) and len(rows) > 1:
        middle = len(rows) // 2
        return {f"{name}_part_1": rows[:middle], f"{name}_part_2": rows[middle:]}
    return {name: rows}


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[Row]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else row[c] for c in columns])


def _write_parquet(path: Path, columns: tuple[str, ...], rows: list[Row]) -> None:
    arrays = {}
    for column in columns:
        values = [row.get(column) for row in rows]
        if column == "occurred_at":
            arrays[column] = pa.array(values, type=pa.timestamp("us", tz="UTC"))
        else:
            arrays[column] = pa.array(values, type=pa.string())
    pq.write_table(pa.table(arrays), path, compression="zstd")


def write_world(world: World, raw_dir: Path, truth_dir: Path) -> dict[str, int]:
    rows_per_table = {}
    for (source, table), columns in TABLES.items():
        folder = raw_dir / source / table
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        rows = world.rows.get((source, table), [])
        extension = "parquet" if (source, table) in PARQUET_TABLES else "csv"
        for file_name, file_rows in sorted(_split_files((source, table), rows).items()):
            path = folder / f"{file_name}.{extension}"
            if extension == "parquet":
                _write_parquet(path, columns, file_rows)
            else:
                _write_csv(path, columns, file_rows)
        rows_per_table[f"{source}.{table}"] = len(rows)
    truth_dir.mkdir(parents=True, exist_ok=True)
    with (truth_dir / "identity_truth.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("source_table", "record_key", "person_id"))
        writer.writerows(sorted(set(world.truth)))
    return rows_per_table


def generate(
    raw_dir: Path,
    truth_dir: Path,
    people: int,
    seed: int,
    progress: Callable[[int], None] | None = None,
    as_of: date = DEFAULT_AS_OF,
) -> GenerationSummary:
    """Write every raw table for `people` true people, and their ground truth."""
    if people < 1:
        raise ValueError("people must be at least 1")
    raw_dir, truth_dir = Path(raw_dir), Path(truth_dir)
    if truth_dir.resolve().is_relative_to(raw_dir.resolve()):
        raise ValueError("the ground truth must be written outside the landing directory")
    generator = Generator(people, seed, as_of)
    world = generator.build(progress)
    add_mess(world, generator.rng)
    rows_per_table = write_world(world, raw_dir, truth_dir)
    return GenerationSummary(
        people=people,
        seed=seed,
        as_of=as_of,
        rows_per_table=rows_per_table,
        truth_rows=len(set(world.truth)),
        raw_dir=raw_dir,
        truth_path=truth_dir / "identity_truth.csv",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--raw-dir", type=Path, default=Path("data/raw"))
    parser.add_argument("--truth-dir", type=Path, default=Path("data/ground_truth"))
    arguments = parser.parse_args()
    summary = generate(arguments.raw_dir, arguments.truth_dir, arguments.people, arguments.seed)
    for table, rows in summary.rows_per_table.items():
        print(f"{table:32s} {rows:>9,d}")


if __name__ == "__main__":
    main()
