"""English and Chinese messages of crmlab.ops (registered into the ``crmlab.i18n`` catalogue).

Each key renders an error's *reason*; the field name is put in front by
:meth:`crmlab.errors.CrmlabError.message`.

>>> render("ops.required", "zh")
'必填项,不能为空'
>>> render("ops.too_long", "en", max_len=10, length=12)
'is too long: 12 characters, at most 10 allowed'
"""
from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "ops.required": {"en": "is required and may not be empty", "zh": "必填项,不能为空"},
    "ops.unknown_field": {"en": "is not a field of {entity}; fields are: {fields}",
                          "zh": "不是{entity}的字段;可用字段:{fields}"},
    "ops.read_only": {"en": "is set by the system and cannot be written directly",
                      "zh": "由系统自动填写,不能直接修改"},
    "ops.not_text": {"en": "must be text, got {got}", "zh": "必须是文本,实际是 {got}"},
    "ops.too_long": {"en": "is too long: {length} characters, at most {max_len} allowed",
                     "zh": "太长:{length} 个字符,最多允许 {max_len} 个"},
    "ops.bad_phone": {"en": "is not a phone number: {value!r} (use 11 digits like 13812345678, or 010-12345678)",
                      "zh": "不是有效的电话号码:{value!r}(手机号 11 位,如 13812345678;座机如 010-12345678)"},
    "ops.bad_email": {"en": "is not an e-mail address: {value!r} (like name@example.com)",
                      "zh": "不是有效的电子邮箱:{value!r}(格式如 name@example.com)"},
    "ops.bad_enum": {"en": "must be one of {options}, got {value!r}",
                     "zh": "必须是以下之一:{options};实际是 {value!r}"},
    "ops.not_number": {"en": "must be a number, got {value!r}", "zh": "必须是数字,实际是 {value!r}"},
    "ops.not_integer": {"en": "must be a whole number, got {value!r}", "zh": "必须是整数,实际是 {value!r}"},
    "ops.negative": {"en": "must be 0 or more (money cannot be negative), got {value}",
                     "zh": "不能为负数(金额必须 ≥ 0),实际是 {value}"},
    "ops.out_of_range": {"en": "must be between {lo} and {hi}, got {value}",
                         "zh": "必须在 {lo} 到 {hi} 之间,实际是 {value}"},
    "ops.bad_date": {"en": "is not a date/time: {value!r} (use YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)",
                     "zh": "不是有效的日期/时间:{value!r}(格式 YYYY-MM-DD 或 YYYY-MM-DD HH:MM:SS)"},
    "ops.date_order": {"en": "must not be before {other} ({other_value})",
                       "zh": "不能早于{other}({other_value})"},
    "ops.in_future": {"en": "cannot be in the future (after {now})", "zh": "不能晚于当前时间({now})"},
    "ops.fk_missing": {"en": "refers to {target} {value!r}, which does not exist",
                       "zh": "引用的{target} {value!r} 不存在"},
    "ops.duplicate": {"en": "{value!r} is already used by another record (must be unique)",
                      "zh": "{value!r} 已被其他记录使用(必须唯一)"},
    "ops.not_flag": {"en": "must be 0/1 or True/False, got {value!r}", "zh": "必须是 0/1 或 True/False,实际是 {value!r}"},
    "ops.one_parent": {"en": "a contact belongs to exactly one customer or one supplier",
                       "zh": "联系人必须且只能属于一个客户或一个供应商"},
    "ops.permission": {"en": "role {role!r} may not {action} {entity} (scope: {scope})",
                       "zh": "角色 {role!r} 无权{action_zh}{entity_zh}(范围:{scope})"},
    "ops.out_of_scope": {"en": "role {role!r} may {action} {entity} only within scope {scope!r}; this record is outside it",
                         "zh": "角色 {role!r} 只能{action_zh}范围为 {scope!r} 的{entity_zh};该记录不在范围内"},
    "ops.not_found": {"en": "no {entity} with {by} {value!r}", "zh": "找不到{by}为 {value!r} 的{entity_zh}"},
    "ops.unknown_user": {"en": "no active user called {value!r}", "zh": "没有名为 {value!r} 的有效用户"},
    "ops.has_children": {"en": "cannot delete: {entity} {value!r} still has {children}; archive it instead",
                         "zh": "不能删除:{value!r} 仍有关联的{children};请改为归档"},
    "ops.no_archive": {"en": "{entity} are kept as history and cannot be archived; delete instead",
                       "zh": "{entity_zh}作为历史保留,不能归档;如需要请删除"},
    "ops.bad_status": {"en": "cannot go from status {old!r} to {new!r}", "zh": "状态不能从 {old!r} 变为 {new!r}"},
    "ops.status_needs": {"en": "status {status!r} needs {other} to be filled in",
                         "zh": "状态为 {status!r} 时必须填写{other}"},
    "ops.merged": {"en": "record {value!r} was merged into another and cannot be changed",
                   "zh": "记录 {value!r} 已被合并,不能再修改"},
    "ops.same_record": {"en": "cannot merge a record into itself", "zh": "不能把记录合并到它自己"},
    "ops.import_row": {"en": "row {row}: {reason}", "zh": "第 {row} 行:{reason}"},
    "ops.import_dup": {"en": "row {row} duplicates {other} on {on}", "zh": "第 {row} 行与 {other} 在 {on} 上重复"},
    "ops.missing_column": {"en": "the file has no column {column!r} (columns: {columns})",
                           "zh": "文件中没有列 {column!r}(现有列:{columns})"},
    "ops.append_only": {"en": "the audit log is append-only: rows cannot be changed or deleted",
                        "zh": "操作日志只能追加,不能修改或删除"},
    "ops.bad_type": {"en": "must be {expected}, got {got}", "zh": "必须是{expected},实际是 {got}"},
    "ops.bad_file": {"en": "cannot read the file: {problem}", "zh": "无法读取文件:{problem}"},
}

#: Chinese verbs for the permission actions, used in the messages above
ACTION_ZH = {"create": "新增", "read": "查看", "update": "修改", "delete": "删除", "import": "导入",
             "export": "导出", "archive": "归档", "merge": "合并"}


def render(key: str, lang: str = "en", **params) -> str:
    """The message ``key`` in ``lang`` ('en' or 'zh'), formatted with ``params``."""
    entry = MESSAGES[key]
    text = entry.get(lang) or entry["en"]
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


from crmlab import i18n  # noqa: E402 - registered once, on import, into the shared catalogue

i18n.register(MESSAGES)
