"""Printing fixtures: the built-in templates and data that suits them."""

from __future__ import annotations

import pytest

from app.printing.templates import LabelTemplate, builtin, sample_data


@pytest.fixture(scope="session")
def product() -> LabelTemplate:
    return builtin("product-50x25")


@pytest.fixture
def product_data(product: LabelTemplate) -> dict[str, str]:
    return sample_data(product)
