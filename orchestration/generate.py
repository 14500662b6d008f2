"""Deterministic demo data: every raw source of docs/sources.md for N true people, with the mess.

The same (people, seed, as_of) always gives byte-identical files. All randomness comes from one
`random.Random(seed)` and Faker instances seeded from it; nothing depends on the current date: the
data covers about 2.5 years ending on `as_of` (default 2026-06-30).

The world: each true person has a canonical name, email, phone, address, date of birth (sometimes
unknown), acquisition channel and buying behaviour (never, one-time, steady, lapsed, reactivated),
and appears in some of the systems (shop, CRM, web, support, email, consent, billing, surveys,
loyalty, privacy) under the variations real systems collect: email casing, gmail dots and
`+tags`, phone formats (national formats only where the row carries a country, or for US numbers,
which the warehouse's default country covers), name typos and shortened first names, moved
addresses, shared household phones, shared devices, junk identifiers, guest checkouts, record
versions, exact duplicate rows, late-arriving files and about 0.6% malformed rows per table.

Ground truth (`<truth_dir>/identity_truth.csv`: source_table, record_key, person_id) is written
outside the landing directory, one row per distinct record key of the identity-bearing tables:

- shop__customers: account_id; shop__orders: order_id (guest checkouts included);
  crm__contacts: contact_id; support__tickets: ticket_id; loyalty__members: loyalty_id;
  surveys__nps_responses: response_id;
- web__devices: anonymous_id. A shared device (a family tablet) belongs to the person who used it
  first: the other person's events on it always come later;
- email__recipients: the recipient email of email/engagement_events as written, trimmed and
  lowercased.

Malformed rows keep their record key, so every key in the raw files has a truth row.
"""

from __future__ import annotations

import argparse
import csv
import json
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from random import Random
from typing import TypeVar

import pyarrow as pa
import pyarrow.parquet as pq
from faker import Faker

DEFAULT_AS_OF = date(2026, 6, 30)
HISTORY_DAYS = 911  # about 2.5 years: 2024-01-01 to 2026-06-30 by default
MALFORMED_SHARE = 0.006
DUPLICATE_SHARE = 0.01
LATE_SHARE = 0.03
# More people than this are simulated and written chunk by chunk (files named *_partNNN), so a
# million people need a few GB rather than all their rows in memory at once.
CHUNK_PEOPLE = 100_000

# (Faker locale, country code, share of people)
LOCALES = (("en_US", "US", 0.78), ("en_GB", "GB", 0.14), ("de_DE", "DE", 0.08))
FREEMAIL_DOMAINS = (
    ("gmail.com", 0.40),
    ("yahoo.com", 0.14),
    ("outlook.com", 0.13),
    ("hotmail.com", 0.08),
    ("icloud.com", 0.09),
    ("aol.com", 0.04),
    ("googlemail.com", 0.02),
)
COMPANY_EMAIL_SHARE = 0.10
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
CATEGORY_PRODUCTS = {
    "apparel": ("T-Shirt", "Hoodie", "Jacket", "Sweater", "Dress"),
    "footwear": ("Sneakers", "Boots", "Sandals", "Loafers"),
    "accessories": ("Backpack", "Cap", "Scarf", "Wallet", "Belt"),
    "home": ("Mug", "Blanket", "Candle", "Cushion", "Lamp"),
    "beauty": ("Face Cream", "Shampoo", "Lip Balm", "Perfume"),
    "outdoor": ("Tent", "Water Bottle", "Headlamp", "Rain Jacket"),
}
COUNTRY_CURRENCY = {"US": "USD", "GB": "GBP", "DE": "EUR"}
PRICE_FACTOR = {"USD": 1.0, "GBP": 0.8, "EUR": 0.92}
ORDER_STATUSES = (
    ("delivered", 0.64),
    ("shipped", 0.07),
    ("paid", 0.05),
    ("placed", 0.02),
    ("cancelled", 0.08),
    ("returned", 0.08),
    ("refunded", 0.06),
)
BUYER_KINDS = (
    ("never", 0.25),
    ("one_time", 0.28),
    ("steady", 0.25),
    ("lapsed", 0.13),
    ("reactivated", 0.09),
)
INDUSTRIES = ("retail", "software", "manufacturing", "healthcare", "finance", "media", "education")
COMPANY_SIZES = ("1-10", "11-50", "51-200", "201-1000", "1000+")
TICKET_SUBJECTS = (
    "Where is my order?",
    "Return request",
    "Payment failed",
    "Change my address",
    "Product question",
    "Cancel subscription",
    "Cannot log in",
    "Damaged item",
)
NPS_COMMENTS = {
    "detractor": ("Delivery took far too long.", "Item arrived damaged.", "Support never replied."),
    "passive": ("Fine, nothing special.", "Good products, shipping could be faster."),
    "promoter": ("Love the quality!", "Fast delivery, great service.", "My go-to shop."),
}
PLANS = (("basic", 9.99), ("plus", 19.99), ("pro", 49.99))
JUNK_EMAILS = ("test@test.com", "noreply@example.com", "info@example.com", "a@a.com")
JUNK_PHONES = ("0000000000", "+15555555555", "1234567890")
ZERO_DEVICE_ID = "00000000-0000-0000-0000-000000000000"

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
PARQUET_TABLES = frozenset({("web", "events"), ("email", "engagement_events")})
TIMESTAMP_COLUMNS = frozenset({"occurred_at"})  # typed timestamp[us, UTC] in Parquet
# Row order in the files: the record key, then its versions.
SORT_COLUMNS: dict[tuple[str, str], tuple[str, ...]] = {
    ("web", "events"): ("occurred_at", "event_id"),
    ("email", "engagement_events"): ("occurred_at", "email_event_id"),
    ("marketing", "spend"): ("spend_date", "channel"),
}
# Tables written as one file per year of this column, plus a late-arriving drop.
YEARLY_FILES: dict[tuple[str, str], str] = {
    ("shop", "orders"): "ordered_at",
    ("support", "tickets"): "created_at",
    ("web", "events"): "occurred_at",
}
LATE_FILES = frozenset({("shop", "orders"), ("consent", "events")})

# Broken values a source system really exports: (column, value). Record keys are never broken.
MALFORMATIONS: dict[tuple[str, str], tuple[tuple[str, str | None], ...]] = {
    ("shop", "customers"): (("created_at", "yesterday"), ("updated_at", "2025-13-45 10:00:00"),
                            ("date_of_birth", "1985-02-30")),
    ("shop", "orders"): (("ordered_at", "2025-13-45 10:00:00"), ("total_amount", "N/A"),
                         ("subtotal_amount", "-12.00"), ("currency", "XXX"), ("status", "")),
    ("shop", "order_items"): (("quantity", "two"), ("unit_price", "-3.00"), ("product_id", "")),
    ("crm", "contacts"): (("updated_at", "not a date"), ("created_at", "")),
    ("web", "events"): (("event_name", None),),
    ("support", "tickets"): (("created_at", "2024-02-31T09:00:00Z"), ("status", "")),
    ("email", "engagement_events"): (("event_type", None),),
    ("marketing", "spend"): (("spend_amount", "N/A"), ("currency", "XXX")),
    ("consent", "events"): (("occurred_at", "2025-00-10T08:00:00Z"), ("channel", "")),
    ("billing", "subscriptions"): (("mrr_amount", "free"), ("started_at", "")),
    ("surveys", "nps_responses"): (("score", "eleven"), ("responded_at", "31/12/2025")),
    ("loyalty", "members"): (("joined_at", "0000-00-00"), ("points_balance", "lots")),
}  # fmt: skip
DUPLICATED_TABLES = (
    ("shop", "orders"),
    ("crm", "contacts"),
    ("web", "events"),
    ("support", "tickets"),
    ("email", "engagement_events"),
    ("consent", "events"),
    ("loyalty", "members"),
)

Row = dict[str, object]
T = TypeVar("T")
Table = tuple[str, str]


@dataclass(frozen=True)
class GenerationSummary:
    """What one generation wrote."""

    people: int
    seed: int
    as_of: date
    rows_per_table: dict[str, int]
    truth_rows: int
    raw_dir: Path
    truth_path: Path
    files: tuple[Path, ...] = ()


@dataclass
class Device:
    anonymous_id: str
    platform: str
    first_used_at: datetime


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
    account_created_at: datetime | None = None
    devices: list[Device] = field(default_factory=list)

    @property
    def email(self) -> str:
        return f"{self.email_local}@{self.email_domain}"


@dataclass
class World:
    """Everything to write: rows per table and the ground truth."""

    rows: dict[Table, list[Row]] = field(default_factory=dict)
    truth: dict[tuple[str, str], str] = field(default_factory=dict)

    def add(self, table: Table, row: Row) -> Row:
        self.rows.setdefault(table, []).append(row)
        return row

    def belongs(self, source_table: str, record_key: str, person: Person) -> None:
        owner = self.truth.setdefault((source_table, record_key), person.person_id)
        if owner != person.person_id:
            raise AssertionError(f"{source_table} {record_key} given to two people")


# ---- small pure helpers ----------------------------------------------------------------------
def weighted(rng: Random, choices: Iterable[tuple[T, float]]) -> T:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def between(rng: Random, start: datetime, end: datetime) -> datetime:
    if end <= start:
        return start
    return start + timedelta(seconds=rng.randrange(int((end - start).total_seconds())))


def timestamp_text(rng: Random, moment: datetime) -> str:
    """ISO 8601 in one of the forms exports use: `Z`, a `+01:00` offset, or naive UTC."""
    style = rng.random()
    if style < 0.7:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if style < 0.85:
        return (moment + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S+01:00")
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def money(amount: float) -> str:
    return f"{amount:.2f}"


def ascii_slug(text: str) -> str:
    """Lowercase ASCII letters, digits and dots of a name ("Jürgen" -> "jurgen")."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum() or ch == ".")


def normalize_email(email: str) -> str:
    """The warehouse's rule (macros normalize_email): trim, lower, gmail dots, +tags."""
    local, _, domain = email.strip().lower().partition("@")
    local = local.split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        return f"{local.replace('.', '')}@gmail.com"
    return f"{local}@{domain}"


def make_phone(rng: Random, country: str) -> str:
    """An E.164 number: US 10 digits; GB/DE mobiles or city landlines."""
    if country == "US":
        return f"+1{rng.randrange(201, 990)}{rng.randrange(200, 1000)}{rng.randrange(10000):04d}"
    if country == "GB":
        if rng.random() < 0.5:
            return f"+4420{rng.randrange(7000, 8999)}{rng.randrange(10000):04d}"
        return f"+447{rng.randrange(100, 1000)}{rng.randrange(1000000):06d}"
    if rng.random() < 0.5:
        return f"+4930{rng.randrange(10000000, 99999999)}"
    return f"+4915{rng.randrange(10, 100)}{rng.randrange(10000000):07d}"


def phone_text(rng: Random, e164: str, country_on_row: bool) -> str:
    """The number as some system stored it.

    National forms of GB/DE numbers only appear on rows that carry their country; elsewhere the
    warehouse would read them with the default country (US).
    """
    roll = rng.random()
    if e164.startswith("+1"):
        area, exchange, line = e164[2:5], e164[5:8], e164[8:]
        if roll < 0.35:
            return e164
        if roll < 0.6:
            return f"({area}) {exchange}-{line}"
        if roll < 0.8:
            return f"{area}.{exchange}.{line}"
        if roll < 0.9:
            return f"{area}-{exchange}-{line}"
        return f"+1 {area} {exchange} {line}"
    calling, rest = e164[1:3], e164[3:]
    split = 2 if rest[:2] in ("20", "30") else 4  # city code, or mobile prefix
    if split == 2:
        groups = f"{rest[:split]} {rest[split : split + 4]} {rest[split + 4 :]}"
    else:
        groups = f"{rest[:split]} {rest[split:]}"
    if roll < 0.4:
        return e164
    if roll < 0.7:
        return f"00{calling} {groups}"
    if country_on_row:
        return f"0{groups}"
    return f"+{calling} {groups}"


def email_text(rng: Random, local: str, domain: str) -> str:
    """The email as some system stored it: gmail dots, +tags, casing, stray spaces."""
    roll = rng.random()
    is_gmail = domain in ("gmail.com", "googlemail.com")
    if is_gmail and roll < 0.12:
        stripped = local.replace(".", "")
        local = stripped if "." in local else f"{stripped[:2]}.{stripped[2:]}"
    elif is_gmail and roll < 0.22:
        local = f"{local}+{rng.choice(('shop', 'news', 'deals', 'promo'))}"
    elif roll < 0.26:
        local = f"{local}+{rng.choice(('shop', 'list'))}"
    email = f"{local}@{domain}"
    casing = rng.random()
    if casing < 0.06:
        email = email[0].upper() + email[1:]
    elif casing < 0.09:
        email = email.upper()
    elif casing < 0.11:
        email = email.title()
    if rng.random() < 0.02:
        email = f" {email} "
    return email


def name_text(rng: Random, name: str, is_first_name: bool) -> str:
    """A name as typed: mostly right, sometimes a dropped or swapped letter or a short form."""
    roll = rng.random()
    if len(name) > 3 and roll < 0.04:
        position = rng.randrange(1, len(name) - 1)
        if rng.random() < 0.5:
            return name[:position] + name[position + 1 :]
        return name[:position] + name[position + 1] + name[position] + name[position + 2 :]
    if is_first_name and len(name) > 5 and roll < 0.08:
        return name[: rng.choice((3, 4))]
    if roll < 0.10:
        return name.upper()
    if roll < 0.11:
        return name.lower()
    return name


# ---- the simulation --------------------------------------------------------------------------
class Generator:
    """Simulates the people and writes what each source system would have recorded."""

    def __init__(self, people: int, seed: int, as_of: date) -> None:
        self.people = people
        self.rng = Random(seed)
        self.fakers: dict[str, Faker] = {}
        for locale, country, _ in LOCALES:
            faker = Faker(locale)
            faker.seed_instance(self.rng.getrandbits(32))
            self.fakers[country] = faker
        self.end = datetime(as_of.year, as_of.month, as_of.day, 23, 0, tzinfo=UTC)
        first_day = as_of - timedelta(days=HISTORY_DAYS)
        self.start = datetime(first_day.year, first_day.month, first_day.day, tzinfo=UTC)
        self.world = World()
        self.counters: dict[str, int] = {}
        self.used_emails: set[str] = set()
        self.companies = self.make_companies(max(20, people // 25))
        self.sales_reps = self.make_sales_reps(12)
        self.products = self.make_products()
        self.campaigns = self.make_campaigns()

    def next_id(self, prefix: str, width: int = 7) -> str:
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return f"{prefix}{self.counters[prefix]:0{width}d}"

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def ts(self, moment: datetime) -> str:
        return timestamp_text(self.rng, moment)

    # ---- reference pools (Faker, generated once per seed) -------------------------------------
    def make_companies(self, count: int) -> list[tuple[str, str, str, str]]:
        """(name, email domain, industry, size band) of the B2B accounts in the CRM."""
        faker, rng = self.fakers["US"], self.rng
        companies = []
        for number in range(count):
            name = faker.company()
            domain = "-".join(ascii_slug(w) for w in name.split()[:2] if ascii_slug(w))
            domain = f"{domain.replace('.', '') or 'company'}{number}.com"
            companies.append((name, domain, rng.choice(INDUSTRIES), rng.choice(COMPANY_SIZES)))
        return companies

    def make_sales_reps(self, count: int) -> list[str]:
        faker = self.fakers["US"]
        return [
            f"{ascii_slug(faker.first_name())}.{ascii_slug(faker.last_name())}@sales.example.org"
            for _ in range(count)
        ]

    def make_products(self) -> list[tuple[str, str, str, float]]:
        """(product_id, name, category, USD price) of a 150-product catalogue."""
        faker, rng = self.fakers["US"], self.rng
        products = []
        categories = sorted(CATEGORY_PRODUCTS)
        for number in range(1, 151):
            category = categories[number % len(categories)]
            noun = rng.choice(CATEGORY_PRODUCTS[category])
            price = rng.choice((9, 14, 19, 24, 29, 39, 49, 59, 79, 99, 149, 199)) + 0.99
            products.append((f"SKU{number:04d}", f"{faker.color_name()} {noun}", category, price))
        return products

    def make_campaigns(self) -> list[Row]:
        rng = self.rng
        sent_dates = sorted(
            between(rng, self.start + timedelta(days=20), self.end - timedelta(days=2))
            for _ in range(40)
        )
        campaigns = []
        for number, sent_at in enumerate(sent_dates, start=1):
            channel = weighted(rng, (("email", 0.6), ("sms", 0.15), ("push", 0.12), ("ads", 0.13)))
            theme = rng.choice(("newsletter", "sale", "new arrivals", "win-back", "welcome"))
            is_draft = number == len(sent_dates)  # planned, not sent yet: no date, no cost
            row = {
                "campaign_id": f"CMP{number:04d}",
                "channel": channel,
                "campaign_name": f"{sent_at:%Y-%m} {channel} {theme}",
                "sent_at": None if is_draft else self.ts(sent_at),
                "cost_amount": None if is_draft else money(rng.uniform(50, 4000)),
                "currency": None if is_draft else ("EUR" if rng.random() < 0.1 else "USD"),
            }
            self.world.add(("marketing", "campaigns"), row)
            if not is_draft:
                campaigns.append({**row, "_sent_at": sent_at})
        return campaigns

    # ---- people ------------------------------------------------------------------------------
    def make_person(self, index: int) -> Person:
        rng = self.rng
        country = weighted(rng, ((c, w) for _, c, w in LOCALES))
        faker = self.fakers[country]
        first, last = faker.first_name(), faker.last_name()
        local, domain = self.unique_email(first, last)
        span = (self.end - self.start).total_seconds() - 5 * 86400
        first_seen = self.start + timedelta(seconds=int(span * rng.random() ** 0.8))
        has_dob = rng.random() < 0.6
        return Person(
            person_id=f"P{index + 1:07d}",
            country_code=country,
            first_name=first,
            last_name=last,
            email_local=local,
            email_domain=domain,
            phone_e164=make_phone(rng, country),
            address_line1=faker.street_address().replace("\n", ", "),
            city=faker.city(),
            postcode=faker.postcode(),
            date_of_birth=date(1950, 1, 1) + timedelta(days=rng.randrange(19000))
            if has_dob
            else None,
            acquisition_channel=weighted(rng, ACQUISITION_CHANNELS),
            first_seen_at=first_seen,
        )

    def unique_email(self, first: str, last: str) -> tuple[str, str]:
        """A canonical address no other person has, even after normalization."""
        rng = self.rng
        if rng.random() < COMPANY_EMAIL_SHARE:
            domain = rng.choice(self.companies)[1]
        else:
            domain = weighted(rng, FREEMAIL_DOMAINS)
        first_slug, last_slug = ascii_slug(first) or "x", ascii_slug(last) or "x"
        style = rng.random()
        base = f"{first_slug}.{last_slug}" if style < 0.5 else f"{first_slug[0]}{last_slug}"
        local = f"{base}{rng.randrange(1, 999)}" if rng.random() < 0.5 else base
        while normalize_email(f"{local}@{domain}") in self.used_emails:
            local = f"{base}{rng.randrange(1, 99999)}"
        self.used_emails.add(normalize_email(f"{local}@{domain}"))
        return local, domain

    def share_households(self, persons: list[Person]) -> None:
        """About 4% of people live with someone else: same phone, last name and address."""
        rng = self.rng
        for person in persons:
            if rng.random() < 0.04:
                other = persons[rng.randrange(len(persons))]
                if other is not person and other.country_code == person.country_code:
                    person.phone_e164 = other.phone_e164
                    person.last_name = other.last_name
                    person.address_line1, person.city = other.address_line1, other.city
                    person.postcode = other.postcode

    def email_of(self, person: Person, junk_share: float = 0.0) -> str:
        if junk_share and self.rng.random() < junk_share:
            return self.rng.choice(JUNK_EMAILS)
        return email_text(self.rng, person.email_local, person.email_domain)

    def phone_of(self, person: Person, country_on_row: bool = False, junk: float = 0.0) -> str:
        if junk and self.rng.random() < junk:
            return self.rng.choice(JUNK_PHONES)
        return phone_text(self.rng, person.phone_e164, country_on_row)

    def build(self, progress: Callable[[int], None] | None) -> World:
        """Every table for all the people, in memory (small populations and tests)."""
        (world,) = self.build_in_chunks(self.people, progress)
        return world

    def build_in_chunks(
        self, chunk_people: int, progress: Callable[[int], None] | None
    ) -> Iterator[World]:
        """The tables chunk by chunk of people, so memory stays flat however many there are.

        With one chunk (people <= chunk_people) the random draws, and so the files, are exactly
        those of a single pass. Shared devices stay within a chunk; spend comes with the last.
        """
        persons = [self.make_person(index) for index in range(self.people)]
        self.share_households(persons)
        step = max(1, self.people // 100)
        for start in range(0, self.people, chunk_people):
            chunk = persons[start : start + chunk_people]
            for index, person in enumerate(chunk, start=start):
                self.simulate_person(person)
                if progress and ((index + 1) % step == 0 or index + 1 == self.people):
                    progress(index + 1)
            self.shared_devices(chunk)
            if start + chunk_people >= self.people:
                self.marketing_spend()
            yield self.world
            self.world = World()

    def simulate_person(self, person: Person) -> None:
        rng = self.rng
        if rng.random() < 0.7:
            self.shop_account(person)
        if rng.random() < 0.6:
            self.web_activity(person)
        self.orders(person)
        if rng.random() < 0.25:
            self.crm_contact(person)
        if rng.random() < 0.2:
            self.support_tickets(person)
        self.consents_and_email(person)
        if person.account_id and rng.random() < 0.21:
            self.subscription(person)
        if rng.random() < 0.15:
            self.nps(person)
        if rng.random() < 0.3:
            self.loyalty(person)
        if rng.random() < 0.005:
            self.erasure(person)

    # ---- shop --------------------------------------------------------------------------------
    def shop_account(self, person: Person) -> None:
        rng = self.rng
        person.account_id = self.next_id("A")
        created = person.first_seen_at + timedelta(minutes=rng.randint(0, 600))
        person.account_created_at = created
        version_count = weighted(rng, ((1, 0.82), (2, 0.14), (3, 0.04)))
        faker = self.fakers[person.country_code]
        updated = created
        for version in range(version_count):
            if version:
                updated = between(rng, updated, self.end)
                if rng.random() < 0.6:  # moved house: the newer version has the new address
                    person.address_line1 = faker.street_address().replace("\n", ", ")
                    person.city, person.postcode = faker.city(), faker.postcode()
            has_channel = rng.random() < 0.92
            self.world.add(
                ("shop", "customers"),
                {
                    "account_id": person.account_id,
                    "email": self.email_of(person, junk_share=0.004),
                    "phone": self.phone_of(person, country_on_row=True, junk=0.004)
                    if rng.random() < 0.75
                    else None,
                    "first_name": name_text(rng, person.first_name, True),
                    "last_name": name_text(rng, person.last_name, False),
                    "address_line1": person.address_line1,
                    "city": person.city,
                    "postcode": person.postcode,
                    "country_code": person.country_code,
                    "date_of_birth": person.date_of_birth.isoformat()
                    if person.date_of_birth
                    else None,
                    "acquisition_channel": person.acquisition_channel if has_channel else None,
                    "created_at": self.ts(created),
                    "updated_at": self.ts(updated),
                },
            )
        self.world.belongs("shop__customers", person.account_id, person)

    def order_dates(self, person: Person) -> list[datetime]:
        """Buying behaviour: never, one-time, steady, lapsed (churned) or reactivated buyers."""
        rng, end = self.rng, self.end
        start = person.account_created_at or person.first_seen_at
        if person.account_id is None:  # guest-only shoppers buy rarely
            if rng.random() >= 0.2:
                return []
            return self.purchases(start, end, mean_gap_days=rng.uniform(120, 300), limit=2)
        kind = weighted(rng, BUYER_KINDS)
        if kind == "never":
            return []
        if kind == "one_time":
            return self.purchases(start, end, mean_gap_days=1, limit=1)
        mean_gap = rng.uniform(35, 150)
        if kind == "lapsed" and start < end - timedelta(days=260):
            churned_at = between(rng, start + timedelta(days=45), end - timedelta(days=200))
            return self.purchases(start, churned_at, mean_gap, limit=8)
        if kind == "reactivated" and start < end - timedelta(days=330):
            paused_at = end - timedelta(days=rng.randint(300, 420))
            early = self.purchases(start, paused_at, mean_gap, limit=5)
            back_at = end - timedelta(days=rng.randint(5, 90))
            return early + self.purchases(back_at, end, mean_gap, limit=3)
        return self.purchases(start, end, mean_gap, limit=25)

    def purchases(
        self, start: datetime, end: datetime, mean_gap_days: float, limit: int
    ) -> list[datetime]:
        """Order times from `start` to `end`: the first soon after, then random gaps."""
        rng = self.rng
        moment = start + timedelta(days=rng.expovariate(1 / 10))
        dates: list[datetime] = []
        while moment < end and len(dates) < limit:
            dates.append(moment)
            moment += timedelta(days=rng.expovariate(1 / mean_gap_days) + 1)
        return dates

    def orders(self, person: Person) -> None:
        rng = self.rng
        home_currency = COUNTRY_CURRENCY[person.country_code]
        for ordered_at in self.order_dates(person):
            order_id = self.next_id("O", 8)
            is_guest = person.account_id is None or rng.random() < 0.05
            currency = home_currency if rng.random() < 0.9 else "USD"
            status = weighted(rng, ORDER_STATUSES)
            if self.end - ordered_at < timedelta(days=10):
                status = rng.choice(("placed", "paid", "shipped", "delivered"))
            subtotal, line_discounts, returned_value = self.order_items(
                order_id, currency, status == "returned"
            )
            promo = round(subtotal * rng.choice((0.1, 0.15, 0.2)), 2) if rng.random() < 0.2 else 0
            discount = round(promo + line_discounts, 2)
            shipping = 0.0 if subtotal > 75 else rng.choice((4.99, 6.99, 9.99))
            total = round(subtotal - discount + shipping, 2)
            refunded = {"refunded": total, "returned": min(total, returned_value)}.get(status)
            final = {
                "order_id": order_id,
                "account_id": None if is_guest else person.account_id,
                "email": self.email_of(person, junk_share=0 if is_guest else 0.004),
                "phone": self.phone_of(person) if rng.random() < 0.4 else None,
                "status": status,
                "currency": currency,
                "subtotal_amount": money(subtotal),
                "discount_amount": money(discount) if discount else None,
                "shipping_amount": money(shipping),
                "total_amount": money(total),
                "refunded_amount": money(refunded) if refunded is not None else None,
                "ordered_at": self.ts(ordered_at),
                "updated_at": None,
                "_late": rng.random() < LATE_SHARE,
            }
            if status != "placed" and rng.random() < 0.3:  # the first version, superseded later
                self.world.add(
                    ("shop", "orders"),
                    {**final, "status": "placed", "refunded_amount": None,
                     "updated_at": self.ts(ordered_at), "_late": False},
                )  # fmt: skip
            days_later = {"returned": 20, "refunded": 12, "delivered": 5}.get(status, 1)
            updated = min(self.end, ordered_at + timedelta(days=rng.uniform(0.1, days_later)))
            final["updated_at"] = self.ts(updated)
            self.world.add(("shop", "orders"), final)
            self.world.belongs("shop__orders", order_id, person)
            if person.devices and rng.random() < 0.6:
                self.web_event(
                    person.devices[0], person.account_id, "order_completed", ordered_at,
                    {"order_id": order_id, "total": money(total), "currency": currency},
                )  # fmt: skip

    def order_items(self, order_id: str, currency: str, is_returned: bool) -> tuple[float, ...]:
        """Writes an order's lines; returns (subtotal, line discounts, value of returned units)."""
        rng = self.rng
        subtotal = discounts = returned_value = 0.0
        line_count = rng.choice((1, 1, 1, 2, 2, 3, 4))
        returned_line = rng.randrange(line_count) if is_returned else -1
        for line in range(line_count):
            product_id, name, category, usd_price = rng.choice(self.products)
            quantity = rng.choice((1, 1, 1, 2, 3))
            unit_price = round(usd_price * PRICE_FACTOR[currency], 2)
            line_value = quantity * unit_price
            discount = round(line_value * 0.1, 2) if rng.random() < 0.05 else 0.0
            returned = quantity if line == returned_line else 0
            subtotal += line_value
            discounts += discount
            returned_value += returned * unit_price - (discount if returned else 0)
            self.world.add(
                ("shop", "order_items"),
                {
                    "order_item_id": self.next_id("OI", 9),
                    "order_id": order_id,
                    "product_id": product_id,
                    "product_name": name,
                    "category": category,
                    "quantity": str(quantity),
                    "unit_price": money(unit_price),
                    "discount_amount": money(discount) if discount else None,
                    "returned_quantity": str(returned) if returned else None,
                },
            )
        return round(subtotal, 2), round(discounts, 2), round(returned_value, 2)

    # ---- CRM ---------------------------------------------------------------------------------
    def crm_contact(self, person: Person) -> None:
        rng = self.rng
        contact_id = self.next_id("C")
        company, company_domain, industry, size = rng.choice(self.companies)
        if rng.random() < 0.3 and person.email_domain != company_domain:
            email = f"{ascii_slug(person.first_name)}.{ascii_slug(person.last_name)}"
            email = f"{email}.{contact_id.lower()}@{company_domain}"  # a work address
        else:
            email = self.email_of(person, junk_share=0.005)
        created = between(rng, person.first_seen_at - timedelta(days=120), self.end)
        created = max(created, self.start)
        statuses = ["new"]
        if rng.random() < 0.6:
            statuses.append(rng.choice(("working", "qualified")))
            if rng.random() < 0.4:
                statuses.append(rng.choice(("customer", "unqualified")))
        base = {
            "contact_id": contact_id,
            "email": email,
            "phone": self.phone_of(person, junk=0.01) if rng.random() < 0.6 else None,
            "first_name": name_text(rng, person.first_name, True),
            "last_name": name_text(rng, person.last_name, False),
            "company_name": company,
            "industry": industry,
            "company_size": size,
            "lead_source": rng.choice(("web_form", "event", "referral", "outbound", "partner")),
            "owner_email": rng.choice(self.sales_reps),
            "created_at": self.ts(created),
        }
        # Most CRMs export the current state only; some exports keep every version.
        versions = statuses if rng.random() < 0.25 else statuses[-1:]
        updated = created
        for status in versions:
            updated = between(rng, updated, min(self.end, updated + timedelta(days=90)))
            self.world.add(
                ("crm", "contacts"),
                {**base, "lead_status": status, "updated_at": self.ts(updated)},
            )
        self.world.belongs("crm__contacts", contact_id, person)

    # ---- web ---------------------------------------------------------------------------------
    def web_event(
        self,
        device: Device,
        user_id: str | None,
        name: str,
        at: datetime,
        properties: dict[str, str] | None = None,
    ) -> None:
        path = {"page_view": "/", "search": "/search", "login": "/account/login"}.get(name)
        self.world.add(
            ("web", "events"),
            {
                "event_id": self.uuid(),
                "anonymous_id": device.anonymous_id,
                "user_id": user_id,
                "event_name": name,
                "platform": device.platform,
                "page_url": None
                if device.platform != "web"
                else f"https://shop.example.com{path or '/' + name.replace('_', '-')}",
                "properties": json.dumps(properties, sort_keys=True) if properties else None,
                "occurred_at": at,
            },
        )

    def web_activity(self, person: Person) -> None:
        rng = self.rng
        for number in range(rng.choice((1, 1, 1, 2, 2, 3))):
            platform = weighted(rng, (("web", 0.6), ("ios", 0.22), ("android", 0.18)))
            first_used = between(rng, person.first_seen_at, self.end - timedelta(days=3))
            if number == 0:
                first_used = person.first_seen_at
            device = Device(self.uuid(), platform, first_used)
            person.devices.append(device)
            self.world.belongs("web__devices", device.anonymous_id, person)
            created = person.account_created_at
            if number == 0 and created:
                self.web_event(device, None, "page_view", first_used)
                self.web_event(device, person.account_id, "signup", created)
            else:
                opener = "app_open" if platform != "web" else "page_view"
                self.web_event(device, None, opener, first_used)
            active_until = min(self.end, first_used + timedelta(days=rng.randint(20, 700)))
            self.device_events(person, device, rng.randint(1, 10), first_used, active_until)

    def device_events(
        self, person: Person, device: Device, count: int, start: datetime, end: datetime
    ) -> None:
        rng = self.rng
        for _ in range(count):
            name = weighted(
                rng,
                (("page_view", 0.4), ("product_view", 0.2), ("search", 0.1), ("login", 0.08),
                 ("add_to_cart", 0.1), ("checkout_started", 0.05), ("app_open", 0.07)),
            )  # fmt: skip
            if name == "app_open" and device.platform == "web":
                name = "page_view"
            logged_in = person.account_id is not None and (name == "login" or rng.random() < 0.4)
            properties = None
            if name in ("product_view", "add_to_cart"):
                properties = {"product_id": rng.choice(self.products)[0]}
            elif name == "search":
                properties = {"query": rng.choice(sorted(CATEGORY_PRODUCTS)).lower()}
            self.web_event(
                device,
                person.account_id if logged_in else None,
                name,
                between(rng, start + timedelta(seconds=1), end),
                properties,
            )

    def shared_devices(self, persons: list[Person]) -> None:
        """About 2% of people also use someone else's device (a family tablet), after its owner."""
        rng = self.rng
        owners = [p for p in persons if p.devices]
        if len(owners) < 2:
            return
        for person in persons:
            if rng.random() < 0.02:
                owner = owners[rng.randrange(len(owners))]
                if owner is not person:
                    device = owner.devices[0]
                    start = device.first_used_at + timedelta(hours=1)
                    self.device_events(person, device, rng.randint(2, 5), start, self.end)

    # ---- support, email, consent -------------------------------------------------------------
    def support_tickets(self, person: Person) -> None:
        rng = self.rng
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            ticket_id = self.next_id("T")
            created = between(rng, person.first_seen_at, self.end)
            responded = created + timedelta(minutes=rng.randint(5, 2880))
            resolved = responded + timedelta(hours=rng.randint(1, 120))
            status = weighted(
                rng, (("solved", 0.55), ("closed", 0.25), ("open", 0.1), ("pending", 0.1))
            )
            if resolved > self.end:
                status = "pending"
            is_done = status in ("solved", "closed")
            has_response = status != "open" and responded <= self.end
            self.world.add(
                ("support", "tickets"),
                {
                    "ticket_id": ticket_id,
                    "requester_email": self.email_of(person, junk_share=0.005),
                    "requester_phone": self.phone_of(person) if rng.random() < 0.2 else None,
                    "channel": rng.choice(("email", "chat", "phone", "web")),
                    "priority": weighted(
                        rng, (("low", 0.3), ("normal", 0.5), ("high", 0.15), ("urgent", 0.05))
                    ),
                    "status": status,
                    "subject": rng.choice(TICKET_SUBJECTS),
                    "created_at": self.ts(created),
                    "first_response_at": self.ts(responded) if has_response else None,
                    "resolved_at": self.ts(resolved) if is_done else None,
                    "csat_score": str(rng.choice((1, 2, 3, 4, 4, 5, 5, 5)))
                    if is_done and rng.random() < 0.6
                    else None,
                },
            )
            self.world.belongs("support__tickets", ticket_id, person)

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
                "occurred_at": self.ts(min(at, self.end)),
                "source": source,
                "_late": self.rng.random() < LATE_SHARE,
            },
        )

    def grant_then_maybe_revoke(
        self,
        identifier: tuple[str, str],
        channel: str,
        purpose: str,
        granted_at: datetime,
        sources: tuple[str, str],
        revoke_share: float,
    ) -> datetime | None:
        """A grant, and for some people a later revocation; returns when it was revoked."""
        rng = self.rng
        self.consent(*identifier, channel, purpose, "granted", granted_at, sources[0])
        if rng.random() >= revoke_share:
            return None
        revoked_at = between(rng, granted_at + timedelta(days=1), self.end)
        self.consent(*identifier, channel, purpose, "revoked", revoked_at, sources[1])
        if rng.random() < 0.1:  # changed their mind again
            again = between(rng, revoked_at + timedelta(days=1), self.end)
            self.consent(*identifier, channel, purpose, "granted", again, "preference_center")
            return None
        return revoked_at

    def consents_and_email(self, person: Person) -> None:
        rng = self.rng
        signup_at = person.account_created_at or person.first_seen_at
        email = (email_text(rng, person.email_local, person.email_domain).strip(), "email")
        if rng.random() < 0.7:
            source = "signup_form" if person.account_id else "checkout"
            web_devices = [device for device in person.devices if device.platform == "web"]
            if not person.account_id and web_devices and rng.random() < 0.8:
                # Subscribed through the newsletter form: the tracker identifies the browser.
                source = "newsletter_form"
                email_as_typed = email_text(rng, person.email_local, person.email_domain)
                self.web_event(
                    web_devices[0], None, "newsletter_signup",
                    max(signup_at, web_devices[0].first_used_at) + timedelta(seconds=30),
                    {"email": email_as_typed},
                )  # fmt: skip
            revoked_at = self.grant_then_maybe_revoke(
                email, "email", "marketing", signup_at, (source, "unsubscribe_link"), 0.15
            )
            self.email_engagement(person, signup_at, revoked_at)
        if rng.random() < 0.1:
            self.consent(*email, "email", "service", "granted", signup_at, "support")
        if rng.random() < 0.25:
            phone = (self.phone_of(person, junk=0.01), "phone")
            self.grant_then_maybe_revoke(
                phone, "sms", "marketing", signup_at, ("checkout", "preference_center"), 0.2
            )
        if rng.random() < 0.45:
            self.grant_then_maybe_revoke(
                email, "ads", "marketing", signup_at, ("cookie_banner", "preference_center"), 0.2
            )
        for device in person.devices:
            device_id = ZERO_DEVICE_ID if rng.random() < 0.01 else device.anonymous_id
            if device.platform != "web" and rng.random() < 0.6:
                self.grant_then_maybe_revoke(
                    (device_id, "device_id"), "push", "marketing", device.first_used_at,
                    ("signup_form", "preference_center"), 0.25,
                )  # fmt: skip
            elif device.platform == "web" and rng.random() < 0.4:
                status = "granted" if rng.random() < 0.75 else "revoked"
                self.consent(
                    device_id, "device_id", "ads", "personalization", status,
                    device.first_used_at, "cookie_banner",
                )  # fmt: skip

    def email_engagement(
        self, person: Person, granted_at: datetime, revoked_at: datetime | None
    ) -> None:
        """ESP events for the email campaigns sent while the person was subscribed."""
        rng = self.rng
        email = email_text(rng, person.email_local, person.email_domain)
        open_rate = rng.choice((0.05, 0.2, 0.35, 0.6))
        last_sent = None
        for campaign in self.campaigns:
            sent_at = campaign["_sent_at"]
            if campaign["channel"] != "email" or sent_at < granted_at or rng.random() > 0.5:
                continue
            if revoked_at and sent_at > revoked_at:
                break
            last_sent = campaign
            events: list[tuple[str, datetime, str | None, str | None]] = [
                ("sent", sent_at, None, None)
            ]
            if rng.random() < 0.03:
                hard = rng.random() < 0.3
                events.append(("bounce", sent_at, "hard" if hard else "soft", None))
            else:
                events.append(("delivered", sent_at + timedelta(seconds=40), None, None))
                if rng.random() < open_rate:
                    opened = sent_at + timedelta(minutes=rng.randint(5, 4000))
                    events.append(("open", opened, None, None))
                    if rng.random() < 0.25:
                        url = f"https://shop.example.com/c/{campaign['campaign_id'].lower()}"
                        events.append(("click", opened + timedelta(minutes=2), None, url))
                if rng.random() < 0.003:
                    events.append(("spam_complaint", sent_at + timedelta(hours=3), None, None))
            for event_type, at, bounce_type, url in events:
                email_event_id = self.next_id("EE", 9)
                if event_type == "click":
                    self.email_click_landing(person, email_event_id, url, at)
                self.world.add(
                    ("email", "engagement_events"),
                    {
                        "email_event_id": email_event_id,
                        "campaign_id": campaign["campaign_id"],
                        "email": email,
                        "event_type": event_type,
                        "bounce_type": bounce_type,
                        "url": url,
                        "occurred_at": min(at, self.end),
                    },
                )
            self.world.belongs("email__recipients", email.strip().lower(), person)
            if events[-1][2] == "hard":
                break
        if revoked_at and last_sent:
            self.world.add(
                ("email", "engagement_events"),
                {
                    "email_event_id": self.next_id("EE", 9),
                    "campaign_id": last_sent["campaign_id"],
                    "email": email,
                    "event_type": "unsubscribe",
                    "bounce_type": None,
                    "url": None,
                    "occurred_at": revoked_at,
                },
            )

    def email_click_landing(
        self, person: Person, email_event_id: str, url: str | None, clicked_at: datetime
    ) -> None:
        """The tracked link of an email click lands on one of the person's devices, if any."""
        devices = [device for device in person.devices if device.first_used_at <= clicked_at]
        if not devices or clicked_at >= self.end:
            return
        device = self.rng.choice(devices)
        self.web_event(
            device, None, "page_view", clicked_at + timedelta(seconds=5),
            {"email_event_id": email_event_id, "utm_medium": "email"},
        )  # fmt: skip

    # ---- billing, surveys, loyalty, privacy, spend --------------------------------------------
    def subscription(self, person: Person) -> None:
        rng = self.rng
        plan, monthly_price = rng.choice(PLANS)
        is_annual = rng.random() < 0.3
        mrr = round(monthly_price * 10 / 12, 2) if is_annual else monthly_price
        currency = COUNTRY_CURRENCY[person.country_code]
        started = between(rng, person.account_created_at or person.first_seen_at, self.end)
        cancelled = between(rng, started + timedelta(days=14), self.end)
        is_cancelled = rng.random() < 0.3 and cancelled < self.end
        if is_cancelled:
            status = "cancelled"
        elif self.end - started < timedelta(days=14):
            status = "trialing"
        else:
            status = "past_due" if rng.random() < 0.08 else "active"
        self.world.add(
            ("billing", "subscriptions"),
            {
                "subscription_id": self.next_id("S"),
                "account_id": person.account_id,
                "plan": plan,
                "billing_period": "annual" if is_annual else "monthly",
                "mrr_amount": money(mrr * PRICE_FACTOR[currency]),
                "currency": currency,
                "status": status,
                "started_at": self.ts(started),
                "cancelled_at": self.ts(cancelled) if is_cancelled else None,
            },
        )

    def nps(self, person: Person) -> None:
        rng = self.rng
        for _ in range(rng.choice((1, 1, 1, 2))):
            response_id = self.next_id("R")
            score = rng.choice((0, 2, 3, 5, 6, 7, 7, 8, 8, 9, 9, 9, 10, 10))
            category = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
            self.world.add(
                ("surveys", "nps_responses"),
                {
                    "response_id": response_id,
                    "email": self.email_of(person),
                    "score": str(score),
                    "comment": rng.choice(NPS_COMMENTS[category]) if rng.random() < 0.35 else None,
                    "responded_at": self.ts(between(rng, person.first_seen_at, self.end)),
                },
            )
            self.world.belongs("surveys__nps_responses", response_id, person)

    def loyalty(self, person: Person) -> None:
        rng = self.rng
        loyalty_id = self.next_id("L")
        joined = between(rng, person.first_seen_at, self.end)
        tiers = ("bronze", "silver", "gold", "platinum")
        tier = weighted(rng, zip(tiers, (0.55, 0.28, 0.13, 0.04), strict=True))
        points = rng.randrange(0, 3000)
        updated = joined
        email = self.email_of(person, junk_share=0.005) if rng.random() < 0.92 else None
        phone = self.phone_of(person, junk=0.02) if rng.random() < 0.5 or not email else None
        for version in range(weighted(rng, ((1, 0.75), (2, 0.2), (3, 0.05)))):
            if version:
                updated = between(rng, updated, self.end)
                points += rng.randrange(100, 4000)
                tier = tiers[min(3, tiers.index(tier) + (rng.random() < 0.4))]
            self.world.add(
                ("loyalty", "members"),
                {
                    "loyalty_id": loyalty_id,
                    "email": email,
                    "phone": phone,
                    "tier": tier,
                    "points_balance": str(points),
                    "joined_at": self.ts(joined),
                    "updated_at": self.ts(updated),
                },
            )
        self.world.belongs("loyalty__members", loyalty_id, person)

    def erasure(self, person: Person) -> None:
        rng = self.rng
        roll = rng.random()
        if person.account_id and roll < 0.4:
            identifier, identifier_type = person.account_id, "account_id"
        elif roll < 0.9:
            identifier, identifier_type = self.email_of(person), "email"
        else:
            identifier, identifier_type = person.phone_e164, "phone"
        requested = between(rng, max(person.first_seen_at, self.end - timedelta(days=90)), self.end)
        self.world.add(
            ("privacy", "erasure_requests"),
            {
                "erasure_request_id": self.next_id("E"),
                "identifier": identifier,
                "identifier_type": identifier_type,
                "requested_at": self.ts(requested),
                "source": rng.choice(("web_form", "email", "support")),
            },
        )

    def marketing_spend(self) -> None:
        """Daily spend per paid channel, scaled to the population, with a holiday peak."""
        rng = self.rng
        scale = self.people / 10_000
        daily_base = {channel: rng.uniform(40, 400) * scale for channel in PAID_CHANNELS}
        day = self.start.date()
        while day <= self.end.date():
            season = 1.6 if day.month in (11, 12) else 1.0
            for channel in PAID_CHANNELS:
                currency = "EUR" if channel == "display" else "USD"
                amount = daily_base[channel] * season * rng.uniform(0.6, 1.4)
                self.world.add(
                    ("marketing", "spend"),
                    {
                        "spend_date": day.isoformat(),
                        "channel": channel,
                        "spend_amount": money(amount / (1.08 if currency == "EUR" else 1)),
                        "currency": currency,
                    },
                )
            day += timedelta(days=1)


# ---- messiness applied to whole tables -----------------------------------------------------
def add_mess(world: World, rng: Random) -> None:
    """Break a small share of rows, then duplicate about 1% of some tables exactly."""
    for table in TABLES:
        rows = world.rows.get(table, [])
        breakages = MALFORMATIONS.get(table, ())
        for index in range(len(rows)):
            if breakages and rng.random() < MALFORMED_SHARE:
                column, bad_value = rng.choice(breakages)
                rows[index] = {**rows[index], column: bad_value}
        if table in DUPLICATED_TABLES:
            rows.extend(dict(rows[i]) for i in range(len(rows)) if rng.random() < DUPLICATE_SHARE)


# ---- writing ---------------------------------------------------------------------------------
def _sort_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def sort_rows(table: Table, rows: list[Row]) -> list[Row]:
    columns = SORT_COLUMNS.get(table, TABLES[table])
    return sorted(rows, key=lambda row: tuple(_sort_value(row.get(c)) for c in columns))


def split_files(table: Table, rows: list[Row]) -> dict[str, list[Row]]:
    """Some tables arrive as several files: one per year, plus a late-arriving drop."""
    name = table[1]
    files: dict[str, list[Row]] = {}
    year_column = YEARLY_FILES.get(table)
    for row in rows:
        if table in LATE_FILES and row.get("_late"):
            key = f"{name}_late_arriving"
        elif year_column:
            year = _sort_value(row.get(year_column))[:4]
            key = f"{name}_{year}" if year.isdigit() and year != "0000" else f"{name}_other"
        else:
            key = name
        files.setdefault(key, []).append(row)
    return files or {name: []}


def write_csv(path: Path, columns: Sequence[str], rows: list[Row]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([("" if row.get(c) is None else row[c]) for c in columns] for row in rows)


def write_parquet(path: Path, columns: Sequence[str], rows: list[Row]) -> None:
    arrays = {
        column: pa.array(
            [row.get(column) for row in rows],
            type=pa.timestamp("us", tz="UTC") if column in TIMESTAMP_COLUMNS else pa.string(),
        )
        for column in columns
    }
    pq.write_table(pa.table(arrays), path, compression="zstd")


def clear_table_folder(folder: Path) -> None:
    """Remove the data files an earlier generation left; never anything else."""
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.is_file() and path.suffix in (".csv", ".parquet"):
                path.unlink()
    folder.mkdir(parents=True, exist_ok=True)


def write_world(
    world: World, raw_dir: Path, truth_path: Path, part: int | None = None
) -> tuple[dict[str, int], list[Path]]:
    """Write one world; `part` numbers the chunk of a chunked generation (files get _partNNN)."""
    rows_per_table: dict[str, int] = {}
    written: list[Path] = []
    for table, columns in TABLES.items():
        folder = raw_dir / table[0] / table[1]
        if not part:
            clear_table_folder(folder)
        rows = world.rows.get(table, [])
        is_parquet = table in PARQUET_TABLES
        for file_name, file_rows in sorted(split_files(table, rows).items()):
            if part is not None and not file_rows:
                continue  # chunks add no header-only files (generate writes those at the end)
            suffix = "" if part is None else f"_part{part:03d}"
            path = folder / f"{file_name}{suffix}.{'parquet' if is_parquet else 'csv'}"
            writer = write_parquet if is_parquet else write_csv
            writer(path, columns, sort_rows(table, file_rows))
            written.append(path)
        rows_per_table[f"{table[0]}.{table[1]}"] = len(rows)
    truth_path.parent.mkdir(parents=True, exist_ok=True)
    with truth_path.open("a" if part else "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        if not part:
            writer.writerow(("source_table", "record_key", "person_id"))
        writer.writerows((*key, person) for key, person in sorted(world.truth.items()))
    written.append(truth_path)
    return rows_per_table, written


def generate(
    raw_dir: Path,
    truth_dir: Path,
    people: int,
    seed: int,
    progress: Callable[[int], None] | None = None,
    as_of: date = DEFAULT_AS_OF,
) -> GenerationSummary:
    """Write every raw table for `people` true people, and their identity ground truth.

    `progress(n)` is called with the number of people simulated so far.
    """
    if people < 1:
        raise ValueError("people must be at least 1")
    raw_dir, truth_dir = Path(raw_dir), Path(truth_dir)
    if truth_dir.resolve().is_relative_to(raw_dir.resolve()):
        raise ValueError("write the ground truth outside the landing directory (--truth-dir)")
    generator = Generator(people, seed, as_of)
    truth_path = truth_dir / "identity_truth.csv"
    chunked = people > CHUNK_PEOPLE
    rows_per_table: dict[str, int] = {}
    written: list[Path] = []
    truth_rows = 0
    for part, world in enumerate(generator.build_in_chunks(CHUNK_PEOPLE, progress)):
        add_mess(world, generator.rng)
        part_rows, part_files = write_world(world, raw_dir, truth_path, part if chunked else None)
        for table, count in part_rows.items():
            rows_per_table[table] = rows_per_table.get(table, 0) + count
        written += [path for path in part_files if path not in written]
        truth_rows += len(world.truth)
    for table, columns in TABLES.items():
        folder = raw_dir / table[0] / table[1]
        if chunked and not any(folder.iterdir()):  # as one pass writes it: a header, no rows
            path = folder / f"{table[1]}.{'parquet' if table in PARQUET_TABLES else 'csv'}"
            (write_parquet if table in PARQUET_TABLES else write_csv)(path, columns, [])
            written.append(path)
    return GenerationSummary(
        people=people,
        seed=seed,
        as_of=as_of,
        rows_per_table=rows_per_table,
        truth_rows=truth_rows,
        raw_dir=raw_dir,
        truth_path=truth_path,
        files=tuple(written),
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.generate", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--people", type=int, default=10_000, help="number of true people")
    parser.add_argument("--seed", type=int, default=7, help="same seed, same files")
    parser.add_argument("--raw-dir", type=Path, default=Path("data/raw"), help="landing dir")
    parser.add_argument("--truth-dir", type=Path, default=Path("data/ground_truth"))
    parser.add_argument(
        "--as-of", type=date.fromisoformat, default=DEFAULT_AS_OF, help="last day (YYYY-MM-DD)"
    )
    arguments = parser.parse_args(argv)
    summary = generate(
        arguments.raw_dir,
        arguments.truth_dir,
        arguments.people,
        arguments.seed,
        as_of=arguments.as_of,
    )
    for table, rows in summary.rows_per_table.items():
        print(f"{table:32s} {rows:>9,d}")
    print(f"{'ground truth':32s} {summary.truth_rows:>9,d}  ({summary.truth_path})")


if __name__ == "__main__":
    main()
