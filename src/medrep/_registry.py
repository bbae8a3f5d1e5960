"""The plugin registry: entry-point discovery on pluggy, name resolution and building.

Discovery is lazy. Nothing is imported until the first lookup, and then only the modules
that distributions list in the ``medrep`` entry-point group (built-ins included). Plugin
classes named by a ``"module:Class"`` string are imported when first built.

Each (kind, name) may be claimed by several distributions. Resolution never depends on
install order:

1. a user preference (``Settings.prefer``) picks one distribution;
2. otherwise a single third-party plugin that declares ``replaces=True`` wins over built-ins;
3. otherwise more than one claimant is a conflict, reported when the name is requested.

An in-process registration (:func:`register`) sits above all of these, and needs
``replaces=True`` to shadow an existing name.
"""

from __future__ import annotations

import ast
import difflib
import importlib
import importlib.util
import importlib.metadata as metadata
import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pluggy

from medrep import hookspecs
from medrep.config import PluginConfig, validate_config
from medrep.errors import (
    PluginConflictError,
    PluginLoadError,
    UnknownKindError,
    UnknownPluginError,
)
from medrep.kinds import KINDS, Plugin
from medrep.settings import get_settings

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "medrep"
BUILTIN_DISTRIBUTION = "medrep"
IN_PROCESS = "(in-process)"
_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


@dataclass
class PluginInfo:
    """One registration of a plugin, as ``medrep plugins`` lists it.

    ``status`` is ``active`` (what ``medrep.get`` builds), ``replaced`` (shadowed by the
    plugin in ``replaced_by``), ``conflict`` (clashes with another distribution) or
    ``failed`` (its distribution or class failed to import, and ``error`` contains the cause).
    """

    kind: str
    name: str
    factory: Any
    distribution: str
    version: str
    replaces: bool = False
    description: str = ""
    status: str = "active"
    error: str | None = None
    replaced_by: "PluginInfo | None" = None
    replacing: list["PluginInfo"] = field(default_factory=list)
    exception: BaseException | None = field(default=None, repr=False)

    @property
    def builtin(self) -> bool:
        """Whether medrep itself ships this plugin."""
        return self.distribution == BUILTIN_DISTRIBUTION


@dataclass
class LoadFailure:
    """A distribution whose entry point failed to import or whose hook raised."""

    entry_point: str
    distribution: str
    version: str
    error: str
    exception: BaseException = field(repr=False)


def _describe(factory: Any) -> str:
    if isinstance(factory, str):
        return _describe_reference(factory)
    doc = getattr(factory, "__doc__", None)
    return doc.strip().splitlines()[0] if doc and doc.strip() else ""


def _describe_reference(reference: str) -> str:
    """Read a class docstring's first line from source, without importing the module.

    Listing plugins must stay cheap, and importing a plugin module may pull in heavy
    libraries, so the docstring is read with ``ast`` instead.
    """
    module_name, _, qualname = reference.partition(":")
    try:
        spec = importlib.util.find_spec(module_name)
    except (ImportError, ValueError):
        return ""
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return ""
    try:
        tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return ""
    for node in tree.body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef) and node.name == qualname:
            doc = ast.get_docstring(node)
            return doc.strip().splitlines()[0] if doc else ""
    return ""


def _check_kind(kind: str) -> None:
    if kind in KINDS:
        return
    close = difflib.get_close_matches(kind, KINDS, n=1)
    suggestion = f"; did you mean {close[0]!r}?" if close else ""
    raise UnknownKindError(
        f"unknown plugin kind {kind!r}{suggestion} The seven kinds are: {', '.join(KINDS)}",
        hint="pass one of the seven kinds as the first argument",
    )


class Registry:
    """Registered plugins of every kind, loaded from entry points on first use."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._loaded = False
        self._claims: dict[tuple[str, str], list[PluginInfo]] = {}
        self._in_process: dict[tuple[str, str], PluginInfo] = {}
        self._failures: list[LoadFailure] = []
        self._manager: pluggy.PluginManager | None = None

    # -- loading -----------------------------------------------------------------------

    @property
    def plugin_manager(self) -> pluggy.PluginManager:
        """The pluggy manager holding every loaded plugin module."""
        self.load()
        assert self._manager is not None
        return self._manager

    def load(self) -> None:
        """Import every entry point of the ``medrep`` group once, and collect registrations."""
        with self._lock:
            if self._loaded:
                return
            settings = get_settings()
            manager = pluggy.PluginManager(hookspecs.PROJECT)
            manager.add_hookspecs(hookspecs)
            distributions: dict[str, tuple[str, str]] = {}
            for entry_point in self._unique_entry_points():
                dist_name, version = _distribution_of(entry_point)
                if not settings.plugin_autoload and dist_name != BUILTIN_DISTRIBUTION:
                    logger.debug("third-party autoload is off; skipping %s", entry_point.value)
                    continue
                module = self._import_entry_point(entry_point, dist_name, version, settings.strict_plugins)
                if module is None:
                    continue
                plugin_name = f"{dist_name}:{entry_point.name}"
                if manager.is_registered(module):
                    continue
                manager.register(module, name=plugin_name)
                distributions[plugin_name] = (dist_name, version)
            self._manager = manager
            self._collect(manager, distributions, settings.strict_plugins)
            self._resolve_all(settings.prefer)
            self._loaded = True

    @staticmethod
    def _unique_entry_points() -> list[metadata.EntryPoint]:
        # Editable installs can expose the same distribution twice on sys.path: the same
        # entry point seen twice is one plugin, not a conflict.
        seen: set[tuple[str, str, str]] = set()
        unique = []
        for entry_point in metadata.entry_points(group=ENTRY_POINT_GROUP):
            dist_name, _ = _distribution_of(entry_point)
            key = (dist_name, entry_point.name, entry_point.value)
            if key in seen:
                continue
            seen.add(key)
            unique.append(entry_point)
        return unique

    def _import_entry_point(
        self, entry_point: metadata.EntryPoint, dist_name: str, version: str, strict: bool
    ) -> Any:
        try:
            return entry_point.load()
        except Exception as exc:  # a broken third-party plugin must not break medrep
            self._record_failure(entry_point.value, dist_name, version, exc, strict)
            return None

    def _record_failure(self, where: str, dist_name: str, version: str, exc: BaseException, strict: bool) -> None:
        error = f"{type(exc).__name__}: {exc}"
        logger.warning("plugin %s (%s %s) failed to load: %s", where, dist_name, version, error)
        self._failures.append(LoadFailure(where, dist_name, version, error, exc))
        if strict:
            raise PluginLoadError(
                f"plugin {where} from {dist_name} {version} failed to load: {error}",
                hint="fix or uninstall that distribution, or unset MEDREP_STRICT_PLUGINS",
            ) from exc

    def _collect(self, manager: pluggy.PluginManager, distributions: dict[str, tuple[str, str]], strict: bool) -> None:
        for kind, hook_name in hookspecs.KIND_HOOKS.items():
            caller = getattr(manager.hook, hook_name)
            for impl in caller.get_hookimpls():
                dist_name, version = distributions.get(impl.plugin_name, (impl.plugin_name, ""))
                register = self._make_register(kind, dist_name, version)
                try:
                    impl.function(register=register)
                except Exception as exc:
                    self._record_failure(f"{impl.plugin_name}.{hook_name}", dist_name, version, exc, strict)

    def _make_register(self, kind: str, dist_name: str, version: str) -> Callable[..., None]:
        def register(
            name: str, factory: Any, *, replaces: bool = False, description: str | None = None, replace: bool = False
        ) -> None:
            # ``replace`` is accepted as a spelling of ``replaces``, as in medrep.register.
            replaces = replaces or replace
            _check_name(name)
            info = PluginInfo(
                kind=kind,
                name=name,
                factory=factory,
                distribution=dist_name,
                version=version,
                replaces=replaces,
                description=description if description is not None else _describe(factory),
            )
            self._claims.setdefault((kind, name), []).append(info)

        return register

    def _resolve_all(self, prefer: dict[str, str]) -> None:
        for (kind, name), claims in self._claims.items():
            _resolve(claims, prefer.get(f"{kind}:{name}"))

    # -- lookup ------------------------------------------------------------------------

    def active(self, kind: str, name: str) -> PluginInfo:
        """Return the registration that ``get(kind, name)`` builds, or raise why there is none."""
        _check_kind(kind)
        self.load()
        with self._lock:
            if (kind, name) in self._in_process:
                return self._in_process[(kind, name)]
            claims = self._claims.get((kind, name), [])
        active = [info for info in claims if info.status == "active"]
        if active:
            return active[0]
        if claims:
            raise _conflict_error(kind, name, claims)
        raise self._unknown_error(kind, name)

    def _unknown_error(self, kind: str, name: str) -> UnknownPluginError:
        names = self.names(kind)
        # Compared without case, so that "BPE" finds "bpe".
        folded = {registered.lower(): registered for registered in names}
        close = [folded[match] for match in difflib.get_close_matches(name.lower(), list(folded), n=1, cutoff=0.5)]
        suggestion = f"; did you mean {close[0]!r}?" if close else "."
        listed = ", ".join(names) if names else "(none registered)"
        message = f"unknown {kind} {name!r}{suggestion} Registered {kind}s: {listed}"
        error = UnknownPluginError(message, hint="run `medrep plugins` to see every plugin and its status")
        if self._failures:
            failed = "; ".join(f"{f.distribution} {f.version} ({f.error})" for f in self._failures)
            error = UnknownPluginError(
                f"{message}. These plugin distributions failed to load and may provide it: {failed}",
                hint="fix or reinstall the failed distribution; `medrep plugins` shows the cause",
            )
            error.__cause__ = self._failures[0].exception
        return error

    def names(self, kind: str) -> list[str]:
        """Return the sorted names registered for ``kind`` (conflicting names included)."""
        _check_kind(kind)
        self.load()
        with self._lock:
            names = {name for (k, name) in self._claims if k == kind}
            names |= {name for (k, name) in self._in_process if k == kind}
        return sorted(names)

    def infos(self) -> list[PluginInfo]:
        """Return every registration, in-process ones first, then by kind and name."""
        self.load()
        with self._lock:
            rows = list(self._in_process.values())
            for key in sorted(self._claims, key=lambda k: (KINDS.index(k[0]), k[1])):
                rows.extend(self._claims[key])
        return rows

    @property
    def failures(self) -> list[LoadFailure]:
        """Distributions that failed to load."""
        self.load()
        return list(self._failures)

    # -- building ----------------------------------------------------------------------

    def resolve_factory(self, info: PluginInfo) -> Any:
        """Return the plugin's class or callable, importing a ``"module:Class"`` reference."""
        if not isinstance(info.factory, str):
            return info.factory
        module_name, _, attribute = info.factory.partition(":")
        try:
            module = importlib.import_module(module_name)
            factory = getattr(module, attribute)
        except (ImportError, AttributeError) as exc:
            info.status, info.error, info.exception = "failed", f"{type(exc).__name__}: {exc}", exc
            raise PluginLoadError(
                f"{info.kind} {info.name!r} from {info.distribution} {info.version} failed to import "
                f"{info.factory}: {exc}",
                hint=f"reinstall {info.distribution} or install the dependencies it names",
            ) from exc
        info.factory = factory
        if not info.description:
            info.description = _describe(factory)
        return factory

    def config_model(self, kind: str, name: str) -> type[PluginConfig] | None:
        """Return the plugin's configuration model, or ``None`` for a plain callable factory."""
        factory = self.resolve_factory(self.active(kind, name))
        model = getattr(factory, "Config", None)
        return model if isinstance(model, type) and issubclass(model, PluginConfig) else None

    def get(self, kind: str, name: str, **config: Any) -> Any:
        """Build the active plugin ``name`` of ``kind`` with validated ``config``."""
        info = self.active(kind, name)
        factory = self.resolve_factory(info)
        model = getattr(factory, "Config", None)
        if isinstance(factory, type) and issubclass(factory, Plugin):
            validated = validate_config(factory.Config, config, owner=f"{kind} {name!r}")
            instance = factory(validated)
        elif isinstance(model, type) and issubclass(model, PluginConfig):
            instance = factory(validate_config(model, config, owner=f"{kind} {name!r}"))
        else:
            instance = factory(**config)
        try:
            instance.plugin_name = name
        except AttributeError:
            pass
        return instance

    # -- in-process registration --------------------------------------------------------

    def register(
        self, kind: str, name: str, factory: Any, *, replaces: bool = False, description: str | None = None
    ) -> PluginInfo:
        """Register ``factory`` as ``kind``/``name`` in this process only."""
        _check_kind(kind)
        _check_name(name)
        self.load()
        with self._lock:
            previous = self._in_process.get((kind, name))
            if previous is None:
                previous = next((i for i in self._claims.get((kind, name), []) if i.status == "active"), None)
            if previous is not None and not replaces:
                raise PluginConflictError(
                    f"{kind} {name!r} is already registered by {previous.distribution}",
                    hint="choose another name, or pass replaces=True to shadow it in this process",
                )
            info = PluginInfo(
                kind=kind,
                name=name,
                factory=factory,
                distribution=IN_PROCESS,
                version="",
                replaces=replaces,
                description=description if description is not None else _describe(factory),
            )
            if previous is not None:
                info.replacing.append(previous)
            self._in_process[(kind, name)] = info
            return info

    def unregister(self, kind: str, name: str) -> None:
        """Remove an in-process registration, restoring what it shadowed."""
        with self._lock:
            if self._in_process.pop((kind, name), None) is None:
                raise UnknownPluginError(
                    f"no in-process registration of {kind} {name!r}",
                    hint="only plugins added with medrep.register can be unregistered",
                )

    def reset(self) -> None:
        """Forget everything and rediscover entry points on the next lookup (for tests)."""
        with self._lock:
            self.__init__()


def _distribution_of(entry_point: metadata.EntryPoint) -> tuple[str, str]:
    dist = getattr(entry_point, "dist", None)
    if dist is None:
        return ("(unknown)", "")
    return (dist.metadata["Name"] or "(unknown)", dist.version or "")


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not _NAME_PATTERN.match(name):
        raise ValueError(
            f"invalid plugin name {name!r}: use lower-case letters, digits, '.', '_' and '-', "
            "starting with a letter or digit"
        )


def _resolve(claims: list[PluginInfo], preferred: str | None) -> None:
    """Set the status of every claim on one (kind, name)."""
    if len(claims) == 1:
        claims[0].status = "active"
        return
    winner = None
    if preferred is not None:
        winner = next((info for info in claims if info.distribution == preferred), None)
    if winner is None:
        replacers = [info for info in claims if info.replaces and not info.builtin]
        others = [info for info in claims if info not in replacers]
        if len(replacers) == 1 and all(info.builtin for info in others):
            winner = replacers[0]
    if winner is None:
        for info in claims:
            others = ", ".join(other.distribution for other in claims if other is not info)
            info.status, info.error = "conflict", f"also registered by {others}"
        return
    for info in claims:
        if info is winner:
            info.status = "active"
        else:
            info.status, info.replaced_by = "replaced", winner
            winner.replacing.append(info)


def _conflict_error(kind: str, name: str, claims: list[PluginInfo]) -> PluginConflictError:
    claimants = " and ".join(f"{info.distribution} {info.version}".strip() for info in claims)
    return PluginConflictError(
        f"{kind} {name!r} is registered by more than one distribution: {claimants}",
        hint=(
            "uninstall one of them, have the third-party plugin declare replaces=True, or choose one with "
            f"MEDREP_PREFER='{{\"{kind}:{name}\": \"<distribution>\"}}'"
        ),
    )


registry = Registry()
