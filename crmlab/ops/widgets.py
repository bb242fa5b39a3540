"""The CRM console (客户关系管理系统界面): a thin ipywidgets shell over :class:`crmlab.ops.CRM`.

>>> import crmlab                                                     # doctest: +SKIP
>>> crm = crmlab.CRM(db, user="admin")                                # doctest: +SKIP
>>> crmlab.ops.console(crm)                                           # doctest: +SKIP

Four tabs: the customer list (search + category filter, paged), a form to add or edit a
customer, supplier, contact or contact record (validation errors appear next to the field),
a customer's timeline (contact records, orders, tickets, tasks, audit history) and the complaint
queue with each ticket's SLA state. Everything it does goes through ``crmlab.ops``; the same
actions work headless through :meth:`Console.fill`, :meth:`Console.save` and
:meth:`Console.search`, which the tests use.
"""
from __future__ import annotations

import html

import ipywidgets as w
import pandas as pd

from crmlab.db import schema
from crmlab.errors import CrmlabError

#: form fields per entity: (field, label en, label zh, kind) — kind "text" or an ENUMS key / option list
FORMS: dict[str, list[tuple[str, str, str, object]]] = {
    "customers": [("name", "Name", "姓名/名称", "text"), ("phone", "Phone", "电话", "text"),
                  ("email", "E-mail", "邮箱", "text"), ("city", "City", "城市", "text"),
                  ("customer_type", "Type", "类型", "customer_type"),
                  ("category", "Category", "客户类别", ("important", "ordinary", "potential")),
                  ("owner", "Owner", "负责人", "text")],
    "suppliers": [("name", "Name", "名称", "text"), ("phone", "Phone", "电话", "text"),
                  ("email", "E-mail", "邮箱", "text"), ("city", "City", "城市", "text"),
                  ("rating", "Rating 1-5", "评级", "text")],
    "contacts": [("name", "Name", "姓名", "text"), ("phone", "Phone", "电话", "text"),
                 ("email", "E-mail", "邮箱", "text"), ("customer", "Customer code", "所属客户", "text"),
                 ("supplier", "Supplier code", "所属供应商", "text"), ("job_title", "Job title", "职务", "text")],
    "interactions": [("customer", "Customer code", "客户", "text"),
                     ("channel", "Channel", "渠道", "interaction_channel"),
                     ("kind", "Kind", "类型", "interaction_kind"), ("subject", "Subject", "主题", "text"),
                     ("outcome", "Outcome", "结果", "text"),
                     ("next_follow_up_at", "Next follow-up (YYYY-MM-DD)", "下次跟进", "text")],
}
#: database column → form field, so an error about ``category_id`` lands next to "category"
FIELD_OF = {"category_id": "category", "owner_user_id": "owner", "customer_id": "customer",
            "supplier_id": "supplier", "customer_code": "name", "supplier_code": "name"}
LIST_COLUMNS = ["customer_code", "name", "phone", "city", "category", "owner", "status"]


def _table_html(df: pd.DataFrame, css: str) -> str:
    if df is None or df.empty:
        return f'<div class="{css}"><i>(none)</i></div>'
    return f'<div class="{css}">' + df.to_html(index=False, escape=True, classes=css, na_rep="") + "</div>"


class Console:
    """The console; ``Console(crm).widget`` is the ipywidgets Tab (``display(console)`` shows it)."""

    def __init__(self, crm, *, lang: str = "en", page_size: int = 15):
        self.crm = crm
        self.lang = lang
        self.page_size = page_size
        self.page = 1
        self.errors: dict[str, str] = {}
        self.last_saved: int | None = None
        zh = lang == "zh"
        # ---- customer list
        self.q = w.Text(placeholder="code, name, phone, e-mail…" if not zh else "编号、姓名、电话、邮箱…",
                        description="Search" if not zh else "查询")
        self.q.add_class("crm-search")
        self.category = w.Dropdown(options=[("all", ""), ("important 重要", "important"),
                                            ("ordinary 一般", "ordinary"), ("potential 潜在", "potential")],
                                   value="", description="Category" if not zh else "类别")
        self.category.add_class("crm-category")
        self.search_button = w.Button(description="Search" if not zh else "查询", icon="search")
        self.search_button.add_class("crm-search-button")
        self.prev_button = w.Button(description="◀", layout=w.Layout(width="40px"))
        self.next_button = w.Button(description="▶", layout=w.Layout(width="40px"))
        self.page_label = w.HTML()
        self.list_html = w.HTML()
        self.list_html.add_class("crm-list")
        self.search_button.on_click(lambda _: self.search())
        self.prev_button.on_click(lambda _: self.search(page=max(1, self.page - 1)))
        self.next_button.on_click(lambda _: self.search(page=self.page + 1))
        list_tab = w.VBox([w.HBox([self.q, self.category, self.search_button]),
                           w.HBox([self.prev_button, self.page_label, self.next_button]), self.list_html])
        # ---- form
        self.entity = w.ToggleButtons(options=list(FORMS), value="customers")
        self.entity.add_class("crm-entity")
        self.edit_id = w.Text(placeholder="empty = new record" if not zh else "留空 = 新增",
                              description="Edit id/code" if not zh else "编辑")
        self.load_button = w.Button(description="Load" if not zh else "载入")
        self.save_button = w.Button(description="Save" if not zh else "保存", button_style="primary", icon="save")
        self.save_button.add_class("crm-save")
        self.status = w.HTML()
        self.status.add_class("crm-status")
        self.fields_box = w.VBox()
        self.inputs: dict[str, w.Widget] = {}
        self.error_labels: dict[str, w.HTML] = {}
        self.entity.observe(lambda ch: self._build_form(), names="value")
        self.save_button.on_click(lambda _: self.save())
        self.load_button.on_click(lambda _: self.load(self.edit_id.value))
        self._build_form()
        form_tab = w.VBox([self.entity, w.HBox([self.edit_id, self.load_button]), self.fields_box,
                           w.HBox([self.save_button, self.status])])
        # ---- timeline
        self.timeline_code = w.Text(description="Customer" if not zh else "客户", placeholder="C000001")
        self.timeline_code.add_class("crm-timeline-code")
        self.timeline_button = w.Button(description="Show" if not zh else "显示")
        self.timeline_html = w.HTML()
        self.timeline_html.add_class("crm-timeline")
        self.timeline_button.on_click(lambda _: self.show_timeline(self.timeline_code.value))
        timeline_tab = w.VBox([w.HBox([self.timeline_code, self.timeline_button]), self.timeline_html])
        # ---- complaint queue
        self.as_of = w.Text(description="As of" if not zh else "截至", placeholder="YYYY-MM-DD HH:MM (empty = now)")
        self.queue_button = w.Button(description="Refresh" if not zh else "刷新")
        self.queue_html = w.HTML()
        self.queue_html.add_class("crm-queue")
        self.queue_button.on_click(lambda _: self.show_queue(self.as_of.value or None))
        queue_tab = w.VBox([w.HBox([self.as_of, self.queue_button]), self.queue_html])

        self.widget = w.Tab(children=[list_tab, form_tab, timeline_tab, queue_tab])
        titles = (["Customers", "Add / edit", "Timeline", "Complaints"] if not zh
                  else ["客户列表", "新增/修改", "客户时间线", "投诉队列"])
        for i, title in enumerate(titles):
            self.widget.set_title(i, title)
        self.widget.add_class("crm-console")
        self.search()
        self.show_queue()

    # ------------------------------------------------------------------ list
    def search(self, q: str | None = None, category: str | None = None, page: int = 1) -> pd.DataFrame:
        """Fill the list from ``crm.customers.search`` (the widgets' values unless given)."""
        if q is not None:
            self.q.value = q
        if category is not None:
            self.category.value = category
        self.page = page
        filters = {"page": page, "page_size": self.page_size}
        if self.q.value.strip():
            filters["q"] = self.q.value.strip()
        if self.category.value:
            filters["category"] = self.category.value
        try:
            df = self.crm.customers.search(**filters)
            total = self.crm.customers.count(**{k: v for k, v in filters.items() if k not in ("page", "page_size")})
        except CrmlabError as err:
            self.list_html.value = f'<span class="crm-error">{html.escape(err.message(self.lang))}</span>'
            return pd.DataFrame()
        df = df[[c for c in LIST_COLUMNS if c in df.columns]]
        pages = max(1, -(-total // self.page_size))
        self.page_label.value = f"&nbsp;{page} / {pages} &nbsp;({total})&nbsp;"
        self.list_html.value = _table_html(df, "crm-list-table")
        return df

    # ------------------------------------------------------------------ form
    def _build_form(self) -> None:
        rows, self.inputs, self.error_labels = [], {}, {}
        zh = self.lang == "zh"
        for field, en, zh_label, kind in FORMS[self.entity.value]:
            label = zh_label if zh else en
            if kind == "text":
                widget = w.Text(description=label, style={"description_width": "140px"})
            else:
                options = schema.ENUMS[kind] if isinstance(kind, str) else kind
                widget = w.Dropdown(options=[""] + list(options), value="", description=label,
                                    style={"description_width": "140px"})
            widget.add_class(f"crm-field-{field}")
            err = w.HTML()
            err.add_class(f"crm-error-{field}")
            self.inputs[field] = widget
            self.error_labels[field] = err
            rows.append(w.HBox([widget, err]))
        self.fields_box.children = rows
        self.errors = {}

    def fill(self, entity: str | None = None, **values) -> None:
        """Put values into the form (what a user types)."""
        if entity is not None and entity != self.entity.value:
            self.entity.value = entity
        for k, v in values.items():
            self.inputs[k].value = "" if v is None else str(v)

    def _show_error(self, field: str, message: str) -> None:
        target = FIELD_OF.get(field, field)
        if target not in self.error_labels:
            target = None
        self.errors[target or "_form"] = message
        text = f'<span class="crm-error" style="color:#c00">{html.escape(message)}</span>'
        if target:
            self.error_labels[target].value = text
        self.status.value = text

    def save(self):
        """Add (or, with an edit id, update) the record in the form; errors appear next to fields."""
        self.errors = {}
        for lbl in self.error_labels.values():
            lbl.value = ""
        values = {k: wdg.value.strip() for k, wdg in self.inputs.items() if str(wdg.value).strip()}
        coll = getattr(self.crm, self.entity.value)
        try:
            if self.edit_id.value.strip():
                ref = self.edit_id.value.strip()
                ref = int(ref) if ref.isdigit() else ref
                coll.update(ref, values)
                rid = coll._id(ref)
            else:
                rid = coll.add(values)
        except CrmlabError as err:
            self._show_error(err.field, err.message(self.lang))
            return None
        self.last_saved = rid
        ok = "已保存" if self.lang == "zh" else "Saved"
        self.status.value = f'<span class="crm-ok" style="color:#070">{ok}: {self.entity.value} #{rid}</span>'
        if self.entity.value == "customers":
            self.search(page=self.page)
        return rid

    def load(self, ref) -> None:
        """Load a record into the form for editing."""
        ref = str(ref).strip()
        coll = getattr(self.crm, self.entity.value)
        try:
            row = coll.get(int(ref) if ref.isdigit() else ref)
        except CrmlabError as err:
            self._show_error("_form", err.message(self.lang))
            return
        self.edit_id.value = ref
        cats = {1: "important", 2: "ordinary", 3: "potential"}
        for field, wdg in self.inputs.items():
            col = {"category": "category_id", "owner": "owner_user_id", "customer": "customer_id",
                   "supplier": "supplier_id"}.get(field, field)
            value = row.get(col)
            if field == "category" and value is not None:
                value = cats.get(value, "")
            wdg.value = "" if value is None else str(value)

    # ------------------------------------------------------------------ timeline, queue
    def show_timeline(self, customer) -> pd.DataFrame:
        try:
            tl = self.crm.timeline(customer)
        except CrmlabError as err:
            self.timeline_html.value = f'<span class="crm-error">{html.escape(err.message(self.lang))}</span>'
            return pd.DataFrame()
        self.timeline_html.value = _table_html(tl.head(200), "crm-timeline-table")
        return tl

    def show_queue(self, as_of=None) -> pd.DataFrame:
        try:
            q = self.crm.complaint_queue(as_of=as_of)
        except CrmlabError as err:
            self.queue_html.value = f'<span class="crm-error">{html.escape(err.message(self.lang))}</span>'
            return pd.DataFrame()
        cols = ["ticket_no", "customer_name", "kind", "category", "opened_at", "response_due_at", "hours_left",
                "sla_state"]
        view = q[[c for c in cols if c in q.columns]].copy()
        if "hours_left" in view:
            view["hours_left"] = view.hours_left.round(1)
        self.queue_html.value = _table_html(view, "crm-queue-table")
        return q

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def console(crm, **kwargs) -> Console:
    """Build and return the console (display it, or let it be the cell's last value)."""
    return Console(crm, **kwargs)


__all__ = ["Console", "console", "FORMS"]
