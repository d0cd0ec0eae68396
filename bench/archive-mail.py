#!/usr/bin/env python3
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
"""archive-mail.py FIXTURES DIR: messages with archives attached, for the
analyzer section of make bench, written as DIR/archive-*.eml. The
archives are the fixtures of tests/data/inspect (FIXTURES): a zip of
three files, a 7z holding a zip holding a zip holding an executable, a
tar.gz, a zip whose "PDF" is an executable, a Word 2007+ document, and
the ZipCrypto and WinZip AES zips with their password in the text, as
such lures give it. Sent through spampotd with the test messages, so the
analyzer types each attachment and walks each archive as it would a
sensor's.
"""
import os
import sys
from email.message import EmailMessage
from email.utils import format_datetime
import datetime

MESSAGES = [
    ("archive-zip", "Invoice 88213 attached",
     "Dear customer,\n\nplease find the invoice and the delivery note in "
     "the attached archive.\n\nRegards,\nAccounts\n",
     [("three.zip", "Invoice_88213.zip", "application/zip")]),
    ("archive-nested", "Shipment documents",
     "Hello,\n\nthe shipment documents are attached (7z). Open the inner "
     "archive to print the labels.\n",
     [("nested.7z", "shipment_docs.7z", "application/x-7z-compressed")]),
    ("archive-targz", "Server migration logs",
     "Hi team,\n\nattached are the documents for Friday's migration.\n",
     [("docs.tar.gz", "docs.tar.gz", "application/gzip")]),
    ("archive-zipcrypto", "Secure message: statement",
     "Your statement is in the protected archive.\n\n"
     "Password: S3cret-99\n\nDo not share it.\n",
     [("zipcrypto.zip", "statement.zip", "application/zip")]),
    ("archive-aes", "Payroll October",
     "Salary slips attached. The archive is encrypted, "
     "password = S3cret-99\n",
     [("aes.zip", "payroll.zip", "application/zip")]),
    ("archive-exepdf", "Purchase order PO-5521",
     "Kindly see the purchase order (PDF) in the zip and confirm.\n",
     [("exe-as-pdf.zip", "PO-5521.zip", "application/zip"),
      ("report.docx", "terms.docx", "application/vnd.openxmlformats-"
       "officedocument.wordprocessingml.document")]),
]


def main():
    fixtures, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    when = datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.timezone.utc)
    for i, (name, subject, text, atts) in enumerate(MESSAGES):
        m = EmailMessage()
        m["From"] = "billing%d@invoices.bench.test" % i
        m["To"] = "rcpt@sink.bench.test"
        m["Subject"] = subject
        m["Date"] = format_datetime(when + datetime.timedelta(minutes=i))
        m["Message-ID"] = "<%s.%d@invoices.bench.test>" % (name, i)
        m.set_content(text)
        for fixture, filename, ctype in atts:
            with open(os.path.join(fixtures, fixture), "rb") as f:
                data = f.read()
            maintype, subtype = ctype.split("/", 1)
            m.add_attachment(data, maintype=maintype, subtype=subtype,
                             filename=filename)
        with open(os.path.join(out, name + ".eml"), "wb") as f:
            f.write(bytes(m))


if __name__ == "__main__":
    main()
