"""What the online-seller tests (``tests/test_seller_world_*.py``) share: the Kolkata saree
shop's folder (``tests/fixtures/sellers``) opened on an ``.xlsx`` or on ``sheetcrm emulator
serve``, the emulator's write counter, and the test's own reading of each export with
pandas — the platforms' states, line totals, refunds and buyers worked out here from the
decisions the seller features follow, never through sheetcrm's readers or analytics, so
a figure sheetcrm prints is checked against an independent computation.

The money rule, as the tests read it: gross is the line totals of lines that were sold
(paid, shipped, delivered, returned, refunded, partially refunded); refunds are the
Returns amounts that are not rejected or cancelled, each capped at its line's total, plus
the whole total of a returned or refunded line that has no such record; revenue is gross
less refunds. Orders are the order ids with a sold line."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import unicodedata
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from locale_support import Book
from support import emulator_serve

FIXTURES = Path(__file__).parent / "fixtures" / "sellers"
BACKENDS = ("xlsx", "sheets")
AS_OF = dt.date(2025, 10, 31)
AS_OF_ARGS = ("--as-of", AS_OF.isoformat())

#: Each platform's state as the test expects it to be held (the canonical order states).
FLIPKART_STATES = {
    "Approved": "placed",
    "Packed": "paid",
    "Ready to Dispatch": "paid",
    "Shipped": "shipped",
    "Delivered": "delivered",
    "Cancelled": "cancelled",
    "Returned": "returned",
    "Return Requested": "delivered",  # delivered; the return may still be refused
}
AMAZON_STATES = {
    "Pending": "pending",
    "Shipped": "shipped",
    "Shipped - Delivered to Buyer": "delivered",
    "Cancelled": "cancelled",
    "Shipped - Returned to Seller": "returned",
}
SHOPIFY_STATES = {
    "paid": "paid",
    "pending": "pending",
    "authorized": "pending",
    "refunded": "refunded",
    "partially_refunded": "partially_refunded",
    "voided": "cancelled",
}
SOLD = {"paid", "shipped", "delivered", "returned", "refunded", "partially_refunded"}
UNDONE = {"returned", "refunded"}
FLIPKART_RETURN_STATES = {
    "requested": "requested",
    "approved": "approved",
    "completed": "received",
    "cancelled": "cancelled",
    "rejected": "rejected",
}
VOID = {"rejected", "cancelled"}
EARNING_STATES = {
    "pending": "pending",
    "approved": "approved",
    "paid": "paid",
    "credited": "paid",
    "cancelled": "cancelled",
}


# --- a workbook on either backend ---------------------------------------------------------


@contextmanager
def opened(backend: str, folder: Path) -> Iterator[Book]:
    """The seller's files copied into ``folder`` and a blank workbook there or on an
    emulator of its own."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in FIXTURES.iterdir():
        shutil.copy(path, folder / path.name)
    if backend == "xlsx":
        yield Book(folder, "xlsx")
    else:
        with emulator_serve(folder) as (url, [sheet]):
            yield Book(folder, "sheets", url, sheet)


WRITE_METHODS = (
    "create",
    "batchUpdate",
    "values.update",
    "values.batchUpdate",
    "values.append",
    "values.clear",
    "values.batchClear",
    "values.batchUpdateByDataFilter",
)


def written(book: Book) -> str:
    """What says whether the workbook was written: the file's SHA-256, or the emulator's
    count of write requests so far."""
    if book.backend == "xlsx":
        return hashlib.sha256(book.xlsx.read_bytes()).hexdigest()
    with urllib.request.urlopen(f"{book.url}/_emulator/stats", timeout=10) as answer:
        stats = json.load(answer)
    requests = {k.removeprefix("sheets.spreadsheets."): n for k, n in stats["requests"].items()}
    return str(sum(requests.get(m, 0) for m in WRITE_METHODS))


def grid(book: Book, tab: str) -> list[list[Any]]:
    """The cells of ``tab`` row by row as the sheet holds them (openpyxl, or the
    emulator's values API), blank rows left out: for a tab laid out in blocks, such as
    the Dashboard."""
    if book.backend == "xlsx":
        rows = [list(r) for r in openpyxl.load_workbook(book.xlsx)[tab].iter_rows(values_only=True)]
    else:
        rng = urllib.parse.quote(f"'{tab}'", safe="")
        address = f"{book.url}/v4/spreadsheets/{book.sheet}/values/{rng}"
        with urllib.request.urlopen(address, timeout=30) as answer:
            rows = json.loads(answer.read().decode("utf-8")).get("values", [])
    return [r for r in rows if any(v not in (None, "") for v in r)]


def detected_preset(run: Any) -> str:
    """The preset an import without ``--preset`` chose, from its JSON document (or what it
    printed: "… (--preset NAME)")."""
    doc = run.doc
    if doc.get("preset"):
        return str(doc["preset"])
    said = " ".join(str(x) for x in (doc.get("detected"), run.done.stderr, run.done.stdout))
    found = re.search(r"--preset ([a-z-]+)\)", said)
    return found.group(1) if found else ""


# --- the test's own reading of the exports ------------------------------------------------

_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")


def money(text: Any) -> float | None:
    """``1,12,500.00``, ``₹4.12``, ``--`` or blank (None)."""
    t = str(text or "").replace("₹", "").replace(",", "").strip()
    return None if t in ("", "--") else float(t)


def fold(text: Any) -> str:
    t = unicodedata.normalize("NFC", "" if text is None else str(text))
    return re.sub(r"\s+", " ", t).strip().casefold()


def e164(typed: Any, country: str = "91") -> str:
    digits = re.sub(r"\D", "", str(typed or "").translate(_DIGITS))
    if not digits:
        return ""
    if str(typed).strip().startswith("+"):
        return "+" + digits
    return "+" + country + digits.lstrip("0")


def _csv(name: str, **kw: Any) -> pd.DataFrame:
    return pd.read_csv(FIXTURES / name, dtype=str, keep_default_na=False, **kw)


def flipkart_lines() -> pd.DataFrame:
    raw = _csv("flipkart_orders.csv")

    def day(text: str) -> dt.date:
        if re.match(r"\d{4}-", text):
            return dt.date.fromisoformat(text[:10])
        return dt.datetime.strptime(text, "%b %d, %Y").date()

    return pd.DataFrame(
        {
            "line_id": raw["ORDER ITEM ID"],
            "order_id": raw["Order Id"],
            "day": raw["Ordered On"].map(day),
            "channel": "flipkart",
            "status": raw["Order State"].map(FLIPKART_STATES),
            "product": raw["Product"],
            "sku": raw["SKU"],
            "quantity": raw["Quantity"].astype(float),
            # the invoice amount is the line's total; a cancelled line has no invoice
            "line_total": [
                money(inv) if money(inv) is not None else float(q) * (money(p) or 0.0)
                for inv, q, p in zip(
                    raw["Invoice Amount"],
                    raw["Quantity"],
                    raw["Selling Price Per Item"],
                    strict=True,
                )
            ],
            "name": raw["Buyer name"],
            "email": "",
            "phone": "",
            "postal_code": raw["PIN Code"],
            "city": raw["City"],
        }
    )


def amazon_lines() -> pd.DataFrame:
    raw = _csv("amazon_all_orders.txt", sep="\t")
    number = raw.groupby("amazon-order-id").cumcount() + 1
    return pd.DataFrame(
        {
            "line_id": raw["amazon-order-id"] + "-" + number.astype(str),
            "order_id": raw["amazon-order-id"],
            # UTC timestamps, none of them after 18:30 UTC: the same day in Kolkata
            "day": raw["purchase-date"].map(lambda t: dt.date.fromisoformat(t[:10])),
            "channel": "amazon",
            "status": raw["order-status"].map(AMAZON_STATES),
            "product": raw["product-name"],
            "sku": raw["sku"],
            "quantity": raw["quantity"].astype(float),
            "line_total": raw["item-price"].map(lambda p: money(p) or 0.0),  # the line's
            "name": "",
            "email": "",
            "phone": "",
            "postal_code": raw["ship-postal-code"],
            "city": raw["ship-city"],
        }
    )


def shopify_raw() -> pd.DataFrame:
    """The export with each order's first-line fields on its later lines too."""
    raw = _csv("shopify_orders.csv").replace("", None)
    order_level = [c for c in raw.columns if not c.startswith("Lineitem") and c != "Name"]
    raw[order_level] = raw.groupby("Name")[order_level].ffill()
    return raw.fillna("")


def shopify_lines() -> pd.DataFrame:
    raw = shopify_raw()
    number = raw.groupby("Name").cumcount() + 1
    quantity = raw["Lineitem quantity"].astype(float)
    return pd.DataFrame(
        {
            "line_id": raw["Name"] + "-" + number.astype(str),
            "order_id": raw["Name"],
            "day": raw["Created at"].map(lambda t: dt.date.fromisoformat(t[:10])),
            "channel": "shopify",
            "status": raw["Financial Status"].map(SHOPIFY_STATES),
            "product": raw["Lineitem name"],
            "sku": raw["Lineitem sku"],
            "quantity": quantity,
            "line_total": quantity * raw["Lineitem price"].map(money),
            "name": raw["Billing Name"],
            "email": raw["Email"].str.casefold(),
            "phone": raw["Phone"].map(e164),
            "postal_code": raw["Billing Zip"],
            "city": raw["Billing City"],
        }
    )


def flipkart_returns() -> pd.DataFrame:
    raw = _csv("flipkart_returns.csv")
    return pd.DataFrame(
        {
            "return_id": raw["Return ID"],
            "line_id": raw["ORDER ITEM ID"],
            "order_id": raw["Order ID"],
            "kind": "return",
            "status": raw["Return Status"].map(FLIPKART_RETURN_STATES),
            "amount": raw["Refund Amount"].map(money),
            "day": raw["Return Requested Date"].map(dt.date.fromisoformat),
        }
    )


def shopify_refunds() -> pd.DataFrame:
    """Shopify's order-level ``Refunded Amount``: one refund record per order that has one."""
    raw = shopify_raw().drop_duplicates("Name")
    raw = raw[raw["Refunded Amount"].map(money) > 0]
    return pd.DataFrame(
        {
            "return_id": None,
            "line_id": None,
            "order_id": raw["Name"],
            "kind": "refund",
            "status": "refunded",
            "amount": raw["Refunded Amount"].map(money),
            "day": raw["Created at"].map(lambda t: dt.date.fromisoformat(t[:10])),
        }
    )


def all_lines() -> pd.DataFrame:
    return pd.concat([flipkart_lines(), amazon_lines(), shopify_lines()], ignore_index=True)


def all_returns() -> pd.DataFrame:
    return pd.concat([flipkart_returns(), shopify_refunds()], ignore_index=True)


def line_net(lines: pd.DataFrame, returns: pd.DataFrame) -> pd.DataFrame:
    """``lines`` with ``gross``, ``refunded`` and ``net`` per line, by the money rule."""
    out = lines.copy()
    sold = out["status"].isin(SOLD)
    out["gross"] = out["line_total"].where(sold, 0.0)
    live = returns[~returns["status"].isin(VOID)]
    by_line = live[live["line_id"].notna()].groupby("line_id")["amount"].sum()
    by_order = live[live["line_id"].isna()].groupby("order_id")["amount"].sum()
    refunded = []
    for row in out.itertuples():
        if not sold[row.Index]:
            refunded.append(0.0)
            continue
        back = by_line.get(row.line_id)
        if back is None and row.order_id in by_order:
            # an order-level refund, spread over the order's sold lines in file order
            rest = by_order[row.order_id]
            for other in out[(out["order_id"] == row.order_id) & sold].itertuples():
                take = min(rest, other.line_total)
                if other.Index == row.Index:
                    back = take
                    break
                rest -= take
        if back is None and row.status in UNDONE:
            back = row.line_total
        refunded.append(min(back or 0.0, row.line_total))
    out["refunded"] = refunded
    out["net"] = out["gross"] - out["refunded"]
    return out


def buyer_keys(lines: pd.DataFrame) -> list[str]:
    """One key per line's buyer, by the documented rule: e-mail, then phone, then name and
    postal code (a line whose buyer shares one of those with an earlier buyer is that
    buyer); "" for a line with no buyer at all."""
    people: list[dict[str, str]] = []
    keys = []
    for row in lines.itertuples():
        me = {
            "email": row.email,
            "phone": row.phone,
            "np": f"{fold(row.name)}|{row.postal_code}" if row.name else "",
        }
        if not any(me.values()):
            keys.append("")
            continue
        for i, person in enumerate(people):
            if any(me[k] and person.get(k) == me[k] for k in ("email", "phone", "np")):
                for k, v in me.items():
                    person[k] = person.get(k) or v
                keys.append(str(i))
                break
        else:
            people.append(dict(me))
            keys.append(str(len(people) - 1))
    return keys


def expected_sales(lines: pd.DataFrame, returns: pd.DataFrame) -> dict[str, Any]:
    """``summary``'s sales figures from the files (everything is dated before AS_OF)."""
    netted = line_net(lines, returns)
    sold = netted[netted["status"].isin(SOLD)]
    revenue = float(netted["net"].sum())
    orders = int(sold["order_id"].nunique())
    return {
        "orders": orders,
        "gross": float(netted["gross"].sum()),
        "refunds": float(netted["refunded"].sum()),
        "revenue_total": revenue,
        "average_order_value": revenue / orders,
        "products": sold.groupby("product")["net"].sum().to_dict(),
        "channels": sold.groupby("channel")["net"].sum().to_dict(),
    }


def affiliate_rows() -> pd.DataFrame:
    raw = _csv("flipkart_affiliate.csv")
    return pd.DataFrame(
        {
            "reference": raw["Order Item ID"],
            "day": raw["Order Date"].map(dt.date.fromisoformat),
            "programme": "Flipkart Affiliate",
            "source": "affiliate",
            "product": raw["Product Name"],
            "sale_amount": raw["Price (INR)"].map(money),
            "rate": raw["Commission Rate"].map(lambda r: float(r.rstrip("%"))),
            "amount": raw["Commission (INR)"].map(money),
            "status": raw["Status"].str.casefold().map(EARNING_STATES),
            "tracking_id": raw["Tracking ID (affExtParam1)"],
        }
    )


def shopsy_rows() -> pd.DataFrame:
    raw = _csv("shopsy_margin.csv")
    return pd.DataFrame(
        {
            "reference": raw["Order ID"],
            "day": raw["Order Date"].map(lambda t: dt.datetime.strptime(t, "%d/%m/%Y").date()),
            "source": "reseller",
            "product": raw["Product"],
            "amount": raw["Your Margin"].map(money),
            "margin_status": raw["Margin Status"].str.casefold().map(EARNING_STATES),
            "order_status": raw["Order Status"],
            "name": raw["Customer Name"],
            "phone": raw["Customer Phone"].map(e164),
        }
    )


def referral_rows() -> pd.DataFrame:
    raw = _csv("referrals.csv")
    return pd.DataFrame(
        {
            "reference": raw["Referral code"],
            "name": raw["Referred friend"],
            "phone": raw["Phone"].map(e164),
            "source": "referral",
            "amount": raw["Reward (₹)"].map(money),
            "status": raw["Status"].str.casefold().map(EARNING_STATES),
        }
    )


def google_ads_rows() -> pd.DataFrame:
    """The campaign rows of the report (its two title lines skipped, its totals left out)."""
    raw = _csv("google_ads_campaigns.csv", skiprows=2)
    raw = raw[~raw["Campaign status"].str.startswith("Total:")]
    return pd.DataFrame(
        {
            "name": raw["Campaign"],
            "budget": raw["Cost"].map(money),
            "impressions": raw["Impr."].map(money),
            "clicks": raw["Clicks"].map(money),
            "conversions": raw["Conversions"].map(money),
            "conversion_value": raw["Conv. value"].map(money),
        }
    ).reset_index(drop=True)


def numbers_in(text: str) -> list[float]:
    """Every number printed in ``text``, grouped (``,``, lakh) or not."""
    found = re.findall(r"\d{1,3}(?:,\d{2,3})+(?:\.\d+)?|\d+(?:\.\d+)?", text.translate(_DIGITS))
    return [float(n.replace(",", "")) for n in found]


def cell_number(value: Any) -> float | None:
    """A cell as a number (the sheet may hold ``₹1,299.00`` as text)."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return money(value)
    except ValueError:
        return None
