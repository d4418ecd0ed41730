"""Labels: templates, rendering (ZPL II, 1-bit raster, PDF sheets, Brother QL) and transports.

    templates  LabelTemplate (JSON, built-ins in resources/labels), check_template, check_data
    zpl        render_zpl / render_zpl_labels: the printer's own fonts and barcodes
    raster     render_image: a 1-bit image at the printer's dpi (also the editor's preview)
    sheet      sheet_pdf / sheet_pages: labels on A4 or Letter sheets, from any position
    brother    render_ql: Brother QL raster instructions
    printers   PrinterConfig and render_for: the right bytes for each kind of printer
    transports TCP 9100, device files, files, and the registry; PrinterError says what failed
    backoff    when the print queue tries a failed job again
    system     system printers through Qt (QPrinter, CUPS lp); plugged in by the GUI

Rendering is pure and separate from sending. Only `system.py` imports Qt, and nothing in
this package imports it, so services can render and send without pulling in PySide6.
"""
