"""Label printing in the window: Settings > Printers with a test label, printing from where
people work, the print queue (waiting, Retry now, may have printed, Reprint) and the
template editor's live preview — against loopback stand-ins for port-9100 printers."""

from __future__ import annotations

import pytest
from loopback import Recorder
from sqlalchemy import select, update

from app.db.models import Location, PrintJob, Shipment
from app.printing.printers import PrinterConfig, PrinterKind
from app.printing.system import SystemPrinter, list_system_printers
from app.services import print_jobs, printers
from app.services.printers import Use
from app.ui import printing_actions
from app.ui.dialogs import label_templates
from app.ui.dialogs import printers as printers_dialog
from app.ui.dialogs.label_templates import LabelTemplatesDialog
from app.ui.print_sender import short_reason


@pytest.fixture(autouse=True)
def answers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Message boxes are recorded, never shown; the print dialog takes what it offers."""
    said: list[str] = []
    from PySide6.QtWidgets import QMessageBox

    for kind in ("information", "warning"):
        monkeypatch.setattr(QMessageBox, kind, lambda *a: said.append(a[2]))
    monkeypatch.setattr(label_templates, "confirm_discard", lambda *a: True)
    monkeypatch.setattr(printing_actions, "ask", lambda dialog: dialog.choice())
    return said


def zebra(address: str, name: str = "Bench Zebra") -> PrinterConfig:
    return PrinterConfig(name, PrinterKind.ZPL_TCP, address, check_status=False, timeout_s=1)


def set_up(backroom, printer: PrinterConfig, *uses: Use) -> None:  # type: ignore[no-untyped-def]
    printers.save_printer(backroom, None, printer)
    for use in uses:
        printers.set_printer_use(backroom, use, printer.name)


def status_of(backroom, job_id: int) -> str:  # type: ignore[no-untyped-def]
    with backroom.sessions() as s:
        return s.get_one(PrintJob, job_id).status


def queue_row(dialog, job_id: int) -> dict[str, str]:  # type: ignore[no-untyped-def]
    r = [job.id for job in dialog.rows].index(job_id)
    return {dialog.table.horizontalHeaderItem(c).text(): dialog.table.item(r, c).text()
            for c in range(dialog.table.columnCount())}


def test_the_menus_offer_printing_and_only_the_owner_sets_printers_up(window, qtbot,
                                                                      gui_backroom):
    from app.domain.access import Role, Viewer
    from app.ui.main_window import MainWindow

    assert window.print_queue_action.isEnabled() and window.printers_action.isEnabled()
    assert window.label_templates_action.isEnabled()
    gui_backroom.sign_in(Viewer(None, "pat", "Pat", Role.STAFF))
    staff = MainWindow(gui_backroom)
    qtbot.addWidget(staff)
    assert staff.print_queue_action.isEnabled()
    assert not staff.printers_action.isEnabled() and not staff.label_templates_action.isEnabled()
    assert staff.printers_action.toolTip() == "Only the owner changes settings"


def test_a_network_zpl_printer_is_added_and_prints_a_test_label(window, qtbot, gui_backroom,
                                                                recorder):
    dialog = window.print_sender.show_printers()
    editor = dialog.open_editor()
    assert not editor.save()  # every problem at once: no name, no address
    assert editor.error.text() == ("Not saved:\n• The printer has no name.\n• Say where the "
                                   "printer is: host name or IP address, optionally with "
                                   "':port' (default 9100).")

    editor.name.setText("Bench Zebra")
    editor.choose_kind(PrinterKind.ZPL_TCP)
    editor.address.setText(recorder.address)
    editor.check_status.setChecked(False)
    job = editor.test_label()
    assert job is not None
    qtbot.waitUntil(lambda: editor.test_job is None, timeout=5000)
    assert editor.test_result.text().startswith("Sent a test label (Product label 50 x 25 mm) "
                                                f"to {recorder.address}")
    assert recorder.wait_for(1)[0].startswith(b"^XA")
    assert b"SKU-MUGS-250304-0001" in recorder.received[0]  # the sample data
    assert editor.save()
    dialog.reload()
    assert [p.name for p in dialog.printers] == ["Bench Zebra"]
    assert dialog.table.item(0, 2).text() == recorder.address

    dialog.use_printer[Use.PRODUCT_LABELS].setCurrentIndex(1)
    dialog.choose_use(Use.PRODUCT_LABELS)
    assert printers.printer_for(gui_backroom.config.data_dir, Use.PRODUCT_LABELS)[0].name == \
        "Bench Zebra"
    dialog.test_label()  # from the list, for the selected printer
    qtbot.waitUntil(lambda: dialog.test_job is None, timeout=5000)
    assert len(recorder.wait_for(2)) == 2
    assert "Sent a test label" in dialog.test_result.text()


def test_printing_automatically_is_saved_and_a_rule_without_a_printer_is_flagged(
        window, gui_backroom):
    dialog = window.print_sender.show_printers()
    dialog.on_task_created.setChecked(True)
    dialog.return_address.setPlainText("Backroom Workshop\n  2 Pottery Lane  ")
    assert dialog.rules_warning.isVisible()
    assert "job tickets" in dialog.rules_warning.text()
    assert dialog.save_rules() is not None
    saved = gui_backroom.read(print_jobs.print_settings)
    assert saved.on_task_created and not saved.on_goods_received
    assert saved.return_address == "Backroom Workshop\n2 Pottery Lane"


def test_labels_for_selected_products_are_sent_and_the_queue_shows_printed(
        window, qtbot, gui_backroom, recorder, monkeypatch):
    set_up(gui_backroom, zebra(recorder.address), Use.PRODUCT_LABELS)
    window.print_sender.start_now()
    offered = []

    def one_of_each(dialog):  # type: ignore[no-untyped-def]
        offered.append((dialog.by_stock.isChecked(), dialog.printer.currentData(),
                        dialog.template.currentData()))
        dialog.by_number.setChecked(True)  # "This many of each: 1" rather than on hand
        return dialog.choice()

    monkeypatch.setattr(printing_actions, "ask", one_of_each)
    tab = window.page_at(0)
    ids = [tab.model.row_at(0).id, tab.model.row_at(1).id]
    job_id = printing_actions.print_product_labels(
        tab, window.print_sender.backroom, printing_actions.sender_of(tab), ids)
    assert job_id is not None
    assert offered == [(True, "Bench Zebra", "product-50x25")]
    qtbot.waitUntil(lambda: status_of(gui_backroom, job_id) == "printed", timeout=5000)
    qtbot.waitUntil(lambda: window.print_sender.send_job is None, timeout=5000)
    assert len(recorder.wait_for(1)) == 1 and recorder.received[0].count(b"^XA") == 2

    queue = window.print_sender.show_queue()
    row = queue_row(queue, job_id)
    assert row["Status"].startswith("Printed") and row["Printer"] == "Bench Zebra"
    assert row["Labels"] == "2" and row["Template"] == "Product label 50 x 25 mm"
    assert not window.print_sender.button.isVisible()  # nothing waits


def test_a_printer_that_is_off_leaves_the_job_waiting_and_retry_prints_it_once_back(
        window, qtbot, gui_backroom, closed_port):
    set_up(gui_backroom, zebra(f"127.0.0.1:{closed_port}"), Use.BIN_LABELS)
    window.print_sender.start_now()
    with gui_backroom.sessions() as s:
        bins = list(s.scalars(select(Location.id).order_by(Location.id).limit(3)))
    job_id = printing_actions.print_bin_labels(window, window.print_sender.backroom,
                                               window.print_sender, bins)
    assert job_id is not None
    qtbot.waitUntil(lambda: status_of(gui_backroom, job_id) == "waiting", timeout=5000)
    qtbot.waitUntil(lambda: window.print_sender.send_job is None, timeout=5000)

    button = window.print_sender.button
    assert button.isVisible()
    assert button.text() == f"3 labels waiting: the printer at 127.0.0.1:{closed_port} " \
                            "refused the connection"
    queue = window.print_sender.show_queue()
    row = queue_row(queue, job_id)
    assert row["Status"].startswith("Waiting: next try at ")
    assert "refused the connection" in row["Why it waits"]
    assert queue.table.item(0, 5).foreground().color().name() == "#b3261e"

    back = Recorder(closed_port)  # the printer is switched on again
    try:
        queue.select_job(job_id)
        assert queue.retry_button.isEnabled()
        assert queue.retry_selected() == 1
        qtbot.waitUntil(lambda: status_of(gui_backroom, job_id) == "printed", timeout=5000)
        qtbot.waitUntil(lambda: window.print_sender.send_job is None, timeout=5000)
        assert len(back.wait_for(1)) == 1 and back.received[0].count(b"^XA") == 3
        queue.reload()
        assert queue_row(queue, job_id)["Status"].startswith("Printed")
        assert not button.isVisible()
    finally:
        back.stop()


def test_a_job_left_sending_may_have_printed_and_reprint_makes_a_new_job(
        window, qtbot, gui_backroom, recorder):
    set_up(gui_backroom, zebra(recorder.address), Use.PRODUCT_LABELS)
    old = gui_backroom.act(print_jobs.queue_for_use, Use.PRODUCT_LABELS,
                           [{"sku": "MUG-1", "title": "Mug", "price": "£9",
                             "barcode": "MUG-1"}], data_dir=gui_backroom.config.data_dir)
    with gui_backroom.sessions() as s:  # Backroom stopped while sending it
        s.execute(update(PrintJob).where(PrintJob.id == old).values(status="sending"))
        s.commit()
    window.print_sender.start_now()
    assert status_of(gui_backroom, old) == "may_have_printed"
    assert window.print_sender.button.text() == "1 job may have printed"
    assert "may have printed" in window.statusBar().currentMessage()

    queue = window.print_sender.show_queue()
    row = queue_row(queue, old)
    assert row["Status"] == "May have printed: check it"
    assert "may have printed" in row["Why it waits"]
    assert queue.table.item(0, 5).foreground().color().name() == "#c77700"
    assert recorder.received == []  # never sent again by itself

    queue.select_job(old)
    assert queue.reprint_button.isEnabled()
    new = queue.reprint_selected()
    assert new is not None and new != old
    qtbot.waitUntil(lambda: status_of(gui_backroom, new) == "printed", timeout=5000)
    qtbot.waitUntil(lambda: window.print_sender.send_job is None, timeout=5000)
    assert status_of(gui_backroom, old) == "cancelled"
    assert len(recorder.wait_for(1)) == 1 and b"MUG-1" in recorder.received[0]


def test_parcel_labels_and_job_tickets_print_from_the_orders_tab_and_the_task(
        window, qtbot, gui_backroom, recorder, answers):
    set_up(gui_backroom, zebra(recorder.address), Use.PARCEL_LABELS, Use.JOB_TICKETS)
    window.print_sender.start_now()
    orders = window.page_at(1)
    window.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: orders.model.rowCount() > 0, timeout=5000)
    assert not orders.print_button.isEnabled()
    orders.table.selectRow(0)
    assert orders.print_button.isEnabled()
    order = orders.selected_rows()[0]
    before = orders.print_parcel_labels()  # not booked yet: the order number as barcode
    assert before is not None
    qtbot.waitUntil(lambda: status_of(gui_backroom, before) == "printed", timeout=5000)
    assert order.number.encode() in recorder.wait_for(1)[0]
    recorder.received.clear()
    with gui_backroom.sessions() as s:  # the parcel is booked
        s.add(Shipment(order_id=order.id, status="shipped", carrier="Royal Mail",
                       tracking_number="JD014600006281230456"))
        s.commit()
    parcel = orders.print_parcel_labels()
    assert parcel is not None
    qtbot.waitUntil(lambda: status_of(gui_backroom, parcel) == "printed", timeout=5000)
    assert order.number.encode() in recorder.wait_for(1)[0]
    assert b"Royal Mail" in recorder.received[0]

    from app.db.models import SupplierTask
    from app.ui.dialogs.task_detail import TaskDialog

    with gui_backroom.sessions() as s:
        task_id = s.scalars(select(SupplierTask.id).limit(1)).one()
    dialog = TaskDialog(lambda: gui_backroom, task_id, orders)
    qtbot.addWidget(dialog)
    ticket = dialog.print_ticket()
    assert ticket is not None
    qtbot.waitUntil(lambda: status_of(gui_backroom, ticket) == "printed", timeout=5000)
    qtbot.waitUntil(lambda: window.print_sender.send_job is None, timeout=5000)
    assert dialog.detail.sku.encode() in recorder.wait_for(2)[1]


def test_printing_with_no_printer_set_up_says_where_to_add_one(window, answers):
    assert printing_actions.print_product_labels(window, window.print_sender.backroom,
                                                 None, [1]) is None
    assert answers == [printing_actions.NO_PRINTER]


def test_the_template_editor_previews_edits_and_refuses_to_save_a_bad_field(qtbot,
                                                                           gui_backroom):
    dialog = LabelTemplatesDialog(lambda: gui_backroom)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.select("product-50x25")
    editor = dialog.editor
    assert dialog.builtin and editor.read_only and not dialog.save_button.isEnabled()
    assert editor.preview.image is not None and editor.preview.image.size == (400, 200)
    assert editor.caption.text().startswith("400 x 200 dots at 203 dpi (50 x 25 mm), shown at ")

    dialog.copy()
    assert not editor.read_only and dialog.key is None
    assert editor.name.text() == "Product label 50 x 25 mm (copy)"
    before = editor.preview.image.tobytes()
    editor.set_field(0, "x_mm", "4")  # the SKU, 2 mm to the right
    qtbot.waitUntil(lambda: editor.preview.image is not None
                    and editor.preview.image.tobytes() != before, timeout=2000)
    assert dialog.save_button.isEnabled()
    key = dialog.save()
    assert key == "product-label-50-x-25-mm-copy"
    assert (gui_backroom.config.data_dir / "labels" / f"{key}.json").exists()
    assert dialog.key == key and dialog.saved_label.text() == "Saved."

    editor.set_field(2, "key", "colour")  # no label of Backroom's carries a colour
    editor.refresh_preview()
    assert any("'colour'" in p and "do not have" in p for p in editor.problems)
    assert not dialog.save_button.isEnabled()
    assert dialog.save() is None
    assert "'colour'" in editor.problem_label.text()

    editor.set_field(2, "key", "title")
    editor.set_field(2, "x_mm", "30")  # 30 + 46 mm: off the 50 mm label
    editor.refresh_preview()
    assert editor.problems == ["The field 'title' reaches 76 mm across; the label is only "
                               "50 mm wide."]
    assert dialog.save() is None
    assert printers.label_template(gui_backroom, key).fields[2].x_mm == 2  # kept as saved

    editor.set_field(2, "x_mm", "two")
    editor.refresh_preview()
    assert editor.problems == ["Field 3 ('title'): 'two' is not a number for X mm."]


def test_the_sample_data_can_be_changed_for_the_preview_only(qtbot, gui_backroom):
    dialog = LabelTemplatesDialog(lambda: gui_backroom)
    qtbot.addWidget(dialog)
    dialog.select("bin-100x50")
    editor = dialog.editor
    before = editor.preview.image.tobytes()
    row = [editor.sample.item(r, 0).text() for r in range(editor.sample.rowCount())].index(
        "location")
    editor.sample.item(row, 1).setText("Z-99-9")
    editor.refresh_preview()
    assert editor.preview.image.tobytes() != before and not editor.problems
    assert not dialog.dirty  # the template itself did not change


def test_discovery_lists_the_system_printers_and_a_pdf_printer_writes_a_file(
        window, qtbot, tmp_path, monkeypatch):
    dialog = window.print_sender.show_printers()
    editor = dialog.open_editor()
    editor.choose_kind(PrinterKind.SYSTEM)
    found = [editor.system.itemData(i) for i in range(editor.system.count())]
    assert found == [p.name for p in list_system_printers()]

    zebra_queue = SystemPrinter("ZDesigner_GK420d", "Zebra GK420d", "Zebra ZPL", "", False)
    monkeypatch.setattr(printers_dialog, "discovered_printers", lambda: [zebra_queue])
    monkeypatch.setattr(printers_dialog, "suggestions", lambda: [PrinterConfig(
        "Zebra GK420d", PrinterKind.SYSTEM, "ZDesigner_GK420d", raw_zpl=True)])
    editor.find_system_printers()
    editor.system.setCurrentIndex(-1)
    editor.system.setCurrentIndex(0)
    assert editor.system_name() == "ZDesigner_GK420d" and editor.raw_zpl.isChecked()
    assert editor.name.text() == "Zebra GK420d"
    dialog._fill_found_menu()
    assert [a.text() for a in dialog.found_menu.actions()] == ["Zebra GK420d"]

    pdf = tmp_path / "labels.pdf"
    editor.name.setText("Labels to e-mail")
    editor.choose_kind(PrinterKind.PDF_FILE)
    editor.address.setText(str(pdf))
    editor.test_label()
    qtbot.waitUntil(lambda: editor.test_job is None, timeout=5000)
    assert editor.test_result.text() == (f"Wrote a test label (Product label 50 x 25 mm) to "
                                         f"{pdf}.")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert editor.save() and editor.saved.kind is PrinterKind.PDF_FILE


def test_the_status_bar_says_the_first_clause_of_why_a_printer_waits():
    assert short_reason("The printer at 10.0.0.5:9100 did not answer within 5 s — check it "
                        "is switched on.") == "the printer at 10.0.0.5:9100 did not answer " \
                                              "within 5 s"
    assert short_reason("x" * 80).endswith("…") and len(short_reason("x" * 80)) == 60


def test_bin_labels_print_from_the_bins_window(window, qtbot, gui_backroom, recorder):
    from app.ui.dialogs.locations import LocationsDialog

    set_up(gui_backroom, zebra(recorder.address), Use.BIN_LABELS)
    window.print_sender.start_now()
    dialog = LocationsDialog(lambda: gui_backroom, window)
    qtbot.addWidget(dialog)
    dialog.table.selectRow(0)
    assert dialog.print_button.isEnabled()
    code = dialog.selected_bin().code
    job = dialog.print_labels()
    assert job is not None
    qtbot.waitUntil(lambda: status_of(gui_backroom, job) == "printed", timeout=5000)
    assert code.encode() in recorder.wait_for(1)[0]
