"""One message catalogue, English and Chinese, for every message crmlab shows a student.

Modules register their messages once (usually in their own ``messages.py``) and render them with
:func:`t`. Every key must carry both languages; :func:`missing` lists the gaps (a test asserts
there are none).

>>> from crmlab import i18n
>>> i18n.register({"demo.hello": {"en": "Hello, {name}.", "zh": "你好,{name}。"}})
>>> i18n.t("demo.hello", lang="zh", name="李雷")
'你好,李雷。'
>>> i18n.t("demo.hello", name="Li Lei")
'Hello, Li Lei.'
"""
from __future__ import annotations

from crmlab.errors import ConfigError

LANGUAGES = ("en", "zh")
_CATALOGUE: dict[str, dict[str, str]] = {}


def register(messages: dict[str, dict[str, str]], *, replace: bool = False) -> None:
    """Add ``{key: {"en": ..., "zh": ...}}`` entries to the catalogue.

    A key registered twice with different text is a ``ConfigError`` (two modules fighting over one
    message) unless ``replace=True``.
    """
    for key, texts in messages.items():
        if not isinstance(texts, dict):
            raise ConfigError(key, "must map a language code to text, e.g. {'en': ..., 'zh': ...}")
        unknown = set(texts) - set(LANGUAGES)
        if unknown:
            raise ConfigError(key, f"unknown language code(s) {sorted(unknown)}; use {list(LANGUAGES)}")
        old = _CATALOGUE.get(key)
        if old is not None and old != texts and not replace:
            raise ConfigError(key, "is already registered with different text")
        _CATALOGUE[key] = dict(texts)


def t(key: str, lang: str = "en", **fmt) -> str:
    """The message ``key`` in ``lang`` ("en" or "zh"), formatted with ``fmt``.

    Falls back to English when the language is missing; an unknown key is a ``ConfigError``.
    """
    if lang not in LANGUAGES:
        raise ConfigError("lang", f"must be one of {list(LANGUAGES)}, got {lang!r}")
    _load_builtin()
    try:
        texts = _CATALOGUE[key]
    except KeyError:
        raise ConfigError("key", f"no message {key!r} in the catalogue") from None
    text = texts.get(lang) or texts.get("en", key)
    return text.format(**fmt) if fmt else text


def catalogue() -> dict[str, dict[str, str]]:
    """A copy of the whole catalogue (after loading every built-in ``messages`` module)."""
    _load_builtin()
    return {k: dict(v) for k, v in _CATALOGUE.items()}


def missing() -> list[tuple[str, str]]:
    """``(key, language)`` pairs that have no (non-empty) text: should be empty."""
    _load_builtin()
    gaps = [(k, lang) for k, v in sorted(_CATALOGUE.items()) for lang in LANGUAGES if not v.get(lang)]
    return gaps + [(name, f"cannot be loaded: {err}") for name, err in _LOAD_ERRORS.items()]


_BUILTIN = ("crmlab.teaching.messages", "crmlab.ops.messages", "crmlab.value.messages",
            "crmlab.satisfaction.messages", "crmlab.mining.messages", "crmlab.db.messages",
            "crmlab.simulate.messages")
_loaded = False
_LOAD_ERRORS: dict[str, str] = {}


def _load_builtin() -> None:
    # Modules register on import; importing them here makes the catalogue complete for checks.
    global _loaded
    if _loaded:
        return
    _loaded = True
    import importlib
    import importlib.util
    import pkgutil

    import crmlab

    names = list(_BUILTIN) + [f"crmlab.{m.name}.messages" for m in pkgutil.iter_modules(crmlab.__path__)
                              if m.ispkg and f"crmlab.{m.name}.messages" not in _BUILTIN]
    for name in names:
        try:
            if importlib.util.find_spec(name) is not None:
                importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        except Exception as exc:  # noqa: BLE001 - one broken catalogue must not silence the others
            _LOAD_ERRORS[name] = f"{type(exc).__name__}: {exc}"


__all__ = ["LANGUAGES", "register", "t", "catalogue", "missing"]
