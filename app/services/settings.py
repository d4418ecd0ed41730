"""Workshop settings for supplier tasks: the task SKU pattern, the auto-purchasing rule and
how each category chooses its supplier. Values live in the settings table as JSON."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Category
from app.db.settings import get_setting, put_setting
from app.domain import task_sku
from app.domain.access import Can
from app.domain.assignment import STRATEGY_LABELS, strategy_from_setting
from app.domain.changes import Changes
from app.domain.errors import DomainError
from app.services.access import requires
from app.services.uow import UnitOfWork

PATTERN_KEY = "task_sku_pattern"
SEQ_KEY = "task_sku_seq"  # {"value": {pattern: last counter given}}
AUTO_PURCHASING_KEY = "auto_purchasing"


def task_sku_pattern(session: Session) -> str:
    pattern = get_setting(session, PATTERN_KEY)
    return pattern if isinstance(pattern, str) and pattern else task_sku.DEFAULT_PATTERN


def auto_purchasing(session: Session) -> bool:
    return bool(get_setting(session, AUTO_PURCHASING_KEY, False))


@dataclass(frozen=True)
class CategoryStrategy:
    id: int
    name: str
    strategy: str  # assignment.Strategy value


@dataclass(frozen=True)
class TaskSettings:
    pattern: str
    auto_purchasing: bool
    categories: tuple[CategoryStrategy, ...]
    strategy_labels: tuple[tuple[str, str], ...]  # (value, words) for the combo boxes


@dataclass(frozen=True)
class SkuPreview:
    """What the pattern dialog shows: an example SKU, or every problem with the pattern."""

    example: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


@requires(Can.SEE_ALL_TASKS)
def task_settings(session: Session) -> TaskSettings:
    cats = tuple(
        CategoryStrategy(i, n, str(strategy_from_setting(s))) for i, n, s in session.execute(
            select(Category.id, Category.name, Category.assignment_strategy)
            .order_by(func.lower(Category.name), Category.id)))
    return TaskSettings(task_sku_pattern(session), auto_purchasing(session), cats,
                        tuple((str(k), v) for k, v in STRATEGY_LABELS.items()))


def task_sku_preview(pattern: str, on: date | None = None) -> SkuPreview:
    """An example task SKU made by the pattern today, or what is wrong with it."""
    problems = task_sku.validate(pattern)
    if problems:
        return SkuPreview("", problems)
    return SkuPreview(task_sku.preview(pattern, on=on or date.today()), ())


@requires(Can.CHANGE_SETTINGS)
def save_task_settings(uow: UnitOfWork, pattern: str, auto_purchasing: bool,
                       strategies: Mapping[int, str] | None = None) -> Changes:
    """Keep the task SKU pattern, the auto-purchasing rule and (optionally) each category's
    way of choosing suppliers, all at once; a bad pattern is refused with every problem
    listed, and nothing is saved."""
    pattern = pattern.strip()
    problems = task_sku.validate(pattern)
    if problems:
        raise DomainError("The settings were not saved: the task SKU pattern cannot be used.\n"
                          + "\n".join(f"• {p}" for p in problems))
    chosen = {cid: strategy_from_setting(s) for cid, s in (strategies or {}).items()}
    with uow:
        put_setting(uow.session, PATTERN_KEY, pattern)
        put_setting(uow.session, AUTO_PURCHASING_KEY, bool(auto_purchasing))
        for category_id, strategy in chosen.items():
            _category(uow.session, category_id).assignment_strategy = str(strategy)
        uow.changed(tasks=True, suppliers=bool(chosen))
        uow.commit()
    return uow.changes


def _category(session: Session, category_id: int) -> Category:
    category = session.get(Category, category_id)
    if category is None:
        raise DomainError("That category no longer exists; close Settings and open it again.")
    return category


@requires(Can.CHANGE_SETTINGS)
def set_category_strategy(uow: UnitOfWork, category_id: int, strategy: str) -> Changes:
    """Choose how a category's supplier is picked: round robin, least open tasks, weighted."""
    chosen = strategy_from_setting(strategy)
    with uow:
        _category(uow.session, category_id).assignment_strategy = str(chosen)
        uow.changed(tasks=True, suppliers=True)
        uow.commit()
    return uow.changes
