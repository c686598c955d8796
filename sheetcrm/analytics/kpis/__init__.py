"""THE one definition of every KPI sheetcrm shows. ``sheetcrm summary``, ``sheetcrm report``,
the Dashboard and summary tabs (``refresh``) and ``sheetcrm remind`` all call these functions,
so one question gets one answer (``tests/test_kpis.py`` holds all four to it). Import them
from here (``from sheetcrm.analytics import kpis``); the private modules beside this one
only split the code by subject: sales, leads, customers, tasks and campaigns.

Sales table
    ``sales()``, from the Orders, Returns and Interactions tabs (a missing tab is empty),
    one row per sale or refund with a signed amount:

    - every Orders line whose status is a sale (``commerce.SOLD``: paid, shipped,
      delivered, returned, refunded, partially refunded; a blank status is a sale) is a
      purchase of its ``line_total`` (blank: quantity × unit price, quantity blank → 1).
      Pending, placed and cancelled lines are never revenue;
    - every Returns record not rejected or cancelled (``commerce.REFUND_VOID``) is a
      refund of its ``amount``, on its own date, linked to the line named by ``line_id``,
      else to the order named by ``order_id`` (spread over that order's lines in tab
      order), else standalone. A line's refunds never exceed its total, and a line that
      is not a sale refunds nothing;
    - a line whose status says the sale was undone (``commerce.UNDONE``: returned,
      refunded) with no Returns record with an amount for it (by its line or its order)
      is refunded whole, on its own date;
    - Interactions of type ``purchase`` or ``return`` (``refund`` reads as ``return``)
      logged by hand count too: a purchase counts its amount and a return or refund minus
      its amount, the type decides, not the sign it was typed with. A logged purchase
      whose ``order_id`` is an order of the Orders tab is left out (that order counts
      once, from its lines).

    Each row has its ``channel`` (the line's; ``direct`` for a logged sale, a line
    without one and a refund linked to no order) and ``line_id``.
Revenue, orders, average order value
    Gross is the purchases, refunds the money given back; revenue is net: gross − refunds,
    the sum of the sales table. Orders are distinct order ids with a purchase (an order
    of three lines is one order; a return is not an order; a logged purchase without an
    order id is an order of its own). Average order value is revenue ÷ orders, blank
    without orders. Returns is the money given back. Per product, figures are per line: a
    product's revenue is its lines' net, its orders the orders with a line of it.
Revenue by channel
    ``channel_table()``: per channel, orders, gross, refunds, revenue (net) and its share
    of all revenue (0–1).
Pending orders
    ``pending_orders()``: lines that are pending or placed, counted as pipeline (their
    value and distinct orders), never as revenue.
Order lines
    ``order_lines()`` gives the Orders tab's computed columns: ``refunded`` (the line's
    refunds as above) and ``net`` (its total less ``refunded`` when it is a sale, else 0).
Time zone and the as-of date
    Dates and times in the workbook are wall-clock values in the workbook's time zone
    (``[locale] timezone``, UTC by default); the as-of date is a day in that zone (by
    default today there: ``CRM.as_of``). Nothing dated after the as-of day counts anywhere,
    so ``--as-of`` reproduces an earlier day's figures; "all time" ends with the as-of day.
    A sale without a readable date counts nowhere.
Period
    ``[start, end)``: from midnight starting ``start`` to midnight starting ``end``, so a
    sale at exactly ``end`` belongs to the next period (``analytics.periods``, the one
    place period words are defined). "This month" is the calendar month to date: its 1st
    to the as-of day, in the workbook's calendar (Jalali for a Persian workbook); "last
    month" the whole calendar month before; "the last 7 / 30 / 90 days" are rolling
    windows of that many days ending with the as-of day (``periods.last_days``: never 31
    days, never a future day). ``--period`` takes ``this-month``, ``last-month``,
    ``last-7-days``, ``last-30-days`` (the default), ``last-90-days``, a calendar month or
    a range ``A..B`` (both days included, cut off at the as-of day); the old ``week``,
    ``month`` and ``quarter`` still read as the last 7, 30 and 91 days, and are labelled
    so. Every label of a period names its exact first and last day ("the last 30 days,
    2025-09-16 to 2025-10-15"). A report compares a period with the same number of days
    just before it.
Monthly trend
    The 12 calendar months ending with the as-of month, each ``[1st, next 1st)``: new
    leads, orders, revenue, returns and average order value.
Month to date
    The Dashboard compares this month so far (``periods.this_month``) with the same days
    of last month (``same_days_last_month``: last month from its 1st for as many days,
    cut at its end), so a month two weeks old is not compared with a whole month; last
    month whole (``periods.last_month``) is shown beside. Every column names its days.
Today
    ``today()``: follow-ups due today (open leads whose next action is dated the as-of
    day, and tasks not done due that day), overdue tasks (as above) and hot leads (open,
    scoring at least ``HOT_SCORE`` = 70, or of high interest with a next action due today
    or overdue), each a count and the first few names.
New leads, new customers
    Leads whose ``contact_date``, customers whose ``first_contact`` is in the period.
Leads
    Open: status ``new``, ``contacted`` or ``qualified`` (``OPEN_LEAD_STATUSES``); a blank
    status is not open. Conversion rate: converted ÷ leads, blank without leads (for a
    period, among its new leads). Leads by source counts a blank source as "(none)".
    Open pipeline: the sum of open leads' ``value``; weighted forecast: each open lead's
    value × its stage weight (``STAGE_WEIGHTS``: new 10 %, contacted 25 %, qualified 50 %).
Overdue task
    Not done (neither the ``done`` checkbox ticked nor status ``done``) and due before the
    as-of day; a task without a due date is never overdue. A blank assignee is "(nobody)".
Campaigns
    CTR = clicks ÷ impressions; CPA = budget ÷ customers won; ROI = (revenue − budget) ÷
    budget; conversion rate = conversions ÷ clicks where both are filled in, else
    customers ÷ leads. Each is blank, never an error, when a part is zero or missing. A
    campaign's revenue is its converted leads' customers' net sales from each lead's
    contact date on (``analytics.campaigns``).
Active and inactive customers
    A customer is active when their last purchase is at most 180 days (``ACTIVE_DAYS``)
    before the as-of day. Inactive: not active, and last heard of (Recency, below) more
    than 180 days before it, whether they ever bought or not — a customer never contacted
    since a first visit two years ago is inactive, one who last bought a year ago but
    called last week is neither. The segment does not decide: segments are first-match, so
    a lapsed VIP is inactive here whatever its segment. The Dashboard counts both;
    ``remind`` offers the inactive ones (not opted out, with an e-mail address) a win-back.
Recency
    ``latest_activity()``: the day a customer was last heard of — the later of their last
    contact (an interaction) and last purchase (the sales table); with neither, their
    first contact. It is THE recency of a customer: the Customers tab's computed
    ``last_activity``, the default "inactive" segment, ``recency()`` /
    ``inactive_customers()`` (the win-back list, the Dashboard, ``summary``, the report)
    all measure from it. RFM's R alone stays purchase recency (days since the last
    purchase; RFM ranks buyers only, ``analytics.customers``).
Satisfaction
    Scores are the ``satisfaction`` column of Interactions (a feedback form's answers, a
    rating noted after a call), 1–5 or 0–10 (``[satisfaction] scale``, 5 by default).
    ``satisfaction()``: in a period, the number of scores, their average, the share that
    are happy (4–5 of 5, 9–10 of 10) and, on the 0–10 scale, the Net Promoter Score
    (% promoters 9–10 − % detractors 0–6). Per customer (``customer_satisfaction``): the
    average of their scores and the last one. Unhappy: the last score at or below
    ``[satisfaction] unhappy_at`` (2 of 5, 6 of 10).
Segments and regions
    Per segment (none: "(none)") and per country and city (no country: "(unknown)"):
    customers and their net revenue (``total_spent``); per segment also the average order
    value (revenue ÷ orders) and its share of all customers' revenue.
"""

from __future__ import annotations

from sheetcrm.analytics.kpis._campaigns import (
    by_roi,
    campaign_conversion,
    campaign_table,
    cpa,
    ctr,
    ratio,
    roi,
)
from sheetcrm.analytics.kpis._customers import (
    ACTIVE,
    ACTIVE_DAYS,
    INACTIVE,
    NO_COUNTRY,
    NO_SEGMENT,
    active_customers,
    activity,
    inactive_customers,
    last_activity,
    last_purchases,
    latest_activity,
    new_customers,
    recency,
    region_table,
    segment_table,
)
from sheetcrm.analytics.kpis._leads import (
    NO_SOURCE,
    OPEN_LEAD_STATUSES,
    STAGE_WEIGHTS,
    Conversion,
    Pipeline,
    conversion,
    leads_by_source,
    new_leads,
    open_leads,
    pipeline,
)
from sheetcrm.analytics.kpis._month_to_date import same_days_last_month
from sheetcrm.analytics.kpis._sales import (
    CHANNEL_COLUMNS,
    LOGGED_CHANNEL,
    MONTHS,
    NO_PRODUCT,
    PENDING_STATUSES,
    SALE_COLUMNS,
    SALE_TYPES,
    SalesFigures,
    average_order_value,
    channel_table,
    count_orders,
    month_index,
    monthly,
    order_lines,
    pending_orders,
    product_table,
    revenue_by_customer,
    sales,
    sales_figures,
)
from sheetcrm.analytics.kpis._satisfaction import (
    DEFAULT_SCALE,
    HAPPY_FROM,
    SCALES,
    UNHAPPY_TO,
    Satisfaction,
    SatisfactionSettings,
    customer_satisfaction,
    satisfaction,
    satisfaction_settings,
    scores,
    unhappy_customers,
)
from sheetcrm.analytics.kpis._tasks import (
    NOBODY,
    OVERDUE,
    assignee,
    due_bucket,
    overdue_by_assignee,
    overdue_mask,
    overdue_tasks,
    task_done,
    task_overdue,
)
from sheetcrm.analytics.kpis._today import (
    HOT_SCORE,
    Today,
    TodayList,
    follow_ups_due,
    hot_leads,
    today,
)

__all__ = [
    "ACTIVE",
    "ACTIVE_DAYS",
    "CHANNEL_COLUMNS",
    "DEFAULT_SCALE",
    "HAPPY_FROM",
    "HOT_SCORE",
    "INACTIVE",
    "LOGGED_CHANNEL",
    "MONTHS",
    "NOBODY",
    "NO_COUNTRY",
    "NO_PRODUCT",
    "NO_SEGMENT",
    "NO_SOURCE",
    "OPEN_LEAD_STATUSES",
    "OVERDUE",
    "PENDING_STATUSES",
    "SALE_COLUMNS",
    "SALE_TYPES",
    "SCALES",
    "STAGE_WEIGHTS",
    "UNHAPPY_TO",
    "Conversion",
    "Pipeline",
    "SalesFigures",
    "Satisfaction",
    "SatisfactionSettings",
    "Today",
    "TodayList",
    "active_customers",
    "activity",
    "assignee",
    "average_order_value",
    "by_roi",
    "campaign_conversion",
    "campaign_table",
    "channel_table",
    "conversion",
    "count_orders",
    "cpa",
    "ctr",
    "customer_satisfaction",
    "due_bucket",
    "follow_ups_due",
    "hot_leads",
    "inactive_customers",
    "last_activity",
    "last_purchases",
    "latest_activity",
    "leads_by_source",
    "month_index",
    "monthly",
    "new_customers",
    "new_leads",
    "open_leads",
    "order_lines",
    "overdue_by_assignee",
    "overdue_mask",
    "overdue_tasks",
    "pending_orders",
    "pipeline",
    "product_table",
    "ratio",
    "recency",
    "region_table",
    "revenue_by_customer",
    "roi",
    "sales",
    "sales_figures",
    "same_days_last_month",
    "satisfaction",
    "satisfaction_settings",
    "scores",
    "segment_table",
    "task_done",
    "task_overdue",
    "today",
    "unhappy_customers",
]
