"""The DORA Register of Information (ITS 2024/2956): the ESAs' xBRL-CSV package and a workbook.

`data` holds the register as plain facts, `builder` turns them into the templates' tables of
EBA-coded values, `validator` lists what a supervisor would reject or flag, `writers` write the
zip and the workbook, `service` loads one organisation's register and records each export.
The pure modules (codes, spec, data, builder, validator, writers) never touch the database.
"""
