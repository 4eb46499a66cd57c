"""A search request: the parameters of /api/search, validated once for every caller."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

from .analysis import normalize
from .dates import BadDate, date_range, parse_date

SORTS = ("relevance", "newest", "oldest")
MAX_PAGE = 10_000
MAX_PER_PAGE = 100
MAX_FACET_SIZE = 200
MAX_FILTER_VALUES = 50
MAX_PARAM_CHARS = 10_000


class InvalidRequest(ValueError):
    """A parameter is invalid; the message says which and why, `param` names it."""

    def __init__(self, message: str, param: str | None = None):
        super().__init__(message)
        self.param = param


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    page: int = 1
    per_page: int = 10
    sort: str | None = None          # None: relevance with a query, oldest without
    date_from: str | None = None
    date_to: str | None = None
    agency: tuple[str, ...] = ()
    person: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    facet_size: int = 20

    @property
    def effective_sort(self) -> str:
        return self.sort or ("relevance" if self.q.strip() else "oldest")

    def with_(self, **changes) -> "SearchRequest":
        return replace(self, **changes)

    @classmethod
    def from_params(cls, getlist: Callable[[str], list[str]]) -> "SearchRequest":
        """Build from URL parameters (e.g. Flask's request.args.getlist); InvalidRequest if bad."""
        def one(name):
            values = [v for v in getlist(name) if v is not None]
            if not values:
                return None
            value = values[0]
            if len(value) > MAX_PARAM_CHARS:
                if name != "q":
                    raise InvalidRequest(f"'{name}' is too long", name)
                value = value[:MAX_PARAM_CHARS]
            return normalize(value).strip()

        def integer(name, default, low, high):
            raw = one(name)
            if raw in (None, ""):
                return default
            try:
                value = int(raw)
            except ValueError:
                raise InvalidRequest(f"'{name}' must be a whole number, not {raw[:40]!r}", name) from None
            if not low <= value <= high:
                raise InvalidRequest(f"'{name}' must be between {low} and {high}", name)
            return value

        def date(name):
            raw = one(name)
            if not raw:
                return None
            try:
                return parse_date(raw)
            except BadDate as e:
                raise InvalidRequest(f"'{name}': {e}", name) from None

        def values(name):
            out = [normalize(v).strip() for v in getlist(name) if v and v.strip()]
            if len(out) > MAX_FILTER_VALUES:
                raise InvalidRequest(f"at most {MAX_FILTER_VALUES} '{name}' values", name)
            if any(len(v) > 300 for v in out):
                raise InvalidRequest(f"'{name}' value too long", name)
            return tuple(dict.fromkeys(out))

        sort = one("sort") or None
        if sort is not None and sort not in SORTS:
            raise InvalidRequest(f"'sort' must be one of {', '.join(SORTS)}", "sort")
        req = cls(
            q=one("q") or "",
            page=integer("page", 1, 1, MAX_PAGE),
            per_page=integer("per_page", 10, 1, MAX_PER_PAGE),
            sort=sort,
            date_from=date("date_from"),
            date_to=date("date_to"),
            agency=values("agency"), person=values("person"), source=values("source"),
            facet_size=integer("facet_size", 20, 1, MAX_FACET_SIZE),
        )
        if req.date_from and req.date_to and date_range(req.date_from)[0] > date_range(req.date_to)[1]:
            raise InvalidRequest("'date_from' is after 'date_to'", "date_from")
        return req

    def to_params(self) -> list[tuple[str, str]]:
        """URL parameters that rebuild this request (defaults left out)."""
        params = []
        if self.q:
            params.append(("q", self.q))
        for name in ("date_from", "date_to", "sort"):
            if getattr(self, name):
                params.append((name, getattr(self, name)))
        for name in ("agency", "person", "source"):
            params.extend((name, v) for v in getattr(self, name))
        if self.page != 1:
            params.append(("page", str(self.page)))
        if self.per_page != 10:
            params.append(("per_page", str(self.per_page)))
        if self.facet_size != 20:
            params.append(("facet_size", str(self.facet_size)))
        return params
