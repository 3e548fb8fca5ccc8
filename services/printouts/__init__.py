"""Official printouts (biểu mẫu): Mẫu 01, 2A / 2B / 2C, 03, 04 and the biên bản
kiểm phiếu as PDF in the layout of the templates, built on :mod:`.layout`."""
