"""This computer's printers and label templates: kept in printers.json and labels/ in the data
folder, checked in full before they are saved, and written whole or not at all."""

from __future__ import annotations

import json
import os
from dataclasses import replace

import pytest

from app.domain.access import Role, Viewer
from app.domain.errors import DomainError
from app.printing.errors import TemplateError
from app.printing.printers import PrinterConfig, PrinterKind
from app.printing.templates import TextField, builtin
from app.services import printers
from app.services.printers import Use

ZEBRA = PrinterConfig("Packing bench Zebra", PrinterKind.ZPL_TCP, "192.168.1.50:9100", dpi=300,
                      check_status=False, timeout_s=2.5)
BROTHER = PrinterConfig("Brother", PrinterKind.BROTHER_QL_TCP, "10.0.0.7",
                        brother_model="QL-820NWB", brother_label="62")


def _file(backroom) -> dict:  # type: ignore[no-untyped-def]
    return json.loads((backroom.config.data_dir / "printers.json").read_text("utf-8"))


def test_printers_round_trip_through_printers_json(backroom):
    assert printers.printer_list(backroom) == ()
    printers.save_printer(backroom, None, ZEBRA)
    printers.save_printer(backroom, None, BROTHER)
    assert printers.printer_list(backroom) == (ZEBRA, BROTHER)
    saved = _file(backroom)
    assert [p["name"] for p in saved["printers"]] == ["Packing bench Zebra", "Brother"]
    assert saved["printers"][0]["kind"] == "zpl_tcp" and saved["printers"][0]["dpi"] == 300
    # kinds read back as the enum, not as text
    assert printers.printer_list(backroom)[0].kind is PrinterKind.ZPL_TCP


def test_every_problem_with_a_printer_is_listed_at_once_and_nothing_is_saved(backroom):
    bad = PrinterConfig("  ", PrinterKind.ZPL_TCP, "", dpi=250, timeout_s=0)
    with pytest.raises(DomainError) as caught:
        printers.save_printer(backroom, None, bad)
    message = str(caught.value)
    for problem in ("The printer has no name.", "Say where the printer is",
                    "250 dpi is not a label printer's resolution",
                    "timeout must be more than 0 seconds"):
        assert problem in message
    assert not (backroom.config.data_dir / "printers.json").exists()


def test_printer_names_are_unique_whatever_their_case(backroom):
    printers.save_printer(backroom, None, ZEBRA)
    with pytest.raises(DomainError, match="There is already a printer called 'packing bench "
                                          "zebra'"):
        printers.save_printer(backroom, None, replace(ZEBRA, name="packing bench zebra"))
    printers.save_printer(backroom, ZEBRA.name, replace(ZEBRA, dpi=203))  # itself: fine
    assert printers.printer_list(backroom)[0].dpi == 203


def test_a_renamed_printer_keeps_its_uses(backroom):
    printers.save_printer(backroom, None, ZEBRA)
    printers.set_printer_use(backroom, Use.PRODUCT_LABELS, ZEBRA.name)
    printers.save_printer(backroom, ZEBRA.name, replace(ZEBRA, name="Zebra 2"))
    assert [p.name for p in printers.printer_list(backroom)] == ["Zebra 2"]
    uses = {u.use: u for u in printers.printer_uses(backroom)}
    assert uses["product labels"].printer == "Zebra 2"
    assert uses["product labels"].template == "product-50x25"


def test_changing_a_printer_that_was_removed_says_so(backroom):
    with pytest.raises(DomainError, match=r"There is no printer called Gone on this computer "
                                          r"any more: choose one in Settings > Printers\."):
        printers.save_printer(backroom, "Gone", ZEBRA)


def test_removing_a_printer_leaves_its_uses_without_one(backroom):
    printers.save_printer(backroom, None, ZEBRA)
    printers.set_printer_use(backroom, Use.BIN_LABELS, ZEBRA.name)
    printers.remove_printer(backroom, ZEBRA.name)
    assert printers.printer_list(backroom) == ()
    bins = next(u for u in printers.printer_uses(backroom) if u.use == "bin labels")
    assert bins.printer == "" and bins.template == "bin-100x50"
    with pytest.raises(DomainError, match="No printer is chosen for bin labels on this "
                                          "computer"):
        printers.printer_for(backroom.config.data_dir, Use.BIN_LABELS)


def test_each_use_has_a_printer_and_template_of_its_own(backroom):
    printers.save_printer(backroom, None, ZEBRA)
    printers.save_printer(backroom, None, BROTHER)
    printers.set_printer_use(backroom, "job tickets", BROTHER.name)
    printers.set_printer_use(backroom, "parcel labels", ZEBRA.name, "parcel-100x150")
    uses = printers.printer_uses(backroom)
    assert [u.use for u in uses] == [u.value for u in Use]
    assert printers.printer_for(backroom.config.data_dir, Use.JOB_TICKETS) == (
        BROTHER, "job-ticket-100x75")
    with pytest.raises(DomainError, match="There is no printer called Nobody"):
        printers.set_printer_use(backroom, "job tickets", "Nobody")
    with pytest.raises(DomainError, match="not something Backroom prints"):
        printers.set_printer_use(backroom, "stickers", ZEBRA.name)
    with pytest.raises(DomainError, match="no label template called 'tiny'"):
        printers.set_printer_use(backroom, "job tickets", ZEBRA.name, "tiny")


def test_printers_json_is_replaced_whole_or_not_at_all(backroom, monkeypatch):
    printers.save_printer(backroom, None, ZEBRA)
    path = backroom.config.data_dir / "printers.json"
    before = path.read_bytes()

    def power_cut(src, dst):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", power_cut)
    with pytest.raises(DomainError, match=r"could not be saved .*No space left on device"):
        printers.save_printer(backroom, None, BROTHER)
    assert path.read_bytes() == before
    assert [p for p in backroom.config.data_dir.iterdir()
            if p.name.startswith(".printers.json")] == []  # no half-written file left behind


def test_a_broken_printers_json_is_reported_with_its_path(backroom):
    path = backroom.config.data_dir / "printers.json"
    path.write_text("{ not json", "utf-8")
    with pytest.raises(DomainError, match=r"printer settings .*printers\.json.* cannot be read"):
        printers.printer_list(backroom)


# --- templates ------------------------------------------------------------------------------


def _mine(name: str = "Mug label 60 x 30"):  # type: ignore[no-untyped-def]
    return replace(builtin("product-50x25"), name=name, description="Ours")


def test_templates_are_the_built_in_ones_and_the_workshops_own(backroom):
    keys = [t.key for t in printers.template_list(backroom)]
    assert keys == ["bin-100x50", "job-ticket-100x75", "parcel-100x150", "product-50x25"]
    key = printers.save_template(backroom, _mine())
    assert key == "mug-label-60-x-30"
    assert (backroom.config.data_dir / "labels" / f"{key}.json").exists()
    listed = {t.key: t for t in printers.template_list(backroom)}
    assert not listed[key].builtin and listed["bin-100x50"].builtin
    assert listed[key].name == "Mug label 60 x 30"
    assert printers.label_template(backroom, key) == _mine()
    assert printers.label_template(backroom, "Mug label 60 x 30") == _mine()  # by name too


def test_a_template_that_cannot_make_labels_is_refused_naming_the_field(backroom):
    broken = replace(_mine(), fields=(TextField("sku", 40, 1, 30, 4),))  # past the right edge
    with pytest.raises(TemplateError, match="'sku' reaches 70 mm across") as caught:
        printers.save_template(backroom, broken)
    assert caught.value.field == "sku"
    assert not (backroom.config.data_dir / "labels").exists()


def test_a_template_may_not_take_a_built_in_or_another_templates_name(backroom):
    with pytest.raises(DomainError, match="name of a built-in template"):
        printers.save_template(backroom, _mine("Product 50x25"))
    printers.save_template(backroom, _mine())
    with pytest.raises(DomainError, match="already a template called"):
        printers.save_template(backroom, _mine("MUG label 60 x 30"))


def test_renaming_or_removing_a_template_moves_its_uses_along(backroom):
    printers.save_printer(backroom, None, ZEBRA)
    key = printers.save_template(backroom, _mine())
    printers.set_printer_use(backroom, Use.PRODUCT_LABELS, ZEBRA.name, key)
    new = printers.save_template(backroom, _mine("Mug label v2"), old_key=key)
    assert new == "mug-label-v2"
    assert not (backroom.config.data_dir / "labels" / f"{key}.json").exists()
    assert printers.printer_for(backroom.config.data_dir, Use.PRODUCT_LABELS)[1] == new
    printers.remove_template(backroom, new)
    assert printers.printer_for(backroom.config.data_dir, Use.PRODUCT_LABELS)[1] == \
        "product-50x25"
    with pytest.raises(DomainError, match="built-in templates cannot be removed"):
        printers.remove_template(backroom, "product-50x25")


def test_staff_print_but_only_the_owner_changes_printers(backroom):
    printers.save_printer(backroom, None, ZEBRA)
    backroom.sign_in(Viewer(None, "sam", "Sam", Role.STAFF))
    assert printers.printer_list(backroom) == (ZEBRA,)
    assert printers.template_list(backroom)
    for change in (lambda: printers.save_printer(backroom, None, BROTHER),
                   lambda: printers.remove_printer(backroom, ZEBRA.name),
                   lambda: printers.set_printer_use(backroom, "bin labels", ZEBRA.name),
                   lambda: printers.save_template(backroom, _mine())):
        with pytest.raises(DomainError, match="may not change settings"):
            change()
    assert printers.printer_list(backroom) == (ZEBRA,)
